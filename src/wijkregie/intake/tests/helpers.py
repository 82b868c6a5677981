"""Real export files, written byte for byte the way offices produce them."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from wijkregie.lib import geo

# Inside the test world's buurten (RD 155000-159000 x 463000-464000), one point per buurt.
BUURT_POINTS_RD = {
    "01": (155_550.0, 463_550.0),
    "02": (156_550.0, 463_550.0),
    "03": (157_550.0, 463_550.0),
    "04": (158_550.0, 463_550.0),
}


def wgs84_of(buurt: str) -> tuple[float, float]:
    """(lat, lon) of the test point in a buurt."""
    return geo.rd_to_wgs84(*BUURT_POINTS_RD[buurt])


def dutch_number(value: float, decimals: int = 6) -> str:
    return f"{value:.{decimals}f}".replace(".", ",")


def write_csv(
    path: Path,
    rows: Sequence[Sequence[object]],
    *,
    delimiter: str = ";",
    encoding: str = "utf-8",
    bom: bool = False,
) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    data = buffer.getvalue().encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def read_rejects(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "the rejects file is UTF-8 with a BOM for Excel"
    text = raw.decode("utf-8-sig")
    delimiter = ";" if text.splitlines()[0].count(";") else ("\t" if "\t" in text else ",")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))

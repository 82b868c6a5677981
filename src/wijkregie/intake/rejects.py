"""The rejects file: every refused row with its line number, its cells and the reasons.

Written to a temporary file next to the target and renamed at the end, so that a run that is
killed leaves the previous complete file (or none) and a rerun rewrites it completely.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from wijkregie.intake.reading import Cell, Detected, cell_text


def default_rejects_path(path: Path) -> Path:
    return Path(f"{path}.rejects.csv")


class RejectsWriter:
    """Context manager; `write(line, cells, reasons)`. Keeps the file only when rows were refused."""

    def __init__(self, target: Path, detected: Detected) -> None:
        self.target = Path(target)
        self.detected = detected
        self.count = 0
        # A fixed name: a rerun after a kill overwrites what the killed run left behind.
        self._tmp = self.target.with_name(f".{self.target.name}.tmp")
        self._handle = self._tmp.open("w", encoding="utf-8-sig", newline="")
        self._writer = csv.writer(
            self._handle, delimiter=detected.delimiter or ";", lineterminator="\r\n"
        )
        self._writer.writerow(["regel", *detected.headers, "reden"])

    def write(self, line: int, cells: Sequence[Cell], reasons: Sequence[str]) -> None:
        width = len(self.detected.headers)
        texts = [cell_text(c) for c in cells]
        if len(texts) < width:
            texts += [""] * (width - len(texts))
        self._writer.writerow([line, *texts, "; ".join(reasons)])
        self.count += 1

    def finish(self) -> Path | None:
        """Put the file in place (or remove a stale one when nothing was refused)."""
        self._handle.close()
        if self.count:
            os.replace(self._tmp, self.target)
            return self.target
        self._tmp.unlink(missing_ok=True)
        self.target.unlink(missing_ok=True)
        return None

    def abort(self) -> None:
        if not self._handle.closed:
            self._handle.close()
        self._tmp.unlink(missing_ok=True)

    def __enter__(self) -> RejectsWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            self.abort()

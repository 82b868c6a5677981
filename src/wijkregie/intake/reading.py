"""Reading partner exports: format, encoding, delimiter, headers, dates. Pure, no ORM.

Offices export the way their software and Excel let them: CSV with `;` (Dutch Excel) or `,`
or tabs, in UTF-8 (with or without BOM) or Windows-1252, or an XLSX workbook. Dates come as
`31-12-2025`, `31-12-2025 23:15`, ISO 8601 or Excel serial numbers; coordinates with decimal
commas. Everything here streams: a file is never held in memory as a whole.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import math
import re
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

STANDARD_COLUMNS: tuple[str, ...] = (
    "extern_id",
    "waargenomen_op",
    "categorie",
    "omschrijving",
    "postcode",
    "huisnummer",
    "huisletter",
    "toevoeging",
    "x",
    "y",
    "lat",
    "lon",
    "bron_betrouwbaarheid",
    "info_betrouwbaarheid",
)

# A cell as read: text from a CSV; from an XLSX also numbers, dates and times.
Cell = str | int | float | bool | dt.datetime | dt.date | dt.time | None

Format = Literal["csv", "xlsx"]
DELIMITERS = (";", ",", "\t")
SAMPLE_BYTES = 64 * 1024
CHUNK_BYTES = 1024 * 1024


class ReadError(ValueError):
    """The file as a whole cannot be read. The message is Dutch and meant for the user."""


@dataclass(frozen=True)
class Detected:
    """What `detect` found: enough to read the file again the same way."""

    format: Format
    encoding: str | None  # "utf-8-sig", "utf-8" or "cp1252"; None for XLSX
    delimiter: str | None  # ";", "," or "\t"; None for XLSX
    headers: tuple[str, ...]  # as in the file (BOM and surrounding spaces removed)
    columns: tuple[str, ...]  # normalised: lower case, single underscores
    sheet: str | None = None  # XLSX: the (first) sheet read

    @property
    def delimiter_name(self) -> str:
        return {";": "puntkomma", ",": "komma", "\t": "tab"}.get(self.delimiter or "", "")


@dataclass(slots=True)
class Row:
    line: int  # line number in the file; the header is line 1
    values: dict[str, Cell]  # normalised column name -> cell
    original: list[Cell]  # the cells as read, in file order


@dataclass(frozen=True)
class Preview:
    detected: Detected
    rows: list[list[str]] = field(default_factory=list)


_SPACES = re.compile(r"[\s\-]+")


def normalise_header(value: object) -> str:
    """' Extern ID ' -> 'extern_id'; the BOM and case do not matter."""
    text = "" if value is None else str(value)
    text = text.replace("\ufeff", "").strip().lower()
    return _SPACES.sub("_", text)


# ---------------------------------------------------------------------------------------------
# Detection


def _sniff_format(head: bytes) -> Format:
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ReadError(
            str(_("Oude Excel-bestanden (.xls) worden niet ondersteund: sla op als .xlsx of CSV."))
        )
    if b"\x00" in head:
        raise ReadError(str(_("Dit bestand is geen CSV- of Excel-bestand.")))
    return "csv"


def _detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when the whole file decodes as such, else Windows-1252."""
    with path.open("rb") as handle:
        first = handle.read(3)
        bom = first == codecs.BOM_UTF8
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            decoder.decode(first if not bom else b"")
            while chunk := handle.read(CHUNK_BYTES):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            if bom:
                raise ReadError(
                    str(_("Het bestand begint als UTF-8 maar bevat ongeldige tekens."))
                ) from None
            return "cp1252"
    return "utf-8-sig" if bom else "utf-8"


def _open_text(path: Path, encoding: str) -> io.TextIOWrapper:
    errors = "replace" if encoding == "cp1252" else "strict"
    return open(path, encoding=encoding, errors=errors, newline="")


def _detect_delimiter(header_line: str, sample: str) -> str:
    """The delimiter that splits the header into the most columns; the sniffer breaks ties."""
    counts = {d: header_line.count(d) for d in DELIMITERS}
    most = max(counts.values())
    candidates = [d for d in DELIMITERS if counts[d] == most]
    if most > 0 and len(candidates) == 1:
        return candidates[0]
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        sniffed = ""
    if sniffed in candidates or (most == 0 and sniffed in DELIMITERS):
        return sniffed
    return candidates[0] if most > 0 else ";"


def detect(path: Path) -> Detected:
    """Format, encoding, delimiter and header of an export. Raises ReadError."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError:
        raise ReadError(str(_("Het bestand kan niet worden geopend."))) from None
    if not head:
        raise ReadError(str(_("Het bestand is leeg.")))
    if _sniff_format(head) == "xlsx":
        return _detect_xlsx(path)
    encoding = _detect_encoding(path)
    with _open_text(path, encoding) as text:
        sample = text.read(SAMPLE_BYTES)
    if "\x00" in sample:
        raise ReadError(str(_("Dit bestand is geen CSV- of Excel-bestand.")))
    sample = sample.lstrip("\ufeff")
    lines = sample.splitlines()
    header_line = next((line for line in lines if line.strip()), "")
    if not header_line:
        raise ReadError(str(_("Het bestand heeft geen kopregel.")))
    delimiter = _detect_delimiter(header_line, "\n".join(lines[:50]))
    header = next(csv.reader([header_line], delimiter=delimiter))
    return _detected("csv", encoding, delimiter, header, None)


def _detected(
    fmt: Format,
    encoding: str | None,
    delimiter: str | None,
    header: Sequence[Cell],
    sheet: str | None,
) -> Detected:
    headers = tuple("" if h is None else str(h).replace("\ufeff", "").strip() for h in header)
    while headers and not headers[-1]:
        headers = headers[:-1]
    if not any(headers):
        raise ReadError(str(_("Het bestand heeft geen kopregel.")))
    return Detected(
        format=fmt,
        encoding=encoding,
        delimiter=delimiter,
        headers=headers,
        columns=tuple(normalise_header(h) for h in headers),
        sheet=sheet,
    )


@contextmanager
def _workbook(path: Path) -> Iterator[Any]:
    """An XLSX workbook in read-only (streaming) mode."""
    import openpyxl

    with path.open("rb") as handle:
        try:
            # A file object, not the name: openpyxl would refuse a workbook saved as "x.csv".
            workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
            raise ReadError(str(_("Dit Excel-bestand kan niet worden gelezen."))) from None
        try:
            yield workbook
        finally:
            workbook.close()


def _detect_xlsx(path: Path) -> Detected:
    with _workbook(path) as workbook:
        if not workbook.worksheets:
            raise ReadError(str(_("Het bestand heeft geen kopregel.")))
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            if any(c not in (None, "") for c in row):
                return _detected("xlsx", None, None, list(row), sheet.title)
        raise ReadError(str(_("Het bestand heeft geen kopregel.")))


# ---------------------------------------------------------------------------------------------
# Rows


def iter_rows(path: Path, detected: Detected | None = None) -> Iterator[Row]:
    """Every data row after the header, with its line number; empty rows are skipped."""
    path = Path(path)
    detected = detected or detect(path)
    if detected.format == "xlsx":
        yield from _iter_xlsx(path, detected)
    else:
        yield from _iter_csv(path, detected)


def _iter_csv(path: Path, detected: Detected) -> Iterator[Row]:
    columns = detected.columns
    width = len(columns)
    with _open_text(path, detected.encoding or "utf-8") as text:
        reader = csv.reader(text, delimiter=detected.delimiter or ";")
        header_seen = False
        previous_line = 0
        try:
            for cells in reader:
                line = previous_line + 1
                previous_line = reader.line_num
                if not any(c.strip() for c in cells):
                    continue
                if not header_seen:
                    header_seen = True
                    continue
                values: dict[str, Cell] = dict(zip(columns, cells, strict=False))
                if len(cells) < width:
                    for name in columns[len(cells) :]:
                        values[name] = ""
                yield Row(line=line, values=values, original=list(cells))
        except (csv.Error, UnicodeDecodeError) as exc:
            raise ReadError(
                str(_("Het bestand kan niet verder worden gelezen na regel %(line)d: %(error)s."))
                % {"line": previous_line, "error": exc}
            ) from None


def _iter_xlsx(path: Path, detected: Detected) -> Iterator[Row]:
    columns = detected.columns
    with _workbook(path) as workbook:
        sheet = workbook[detected.sheet] if detected.sheet else workbook.worksheets[0]
        header_seen = False
        for line, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            if not any(c not in (None, "") and str(c).strip() for c in cells):
                continue
            if not header_seen:
                header_seen = True
                continue
            row = list(cells)
            while row and row[-1] is None and len(row) > len(columns):
                row.pop()
            values: dict[str, Cell] = {
                name: (row[i] if i < len(row) else None) for i, name in enumerate(columns)
            }
            yield Row(line=line, values=values, original=row)


def count_rows(path: Path, detected: Detected | None = None) -> int:
    """Number of data rows (for a progress bar). Reads the whole file once."""
    return sum(1 for _ in iter_rows(path, detected))


def cell_text(value: Cell) -> str:
    """A cell as text, the way a person would type it (for previews and the rejects file)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.strftime("%d-%m-%Y")
        return value.strftime("%d-%m-%Y %H:%M" if not value.second else "%d-%m-%Y %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%d-%m-%Y")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    return str(value)


def preview(path: Path, n: int = 10) -> Preview:
    """Detected settings and the first `n` data rows as text, for the upload page."""
    detected = detect(Path(path))
    rows: list[list[str]] = []
    for row in iter_rows(Path(path), detected):
        if len(rows) >= n:
            break
        rows.append([cell_text(row.values.get(name)) for name in detected.columns])
    return Preview(detected=detected, rows=rows)


# ---------------------------------------------------------------------------------------------
# Values


class ValueProblem(ValueError):
    """One cell cannot be read. The message is Dutch."""


EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_DUTCH_DATE = re.compile(
    r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:[ T]+(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?)?$"
)
# An Excel serial typed as text: five digits (from 1927 on), so that "2025" or "12" is no date.
_SERIAL = re.compile(r"^[1-9]\d{4}(?:[.,]\d+)?$")


def _aware(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=AMSTERDAM)
    return value


def excel_serial(number: float) -> dt.datetime:
    """Excel's day count (1900 system, as Excel and LibreOffice write it) to a local time."""
    if not math.isfinite(number) or not 1 <= number < 2958466:
        raise ValueProblem(str(_("Dit datumgetal valt buiten het bereik van Excel.")))
    seconds = round(number * 86400)
    return _aware(EXCEL_EPOCH + dt.timedelta(seconds=seconds))


def parse_datetime(value: Cell, *, date_format: str = "") -> dt.datetime | None:
    """An aware datetime, or None for an empty cell. Raises ValueProblem.

    Accepted: `31-12-2025`, `31-12-2025 23:15` (also with `/` or `.`, and seconds), ISO 8601
    with or without offset, Excel serial numbers and datetime cells. Times without an offset
    are Dutch local time (Europe/Amsterdam).
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueProblem(str(_("Dit is geen datum.")))
    if isinstance(value, dt.datetime):
        return _aware(value)
    if isinstance(value, dt.date):
        return _aware(dt.datetime(value.year, value.month, value.day))
    if isinstance(value, int | float):
        return excel_serial(float(value))
    if isinstance(value, dt.time):
        raise ValueProblem(str(_("Alleen een tijd, zonder datum.")))
    text = value.strip()
    if not text:
        return None
    if date_format:
        try:
            return _aware(dt.datetime.strptime(text, date_format))
        except ValueError:
            pass
    match = _DUTCH_DATE.match(text)
    if match:
        day, month, year, hour, minute, second = match.groups()
        try:
            return _aware(
                dt.datetime(
                    int(year),
                    int(month),
                    int(day),
                    int(hour or 0),
                    int(minute or 0),
                    int(second or 0),
                )
            )
        except ValueError:
            raise ValueProblem(str(_("Deze datum bestaat niet."))) from None
    if _SERIAL.match(text):
        return excel_serial(float(text.replace(",", ".")))
    try:
        parsed = dt.datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise ValueProblem(
            str(_("Onbekende datumnotatie: gebruik bijvoorbeeld 31-12-2025 23:15."))
        ) from None
    return _aware(parsed)


def parse_decimal(value: Cell) -> float | None:
    """'52,1234' and '52.1234' -> 52.1234; '155.000,50' -> 155000.5. None when empty."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueProblem(str(_("Dit is geen getal.")))
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip().replace(" ", "").replace("\u00a0", "")
        if not text:
            return None
        if "," in text and "." in text:
            if text.rfind(",") > text.rfind("."):
                text = text.replace(".", "").replace(",", ".")
            else:
                text = text.replace(",", "")
        elif "," in text:
            if text.count(",") > 1:
                raise ValueProblem(str(_("Dit is geen getal.")))
            text = text.replace(",", ".")
        elif text.count(".") > 1:
            text = text.replace(".", "")
        try:
            number = float(text)
        except ValueError:
            raise ValueProblem(str(_("Dit is geen getal."))) from None
    else:
        raise ValueProblem(str(_("Dit is geen getal.")))
    if not math.isfinite(number):
        raise ValueProblem(str(_("Dit is geen getal.")))
    return number


def parse_integer(value: Cell) -> int | None:
    """A whole number ('12', 12, 12.0); None when empty. Raises ValueProblem."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueProblem(str(_("Dit is geen heel getal.")))
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise ValueProblem(str(_("Dit is geen heel getal.")))
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if text.isdigit():
            return int(text)
        raise ValueProblem(str(_("Dit is geen heel getal.")))
    raise ValueProblem(str(_("Dit is geen heel getal.")))


def text_of(value: Cell) -> str:
    """A cell as stripped text ('' for empty); numbers without a trailing '.0'."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    return cell_text(value).strip()

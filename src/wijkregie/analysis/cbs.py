"""Reading CBS "Kerncijfers wijken en buurten" exports (StatLine CSV). Pure: no ORM.

StatLine writes semicolon-separated, quoted CSV in UTF-8 or Windows-1252 (detection is shared
with the partner imports, `intake.reading`). Column names carry a numeric suffix that changes
every year (`AantalInwoners_5` one year, `AantalInwoners_7` the next), so columns are matched
by their prefix: the name without `_NN`, in lower case (`aantalinwoners`). Codes are padded
with spaces (`"BU03630001  "`) and are stripped. Missing values are `.` (unknown), `x`
(secret), `-` (nil) or empty; numbers may have a decimal comma.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from django.utils.translation import gettext as _

from wijkregie.intake.reading import (
    Cell,
    Detected,
    ReadError,
    Row,
    ValueProblem,
    detect,
    iter_rows,
    parse_decimal,
    text_of,
)

Kind = Literal["gemeente", "wijk", "buurt"]

CODE_RE = re.compile(r"^(GM\d{4}|WK\d{6}|BU\d{8})$")
KIND_BY_PREFIX: dict[str, Kind] = {"GM": "gemeente", "WK": "wijk", "BU": "buurt"}
PERIOD_RE = re.compile(r"^(\d{4})(?:JJ00)?$")
MISSING = frozenset({"", ".", "x", "X", "-"})  # unknown, secret, nil (CBS symbols)
_SUFFIX = re.compile(r"_\d+$")

# Prefixes of columns that hold text, not figures: never part of `values`.
TEXT_PREFIXES = frozenset(
    {
        "id",
        "wijkenenbuurten",
        "gemeentenaam",
        "soortregio",
        "codering",
        "perioden",
        "meestvoorkomendepostcode",
        "dekkingspercentage",
        "indelingswijzigingwijkenenbuurten",
    }
)
RESIDENTS = "aantalinwoners"
HOUSEHOLDS = "huishoudenstotaal"


def column_prefix(header: str) -> str:
    """'AantalInwoners_5' -> 'aantalinwoners'; 'WijkenEnBuurten' -> 'wijkenenbuurten'."""
    return _SUFFIX.sub("", header.replace("\ufeff", "").strip()).lower()


@dataclass(frozen=True)
class Layout:
    """Which normalised column of this file holds which prefix (first one wins)."""

    detected: Detected
    columns: dict[str, str]  # prefix -> normalised column name

    @property
    def code_column(self) -> str:
        return self.columns.get("codering") or self.columns["wijkenenbuurten"]

    @property
    def numeric(self) -> dict[str, str]:
        return {p: c for p, c in self.columns.items() if p not in TEXT_PREFIXES}


@dataclass
class AreaRow:
    line: int
    code: str
    kind: Kind
    year: int
    residents: int | None
    households: int | None
    values: dict[str, float | int] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, int]:
        return (self.code, self.year)


def layout(path: Path, *, year: int | None = None) -> Layout:
    """Detect the file and map prefixes to columns. Raises ReadError (Dutch)."""
    detected = detect(Path(path))
    columns: dict[str, str] = {}
    for header, name in zip(detected.headers, detected.columns, strict=True):
        prefix = column_prefix(header)
        if prefix and prefix not in columns:
            columns[prefix] = name
    if "codering" not in columns and "wijkenenbuurten" not in columns:
        raise ReadError(
            _("Kolom met de regiocode ontbreekt: verwacht Codering_NN of WijkenEnBuurten.")
        )
    if year is None and "perioden" not in columns:
        raise ReadError(
            _(
                "Het jaar ontbreekt: geef --year JJJJ op of lever een kolom Perioden mee "
                "(zoals 2024JJ00)."
            )
        )
    return Layout(detected=detected, columns=columns)


def region_code(value: Cell) -> tuple[str, Kind]:
    """'BU03630001  ' -> ('BU03630001', 'buurt'). Raises ValueProblem."""
    code = text_of(value).replace(" ", "").upper()
    if not CODE_RE.match(code):
        raise ValueProblem(_("Ongeldige regiocode: verwacht GMxxxx, WKxxxxxx of BUxxxxxxxx."))
    return code, KIND_BY_PREFIX[code[:2]]


def period_year(value: Cell) -> int:
    """'2024JJ00' -> 2024. Raises ValueProblem."""
    match = PERIOD_RE.match(text_of(value).upper())
    if not match or not 1900 <= int(match.group(1)) <= 2100:
        raise ValueProblem(_("Ongeldige periode: verwacht een jaar zoals 2024JJ00."))
    return int(match.group(1))


def figure(value: Cell) -> float | int | None:
    """A CBS figure: None for '.', 'x' or empty; whole numbers as int. Raises ValueProblem."""
    if isinstance(value, str) and value.strip() in MISSING:
        return None
    number = parse_decimal(value)
    if number is None:
        return None
    return int(number) if number.is_integer() else number


def _count(value: float | int | None, label: str, errors: list[str]) -> int | None:
    if value is None:
        return None
    if not float(value).is_integer() or value < 0:
        errors.append(_("%(label)s is geen heel getal van 0 of meer.") % {"label": label})
        return None
    return int(value)


def parse_row(
    row: Row, plan: Layout, *, year: int | None = None
) -> tuple[AreaRow | None, list[str]]:
    """One data row as an AreaRow, or None with the Dutch reasons."""
    errors: list[str] = []
    code: tuple[str, Kind] | None = None
    try:
        code = region_code(row.values.get(plan.code_column))
    except ValueProblem as exc:
        errors.append(str(exc))
    row_year = year
    if row_year is None:
        try:
            row_year = period_year(row.values.get(plan.columns["perioden"]))
        except ValueProblem as exc:
            errors.append(str(exc))
    figures: dict[str, float | int] = {}
    residents = households = None
    for prefix, column in plan.numeric.items():
        try:
            number = figure(row.values.get(column))
        except ValueProblem:
            errors.append(_("%(column)s is geen getal.") % {"column": prefix})
            continue
        if prefix == RESIDENTS:
            residents = _count(number, prefix, errors)
        elif prefix == HOUSEHOLDS:
            households = _count(number, prefix, errors)
        elif number is not None:
            figures[prefix] = number
    if errors or code is None or row_year is None:
        return None, errors
    return AreaRow(row.line, code[0], code[1], row_year, residents, households, figures), []


def read(
    path: Path, plan: Layout, *, year: int | None = None
) -> Iterator[tuple[Row, AreaRow | None, list[str]]]:
    """Every data row with its parse result, streaming."""
    for row in iter_rows(Path(path), plan.detected):
        item, errors = parse_row(row, plan, year=year)
        yield row, item, errors

"""Writes of the area index: the import of resident-survey scores (`wijkregie import-survey`).

The file: CSV (`;`, `,` or tab; UTF-8 with or without BOM, or Windows-1252) or XLSX, detected
by `intake.reading`, with a header row and the columns (case and spaces do not matter)

    gebiedscode;jaar;vraag;score;respondenten
    BU99990101;2026;veilig_buurt;6,8;142

- `gebiedscode`: a buurt (BU + 8 digits) or wijk (WK + 6 digits) of the municipality, or the
  municipality itself (GMxxxx: the municipality-wide score, used as the reference);
- `jaar`: the survey year; may be left out (column or cell) when `--year` is given, and must
  then agree with it;
- `vraag`: the question code the index indicators refer to (letters, digits, `_ - .`; stored
  in lower case);
- `score`: the area's score on that question (any finite number; decimal comma or point);
- `respondenten`: the number of respondents (a whole number >= 0). Scores of fewer than the
  index's `min_respondents` are stored but never shown.

Rows are an upsert on (municipality, area, year, question): a re-import of the same file
changes nothing, a changed score or count updates the row. Refused rows are reported with
their line number and every Dutch reason; the valid rows are written in one transaction with
one audit event.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from wijkregie.analysis.models import SurveyScore
from wijkregie.areas.models import Neighbourhood
from wijkregie.intake.reading import (
    ReadError,
    Row,
    ValueProblem,
    detect,
    iter_rows,
    parse_decimal,
    parse_integer,
    text_of,
)
from wijkregie.privacy.services import audit
from wijkregie.tenants.models import Municipality

COLUMNS = ("gebiedscode", "jaar", "vraag", "score", "respondenten")
AREA_RE = re.compile(r"^(GM\d{4}|WK\d{6}|BU\d{8})$")
QUESTION_RE = re.compile(r"^[a-z0-9][a-z0-9_.\-]{0,49}$")
YEAR_MIN, YEAR_MAX = 1990, 2100


@dataclass(frozen=True)
class Rejected:
    line: int
    reasons: tuple[str, ...]

    def __str__(self) -> str:
        return _("regel %(line)d: %(reasons)s") % {
            "line": self.line,
            "reasons": "; ".join(self.reasons),
        }


@dataclass
class SurveyImportResult:
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejected] = field(default_factory=list)

    def summary(self) -> str:
        return f"imported={self.imported} updated={self.updated} rejected={len(self.rejected)}"


@dataclass(frozen=True)
class _Item:
    line: int
    area_code: str
    year: int
    question: str
    score: float
    respondents: int

    @property
    def key(self) -> tuple[str, int, str]:
        return (self.area_code, self.year, self.question)


def survey_import(
    *, actor: Any = None, municipality: Municipality, path: Path, year: int | None = None
) -> SurveyImportResult:
    """Import survey scores for `municipality` from `path` (see the module docstring).

    Raises ReadError (Dutch) when the file cannot be read or a column is missing.
    """
    with translation.override(settings.LANGUAGE_CODE):  # Dutch reasons, always
        if year is not None and not YEAR_MIN <= year <= YEAR_MAX:
            raise ReadError(
                _("Het jaar moet tussen %(min)d en %(max)d liggen.")
                % {"min": YEAR_MIN, "max": YEAR_MAX}
            )
        detected = detect(Path(path))
        required = [c for c in COLUMNS if not (c == "jaar" and year is not None)]
        missing = [c for c in required if c not in detected.columns]
        if missing:
            raise ReadError(
                _("Kolommen ontbreken: %(columns)s. Verwacht: %(expected)s.")
                % {"columns": ", ".join(missing), "expected": ";".join(COLUMNS)}
            )
        areas = set(
            Neighbourhood.objects.filter(municipality=municipality).values_list("code", flat=True)
        )
        areas.add(municipality.cbs_code)
        result = SurveyImportResult()
        items: dict[tuple[str, int, str], _Item] = {}
        for row in iter_rows(Path(path), detected):
            item, reasons = _parse(row, year, areas, municipality.cbs_code)
            if item is not None and item.key in items:
                reasons = [
                    _("Dit gebied, jaar en deze vraag staan al op regel %(line)d.")
                    % {"line": items[item.key].line}
                ]
            if reasons or item is None:
                result.rejected.append(Rejected(row.line, tuple(reasons)))
                continue
            items[item.key] = item
        _write(municipality, list(items.values()), result)
        audit(
            actor=actor,
            municipality_id=municipality.pk,
            action="import",
            object_type="analysis.surveyscore",
            object_id=Path(path).name[:100],
            changes={
                "imported": result.imported,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "rejected": len(result.rejected),
            },
        )
        return result


def _parse(
    row: Row, year: int | None, areas: set[str], gm_code: str
) -> tuple[_Item | None, list[str]]:
    values = row.values
    reasons: list[str] = []
    code = text_of(values.get("gebiedscode")).replace(" ", "").upper()
    if not code:
        reasons.append(_("De gebiedscode ontbreekt."))
    elif not AREA_RE.match(code):
        reasons.append(
            _("Onbekende gebiedscode %(code)s: gebruik een BU-, WK- of GM-code van CBS.")
            % {"code": code}
        )
    elif code not in areas:
        reasons.append(
            _("Het gebied %(code)s hoort niet bij gemeente %(gm)s.") % {"code": code, "gm": gm_code}
        )
    row_year: int | None = None
    try:
        row_year = parse_integer(values.get("jaar"))
    except ValueProblem:
        reasons.append(_("Het jaar is geen heel getal."))
    else:
        if row_year is None:
            row_year = year
            if row_year is None:
                reasons.append(_("Het jaar ontbreekt."))
        elif not YEAR_MIN <= row_year <= YEAR_MAX:
            reasons.append(
                _("Het jaar moet tussen %(min)d en %(max)d liggen.")
                % {"min": YEAR_MIN, "max": YEAR_MAX}
            )
        elif year is not None and row_year != year:
            reasons.append(
                _("Het jaar %(row)d wijkt af van het opgegeven jaar %(year)d.")
                % {"row": row_year, "year": year}
            )
    question = text_of(values.get("vraag")).lower()
    if not question:
        reasons.append(_("De vraag ontbreekt."))
    elif not QUESTION_RE.match(question):
        reasons.append(
            _("De vraagcode mag alleen letters, cijfers, _ - en . bevatten (hoogstens 50 tekens).")
        )
    score: float | None = None
    try:
        score = parse_decimal(values.get("score"))
    except ValueProblem:
        reasons.append(_("De score is geen getal."))
    else:
        if score is None:
            reasons.append(_("De score ontbreekt."))
    respondents: int | None = None
    try:
        respondents = parse_integer(values.get("respondenten"))
    except ValueProblem:
        reasons.append(_("Het aantal respondenten is geen heel getal (0 of meer)."))
    else:
        if respondents is None:
            reasons.append(_("Het aantal respondenten ontbreekt."))
    if reasons or row_year is None or score is None or respondents is None:
        return None, reasons
    return _Item(row.line, code, row_year, question, score, respondents), []


def _write(municipality: Municipality, items: list[_Item], result: SurveyImportResult) -> None:
    if not items:
        return
    with transaction.atomic():
        existing = {
            (s.area_code, s.year, s.question): s
            for s in SurveyScore.objects.select_for_update().filter(
                municipality=municipality,
                year__in=sorted({i.year for i in items}),
                question__in=sorted({i.question for i in items}),
            )
        }
        new: list[SurveyScore] = []
        changed: list[SurveyScore] = []
        for item in items:
            current = existing.get(item.key)
            if current is None:
                row = SurveyScore(
                    municipality=municipality,
                    area_code=item.area_code,
                    year=item.year,
                    question=item.question,
                    score=item.score,
                    respondents=item.respondents,
                )
                row.full_clean(validate_unique=False, validate_constraints=False)
                new.append(row)
            elif (current.score, current.respondents) != (item.score, item.respondents):
                current.score = item.score
                current.respondents = item.respondents
                current.updated_at = timezone.now()
                changed.append(current)
        SurveyScore.objects.bulk_create(new, batch_size=1000)
        SurveyScore.objects.bulk_update(
            changed, ["score", "respondents", "updated_at"], batch_size=500
        )
    result.imported = len(new)
    result.updated = len(changed)
    result.unchanged = len(items) - len(new) - len(changed)

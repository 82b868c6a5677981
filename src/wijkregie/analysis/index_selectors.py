"""Viewer-scoped reads for the area index (Wijkprofiel style); formulas in `analysis.index`.

`area_index(viewer=..., codes=..., year=...)` returns {code: AreaIndex} for the requested
areas of the viewer's municipality, or {} when the municipality has no `IndexDefinition`.
Codes are CBS buurt codes (BU…), wijk codes (WK…, the wijk with its buurten) or focus-area
uuids (the focus area's buurten together); unknown codes and areas of other municipalities
are absent (never an error, never a hint that they exist). Keys are the codes as asked
(CBS codes in upper case).

What goes in, per area and indicator:
- Objective: the signals visible to the viewer (`signals_visible_to`, the one visibility
  policy) observed in the calendar year (Europe/Amsterdam) with their buurt in the area,
  matching the indicator's life domain and/or categories (a main category includes its
  subcategories; neither: all signals), per 1,000 residents. Residents come from CBS
  (`AreaStatistic`) of the index year, or the latest CBS year before it, or else the first
  after it; a wijk uses its own CBS row, else the sum of its buurten; a focus area the sum of
  its buurten. A running year counts up to now and is scaled to a whole year. The reference
  (100) is the municipality's rate in the base year: all counted signals in buurten with a
  known population over those residents. Because the policy applies to the reference as well,
  each viewer compares areas within what they are allowed to see.
- Subjective: `SurveyScore` of the question, from the survey of the index year or the latest
  before it (else the first after it). An area's own row counts when it has at least
  `min_respondents` respondents; a wijk without its own row and a focus area take the
  respondent-weighted mean of their buurten's qualifying rows. The reference is the row of the
  municipality (GM code) if it qualifies, else the respondent-weighted mean of all qualifying
  buurt rows of the base year's survey.

Privacy: index figures are aggregates. For viewers without need-to-know (`pseudonymised`),
an indicator whose count in the area is small (0 < n < SMALL_COUNT_THRESHOLD) is suppressed,
and with it that theme's objective side (see `analysis.index`); the notes say so. Survey scores
below the respondent threshold are never shown, to anyone. Viewers who do not read signals get
no objective scores. Everything is scoped to the viewer's municipality.
"""

from __future__ import annotations

import datetime as dt
import uuid as uuidlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from django.utils import timezone
from django.utils.translation import gettext as _

from wijkregie.analysis import index as calc
from wijkregie.analysis.models import (
    AreaStatistic,
    Direction,
    IndexDefinition,
    IndexIndicator,
    IndicatorKind,
    SurveyScore,
)
from wijkregie.analysis.profile import AreaIndex, Band, ThemeScore
from wijkregie.analysis.selectors import area_statistics
from wijkregie.areas.models import FocusArea, Neighbourhood, NeighbourhoodKind
from wijkregie.signals.models import Category
from wijkregie.signals.selectors import grouped_counts
from wijkregie.tenants.access import Viewer


@dataclass
class _Area:
    key: str
    kind: str  # "buurt" | "wijk" | "focusgebied"
    code: str  # own CBS code ("" for a focus area)
    members: set[int]  # neighbourhood ids whose signals count (the area and its buurten)
    buurten: list[str]  # buurt codes (for residents and survey scores)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class IndexArea:
    """An area the index can be computed for (the API lists them per kind)."""

    code: str
    name: str
    kind: str


def index_definition(*, viewer: Viewer) -> IndexDefinition | None:
    """The index configuration of the viewer's municipality, or None."""
    return (
        IndexDefinition.objects.filter(municipality_id=viewer.municipality_id)
        .select_related("municipality")
        .first()
    )


def index_bands(definition: IndexDefinition) -> tuple[Band, ...]:
    """The configured bands, lowest first; the Wijkprofiel's classes when none are set."""
    rows = [Band(float(b.lower), b.label) for b in definition.bands.order_by("lower")]
    return tuple(rows) or calc.DEFAULT_BANDS


def index_areas(*, viewer: Viewer, kind: str) -> list[IndexArea]:
    """The viewer's municipality's buurten or wijken, by code."""
    rows = Neighbourhood.objects.filter(municipality_id=viewer.municipality_id, kind=kind)
    return [
        IndexArea(code=code, name=name, kind=kind)
        for code, name in rows.order_by("code").values_list("code", "name")
    ]


def default_index_year() -> int:
    """The running calendar year (Europe/Amsterdam)."""
    return timezone.localdate().year


def area_index(
    *, viewer: Viewer, codes: Iterable[str], year: int | None = None
) -> dict[str, AreaIndex]:
    """The index of each requested area in `year` (default: the running year).

    Codes: CBS buurt (BU…) or wijk (WK…) codes, or a focus-area uuid (its buurten together).
    Unknown codes and codes of other municipalities are absent from the result; {} when the
    municipality has no index configuration.
    """
    definition = index_definition(viewer=viewer)
    if definition is None:
        return {}
    year = int(year) if year is not None else default_index_year()
    areas = _resolve_areas(viewer, codes)
    if not areas:
        return {}
    return _compute(viewer, definition, areas, year)


# ---------------------------------------------------------------------------------------------
# Areas


def _resolve_areas(viewer: Viewer, codes: Iterable[str]) -> list[_Area]:
    hoods = list(
        Neighbourhood.objects.filter(municipality_id=viewer.municipality_id).values_list(
            "id", "code", "kind", "parent_id"
        )
    )
    by_code = {code: (pk, kind) for pk, code, kind, _parent in hoods}
    code_of = {pk: code for pk, code, _kind, _parent in hoods}
    children: dict[int, list[int]] = defaultdict(list)
    for pk, _code, kind, parent in hoods:
        if parent is not None and kind == NeighbourhoodKind.BUURT:
            children[parent].append(pk)
    wanted_uuids: dict[str, uuidlib.UUID] = {}
    areas: list[_Area] = []
    seen: set[str] = set()
    for raw in codes:
        text = (raw or "").strip()
        if not text:
            continue
        try:
            wanted_uuids[text] = uuidlib.UUID(text)
            continue
        except ValueError:
            pass
        code = text.upper()
        if code in seen or code not in by_code:
            continue
        seen.add(code)
        pk, kind = by_code[code]
        if kind == NeighbourhoodKind.WIJK:
            buurt_ids = sorted(children.get(pk, []))
            areas.append(
                _Area(code, "wijk", code, {pk, *buurt_ids}, [code_of[b] for b in buurt_ids])
            )
        else:
            areas.append(_Area(code, "buurt", code, {pk}, [code]))
    if wanted_uuids:
        links = FocusArea.neighbourhoods.through.objects.filter(
            focusarea__uuid__in=list(wanted_uuids.values()),
            focusarea__municipality_id=viewer.municipality_id,
        ).values_list("focusarea__uuid", "neighbourhood_id")
        members: dict[uuidlib.UUID, set[int]] = defaultdict(set)
        for focus_uuid, hood_id in links:
            members[focus_uuid].add(hood_id)
        for key, focus_uuid in wanted_uuids.items():
            if focus_uuid in members and key not in seen:
                seen.add(key)
                ids = members[focus_uuid]
                buurt_codes = sorted(code_of[i] for i in ids if i in code_of)
                areas.append(_Area(key, "focusgebied", "", set(ids), buurt_codes))
    return areas


# ---------------------------------------------------------------------------------------------
# Inputs


def _year_bounds(year: int) -> tuple[dt.datetime, dt.datetime, float]:
    """[start, end) of the calendar year in local time, and the part of it that has passed."""
    start = timezone.make_aware(dt.datetime(year, 1, 1))
    end = timezone.make_aware(dt.datetime(year + 1, 1, 1))
    now = timezone.now()
    if now >= end:
        return start, end, 1.0
    if now <= start:
        return start, end, 0.0
    return start, now, (now - start) / (end - start)


def _signal_counts(viewer: Viewer, year: int) -> tuple[dict[tuple[int, int, int], int], float]:
    """(neighbourhood, life domain, category) -> visible signals in the year; year fraction.

    Whole months from the monthly tallies, this month so far from the signals
    (`grouped_counts`)."""
    start, end, fraction = _year_bounds(year)
    if fraction <= 0 or not viewer.reads_signals:
        return {}, fraction
    per = grouped_counts(
        viewer, None, {"n": (start, end)}, ("neighbourhood_id", "life_domain_id", "category_id")
    )
    return {
        (hood, domain, category): n["n"]
        for (hood, domain, category), n in per.items()
        if hood is not None and n["n"]
    }, fraction


def _indicator_counts(
    counts: dict[tuple[int, int, int], int],
    indicators: list[IndexIndicator],
    categories: dict[int, set[int]],
) -> list[dict[int, int]]:
    """Per objective indicator: neighbourhood id -> matching signals."""
    result: list[dict[int, int]] = []
    for indicator in indicators:
        per_hood: dict[int, int] = defaultdict(int)
        domain = indicator.life_domain_id
        wanted = categories.get(indicator.pk, set())
        for (hood, life_domain, category), n in counts.items():
            if domain is not None and life_domain != domain:
                continue
            if wanted and category not in wanted:
                continue
            per_hood[hood] += n
        result.append(per_hood)
    return result


def _stats_year(codes: list[str], year: int) -> int | None:
    """The CBS year for `year`: that year or the latest before it, else the first after it."""
    years = sorted(
        set(AreaStatistic.objects.filter(code__in=codes).values_list("year", flat=True).distinct())
    )
    before = [y for y in years if y <= year]
    if before:
        return before[-1]
    return years[0] if years else None


def _survey_year(years: list[int], year: int) -> int | None:
    before = [y for y in years if y <= year]
    if before:
        return before[-1]
    return years[0] if years else None


@dataclass
class _Survey:
    # question -> year -> area code -> (score, respondents)
    rows: dict[str, dict[int, dict[str, tuple[float, int]]]]

    def year_for(self, question: str, year: int) -> int | None:
        return _survey_year(sorted(self.rows.get(question, {})), year)

    def value(
        self, question: str, year: int | None, area: _Area, minimum: int
    ) -> tuple[float, bool]:
        """(score or NaN, whether rows existed but had too few respondents)."""
        if year is None:
            return float("nan"), False
        table = self.rows.get(question, {}).get(year, {})
        if area.code and area.code in table:
            score, respondents = table[area.code]
            if respondents >= minimum:
                return score, False
            if area.kind == "buurt":
                return float("nan"), True
        found = [table[c] for c in area.buurten if c in table]
        usable = [(s, r) for s, r in found if r >= minimum]
        if not usable:
            return float("nan"), bool(found)
        return (
            calc.weighted_survey_mean(
                np.array([s for s, _r in usable]), np.array([r for _s, r in usable])
            ),
            False,
        )

    def reference(self, question: str, year: int | None, gm_code: str, minimum: int) -> float:
        if year is None:
            return float("nan")
        table = self.rows.get(question, {}).get(year, {})
        if gm_code in table and table[gm_code][1] >= minimum:
            return table[gm_code][0]
        usable = [
            (s, r) for code, (s, r) in table.items() if code.startswith("BU") and r >= minimum
        ]
        return calc.weighted_survey_mean(
            np.array([s for s, _r in usable]), np.array([r for _s, r in usable])
        )


def _survey(municipality_id: int, questions: set[str]) -> _Survey:
    rows: dict[str, dict[int, dict[str, tuple[float, int]]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    if questions:
        for code, year, question, score, respondents in SurveyScore.objects.filter(
            municipality_id=municipality_id, question__in=sorted(questions)
        ).values_list("area_code", "year", "question", "score", "respondents"):
            rows[question][year][code] = (float(score), int(respondents))
    return _Survey(rows)


def _residents(area: _Area, stats: dict[str, int | None]) -> float:
    if area.code and stats.get(area.code):
        return float(stats[area.code] or 0)
    if area.kind == "buurt" or not area.buurten:
        return float("nan")
    values = [stats.get(code) for code in area.buurten]
    if any(v is None for v in values):
        return float("nan")
    return float(sum(v or 0 for v in values))


# ---------------------------------------------------------------------------------------------
# Computation


def _compute(
    viewer: Viewer, definition: IndexDefinition, areas: list[_Area], year: int
) -> dict[str, AreaIndex]:
    themes = list(definition.themes.order_by("order", "code"))
    theme_position = {theme.pk: i for i, theme in enumerate(themes)}
    indicators = list(
        IndexIndicator.objects.filter(theme__definition=definition)
        .prefetch_related("categories")
        .order_by("theme__order", "theme__code", "order", "code")
    )
    bands = index_bands(definition)
    base_year = int(definition.base_year)
    objective = [i for i in indicators if i.kind == IndicatorKind.OBJECTIVE]
    subjective = [i for i in indicators if i.kind == IndicatorKind.SUBJECTIVE]
    ordered = objective + subjective
    notes_common: list[str] = []
    n_areas = len(areas)
    values = np.full((n_areas, len(ordered)), np.nan)
    references = np.full(len(ordered), np.nan)
    suppressed = np.zeros((n_areas, len(ordered)), dtype=bool)
    threshold = viewer.small_count_threshold

    # Objective: signals per 1,000 residents.
    if objective:
        if not viewer.reads_signals:
            notes_common.append(_("U ziet geen signalen: de objectieve scores ontbreken."))
        else:
            _objective_values(
                viewer=viewer,
                objective=objective,
                areas=areas,
                year=year,
                base_year=base_year,
                threshold=threshold,
                values=values,
                references=references,
                suppressed=suppressed,
                notes=notes_common,
            )

    # Subjective: survey scores.
    if subjective:
        minimum = int(definition.min_respondents)
        survey = _survey(viewer.municipality_id, {i.question for i in subjective})
        survey_years: set[int] = set()
        few: set[int] = set()
        for k, indicator in enumerate(subjective, start=len(objective)):
            survey_year = survey.year_for(indicator.question, year)
            if survey_year is not None:
                survey_years.add(survey_year)
            references[k] = survey.reference(
                indicator.question,
                survey.year_for(indicator.question, base_year),
                definition.municipality.cbs_code,
                minimum,
            )
            for a, area in enumerate(areas):
                values[a, k], too_few = survey.value(indicator.question, survey_year, area, minimum)
                if too_few:
                    few.add(a)
        if not survey_years:
            notes_common.append(_("Geen enquêtecijfers voor %(year)d.") % {"year": year})
        elif survey_years != {year}:
            notes_common.append(
                _("Enquêtecijfers van %(years)s.")
                % {"years": ", ".join(str(y) for y in sorted(survey_years))}
            )
        for a in few:
            areas[a].notes.append(
                _("Enquêtecijfers van minder dan %(n)d respondenten worden niet getoond.")
                % {"n": minimum}
            )

    spec = calc.IndexSpec(
        theme_weights=tuple(float(t.weight) for t in themes),
        indicators=tuple(
            calc.IndicatorSpec(
                theme=theme_position[i.theme_id],
                objective=i.kind == IndicatorKind.OBJECTIVE,
                higher_is_better=(
                    i.kind == IndicatorKind.SUBJECTIVE and i.direction == Direction.HIGHER_BETTER
                ),
                weight=float(i.weight),
            )
            for i in ordered
        ),
        objective_weight=float(definition.objective_weight),
        subjective_weight=float(definition.subjective_weight),
        bands=bands,
    )
    scores = calc.index_scores(spec, values, references, suppressed)
    has_side = {
        (t, objective_side): any(
            spec_i.theme == t and spec_i.objective == objective_side for spec_i in spec.indicators
        )
        for t in range(len(themes))
        for objective_side in (True, False)
    }
    result: dict[str, AreaIndex] = {}
    for a, area in enumerate(areas):
        notes = list(notes_common)
        theme_scores = []
        for t, theme in enumerate(themes):
            obj = _value(scores.objective[a, t])
            subj = _value(scores.subjective[a, t])
            score = _value(scores.theme[a, t])
            if scores.objective_suppressed[a, t]:
                notes.append(
                    _("%(theme)s: kleine aantallen afgeschermd, geen objectieve score.")
                    % {"theme": theme.label}
                )
            if score is not None and has_side[(t, True)] and has_side[(t, False)]:
                if obj is None:
                    notes.append(
                        _("%(theme)s: geen objectieve score, de themascore is de subjectieve.")
                        % {"theme": theme.label}
                    )
                elif subj is None:
                    notes.append(
                        _("%(theme)s: geen subjectieve score, de themascore is de objectieve.")
                        % {"theme": theme.label}
                    )
            theme_scores.append(
                ThemeScore(
                    key=theme.code,
                    label=theme.label,
                    objective=obj,
                    subjective=subj,
                    score=score,
                    band=calc.band_for(score, bands),
                )
            )
        total = _value(scores.total[a])
        result[area.key] = AreaIndex(
            year=year,
            base_year=base_year,
            score=total,
            band=calc.band_for(total, bands),
            themes=tuple(theme_scores),
            bands=bands,
            objective_weight=float(definition.objective_weight),
            subjective_weight=float(definition.subjective_weight),
            notes=tuple(dict.fromkeys([*notes, *area.notes])),
        )
    return result


def _value(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


def _objective_values(
    *,
    viewer: Viewer,
    objective: list[IndexIndicator],
    areas: list[_Area],
    year: int,
    base_year: int,
    threshold: int,
    values: np.ndarray,
    references: np.ndarray,
    suppressed: np.ndarray,
    notes: list[str],
) -> None:
    main_ids = {i.pk: {c.pk for c in i.categories.all()} for i in objective}
    children: dict[int, set[int]] = defaultdict(set)
    for pk, parent in Category.objects.filter(
        municipality_id=viewer.municipality_id,
        parent_id__in=sorted(set().union(*main_ids.values())),
    ).values_list("id", "parent_id"):
        children[parent].add(pk)
    categories = {
        key: ids.union(*(children[c] for c in ids)) if ids else set()
        for key, ids in main_ids.items()
    }
    hoods = dict(
        Neighbourhood.objects.filter(municipality_id=viewer.municipality_id).values_list(
            "code", "id"
        )
    )
    buurt_codes = sorted(
        Neighbourhood.objects.filter(
            municipality_id=viewer.municipality_id, kind=NeighbourhoodKind.BUURT
        ).values_list("code", flat=True)
    )
    all_codes = sorted(hoods)

    # The reference: the municipality's rate in the base year.
    base_counts, base_fraction = _signal_counts(viewer, base_year)
    base_stats_year = _stats_year(all_codes, base_year)
    base_per_indicator = _indicator_counts(base_counts, objective, categories)
    if base_stats_year is not None and base_fraction > 0:
        base_stats = area_statistics(buurt_codes, base_stats_year)
        populated = [c for c in buurt_codes if base_stats.get(c) and base_stats[c].residents]
        population = float(sum(base_stats[c].residents or 0 for c in populated))
        for k, per_hood in enumerate(base_per_indicator):
            n = sum(per_hood.get(hoods[c], 0) for c in populated)
            if threshold and 0 < n < threshold:
                continue  # the municipality's own count is small: no reference, no scores
            references[k] = float(
                calc.rate_per_1000(np.array([n]), np.array([population]), base_fraction)[0]
            )

    # The areas in the index year (one scan less when it is the base year).
    counts, fraction = (
        (base_counts, base_fraction) if year == base_year else _signal_counts(viewer, year)
    )
    if fraction <= 0:
        notes.append(_("Het jaar %(year)d is nog niet begonnen.") % {"year": year})
        return
    if fraction < 1:
        notes.append(_("Lopend jaar: signalen tot nu, omgerekend naar een heel jaar."))
    stats_year = _stats_year(all_codes, year)
    if stats_year is None:
        notes.append(_("Geen inwonertallen (CBS): de objectieve scores ontbreken."))
        return
    if stats_year != year:
        notes.append(_("Inwonertallen van CBS %(year)d.") % {"year": stats_year})
    wanted = {c for area in areas for c in (area.code, *area.buurten) if c}
    stats = {code: s.residents for code, s in area_statistics(wanted, stats_year).items()}
    per_indicator = _indicator_counts(counts, objective, categories)
    residents = np.array([_residents(area, stats) for area in areas])
    for a, area in enumerate(areas):
        if not np.isfinite(residents[a]) or residents[a] <= 0:
            area.notes.append(_("Geen inwonertal (CBS) voor dit gebied."))
    for k, per_hood in enumerate(per_indicator):
        area_counts = np.array(
            [sum(per_hood.get(h, 0) for h in area.members) for area in areas], dtype=np.float64
        )
        values[:, k] = calc.rate_per_1000(area_counts, residents, fraction)
        if threshold:
            suppressed[:, k] = (area_counts > 0) & (area_counts < threshold)

"""Reads of the public neighbourhood page (/wijk/<GM>/<BU>/): aggregates only, no viewer.

Everything is scoped to one municipality and one of its buurten.
- Trends: the signals of public categories (`Category.is_public`: the ones residents report)
  in the buurt per local calendar month, the last 12 whole months, counted over all signals
  of the municipality by the system (`benchmark_services.system_viewer`, monthly tallies);
  every count 0 < n < `settings.SMALL_COUNT_THRESHOLD` is suppressed. Only monthly values per
  category are shown, no totals over months or categories, so no suppressed value can be
  recovered by subtraction.
- Practice cards: the municipality's own published cards (local, not imported) linked to a
  focus area that contains the buurt; their texts are checked for personal data on save.
- Actions (wijkacties): the municipality's published actions that name the buurt, or whose
  focus area holds the buurt or its wijk; ongoing first, then planned, then finished, the
  latest start first within each. Their texts are checked for personal data on save and the
  page never shows who wrote or published them.
- Survey results: the buurt's scores of the latest survey year with at least the index's
  `min_respondents` respondents (the municipality's score beside it, under the same rule).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from wijkregie.analysis.models import (
    DEFAULT_MIN_RESPONDENTS,
    AreaStatistic,
    IndexDefinition,
    IndexIndicator,
    SurveyScore,
)
from wijkregie.areas.models import FocusArea, Neighbourhood, NeighbourhoodKind
from wijkregie.learning.benchmark_definitions import is_small
from wijkregie.learning.benchmark_services import system_viewer
from wijkregie.learning.models import (
    ActionStatus,
    CardOrigin,
    CardStatus,
    PracticeCard,
    PublicAction,
)
from wijkregie.signals.models import Category
from wijkregie.signals.selectors import TALLY_ZONE, grouped_counts
from wijkregie.tenants.models import Municipality

TREND_MONTHS = 12


def public_buurten(*, municipality: Municipality) -> QuerySet[Neighbourhood]:
    return Neighbourhood.objects.filter(
        municipality=municipality, kind=NeighbourhoodKind.BUURT
    ).order_by("name", "code")


def public_buurt(*, municipality: Municipality, code: str) -> Neighbourhood | None:
    return (
        public_buurten(municipality=municipality)
        .filter(code=(code or "").strip().upper())
        .select_related("parent")
        .first()
    )


@dataclass(frozen=True)
class TrendSeries:
    name: str
    values: tuple[int | None, ...]  # None: suppressed
    suppressed: tuple[bool, ...]


@dataclass(frozen=True)
class Trend:
    months: tuple[dt.date, ...]
    series: tuple[TrendSeries, ...]
    threshold: int


def _month_after(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def last_whole_months(count: int = TREND_MONTHS) -> list[dt.date]:
    today = timezone.localdate()
    month = dt.date(today.year, today.month, 1)
    months = []
    for _ in range(count):
        month = (
            dt.date(month.year - 1, 12, 1)
            if month.month == 1
            else month.replace(month=month.month - 1)
        )
        months.append(month)
    return sorted(months)


def public_trend(*, municipality: Municipality, buurt: Neighbourhood) -> Trend:
    threshold = int(settings.SMALL_COUNT_THRESHOLD)
    months = last_whole_months()
    categories = list(
        Category.objects.filter(municipality=municipality, is_public=True).order_by("name")
    )
    if not categories:
        return Trend(tuple(months), (), threshold)
    periods = {
        m.isoformat(): (
            dt.datetime(m.year, m.month, 1, tzinfo=TALLY_ZONE),
            dt.datetime(*_month_after(m).timetuple()[:3], tzinfo=TALLY_ZONE),
        )
        for m in months
    }
    counts = grouped_counts(
        system_viewer(municipality.pk),
        None,
        periods,
        ("category_id",),
        within=Q(neighbourhood_id=buurt.pk, category_id__in=[c.pk for c in categories]),
    )
    series = []
    for category in categories:
        counter = counts.get((category.pk,))
        if not counter:
            continue
        values: list[int | None] = []
        hidden: list[bool] = []
        for m in months:
            n = int(counter.get(m.isoformat(), 0))
            small = is_small(n, threshold)
            values.append(None if small else n)
            hidden.append(small)
        series.append(TrendSeries(category.name, tuple(values), tuple(hidden)))
    return Trend(tuple(months), tuple(series), threshold)


def public_cards(*, municipality: Municipality, buurt: Neighbourhood) -> QuerySet[PracticeCard]:
    areas = FocusArea.objects.filter(municipality=municipality).filter(
        Q(neighbourhoods=buurt) | Q(neighbourhoods=buurt.parent_id)
        if buurt.parent_id
        else Q(neighbourhoods=buurt)
    )
    return (
        PracticeCard.objects.filter(
            municipality=municipality,
            status=CardStatus.PUBLISHED,
            origin=CardOrigin.LOCAL,
            focus_areas__in=areas,
        )
        .distinct()
        .order_by("-published_at", "-id")
    )


STATUS_ORDER = (ActionStatus.ONGOING, ActionStatus.PLANNED, ActionStatus.DONE)


def public_actions(*, municipality: Municipality, buurt: Neighbourhood) -> QuerySet[PublicAction]:
    around = Q(neighbourhoods=buurt) | Q(focus_area__neighbourhoods=buurt)
    if buurt.parent_id:
        around |= Q(focus_area__neighbourhoods=buurt.parent_id)
    ids = PublicAction.objects.filter(around, municipality=municipality, published=True).values(
        "id"
    )
    return (
        PublicAction.objects.filter(id__in=ids)
        .annotate(
            status_order=Case(
                *[When(status=s, then=Value(i)) for i, s in enumerate(STATUS_ORDER)],
                default=Value(len(STATUS_ORDER)),
                output_field=IntegerField(),
            )
        )
        .order_by("status_order", "-start_date", "-id")
    )


@dataclass(frozen=True)
class SurveyResult:
    question: str
    score: float
    respondents: int
    municipality_score: float | None


@dataclass(frozen=True)
class Survey:
    year: int | None
    results: tuple[SurveyResult, ...]
    min_respondents: int


def public_survey(*, municipality: Municipality, buurt: Neighbourhood) -> Survey:
    definition = IndexDefinition.objects.filter(municipality=municipality).first()
    minimum = definition.min_respondents if definition else DEFAULT_MIN_RESPONDENTS
    rows = SurveyScore.objects.filter(
        municipality=municipality, area_code=buurt.code, respondents__gte=minimum
    )
    year = rows.order_by("-year").values_list("year", flat=True).first()
    if year is None:
        return Survey(None, (), minimum)
    labels = dict(
        IndexIndicator.objects.filter(municipality=municipality)
        .exclude(question="")
        .values_list("question", "label")
    )
    reference = dict(
        SurveyScore.objects.filter(
            municipality=municipality,
            area_code=municipality.cbs_code,
            year=year,
            respondents__gte=minimum,
        ).values_list("question", "score")
    )
    results = tuple(
        SurveyResult(
            labels.get(r.question, r.question), r.score, r.respondents, reference.get(r.question)
        )
        for r in rows.filter(year=year).order_by("question")
    )
    return Survey(year, results, minimum)


def public_residents(*, buurt: Neighbourhood) -> tuple[int | None, int | None]:
    """(residents, year) from CBS, latest year."""
    row = (
        AreaStatistic.objects.filter(code=buurt.code, residents__isnull=False)
        .order_by("-year")
        .values_list("residents", "year")
        .first()
    )
    return (int(row[0] or 0), int(row[1])) if row else (None, None)

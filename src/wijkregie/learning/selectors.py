"""Viewer-scoped reads of the learning circle, and the effect measurement of a focus area."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db.models import Q, QuerySet
from django.utils import timezone

from wijkregie.analysis import effect
from wijkregie.analysis.models import AreaStatistic
from wijkregie.areas.models import FocusArea, Neighbourhood, NeighbourhoodKind
from wijkregie.cases.models import Case
from wijkregie.cases.selectors import visible_cases
from wijkregie.learning.access import visible_cards_q
from wijkregie.learning.models import (
    CardStatus,
    Meeting,
    MeetingSession,
    Participation,
    PracticeCard,
    PublicAction,
)
from wijkregie.signals.models import Category
from wijkregie.signals.selectors import TALLY_ZONE, grouped_counts
from wijkregie.tenants.access import Viewer

PRE_MONTHS = 12
MAX_POST_MONTHS = 12


@dataclass
class CardFilters:
    q: str = ""
    domain: str = ""
    area_type: str = ""
    source: str = ""
    status: str = ""
    with_effect: bool = False


def card_list(*, viewer: Viewer, filters: CardFilters | None = None) -> QuerySet[PracticeCard]:
    qs = PracticeCard.objects.filter(visible_cards_q(viewer))
    f = filters or CardFilters()
    if f.q:
        qs = qs.filter(
            Q(title__icontains=f.q)
            | Q(problem__icontains=f.q)
            | Q(approach__icontains=f.q)
            | Q(lessons__icontains=f.q)
            | Q(partners__icontains=f.q)
        )
    if f.domain:
        # JSON containment is not portable to SQLite; the list is short, so match the text.
        qs = qs.filter(life_domains__icontains=f'"{f.domain}"')
    if f.area_type:
        qs = qs.filter(area_type=f.area_type)
    if f.source:
        qs = qs.filter(source_name=f.source)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.with_effect:
        qs = qs.filter(measured_effect__isnull=False)
    return qs.order_by("-published_at", "-updated_at", "-id")


def source_names(*, viewer: Viewer) -> list[str]:
    return sorted(
        set(
            PracticeCard.objects.filter(visible_cards_q(viewer)).values_list(
                "source_name", flat=True
            )
        )
    )


def domain_names(*, viewer: Viewer) -> list[str]:
    names: set[str] = set()
    for domains in PracticeCard.objects.filter(visible_cards_q(viewer)).values_list(
        "life_domains", flat=True
    ):
        names.update(str(d) for d in domains or [])
    return sorted(names)


def review_queue(*, viewer: Viewer) -> QuerySet[PracticeCard]:
    return PracticeCard.objects.filter(
        municipality_id=viewer.municipality_id, status=CardStatus.IN_REVIEW
    )


def editable_cards(*, viewer: Viewer) -> QuerySet[PracticeCard]:
    return PracticeCard.objects.filter(
        municipality_id=viewer.municipality_id, origin="lokaal"
    ).order_by("title")


@dataclass(frozen=True)
class CardLinks:
    focus_areas: list[FocusArea]
    cases: list[Case]
    meetings: list[Meeting]


def card_links(*, viewer: Viewer, card: PracticeCard) -> CardLinks:
    """Focus areas and cases only for the owner municipality, and of those cases only the
    ones the viewer takes part in (the case's own need-to-know rule). Showing a case's
    reference and title is a read of the case: the view logs it (`cases.access.log_case_reads`)."""
    meetings = list(
        card.meetings.filter(municipality__learning_participation__active=True).order_by("-date")
    )
    if card.municipality_id != viewer.municipality_id:
        return CardLinks([], [], meetings)
    case_ids = card.cases.values_list("id", flat=True)
    return CardLinks(
        list(card.focus_areas.filter(municipality_id=viewer.municipality_id)),
        list(visible_cases(viewer=viewer).filter(id__in=list(case_ids)).order_by("reference")),
        meetings,
    )


def linkable_cases(*, viewer: Viewer) -> QuerySet[Case]:
    """The cases a card author may link: those they take part in as an active participant
    (`cases.selectors.visible_cases`). Pseudonymised viewers link none."""
    if viewer.pseudonymised:
        return Case.objects.none()
    return visible_cases(viewer=viewer).order_by("reference", "id")


def hidden_case_ids(*, viewer: Viewer, card: PracticeCard) -> list[int]:
    """The card's case links the viewer cannot link (cases they do not take part in, or all
    for a pseudonymised viewer): kept untouched when the viewer edits the card."""
    visible = linkable_cases(viewer=viewer).values_list("id", flat=True)
    return list(card.cases.exclude(id__in=visible).values_list("id", flat=True))


def meeting_card_choices(*, viewer: Viewer) -> QuerySet[PracticeCard]:
    """The cards a meeting may be linked to: the cards the viewer may see."""
    return PracticeCard.objects.filter(visible_cards_q(viewer)).order_by("title", "id")


def participating_names() -> list[str]:
    """Names of the municipalities taking part now (the default list of a new meeting)."""
    return sorted(
        Participation.objects.filter(active=True).values_list("municipality__name", flat=True)
    )


def meeting_list(*, viewer: Viewer) -> QuerySet[Meeting]:
    return Meeting.objects.filter(municipality__learning_participation__active=True).order_by(
        "-date", "-id"
    )


def meeting_sessions(*, meeting: Meeting) -> QuerySet[MeetingSession]:
    return meeting.sessions.order_by("order", "id")


def meeting_cards(*, viewer: Viewer, meeting: Meeting) -> QuerySet[PracticeCard]:
    return meeting.cards.filter(visible_cards_q(viewer)).order_by("title")


# --- effect measurement ---------------------------------------------------------------------


def _month_start(month: dt.date) -> dt.datetime:
    return dt.datetime(month.year, month.month, 1, tzinfo=TALLY_ZONE)


def _add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def category_ids(*, viewer: Viewer, codes: list[str]) -> list[int]:
    """The categories with these codes in the viewer's municipality and their subcategories."""
    return sorted(
        Category.objects.filter(municipality_id=viewer.municipality_id)
        .filter(Q(code__in=codes) | Q(parent__code__in=codes))
        .values_list("id", flat=True)
    )


@dataclass(frozen=True)
class EffectMeasurement:
    focus_area: FocusArea
    categories: list[str]
    start: dt.date
    months: list[dt.date]
    result: effect.EffectResult
    buurten_without_residents: int


def focus_area_effect(
    *,
    viewer: Viewer,
    focus_area: FocusArea,
    category_codes: list[str],
    start: dt.date,
    today: dt.date | None = None,
) -> EffectMeasurement:
    """The effect from `start` (first of a month) in the focus area's buurten against the
    municipality's other buurten, on the viewer's visible signals of these categories.

    Months: PRE_MONTHS before the start and up to MAX_POST_MONTHS from it, whole months
    before the current one only. Residents: CBS (AreaStatistic) of the latest year per buurt,
    the same in every month. Buurten without residents are left out (counted in the result).
    """
    today = today or timezone.localdate()
    start = dt.date(start.year, start.month, 1)
    current = dt.date(today.year, today.month, 1)
    first = _add_months(start, -PRE_MONTHS)
    months: list[dt.date] = []
    month = first
    while month < current and month < _add_months(start, MAX_POST_MONTHS):
        months.append(month)
        month = _add_months(month, 1)
    buurten = list(
        Neighbourhood.objects.filter(
            municipality_id=viewer.municipality_id, kind=NeighbourhoodKind.BUURT
        ).values_list("id", "code")
    )
    treated_ids = set(focus_area.neighbourhoods.values_list("id", flat=True))
    residents: dict[str, float] = {}
    rows = AreaStatistic.objects.filter(
        code__in=[code for _, code in buurten], residents__isnull=False
    ).order_by("code", "-year")
    for code, value in rows.values_list("code", "residents"):
        if value is not None:
            residents.setdefault(code, float(value))
    ids = category_ids(viewer=viewer, codes=category_codes)
    periods = {m.isoformat(): (_month_start(m), _month_start(_add_months(m, 1))) for m in months}
    counts: dict[tuple[Any, ...], Any] = (
        grouped_counts(
            viewer,
            None,
            periods,
            ["neighbourhood_id"],
            within=Q(category_id__in=ids),
        )
        if months and ids
        else {}
    )
    panel_rows: list[tuple[str, int, float, float, bool]] = []
    without = 0
    for pk, code in buurten:
        population = residents.get(code)
        if not population:
            without += 1
            continue
        per_month = counts.get((pk,), {})
        for m in months:
            panel_rows.append(
                (
                    code,
                    m.year * 12 + m.month - 1,
                    float(per_month.get(m.isoformat(), 0)),
                    population,
                    pk in treated_ids,
                )
            )
    start_ordinal = start.year * 12 + start.month - 1
    if panel_rows:
        result = effect.effect_study(effect.panel_from_rows(panel_rows), start_ordinal)
    else:
        empty = effect.Panel((), (), *_empty())
        result = effect.effect_study(empty, start_ordinal)
    return EffectMeasurement(
        focus_area=focus_area,
        categories=sorted(
            Category.objects.filter(id__in=ids, parent__isnull=True).values_list("name", flat=True)
        )
        or sorted(Category.objects.filter(id__in=ids).values_list("name", flat=True)),
        start=start,
        months=months,
        result=result,
        buurten_without_residents=without,
    )


def _empty() -> tuple[Any, Any, Any]:
    return np.zeros((0, 0)), np.zeros((0, 0)), np.zeros(0, dtype=bool)


# --- public neighbourhood actions (wijkacties) ----------------------------------------------


def action_list(*, viewer: Viewer) -> QuerySet[PublicAction]:
    """The viewer's municipality's actions, published and not (staff overview)."""
    return (
        PublicAction.objects.filter(municipality_id=viewer.municipality_id)
        .select_related("focus_area")
        .prefetch_related("neighbourhoods")
        .order_by("published", "-start_date", "-id")
    )


def action_buurt_choices(*, viewer: Viewer) -> QuerySet[Neighbourhood]:
    """The buurten an action of the viewer's municipality can be about."""
    return (
        Neighbourhood.objects.filter(
            municipality_id=viewer.municipality_id, kind=NeighbourhoodKind.BUURT
        )
        .select_related("parent")
        .order_by("name", "code")
    )

"""Viewer-scoped reads for plans of action and case meetings.

A plan is part of its case: the caller has the `CaseAccess` from `access_case`. "My actions"
go through `owner_participation_q`; meetings through `visible_meetings_q`; an agenda item's
content only for viewers who may see its case (or screening) - the rest is "besloten".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from wijkregie.cases.access import (
    CaseAccess,
    is_chair,
    may_update_action,
    owner_participation_q,
    visible_cases_q,
    visible_meetings_q,
    visible_screenings_q,
)
from wijkregie.cases.action_states import ACTIVE
from wijkregie.cases.models import (
    Action,
    ActionNote,
    AgendaItem,
    AgendaReason,
    Case,
    Goal,
    Meeting,
    MeetingAttendee,
    MeetingDecision,
    PlanChange,
    Screening,
)
from wijkregie.signals.models import LifeDomain
from wijkregie.tenants.access import Viewer

ACTIVE_VALUES = [s.value for s in ACTIVE]


# --- cheap monitoring predicates (indexes action_overdue / action_stalled) ----------------


def overdue_actions_q(today: dt.date | None = None) -> Q:
    """Actions still open or in progress after their due date."""
    return Q(status__in=ACTIVE_VALUES, due_date__lt=today or timezone.localdate())


def stalled_actions_q(days: int, now: dt.datetime | None = None) -> Q:
    """Actions still open or in progress without any change or note for `days` days."""
    before = (now or timezone.now()) - dt.timedelta(days=days)
    return Q(status__in=ACTIVE_VALUES, updated_at__lt=before)


# --- plan -------------------------------------------------------------------------------


@dataclass
class ActionRow:
    action: Action
    may_update: bool
    overdue: bool


@dataclass
class PlanPage:
    access: CaseAccess
    goals: list[Goal]
    actions: list[ActionRow]
    history: list[PlanChange]
    life_domains: list[LifeDomain] = field(default_factory=list)

    @property
    def version(self) -> int:
        return self.history[-1].version if self.history else 0


def _actions(case: Case) -> QuerySet[Action]:
    return (
        Action.objects.filter(case=case)
        .select_related("case", "owner_organisation", "owner_user", "goal__life_domain")
        .prefetch_related(
            Prefetch("notes", queryset=ActionNote.objects.select_related("organisation"))
        )
        .order_by("due_date", "id")
    )


def plan_page(*, viewer: Viewer, access: CaseAccess) -> PlanPage:
    case = access.case
    today = timezone.localdate()
    goals = list(
        Goal.objects.filter(case=case)
        .select_related("life_domain")
        .order_by("life_domain__order", "created_at", "id")
    )
    rows = [
        ActionRow(
            action=a,
            may_update=may_update_action(viewer, access, a.owner_organisation_id),
            overdue=a.is_overdue(today),
        )
        for a in _actions(case)
    ]
    return PlanPage(
        access=access,
        goals=goals,
        actions=rows,
        history=list(PlanChange.objects.filter(case=case).order_by("version")),
        life_domains=list(LifeDomain.objects.filter(municipality_id=case.municipality_id)),
    )


def goal_in_case(*, case: Case, goal_uuid: object) -> Goal | None:
    from wijkregie.cases.access import parse_uuid

    parsed = parse_uuid(goal_uuid)
    if parsed is None:
        return None
    return Goal.objects.filter(case=case, uuid=parsed).select_related("life_domain").first()


def life_domain_by_code(*, case: Case, code: str) -> LifeDomain | None:
    return LifeDomain.objects.filter(municipality_id=case.municipality_id, code=code).first()


def my_actions(*, viewer: Viewer, active_only: bool = True) -> list[Action]:
    """The viewer's own actions (their owner organisation's, in cases they take part in for
    it), open cases only; overdue first, then by due date."""
    qs = (
        Action.objects.filter(owner_participation_q(viewer))
        .exclude(case__phase="afgesloten")
        .select_related("case", "owner_organisation", "owner_user", "goal__life_domain")
        .prefetch_related(
            Prefetch("notes", queryset=ActionNote.objects.select_related("organisation"))
        )
    )
    if active_only:
        qs = qs.filter(status__in=ACTIVE_VALUES)
    return list(qs.order_by("due_date", "id")[:500])


# --- meetings ---------------------------------------------------------------------------


def visible_meetings(*, viewer: Viewer) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(visible_meetings_q(viewer))
        .select_related("chair", "chair_organisation")
        .order_by("-date", "-id")
    )


@dataclass
class AgendaEntry:
    item: AgendaItem
    visible: bool
    case: Case | None
    screening: Screening | None
    reasons: list[Any]
    decisions: list[MeetingDecision]


@dataclass
class MeetingPage:
    meeting: Meeting
    attendees: list[MeetingAttendee]
    entries: list[AgendaEntry]
    is_chair: bool

    @property
    def shown_case_uuids(self) -> list[str]:
        return [str(e.case.uuid) for e in self.entries if e.visible and e.case is not None]


def meeting_page(*, viewer: Viewer, meeting: Meeting) -> MeetingPage:
    """The meeting with its agenda; items of cases (screenings) the viewer may not see are
    'besloten': their number only, no reference, title, reasons or decisions."""
    items = list(
        AgendaItem.objects.filter(meeting=meeting)
        .select_related("case__case_type", "screening__case_type", "screening__subject")
        .prefetch_related(
            Prefetch(
                "decisions",
                queryset=MeetingDecision.objects.select_related("decided_by_organisation"),
            )
        )
        .order_by("position", "id")
    )
    case_ids = [i.case_id for i in items if i.case_id]
    screening_ids = [i.screening_id for i in items if i.screening_id]
    seen_cases = set(
        Case.objects.filter(visible_cases_q(viewer), pk__in=case_ids).values_list("pk", flat=True)
    )
    seen_screenings = set(
        Screening.objects.filter(visible_screenings_q(viewer), pk__in=screening_ids).values_list(
            "pk", flat=True
        )
    )
    labels = dict(AgendaReason.choices)
    entries = []
    for item in items:
        visible = (
            (item.case_id in seen_cases) if item.case_id else (item.screening_id in seen_screenings)
        )
        entries.append(
            AgendaEntry(
                item=item,
                visible=visible,
                case=item.case if visible else None,
                screening=item.screening if visible else None,
                reasons=[labels.get(r, r) for r in item.reasons] if visible else [],
                decisions=list(item.decisions.all()) if visible else [],
            )
        )
    return MeetingPage(
        meeting=meeting,
        attendees=list(
            MeetingAttendee.objects.filter(meeting=meeting)
            .select_related("user", "organisation")
            .order_by("organisation__name", "user__username")
        ),
        entries=entries,
        is_chair=is_chair(viewer, meeting),
    )


def agenda_item_in_meeting(*, meeting: Meeting, item_id: object) -> AgendaItem | None:
    try:
        pk = int(str(item_id))
    except ValueError:
        return None
    return AgendaItem.objects.filter(meeting=meeting, pk=pk).select_related("case").first()

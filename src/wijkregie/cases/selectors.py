"""Viewer-scoped reads for case management. Every case read goes through `visible_cases_q`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from wijkregie.cases.access import (
    CASE_READER_ROLES,
    CaseAccess,
    may_decide,
    visible_cases_q,
    visible_screenings_q,
)
from wijkregie.cases.models import (
    BreakGlass,
    Case,
    CaseSubject,
    CaseType,
    Participant,
    PhaseChange,
    Screening,
)
from wijkregie.cases.states import PHASE_LABELS, Phase
from wijkregie.privacy.models import AccessAction
from wijkregie.privacy.services import log_access
from wijkregie.signals.access import visible_signals_q
from wijkregie.signals.models import Signal
from wijkregie.tenants.access import Viewer
from wijkregie.tenants.models import Membership, Role


def case_types(*, viewer: Viewer, active_only: bool = True) -> QuerySet[CaseType]:
    qs = CaseType.objects.filter(municipality_id=viewer.municipality_id)
    return qs.filter(active=True) if active_only else qs


def case_type_by_code(*, viewer: Viewer, code: str) -> CaseType | None:
    return case_types(viewer=viewer).filter(code=code).first()


@dataclass(frozen=True)
class CaseFilters:
    phase: str = ""
    case_type: str = ""  # code
    q: str = ""  # reference or working title


def visible_cases(*, viewer: Viewer, filters: CaseFilters | None = None) -> QuerySet[Case]:
    """The cases the viewer participates in, filtered; the base of list, search, counts, CSV."""
    f = filters or CaseFilters()
    qs = Case.objects.filter(visible_cases_q(viewer)).select_related("case_type")
    if f.phase:
        qs = qs.filter(phase=f.phase)
    if f.case_type:
        qs = qs.filter(case_type__code=f.case_type)
    if f.q:
        qs = qs.filter(Q(reference__iexact=f.q.strip()) | Q(title__icontains=f.q.strip()))
    return qs.order_by("-created_at", "-id")


def phase_counts(
    *, viewer: Viewer, filters: CaseFilters | None = None
) -> list[tuple[str, Any, int]]:
    """(phase, label, count) of the viewer's visible cases, every phase (zero included)."""
    f = filters or CaseFilters()
    base = visible_cases(viewer=viewer, filters=CaseFilters(case_type=f.case_type, q=f.q))
    found = dict(base.order_by().values_list("phase").annotate(n=Count("id")))
    return [(p.value, PHASE_LABELS[p], int(found.get(p.value, 0))) for p in Phase]


def log_export(*, viewer: Viewer, rows: int) -> None:
    log_access(
        viewer=viewer,
        action=AccessAction.EXPORT,
        object_type="case",
        object_id="list",
        granted=True,
        purpose="casusregie",
        detail=f"{rows} rows",
    )


@dataclass
class CasePage:
    access: CaseAccess
    subjects: list[Any]
    signals: list[Signal]
    participants: list[Participant]
    former_participants: list[Participant]
    history: list[PhaseChange]
    screening: Screening | None

    @property
    def case(self) -> Case:
        return self.access.case


def case_page(*, viewer: Viewer, access: CaseAccess) -> CasePage:
    case = access.case
    subjects = [
        cs.subject
        for cs in CaseSubject.objects.filter(case=case)
        .select_related("subject")
        .order_by("added_at", "id")
    ]
    signals = list(
        Signal.objects.filter(visible_signals_q(viewer), pk__in=case.signals.values("signal_id"))
        .select_related("category", "life_domain", "owner_organisation")
        .order_by("-observed_at", "-id")
    )
    people = list(
        Participant.objects.filter(case=case)
        .select_related("organisation", "user")
        .order_by("added_at", "id")
    )
    history = list(PhaseChange.objects.filter(case=case).order_by("at", "id"))
    screening = (
        Screening.objects.filter(pk=case.screening_id).select_related("case_type").first()
        if case.screening_id
        else None
    )
    return CasePage(
        access=access,
        subjects=subjects,
        signals=signals,
        participants=[p for p in people if p.removed_at is None],
        former_participants=[p for p in people if p.removed_at is not None],
        history=history,
        screening=screening,
    )


def open_screenings(*, viewer: Viewer) -> QuerySet[Screening]:
    return (
        Screening.objects.filter(visible_screenings_q(viewer), decision="")
        .select_related("case_type", "subject", "nominating_organisation")
        .order_by("nominated_at", "id")
    )


def decided_without_case(*, viewer: Viewer) -> QuerySet[Screening]:
    """Screenings decided 'casus' whose case is not started yet (the regisseur's to do)."""
    if not may_decide(viewer):
        return Screening.objects.none()
    return (
        Screening.objects.filter(visible_screenings_q(viewer), decision="casus", case=None)
        .select_related("case_type", "subject")
        .order_by("decided_at", "id")
    )


def candidate_memberships(*, viewer: Viewer) -> list[Membership]:
    """Staff of the municipality who could take part (a reading role in an organisation)."""
    return list(
        Membership.objects.filter(
            municipality_id=viewer.municipality_id,
            role__in=sorted(CASE_READER_ROLES),
            user__is_active=True,
            user__service_for=None,
        )
        .select_related("user", "organisation")
        .order_by("organisation__name", "user__username", "role")
    )


def participant_in_case(*, case: Case, participant_id: object) -> Participant | None:
    try:
        pk = int(str(participant_id))
    except ValueError:
        return None
    return Participant.objects.filter(case=case, pk=pk).select_related("user").first()


def break_glass_log(*, viewer: Viewer) -> QuerySet[BreakGlass]:
    """Every break-the-glass grant of the municipality: for the privacy officer only."""
    if not viewer.has_role(Role.PRIVACY_OFFICER):
        return BreakGlass.objects.none()
    return (
        BreakGlass.objects.filter(municipality_id=viewer.municipality_id)
        .select_related("case", "organisation")
        .order_by("-at", "-id")
    )

"""Writes for case meetings (casusoverleg): meeting, attendees, generated agenda, decisions
(the minutes: who decided what, optionally new actions in the plan) and their approval.

Only the chair (a regisseur) writes. The agenda holds only what the chair may see. Minutes are
append-only; once approved they are final and only addenda are appended.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wijkregie.cases import plan_services
from wijkregie.cases.access import (
    CASE_READER_ROLES,
    CaseAccess,
    is_chair,
    may_chair,
    participation,
    visible_cases_q,
    visible_screenings_q,
)
from wijkregie.cases.action_states import ACTIVE
from wijkregie.cases.models import (
    Action,
    AgendaItem,
    AgendaReason,
    Case,
    Meeting,
    MeetingAttendee,
    MeetingDecision,
    ParticipantRole,
    Screening,
)
from wijkregie.cases.services import (
    TEXT_MAX,
    Errors,
    _check_text,
    _error,
    _raise,
    _regisseur_organisation,
)
from wijkregie.privacy.services import audit
from wijkregie.tenants.access import Viewer
from wijkregie.tenants.models import Membership, Organisation, User

TITLE_MAX = 100


def _not_chair(errors: Errors) -> None:
    _error(errors, "meeting", _("Alleen de voorzitter legt dit vast."), "forbidden")


def _approved(errors: Errors) -> None:
    _error(
        errors,
        "meeting",
        _("De besluitenlijst is vastgesteld; alleen aanvullingen zijn nog mogelijk."),
        "approved",
    )


def check_meeting(*, viewer: Viewer, title: str, date: dt.date | None) -> Errors:
    errors: Errors = {}
    if not may_chair(viewer) or _regisseur_organisation(viewer) is None:
        _error(errors, "meeting", _("Alleen een regisseur belegt een casusoverleg."), "forbidden")
        return errors
    _check_text(
        errors,
        "title",
        title,
        minimum=3,
        maximum=TITLE_MAX,
        required=_("Geef het overleg een naam van ten minste 3 tekens."),
    )
    if date is None:
        _error(errors, "date", _("Kies een datum."), "required")
    elif abs((date - timezone.localdate()).days) > 366:
        _error(errors, "date", _("Kies een datum binnen een jaar van vandaag."), "out_of_range")
    return errors


@transaction.atomic
def meeting_create(*, viewer: Viewer, title: str, date: dt.date | None) -> Meeting:
    """A case meeting chaired by the viewer (a regisseur), for their regisseur organisation."""
    _raise(check_meeting(viewer=viewer, title=title, date=date))
    organisation = _regisseur_organisation(viewer)
    assert organisation is not None and date is not None
    meeting = Meeting.objects.create(
        municipality_id=viewer.municipality_id,
        title=title.strip(),
        date=date,
        chair=viewer.user,
        chair_organisation=organisation,
        created_by=viewer.user,
    )
    audit(
        actor=viewer.user,
        municipality_id=viewer.municipality_id,
        action="create",
        obj=meeting,
        changes={"date": date.isoformat()},
    )
    return meeting


@transaction.atomic
def attendee_add(
    *, viewer: Viewer, meeting: Meeting, user: User | None, organisation: Organisation | None
) -> MeetingAttendee:
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    errors: Errors = {}
    if not is_chair(viewer, locked):
        _not_chair(errors)
        _raise(errors)
    if locked.is_approved:
        _approved(errors)
    eligible = (
        user is not None
        and organisation is not None
        and Membership.objects.filter(
            municipality_id=locked.municipality_id,
            user=user,
            organisation=organisation,
            role__in=sorted(CASE_READER_ROLES),
        ).exists()
    )
    if not eligible:
        _error(
            errors,
            "user",
            _("Kies een medewerker met een rol bij die organisatie in deze gemeente."),
            "invalid",
        )
    elif MeetingAttendee.objects.filter(
        meeting=locked, user=user, organisation=organisation
    ).exists():
        _error(errors, "user", _("Deze medewerker staat al op de presentielijst."), "exists")
    _raise(errors)
    assert user is not None and organisation is not None
    row = MeetingAttendee.objects.create(
        meeting=locked, user=user, organisation=organisation, added_by=viewer.user
    )
    audit(
        actor=viewer.user,
        municipality_id=viewer.municipality_id,
        action="attendee_add",
        obj=locked,
        changes={"user": user.username, "organisation": organisation.slug},
    )
    return row


def agenda_candidates(
    *, viewer: Viewer, date: dt.date
) -> tuple[dict[int, list[str]], list[Screening]]:
    """What the agenda of a meeting on `date` holds for this chair: (case id -> reasons) for
    open cases they take part in whose phase is due on or before the date or that have an
    action still open past its due date before the date; and screenings awaiting a decision."""
    overdue = Action.objects.filter(
        case_id=OuterRef("pk"), status__in=[s.value for s in ACTIVE], due_date__lt=date
    )
    rows = (
        Case.objects.filter(visible_cases_q(viewer))
        .exclude(phase="afgesloten")
        .annotate(has_overdue=Exists(overdue))
        .filter(Q(phase_due__lte=date) | Q(has_overdue=True))
        .order_by("phase_due", "reference")
        .values_list("pk", "phase_due", "has_overdue")
    )
    cases: dict[int, list[str]] = {}
    for pk, due, has_overdue in rows:
        reasons = []
        if due is not None and due <= date:
            reasons.append(AgendaReason.PHASE_DUE.value)
        if has_overdue:
            reasons.append(AgendaReason.ACTIONS_OVERDUE.value)
        cases[pk] = reasons
    screenings = list(
        Screening.objects.filter(visible_screenings_q(viewer), decision="").order_by(
            "nominated_at", "id"
        )
    )
    return cases, screenings


@transaction.atomic
def agenda_generate(*, viewer: Viewer, meeting: Meeting) -> list[AgendaItem]:
    """Add what is due to the agenda (items already on it stay, their reasons are refreshed)."""
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    errors: Errors = {}
    if not is_chair(viewer, locked):
        _not_chair(errors)
    elif locked.is_approved:
        _approved(errors)
    _raise(errors)
    cases, screenings = agenda_candidates(viewer=viewer, date=locked.date)
    existing = {i.case_id: i for i in AgendaItem.objects.filter(meeting=locked, case__isnull=False)}
    on_agenda = set(
        AgendaItem.objects.filter(meeting=locked, screening__isnull=False).values_list(
            "screening_id", flat=True
        )
    )
    position = (
        AgendaItem.objects.filter(meeting=locked)
        .order_by("-position")
        .values_list("position", flat=True)
        .first()
        or 0
    )
    added = 0
    for case_id, reasons in cases.items():
        if case_id in existing:
            item = existing[case_id]
            if item.reasons != reasons:
                item.reasons = reasons
                item.save(update_fields=["reasons"])
            continue
        position += 1
        added += 1
        AgendaItem.objects.create(
            meeting=locked, position=position, case_id=case_id, reasons=reasons
        )
    for screening in screenings:
        if screening.pk in on_agenda:
            continue
        position += 1
        added += 1
        AgendaItem.objects.create(
            meeting=locked,
            position=position,
            screening=screening,
            reasons=[AgendaReason.SCREENING.value],
        )
    locked.agenda_generated_at = timezone.now()
    locked.save(update_fields=["agenda_generated_at"])
    audit(
        actor=viewer.user,
        municipality_id=viewer.municipality_id,
        action="agenda_generate",
        obj=locked,
        changes={"added": added},
    )
    return list(AgendaItem.objects.filter(meeting=locked).order_by("position", "id"))


def decider_choices(meeting: Meeting) -> list[tuple[str, str]]:
    """(value, label) of who can be recorded as deciding: the chair and the attendees."""
    rows = [(meeting.chair, meeting.chair_organisation)]
    rows += [
        (a.user, a.organisation)
        for a in MeetingAttendee.objects.filter(meeting=meeting).select_related(
            "user", "organisation"
        )
    ]
    seen: set[str] = set()
    result = []
    for user, org in rows:
        value = f"{user.pk}:{org.pk}"
        if value not in seen:
            seen.add(value)
            result.append((value, f"{user} — {org.name}"))
    return result


@dataclass(frozen=True)
class NewAction:
    description: str
    owner_organisation: Organisation | None
    owner_user: User | None
    due_date: dt.date | None


def _decider(meeting: Meeting, value: str) -> tuple[User, Organisation] | None:
    if value not in {v for v, _label in decider_choices(meeting)}:
        return None
    user_id, org_id = (int(x) for x in value.split(":"))
    return User.objects.get(pk=user_id), Organisation.objects.get(pk=org_id)


def check_decision(
    *,
    viewer: Viewer,
    meeting: Meeting,
    item: AgendaItem,
    text: str,
    decided_by: str,
    new_action: NewAction | None = None,
    addendum: bool = False,
) -> Errors:
    errors: Errors = {}
    if not is_chair(viewer, meeting):
        _not_chair(errors)
        return errors
    if item.meeting_id != meeting.pk:
        _error(errors, "item", _("Dit agendapunt hoort niet bij dit overleg."), "invalid")
        return errors
    if meeting.is_approved and not addendum:
        _approved(errors)
        return errors
    if addendum and not meeting.is_approved:
        _error(
            errors,
            "meeting",
            _("Een aanvulling kan pas na het vaststellen van de besluitenlijst."),
            "not_approved",
        )
        return errors
    _check_text(
        errors,
        "text",
        text,
        minimum=3,
        maximum=TEXT_MAX,
        required=_("Beschrijf het besluit in ten minste 3 tekens."),
    )
    if _decider(meeting, decided_by) is None:
        _error(errors, "decided_by", _("Kies wie het besluit nam."), "required")
    if new_action is not None:
        if item.case_id is None:
            _error(
                errors,
                "action",
                _("Alleen bij een casus kan een actie worden toegevoegd."),
                "no_case",
            )
            return errors
        case = Case.objects.select_related("case_type").get(pk=item.case_id)
        access = CaseAccess(case=case, participant=participation(viewer, case), break_glass=None)
        p = access.participant
        if p is None or p.role not in (ParticipantRole.REGISSEUR, ParticipantRole.PARTICIPANT):
            _error(
                errors,
                "action",
                _("Alleen een voorzitter die aan de casus deelneemt voegt acties toe."),
                "forbidden",
            )
            return errors
        if case.is_closed:
            _error(errors, "action", _("Deze casus is afgesloten en alleen-lezen."), "closed")
            return errors
        found = plan_services.check_action(
            access=access,
            description=new_action.description,
            owner_organisation=new_action.owner_organisation,
            owner_user=new_action.owner_user,
            due_date=new_action.due_date,
            goal=None,
            manager_checked=True,
        )
        for name, error in found.items():
            errors.setdefault(f"action_{name}", error)
    return errors


@transaction.atomic
def decision_record(
    *,
    viewer: Viewer,
    meeting: Meeting,
    item: AgendaItem,
    text: str,
    decided_by: str,
    new_action: NewAction | None = None,
    addendum: bool = False,
) -> MeetingDecision:
    """Record who decided what on an agenda item; with `new_action`, add it to the case's plan."""
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _raise(
        check_decision(
            viewer=viewer,
            meeting=locked,
            item=item,
            text=text,
            decided_by=decided_by,
            new_action=new_action,
            addendum=addendum,
        )
    )
    found = _decider(locked, decided_by)
    assert found is not None
    user, organisation = found
    decision = MeetingDecision.objects.create(
        meeting=locked,
        item=item,
        municipality_id=locked.municipality_id,
        text=text.strip(),
        decided_by=user,
        decided_by_name=str(user),
        decided_by_organisation=organisation,
        recorded_by=viewer.user,
        recorded_by_name=str(viewer.user),
        is_addendum=addendum,
    )
    changes: dict[str, Any] = {
        "item": item.position,
        "decided_by": user.username,
        "addendum": addendum,
    }
    if new_action is not None and item.case_id is not None:
        case = Case.objects.select_related("case_type").get(pk=item.case_id)
        access = CaseAccess(case=case, participant=participation(viewer, case), break_glass=None)
        action = plan_services.action_add(
            viewer=viewer,
            access=access,
            description=new_action.description,
            owner_organisation=new_action.owner_organisation,
            owner_user=new_action.owner_user,
            due_date=new_action.due_date,
            origin_decision=decision,
        )
        changes["action"] = str(action.uuid)
    audit(
        actor=viewer.user,
        municipality_id=viewer.municipality_id,
        action="decision",
        obj=locked,
        changes=changes,
    )
    return decision


@transaction.atomic
def minutes_approve(*, viewer: Viewer, meeting: Meeting) -> Meeting:
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    errors: Errors = {}
    if not is_chair(viewer, locked):
        _not_chair(errors)
    elif locked.is_approved:
        _error(errors, "meeting", _("De besluitenlijst is al vastgesteld."), "approved")
    _raise(errors)
    locked.minutes_approved_at = timezone.now()
    locked.minutes_approved_by = viewer.user
    locked.save(update_fields=["minutes_approved_at", "minutes_approved_by"])
    audit(
        actor=viewer.user,
        municipality_id=viewer.municipality_id,
        action="minutes_approve",
        obj=locked,
        changes={"decisions": MeetingDecision.objects.filter(meeting=locked).count()},
    )
    return locked

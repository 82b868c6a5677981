"""Writes for the plan of action: goals per life domain, actions, progress notes.

The casusregisseur manages the plan; the participants of an action's owner organisation
(observers too) move its status and add progress notes. A closed case is read-only. Every
change is a `PlanChange` row (the plan's version history) and an AuditEvent; notes are
append-only `ActionNote` rows. Keyword-only, atomic, every error at once with stable codes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wijkregie.cases.access import CaseAccess, may_update_action, participation
from wijkregie.cases.action_states import GoalStatus, action_rule
from wijkregie.cases.models import (
    Action,
    ActionNote,
    Case,
    Goal,
    MeetingDecision,
    Participant,
    PlanChange,
)
from wijkregie.cases.services import (
    TEXT_MAX,
    Errors,
    _check_text,
    _closed_error,
    _error,
    _raise,
)
from wijkregie.privacy.services import audit
from wijkregie.signals.models import LifeDomain
from wijkregie.tenants.access import Viewer
from wijkregie.tenants.models import Organisation, User

DESCRIPTION_MAX = 500
NOTE_MAX = TEXT_MAX


def _fresh_access(viewer: Viewer, case_pk: int) -> CaseAccess:
    """The case locked for this transaction, with the viewer's participation read again."""
    case = Case.objects.select_for_update().select_related("case_type").get(pk=case_pk)
    return CaseAccess(case=case, participant=participation(viewer, case), break_glass=None)


def _record(viewer: Viewer, case: Case, kind: str, obj: Any, changes: dict[str, Any]) -> None:
    """One version of the plan (the case row is locked by the caller) and one audit event."""
    last = PlanChange.objects.filter(case=case).aggregate(v=Max("version"))["v"] or 0
    PlanChange.objects.create(
        case=case,
        municipality_id=case.municipality_id,
        version=last + 1,
        user=viewer.user,
        username=viewer.user.username,
        kind=kind,
        object_uuid=obj.uuid,
        changes=changes,
    )
    audit(
        actor=viewer.user,
        municipality_id=viewer.municipality_id,
        action=kind,
        obj=obj,
        changes={"case": str(case.uuid), "version": last + 1, **changes},
    )


def _check_manager(errors: Errors, access: CaseAccess) -> bool:
    if not access.is_casusregisseur:
        _error(
            errors, "case", _("Alleen de casusregisseur beheert het plan van aanpak."), "forbidden"
        )
        return False
    if access.case.is_closed:
        _closed_error(errors)
        return False
    return True


# --- goals --------------------------------------------------------------------------------


def check_goal(
    *,
    access: CaseAccess,
    life_domain: LifeDomain | None,
    description: str,
    status: str = GoalStatus.OPEN,
) -> Errors:
    errors: Errors = {}
    if not _check_manager(errors, access):
        return errors
    if life_domain is None or life_domain.municipality_id != access.case.municipality_id:
        _error(errors, "life_domain", _("Kies een leefgebied."), "required")
    _check_text(
        errors,
        "description",
        description,
        minimum=3,
        maximum=DESCRIPTION_MAX,
        required=_("Beschrijf het doel in ten minste 3 tekens."),
    )
    if status not in {s.value for s in GoalStatus}:
        _error(errors, "status", _("Kies een status."), "invalid_choice")
    return errors


@transaction.atomic
def goal_add(
    *, viewer: Viewer, access: CaseAccess, life_domain: LifeDomain | None, description: str
) -> Goal:
    fresh = _fresh_access(viewer, access.case.pk)
    _raise(check_goal(access=fresh, life_domain=life_domain, description=description))
    assert life_domain is not None
    goal = Goal.objects.create(
        case=fresh.case,
        municipality_id=fresh.case.municipality_id,
        life_domain=life_domain,
        description=description.strip(),
        created_by=viewer.user,
    )
    _record(viewer, fresh.case, "goal_add", goal, {"life_domain": life_domain.code})
    return goal


@transaction.atomic
def goal_update(
    *,
    viewer: Viewer,
    access: CaseAccess,
    goal: Goal,
    status: str,
    description: str | None = None,
) -> Goal:
    fresh = _fresh_access(viewer, access.case.pk)
    locked = Goal.objects.select_for_update().select_related("life_domain").get(pk=goal.pk)
    if locked.case_id != fresh.case.pk:
        raise Goal.DoesNotExist
    text = locked.description if description is None else description
    _raise(
        check_goal(access=fresh, life_domain=locked.life_domain, description=text, status=status)
    )
    changes: dict[str, Any] = {}
    if status != locked.status:
        changes["status"] = [locked.status, status]
    if text.strip() != locked.description:
        changes["description"] = True
    if not changes:
        return locked
    locked.status = status
    locked.description = text.strip()
    locked.updated_at = timezone.now()
    locked.save()
    _record(viewer, fresh.case, "goal_update", locked, changes)
    return locked


# --- actions ------------------------------------------------------------------------------


def participant_organisations(case: Case) -> list[Organisation]:
    """The organisations with an active participant in the case (possible action owners)."""
    ids = Participant.objects.filter(case=case, removed_at=None).values("organisation_id")
    return list(Organisation.objects.filter(pk__in=ids).order_by("name"))


def participant_users(case: Case, organisation: Organisation) -> list[User]:
    ids = Participant.objects.filter(case=case, organisation=organisation, removed_at=None).values(
        "user_id"
    )
    return list(User.objects.filter(pk__in=ids).order_by("username"))


def check_action(
    *,
    access: CaseAccess,
    description: str,
    owner_organisation: Organisation | None,
    owner_user: User | None,
    due_date: dt.date | None,
    goal: Goal | None,
    due_unchanged: bool = False,
    manager_checked: bool = False,
) -> Errors:
    """Every rule for an action's fields (for adding, editing, and a meeting decision)."""
    errors: Errors = {}
    if not manager_checked and not _check_manager(errors, access):
        return errors
    case = access.case
    _check_text(
        errors,
        "description",
        description,
        minimum=3,
        maximum=DESCRIPTION_MAX,
        required=_("Beschrijf de actie in ten minste 3 tekens."),
    )
    if owner_organisation is None or owner_organisation not in participant_organisations(case):
        _error(
            errors,
            "owner_organisation",
            _("Kies als eigenaar een organisatie die aan de casus deelneemt."),
            "not_participant",
        )
    elif owner_user is not None and owner_user not in participant_users(case, owner_organisation):
        _error(
            errors,
            "owner_user",
            _("De uitvoerder moet namens de eigenaar aan de casus deelnemen."),
            "not_participant",
        )
    if due_date is None:
        _error(errors, "due_date", _("Kies een streefdatum."), "required")
    elif not due_unchanged and due_date < timezone.localdate():
        _error(errors, "due_date", _("De streefdatum ligt in het verleden."), "past")
    if goal is not None and goal.case_id != case.pk:
        _error(errors, "goal", _("Kies een doel van deze casus."), "invalid")
    return errors


@transaction.atomic
def action_add(
    *,
    viewer: Viewer,
    access: CaseAccess,
    description: str,
    owner_organisation: Organisation | None,
    owner_user: User | None = None,
    due_date: dt.date | None,
    goal: Goal | None = None,
    origin_decision: MeetingDecision | None = None,
) -> Action:
    """Add an action to the plan: the casusregisseur, or (with `origin_decision`) the chair of a
    case meeting who takes part in the case - the check is the meeting service's then."""
    fresh = _fresh_access(viewer, access.case.pk)
    errors: Errors = {}
    if origin_decision is None:
        _check_manager(errors, fresh)
    elif fresh.case.is_closed:
        _closed_error(errors)
    if not errors:
        errors = check_action(
            access=fresh,
            description=description,
            owner_organisation=owner_organisation,
            owner_user=owner_user,
            due_date=due_date,
            goal=goal,
            manager_checked=True,
        )
    _raise(errors)
    assert owner_organisation is not None and due_date is not None
    action = Action.objects.create(
        case=fresh.case,
        municipality_id=fresh.case.municipality_id,
        goal=goal,
        description=description.strip(),
        owner_organisation=owner_organisation,
        owner_user=owner_user,
        due_date=due_date,
        origin_decision=origin_decision,
        created_by=viewer.user,
    )
    _record(
        viewer,
        fresh.case,
        "action_add",
        action,
        {
            "owner": owner_organisation.slug,
            "due_date": due_date.isoformat(),
            **({"decision": origin_decision.pk} if origin_decision else {}),
        },
    )
    return action


@transaction.atomic
def action_update(
    *,
    viewer: Viewer,
    access: CaseAccess,
    action: Action,
    description: str,
    owner_organisation: Organisation | None,
    owner_user: User | None,
    due_date: dt.date | None,
    goal: Goal | None,
) -> Action:
    """The casusregisseur edits an action (text, owner, person, due date, goal)."""
    fresh = _fresh_access(viewer, access.case.pk)
    locked = Action.objects.select_for_update().get(pk=action.pk)
    if locked.case_id != fresh.case.pk:
        raise Action.DoesNotExist
    _raise(
        check_action(
            access=fresh,
            description=description,
            owner_organisation=owner_organisation,
            owner_user=owner_user,
            due_date=due_date,
            goal=goal,
            due_unchanged=due_date == locked.due_date,
        )
    )
    assert owner_organisation is not None and due_date is not None
    changes: dict[str, Any] = {}
    if description.strip() != locked.description:
        changes["description"] = True
    if owner_organisation.pk != locked.owner_organisation_id:
        changes["owner"] = owner_organisation.slug
    if (owner_user.pk if owner_user else None) != locked.owner_user_id:
        changes["owner_user"] = owner_user.username if owner_user else None
    if due_date != locked.due_date:
        changes["due_date"] = [locked.due_date.isoformat(), due_date.isoformat()]
    if (goal.pk if goal else None) != locked.goal_id:
        changes["goal"] = str(goal.uuid) if goal else None
    if not changes:
        return locked
    locked.description = description.strip()
    locked.owner_organisation = owner_organisation
    locked.owner_user = owner_user
    locked.due_date = due_date
    locked.goal = goal
    locked.updated_at = timezone.now()
    locked.save()
    _record(viewer, fresh.case, "action_update", locked, changes)
    return locked


def check_progress(
    *, viewer: Viewer, access: CaseAccess, action: Action, status: str, note: str
) -> Errors:
    errors: Errors = {}
    if access.case.is_closed:
        _closed_error(errors)
        return errors
    if not may_update_action(viewer, access, action.owner_organisation_id):
        _error(
            errors,
            "action",
            _("Alleen de eigenaar van de actie of de casusregisseur werkt haar bij."),
            "forbidden",
        )
        return errors
    target = status or action.status
    text = (note or "").strip()
    if target != action.status:
        rule = action_rule(action.status, target)
        if rule is None:
            _error(
                errors,
                "status",
                _("Deze statuswijziging is niet toegestaan."),
                "invalid_transition",
            )
            return errors
        if rule.regie_only and not access.is_casusregisseur:
            _error(
                errors,
                "status",
                _("Alleen de casusregisseur annuleert of heropent een actie."),
                "regie_only",
            )
        if rule.needs_note and len(text) < 3:
            _error(errors, "note", _("Geef een toelichting bij deze statuswijziging."), "required")
    elif not text:
        _error(
            errors,
            "note",
            _("Schrijf een voortgangsnotitie of kies een andere status."),
            "required",
        )
    if len(text) > NOTE_MAX:
        _error(
            errors,
            "note",
            _("De tekst is te lang: maximaal %(limit)d tekens.") % {"limit": NOTE_MAX},
            "max_length",
        )
    return errors


def _acting_organisation_id(viewer: Viewer, access: CaseAccess, action: Action) -> int | None:
    own = Participant.objects.filter(
        case_id=access.case.pk,
        user_id=viewer.user.pk,
        organisation_id=action.owner_organisation_id,
        removed_at=None,
    ).exists()
    if own:
        return action.owner_organisation_id
    return access.participant.organisation_id if access.participant else None


@transaction.atomic
def action_progress(
    *, viewer: Viewer, access: CaseAccess, action: Action, status: str = "", note: str = ""
) -> ActionNote:
    """A status change and/or a progress note by the owner organisation or the casusregisseur."""
    fresh = _fresh_access(viewer, access.case.pk)
    locked = Action.objects.select_for_update().get(pk=action.pk)
    if locked.case_id != fresh.case.pk:
        raise Action.DoesNotExist
    _raise(check_progress(viewer=viewer, access=fresh, action=locked, status=status, note=note))
    previous = locked.status
    target = status or previous
    now = timezone.now()
    row = ActionNote.objects.create(
        action=locked,
        municipality_id=locked.municipality_id,
        user=viewer.user,
        username=viewer.user.username,
        organisation_id=_acting_organisation_id(viewer, fresh, locked),
        at=now,
        from_status=previous if target != previous else "",
        to_status=target if target != previous else "",
        text=(note or "").strip(),
    )
    locked.status = target
    locked.updated_at = now
    locked.save(update_fields=["status", "updated_at"])
    if target != previous:
        _record(viewer, fresh.case, "action_status", locked, {"status": [previous, target]})
    else:
        audit(
            actor=viewer.user,
            municipality_id=viewer.municipality_id,
            action="action_note",
            obj=locked,
            changes={"case": str(fresh.case.uuid), "note": row.pk},
        )
    return row


__all__ = [
    "action_add",
    "action_progress",
    "action_update",
    "goal_add",
    "goal_update",
]

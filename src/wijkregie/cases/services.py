"""Writes for case management. Keyword-only, atomic, every error of a request at once
(Django ValidationError with stable codes), an AuditEvent per write."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wijkregie.cases import states
from wijkregie.cases.access import (
    CASE_READER_ROLES,
    CaseAccess,
    break_glass_expiry,
    break_glass_organisation,
    may_break_glass,
    may_decide,
    may_manage_participants,
    may_reopen,
    may_transition,
    nominating_organisations,
    participation,
)
from wijkregie.cases.defaults import DEFAULT_CASE_TYPES
from wijkregie.cases.models import (
    BreakGlass,
    Case,
    CaseSignal,
    CaseSubject,
    CaseType,
    Confidentiality,
    Decision,
    Participant,
    ParticipantRole,
    PhaseChange,
    ResultCode,
    Screening,
    ScreeningSource,
)
from wijkregie.privacy.services import audit
from wijkregie.signals.access import visible_signals_q
from wijkregie.signals.models import Signal
from wijkregie.subjects.access import cluster_ids, root_of
from wijkregie.subjects.models import SignalSubject, Subject
from wijkregie.tenants.access import Viewer
from wijkregie.tenants.models import Membership, Municipality, Organisation, User

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

Errors = dict[str, ValidationError]

REASON_MIN = 10
REASON_MAX = 500
TEXT_MAX = 2000
TITLE_MAX = 100
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _error(errors: Errors, name: str, message: StrOrPromise, code: str) -> None:
    errors.setdefault(name, ValidationError(message, code=code))


def _check_text(
    errors: Errors, name: str, text: str, *, minimum: int, maximum: int, required: StrOrPromise
) -> str:
    text = (text or "").strip()
    if len(text) < minimum:
        _error(errors, name, required, "required")
    elif len(text) > maximum:
        _error(
            errors,
            name,
            _("De tekst is te lang: maximaal %(limit)d tekens.") % {"limit": maximum},
            "max_length",
        )
    return text


def _raise(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)


# --- case types ---------------------------------------------------------------------------


@transaction.atomic
def ensure_default_case_types(*, municipality: Municipality) -> list[CaseType]:
    """The default case types for a municipality (created where missing; idempotent)."""
    result = []
    for values in DEFAULT_CASE_TYPES:
        case_type, created = CaseType.objects.get_or_create(
            municipality=municipality, code=values["code"], defaults=dict(values)
        )
        if created:
            case_type.full_clean()
            audit(actor=None, municipality_id=municipality.pk, action="create", obj=case_type)
        result.append(case_type)
    return result


# --- screening ----------------------------------------------------------------------------


def check_screening(
    *,
    viewer: Viewer,
    case_type: CaseType | None,
    organisation: Organisation | None,
    subject: Subject | None,
    signal: Signal | None,
    criteria_met: dict[str, bool],
) -> Errors:
    errors: Errors = {}
    if case_type is None or case_type.municipality_id != viewer.municipality_id:
        _error(errors, "case_type", _("Kies een casustype."), "required")
    elif not case_type.active:
        _error(errors, "case_type", _("Dit casustype is niet actief."), "inactive")
    elif organisation is None or organisation not in nominating_organisations(viewer, case_type):
        _error(
            errors,
            "organisation",
            _("Uw organisatie mag voor dit casustype niet aanmelden."),
            "not_nominating",
        )
    if subject is None and signal is None:
        _error(
            errors, "source", _("Een screening begint bij een signaal of betrokkene."), "required"
        )
    if case_type is not None and any(c not in case_type.criteria for c in criteria_met):
        _error(errors, "criteria", _("Onbekend criterium voor dit casustype."), "invalid")
    return errors


@transaction.atomic
def screening_create(
    *,
    viewer: Viewer,
    case_type: CaseType | None,
    organisation: Organisation | None,
    source: str,
    subject: Subject | None = None,
    signal: Signal | None = None,
    criteria_met: dict[str, bool] | None = None,
) -> Screening:
    """Nominate a subject or signal for a case type (the caller has checked access to both)."""
    criteria_met = dict(criteria_met or {})
    errors = check_screening(
        viewer=viewer,
        case_type=case_type,
        organisation=organisation,
        subject=subject,
        signal=signal,
        criteria_met=criteria_met,
    )
    _raise(errors)
    assert case_type is not None and organisation is not None
    if subject is not None:
        subject = root_of(subject)
    screening = Screening.objects.create(
        municipality_id=viewer.municipality_id,
        case_type=case_type,
        source=source if source in ScreeningSource.values else ScreeningSource.SUBJECT,
        subject=subject,
        signal=signal,
        nominating_organisation=organisation,
        nominated_by=viewer.user,
        criteria_met={c: bool(criteria_met.get(c)) for c in case_type.criteria},
    )
    audit(
        actor=viewer.user,
        municipality_id=viewer.municipality_id,
        action="create",
        obj=screening,
        changes={"case_type": case_type.code, "source": screening.source},
    )
    return screening


def check_decision(
    *,
    viewer: Viewer,
    screening: Screening,
    decision: str,
    reasoning: str,
    criteria_met: dict[str, bool],
) -> Errors:
    errors: Errors = {}
    if not may_decide(viewer):
        _error(
            errors, "decision", _("Alleen een regisseur beslist over een screening."), "forbidden"
        )
        return errors
    if screening.decision:
        _error(errors, "decision", _("Over deze screening is al besloten."), "decided")
        return errors
    if decision not in Decision.values:
        _error(errors, "decision", _("Kies een besluit."), "invalid_choice")
    _check_text(
        errors,
        "reasoning",
        reasoning,
        minimum=REASON_MIN,
        maximum=TEXT_MAX,
        required=_("Onderbouw het besluit in ten minste 10 tekens."),
    )
    criteria = screening.case_type.criteria
    if decision == Decision.CASE and not all(criteria_met.get(c) for c in criteria):
        _error(
            errors,
            "criteria",
            _("Een casus start alleen als aan alle criteria van het casustype is voldaan."),
            "criteria_not_met",
        )
    return errors


@transaction.atomic
def screening_decide(
    *,
    viewer: Viewer,
    screening: Screening,
    decision: str,
    reasoning: str,
    criteria_met: dict[str, bool] | None = None,
) -> Screening:
    locked = Screening.objects.select_for_update().select_related("case_type").get(pk=screening.pk)
    criteria = dict(locked.criteria_met)
    if criteria_met is not None:
        criteria = {c: bool(criteria_met.get(c)) for c in locked.case_type.criteria}
    errors = check_decision(
        viewer=viewer,
        screening=locked,
        decision=decision,
        reasoning=reasoning,
        criteria_met=criteria,
    )
    _raise(errors)
    locked.criteria_met = criteria
    locked.decision = decision
    locked.reasoning = reasoning.strip()
    locked.decided_by = viewer.user
    locked.decided_at = timezone.now()
    locked.save()
    audit(
        actor=viewer.user,
        municipality_id=viewer.municipality_id,
        action="decide",
        obj=locked,
        changes={"decision": decision, "criteria": criteria},
    )
    return locked


# --- cases --------------------------------------------------------------------------------


def _new_reference() -> str:
    return "C-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))


def _due(case_type: CaseType, phase: str) -> dt.date | None:
    days = case_type.phase_due_days.get(phase)
    return timezone.localdate() + dt.timedelta(days=int(days)) if days else None


def _regisseur_organisation(viewer: Viewer) -> Organisation | None:
    from wijkregie.tenants.models import Role

    ids = sorted(
        org for org, roles in viewer.roles_by_organisation.items() if Role.REGISSEUR in roles
    )
    return Organisation.objects.filter(pk__in=ids).order_by("pk").first()


def check_case_from_screening(
    *, viewer: Viewer, screening: Screening, title: str, confidentiality: str
) -> Errors:
    errors: Errors = {}
    if not may_decide(viewer):
        _error(errors, "screening", _("Alleen een regisseur start een casus."), "forbidden")
        return errors
    if screening.decision != Decision.CASE:
        _error(
            errors,
            "screening",
            _("Een casus start alleen na het besluit 'Casus starten'."),
            "not_decided",
        )
    elif Case.objects.filter(screening=screening).exists():
        _error(errors, "screening", _("Voor deze screening bestaat al een casus."), "exists")
    _check_text(
        errors,
        "title",
        title,
        minimum=3,
        maximum=TITLE_MAX,
        required=_("Geef een werktitel van ten minste 3 tekens."),
    )
    if confidentiality not in Confidentiality.values:
        _error(errors, "confidentiality", _("Kies een vertrouwelijkheid."), "invalid_choice")
    return errors


@transaction.atomic
def case_create_from_screening(
    *, viewer: Viewer, screening: Screening, title: str, confidentiality: str = "normaal"
) -> Case:
    """Start a case: the regisseur becomes casusregisseur, the nominator a participant."""
    locked = Screening.objects.select_for_update().select_related("case_type").get(pk=screening.pk)
    errors = check_case_from_screening(
        viewer=viewer, screening=locked, title=title, confidentiality=confidentiality
    )
    _raise(errors)
    organisation = _regisseur_organisation(viewer)
    assert organisation is not None
    case_type = locked.case_type
    first = case_type.phases[0]
    case = None
    for _attempt in range(5):
        try:
            with transaction.atomic():
                case = Case.objects.create(
                    municipality_id=viewer.municipality_id,
                    reference=_new_reference(),
                    case_type=case_type,
                    title=title.strip(),
                    phase=first,
                    phase_due=_due(case_type, first),
                    confidentiality=confidentiality,
                    screening=locked,
                    created_by=viewer.user,
                )
            break
        except IntegrityError:
            if Case.objects.filter(screening=locked).exists():
                raise
    assert case is not None
    PhaseChange.objects.create(
        case=case,
        municipality_id=case.municipality_id,
        from_phase="",
        to_phase=first,
        user=viewer.user,
        username=viewer.user.username,
        note="",
    )
    Participant.objects.create(
        case=case,
        municipality_id=case.municipality_id,
        organisation=organisation,
        user=viewer.user,
        role=ParticipantRole.REGISSEUR,
        added_by=viewer.user,
    )
    nominator = locked.nominated_by
    if nominator is not None and not (
        nominator.pk == viewer.user.pk and locked.nominating_organisation_id == organisation.pk
    ):
        Participant.objects.create(
            case=case,
            municipality_id=case.municipality_id,
            organisation_id=locked.nominating_organisation_id,
            user=nominator,
            role=ParticipantRole.PARTICIPANT,
            added_by=viewer.user,
        )
    if locked.subject_id is not None:
        assert locked.subject is not None
        CaseSubject.objects.create(
            case=case,
            municipality_id=case.municipality_id,
            subject=locked.subject,
            added_by=viewer.user,
        )
        linked = SignalSubject.objects.filter(
            subject_id__in=cluster_ids(root_of(locked.subject))
        ).values("signal_id")
        for signal_id in Signal.objects.filter(
            visible_signals_q(viewer), pk__in=linked
        ).values_list("pk", flat=True):
            CaseSignal.objects.get_or_create(
                case=case,
                signal_id=signal_id,
                defaults={"added_by": viewer.user, "municipality_id": case.municipality_id},
            )
    if locked.signal_id is not None:
        CaseSignal.objects.get_or_create(
            case=case,
            signal_id=locked.signal_id,
            defaults={"added_by": viewer.user, "municipality_id": case.municipality_id},
        )
    audit(
        actor=viewer.user,
        municipality_id=viewer.municipality_id,
        action="create",
        obj=case,
        changes={"case_type": case_type.code, "screening": str(locked.uuid), "phase": first},
    )
    return case


def _closed_error(errors: Errors) -> None:
    _error(
        errors,
        "case",
        _("Deze casus is afgesloten en alleen-lezen. Heropen haar eerst."),
        "closed",
    )


def check_transition(
    *,
    viewer: Viewer,
    access: CaseAccess,
    to_phase: str,
    note: str,
    result_code: str = "",
    result: str = "",
    with_evaluation: bool = False,
) -> Errors:
    """Every rule for a phase change, all violations at once.

    Closing goes only through `closure.case_close` (which passes `with_evaluation`): a case is
    never closed without its evaluation of the goals and hand-over.
    """
    errors: Errors = {}
    case = access.case
    if not may_transition(access):
        _error(errors, "phase", _("Alleen de casusregisseur wijzigt de fase."), "forbidden")
        return errors
    rule = states.rule_for(case.case_type.phases, case.phase, to_phase)
    if rule is None:
        _error(
            errors,
            "phase",
            _("Van '%(current)s' naar '%(target)s' is geen toegestane fasewijziging.")
            % {
                "current": states.PHASE_LABELS.get(case.phase, case.phase),
                "target": states.PHASE_LABELS.get(to_phase, to_phase),
            },
            "invalid_transition",
        )
        if case.is_closed:
            _closed_error(errors)
        return errors
    if rule.needs_result and not with_evaluation:
        _error(
            errors,
            "phase",
            _(
                "Een casus sluit u af met resultaat en evaluatie van de doelen: "
                "gebruik 'Casus afsluiten'."
            ),
            "close_with_evaluation",
        )
        return errors
    if rule.needs_reopen_right and not may_reopen(viewer, access):
        _error(
            errors,
            "phase",
            _("Alleen een casusregisseur met de rol regisseur kan een casus heropenen."),
            "reopen_forbidden",
        )
    if rule.needs_reason:
        _check_text(
            errors,
            "note",
            note,
            minimum=REASON_MIN,
            maximum=REASON_MAX,
            required=_("Geef een reden van ten minste 10 tekens."),
        )
    elif len(note) > REASON_MAX:
        _error(errors, "note", _("De toelichting is te lang: maximaal 500 tekens."), "max_length")
    if rule.needs_result:
        if result_code not in ResultCode.values:
            _error(errors, "result_code", _("Kies het resultaat van de casus."), "required")
        _check_text(
            errors,
            "result",
            result,
            minimum=REASON_MIN,
            maximum=TEXT_MAX,
            required=_("Beschrijf het resultaat in ten minste 10 tekens."),
        )
    return errors


@transaction.atomic
def case_transition(
    *,
    viewer: Viewer,
    access: CaseAccess,
    to_phase: str,
    note: str = "",
    result_code: str = "",
    result: str = "",
    with_evaluation: bool = False,
) -> Case:
    """Move a case along its phases; reopening needs the right and a reason. Closing (with a
    result) is for `closure.case_close` only, which evaluates in the same transaction."""
    locked = Case.objects.select_for_update().select_related("case_type").get(pk=access.case.pk)
    fresh = CaseAccess(case=locked, participant=participation(viewer, locked), break_glass=None)
    errors = check_transition(
        viewer=viewer,
        access=fresh,
        to_phase=to_phase,
        note=note,
        result_code=result_code,
        result=result,
        with_evaluation=with_evaluation,
    )
    _raise(errors)
    previous = locked.phase
    rule = states.rule_for(locked.case_type.phases, previous, to_phase)
    assert rule is not None
    now = timezone.now()
    locked.phase = to_phase
    locked.phase_due = None if to_phase == states.CLOSED else _due(locked.case_type, to_phase)
    if rule.needs_result:
        locked.result_code = result_code
        locked.result = result.strip()
        locked.closed_at = now
        local = timezone.localdate(now)
        years = locked.case_type.retention_years
        try:
            locked.retain_until = local.replace(year=local.year + years)
        except ValueError:  # 29 February
            locked.retain_until = local.replace(year=local.year + years, day=28)
    if rule.needs_reopen_right:
        locked.closed_at = None
        locked.retain_until = None
    locked.save()
    PhaseChange.objects.create(
        case=locked,
        municipality_id=locked.municipality_id,
        from_phase=previous,
        to_phase=to_phase,
        at=now,
        user=viewer.user,
        username=viewer.user.username,
        note=(result.strip() if rule.needs_result else note.strip()),
    )
    audit(
        actor=viewer.user,
        municipality_id=viewer.municipality_id,
        action="reopen" if rule.needs_reopen_right else "phase",
        obj=locked,
        changes={"phase": [previous, to_phase], **({"result": result_code} if result_code else {})},
    )
    access.case.phase = locked.phase
    return locked


def _eligible_membership(case: Case, user: User | None, organisation: Organisation | None) -> bool:
    if user is None or organisation is None:
        return False
    return Membership.objects.filter(
        municipality_id=case.municipality_id,
        user=user,
        organisation=organisation,
        role__in=sorted(CASE_READER_ROLES),
    ).exists()


@transaction.atomic
def participant_add(
    *,
    viewer: Viewer,
    access: CaseAccess,
    user: User | None,
    organisation: Organisation | None,
    role: str,
) -> Participant:
    case = Case.objects.select_for_update().get(pk=access.case.pk)
    errors: Errors = {}
    if not may_manage_participants(access):
        _error(errors, "case", _("Alleen de casusregisseur beheert de deelnemers."), "forbidden")
        _raise(errors)
    if case.is_closed:
        _closed_error(errors)
    if not _eligible_membership(case, user, organisation):
        _error(
            errors,
            "user",
            _("Kies een medewerker met een rol bij die organisatie in deze gemeente."),
            "invalid",
        )
    if role not in ParticipantRole.values:
        _error(errors, "role", _("Kies een rol."), "invalid_choice")
    if (
        not errors
        and Participant.objects.filter(
            case=case, user=user, organisation=organisation, removed_at=None
        ).exists()
    ):
        _error(errors, "user", _("Deze medewerker neemt al deel."), "exists")
    _raise(errors)
    assert user is not None and organisation is not None
    participant = Participant.objects.create(
        case=case,
        municipality_id=case.municipality_id,
        organisation=organisation,
        user=user,
        role=role,
        added_by=viewer.user,
    )
    audit(
        actor=viewer.user,
        municipality_id=viewer.municipality_id,
        action="participant_add",
        obj=case,
        changes={"user": user.username if user else "", "role": role},
    )
    return participant


@transaction.atomic
def participant_remove(
    *, viewer: Viewer, access: CaseAccess, participant: Participant, reason: str
) -> Participant:
    case = Case.objects.select_for_update().get(pk=access.case.pk)
    errors: Errors = {}
    if not may_manage_participants(access):
        _error(errors, "case", _("Alleen de casusregisseur beheert de deelnemers."), "forbidden")
        _raise(errors)
    if case.is_closed:
        _closed_error(errors)
    if participant.case_id != case.pk or participant.removed_at is not None:
        _error(errors, "participant", _("Deze deelnemer bestaat niet."), "unknown")
    elif (
        participant.role == ParticipantRole.REGISSEUR
        and not Participant.objects.filter(
            case=case, role=ParticipantRole.REGISSEUR, removed_at=None
        )
        .exclude(pk=participant.pk)
        .exists()
    ):
        _error(
            errors,
            "participant",
            _("Een casus houdt altijd een casusregisseur."),
            "last_regisseur",
        )
    text = _check_text(
        errors,
        "reason",
        reason,
        minimum=REASON_MIN,
        maximum=REASON_MAX,
        required=_("Geef een reden van ten minste 10 tekens."),
    )
    _raise(errors)
    participant.removed_at = timezone.now()
    participant.removed_by = viewer.user
    participant.removal_reason = text
    participant.save(update_fields=["removed_at", "removed_by", "removal_reason"])
    audit(
        actor=viewer.user,
        municipality_id=viewer.municipality_id,
        action="participant_remove",
        obj=case,
        changes={"user": participant.user.username, "reason": text},
    )
    return participant


def break_glass(*, viewer: Viewer, reference: str, reason: str) -> Case:
    """Read access for a short while to a case one does not take part in; logged and flagged.

    A reference that does not exist, is confidential or belongs to another municipality gives
    the same error, and the refusal is logged as a denied read.
    """
    from wijkregie.privacy.models import AccessAction
    from wijkregie.privacy.services import log_access

    errors: Errors = {}
    organisation = break_glass_organisation(viewer)
    if organisation is None:
        _error(
            errors,
            "reference",
            _("Alleen een regisseur van de gemeente kan een casus doorbreken."),
            "forbidden",
        )
        _raise(errors)
    text = _check_text(
        errors,
        "reason",
        reason,
        minimum=REASON_MIN,
        maximum=REASON_MAX,
        required=_("Geef een reden van ten minste 10 tekens."),
    )
    case = Case.objects.filter(
        municipality_id=viewer.municipality_id, reference=(reference or "").strip().upper()
    ).first()
    if case is None or not may_break_glass(viewer, case):
        log_access(
            viewer=viewer,
            action=AccessAction.READ,
            object_type="case",
            object_id=(reference or "")[:64],
            granted=False,
            purpose="doorbraak",
        )
        _error(
            errors,
            "reference",
            _("Deze casus bestaat niet of kan niet worden doorbroken."),
            "unknown",
        )
    _raise(errors)
    assert case is not None and organisation is not None
    # Not atomic as a whole: a refused attempt stays in the access log.
    with transaction.atomic():
        grant = BreakGlass.objects.create(
            case=case,
            municipality_id=case.municipality_id,
            user=viewer.user,
            username=viewer.user.username,
            organisation=organisation,
            reason=text,
            until=break_glass_expiry(),
        )
        audit(
            actor=viewer.user,
            municipality_id=viewer.municipality_id,
            action="break_glass",
            obj=case,
            changes={"until": grant.until.isoformat(), "reason": text},
        )
    return case


__all__: list[Any] = [
    "break_glass",
    "case_create_from_screening",
    "case_transition",
    "ensure_default_case_types",
    "participant_add",
    "participant_remove",
    "screening_create",
    "screening_decide",
]

"""Case management (casusregie): case types, screenings, cases, participants, phase history.

A case is need-to-know: only its active participants (users acting for an organisation) read
its content; a regisseur of the gemeente may break the glass with a reason, which is logged
and listed for the privacy officer. Phase history and break-the-glass rows are append-only.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wijkregie.cases import defaults
from wijkregie.cases.action_states import (
    ACTION_STATUS_LABELS,
    GOAL_STATUS_LABELS,
    ActionStatus,
    GoalStatus,
)
from wijkregie.cases.states import OPEN_PHASES, PHASE_LABELS, Phase, valid_phases
from wijkregie.privacy.models import AppendOnlyModel
from wijkregie.signals.models import LifeDomain, Signal
from wijkregie.subjects.models import Subject
from wijkregie.tenants.models import Municipality, Organisation, OrganisationKind


class CaseSubjectKind(models.TextChoices):
    PERSON = "person", _("Persoon")
    HOUSEHOLD = "household", _("Huishouden")
    GROUP = "group", _("Groep")
    LOCATION = "location", _("Locatie of hotspot")
    AREA_THEME = "area_theme", _("Gebiedsthema")


class Criterion(models.TextChoices):
    MULTI_DOMAIN = defaults.MULTI_DOMAIN, _("Meer dan één leefgebied")
    MULTI_ORGANISATION = defaults.MULTI_ORGANISATION, _("Meer dan één organisatie nodig")
    IMPACT = defaults.IMPACT, _("Impact op de omgeving")
    REGULAR_CARE_FAILED = defaults.REGULAR_CARE_FAILED, _("Reguliere hulp schiet tekort")
    HIGH_IMPACT_CRIME = defaults.HIGH_IMPACT_CRIME, _("High impact crime of ernstige overlast")


PHASE_CHOICES = [(p.value, PHASE_LABELS[p]) for p in Phase]


class CaseType(models.Model):
    """A kind of case per municipality: phases, due dates, who may nominate, retention."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    code = models.SlugField(_("code"), max_length=50)
    name = models.CharField(_("naam"), max_length=100)
    subject_kind = models.CharField(
        _("soort casus"), max_length=20, choices=CaseSubjectKind.choices
    )
    phases = models.JSONField(
        _("fasen"),
        default=list,
        help_text=_(
            "Geordende keuze uit aanmelding, analyse, plan, uitvoering, monitoring; "
            "begint altijd met aanmelding. Afgesloten komt er vanzelf bij."
        ),
    )
    phase_due_days = models.JSONField(
        _("standaard doorlooptijd per fase (dagen)"), default=dict, blank=True
    )
    nominating_kinds = models.JSONField(
        _("wie mag aanmelden (soorten organisatie)"),
        default=list,
        blank=True,
        help_text=_("Leeg: elke organisatie. Bijvoorbeeld gemeente, politie."),
    )
    criteria = models.JSONField(_("screeningscriteria"), default=list, blank=True)
    retention_years = models.PositiveSmallIntegerField(
        _("bewaartermijn na afsluiten (jaren)"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    active = models.BooleanField(_("actief"), default=True)

    class Meta:
        verbose_name = _("casustype")
        verbose_name_plural = _("casustypen")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "code"], name="casetype_code_per_tenant"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if not isinstance(self.phases, list) or not valid_phases(self.phases):
            errors["phases"] = _(
                "Kies fasen uit aanmelding, analyse, plan, uitvoering en monitoring, in die "
                "volgorde, beginnend met aanmelding."
            )
        elif not isinstance(self.phase_due_days, dict) or any(
            k not in self.phases or not isinstance(v, int) or not 1 <= v <= 3650
            for k, v in self.phase_due_days.items()
        ):
            errors["phase_due_days"] = _(
                "Geef per fase van dit type een aantal dagen tussen 1 en 3650."
            )
        kinds = set(OrganisationKind.values)
        if not isinstance(self.nominating_kinds, list) or any(
            k not in kinds for k in self.nominating_kinds
        ):
            errors["nominating_kinds"] = _("Onbekende soort organisatie.")
        if not isinstance(self.criteria, list) or any(
            c not in Criterion.values for c in self.criteria
        ):
            errors["criteria"] = _("Onbekend screeningscriterium.")
        if errors:
            raise ValidationError(errors)

    def may_nominate(self, organisation: Organisation) -> bool:
        return not self.nominating_kinds or organisation.kind in self.nominating_kinds

    @property
    def open_phases(self) -> list[str]:
        return [p for p in self.phases if p in {q.value for q in OPEN_PHASES}]


class ScreeningSource(models.TextChoices):
    SIGNAL = "signaal", _("Signaal")
    SUBJECT = "betrokkene", _("Betrokkene")
    QUEUE = "screeningslijst", _("Screeningslijst multi-domein")


class Decision(models.TextChoices):
    CASE = "casus", _("Casus starten")
    REGULAR_CARE = "regulier", _("Terug naar reguliere hulp")
    NO_ACTION = "geen_actie", _("Geen actie")


class Screening(models.Model):
    """A nomination held against the case type's criteria, then decided by a regisseur."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    case_type = models.ForeignKey(CaseType, on_delete=models.PROTECT, related_name="screenings")
    source = models.CharField(_("bron"), max_length=20, choices=ScreeningSource.choices)
    subject = models.ForeignKey(
        Subject, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signal = models.ForeignKey(
        Signal, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    nominating_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    nominated_at = models.DateTimeField(default=timezone.now)
    criteria_met = models.JSONField(_("criteria"), default=dict)
    decision = models.CharField(_("besluit"), max_length=20, choices=Decision.choices, blank=True)
    reasoning = models.TextField(_("onderbouwing"), max_length=2000, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("screening")
        verbose_name_plural = _("screenings")
        ordering = ["-nominated_at", "-id"]
        indexes = [models.Index(fields=["municipality", "decision"], name="screening_open")]

    def __str__(self) -> str:
        return str(self.uuid)


class Confidentiality(models.TextChoices):
    NORMAAL = "normaal", _("Normaal: deelnemers, doorbreken mogelijk")
    VERTROUWELIJK = "vertrouwelijk", _("Vertrouwelijk: alleen deelnemers, geen doorbreken")


class ResultCode(models.TextChoices):
    GOAL_REACHED = "doel_bereikt", _("Doelen bereikt")
    HANDED_OVER = "overgedragen", _("Overgedragen aan reguliere hulp")
    PARTLY = "deels", _("Doelen deels bereikt")
    NOT_FEASIBLE = "niet_haalbaar", _("Niet haalbaar (bijvoorbeeld geen medewerking)")
    MOVED = "verhuisd", _("Betrokkene verhuisd of overleden")


class Case(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(_("casusnummer"), max_length=12)
    case_type = models.ForeignKey(CaseType, on_delete=models.PROTECT, related_name="cases")
    title = models.CharField(
        _("werktitel"),
        max_length=100,
        help_text=_("Zonder namen of andere persoonsgegevens."),
    )
    phase = models.CharField(_("fase"), max_length=20, choices=PHASE_CHOICES)
    phase_due = models.DateField(_("streefdatum fase"), null=True, blank=True)
    confidentiality = models.CharField(
        _("vertrouwelijkheid"),
        max_length=20,
        choices=Confidentiality.choices,
        default=Confidentiality.NORMAAL,
    )
    screening = models.OneToOneField(
        Screening, null=True, blank=True, on_delete=models.PROTECT, related_name="case"
    )
    result_code = models.CharField(
        _("resultaat"), max_length=20, choices=ResultCode.choices, blank=True
    )
    result = models.TextField(_("toelichting resultaat"), max_length=2000, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    retain_until = models.DateField(_("bewaren tot"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("casus")
        verbose_name_plural = _("casussen")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "reference"], name="case_reference_per_tenant"
            )
        ]
        indexes = [models.Index(fields=["municipality", "phase"], name="case_tenant_phase")]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_closed(self) -> bool:
        return self.phase == Phase.AFGESLOTEN

    @property
    def phase_label(self) -> Any:
        return PHASE_LABELS.get(self.phase, self.phase)


class CaseSubject(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="subjects")
    municipality_id = models.BigIntegerField()
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "subject"], name="case_subject_unique")
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.subject_id}"


class CaseSignal(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="signals")
    municipality_id = models.BigIntegerField()
    signal = models.ForeignKey(Signal, on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "signal"], name="case_signal_unique")
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.signal_id}"


class ParticipantRole(models.TextChoices):
    REGISSEUR = "casusregisseur", _("Casusregisseur")
    PARTICIPANT = "deelnemer", _("Deelnemer")
    OBSERVER = "waarnemer", _("Waarnemer")


class Participant(models.Model):
    """A user taking part in a case for one organisation. Removal ends it (kept for history)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="participants")
    municipality_id = models.BigIntegerField()
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("rol"), max_length=20, choices=ParticipantRole.choices)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    removal_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("deelnemer")
        verbose_name_plural = _("deelnemers")
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "user", "organisation"],
                condition=models.Q(removed_at=None),
                name="participant_active_unique",
            )
        ]
        indexes = [
            models.Index(fields=["user", "removed_at"], name="participant_user_active"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.organisation_id} ({self.role})"


class PhaseChange(AppendOnlyModel):
    """The case's status history: every phase change, append-only."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="phase_changes")
    municipality_id = models.BigIntegerField()
    from_phase = models.CharField(max_length=20, blank=True)
    to_phase = models.CharField(max_length=20)
    at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150)
    note = models.CharField(max_length=2000, blank=True)

    class Meta:
        verbose_name = _("fasewijziging")
        verbose_name_plural = _("fasegeschiedenis")
        ordering = ["at", "id"]


class BreakGlass(AppendOnlyModel):
    """An emergency read of a case by a non-participant, with its reason; the privacy officer
    lists them. It grants reading (never writing) for `BREAK_GLASS_MINUTES`."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="break_glass")
    municipality_id = models.BigIntegerField(db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    username = models.CharField(max_length=150)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reden"), max_length=500)
    at = models.DateTimeField(default=timezone.now)
    until = models.DateTimeField()

    class Meta:
        verbose_name = _("doorbraak")
        verbose_name_plural = _("doorbraken")
        ordering = ["-at", "-id"]


# --- plan of action (slice 2) -------------------------------------------------------------

ACTION_STATUS_CHOICES = [(s.value, ACTION_STATUS_LABELS[s]) for s in ActionStatus]
GOAL_STATUS_CHOICES = [(s.value, GOAL_STATUS_LABELS[s]) for s in GoalStatus]


class Goal(models.Model):
    """A goal of a case's plan of action, in one life domain."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="goals")
    municipality_id = models.BigIntegerField()
    life_domain = models.ForeignKey(
        LifeDomain, on_delete=models.PROTECT, related_name="+", verbose_name=_("leefgebied")
    )
    description = models.CharField(_("doel"), max_length=500)
    status = models.CharField(
        _("status"), max_length=20, choices=GOAL_STATUS_CHOICES, default=GoalStatus.OPEN.value
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("doel")
        verbose_name_plural = _("doelen")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return str(self.uuid)


class Action(models.Model):
    """An action of a plan: an owner organisation (a participant organisation of the case),
    optionally a person, a due date and a status. `updated_at` is the last activity (every
    change and every progress note), so "stalled" is a range scan like "overdue"."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="actions")
    municipality_id = models.BigIntegerField()
    goal = models.ForeignKey(
        Goal,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions",
        verbose_name=_("doel"),
    )
    description = models.CharField(_("actie"), max_length=500)
    owner_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("eigenaar")
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("uitvoerder"),
    )
    due_date = models.DateField(_("streefdatum"))
    status = models.CharField(
        _("status"), max_length=20, choices=ACTION_STATUS_CHOICES, default=ActionStatus.OPEN.value
    )
    origin_decision = models.ForeignKey(
        "MeetingDecision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("actie")
        verbose_name_plural = _("acties")
        ordering = ["due_date", "id"]
        indexes = [
            # overdue: status in (open, bezig) and due_date < today
            models.Index(fields=["municipality_id", "status", "due_date"], name="action_overdue"),
            # stalled: status in (open, bezig) and updated_at < now - n days
            models.Index(fields=["municipality_id", "status", "updated_at"], name="action_stalled"),
            models.Index(fields=["owner_organisation", "status"], name="action_owner"),
            models.Index(fields=["case", "status"], name="action_case"),
        ]

    def __str__(self) -> str:
        return str(self.uuid)

    @property
    def is_active(self) -> bool:
        return self.status in (ActionStatus.OPEN, ActionStatus.BEZIG)

    def is_overdue(self, today: Any = None) -> bool:
        return self.is_active and self.due_date < (today or timezone.localdate())


class ActionNote(AppendOnlyModel):
    """A progress note on an action, with the status change it made (if any); append-only."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="notes")
    municipality_id = models.BigIntegerField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150)
    organisation = models.ForeignKey(
        Organisation, null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    text = models.CharField(max_length=2000, blank=True)

    class Meta:
        verbose_name = _("voortgangsnotitie")
        verbose_name_plural = _("voortgangsnotities")
        ordering = ["at", "id"]


class PlanChange(AppendOnlyModel):
    """The plan's version history: one row per change of a goal or action (append-only).
    `version` counts per case; the unique constraint serialises concurrent writers."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="plan_changes")
    municipality_id = models.BigIntegerField()
    version = models.PositiveIntegerField()
    at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150)
    kind = models.CharField(max_length=30)
    object_uuid = models.UUIDField()
    changes = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("planwijziging")
        verbose_name_plural = _("plangeschiedenis")
        ordering = ["version"]
        constraints = [
            models.UniqueConstraint(fields=["case", "version"], name="plan_change_version")
        ]


# --- case meetings (casusoverleg) ---------------------------------------------------------


class Meeting(models.Model):
    """A case meeting of a municipality: chair, attendees, a generated agenda and minutes that
    are final once approved (after that only addenda are appended)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("naam"), max_length=100)
    date = models.DateField(_("datum"))
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    chair_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    agenda_generated_at = models.DateTimeField(null=True, blank=True)
    minutes_approved_at = models.DateTimeField(null=True, blank=True)
    minutes_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("casusoverleg")
        verbose_name_plural = _("casusoverleggen")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["municipality", "date"], name="meeting_tenant_date")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_approved(self) -> bool:
        return self.minutes_approved_at is not None


class MeetingAttendee(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user", "organisation"], name="meeting_attendee_unique"
            )
        ]
        indexes = [models.Index(fields=["user"], name="meeting_attendee_user")]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.organisation_id}"


class AgendaReason(models.TextChoices):
    PHASE_DUE = "fase_verloopt", _("Streefdatum van de fase valt voor het overleg")
    ACTIONS_OVERDUE = "acties_verlopen", _("Acties over de streefdatum")
    SCREENING = "screening", _("Screening wacht op besluit")


class AgendaItem(models.Model):
    """One point of the agenda: a case (with the reasons it is on it) or a screening."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    screening = models.ForeignKey(
        Screening, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    reasons = models.JSONField(default=list)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "case"], name="agenda_case_once"),
            models.UniqueConstraint(fields=["meeting", "screening"], name="agenda_screening_once"),
            models.CheckConstraint(
                condition=models.Q(case__isnull=False, screening__isnull=True)
                | models.Q(case__isnull=True, screening__isnull=False),
                name="agenda_item_case_xor_screening",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}#{self.position}"


class MeetingDecision(AppendOnlyModel):
    """The minutes: per agenda item who decided what (append-only). After approval only
    addenda (`is_addendum`) are appended."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.CASCADE, related_name="decisions"
    )
    municipality_id = models.BigIntegerField()
    text = models.CharField(_("besluit"), max_length=2000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by_name = models.CharField(max_length=150)
    decided_by_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by_name = models.CharField(max_length=150)
    recorded_at = models.DateTimeField(default=timezone.now)
    is_addendum = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("besluit")
        verbose_name_plural = _("besluitenlijst")
        ordering = ["recorded_at", "id"]


# --- closure and evaluation (slice 3, ADR 0020) -------------------------------------------


class CaseEvaluation(AppendOnlyModel):
    """The evaluation recorded when a case is closed through the closing page: per goal
    whether it was reached (a snapshot, the goals' own status is set too), and the hand-over
    to regular care. Append-only: a case reopened and closed again gets a second row; the
    newest belongs to the current closure."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evaluations")
    municipality_id = models.BigIntegerField()
    phase_change = models.OneToOneField(
        PhaseChange, on_delete=models.CASCADE, related_name="evaluation"
    )
    result_code = models.CharField(max_length=20, choices=ResultCode.choices)
    # [{"goal": uuid, "life_domain": code, "life_domain_name": name,
    #   "outcome": bereikt|deels|niet_bereikt}, ...]
    goal_outcomes = models.JSONField(default=list)
    handover_organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("overgedragen aan"),
    )
    handover = models.CharField(_("overdracht"), max_length=2000, blank=True)
    at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150)

    class Meta:
        verbose_name = _("evaluatie")
        verbose_name_plural = _("evaluaties")
        ordering = ["at", "id"]


# --- monitoring and escalation (slice 3, ADR 0019) ----------------------------------------


class EscalationStepKind(models.TextChoices):
    REMINDER = "herinnering", _("Herinnering aan de eigenaar")
    CASE_REGISSEUR = "casusregisseur", _("Casusregisseur")
    PROJECT_LEADER = "projectleider", _("Projectleider")
    ADMINISTRATIVE = "bestuurlijk", _("Bestuurlijk niveau")


class EscalationLadder(models.Model):
    """When an overdue action is escalated, and to whom: per municipality (case_type empty)
    or per case type. Days count from the action's due date."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    case_type = models.ForeignKey(
        CaseType,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("casustype"),
        help_text=_("Leeg: geldt voor elk casustype zonder eigen ladder."),
    )
    reminder_days = models.PositiveSmallIntegerField(
        _("herinnering na (dagen over de streefdatum)"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    case_regisseur_days = models.PositiveSmallIntegerField(
        _("casusregisseur na (dagen)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    project_leader_days = models.PositiveSmallIntegerField(
        _("projectleider na (dagen)"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    administrative_days = models.PositiveSmallIntegerField(
        _("bestuurlijk niveau na (dagen)"),
        default=28,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    project_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("projectleider"),
    )
    administrative_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("contactpersoon bestuurlijk niveau"),
    )
    stalled_days = models.PositiveSmallIntegerField(
        _("casus stagneert na (dagen zonder voortgang)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )

    class Meta:
        verbose_name = _("escalatieladder")
        verbose_name_plural = _("escalatieladders")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "case_type"], name="escalation_ladder_per_type"
            ),
            models.UniqueConstraint(
                fields=["municipality"],
                condition=models.Q(case_type=None),
                name="escalation_ladder_default",
            ),
        ]

    def __str__(self) -> str:
        return str(self.case_type or _("standaard"))

    def clean(self) -> None:
        days = [
            self.reminder_days,
            self.case_regisseur_days,
            self.project_leader_days,
            self.administrative_days,
        ]
        if any(d is None for d in days) or days != sorted(days) or len(set(days)) != len(days):
            raise ValidationError(
                _(
                    "De stappen moeten oplopen: herinnering, casusregisseur, projectleider, bestuurlijk."
                )
            )
        if self.case_type is not None and self.case_type.municipality_id != self.municipality_id:
            raise ValidationError({"case_type": _("Kies een casustype van deze gemeente.")})
        for name in ("project_leader", "administrative_contact"):
            user = getattr(self, name)
            if user is not None and user.municipality_id != self.municipality_id:
                raise ValidationError({name: _("Kies een medewerker van deze gemeente.")})


class EscalationStep(AppendOnlyModel):
    """One rung of the ladder reached by one overdue action (for its due date): who was
    notified and what follows. Unique per (action, due date, step), so reruns of the job
    never record a step twice; a new due date starts the ladder afresh."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="escalations")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    municipality_id = models.BigIntegerField()
    step = models.CharField(max_length=20, choices=EscalationStepKind.choices)
    level = models.PositiveSmallIntegerField()
    due_date = models.DateField()
    days_overdue = models.PositiveIntegerField()
    at = models.DateTimeField()
    notified = models.JSONField(default=list)
    follow_up = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("escalatiestap")
        verbose_name_plural = _("escalatiestappen")
        ordering = ["at", "level", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "due_date", "step"], name="escalation_step_once"
            )
        ]
        indexes = [models.Index(fields=["municipality_id", "at"], name="escalation_tenant_at")]

    def __str__(self) -> str:
        return f"{self.action_id}:{self.step}"

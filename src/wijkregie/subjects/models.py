"""Subjects of signals: addresses, households, persons, groups and locations.

One table (`Subject`) holds every kind, so that a signal's link to a subject, a merge and the
screening queue work the same for each kind. A merge never moves rows: the merged subject
points at the subject it was merged into (`merged_into`), and every read works on the whole
cluster under a root. Unmerging clears that pointer, which restores exactly the state before.

Person identity: a person has a random public pseudonym (`P-7F3K2Q`) and, when a BSN was
supplied, a keyed HMAC token of it; the clear BSN is never stored. Names and birth dates live
on `PersonRecord`: the person as one organisation supplied it with one signal.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wijkregie.privacy.models import AppendOnlyModel
from wijkregie.signals.models import Signal
from wijkregie.tenants.models import Municipality, Organisation


class SubjectKind(models.TextChoices):
    ADDRESS = "address", _("Adres")
    HOUSEHOLD = "household", _("Huishouden")
    PERSON = "person", _("Persoon")
    GROUP = "group", _("Groep")
    LOCATION = "location", _("Locatie")


# Prefix of the public pseudonym per kind: readable for staff, says nothing about the subject.
PSEUDONYM_PREFIX = {
    SubjectKind.ADDRESS: "A",
    SubjectKind.HOUSEHOLD: "H",
    SubjectKind.PERSON: "P",
    SubjectKind.GROUP: "G",
    SubjectKind.LOCATION: "L",
}


class PlaceKind(models.TextChoices):
    SQUARE = "plein", _("Plein")
    PARK = "park", _("Park")
    PORTICO = "portiek", _("Portiek")
    STREET = "straat", _("Straat")
    PLAYGROUND = "speelplaats", _("Speelplaats")
    OTHER = "overig", _("Overig")


class SignalRole(models.TextChoices):
    CONCERNS = "betreft", _("Betreft")
    INVOLVED = "betrokken", _("Betrokken")
    REPORTER = "melder", _("Melder")
    PLACE = "plaats", _("Plaats")


class Subject(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("soort"), max_length=10, choices=SubjectKind.choices)
    pseudonym = models.CharField(_("pseudoniem"), max_length=12)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_subjects",
        verbose_name=_("samengevoegd in"),
    )
    # Address (and the dwelling of a household): the BAG verblijfsobject id where known, else
    # the normalised postcode + huisnummer + huisletter + toevoeging. `address_key` is one of
    # "vbo:<16 digits>" or "pc:1234AB:12:A:2", unique per municipality among addresses.
    address_key = models.CharField(max_length=40, blank=True)
    postcode = models.CharField(max_length=6, blank=True)
    huisnummer = models.PositiveIntegerField(null=True, blank=True)
    huisletter = models.CharField(max_length=1, blank=True)
    huisnummertoevoeging = models.CharField(max_length=4, blank=True)
    verblijfsobject_id = models.CharField(max_length=16, blank=True)
    # Household: its dwelling (an address subject).
    dwelling = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="households",
        verbose_name=_("woning"),
    )
    # Person: HMAC-SHA-256 of the BSN with the municipality's key; never the BSN itself.
    bsn_token = models.CharField(max_length=64, blank=True)
    # Group and location: a label chosen by staff (a group's label is shown on need-to-know).
    name = models.CharField(_("naam"), max_length=200, blank=True)
    place_kind = models.CharField(
        _("soort plaats"), max_length=20, choices=PlaceKind.choices, blank=True
    )
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    rd_x = models.FloatField(null=True, blank=True)
    rd_y = models.FloatField(null=True, blank=True)
    cell_x = models.IntegerField(null=True, blank=True)
    cell_y = models.IntegerField(null=True, blank=True)
    area = models.JSONField(_("gebied (GeoJSON, WGS84)"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("betrokkene")
        verbose_name_plural = _("betrokkenen")
        ordering = ["pseudonym"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "pseudonym"], name="subject_pseudonym_per_tenant"
            ),
            models.UniqueConstraint(
                fields=["municipality", "address_key"],
                condition=models.Q(kind="address") & ~models.Q(address_key=""),
                name="subject_address_per_tenant",
            ),
            models.UniqueConstraint(
                fields=["dwelling"],
                condition=models.Q(kind="household"),
                name="subject_household_per_dwelling",
            ),
        ]
        indexes = [
            models.Index(fields=["municipality", "kind"], name="subject_tenant_kind"),
            models.Index(fields=["municipality", "bsn_token"], name="subject_bsn_token"),
        ]

    def __str__(self) -> str:
        return self.pseudonym

    @property
    def address_text(self) -> str:
        if not self.postcode:
            return ""
        number = f"{self.huisnummer or ''}{self.huisletter}"
        if self.huisnummertoevoeging:
            number += f"-{self.huisnummertoevoeging}"
        return f"{self.postcode[:4]} {self.postcode[4:]} {number}".strip()


class PersonRecord(models.Model):
    """A person as one organisation supplied them with one signal. Personal data: names and
    birth date are shown only on need-to-know, and every showing is logged."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    owner_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    signal = models.ForeignKey(
        Signal, null=True, blank=True, on_delete=models.CASCADE, related_name="person_records"
    )
    person = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="person_records")
    given_names = models.CharField(_("voornamen"), max_length=200, blank=True)
    surname_prefix = models.CharField(_("tussenvoegsel"), max_length=20, blank=True)
    surname = models.CharField(_("achternaam"), max_length=200, blank=True)
    birth_date = models.DateField(_("geboortedatum"), null=True, blank=True)
    postcode = models.CharField(max_length=6, blank=True)
    huisnummer = models.PositiveIntegerField(null=True, blank=True)
    huisletter = models.CharField(max_length=1, blank=True)
    huisnummertoevoeging = models.CharField(max_length=4, blank=True)
    bsn_token = models.CharField(max_length=64, blank=True)
    # Too little to recognise anyone by: such a record gets a person of its own and is never
    # linked to another person automatically.
    thin = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("persoonsregistratie")
        verbose_name_plural = _("persoonsregistraties")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["municipality", "bsn_token"], name="record_bsn_token"),
        ]

    def __str__(self) -> str:
        return str(self.uuid)


class BlockingKey(models.Model):
    """The blocking keys of a person record, for the candidate lookup of incremental linking."""

    municipality_id = models.BigIntegerField()
    record = models.ForeignKey(PersonRecord, on_delete=models.CASCADE, related_name="blocking_keys")
    key = models.CharField(max_length=100)

    class Meta:
        indexes = [models.Index(fields=["municipality_id", "key"], name="blocking_key_lookup")]
        constraints = [
            models.UniqueConstraint(fields=["record", "key"], name="blocking_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.record_id}: {self.key[:8]}"


class LinkExplanation(models.Model):
    """Why a person record belongs to its person: the method, score and the comparison per
    field, as shown on the subject page. Replaced when the record is linked again."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    record = models.OneToOneField(
        PersonRecord, on_delete=models.CASCADE, related_name="explanation"
    )
    method = models.CharField(max_length=20)  # bsn, probabilistic, new, thin, manual
    matched_record = models.ForeignKey(
        PersonRecord, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    probability = models.FloatField(null=True, blank=True)
    match_weight = models.FloatField(null=True, blank=True)
    # [{"field": "surname", "level": "exact", "weight": 3.2}, ...]: no personal values.
    comparisons = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.record_id}: {self.method}"


class SubjectMember(models.Model):
    """A person in a group or household."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="memberships")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subject", "person"], name="subject_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.subject_id} ∋ {self.person_id}"


class SignalSubject(models.Model):
    """A signal concerns a subject (a signal can concern several)."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    signal = models.ForeignKey(Signal, on_delete=models.CASCADE, related_name="subject_links")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="signal_links")
    role = models.CharField(
        _("rol"), max_length=20, choices=SignalRole.choices, default=SignalRole.CONCERNS
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("betrokkene bij signaal")
        verbose_name_plural = _("betrokkenen bij signalen")
        constraints = [
            models.UniqueConstraint(fields=["signal", "subject"], name="signal_subject_unique")
        ]
        indexes = [models.Index(fields=["subject", "signal"], name="signal_subject_by_subject")]

    def __str__(self) -> str:
        return f"{self.signal_id} → {self.subject_id} ({self.role})"


class SubjectEventKind(models.TextChoices):
    CREATED = "created", _("Aangemaakt")
    LINKED = "linked", _("Registratie gekoppeld")
    MERGED = "merged", _("Samengevoegd")
    UNMERGED = "unmerged", _("Samenvoeging ongedaan gemaakt")
    SCREENING_OPENED = "screening_opened", _("Geopend voor screening")
    MEMBER_ADDED = "member_added", _("Lid toegevoegd")
    MEMBER_REMOVED = "member_removed", _("Lid verwijderd")
    RECORD_SPLIT = "record_split", _("Registratie afgesplitst")
    RECORD_RECEIVED = "record_received", _("Registratie overgenomen")
    PROPOSAL_REJECTED = "proposal_rejected", _("Voorstel herkoppeling afgewezen")


class SubjectEvent(AppendOnlyModel):
    """The history of a subject: append-only, with actor, time and reason."""

    municipality_id = models.BigIntegerField(db_index=True)
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="events")
    other = models.ForeignKey(
        Subject, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=SubjectEventKind.choices)
    reason = models.CharField(_("reden"), max_length=500, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150)
    at = models.DateTimeField(default=timezone.now)
    data = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("gebeurtenis")
        verbose_name_plural = _("geschiedenis van betrokkenen")
        ordering = ["at", "id"]


class ScreeningSettings(models.Model):
    """The thresholds of the multi-domain screening queue, per municipality (beheer)."""

    municipality = models.OneToOneField(
        Municipality, on_delete=models.PROTECT, related_name="screening_settings"
    )
    min_domains = models.PositiveSmallIntegerField(
        _("minimaal aantal leefgebieden (N)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    min_organisations = models.PositiveSmallIntegerField(
        _("minimaal aantal organisaties (M)"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    window_months = models.PositiveSmallIntegerField(
        _("periode in maanden (W)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("instelling screeningslijst")
        verbose_name_plural = _("instellingen screeningslijst")

    def __str__(self) -> str:
        return f"N={self.min_domains} M={self.min_organisations} W={self.window_months}"


class LinkRun(models.Model):
    """A full relink of a municipality's person records (a background task): the link model
    estimated from all records, used by incremental linking afterwards, and what it found."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    model = models.TextField(blank=True)  # LinkModel.to_json(): parameters, no personal data
    # counts and the persons the linker would join or split (pseudonyms only), for review
    stats = models.JSONField(default=dict)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("herkoppeling")
        verbose_name_plural = _("herkoppelingen")
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.municipality_id} {self.requested_at:%Y-%m-%d %H:%M}"


class LinkConstraint(models.Model):
    """A "do not link" decision: staff split `record` off `person`, so no automatic linking
    (incremental or a full relink's proposals) may put the record in `person`'s cluster again.
    Lifted (not deleted) when staff move the record back; a merge that would join them is
    refused while it holds."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    record = models.ForeignKey(
        PersonRecord, on_delete=models.CASCADE, related_name="link_constraints"
    )
    person = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reden"), max_length=500)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("niet-koppelen-besluit")
        verbose_name_plural = _("niet-koppelen-besluiten")
        indexes = [
            models.Index(fields=["municipality", "lifted_at"], name="link_constraint_active")
        ]

    def __str__(self) -> str:
        return f"{self.record_id} ≠ {self.person_id}"


class ProposalKind(models.TextChoices):
    MERGE = "merge", _("Samenvoegen")
    SPLIT = "split", _("Afsplitsen")


class ProposalStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACCEPTED = "accepted", _("Geaccepteerd")
    REJECTED = "rejected", _("Afgewezen")


class LinkProposal(models.Model):
    """What a full relink would change, for a regisseur to accept or reject with a reason.

    merge: `persons` (subject ids, roots at the time) into the first one.
    split: `records` (person record ids) off `persons[0]`, to `target` or to a new person.
    `signature` identifies the proposal across runs: a rejected one is not proposed again.
    `explanation` holds the comparison per field (levels and weights, no personal values)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    run = models.ForeignKey(LinkRun, on_delete=models.CASCADE, related_name="proposals")
    kind = models.CharField(max_length=10, choices=ProposalKind.choices)
    persons = models.JSONField(default=list)
    records = models.JSONField(default=list)
    target = models.ForeignKey(
        Subject, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signature = models.CharField(max_length=200)
    rule = models.CharField(max_length=20, blank=True)
    probability = models.FloatField(null=True, blank=True)
    match_weight = models.FloatField(null=True, blank=True)
    comparisons = models.JSONField(default=list)
    status = models.CharField(
        max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.OPEN
    )
    reason = models.CharField(_("reden"), max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("voorstel herkoppeling")
        verbose_name_plural = _("voorstellen herkoppeling")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["municipality", "signature"], name="link_proposal_signature")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.signature}"

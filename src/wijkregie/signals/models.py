"""Life domains, categories, signals and their append-only status history."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wijkregie.areas.models import Neighbourhood
from wijkregie.privacy.models import AppendOnlyModel
from wijkregie.signals.states import STATUS_LABELS
from wijkregie.tenants.models import Municipality, Organisation

DESCRIPTION_MAX = 2000


class Confidentiality(models.TextChoices):
    NORMAAL = "normaal", _("Normaal: delen volgens convenant")
    VERTROUWELIJK = "vertrouwelijk", _("Vertrouwelijk: alleen eigen organisatie")


class SourceChannel(models.TextChoices):
    PARTNER = "partner", _("Partnerregistratie")
    SYSTEM_IMPORT = "system_import", _("Systeemimport")
    STREET = "street", _("Straatwaarneming")
    RESIDENT = "resident", _("Bewonersmelding")


class SourceReliability(models.TextChoices):
    A = "A", _("A – betrouwbaar")
    B = "B", _("B – meestal betrouwbaar")
    C = "C", _("C – niet betrouwbaar")
    X = "X", _("X – onbekend")


class InfoReliability(models.TextChoices):
    I1 = "1", _("1 – bevestigd door andere bronnen")
    I2 = "2", _("2 – persoonlijk waargenomen door de bron")
    I3 = "3", _("3 – niet persoonlijk waargenomen, wel bevestigd")
    I4 = "4", _("4 – niet bevestigd")


class HandlingCode(models.TextChoices):
    H1 = "H1", _("H1 – verder delen binnen het convenant toegestaan")
    H2 = "H2", _("H2 – verder delen alleen met toestemming van de eigenaar")
    H3 = "H3", _("H3 – niet verder delen")


class LocationKind(models.TextChoices):
    POINT = "point", _("Punt")
    ADDRESS = "address", _("Adres")
    AREA = "area", _("Alleen gebied")


STATUS_CHOICES = [(str(key), label) for key, label in STATUS_LABELS.items()]


class LifeDomain(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="life_domains"
    )
    code = models.SlugField(_("code"), max_length=30)
    name = models.CharField(_("naam"), max_length=100)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("leefgebied")
        verbose_name_plural = _("leefgebieden")
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "code"], name="life_domain_code_per_tenant"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """Two levels per municipality: a main category (parent empty) and subcategories."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="categories"
    )
    code = models.SlugField(_("code"), max_length=50)
    name = models.CharField(_("naam"), max_length=100)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("hoofdcategorie"),
    )
    life_domain = models.ForeignKey(
        LifeDomain,
        on_delete=models.PROTECT,
        related_name="categories",
        verbose_name=_("leefgebied"),
    )
    is_public = models.BooleanField(_("openbaar (bewoners kunnen melden)"), default=False)
    default_confidentiality = models.CharField(
        _("standaard vertrouwelijkheid"),
        max_length=15,
        choices=Confidentiality.choices,
        default=Confidentiality.NORMAAL,
    )
    active = models.BooleanField(_("actief"), default=True)

    class Meta:
        verbose_name = _("categorie")
        verbose_name_plural = _("categorieën")
        ordering = ["life_domain__order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "code"], name="category_code_per_tenant"
            )
        ]

    def __str__(self) -> str:
        return f"{self.parent.name} › {self.name}" if self.parent_id and self.parent else self.name

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.parent_id is not None and self.parent is not None:
            if self.parent.municipality_id != self.municipality_id:
                errors["parent"] = _("De hoofdcategorie hoort bij een andere gemeente.")
            elif self.parent.parent_id is not None:
                errors["parent"] = _("Categorieën hebben twee niveaus: kies een hoofdcategorie.")
            elif self.pk is not None and self.parent_id == self.pk:
                errors["parent"] = _("Een categorie kan niet haar eigen hoofdcategorie zijn.")
        if (
            self.life_domain_id is not None
            and self.life_domain.municipality_id != self.municipality_id
        ):
            errors["life_domain"] = _("Het leefgebied hoort bij een andere gemeente.")
        if errors:
            raise ValidationError(errors)


# The columns counts filter and group on (visibility, filters, figures): carried in the covering
# indexes below, so that PostgreSQL counts signals without reading the table.
COUNTED_COLUMNS = [
    "neighbourhood",
    "owner_organisation",
    "category",
    "life_domain",
    "confidentiality",
    "source_channel",
    "status",
]


class Signal(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    owner_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="signals"
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_channel = models.CharField(max_length=20, choices=SourceChannel.choices)
    external_id = models.CharField(max_length=100, blank=True)
    observed_at = models.DateTimeField()
    registered_at = models.DateTimeField(default=timezone.now)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="signals")
    life_domain = models.ForeignKey(LifeDomain, on_delete=models.PROTECT, related_name="signals")
    description = models.TextField(max_length=DESCRIPTION_MAX, blank=True)
    location_kind = models.CharField(max_length=10, choices=LocationKind.choices)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    rd_x = models.FloatField(null=True, blank=True)
    rd_y = models.FloatField(null=True, blank=True)
    postcode = models.CharField(max_length=6, blank=True)
    huisnummer = models.PositiveIntegerField(null=True, blank=True)
    huisletter = models.CharField(max_length=1, blank=True)
    huisnummertoevoeging = models.CharField(max_length=4, blank=True)
    neighbourhood = models.ForeignKey(
        Neighbourhood, null=True, blank=True, on_delete=models.PROTECT, related_name="signals"
    )
    cell_x = models.IntegerField(null=True, blank=True)
    cell_y = models.IntegerField(null=True, blank=True)
    source_reliability = models.CharField(
        max_length=1, choices=SourceReliability.choices, default=SourceReliability.X
    )
    info_reliability = models.CharField(
        max_length=1, choices=InfoReliability.choices, default=InfoReliability.I4
    )
    handling_code = models.CharField(
        max_length=2, choices=HandlingCode.choices, default=HandlingCode.H1
    )
    confidentiality = models.CharField(
        max_length=15, choices=Confidentiality.choices, default=Confidentiality.NORMAAL
    )
    status = models.CharField(max_length=20, choices=STATUS_CHOICES, default="open")
    # A duplicate is kept and linked to the signal it repeats, never deleted.
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("signaal")
        verbose_name_plural = _("signalen")
        ordering = ["-observed_at", "-id"]
        indexes = [
            # The list's order; covering (PostgreSQL), so that counts of recent days (a
            # profile's month so far) are index-only scans.
            models.Index(
                fields=["municipality", "-observed_at", "-id"],
                include=COUNTED_COLUMNS,
                name="signal_tenant_time",
            ),
            models.Index(fields=["owner_organisation", "-observed_at"], name="signal_owner_time"),
            models.Index(fields=["neighbourhood", "category"], name="signal_buurt_cat"),
            models.Index(fields=["life_domain", "-observed_at"], name="signal_domain_time"),
            models.Index(fields=["municipality", "cell_x", "cell_y"], name="signal_cell"),
            # An area's signals in a period without reading the table (index-only scans on
            # PostgreSQL; SQLite ignores `include`): the profile's hour and weekday chart.
            models.Index(
                fields=["neighbourhood", "observed_at"],
                include=["municipality", *COUNTED_COLUMNS[1:]],  # all but the neighbourhood
                name="signal_buurt_time",
            ),
        ]
        constraints = [
            # Idempotent intake: a partner's own id identifies its signal; a repeat updates it.
            models.UniqueConstraint(
                fields=["owner_organisation", "external_id"],
                condition=~models.Q(external_id=""),
                name="signal_external_id_per_owner",
            )
        ]

    def __str__(self) -> str:
        return f"{self.category} {self.observed_at:%Y-%m-%d}"

    @property
    def address_text(self) -> str:
        if not self.postcode:
            return ""
        number = f"{self.huisnummer or ''}{self.huisletter}"
        if self.huisnummertoevoeging:
            number += f"-{self.huisnummertoevoeging}"
        return f"{self.postcode[:4]} {self.postcode[4:]} {number}".strip()


TALLY_TIME_ZONE = "Europe/Amsterdam"  # the months of the tallies (triggers in migration 0004)
TALLY_KEY = (
    "municipality_id",
    "neighbourhood_id",
    "owner_organisation_id",
    "category_id",
    "life_domain_id",
    "confidentiality",
    "month",
)


class SignalTally(models.Model):
    """How many signals share one key per local calendar month (Europe/Amsterdam).

    Derived data, kept exact by database triggers on the signal table in the same
    transaction as every insert, update and delete (migration 0004; ADR 0013): no code path,
    bulk import or raw SQL included, can leave it behind. The key columns carry the names of
    the signal's own columns, so the one visibility policy (`visible_signals_q`) and the
    key filters apply to it unchanged; status and source are left out of the key, so that the
    table stays small (1,000,000 demo signals: about 41,000 rows) and a status change does not
    touch it. `neighbourhood_id` 0 means "no buurt". Read by the area profile and the area
    index instead of scanning every signal of the municipality.
    """

    municipality_id = models.IntegerField()
    neighbourhood_id = models.IntegerField()
    owner_organisation_id = models.IntegerField()
    category_id = models.IntegerField()
    life_domain_id = models.IntegerField()
    confidentiality = models.CharField(max_length=15)
    month = models.DateField()  # the first day of the local calendar month
    n = models.IntegerField()

    class Meta:
        verbose_name = _("telling van signalen")
        verbose_name_plural = _("tellingen van signalen")
        constraints = [models.UniqueConstraint(fields=list(TALLY_KEY), name="signal_tally_key")]
        indexes = [
            models.Index(fields=["municipality_id", "month"], name="signal_tally_month"),
            models.Index(fields=["neighbourhood_id", "month"], name="signal_tally_buurt"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.n}"


def attachment_path(instance: Attachment, filename: str) -> str:
    # Never the uploaded name: it may hold personal data, and it is not needed.
    return f"attachments/{instance.municipality_id}/{instance.uuid}{instance.extension}"


class Attachment(models.Model):
    """A photo with a signal. Stored outside the static files; served only after access checks.

    Images are re-encoded on upload (see `wijkregie.lib.images`), which drops EXIF metadata,
    including the location a phone writes into a photo.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    signal = models.ForeignKey(Signal, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    content_type = models.CharField(max_length=50)
    extension = models.CharField(max_length=8)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("bijlage")
        verbose_name_plural = _("bijlagen")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.content_type} {self.size} B"


class SignalStatusChange(AppendOnlyModel):
    signal = models.ForeignKey(Signal, on_delete=models.CASCADE, related_name="status_changes")
    municipality_id = models.BigIntegerField()
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("statuswijziging")
        verbose_name_plural = _("statusgeschiedenis")
        ordering = ["at", "id"]

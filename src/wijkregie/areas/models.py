"""CBS neighbourhoods and districts, focus areas with governance, sharing agreements."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from wijkregie.tenants.models import Municipality, Organisation


class NeighbourhoodKind(models.TextChoices):
    WIJK = "wijk", _("Wijk")
    BUURT = "buurt", _("Buurt")


class Neighbourhood(models.Model):
    """A CBS wijk (WKxxxxxx) or buurt (BUxxxxxxxx) with its boundary.

    The boundary is a GeoJSON Polygon/MultiPolygon in WGS84 (RFC 7946); the RD New bounding
    box allows a cheap prefilter before point-in-polygon tests.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="neighbourhoods"
    )
    code = models.CharField(
        _("CBS-code"),
        max_length=10,
        validators=[
            RegexValidator(
                r"^(WK[0-9]{6}|BU[0-9]{8})$",
                _("Gebruik een CBS-code: WK + 6 cijfers (wijk) of BU + 8 cijfers (buurt)."),
            )
        ],
    )
    kind = models.CharField(_("soort"), max_length=5, choices=NeighbourhoodKind.choices)
    name = models.CharField(_("naam"), max_length=100)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    boundary = models.JSONField(_("grens (GeoJSON, WGS84)"), null=True, blank=True)
    rd_min_x = models.FloatField(null=True, blank=True)
    rd_min_y = models.FloatField(null=True, blank=True)
    rd_max_x = models.FloatField(null=True, blank=True)
    rd_max_y = models.FloatField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("wijk of buurt")
        verbose_name_plural = _("wijken en buurten")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "code"], name="neighbourhood_code_per_tenant"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self) -> None:
        expected = "WK" if self.kind == NeighbourhoodKind.WIJK else "BU"
        if self.code and not self.code.startswith(expected):
            raise ValidationError({"code": _("Een wijk heeft een WK-code, een buurt een BU-code.")})
        if self.parent_id is not None and self.parent is not None:
            if self.parent.municipality_id != self.municipality_id:
                raise ValidationError({"parent": _("De wijk hoort bij een andere gemeente.")})
            if self.kind != NeighbourhoodKind.BUURT or self.parent.kind != NeighbourhoodKind.WIJK:
                raise ValidationError({"parent": _("Alleen een buurt ligt in een wijk.")})


class FocusArea(models.Model):
    """A (vulnerable) focus area: a set of buurten under one project leader."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="focus_areas"
    )
    name = models.CharField(_("naam"), max_length=100)
    description = models.TextField(_("omschrijving"), blank=True, max_length=2000)
    neighbourhoods = models.ManyToManyField(
        Neighbourhood, related_name="focus_areas", verbose_name=_("buurten")
    )
    project_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_focus_areas",
        verbose_name=_("projectleider"),
    )
    administrative_owner = models.CharField(
        _("bestuurlijk eigenaar"),
        max_length=200,
        blank=True,
        help_text=_("Bijvoorbeeld de wethouder."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("focusgebied")
        verbose_name_plural = _("focusgebieden")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        leader = self.project_leader
        if leader is not None and leader.municipality_id != self.municipality_id:
            raise ValidationError(
                {"project_leader": _("De projectleider hoort bij een andere gemeente.")}
            )


class FocusAreaPartner(models.Model):
    """A partner organisation in a focus area with its role in the approach."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    focus_area = models.ForeignKey(FocusArea, on_delete=models.CASCADE, related_name="partners")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("rol in de aanpak"), max_length=200)

    class Meta:
        verbose_name = _("partner in focusgebied")
        verbose_name_plural = _("partners in focusgebied")
        constraints = [
            models.UniqueConstraint(
                fields=["focus_area", "organisation"], name="focus_partner_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.role}"

    def clean(self) -> None:
        if (
            self.organisation_id is not None
            and self.organisation.municipality_id != self.municipality_id
        ):
            raise ValidationError(
                {"organisation": _("De organisatie hoort bij een andere gemeente.")}
            )
        if (
            self.focus_area_id is not None
            and self.focus_area.municipality_id != self.municipality_id
        ):
            raise ValidationError(
                {"focus_area": _("Het focusgebied hoort bij een andere gemeente.")}
            )


class SharingPurpose(models.TextChoices):
    SIGNALERING = "signalering", _("Signalering en bundeling")
    GEBIEDSANALYSE = "gebiedsanalyse", _("Gebiedsanalyse")
    CASUSREGIE = "casusregie", _("Casusregie")


class SharingAgreement(models.Model):
    """Convenant: parties share signals of these categories in these focus areas."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="agreements"
    )
    title = models.CharField(_("titel"), max_length=200)
    purpose = models.CharField(_("doel"), max_length=30, choices=SharingPurpose.choices)
    legal_basis = models.CharField(_("grondslag"), max_length=300)
    parties = models.ManyToManyField(
        Organisation, related_name="agreements", verbose_name=_("partijen")
    )
    categories = models.ManyToManyField(
        "signals.Category", related_name="agreements", verbose_name=_("categorieën")
    )
    focus_areas = models.ManyToManyField(
        FocusArea, related_name="agreements", verbose_name=_("focusgebieden")
    )
    retention_days = models.PositiveIntegerField(_("bewaartermijn (dagen)"), default=730)
    valid_from = models.DateField(_("geldig vanaf"))
    valid_until = models.DateField(_("geldig tot en met"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("convenant")
        verbose_name_plural = _("convenanten")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.valid_until is not None and self.valid_from and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("De einddatum ligt voor de begindatum.")})

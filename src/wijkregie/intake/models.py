"""Bulk import of partner system exports: saved mapping profiles and import jobs."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from wijkregie.tenants.models import Municipality, Organisation


class MappingProfile(models.Model):
    """How one organisation's export maps onto the standard import columns."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="mapping_profiles",
        verbose_name=_("organisatie"),
    )
    name = models.CharField(_("naam"), max_length=100)
    column_map = models.JSONField(
        _("kolommen"),
        default=dict,
        blank=True,
        help_text=_('Hun kolomkop → standaardkolom, bijvoorbeeld {"Datum": "waargenomen_op"}.'),
    )
    category_map = models.JSONField(
        _("categorieën"),
        default=dict,
        blank=True,
        help_text=_('Hun waarde → categoriecode, bijvoorbeeld {"Overlast jeugd": "jeugd"}.'),
    )
    date_format = models.CharField(
        _("datumnotatie"),
        max_length=40,
        blank=True,
        help_text=_(
            "Optioneel: de datumnotatie in strptime-codes; leeg betekent automatisch herkennen."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("importprofiel")
        verbose_name_plural = _("importprofielen")
        ordering = ["organisation__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="mapping_profile_name_per_org"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from wijkregie.intake.reading import STANDARD_COLUMNS

        errors: dict[str, object] = {}
        if (
            self.organisation_id is not None
            and self.municipality_id is not None
            and self.organisation.municipality_id != self.municipality_id
        ):
            errors["organisation"] = _("De organisatie hoort bij een andere gemeente.")
        if not isinstance(self.column_map, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in self.column_map.items()
        ):
            errors["column_map"] = _("Geef de kolommen als tekst → tekst.")
        else:
            unknown = sorted(
                {v for v in self.column_map.values() if v.strip().lower() not in STANDARD_COLUMNS}
            )
            if unknown:
                errors["column_map"] = _("Onbekende standaardkolom: %(names)s.") % {
                    "names": ", ".join(unknown)
                }
        if not isinstance(self.category_map, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in self.category_map.items()
        ):
            errors["category_map"] = _("Geef de categorieën als tekst → tekst.")
        if errors:
            raise ValidationError(errors)


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Wacht")
    RUNNING = "running", _("Bezig")
    DONE = "done", _("Klaar")
    FAILED = "failed", _("Mislukt")


class ImportJob(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="import_jobs"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    mapping = models.ForeignKey(
        MappingProfile, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    original_name = models.CharField(max_length=255)
    # Relative to MEDIA_ROOT, under imports/.
    stored_path = models.CharField(max_length=300)
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    total_rows = models.PositiveIntegerField(null=True, blank=True)
    processed_rows = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    rejects_path = models.CharField(max_length=300, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Written by the running worker with every progress update: a running job without a recent
    # heartbeat lost its worker (killed, machine restarted) and may be resumed.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("importopdracht")
        verbose_name_plural = _("importopdrachten")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["municipality", "-created_at"], name="import_job_tenant_time"),
            models.Index(fields=["organisation", "-created_at"], name="import_job_org_time"),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

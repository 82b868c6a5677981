"""Generated documents: files made in the background for one requester (area reports now,
case-meeting reports later).

The file lives under MEDIA_ROOT/documents/ (never a public URL) and is streamed by a view after
the access check. A row moves queued -> running -> done | failed; see tasks.py.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wijkregie.tenants.models import Municipality


class DocumentKind(models.TextChoices):
    AREA_REPORT = "area_report", _("Gebiedsrapportage")
    # The case's uuid in `area_code`, its reference in `area_name` (cases/plan_pdf.py).
    CASE_PLAN = "case_plan", _("Plan van aanpak")


class DocumentStatus(models.TextChoices):
    QUEUED = "queued", _("In de wachtrij")
    RUNNING = "running", _("Wordt gemaakt")
    DONE = "done", _("Klaar")
    FAILED = "failed", _("Mislukt")


ACTIVE_STATUSES = (DocumentStatus.QUEUED, DocumentStatus.RUNNING)


class GeneratedDocument(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("soort"), max_length=30, choices=DocumentKind.choices)
    # The subject of the document: a CBS buurt/wijk code or a focus area uuid, and its name
    # as it was when requested (the list shows it even if the area is renamed later).
    area_code = models.CharField(_("gebiedscode"), max_length=64)
    area_name = models.CharField(_("gebied"), max_length=200)
    # What else defines the document, e.g. {"start": "2026-01-01", "end": "2027-01-01"} (end
    # exclusive). `request_key` is a digest of kind, area and parameters: one requester has at
    # most one queued or running document per key (a constraint, so a double click or a race
    # reuses the first request instead of starting a second).
    parameters = models.JSONField(_("parameters"), default=dict)
    request_key = models.CharField(max_length=64)
    status = models.CharField(
        _("status"), max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.QUEUED
    )
    error = models.TextField(_("foutmelding"), blank=True)
    # Relative to MEDIA_ROOT, under documents/; empty until the file is complete.
    file_path = models.CharField(max_length=300, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Written by the worker while it works: a running document without a recent heartbeat
    # lost its worker and may be retried.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("gegenereerd document")
        verbose_name_plural = _("gegenereerde documenten")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["municipality", "requested_by", "-created_at"],
                name="document_requester_time",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["requested_by", "request_key"],
                condition=Q(status__in=["queued", "running"]),
                name="document_one_active_per_request",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.area_name} ({self.get_status_display()})"

"""Resident reports: the public side of a signal (tracking code, optional e-mail), abuse limits.

A resident report is one-to-one with the Signal it created. It holds only what the resident
needs back: an unguessable tracking code for the status page and, when given, an e-mail
address for status updates. The e-mail address is erased once the signal reaches a final
status and that last update has been sent (see `residents.tasks`).
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wijkregie.signals.models import Signal
from wijkregie.tenants.models import Municipality


class ReportChannel(models.TextChoices):
    FORM = "form", _("Meldformulier")
    OPEN311 = "open311", _("Open311")


class ResidentReport(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    signal = models.OneToOneField(Signal, on_delete=models.CASCADE, related_name="resident_report")
    # Stored without separators (10 characters); shown grouped as XXXX-XXXX-XX.
    tracking_code = models.CharField(max_length=10, unique=True)
    channel = models.CharField(max_length=10, choices=ReportChannel.choices)
    email = models.EmailField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # A client's Idempotency-Key (Open311), as a keyed HMAC, and a digest of the request it
    # came with: a retry with the same key and request gets the same report back, never a
    # second one. Empty for reports sent without a key (the web form has its own guard).
    idempotency_key = models.CharField(max_length=64, blank=True, default="", editable=False)
    request_digest = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("bewonersmelding")
        verbose_name_plural = _("bewonersmeldingen")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["municipality", "-created_at"], name="resident_tenant_time")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="resident_report_idempotency_key",
            )
        ]

    def __str__(self) -> str:
        return self.tracking_code


class PendingPhoto(models.Model):
    """A photo between the description step and submit, already re-encoded without metadata.

    Kept in the database (shared by every web process) under a random token that only the
    resident's session knows; attached on submit and deleted, or purged after a day.
    """

    token = models.CharField(max_length=64, unique=True)
    data = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("tijdelijke foto")
        verbose_name_plural = _("tijdelijke foto's")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M}"


class SubmissionEvent(models.Model):
    """One accepted submission per row, for rate limiting across processes (sliding window).

    `client_key` is an HMAC of the client's IP address with settings.PSEUDONYM_KEY: equal for
    the same address, useless without the key; the address itself is never stored. Rows older
    than the longest window are deleted as new ones arrive.
    """

    client_key = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("inzending")
        verbose_name_plural = _("inzendingen")
        indexes = [
            models.Index(fields=["client_key", "at"], name="submission_key_time"),
            models.Index(fields=["at"], name="submission_time"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M}"

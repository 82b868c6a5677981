"""Append-only logs: AuditEvent for every write, AccessEvent for every read of personal data."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(RuntimeError):
    """Raised on any attempt to change or remove a log row."""


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Log rows are append-only.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("Log rows are append-only.")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Log rows are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Log rows are append-only.")


class AccessAction(models.TextChoices):
    CREATE = "C", _("Aanmaken")
    READ = "R", _("Inzien")
    UPDATE = "U", _("Wijzigen")
    DELETE = "D", _("Verwijderen")
    EXPORT = "E", _("Exporteren")


class Outcome(models.TextChoices):
    GRANTED = "granted", _("toegestaan")
    DENIED = "denied", _("geweigerd")


class AccessEvent(AppendOnlyModel):
    """A read (or export) of personal data, granted or denied."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    municipality_id = models.BigIntegerField(db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150)
    on_behalf_of = models.CharField(max_length=200, blank=True)
    organisation_id = models.BigIntegerField(null=True)
    action = models.CharField(max_length=1, choices=AccessAction.choices)
    object_type = models.CharField(max_length=50)
    object_id = models.CharField(max_length=64, db_index=True)
    subject_pseudonym = models.CharField(max_length=64, blank=True, db_index=True)
    purpose = models.CharField(max_length=100)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    access_point = models.CharField(max_length=20)
    detail = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("inzage-logregel")
        verbose_name_plural = _("inzagelog")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_type} {self.outcome}"


class AuditEvent(AppendOnlyModel):
    """A write: who changed what, when, and the changed fields (no free text of signals)."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    municipality_id = models.BigIntegerField(null=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150)
    action = models.CharField(max_length=20)
    object_type = models.CharField(max_length=50)
    object_id = models.CharField(max_length=64, db_index=True)
    changes = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("audit-logregel")
        verbose_name_plural = _("auditlog")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_type}"

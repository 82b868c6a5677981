"""Append-only logs: AuditEvent for every write, AccessEvent for every read of personal data.

Both are hash-chained per municipality (ADR 0012, `chain.py`): saving a new row locks the
chain's head row (`ChainHead`, SELECT ... FOR UPDATE), takes the next sequence number and the
previous hash, and stores the row's own hash, all in the inserting transaction. On PostgreSQL
a trigger refuses UPDATE and DELETE of log rows (migration 0005).
"""

from __future__ import annotations

from typing import Any, ClassVar, NoReturn, cast

from django.conf import settings
from django.db import models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wijkregie.privacy import chain


class AppendOnlyError(RuntimeError):
    """Raised on any attempt to change or remove a log row."""


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Log rows are append-only.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("Log rows are append-only.")


class ChainedLogQuerySet(AppendOnlyQuerySet):
    def bulk_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Log rows are chained one by one; use create().")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Log rows are append-only.")


class AccessEventQuerySet(ChainedLogQuerySet):
    def mark_reviewed(self, *, by: Any, at: Any) -> int:
        """Set the review columns of flagged, unreviewed rows: the one permitted change."""
        unreviewed = self.filter(flagged=True, reviewed_at__isnull=True)
        return models.QuerySet.update(unreviewed, reviewed_at=at, reviewed_by=by)


class ChainHead(models.Model):
    """The last row written to one chain (one log table within one municipality).

    Writers lock this row while they append, so the chain stays linear under concurrent
    writers. `anchor_*` is where the chain starts once older rows are purged (retention).
    """

    table = models.CharField(max_length=40)
    municipality_id = models.BigIntegerField()  # 0: audit rows without a municipality
    seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=chain.GENESIS)
    anchor_seq = models.BigIntegerField(default=0)
    anchor_hash = models.CharField(max_length=64, default=chain.GENESIS)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["table", "municipality_id"], name="privacy_chain_head")
        ]

    def __str__(self) -> str:
        return f"{self.table} {self.municipality_id} #{self.seq}"


def lock_head(table: str, municipality_id: int, using: str) -> ChainHead:
    """The chain's head row, locked until the surrounding transaction ends (created if new)."""
    heads = ChainHead.objects.using(using).select_for_update()
    head = heads.filter(table=table, municipality_id=municipality_id).first()
    if head is None:
        # Two first writers may race here: the loser's insert is ignored, then it waits.
        ChainHead.objects.using(using).bulk_create(
            [ChainHead(table=table, municipality_id=municipality_id)], ignore_conflicts=True
        )
        head = heads.get(table=table, municipality_id=municipality_id)
    return head


class AppendOnlyModel(models.Model):
    """A row that is inserted once and never changed (also used by other apps' histories)."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Log rows are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Log rows are append-only.")


class ChainedLogModel(AppendOnlyModel):
    """A log row in its municipality's hash chain (the access and audit logs)."""

    HASHED_FIELDS: ClassVar[tuple[str, ...]] = ()

    chain_seq = models.BigIntegerField(null=True, editable=False)
    prev_hash = models.CharField(max_length=64, blank=True, editable=False)
    row_hash = models.CharField(max_length=64, blank=True, editable=False)

    objects = ChainedLogQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Log rows are append-only.")
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        table = self._meta.db_table
        with transaction.atomic(using=using):
            head = lock_head(table, self.chain_key, using)
            self.chain_seq = head.seq + 1
            self.prev_hash = head.last_hash
            self.row_hash = chain.row_hash(
                table,
                self.HASHED_FIELDS,
                self.hashed_values(),
                seq=self.chain_seq,
                prev_hash=self.prev_hash,
            )
            super().save(*args, **kwargs)
            ChainHead.objects.using(using).filter(pk=head.pk).update(
                seq=self.chain_seq, last_hash=self.row_hash
            )

    @property
    def chain_key(self) -> int:
        return int(getattr(self, "municipality_id", None) or 0)

    def hashed_values(self) -> dict[str, Any]:
        return {
            name: cast(models.Field[Any, Any], self._meta.get_field(name)).to_python(
                getattr(self, name)
            )
            for name in self.HASHED_FIELDS
        }


class AccessAction(models.TextChoices):
    CREATE = "C", _("Aanmaken")
    READ = "R", _("Inzien")
    UPDATE = "U", _("Wijzigen")
    DELETE = "D", _("Verwijderen")
    EXPORT = "E", _("Exporteren")


class Outcome(models.TextChoices):
    GRANTED = "granted", _("toegestaan")
    DENIED = "denied", _("geweigerd")


class AccessEvent(ChainedLogModel):
    """A read (or export) of personal data, granted or denied.

    `flagged` marks a read that needs the privacy officer's review (e.g. break-the-glass); the
    review sets `reviewed_at`/`reviewed_by` once (the only change the database allows) and
    leaves an audit row.
    """

    HASHED_FIELDS: ClassVar[tuple[str, ...]] = chain.ACCESS_FIELDS

    at = models.DateTimeField(default=timezone.now, db_index=True)
    municipality_id = models.BigIntegerField(db_index=True)
    # No database constraint: the log outlives accounts, and deleting a user must not touch it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
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
    flagged = models.BooleanField(default=False)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )

    objects = AccessEventQuerySet.as_manager()  # type: ignore[misc]  # a narrower queryset

    class Meta:
        verbose_name = _("inzage-logregel")
        verbose_name_plural = _("inzagelog")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["municipality_id", "chain_seq"], name="privacy_access_chain"),
            models.Index(fields=["municipality_id", "username", "at"], name="privacy_access_user"),
            models.Index(
                fields=["municipality_id", "at"],
                condition=models.Q(flagged=True, reviewed_at__isnull=True),
                name="privacy_access_to_review",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_type} {self.outcome}"


class AuditEvent(ChainedLogModel):
    """A write: who changed what, when, and the changed fields (no free text of signals)."""

    HASHED_FIELDS: ClassVar[tuple[str, ...]] = chain.AUDIT_FIELDS

    at = models.DateTimeField(default=timezone.now, db_index=True)
    municipality_id = models.BigIntegerField(null=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
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
        indexes = [
            models.Index(fields=["municipality_id", "chain_seq"], name="privacy_audit_chain"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_type}"

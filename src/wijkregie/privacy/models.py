"""Append-only logs: AuditEvent for every write, AccessEvent for every read of personal data.

Both are hash-chained per municipality (ADR 0012, `chain.py`): saving a new row locks the
chain's head row (`ChainHead`, SELECT ... FOR UPDATE), takes the next sequence number and the
previous hash, and stores the row's own hash, all in the inserting transaction. On PostgreSQL
a trigger refuses UPDATE and DELETE of log rows (migration 0005).
"""

from __future__ import annotations

import uuid as uuid_lib
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


# --- Retention and data-subject requests (ADR 0017) -------------------------------------------


class RetentionKind(models.TextChoices):
    SIGNALS = "signals", _("Signalen (standaard)")
    CATEGORY = "category", _("Signalen van een categorie")
    ACCESS_LOG = "access_log", _("Inzagelog")
    AUDIT_LOG = "audit_log", _("Auditlog")


class RetentionTerm(models.Model):
    """A retention term set by the municipality, next to the terms that live on their own
    objects (a sharing agreement's `retention_days`, a case type's `retention_years`).

    `category`: the term of the signals of that category (and its subcategories without a term
    of their own). `signals`: the default term of signals. The logs: their own term (default
    five years, `settings.LOG_RETENTION_DAYS`)."""

    municipality = models.ForeignKey(
        "tenants.Municipality", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("soort"), max_length=20, choices=RetentionKind.choices)
    category = models.ForeignKey(
        "signals.Category", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    days = models.PositiveIntegerField(_("bewaartermijn (dagen)"))
    legal_basis = models.CharField(_("grondslag vernietiging"), max_length=300)

    class Meta:
        verbose_name = _("bewaartermijn")
        verbose_name_plural = _("bewaartermijnen")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "kind", "category"],
                name="privacy_retention_term_unique",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.category_id or ''} {self.days}d"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.kind == RetentionKind.CATEGORY:
            if self.category is None:
                raise ValidationError({"category": _("Kies de categorie.")})
            if self.category.municipality_id != self.municipality_id:
                raise ValidationError(
                    {"category": _("De categorie hoort bij een andere gemeente.")}
                )
        elif self.category_id is not None:
            raise ValidationError(
                {"category": _("Alleen een termijn per categorie heeft een categorie.")}
            )
        if self.days < 1:
            raise ValidationError({"days": _("Een bewaartermijn is minstens één dag.")})


class RequestKind(models.TextChoices):
    ACCESS = "access", _("Inzage (art. 15)")
    RECTIFICATION = "rectification", _("Rectificatie (art. 16)")
    ERASURE = "erasure", _("Wissing (art. 17)")
    RESTRICTION = "restriction", _("Beperking (art. 18)")
    OBJECTION = "objection", _("Bezwaar (art. 21)")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("In behandeling")
    GRANTED = "granted", _("Toegewezen")
    PARTLY = "partly", _("Deels toegewezen")
    REFUSED = "refused", _("Afgewezen")


class ErasureMode(models.TextChoices):
    ANONYMISE = "anonymise", _("Signalen ontkoppelen en persoonsgegevens wissen")
    DELETE = "delete", _("Signalen over alleen deze betrokkene verwijderen")


class DataSubjectRequest(models.Model):
    """A request of a data subject (AVG art. 15-18, 21), handled by the privacy officer.

    The register holds no names or BSN: the subject is found (by pseudonym, BSN or address) when
    the request is registered, and kept as its pseudonym and kind, which survive an erasure.
    `requester_reference` is the number of the request in the municipality's own system (where
    the requester's identity and correspondence are kept)."""

    uuid = models.UUIDField(default=uuid_lib.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(
        "tenants.Municipality", on_delete=models.PROTECT, related_name="+"
    )
    reference = models.CharField(_("kenmerk"), max_length=20)
    kind = models.CharField(_("soort verzoek"), max_length=20, choices=RequestKind.choices)
    subject = models.ForeignKey(
        "subjects.Subject", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject_kind = models.CharField(max_length=10)
    subject_pseudonym = models.CharField(_("pseudoniem"), max_length=12)
    requester_reference = models.CharField(_("kenmerk in zaaksysteem"), max_length=50, blank=True)
    received_on = models.DateField(_("ontvangen op"))
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    erasure_mode = models.CharField(
        _("wijze van wissen"), max_length=10, choices=ErasureMode.choices, blank=True
    )
    decision_reason = models.TextField(_("motivering"), max_length=4000, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    carried_out_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("verzoek van betrokkene")
        verbose_name_plural = _("verzoeken van betrokkenen")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "reference"], name="privacy_request_reference"
            )
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def due_on(self) -> Any:
        """Art. 12(3): answer within one month (extendable; the officer records why)."""
        import datetime as dt

        return self.received_on + dt.timedelta(days=30)


class Restriction(models.Model):
    """Art. 18: processing of a subject (its whole merge cluster) is restricted: the data are
    kept, but the linker, the screening queue and case nomination skip the subject, and its page
    shows the restriction. Lifted, not deleted."""

    municipality = models.ForeignKey(
        "tenants.Municipality", on_delete=models.PROTECT, related_name="+"
    )
    subject = models.ForeignKey(
        "subjects.Subject", on_delete=models.CASCADE, related_name="restrictions"
    )
    request = models.ForeignKey(
        DataSubjectRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("reden"), max_length=500)
    started_at = models.DateTimeField(default=timezone.now)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("beperking van verwerking")
        verbose_name_plural = _("beperkingen van verwerking")
        indexes = [models.Index(fields=["municipality", "lifted_at"], name="privacy_restr_active")]

    def __str__(self) -> str:
        return f"{self.subject_id} {self.started_at:%Y-%m-%d}"


class Tombstone(models.Model):
    """What is left of a destroyed signal, subject or case: no content, only what the
    destruction list needs (type, id, dates, legal basis, the request if any)."""

    municipality_id = models.BigIntegerField(db_index=True)
    object_type = models.CharField(_("soort"), max_length=30)
    object_uuid = models.CharField(max_length=64)
    label = models.CharField(_("omschrijving"), max_length=100, blank=True)  # no personal data
    created_at = models.DateTimeField(_("aangemaakt"), null=True, blank=True)
    closed_at = models.DateTimeField(_("afgesloten"), null=True, blank=True)
    destroyed_at = models.DateTimeField(_("vernietigd"), default=timezone.now, db_index=True)
    legal_basis = models.CharField(_("grondslag"), max_length=300)
    request = models.ForeignKey(
        DataSubjectRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    derived = models.JSONField(_("afgeleide gegevens"), default=dict)  # counts per kind

    class Meta:
        verbose_name = _("vernietigingsrecord")
        verbose_name_plural = _("vernietigingslijst")
        ordering = ["-destroyed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.object_type} {self.object_uuid}"

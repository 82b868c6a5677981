"""Writing the logs. Both are called from services and access checks, never from templates."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models, router, transaction
from django.http import Http404
from django.utils import timezone

from wijkregie.privacy.models import AccessEvent, AuditEvent, Outcome

if TYPE_CHECKING:
    from wijkregie.tenants.access import Viewer


def _object_id(obj: models.Model | None, object_id: str | None) -> str:
    if object_id is not None:
        return object_id
    if obj is None:
        return ""
    return str(getattr(obj, "uuid", None) or obj.pk)


def audit(
    *,
    actor: Any,
    municipality_id: int | None,
    action: str,
    obj: models.Model | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    user = actor if getattr(actor, "pk", None) else None
    return AuditEvent.objects.create(
        municipality_id=municipality_id,
        user=user,
        username=getattr(actor, "username", "") or "system",
        action=action,
        object_type=object_type or (obj._meta.label_lower if obj is not None else ""),
        object_id=_object_id(obj, object_id),
        changes=changes or {},
    )


def log_access(
    *,
    viewer: Viewer,
    action: str,
    object_type: str,
    object_id: str,
    granted: bool,
    purpose: str,
    subject_pseudonym: str = "",
    organisation_id: int | None = None,
    detail: str = "",
    flagged: bool = False,
) -> AccessEvent:
    """Record one read of personal data. `organisation_id`: on whose behalf the viewer acted.

    `flagged=True` puts the read on the privacy officer's review list (break-the-glass and
    other reads outside the normal grounds); the flag is part of the row's hash.
    """
    if organisation_id is None and viewer.organisation_ids:
        organisation_id = min(viewer.organisation_ids)
    return AccessEvent.objects.create(
        municipality_id=viewer.municipality_id,
        user=viewer.user,
        username=viewer.user.username,
        on_behalf_of="",
        organisation_id=organisation_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        subject_pseudonym=subject_pseudonym,
        purpose=purpose,
        outcome=Outcome.GRANTED if granted else Outcome.DENIED,
        access_point=viewer.access_point,
        detail=detail[:200],
        flagged=flagged,
    )


def review_access_event(*, viewer: Viewer, event_id: int) -> AccessEvent:
    """The privacy officer marks a flagged read as reviewed (once); an audit row records it.

    404 for an event of another municipality, one that is not flagged or already reviewed.
    """
    with transaction.atomic():
        events = AccessEvent.objects.filter(pk=event_id, municipality_id=viewer.municipality_id)
        if not events.mark_reviewed(by=viewer.user, at=timezone.now()):
            raise Http404
        event = events.get()
        audit(
            actor=viewer.user,
            municipality_id=viewer.municipality_id,
            action="access_review",
            object_type="privacy.accessevent",
            object_id=str(event.pk),
            changes={"reviewed": [None, event.row_hash]},
        )
    return event


def log_access_many(
    *,
    viewer: Viewer,
    action: str,
    object_type: str,
    object_ids: list[str],
    purpose: str,
    detail: str = "",
    organisation_id: int | None = None,
) -> int:
    """Record one granted read per object, like `log_access` called for each, but under one
    lock of the chain head with one INSERT and one head update (a list page that shows many
    cases). The rows and their hashes are exactly those that single writes would give."""
    from wijkregie.privacy import chain
    from wijkregie.privacy.models import ChainHead, lock_head

    if not object_ids:
        return 0
    if organisation_id is None and viewer.organisation_ids:
        organisation_id = min(viewer.organisation_ids)
    rows = [
        AccessEvent(
            municipality_id=viewer.municipality_id,
            user=viewer.user,
            username=viewer.user.username,
            on_behalf_of="",
            organisation_id=organisation_id,
            action=action,
            object_type=object_type,
            object_id=object_id,
            subject_pseudonym="",
            purpose=purpose,
            outcome=Outcome.GRANTED,
            access_point=viewer.access_point,
            detail=detail[:200],
            flagged=False,
        )
        for object_id in object_ids
    ]
    using = router.db_for_write(AccessEvent)
    table = AccessEvent._meta.db_table
    with transaction.atomic(using=using):
        head = lock_head(table, rows[0].chain_key, using)
        seq, last = head.seq, head.last_hash
        for row in rows:
            seq += 1
            row.chain_seq, row.prev_hash = seq, last
            row.row_hash = chain.row_hash(
                table, AccessEvent.HASHED_FIELDS, row.hashed_values(), seq=seq, prev_hash=last
            )
            last = row.row_hash
        # The chained queryset refuses bulk_create (rows must be chained); these are.
        models.QuerySet.bulk_create(AccessEvent.objects.using(using).all(), rows)
        ChainHead.objects.using(using).filter(pk=head.pk).update(seq=seq, last_hash=last)
    return len(rows)

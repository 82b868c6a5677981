"""Requesting generated documents: validate, audit, create the row, queue the work on commit.

The work itself (rendering, storing the file) is in tasks.py.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wijkregie.analysis.profile_selectors import MAX_MONTHS, ProfileArea
from wijkregie.documents import tasks
from wijkregie.documents.access import may_request_documents
from wijkregie.documents.models import (
    ACTIVE_STATUSES,
    DocumentKind,
    DocumentStatus,
    GeneratedDocument,
)
from wijkregie.privacy.services import audit
from wijkregie.tenants.access import Viewer

EARLIEST = dt.date(2000, 1, 1)


def request_key(kind: str, area_code: str, parameters: dict[str, Any]) -> str:
    """What makes two requests the same document (for one requester)."""
    text = json.dumps([kind, area_code, parameters], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _months(start: dt.date, end: dt.date) -> int:
    last = end - dt.timedelta(days=1)
    return (last.year - start.year) * 12 + last.month - start.month + 1


def validate_period(start: dt.date | None, end: dt.date | None) -> None:
    """[start, end) with end exclusive. Every problem at once, in Dutch, with stable codes."""
    errors: dict[str, list[ValidationError]] = {}

    def add(field: str, message: Any, code: str) -> None:
        errors.setdefault(field, []).append(ValidationError(message, code=code))

    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    if start is None:
        add("start", _("Vul de begindatum in."), "required")
    elif start < EARLIEST:
        add("start", _("Kies een begindatum vanaf 1 januari 2000."), "too_early")
    if end is None:
        add("end", _("Vul de einddatum in."), "required")
    elif end > tomorrow:
        add("end", _("De einddatum mag niet in de toekomst liggen."), "future")
    if start is not None and end is not None:
        if start >= end:
            add("end", _("De einddatum moet op of na de begindatum liggen."), "before_start")
        elif _months(start, end) > MAX_MONTHS:
            add("start", _("Kies een periode van hoogstens drie jaar."), "too_long")
    if errors:
        raise ValidationError(errors)


def request_area_report(
    *, viewer: Viewer, area: ProfileArea, start: dt.date, end: dt.date
) -> tuple[GeneratedDocument, bool]:
    """Queue an area report of `area` over [start, end) (end exclusive) for the viewer.

    `area` comes from `analysis.profile_selectors.access_profile_area(viewer, code)`, so it is
    in the viewer's municipality. Returns (document, created): an identical report that is
    still queued or running for this viewer is returned instead of a second one.
    """
    if not may_request_documents(viewer):
        raise ValidationError(_("U mag geen rapportages aanvragen."), code="forbidden")
    validate_period(start, end)
    parameters = {"start": start.isoformat(), "end": end.isoformat()}
    key = request_key(DocumentKind.AREA_REPORT, area.code, parameters)
    with transaction.atomic():
        existing = _active(viewer, key)
        if existing is not None:
            return existing, False
        document = GeneratedDocument(
            municipality_id=viewer.municipality_id,
            requested_by=viewer.user,
            kind=DocumentKind.AREA_REPORT,
            area_code=area.code,
            area_name=area.name[:200],
            parameters=parameters,
            request_key=key,
            status=DocumentStatus.QUEUED,
        )
        document.full_clean()
        try:
            with transaction.atomic():
                document.save()
        except IntegrityError:
            # A parallel request for the same report won the race: use that one.
            winner = _active(viewer, key)
            if winner is None:
                raise
            return winner, False
        audit(
            actor=viewer.user,
            municipality_id=viewer.municipality_id,
            action="documents.request",
            obj=document,
            changes={
                "kind": document.kind,
                "area": area.code,
                "area_kind": area.kind,
                **parameters,
            },
        )
        tasks.enqueue_on_commit(document)
    return document, True


def _active(viewer: Viewer, key: str) -> GeneratedDocument | None:
    return (
        GeneratedDocument.objects.select_for_update()
        .filter(
            municipality_id=viewer.municipality_id,
            requested_by_id=viewer.user.pk,
            request_key=key,
            status__in=ACTIVE_STATUSES,
        )
        .first()
    )


def document_retry(
    *, viewer: Viewer, document: GeneratedDocument
) -> tuple[GeneratedDocument, bool]:
    """Queue a failed document again, or one whose worker died (stale heartbeat).

    Returns (document, queued). A live or finished document is left alone; when the same
    report was requested anew meanwhile, that one is returned instead.
    """
    with transaction.atomic():
        locked = GeneratedDocument.objects.select_for_update().get(pk=document.pk)
        stale = tasks.is_stale(locked)
        if locked.status != DocumentStatus.FAILED and not stale:
            return locked, False
        if locked.status == DocumentStatus.FAILED:
            other = _active(viewer, locked.request_key)
            if other is not None:
                return other, False
            locked.status = DocumentStatus.QUEUED
            locked.error = ""
            locked.finished_at = None
            locked.save(update_fields=["status", "error", "finished_at"])
        audit(
            actor=viewer.user,
            municipality_id=viewer.municipality_id,
            action="documents.retry",
            obj=locked,
            changes={"previous_status": "running" if stale else "failed"},
        )
        tasks.enqueue_on_commit(locked)
    return locked, True

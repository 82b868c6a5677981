"""Requesting generated documents: validate, audit, create the row, queue the work on commit.

The work itself (rendering, storing the file) is in tasks.py.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

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
logger = logging.getLogger(__name__)


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


# ---------------------------------------------------------------------------------------------
# Retention: `wijkregie purge-documents`


def retention_days() -> int:
    return int(getattr(settings, "DOCUMENT_RETENTION_DAYS", 30))


@dataclass
class PurgeResult:
    """What a purge removed (or, in a dry run, would remove)."""

    cutoff: dt.datetime
    dry_run: bool
    documents: int = 0  # rows deleted
    by_status: Counter[str] = field(default_factory=Counter)
    files: int = 0  # finished files and leftover .part files deleted
    orphans: int = 0  # files under documents/ without a row, older than the cutoff
    tasks: int = 0  # django-tasks result rows of generate_document (finished or stale claims)
    kept_running: int = 0  # older than the cutoff but still being made: left alone

    def summary(self) -> str:
        statuses = " ".join(f"{k}={v}" for k, v in sorted(self.by_status.items()))
        prefix = "dry-run " if self.dry_run else ""
        return (
            f"{prefix}documents={self.documents}"
            + (f" ({statuses})" if statuses else "")
            + f" files={self.files} orphans={self.orphans} tasks={self.tasks}"
            + f" kept_running={self.kept_running} cutoff={self.cutoff.isoformat()}"
        )


def _document_paths(document: GeneratedDocument) -> list[Path]:
    """The file and its temporary twin (a crash may have left `<uuid>.pdf.part`)."""
    relative = document.file_path or tasks.document_relative_path(document)
    path = tasks.media_path(relative)
    return [path, path.with_name(path.name + ".part")]


def _unlink(path: Path, dry_run: bool) -> bool:
    if not path.is_file():
        return False
    if not dry_run:
        path.unlink(missing_ok=True)
    return True


def purge_documents(
    *, days: int | None = None, now: dt.datetime | None = None, dry_run: bool = False
) -> PurgeResult:
    """Delete generated documents requested more than `days` (default the setting
    DOCUMENT_RETENTION_DAYS) before `now`, with their files; idempotent.

    - Every status goes: done (file and row), failed, queued and running whose worker stopped
      reporting (a stale claim: `.part` leftovers too). A running document with a fresh
      heartbeat is being made right now and is kept until a later run.
    - Per document, under a row lock: the files first, then the row, so an interrupted purge
      leaves at most a row without a file (a 404 on download), which the next run removes.
    - Files under MEDIA_ROOT/documents/ without a row and older than the cutoff (by mtime) are
      deleted too, as are the django-tasks results of `generate_document` that finished or
      were claimed (running) before the cutoff.
    - One audit event per municipality with the counts (nothing is audited in a dry run).
    """
    now = now or timezone.now()
    days = retention_days() if days is None else days
    if days < 0:
        raise ValueError("days must be >= 0")
    cutoff = now - dt.timedelta(days=days)
    result = PurgeResult(cutoff=cutoff, dry_run=dry_run)
    per_municipality: Counter[int] = Counter()
    old = GeneratedDocument.objects.filter(created_at__lt=cutoff).order_by("id")
    for pk in list(old.values_list("id", flat=True)):
        with transaction.atomic():
            document = (
                GeneratedDocument.objects.select_for_update()
                .filter(pk=pk, created_at__lt=cutoff)
                .first()
            )
            if document is None:
                continue  # gone meanwhile
            if document.status == DocumentStatus.RUNNING and not tasks.is_stale(document, now):
                result.kept_running += 1
                continue
            result.files += sum(_unlink(p, dry_run) for p in _document_paths(document))
            result.documents += 1
            result.by_status[document.status] += 1
            per_municipality[document.municipality_id] += 1
            if not dry_run:
                document.delete()
    result.orphans = _purge_orphans(cutoff, dry_run)
    result.tasks = _purge_task_results(cutoff, dry_run)
    if not dry_run:
        for municipality_id, count in sorted(per_municipality.items()):
            audit(
                actor=None,
                municipality_id=municipality_id,
                action="documents.purge",
                object_type="documents.generateddocument",
                object_id="",
                changes={"deleted": count, "cutoff": cutoff.isoformat(), "days": days},
            )
    logger.info("purge-documents: %s", result.summary())
    return result


def _purge_orphans(cutoff: dt.datetime, dry_run: bool) -> int:
    """Files under documents/ that no row points at, last written before the cutoff."""
    root = tasks.media_path(tasks.DOCUMENT_DIR)
    if not root.is_dir():
        return 0
    known = {
        str(tasks.media_path(relative))
        for relative in GeneratedDocument.objects.exclude(file_path="").values_list(
            "file_path", flat=True
        )
    }
    live = {
        str(path)
        for document in GeneratedDocument.objects.filter(status__in=ACTIVE_STATUSES)
        for path in _document_paths(document)
    }
    removed = 0
    limit = cutoff.timestamp()
    for path in sorted(root.rglob("*")):
        if not path.is_file() or str(path) in known or str(path) in live:
            continue
        if path.stat().st_mtime >= limit:
            continue
        removed += int(_unlink(path, dry_run))
    return removed


def _purge_task_results(cutoff: dt.datetime, dry_run: bool) -> int:
    """django-tasks database rows of `generate_document`: finished (successful or failed)
    before the cutoff, or claimed (running) before it and so long dead."""
    rows = DBTaskResult.objects.filter(task_path=tasks.generate_document.module_path).filter(
        Q(
            status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED],
            finished_at__lt=cutoff,
        )
        | Q(status=TaskResultStatus.RUNNING, started_at__lt=cutoff)
    )
    if dry_run:
        return rows.count()
    deleted, _ = rows.delete()
    return deleted

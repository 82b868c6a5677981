"""Generating a document in the background (django-tasks, database backend; see ADR 0004/0005).

State of a document:
    queued                      requested, waiting for a worker
    running                     a worker claimed it (exactly one: see `_claim`) and writes a
                                heartbeat as it goes
    running, heartbeat stale    the worker died: the requester may retry it
    done                        the file is complete at `file_path` (size and SHA-256 stored)
    failed                      with a Dutch message for the requester

Idempotent: the file has a fixed name (the document's uuid) and is written to a fixed
temporary name next to it, flushed to disk and renamed over the final name in one step. A
retry, a doubled task or a crash halfway therefore never leaves two files or half a file: a
second run of a finished document does nothing, and a rerun after a crash overwrites the
temporary file and renames again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from wijkregie.analysis.profile_selectors import area_profile
from wijkregie.documents import pdf
from wijkregie.documents.access import may_request_documents
from wijkregie.documents.models import DocumentKind, DocumentStatus, GeneratedDocument
from wijkregie.tenants.access import viewer_for
from wijkregie.tenants.models import Municipality

logger = logging.getLogger(__name__)

DOCUMENT_DIR = "documents"
UNEXPECTED = _(
    "Het maken van de rapportage is onverwacht mislukt. Probeer het opnieuw; blijft het "
    "misgaan, neem dan contact op met de functioneel beheerder."
)
NOT_ALLOWED = _(
    "U mag deze rapportage niet meer laten maken: uw rechten of uw gemeente zijn gewijzigd."
)
AREA_GONE = _("Het gebied van deze rapportage bestaat niet meer.")
UNKNOWN_KIND = _("Dit soort document kan Wijkregie niet maken.")


def _dutch(message: Any) -> str:
    """Stored messages are Dutch, like the documents."""
    with translation.override("nl"):
        return str(message)


def stale_after() -> dt.timedelta:
    return dt.timedelta(seconds=int(getattr(settings, "DOCUMENT_STALE_SECONDS", 600)))


def is_stale(document: GeneratedDocument, now: dt.datetime | None = None) -> bool:
    """A running document whose worker has not reported for longer than the stale time."""
    if document.status != DocumentStatus.RUNNING:
        return False
    last = document.heartbeat_at or document.started_at
    return last is None or (now or timezone.now()) - last > stale_after()


def media_path(relative: str) -> Path:
    """An absolute path under MEDIA_ROOT; refuses anything that would leave it."""
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / relative).resolve()
    if root not in path.parents:
        raise ValueError(relative)
    return path


def document_relative_path(document: GeneratedDocument) -> str:
    return f"{DOCUMENT_DIR}/{document.municipality_id}/{document.uuid}.pdf"


def document_file(document: GeneratedDocument) -> Path | None:
    """The finished file of a done document, or None."""
    if document.status != DocumentStatus.DONE or not document.file_path:
        return None
    path = media_path(document.file_path)
    return path if path.is_file() else None


def enqueue_on_commit(document: GeneratedDocument) -> None:
    document_uuid = str(document.uuid)
    transaction.on_commit(lambda: generate_document.enqueue(document_uuid))


def _claim(document_uuid: str) -> GeneratedDocument | None:
    """Move a queued document (or one whose worker died) to running. Only one worker wins; a
    doubled or retried task finds it running or finished and does nothing."""
    with transaction.atomic():
        document = (
            GeneratedDocument.objects.select_for_update(of=("self",))
            .select_related("requested_by")
            .filter(uuid=document_uuid)
            .first()
        )
        if document is None:
            return None
        if not (document.status == DocumentStatus.QUEUED or is_stale(document)):
            return None
        now = timezone.now()
        document.status = DocumentStatus.RUNNING
        document.started_at = now
        document.heartbeat_at = now
        document.attempts += 1
        document.save(update_fields=["status", "started_at", "heartbeat_at", "attempts"])
    return document


def _heartbeat(document: GeneratedDocument) -> None:
    GeneratedDocument.objects.filter(pk=document.pk).update(heartbeat_at=timezone.now())


def _fail(document: GeneratedDocument, message: Any) -> GeneratedDocument:
    document.status = DocumentStatus.FAILED
    document.error = _dutch(message)
    document.finished_at = timezone.now()
    document.save(update_fields=["status", "error", "finished_at"])
    return document


def _write_atomically(path: Path, render: Any) -> tuple[int, str, int]:
    """Render into `path.part`, flush it to disk and rename it over `path`.

    Returns (size, sha256, pages). The temporary name is fixed, so a rerun after a crash
    overwrites the leftover instead of adding a file.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = path.with_name(path.name + ".part")
    try:
        with partial.open("wb") as out:
            pages = render(out)
            out.flush()
            os.fsync(out.fileno())
        partial.chmod(0o600)
        digest = hashlib.sha256()
        with partial.open("rb") as done:
            for chunk in iter(lambda: done.read(1 << 16), b""):
                digest.update(chunk)
        size = partial.stat().st_size
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # the rename itself survives a power cut
    finally:
        os.close(directory)
    return size, digest.hexdigest(), pages


def _render_area_report(document: GeneratedDocument, out: Any) -> int:
    # The figures as the requester may see them now: suppression follows that viewer.
    viewer = viewer_for(document.requested_by, access_point="task")
    if (
        viewer is None
        or viewer.municipality_id != document.municipality_id
        or not may_request_documents(viewer)
    ):
        raise _Refused(NOT_ALLOWED)
    try:
        profile = area_profile(
            viewer=viewer,
            area=document.area_code,
            start=dt.date.fromisoformat(document.parameters["start"]),
            end=dt.date.fromisoformat(document.parameters["end"]),
        )
    except Http404 as exc:
        raise _Refused(AREA_GONE) from exc
    _heartbeat(document)
    municipality = Municipality.objects.get(pk=document.municipality_id)
    return pdf.render_area_report(
        profile,
        out,
        municipality=municipality.name,
        generated_at=timezone.localtime(),
    )


class _Refused(Exception):
    """The document cannot be made, for a reason the requester should read."""

    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = message


def _render_case_plan(document: GeneratedDocument, out: Any) -> int:
    # The printable plan of action of a case (cases/plan_pdf.py, ADR 0020).
    from wijkregie.cases.plan_pdf import render_for_document

    return render_for_document(document, out, _Refused)


RENDERERS: dict[str, Any] = {
    DocumentKind.AREA_REPORT: _render_area_report,
    DocumentKind.CASE_PLAN: _render_case_plan,
}


def document_run(*, document_uuid: str) -> GeneratedDocument | None:
    """Make a queued document. Failures end as a failed document with a Dutch message."""
    document = _claim(document_uuid)
    if document is None:
        return None
    relative = document_relative_path(document)
    renderer = RENDERERS.get(document.kind)
    if renderer is None:
        return _fail(document, UNKNOWN_KIND)
    try:
        size, sha256, pages = _write_atomically(
            media_path(relative), lambda out: renderer(document, out)
        )
    except _Refused as exc:
        logger.warning("document %s refused: %s", document.uuid, exc)
        return _fail(document, exc.message)
    except Exception:
        logger.exception("document %s failed", document.uuid)
        return _fail(document, UNEXPECTED)
    document.status = DocumentStatus.DONE
    document.file_path = relative
    document.size = size
    document.sha256 = sha256
    document.pages = pages
    document.error = ""
    document.finished_at = timezone.now()
    document.save(
        update_fields=["status", "file_path", "size", "sha256", "pages", "error", "finished_at"]
    )
    return document


@task()
def generate_document(document_uuid: str) -> None:
    # A document is Dutch, whatever language the requester's screen was in.
    with translation.override("nl"):
        document_run(document_uuid=document_uuid)


__all__ = [
    "document_file",
    "document_run",
    "enqueue_on_commit",
    "generate_document",
    "is_stale",
]

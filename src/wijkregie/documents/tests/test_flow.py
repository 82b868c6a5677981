"""Request -> background task -> finished PDF, with the real selector on the persona world."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from pypdf import PdfReader

from wijkregie.analysis.profile_selectors import access_profile_area
from wijkregie.documents import services, tasks
from wijkregie.documents.models import DocumentStatus, GeneratedDocument
from wijkregie.privacy.models import AuditEvent
from wijkregie.tenants.access import Viewer, viewer_for
from wijkregie.testing.personas import World

Capture = Callable[..., Any]


def viewer_of(world: World, persona: str) -> Viewer:
    viewer = viewer_for(world.users[persona])
    assert viewer is not None
    return viewer


def period() -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    return today - dt.timedelta(days=90), today + dt.timedelta(days=1)


def request(world: World, persona: str, area: str = "BU99990101") -> tuple[GeneratedDocument, bool]:
    viewer = viewer_of(world, persona)
    start, end = period()
    return services.request_area_report(
        viewer=viewer, area=access_profile_area(viewer, area), start=start, end=end
    )


def pdf_text(path: Path) -> str:
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return "\n".join(page.extract_text() for page in reader.pages)


def document_files(media: Path) -> list[Path]:
    root = media / "documents"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_request_runs_in_the_background_and_stores_one_pdf(
    world: World, media: Path, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        document, created = request(world, "regisseur")
    assert created and len(callbacks) == 1
    document.refresh_from_db()
    assert document.status == DocumentStatus.DONE, document.error
    assert document.attempts == 1
    assert document.started_at is not None and document.finished_at is not None
    path = media / document.file_path
    assert document.file_path == f"documents/{world.gm.pk}/{document.uuid}.pdf"
    assert document_files(media) == [path]
    data = path.read_bytes()
    assert data.startswith(b"%PDF-")
    assert document.size == len(data)
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    assert document.pages == len(PdfReader(io.BytesIO(data)).pages) >= 3
    text = pdf_text(path)
    assert "Buurt 1 (BU99990101)" in text and "Demodam" in text
    assert "Signalen per maand" in text
    # The regisseur has need-to-know: no suppression.
    assert "< 5" not in text
    event = AuditEvent.objects.get(action="documents.request", object_id=str(document.uuid))
    assert event.changes["area"] == "BU99990101" and event.changes["start"] == str(period()[0])


def test_an_analyst_gets_small_counts_suppressed(
    world: World, media: Path, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        document, _ = request(world, "analist", area=str(world.focus.uuid))
    document.refresh_from_db()
    assert document.status == DocumentStatus.DONE, document.error
    text = pdf_text(media / document.file_path)
    assert "Focusgebied Noord" in text
    # The analyst sees one signal in Noord (police_shared): a count of 1 is suppressed.
    assert "< 5" in text
    assert "staat als „< 5”" in text


def test_identical_request_while_queued_is_reused(
    world: World, media: Path, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first, created_first = request(world, "regisseur")
        second, created_second = request(world, "regisseur")
        # Another person, or another area, is another document.
        other_person, created_other = request(world, "wijkagent")
        other_area, created_area = request(world, "regisseur", area="WK999901")
    assert created_first and not created_second and created_other and created_area
    assert second.pk == first.pk
    assert len(callbacks) == 3
    assert GeneratedDocument.objects.count() == 3
    assert AuditEvent.objects.filter(action="documents.request").count() == 3
    assert other_person.pk != first.pk and other_area.pk != first.pk


def test_running_the_task_twice_gives_one_file(
    world: World, media: Path, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        document, _ = request(world, "regisseur")
    first = tasks.document_run(document_uuid=str(document.uuid))
    second = tasks.document_run(document_uuid=str(document.uuid))
    assert first is not None and first.status == DocumentStatus.DONE
    assert second is None  # already done: the doubled task does nothing
    document.refresh_from_db()
    assert document.attempts == 1
    assert document_files(media) == [media / document.file_path]


def test_a_crash_halfway_is_retried_into_one_complete_file(
    world: World, media: Path, settings: Any, django_capture_on_commit_callbacks: Capture
) -> None:
    settings.DOCUMENT_STALE_SECONDS = 60
    with django_capture_on_commit_callbacks(execute=False):
        document, _ = request(world, "regisseur")
    # A worker claimed it, wrote half a file and died (no heartbeat since).
    final = tasks.media_path(tasks.document_relative_path(document))
    final.parent.mkdir(parents=True)
    partial = final.with_name(final.name + ".part")
    partial.write_bytes(b"%PDF-1.4 half")
    long_ago = timezone.now() - dt.timedelta(minutes=5)
    GeneratedDocument.objects.filter(pk=document.pk).update(
        status=DocumentStatus.RUNNING, started_at=long_ago, heartbeat_at=long_ago, attempts=1
    )
    document.refresh_from_db()
    assert tasks.is_stale(document)
    # The requester retries; the rerun replaces the leftover and finishes.
    with django_capture_on_commit_callbacks(execute=True):
        _doc, queued = services.document_retry(
            viewer=viewer_of(world, "regisseur"), document=document
        )
    assert queued
    document.refresh_from_db()
    assert document.status == DocumentStatus.DONE, document.error
    assert document.attempts == 2
    assert document_files(media) == [final]
    assert final.read_bytes().startswith(b"%PDF-") and len(final.read_bytes()) == document.size
    assert AuditEvent.objects.filter(
        action="documents.retry", object_id=str(document.uuid)
    ).exists()


def test_a_live_running_document_is_not_claimed_twice(
    world: World, media: Path, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        document, _ = request(world, "regisseur")
    GeneratedDocument.objects.filter(pk=document.pk).update(
        status=DocumentStatus.RUNNING, started_at=timezone.now(), heartbeat_at=timezone.now()
    )
    assert tasks.document_run(document_uuid=str(document.uuid)) is None
    document.refresh_from_db()
    _doc, queued = services.document_retry(viewer=viewer_of(world, "regisseur"), document=document)
    assert not queued
    assert document_files(media) == []


def test_failure_is_stored_in_dutch_and_can_be_retried(
    world: World, media: Path, django_capture_on_commit_callbacks: Capture
) -> None:
    # MEDIA_ROOT/documents is a file: the directory cannot be made (a full or broken disk).
    media.mkdir(parents=True)
    (media / "documents").write_bytes(b"")
    with django_capture_on_commit_callbacks(execute=True):
        document, _ = request(world, "regisseur")
    document.refresh_from_db()
    assert document.status == DocumentStatus.FAILED
    assert document.error.startswith("Het maken van de rapportage is onverwacht mislukt.")
    assert document.file_path == "" and document.size is None
    # Fixed, then retried: done.
    (media / "documents").unlink()
    with django_capture_on_commit_callbacks(execute=True):
        _doc, queued = services.document_retry(
            viewer=viewer_of(world, "regisseur"), document=document
        )
    assert queued
    document.refresh_from_db()
    assert document.status == DocumentStatus.DONE and document.error == ""
    assert document_files(media) == [media / document.file_path]


def test_requester_who_lost_the_role_gets_a_failed_document(
    world: World, media: Path, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        document, _ = request(world, "wijkagent")
    world.users["wijkagent"].memberships.all().delete()
    tasks.document_run(document_uuid=str(document.uuid))
    document.refresh_from_db()
    assert document.status == DocumentStatus.FAILED
    assert "uw rechten of uw gemeente zijn gewijzigd" in document.error
    assert document_files(media) == []


def test_area_removed_before_the_worker_ran(
    world: World, media: Path, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        document, _ = request(world, "regisseur", area=str(world.focus.uuid))
    world.focus.delete()
    tasks.document_run(document_uuid=str(document.uuid))
    document.refresh_from_db()
    assert document.status == DocumentStatus.FAILED
    assert document.error == "Het gebied van deze rapportage bestaat niet meer."


@pytest.mark.parametrize(
    ("start", "end", "errors"),
    [
        (dt.date(2026, 3, 1), dt.date(2026, 3, 1), {"end": ["before_start"]}),
        (dt.date(2020, 1, 1), dt.date(2024, 1, 1), {"start": ["too_long"]}),
        (
            dt.date(1999, 1, 1),
            dt.date(2099, 1, 1),
            {"start": ["too_early", "too_long"], "end": ["future"]},
        ),
    ],
)
def test_invalid_periods_are_refused_all_at_once(
    world: World, media: Path, start: dt.date, end: dt.date, errors: dict[str, list[str]]
) -> None:
    viewer = viewer_of(world, "regisseur")
    with pytest.raises(ValidationError) as info:
        services.request_area_report(
            viewer=viewer, area=access_profile_area(viewer, "BU99990101"), start=start, end=end
        )
    codes = {field: [e.code for e in errs] for field, errs in info.value.error_dict.items()}
    assert codes == errors
    assert GeneratedDocument.objects.count() == 0


def test_the_database_allows_one_active_document_per_request(world: World) -> None:
    """The constraint behind the reuse: it holds when two requests race past the lookup."""
    from django.db import IntegrityError, transaction

    def row(status: str) -> GeneratedDocument:
        return GeneratedDocument.objects.create(
            municipality=world.gm,
            requested_by=world.users["regisseur"],
            kind="area_report",
            area_code="BU99990101",
            area_name="Buurt 1",
            parameters={},
            request_key="same",
            status=status,
        )

    row(DocumentStatus.DONE)
    row(DocumentStatus.FAILED)
    row(DocumentStatus.QUEUED)
    with pytest.raises(IntegrityError), transaction.atomic():
        row(DocumentStatus.RUNNING)
    assert GeneratedDocument.objects.count() == 3

"""Retention: `wijkregie purge-documents` deletes exactly the documents older than the term,
with their files, and the old results of the generating task; idempotent; a dry run only
counts. The clock is frozen by passing `now` into the service."""

from __future__ import annotations

import datetime as dt
import io
import os
import uuid as uuidlib
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from wijkregie.documents import services, tasks
from wijkregie.documents.models import DocumentKind, DocumentStatus, GeneratedDocument
from wijkregie.privacy.models import AuditEvent
from wijkregie.testing.personas import World

NOW = dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC)  # the frozen clock
DAY = dt.timedelta(days=1)


def make_document(
    world: World,
    media: Path,
    *,
    age: dt.timedelta,
    status: str,
    heartbeat_age: dt.timedelta | None = None,
    file: bool = False,
    part: bool = False,
) -> GeneratedDocument:
    document = GeneratedDocument.objects.create(
        municipality=world.gm,
        requested_by=world.users["regisseur"],
        kind=DocumentKind.AREA_REPORT,
        area_code="BU99990101",
        area_name="Buurt 1",
        parameters={"start": "2026-01-01", "end": "2026-07-01", "n": str(uuidlib.uuid4())},
        request_key=uuidlib.uuid4().hex,
        status=status,
    )
    relative = tasks.document_relative_path(document)
    path = media / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if file:
        path.write_bytes(b"%PDF-1.4 test")
    if part:
        path.with_name(path.name + ".part").write_bytes(b"%PDF-half")
    created = NOW - age
    GeneratedDocument.objects.filter(pk=document.pk).update(
        created_at=created,
        file_path=relative if file else "",
        started_at=created if status != DocumentStatus.QUEUED else None,
        heartbeat_at=(NOW - heartbeat_age) if heartbeat_age is not None else None,
    )
    document.refresh_from_db()
    return document


def task_result(status: str, age: dt.timedelta, path: str | None = None) -> DBTaskResult:
    at = NOW - age
    return DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": [str(uuidlib.uuid4())], "kwargs": {}},
        task_path=path or tasks.generate_document.module_path,
        backend_name="default",
        run_after=at,
        started_at=at if status != TaskResultStatus.READY else None,
        finished_at=at
        if status in (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED)
        else None,
    )


def files_under(media: Path) -> set[str]:
    root = media / "documents"
    return {str(p.relative_to(media)) for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def scene(world: World, media: Path) -> dict[str, Any]:
    old, young = 40 * DAY, 10 * DAY
    docs = {
        "done_old": make_document(world, media, age=old, status="done", file=True),
        "done_young": make_document(world, media, age=young, status="done", file=True),
        "failed_old": make_document(world, media, age=old, status="failed", part=True),
        "failed_young": make_document(world, media, age=young, status="failed"),
        "stale_old": make_document(
            world, media, age=old, status="running", heartbeat_age=old, part=True
        ),
        "live_old": make_document(
            world,
            media,
            age=old,
            status="running",
            heartbeat_age=dt.timedelta(seconds=5),
            part=True,
        ),
        "queued_old": make_document(world, media, age=old, status="queued"),
        # Exactly at the cutoff is not older than the term.
        "done_at_cutoff": make_document(world, media, age=30 * DAY, status="done", file=True),
    }
    orphan_old = media / "documents" / str(world.gm.pk) / f"{uuidlib.uuid4()}.pdf"
    orphan_old.write_bytes(b"%PDF-orphan")
    stamp = (NOW - old).timestamp()
    os.utime(orphan_old, (stamp, stamp))
    orphan_new = media / "documents" / str(world.gm.pk) / f"{uuidlib.uuid4()}.pdf"
    orphan_new.write_bytes(b"%PDF-orphan")
    stamp = (NOW - DAY).timestamp()
    os.utime(orphan_new, (stamp, stamp))
    results = {
        "failed_old": task_result(TaskResultStatus.FAILED, old),
        "running_old": task_result(TaskResultStatus.RUNNING, old),
        "successful_old": task_result(TaskResultStatus.SUCCESSFUL, old),
        "successful_young": task_result(TaskResultStatus.SUCCESSFUL, young),
        "ready_old": task_result(TaskResultStatus.READY, old),
        "other_task_failed_old": task_result(
            TaskResultStatus.FAILED, old, path="wijkregie.subjects.tasks.relink_request"
        ),
    }
    return {"docs": docs, "orphan_old": orphan_old, "orphan_new": orphan_new, "results": results}


def test_exactly_the_old_documents_and_their_files_go(
    world: World, media: Path, scene: dict[str, Any]
) -> None:
    docs: dict[str, GeneratedDocument] = scene["docs"]
    before = files_under(media)
    result = services.purge_documents(now=NOW, days=30)
    gone = {"done_old", "failed_old", "stale_old", "queued_old"}
    kept = set(docs) - gone
    remaining = set(GeneratedDocument.objects.values_list("uuid", flat=True))
    assert remaining == {docs[k].uuid for k in kept}
    assert result.documents == 4
    assert dict(result.by_status) == {"done": 1, "failed": 1, "running": 1, "queued": 1}
    assert result.kept_running == 1  # live_old: its worker is still at it
    # The files of the deleted documents are gone from disk, the others are untouched.
    deleted_files = {
        docs["done_old"].file_path,
        tasks.document_relative_path(docs["failed_old"]) + ".part",
        tasks.document_relative_path(docs["stale_old"]) + ".part",
    }
    orphan = str(scene["orphan_old"].relative_to(media))
    assert result.files == 3 and result.orphans == 1
    assert files_under(media) == before - deleted_files - {orphan}
    for relative in deleted_files | {orphan}:
        assert not (media / relative).exists()
    assert (media / docs["done_young"].file_path).is_file()
    assert (media / docs["done_at_cutoff"].file_path).is_file()
    assert scene["orphan_new"].is_file()
    # Task results: the old finished and stale claimed ones of generate_document only.
    results: dict[str, DBTaskResult] = scene["results"]
    assert result.tasks == 3
    left = set(DBTaskResult.objects.values_list("id", flat=True))
    assert left == {
        results[k].id for k in ("successful_young", "ready_old", "other_task_failed_old")
    }
    # One audit event for Demodam with the count.
    event = AuditEvent.objects.get(action="documents.purge")
    assert event.municipality_id == world.gm.pk and event.changes["deleted"] == 4
    assert result.summary().startswith("documents=4 (done=1 failed=1 queued=1 running=1)")


def test_a_second_run_finds_nothing(world: World, media: Path, scene: dict[str, Any]) -> None:
    services.purge_documents(now=NOW, days=30)
    files, rows = files_under(media), GeneratedDocument.objects.count()
    again = services.purge_documents(now=NOW, days=30)
    assert (again.documents, again.files, again.orphans, again.tasks) == (0, 0, 0, 0)
    assert files_under(media) == files and GeneratedDocument.objects.count() == rows
    assert AuditEvent.objects.filter(action="documents.purge").count() == 1


def test_a_dry_run_counts_and_deletes_nothing(
    world: World, media: Path, scene: dict[str, Any]
) -> None:
    files, rows = files_under(media), GeneratedDocument.objects.count()
    tasks_before = DBTaskResult.objects.count()
    dry = services.purge_documents(now=NOW, days=30, dry_run=True)
    assert (dry.documents, dry.files, dry.orphans, dry.tasks) == (4, 3, 1, 3)
    assert files_under(media) == files and GeneratedDocument.objects.count() == rows
    assert DBTaskResult.objects.count() == tasks_before
    assert not AuditEvent.objects.filter(action="documents.purge").exists()
    assert dry.summary().startswith("dry-run documents=4")


def test_the_term_comes_from_the_setting(
    world: World, media: Path, scene: dict[str, Any], settings: Any
) -> None:
    settings.DOCUMENT_RETENTION_DAYS = 5
    result = services.purge_documents(now=NOW)
    # Now the ten-day-old ones go too; only the live one stays.
    assert set(GeneratedDocument.objects.values_list("status", flat=True)) == {"running"}
    assert result.documents == 7 and result.kept_running == 1


def test_the_command(world: World, media: Path) -> None:
    real_now = timezone.now()
    old = make_document(world, media, age=NOW - real_now + 31 * DAY, status="done", file=True)
    young = make_document(world, media, age=NOW - real_now + 29 * DAY, status="done", file=True)
    out = io.StringIO()
    call_command("purge-documents", "--dry-run", stdout=out)
    assert out.getvalue().startswith("dry-run documents=1 (done=1) files=1")
    assert GeneratedDocument.objects.count() == 2
    out = io.StringIO()
    call_command("purge-documents", stdout=out)
    assert out.getvalue().startswith("documents=1 (done=1) files=1")
    assert list(GeneratedDocument.objects.values_list("uuid", flat=True)) == [young.uuid]
    assert not (media / old.file_path).exists() and (media / young.file_path).is_file()
    out = io.StringIO()
    call_command("purge-documents", "--days", "28", stdout=out)
    assert out.getvalue().startswith("documents=1 (done=1)")
    assert GeneratedDocument.objects.count() == 0
    with pytest.raises(CommandError, match="--days"):
        call_command("purge-documents", "--days", "-1")


def test_a_purged_report_disappears_from_the_list_and_download(world: World, media: Path) -> None:
    document = make_document(
        world, media, age=NOW - timezone.now() + 31 * DAY, status="done", file=True
    )
    client = Client()
    client.force_login(world.users["regisseur"])
    assert client.get(f"/rapportages/{document.uuid}/download/").status_code == 200
    services.purge_documents()
    assert client.get(f"/rapportages/{document.uuid}/download/").status_code == 404
    assert str(document.uuid) not in client.get("/rapportages/").content.decode()

"""The web import end to end with real files: upload, preview, start, result, rejects download."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from wijkregie.intake.models import ImportJob, ImportStatus, MappingProfile
from wijkregie.intake.services import import_signals
from wijkregie.privacy.models import AuditEvent
from wijkregie.signals.models import Signal, SourceChannel
from wijkregie.testing.personas import World

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# Three good rows (x/y with decimal commas, lat/lon, a category by name) and one broken row:
# an unknown category on line 5. Windows-1252 (the é) and semicolons, as Dutch Excel saves.
CSV_TEXT = (
    "extern_id;waargenomen_op;categorie;omschrijving;x;y;lat;lon\r\n"
    "WEB-1;01-10-2026 10:15;overlast-jeugd;Groep jongeren bij portiek;155250,5;463250,5;;\r\n"
    "WEB-2;02-10-2026;Jeugdoverlast;Brommers op het pleintje;155750;463500;;\r\n"
    "WEB-3;2026-10-03T21:00:00;woonfraude;Mogelijk onderhuur, café ernaast;;;52,159664;5,409125\r\n"
    "WEB-4;04-10-2026;bestaat-niet;Onbekende categorie;155500;463500;;\r\n"
)


def csv_upload(name: str = "export.csv", text: str = CSV_TEXT) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("cp1252"), content_type="text/csv")


def xlsx_upload(name: str = "export.xlsx") -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Meldingen"
    sheet.append(["Extern ID", "Waargenomen op", "Categorie", "Omschrijving", "X", "Y"])
    sheet.append(["XL-1", 46000.5, "overlast-jeugd", "Uit Excel", 155250.0, 463250.0])
    sheet.append(["XL-2", "05-10-2026 08:00", "Jeugdoverlast", "Tweede regel", 155300.0, 463300.0])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(
        name,
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = IMMEDIATE
    return Path(settings.MEDIA_ROOT)


def login(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


def upload(client: Client, file: SimpleUploadedFile, **extra: Any) -> Any:
    return client.post("/importeren/", {"file": file, **extra})


def test_csv_upload_preview_start_result_and_rejects(
    world: World, media: Path, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    client = login(world, "regisseur")
    page = client.get("/importeren/")
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.content.decode()

    response = upload(client, csv_upload())
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/importeren/{job.uuid}/voorbeeld/"
    assert job.status == ImportStatus.PENDING and job.started_at is None
    assert job.organisation == world.orgs["gemeente"]  # the regisseur's only writer org
    assert job.original_name == "export.csv"
    stored = media / job.stored_path
    assert job.stored_path.startswith("imports/") and stored.is_file()
    assert "export" not in job.stored_path  # a random name, never the user's
    assert stored.read_bytes() == CSV_TEXT.encode("cp1252")
    assert AuditEvent.objects.filter(action="intake.upload", object_id=str(job.uuid)).exists()

    preview = client.get(f"/importeren/{job.uuid}/voorbeeld/")
    body = preview.content.decode()
    assert preview.status_code == 200
    assert "CSV" in body and "Windows-1252" in body and "puntkomma (;)" in body
    assert "<code>waargenomen_op</code>" in body
    assert "Groep jongeren bij portiek" in body and "Mogelijk onderhuur, café ernaast" in body
    assert body.count('<tr class="utrecht-table__row"><td') == 4  # four data rows
    assert "Importeren starten" in body and "Annuleren" in body
    assert Signal.objects.filter(source_channel=SourceChannel.SYSTEM_IMPORT).count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(f"/importeren/{job.uuid}/starten/")
    assert started.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, job.error
    assert (job.imported, job.updated, job.unchanged, job.rejected) == (3, 0, 0, 1)
    assert job.processed_rows == job.total_rows == 4
    assert job.finished_at is not None
    assert AuditEvent.objects.filter(action="intake.start", object_id=str(job.uuid)).exists()
    imported = Signal.objects.filter(
        owner_organisation=world.orgs["gemeente"], external_id__startswith="WEB-"
    )
    assert sorted(imported.values_list("external_id", flat=True)) == ["WEB-1", "WEB-2", "WEB-3"]

    # The progress page of a finished job sends the user to the result.
    progress = client.get(f"/importeren/{job.uuid}/voortgang/")
    assert progress.status_code == 302 and progress["Location"].endswith("/resultaat/")
    status = client.get(f"/importeren/{job.uuid}/status.json").json()
    assert status["status"] == "done" and status["finished"] is True and status["percent"] == 100
    assert (status["imported"], status["rejected"]) == (3, 1)

    result = client.get(f"/importeren/{job.uuid}/resultaat/")
    body = result.content.decode()
    assert result.status_code == 200
    assert "<dt>Nieuw</dt><dd>3</dd>" in body and "<dt>Afgewezen</dt><dd>1</dd>" in body
    assert "<dt>Bijgewerkt</dt><dd>0</dd>" in body and "<dt>Ongewijzigd</dt><dd>0</dd>" in body
    assert "Onbekende categorie: bestaat-niet." in body
    assert f"/importeren/{job.uuid}/afgewezen.csv" in body

    download = client.get(f"/importeren/{job.uuid}/afgewezen.csv")
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="export.rejects.csv"'
    content = b"".join(download.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert rows[0][0] == "regel" and rows[0][-1] == "reden"
    assert len(rows) == 2
    assert rows[1][0] == "5" and rows[1][1] == "WEB-4"
    assert rows[1][-1] == "Onbekende categorie: bestaat-niet."


def test_second_import_of_the_same_file_changes_nothing(
    world: World, media: Path, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    client = login(world, "regisseur")
    for _ in range(2):
        upload(client, csv_upload())
        job = ImportJob.objects.order_by("-id").first()
        assert job is not None
        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"/importeren/{job.uuid}/starten/")
    first, second = ImportJob.objects.order_by("id")
    assert (first.imported, first.unchanged, first.rejected) == (3, 0, 1)
    assert (second.imported, second.updated, second.unchanged, second.rejected) == (0, 0, 3, 1)
    assert Signal.objects.filter(external_id__startswith="WEB-").count() == 3
    listing = client.get("/importeren/").content.decode()
    assert listing.count("export.csv") == 2


def test_start_posted_twice_imports_once(
    world: World, media: Path, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    client = login(world, "regisseur")
    upload(client, csv_upload())
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True) as first:
        client.post(f"/importeren/{job.uuid}/starten/")
    with django_capture_on_commit_callbacks(execute=True) as second:
        again = client.post(f"/importeren/{job.uuid}/starten/")
    assert len(first) == 1 and len(second) == 0  # the second start queues nothing
    assert again.status_code == 302 and again["Location"].endswith("/resultaat/")
    job.refresh_from_db()
    assert (job.imported, job.rejected) == (3, 1)
    assert Signal.objects.filter(external_id__startswith="WEB-").count() == 3
    assert AuditEvent.objects.filter(action="intake.start", object_id=str(job.uuid)).count() == 1


def test_database_backend_queues_one_task_and_the_worker_runs_it(
    transactional_db: None, world: World, media: Path, settings: Any
) -> None:
    """With the real database backend and worker (committed transactions, as in the demo): two
    starts queue one task, and a doubled task for the same job changes nothing."""
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    from wijkregie.intake.tasks import run_import_job

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client = login(world, "regisseur")
    upload(client, csv_upload())
    job = ImportJob.objects.get()
    client.post(f"/importeren/{job.uuid}/starten/")
    client.post(f"/importeren/{job.uuid}/starten/")
    assert DBTaskResult.objects.count() == 1
    job.refresh_from_db()
    assert job.status == ImportStatus.PENDING and job.started_at is not None
    progress = client.get(f"/importeren/{job.uuid}/voortgang/")
    assert progress.status_code == 200
    body = progress.content.decode()
    assert "<progress" in body and 'aria-live="polite"' in body and "In de wachtrij" in body
    assert "intake/progress.js" in body and "<script>" not in body
    assert client.get(f"/importeren/{job.uuid}/status.json").json()["status"] == "pending"
    run_import_job.enqueue(str(job.uuid))  # a retried or doubled task
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, job.error
    assert (job.imported, job.updated, job.unchanged, job.rejected) == (3, 0, 0, 1)
    assert Signal.objects.filter(external_id__startswith="WEB-").count() == 3
    assert list(DBTaskResult.objects.values_list("status", flat=True)) == ["SUCCESSFUL"] * 2


def test_xlsx_upload_preview(world: World, media: Path) -> None:
    client = login(world, "wijkagent")
    response = upload(client, xlsx_upload())
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert job.stored_path.endswith(".xlsx") and job.organisation == world.orgs["politie"]
    body = client.get(f"/importeren/{job.uuid}/voorbeeld/").content.decode()
    assert "Excel-werkmap (XLSX)" in body and "Meldingen" in body
    assert "Extern ID" in body and "<code>extern_id</code>" in body
    assert "Uit Excel" in body and "05-10-2026 08:00" in body
    assert "Importeren starten" in body


def test_preview_with_a_mapping_profile(world: World, media: Path) -> None:
    profile = MappingProfile.objects.create(
        municipality=world.gm,
        organisation=world.orgs["gemeente"],
        name="Zaaksysteem",
        column_map={"Kenmerk": "extern_id", "Datum": "waargenomen_op", "Soort": "categorie"},
    )
    text = "Kenmerk;Datum;Soort;x;y;Behandelaar\r\nZ-1;01-10-2026;overlast-jeugd;155250;463250;Piet\r\n"
    client = login(world, "regisseur")
    upload(client, csv_upload("zaken.csv", text), mapping=profile.pk)
    job = ImportJob.objects.get()
    assert job.mapping == profile
    body = client.get(f"/importeren/{job.uuid}/voorbeeld/").content.decode()
    assert "via het importprofiel" in body
    assert "onbekend: wordt niet gebruikt" in body  # Behandelaar
    assert "Importeren starten" in body


def test_missing_required_columns_are_shown_before_starting(world: World, media: Path) -> None:
    client = login(world, "regisseur")
    upload(client, csv_upload("kaal.csv", "Datum;Soort\r\n01-10-2026;overlast\r\n"))
    job = ImportJob.objects.get()
    body = client.get(f"/importeren/{job.uuid}/voorbeeld/").content.decode()
    assert "Verplichte kolommen ontbreken" in body
    assert "Importeren starten" not in body


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("foto.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)),
        ("oud.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512)),
        ("archief.zip", b"PK\x03\x04" + bytes(64)),
        ("leeg.csv", b""),
    ],
)
def test_a_file_that_is_neither_csv_nor_xlsx_is_refused_and_nothing_stored(
    world: World, media: Path, name: str, content: bytes
) -> None:
    client = login(world, "regisseur")
    response = upload(client, SimpleUploadedFile(name, content))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'role="alert"' in body and 'aria-invalid="true"' in body
    assert (
        "Dit bestand is geen CSV- of Excelbestand (XLSX)." in body or "Het bestand is leeg." in body
    )
    assert ImportJob.objects.count() == 0
    imports = media / "imports"
    assert not imports.exists() or list(imports.iterdir()) == []


def test_too_large_file_is_refused(world: World, media: Path, settings: Any) -> None:
    settings.IMPORT_UPLOAD_MAX_BYTES = 100
    client = login(world, "regisseur")
    response = upload(client, csv_upload())
    assert "Het bestand is te groot: hoogstens 100" in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_cancel_removes_the_file(world: World, media: Path) -> None:
    client = login(world, "regisseur")
    upload(client, csv_upload())
    job = ImportJob.objects.get()
    stored = media / job.stored_path
    response = client.post(f"/importeren/{job.uuid}/annuleren/")
    assert response.status_code == 302 and response["Location"] == "/importeren/"
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "Geannuleerd" in job.error
    assert not stored.exists()
    assert Signal.objects.filter(external_id__startswith="WEB-").count() == 0
    # A cancelled job cannot be started any more.
    client.post(f"/importeren/{job.uuid}/starten/")
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and job.started_at is None
    assert AuditEvent.objects.filter(action="intake.cancel", object_id=str(job.uuid)).exists()


def test_organisation_choice_only_with_several_writer_organisations(
    world: World, media: Path
) -> None:
    from wijkregie.tenants.models import Membership, Role

    user = world.users["wijkagent"]
    Membership.objects.create(
        municipality=world.gm,
        user=user,
        organisation=world.orgs["corporatie"],
        role=Role.PROFESSIONAL,
    )
    Membership.objects.create(
        municipality=world.gm, user=user, organisation=world.orgs["gemeente"], role=Role.ANALIST
    )
    client = login(world, "wijkagent")
    body = client.get("/importeren/").content.decode()
    assert "<select" in body and world.orgs["corporatie"].name in body
    assert f'value="{world.orgs["gemeente"].pk}"' not in body  # analyst there: no import
    response = upload(client, csv_upload())
    assert "Dit veld is verplicht." in response.content.decode()
    response = upload(client, csv_upload(), organisation=world.orgs["gemeente"].pk)
    assert ImportJob.objects.count() == 0
    upload(client, csv_upload(), organisation=world.orgs["corporatie"].pk)
    assert ImportJob.objects.get().organisation == world.orgs["corporatie"]


def test_failed_import_stores_a_dutch_error(
    world: World, media: Path, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    client = login(world, "regisseur")
    upload(client, csv_upload())
    job = ImportJob.objects.get()
    (media / job.stored_path).write_bytes(b"\x00\x01binary now")  # the file broke on disk
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/importeren/{job.uuid}/starten/")
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert job.error == "Dit bestand is geen CSV- of Excel-bestand."
    body = client.get(f"/importeren/{job.uuid}/resultaat/").content.decode()
    assert "Import mislukt" in body and job.error in body


def test_a_job_whose_worker_died_is_resumed_and_ends_as_one_clean_run(
    world: World, media: Path, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    client = login(world, "regisseur")
    upload(client, csv_upload())
    job = ImportJob.objects.get()
    # What a worker killed halfway leaves behind: the first rows written, the job "running".
    partial = media / "partial.csv"
    partial.write_bytes("".join(CSV_TEXT.splitlines(keepends=True)[:3]).encode("cp1252"))
    import_signals(path=partial, organisation=world.orgs["gemeente"])
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.RUNNING,
        started_at=timezone.now() - dt.timedelta(minutes=20),
        heartbeat_at=timezone.now() - dt.timedelta(minutes=10),
        processed_rows=2,
    )
    # A live job is not resumed: its worker still reports.
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(f"/importeren/{job.uuid}/hervatten/")
    assert callbacks == []
    assert (
        "Import hervatten" not in client.get(f"/importeren/{job.uuid}/voortgang/").content.decode()
    )

    ImportJob.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - dt.timedelta(minutes=10)
    )
    page = client.get(f"/importeren/{job.uuid}/voortgang/").content.decode()
    assert "Import hervatten" in page
    # Another organisation's writer and the outsider cannot resume it.
    for persona in ("wijkagent", "outsider"):
        assert login(world, persona).post(f"/importeren/{job.uuid}/hervatten/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        resumed = client.post(f"/importeren/{job.uuid}/hervatten/")
    assert resumed.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, job.error
    # The two rows of the killed run are unchanged, the third is new; the bad row is refused.
    assert (job.imported, job.updated, job.unchanged, job.rejected) == (1, 0, 2, 1)
    rows = Signal.objects.filter(
        owner_organisation=world.orgs["gemeente"], external_id__startswith="WEB-"
    )
    assert sorted(rows.values_list("external_id", flat=True)) == ["WEB-1", "WEB-2", "WEB-3"]
    assert AuditEvent.objects.filter(action="intake.resume", object_id=str(job.uuid)).count() == 1

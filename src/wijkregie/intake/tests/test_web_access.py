"""Who sees an import job: only writers (regisseur, professional) of the job's organisation.

Everybody else — the analyst of the same organisation, writers of other organisations in the
same municipality, the privacy officer, the beheerder and the outsider of another
municipality — gets the same 404 on every URL of the job, and nothing happens to the job.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from wijkregie.intake.models import ImportJob, ImportStatus
from wijkregie.intake.tests.test_web_flow import CSV_TEXT, IMMEDIATE
from wijkregie.privacy.models import AccessEvent
from wijkregie.signals.models import Signal
from wijkregie.testing.personas import EXPECTED_VISIBLE, World

PERSONAS = sorted(EXPECTED_VISIBLE)
# Import for their own organisation (the outsider in their own municipality).
IMPORTERS = {"regisseur", "wijkagent", "corporatie", "jongerenwerker", "outsider"}
JOB_OWNER = "regisseur"  # the job below belongs to the gemeente; only its writer sees it


def client_for(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


def job_urls(job: ImportJob) -> dict[str, tuple[str, str]]:
    base = f"/importeren/{job.uuid}"
    return {
        "preview": ("get", f"{base}/voorbeeld/"),
        "progress": ("get", f"{base}/voortgang/"),
        "status": ("get", f"{base}/status.json"),
        "result": ("get", f"{base}/resultaat/"),
        "rejects": ("get", f"{base}/afgewezen.csv"),
        "start": ("post", f"{base}/starten/"),
        "cancel": ("post", f"{base}/annuleren/"),
    }


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = IMMEDIATE
    return Path(settings.MEDIA_ROOT)


def make_job(world: World, client: Client) -> ImportJob:
    client.post(
        "/importeren/",
        {"file": SimpleUploadedFile("export.csv", CSV_TEXT.encode("cp1252"))},
    )
    return ImportJob.objects.get()


@pytest.fixture
def done_job(
    world: World, media: Path, django_capture_on_commit_callbacks: Callable[..., Any]
) -> ImportJob:
    owner = client_for(world, JOB_OWNER)
    job = make_job(world, owner)
    with django_capture_on_commit_callbacks(execute=True):
        owner.post(f"/importeren/{job.uuid}/starten/")
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.rejected == 1
    return job


@pytest.mark.parametrize("persona", PERSONAS)
def test_upload_page(world: World, media: Path, persona: str) -> None:
    response = client_for(world, persona).get("/importeren/")
    assert response.status_code == (200 if persona in IMPORTERS else 404)


def test_upload_page_needs_login(world: World, media: Path) -> None:
    for url in ["/importeren/", f"/importeren/{world.gm.uuid}/status.json"]:
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("web:login"))


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_url_of_a_finished_job(world: World, done_job: ImportJob, persona: str) -> None:
    client = client_for(world, persona)
    listing = client.get("/importeren/")
    for name, (method, url) in job_urls(done_job).items():
        response = getattr(client, method)(url)
        if persona == JOB_OWNER:
            assert response.status_code in (200, 302), name
        else:
            assert response.status_code == 404, (name, persona)
    if persona == JOB_OWNER:
        assert str(done_job.uuid) in listing.content.decode()
    elif listing.status_code == 200:
        assert str(done_job.uuid) not in listing.content.decode()
        assert "export.csv" not in listing.content.decode()
    done_job.refresh_from_db()
    assert done_job.status == ImportStatus.DONE


@pytest.mark.parametrize("persona", sorted(set(PERSONAS) - {JOB_OWNER}))
def test_nobody_else_can_preview_start_or_cancel_a_pending_job(
    world: World, media: Path, persona: str, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    job = make_job(world, client_for(world, JOB_OWNER))
    client = client_for(world, persona)
    before = AccessEvent.objects.filter(object_id=str(job.uuid), outcome="denied").count()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for name, (method, url) in job_urls(job).items():
            response = getattr(client, method)(url)
            assert response.status_code == 404, (name, persona)
    assert callbacks == []
    job.refresh_from_db()
    assert job.status == ImportStatus.PENDING and job.started_at is None
    assert (Path(media) / job.stored_path).is_file()
    assert Signal.objects.filter(external_id__startswith="WEB-").count() == 0
    # Every refused attempt is in the access log (except for users without any tenant).
    after = AccessEvent.objects.filter(object_id=str(job.uuid), outcome="denied").count()
    assert after - before == (len(job_urls(job)) if persona in IMPORTERS else 0)


def test_owner_preview_and_result_reads_are_logged(world: World, done_job: ImportJob) -> None:
    client = client_for(world, JOB_OWNER)
    before = AccessEvent.objects.filter(object_id=str(done_job.uuid), outcome="granted").count()
    client.get(f"/importeren/{done_job.uuid}/resultaat/")
    client.get(f"/importeren/{done_job.uuid}/afgewezen.csv")
    client.get(f"/importeren/{done_job.uuid}/status.json")  # counts only: not logged
    after = AccessEvent.objects.filter(object_id=str(done_job.uuid), outcome="granted")
    assert after.count() - before == 2
    assert set(after.values_list("purpose", flat=True)) >= {
        "import-resultaat",
        "import-afgewezen-regels",
    }


def test_outsider_cannot_upload_for_a_demodam_organisation(world: World, media: Path) -> None:
    client = client_for(world, "outsider")
    response = client.post(
        "/importeren/",
        {
            "file": SimpleUploadedFile("export.csv", CSV_TEXT.encode("cp1252")),
            "organisation": world.orgs["gemeente"].pk,
        },
    )
    assert response.status_code == 200
    assert "Kies een organisatie waarvoor u signalen registreert." in response.content.decode()
    assert ImportJob.objects.count() == 0
    assert not (media / "imports").exists()


def test_writer_of_another_organisation_cannot_use_its_mapping(world: World, media: Path) -> None:
    from wijkregie.intake.models import MappingProfile

    profile = MappingProfile.objects.create(
        municipality=world.gm, organisation=world.orgs["gemeente"], name="Gemeente-profiel"
    )
    client = client_for(world, "wijkagent")
    assert "Gemeente-profiel" not in client.get("/importeren/").content.decode()
    response = client.post(
        "/importeren/",
        {
            "file": SimpleUploadedFile("export.csv", CSV_TEXT.encode("cp1252")),
            "mapping": profile.pk,
        },
    )
    assert "Kies een importprofiel uit de lijst." in response.content.decode()
    assert ImportJob.objects.count() == 0

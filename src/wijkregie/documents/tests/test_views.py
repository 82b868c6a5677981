"""The document pages for every persona: only the requester sees a report; outsiders see
nothing of Demodam; every download and every refused attempt is logged."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from wijkregie.documents.models import DocumentStatus, GeneratedDocument
from wijkregie.privacy.models import AccessEvent
from wijkregie.testing.personas import EXPECTED_VISIBLE, World

PERSONAS = sorted(EXPECTED_VISIBLE)
# Everyone with a signal-reading role may request reports (of their own municipality).
REQUESTERS = {"regisseur", "analist", "wijkagent", "corporatie", "jongerenwerker", "outsider"}
Capture = Callable[..., Any]


def client_for(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


def form_data(area: str, **extra: str) -> dict[str, str]:
    today = timezone.localdate()
    return {
        "area": area,
        "start": (today - dt.timedelta(days=60)).isoformat(),
        "end": today.isoformat(),
        **extra,
    }


@pytest.fixture
def report(
    world: World, media: Path, django_capture_on_commit_callbacks: Capture
) -> GeneratedDocument:
    """A finished report of the regisseur, made through the web form."""
    client = client_for(world, "regisseur")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/rapportages/nieuw/", form_data("BU99990101"))
    assert response.status_code == 302 and response["Location"] == "/rapportages/"
    document = GeneratedDocument.objects.get()
    assert document.status == DocumentStatus.DONE, document.error
    return document


def test_anonymous_users_are_sent_to_the_login(db: None) -> None:
    for url in ("/rapportages/", "/rapportages/nieuw/"):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/inloggen")


@pytest.mark.parametrize("persona", PERSONAS)
def test_request_page(world: World, persona: str) -> None:
    client = client_for(world, persona)
    plain = client.get("/rapportages/nieuw/")
    buurt = client.get("/rapportages/nieuw/", {"gebied": "BU99990101"})
    focus = client.get("/rapportages/nieuw/", {"gebied": str(world.focus.uuid)})
    if persona not in REQUESTERS:
        assert plain.status_code == buurt.status_code == focus.status_code == 404
        return
    assert plain.status_code == 200
    if persona == "outsider":
        # Demodam's areas do not exist for Elders: the same 404 as an unknown code.
        assert buurt.status_code == focus.status_code == 404
        assert "Buurt 1" not in plain.content.decode()
        return
    assert buurt.status_code == focus.status_code == 200
    assert '<option value="BU99990101" selected>' in buurt.content.decode()
    assert f'<option value="{world.focus.uuid}" selected>' in focus.content.decode()
    body = plain.content.decode()
    for label in ("Noord", "Wijk 1 (WK999901)", "Buurt 4 (BU99990202)"):
        assert label in body
    assert 'type="date"' in body and "<script>" not in body


def test_unknown_area_is_404(world: World) -> None:
    client = client_for(world, "regisseur")
    assert client.get("/rapportages/nieuw/", {"gebied": "BU00000000"}).status_code == 404
    assert (
        client.get(
            "/rapportages/nieuw/", {"gebied": "00000000-0000-4000-8000-000000000000"}
        ).status_code
        == 404
    )


def test_form_errors_are_dutch_and_nothing_is_saved(world: World, media: Path) -> None:
    client = client_for(world, "regisseur")
    today = timezone.localdate()
    response = client.post(
        "/rapportages/nieuw/",
        {"area": "", "start": "31-13-2026", "end": (today + dt.timedelta(days=5)).isoformat()},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Kies een gebied." in body
    assert "Vul een datum in als dd-mm-jjjj." in body
    assert "Controleer de invoer" in body
    response = client.post(
        "/rapportages/nieuw/",
        {
            "area": "BU99990101",
            "start": today.isoformat(),
            "end": (today - dt.timedelta(days=1)).isoformat(),
        },
    )
    assert "De einddatum moet op of na de begindatum liggen." in response.content.decode()
    response = client.post(
        "/rapportages/nieuw/", form_data("BU99990101", start="2020-01-01", end="2024-06-30")
    )
    assert "Kies een periode van hoogstens drie jaar." in response.content.decode()
    response = client.post(
        "/rapportages/nieuw/",
        form_data("BU99990101", end=(today + dt.timedelta(days=1)).isoformat()),
    )
    assert "De einddatum mag niet in de toekomst liggen." in response.content.decode()
    assert GeneratedDocument.objects.count() == 0


def test_outsider_cannot_post_a_demodam_area(world: World, media: Path) -> None:
    client = client_for(world, "outsider")
    response = client.post("/rapportages/nieuw/", form_data("BU99990101"))
    assert response.status_code == 200
    assert "Kies een gebied uit de lijst." in response.content.decode()
    assert GeneratedDocument.objects.count() == 0


def test_list_shows_the_finished_report_with_its_download(
    world: World, report: GeneratedDocument
) -> None:
    body = client_for(world, "regisseur").get("/rapportages/").content.decode()
    assert "Buurt 1" in body and "Klaar" in body
    assert f'href="/rapportages/{report.uuid}/download/"' in body
    assert "Vernieuwen" not in body  # nothing busy


def test_list_of_a_queued_report_offers_a_refresh_link(
    world: World, media: Path, django_capture_on_commit_callbacks: Capture
) -> None:
    client = client_for(world, "regisseur")
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post("/rapportages/nieuw/", form_data(str(world.focus.uuid)), follow=True)
    body = response.content.decode()
    assert "De rapportage over Noord wordt gemaakt." in body
    assert "In de wachtrij" in body and 'href="/rapportages/" id="refresh"' in body
    # A double submit reuses the queued report.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        again = client.post("/rapportages/nieuw/", form_data(str(world.focus.uuid)), follow=True)
    assert "Deze rapportage wordt al gemaakt" in again.content.decode()
    assert callbacks == [] and GeneratedDocument.objects.count() == 1


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_requester_sees_and_downloads(
    world: World, report: GeneratedDocument, persona: str
) -> None:
    client = client_for(world, persona)
    before = AccessEvent.objects.count()
    download = client.get(f"/rapportages/{report.uuid}/download/")
    listing = client.get("/rapportages/")
    retry = client.post(f"/rapportages/{report.uuid}/opnieuw/")
    if persona == "regisseur":
        assert download.status_code == 200
        assert download["Content-Type"] == "application/pdf"
        assert download["Cache-Control"] == "private, no-store"
        assert "gebiedsrapportage-buurt-1-" in download["Content-Disposition"]
        data = b"".join(download.streaming_content)  # type: ignore[attr-defined]
        assert len(data) == report.size
        text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
        assert "Buurt 1" in text
        event = AccessEvent.objects.order_by("-id").first()
        assert event is not None and AccessEvent.objects.count() == before + 1
        assert (event.outcome, event.action, event.object_id) == ("granted", "E", str(report.uuid))
        assert event.purpose == "rapportage-downloaden"
        assert retry.status_code == 302  # a finished report is left alone
        return
    assert download.status_code == 404
    assert retry.status_code == 404
    assert str(report.uuid) not in listing.content.decode()
    assert listing.status_code == (200 if persona in REQUESTERS else 404)
    # Both refusals were logged (download and retry), also for users without the role.
    denied = AccessEvent.objects.filter(
        object_id=str(report.uuid), outcome="denied", user=world.users[persona]
    )
    assert denied.count() == 2


def test_missing_and_forbidden_look_the_same(world: World, report: GeneratedDocument) -> None:
    client = client_for(world, "jongerenwerker")
    forbidden = client.get(f"/rapportages/{report.uuid}/download/")
    missing = client.get("/rapportages/00000000-0000-4000-8000-000000000000/download/")
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.content == missing.content


def test_a_failed_report_can_be_retried_from_the_list(
    world: World, media: Path, django_capture_on_commit_callbacks: Capture
) -> None:
    media.mkdir(parents=True)
    (media / "documents").write_bytes(b"")  # the disk refuses the directory
    client = client_for(world, "wijkagent")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/rapportages/nieuw/", form_data("WK999902"))
    document = GeneratedDocument.objects.get()
    body = client.get("/rapportages/").content.decode()
    assert "Mislukt" in body and "onverwacht mislukt" in body
    assert f'action="/rapportages/{document.uuid}/opnieuw/"' in body
    assert client.get(f"/rapportages/{document.uuid}/download/").status_code == 404
    (media / "documents").unlink()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/rapportages/{document.uuid}/opnieuw/", follow=True)
    assert "De rapportage wordt opnieuw gemaakt." in response.content.decode()
    document.refresh_from_db()
    assert document.status == DocumentStatus.DONE
    assert client.get(f"/rapportages/{document.uuid}/download/").status_code == 200


def test_nav_links_to_the_reports(world: World) -> None:
    assert 'href="/rapportages/"' in client_for(world, "analist").get("/").content.decode()
    assert 'href="/rapportages/"' not in client_for(world, "privacy").get("/").content.decode()


def test_a_requester_who_lost_the_role_loses_the_report(
    world: World, report: GeneratedDocument
) -> None:
    client = client_for(world, "regisseur")
    assert "pagina's" in client.get("/rapportages/").content.decode()
    world.users["regisseur"].memberships.all().delete()
    assert client.get(f"/rapportages/{report.uuid}/download/").status_code == 404
    assert client.get("/rapportages/").status_code == 404
    event = AccessEvent.objects.order_by("-id").first()
    assert event is not None and event.outcome == "denied"


def test_a_stalled_report_is_shown_as_such_with_a_retry(
    world: World, media: Path, settings: Any, django_capture_on_commit_callbacks: Capture
) -> None:
    settings.DOCUMENT_STALE_SECONDS = 60
    client = client_for(world, "corporatie")
    with django_capture_on_commit_callbacks(execute=False):
        client.post("/rapportages/nieuw/", form_data("BU99990102"))
    document = GeneratedDocument.objects.get()
    long_ago = timezone.now() - dt.timedelta(minutes=2)
    GeneratedDocument.objects.filter(pk=document.pk).update(
        status=DocumentStatus.RUNNING, started_at=long_ago, heartbeat_at=long_ago
    )
    body = client.get("/rapportages/").content.decode()
    assert "Vastgelopen" in body and f'action="/rapportages/{document.uuid}/opnieuw/"' in body
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/rapportages/{document.uuid}/opnieuw/")
    document.refresh_from_db()
    assert document.status == DocumentStatus.DONE and document.attempts == 1

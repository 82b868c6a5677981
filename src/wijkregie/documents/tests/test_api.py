"""/api/v1/reports: request (202 + Location), status, file - for every persona; only the
requester reads or downloads a report, every download and refusal is logged."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from pypdf import PdfReader
from rest_framework.test import APIClient

from wijkregie.api.tests.helpers import (
    assert_problem,
    body,
    invalid_names,
    post_json,
    token_client,
)
from wijkregie.documents.forms import default_period
from wijkregie.documents.models import DocumentStatus, GeneratedDocument
from wijkregie.privacy.models import AccessEvent
from wijkregie.testing.personas import EXPECTED_VISIBLE, World

PERSONAS = sorted(EXPECTED_VISIBLE)
REQUESTERS = {"regisseur", "analist", "wijkagent", "corporatie", "jongerenwerker", "outsider"}
URL = "/api/v1/reports"
Capture = Callable[..., Any]


def period(**extra: str) -> dict[str, str]:
    today = timezone.localdate()
    return {"from": (today - dt.timedelta(days=60)).isoformat(), "to": today.isoformat(), **extra}


@pytest.fixture
def report(
    world: World, media: Path, django_capture_on_commit_callbacks: Capture
) -> GeneratedDocument:
    """A finished report of the regisseur, requested through the API."""
    client = token_client(world.users["regisseur"])
    with django_capture_on_commit_callbacks(execute=True):
        response = post_json(client, URL, {"area": "BU99990101", **period()})
    assert response.status_code == 202, response.content
    document = GeneratedDocument.objects.get()
    assert document.status == DocumentStatus.DONE, document.error
    return document


def test_post_queues_the_task_and_answers_202_with_a_location(
    world: World, media: Path, django_capture_on_commit_callbacks: Capture
) -> None:
    client = token_client(world.users["analist"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = post_json(client, URL, {"area": str(world.focus.uuid), **period()})
    assert response.status_code == 202, response.content
    assert len(callbacks) == 1  # the same task as the web page, on commit
    document = GeneratedDocument.objects.get()
    assert response["Location"] == f"/api/v1/reports/{document.uuid}"
    assert response["Retry-After"] == "5"
    data = body(response)
    assert data["uuid"] == str(document.uuid) and data["status"] == "queued"
    assert data["area"] == {"code": str(world.focus.uuid), "name": "Noord"}
    assert data["period"] == {"from": period()["from"], "to": period()["to"]}
    assert data["file"] is None and data["reused"] is False and data["stalled"] is False
    assert document.parameters["end"] == (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    # The identical request again reuses the queued one (no second task).
    with django_capture_on_commit_callbacks(execute=False) as again:
        second = post_json(client, URL, {"area": str(world.focus.uuid), **period()})
    assert second.status_code == 202 and body(second)["reused"] is True
    assert again == [] and GeneratedDocument.objects.count() == 1
    # Status follows the Location.
    status = client.get(response["Location"])
    assert status.status_code == 200 and body(status)["status"] == "queued"
    assert status["Retry-After"] == "5"
    # Not ready: 409 problem, no export logged.
    exports = AccessEvent.objects.filter(action="E").count()
    assert_problem(client.get(f"{response['Location']}/file"), 409)
    assert AccessEvent.objects.filter(action="E").count() == exports


def test_without_a_period_the_last_twelve_whole_months(world: World, media: Path) -> None:
    client = token_client(world.users["regisseur"])
    response = post_json(client, URL, {"area": "WK999901"})
    assert response.status_code == 202, response.content
    start, last = default_period()
    assert body(response)["period"] == {"from": start.isoformat(), "to": last.isoformat()}
    assert last < timezone.localdate().replace(day=1) and start.day == 1


def test_finished_report_status_and_download(world: World, report: GeneratedDocument) -> None:
    client = token_client(world.users["regisseur"])
    status = client.get(f"{URL}/{report.uuid}")
    assert status.status_code == 200 and "Retry-After" not in status
    data = body(status)
    assert data["status"] == "done" and data["error"] is None
    assert data["file"] == {
        "href": f"/api/v1/reports/{report.uuid}/file",
        "contentType": "application/pdf",
        "size": report.size,
        "sha256": report.sha256,
        "pages": report.pages,
    }
    before = AccessEvent.objects.count()
    for accept in ("application/pdf", "application/json", "*/*"):
        download = client.get(data["file"]["href"], HTTP_ACCEPT=accept)
        assert download.status_code == 200
        assert download["Content-Type"] == "application/pdf"
        assert download["Cache-Control"] == "private, no-store"
        assert "gebiedsrapportage-buurt-1-" in download["Content-Disposition"]
        pdf = b"".join(download.streaming_content)  # type: ignore[attr-defined]
        assert len(pdf) == report.size
        assert "Buurt 1" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    # Every download is one export event, as on the web page.
    events = list(AccessEvent.objects.order_by("id")[before:])
    assert len(events) == 3
    for event in events:
        assert (event.outcome, event.action, event.object_id) == ("granted", "E", str(report.uuid))
        assert event.purpose == "rapportage-downloaden" and event.access_point == "api"


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_requester_sees_the_report(
    world: World, report: GeneratedDocument, persona: str
) -> None:
    client = token_client(world.users[persona])
    status = client.get(f"{URL}/{report.uuid}")
    download = client.get(f"{URL}/{report.uuid}/file", HTTP_ACCEPT="application/pdf")
    if persona == "regisseur":
        assert status.status_code == download.status_code == 200
        return
    missing = "00000000-0000-4000-8000-000000000000"
    # Another user's report looks exactly like a missing one.
    for response, other in (
        (status, client.get(f"{URL}/{missing}")),
        (download, client.get(f"{URL}/{missing}/file")),
    ):
        problem = assert_problem(response, 404)
        assert response["Content-Type"] == "application/problem+json"
        assert problem["detail"] == body(other)["detail"]
    denied = AccessEvent.objects.filter(
        object_id=str(report.uuid), outcome="denied", user=world.users[persona]
    )
    assert denied.count() == 2


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_request(world: World, media: Path, persona: str) -> None:
    client = token_client(world.users[persona])
    buurt = post_json(client, URL, {"area": "BU99990101", **period()})
    focus = post_json(client, URL, {"area": str(world.focus.uuid)})
    if persona not in REQUESTERS or persona == "outsider":
        # No signal-reading role, or an area of another municipality: the same 404.
        assert_problem(buurt, 404)
        assert_problem(focus, 404)
        assert GeneratedDocument.objects.count() == 0
        return
    assert buurt.status_code == focus.status_code == 202
    assert GeneratedDocument.objects.filter(requested_by=world.users[persona]).count() == 2


def test_bad_requests_are_400_problems_in_dutch(world: World, media: Path) -> None:
    client = token_client(world.users["regisseur"])
    today = timezone.localdate()
    response = post_json(client, URL, {"from": "1-1-2026"})
    data = assert_problem(response, 400)
    assert sorted(invalid_names(response)) == ["area", "from"]
    reasons = {p["name"]: p["reason"] for p in data["invalidParams"]}
    assert reasons == {"area": "Kies een gebied.", "from": "Gebruik een datum als JJJJ-MM-DD."}
    assert invalid_names(post_json(client, URL, {"area": "BU99990101", "from": "2026-01-01"})) == [
        "to"
    ]
    future = (today + dt.timedelta(days=3)).isoformat()
    response = post_json(client, URL, {"area": "BU99990101", "from": "2020-01-01", "to": future})
    data = assert_problem(response, 400)
    codes = {(p["name"], p["code"]) for p in data["invalidParams"]}
    assert codes == {("to", "future"), ("from", "too_long")}
    reversed_period = {"area": "BU99990101", "from": "2026-06-01", "to": "2026-05-01"}
    response = post_json(client, URL, reversed_period)
    assert invalid_names(response) == ["to"]
    assert body(response)["invalidParams"][0]["reason"] == (
        "De einddatum moet op of na de begindatum liggen."
    )
    broken = client.post(URL, data="{", content_type="application/json")
    assert_problem(broken, 400)
    assert_problem(post_json(client, URL, {"area": "BU00000000"}), 404)
    assert GeneratedDocument.objects.count() == 0


def test_unauthenticated_is_401(world: World, report: GeneratedDocument) -> None:
    anonymous = APIClient()
    assert_problem(post_json(anonymous, URL, {"area": "BU99990101"}), 401)
    assert_problem(anonymous.get(f"{URL}/{report.uuid}"), 401)
    assert_problem(anonymous.get(f"{URL}/{report.uuid}/file"), 401)


def test_a_purged_file_is_404(world: World, report: GeneratedDocument, media: Path) -> None:
    (media / report.file_path).unlink()
    assert_problem(token_client(world.users["regisseur"]).get(f"{URL}/{report.uuid}/file"), 404)


def test_failed_report_reports_its_error(world: World, report: GeneratedDocument) -> None:
    GeneratedDocument.objects.filter(pk=report.pk).update(
        status=DocumentStatus.FAILED, error="Het gebied van deze rapportage bestaat niet meer."
    )
    client = token_client(world.users["regisseur"])
    data = body(client.get(f"{URL}/{report.uuid}"))
    assert data["status"] == "failed" and data["file"] is None
    assert data["error"] == "Het gebied van deze rapportage bestaat niet meer."
    assert_problem(client.get(f"{URL}/{report.uuid}/file"), 409)


def test_the_endpoints_are_in_the_openapi_document(world: World) -> None:
    paths = body(token_client(world.users["regisseur"]).get("/api/v1/openapi.json"))["paths"]
    create = paths[URL]["post"]
    assert "202" in create["responses"] and "404" in create["responses"]
    schema = create["requestBody"]["content"]["application/json"]["schema"]
    assert schema["$ref"].endswith("/ReportRequest")
    assert "200" in paths[f"{URL}/{{uuid}}"]["get"]["responses"]
    file_responses = paths[f"{URL}/{{uuid}}/file"]["get"]["responses"]
    assert "application/pdf" in file_responses["200"]["content"]
    assert "application/problem+json" in file_responses["404"]["content"]

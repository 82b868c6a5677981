"""Open311 GeoReport v2: every response checked against the specification's field lists."""

from __future__ import annotations

import datetime as dt
import json
from types import NoneType
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from wijkregie.lib import geo
from wijkregie.residents import codes
from wijkregie.residents.models import ResidentReport
from wijkregie.residents.tests.helpers import POINT, make_address, make_signal_at
from wijkregie.signals.models import SourceChannel
from wijkregie.signals.services import signal_change_status
from wijkregie.tenants.access import require_viewer
from wijkregie.testing.personas import World

pytestmark = pytest.mark.django_db

# Field lists of GeoReport v2 (http://wiki.open311.org/GeoReport_v2), with the JSON types.
DISCOVERY = {"changeset": str, "contact": str, "key_service": str, "endpoints": list}
DISCOVERY_ENDPOINT = {
    "specification": str,
    "url": str,
    "changeset": str,
    "type": str,
    "formats": list,
}
SERVICE = {
    "service_code": str,
    "service_name": str,
    "description": str,
    "metadata": bool,
    "type": str,
    "keywords": str,
    "group": str,
}
DEFINITION = {"service_code": str, "attributes": list}
ATTRIBUTE = {
    "variable": bool,
    "code": str,
    "datatype": str,
    "required": bool,
    "datatype_description": str,
    "order": int,
    "description": str,
    "values": list,
}
POST_RESPONSE = {"service_request_id": str, "service_notice": str, "account_id": (str, NoneType)}
OPT = NoneType
REQUEST = {
    "service_request_id": str,
    "status": str,
    "status_notes": (str, OPT),
    "service_name": (str, OPT),
    "service_code": (str, OPT),
    "description": (str, OPT),
    "agency_responsible": (str, OPT),
    "service_notice": (str, OPT),
    "requested_datetime": (str, OPT),
    "updated_datetime": (str, OPT),
    "expected_datetime": (str, OPT),
    "address": (str, OPT),
    "address_id": (str, OPT),
    "zipcode": (str, OPT),
    "lat": (float, OPT),
    "long": (float, OPT),
    "media_url": (str, OPT),
}
ERROR = {"code": int, "description": str}

J = "jurisdiction_id=GM9999"


def assert_fields(obj: Any, spec: dict[str, Any]) -> None:
    assert isinstance(obj, dict)
    assert set(obj) == set(spec), set(obj) ^ set(spec)
    for name, kind in spec.items():
        assert isinstance(obj[name], kind), (name, obj[name])
        assert not (kind is int and isinstance(obj[name], bool))


def assert_error(response: Any, status: int) -> list[dict[str, Any]]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert isinstance(body, list) and body
    for item in body:
        assert_fields(item, ERROR)
        assert item["code"] == status
    return body


def post(client: Client, data: dict[str, Any], *, as_json: bool = False, **extra: Any) -> Any:
    if as_json:
        return client.post(
            "/open311/v2/requests.json", json.dumps(data), content_type="application/json", **extra
        )
    return client.post("/open311/v2/requests.json", data, **extra)


def valid(**overrides: Any) -> dict[str, Any]:
    return {
        "jurisdiction_id": "GM9999",
        "service_code": "overlast-jeugd",
        "lat": f"{POINT.lat:.6f}",
        "long": f"{POINT.lon:.6f}",
        "description": "Groep jongeren blokkeert de ingang van de flat.",
        "email": "melder@example.org",
        "first_name": "Piet",
        "last_name": "Puk",
        "phone": "0612345678",
        **overrides,
    }


def test_discovery(client: Client, world: World) -> None:
    response = client.get("/open311/v2/discovery.json")
    assert response.status_code == 200
    body = response.json()
    assert_fields(body, DISCOVERY)
    for endpoint in body["endpoints"]:
        assert_fields(endpoint, DISCOVERY_ENDPOINT)
        assert endpoint["formats"] == ["application/json"]
        assert endpoint["url"].endswith("/open311/v2/")
        assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"


def test_services_list_public_active_categories_only(client: Client, world: World) -> None:
    response = client.get(f"/open311/v2/services.json?{J}")
    assert response.status_code == 200
    body = response.json()
    for service in body:
        assert_fields(service, SERVICE)
    assert [s["service_code"] for s in body] == ["overlast-jeugd"]
    service = body[0]
    assert service["group"] == "Veiligheid" and service["type"] == "realtime"
    assert service["metadata"] is False and service["service_name"] == "Jeugdoverlast"


def test_service_definition(client: Client, world: World) -> None:
    body = client.get(f"/open311/v2/services/overlast-jeugd.json?{J}").json()
    assert_fields(body, DEFINITION)
    for attribute in body["attributes"]:
        assert_fields(attribute, ATTRIBUTE)
    assert_error(client.get(f"/open311/v2/services/woonfraude.json?{J}"), 404)
    assert_error(client.get(f"/open311/v2/services/onbekend.json?{J}"), 404)


@pytest.mark.parametrize("as_json", [False, True])
def test_post_request_and_read_it_back(client: Client, world: World, as_json: bool) -> None:
    response = post(client, valid(), as_json=as_json)
    assert response.status_code == 201, response.content
    body = response.json()
    assert isinstance(body, list) and len(body) == 1
    assert_fields(body[0], POST_RESPONSE)
    assert body[0]["account_id"] is None
    request_id = body[0]["service_request_id"]

    report = ResidentReport.objects.get()
    assert report.channel == "open311" and report.email == "melder@example.org"
    signal = report.signal
    assert signal.source_channel == SourceChannel.RESIDENT and signal.registered_by is None
    # names and phone number are not stored anywhere on the signal or report
    stored = json.dumps(
        {k: str(v) for k, v in {**vars(signal), **vars(report)}.items() if not k.startswith("_")}
    )
    for secret in ("Piet", "Puk", "0612345678"):
        assert secret not in stored

    detail = client.get(f"/open311/v2/requests/{request_id}.json?{J}")
    assert detail.status_code == 200
    [item] = detail.json()
    assert_fields(item, REQUEST)
    assert item["service_request_id"] == request_id
    assert item["status"] == "open" and item["service_code"] == "overlast-jeugd"
    assert item["description"] is None and item["address"] is None and item["zipcode"] is None
    assert item["media_url"] is None
    # generalised to the centre of the 100 m cell
    x, y = geo.cell_center(signal.cell_x, signal.cell_y)
    lat, lon = geo.rd_to_wgs84(x, y)
    assert item["lat"] == pytest.approx(lat, abs=1e-6) and item["long"] == pytest.approx(
        lon, abs=1e-6
    )
    assert (item["lat"], item["long"]) != (signal.lat, signal.lon)
    assert dt.datetime.fromisoformat(item["requested_datetime"]).tzinfo is not None
    # the tracking code also works on the resident status page
    assert client.get(f"/melden/GM9999/status/{request_id}/").status_code == 200


def test_post_with_address_string_is_checked_by_the_location_rules(
    client: Client, world: World
) -> None:
    response = post(client, valid(lat="", long="", address_string="Dorpsstraat 1, 12 AB Demodam"))
    body = assert_error(response, 400)
    assert "address_string" in body[0]["description"]
    # a well-formed address without an address register entry cannot be placed
    response = post(client, valid(lat="", long="", address_string="Dorpsstraat 1a, 1234 AB 12a"))
    body = assert_error(response, 400)
    assert any("adres niet vinden" in e["description"] for e in body)
    assert not ResidentReport.objects.exists()
    make_address(huisletter="A")
    response = post(client, valid(lat="", long="", address_string="Dorpsstraat 12a, 1234 AB"))
    assert response.status_code == 201, response.content
    response = post(client, valid(lat="", long="", address_string="1234ab 12 A"), as_json=True)
    assert response.status_code == 201, response.content
    for report in ResidentReport.objects.all():
        assert report.signal.location_kind == "address"
        assert report.signal.neighbourhood == world.buurten["03"]


def test_post_errors_are_all_reported(client: Client, world: World) -> None:
    body = assert_error(post(client, {"jurisdiction_id": "GM9999"}), 400)
    texts = " ".join(e["description"] for e in body)
    assert "service_code is verplicht" in texts and "lat en long" in texts
    body = assert_error(
        post(client, valid(service_code="woonfraude", lat="48.85", long="2.35", description="")),
        400,
    )
    texts = " ".join(e["description"] for e in body)
    assert "service_code:" in texts and "buiten Nederland" in texts and "description:" in texts
    body = assert_error(post(client, valid(email="geen-adres")), 400)
    assert body[0]["description"].startswith("email:")
    assert_error(post(client, valid(lat="abc")), 400)
    response = client.post("/open311/v2/requests.json", "[1,", content_type="application/json")
    assert_error(response, 400)
    assert not ResidentReport.objects.exists()


def test_jurisdiction_required_and_unknown(client: Client, world: World) -> None:
    # two municipalities: required
    assert_error(client.get("/open311/v2/services.json"), 400)
    assert_error(client.get("/open311/v2/services.json?jurisdiction_id=GM0001"), 404)
    assert_error(post(client, valid(jurisdiction_id="GM0001")), 404)
    assert_error(post(client, valid(jurisdiction_id="")), 400)


def test_only_json(client: Client, world: World) -> None:
    for url in (
        "/open311/v2/discovery.xml",
        f"/open311/v2/services.xml?{J}",
        f"/open311/v2/requests.xml?{J}",
        "/open311/v2/requests/ABCD-EFGH-JK.xml",
    ):
        body = assert_error(client.get(url), 400)
        assert "Alleen JSON" in body[0]["description"]
    assert_error(client.get("/open311/v2/bestaat-niet"), 404)
    assert_error(client.delete(f"/open311/v2/requests.json?{J}"), 405)


def test_get_requests_filters_and_privacy(client: Client, world: World) -> None:
    ids = []
    for i in range(3):
        ids.append(post(client, valid(description=f"Melding {i}")).json()[0]["service_request_id"])
    # partner signals are not Open311 requests, even in a public category
    make_signal_at(world, dx=5, days_ago=1)
    regisseur = require_viewer(world.users["regisseur"])
    closed = ResidentReport.objects.get(tracking_code=codes.normalise(ids[0]))
    signal_change_status(viewer=regisseur, signal=closed.signal, to_status="in_behandeling")
    signal_change_status(viewer=regisseur, signal=closed.signal, to_status="afgehandeld")
    old = ResidentReport.objects.get(tracking_code=codes.normalise(ids[1]))
    old.created_at = timezone.now() - dt.timedelta(days=100)
    old.save()

    body = client.get(f"/open311/v2/requests.json?{J}").json()
    for item in body:
        assert_fields(item, REQUEST)
        assert item["description"] is None
    assert {i["service_request_id"] for i in body} == {ids[0], ids[2]}  # default: 90 days
    done = next(i for i in body if i["service_request_id"] == ids[0])
    assert done["status"] == "closed" and done["status_notes"] == "Afgehandeld"

    def listed(query: str) -> set[str]:
        response = client.get(f"/open311/v2/requests.json?{J}&{query}")
        assert response.status_code == 200, response.content
        return {i["service_request_id"] for i in response.json()}

    assert listed("status=open") == {ids[2]}
    assert listed("status=closed") == {ids[0]}
    assert listed("start_date=2000-01-01T00:00:00Z") == set(ids)
    assert listed(f"service_request_id={ids[1]},{ids[2]}") == {ids[1], ids[2]}
    assert listed("service_code=woonfraude") == set()
    end = (timezone.now() - dt.timedelta(days=50)).isoformat().replace("+", "%2B")
    assert listed(f"start_date=2000-01-01&end_date={end}") == {ids[1]}
    assert_error(client.get(f"/open311/v2/requests.json?{J}&status=half"), 400)
    assert_error(client.get(f"/open311/v2/requests.json?{J}&start_date=gisteren"), 400)
    assert_error(client.get(f"/open311/v2/requests/ONBE-KEND2-23.json?{J}"), 404)


def test_outsider_jurisdiction_sees_no_request_of_another(client: Client, world: World) -> None:
    request_id = post(client, valid()).json()[0]["service_request_id"]
    other = "jurisdiction_id=GM9998"
    assert_error(client.get(f"/open311/v2/requests/{request_id}.json?{other}"), 404)
    assert client.get(f"/open311/v2/requests.json?{other}&start_date=2000-01-01").json() == []
    assert client.get(f"/open311/v2/services.json?{other}").json() == []
    # the outsider persona logged in changes nothing: Open311 has no session-based access
    client.force_login(world.users["outsider"])
    assert_error(client.get(f"/open311/v2/requests/{request_id}.json?{other}"), 404)


def test_rate_limit_429_and_no_request_lost(client: Client, world: World) -> None:
    ids = [
        post(client, valid(description=f"M{i}")).json()[0]["service_request_id"] for i in range(5)
    ]
    response = post(client, valid(description="M5"))
    body = assert_error(response, 429)
    assert int(response["Retry-After"]) > 0
    assert "eerdere meldingen zijn ontvangen" in body[0]["description"]
    assert ResidentReport.objects.count() == 5
    for request_id in ids:
        assert client.get(f"/open311/v2/requests/{request_id}.json?{J}").status_code == 200
        assert client.get(f"/melden/GM9999/status/{request_id}/").status_code == 200
    # the web form shares the same per-client limit
    from wijkregie.residents.tests.helpers import submit, walk_to_review

    walk_to_review(client)
    assert submit(client).status_code == 429


def test_jurisdiction_optional_with_one_municipality(client: Client, db: None) -> None:
    from wijkregie.signals.models import Category, LifeDomain
    from wijkregie.tenants.models import Municipality

    gm = Municipality.objects.create(cbs_code="GM0001", name="Enkel")
    domain = LifeDomain.objects.create(municipality=gm, code="leefbaarheid", name="Leefbaarheid")
    Category.objects.create(
        municipality=gm, code="afval", name="Afval", life_domain=domain, is_public=True
    )
    body = client.get("/open311/v2/services.json").json()
    assert [s["service_code"] for s in body] == ["afval"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dorpsstraat 12a, 1234 AB Demodam", ("1234 AB", 12, "a", "")),
        ("1234AB 12", ("1234AB", 12, "", "")),
        ("1234 AB 12-2", ("1234 AB", 12, "", "2")),
        ("Laan 1940 3, 1234AB", ("1234AB", 3, "", "")),
        ("Dorpsstraat, Demodam", None),
        ("1234 AB", None),
    ],
)
def test_parse_address_string(text: str, expected: object) -> None:
    from wijkregie.open311.views import parse_address_string

    assert parse_address_string(text) == expected


# --- Idempotency-Key: a retried POST never makes a second report ---------------------------

KEY = "5f0c8a4e-8d7b-4c1e-9a51-0e0d6f3b2a11"


def test_retry_with_the_same_key_gets_the_first_answer_and_no_second_report(
    client: Client, world: World
) -> None:
    first = post(client, valid(), HTTP_IDEMPOTENCY_KEY=KEY)
    assert first.status_code == 201, first.content
    assert "Idempotent-Replayed" not in first
    for as_json in (False, True):  # the same fields, sent either way, are the same request
        again = post(client, valid(), as_json=as_json, HTTP_IDEMPOTENCY_KEY=f'"{KEY}"')
        assert again.status_code == 201, again.content
        assert again["Idempotent-Replayed"] == "true"
        assert again.json() == first.json()
    report = ResidentReport.objects.get()
    assert first.json()[0]["service_request_id"] == codes.grouped(report.tracking_code)
    # The key is kept only as a keyed hash.
    assert report.idempotency_key and KEY not in report.idempotency_key
    # Another key is another report.
    other = post(client, valid(), HTTP_IDEMPOTENCY_KEY=KEY + "-2")
    assert other.status_code == 201 and "Idempotent-Replayed" not in other
    assert ResidentReport.objects.count() == 2


def test_replays_do_not_count_against_the_rate_limit(client: Client, world: World) -> None:
    for i in range(5):
        assert (
            post(client, valid(description=f"M{i}"), HTTP_IDEMPOTENCY_KEY=f"k{i}").status_code
            == 201
        )
    assert_error(post(client, valid(description="M5"), HTTP_IDEMPOTENCY_KEY="k5"), 429)
    again = post(client, valid(description="M4"), HTTP_IDEMPOTENCY_KEY="k4")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert ResidentReport.objects.count() == 5


def test_same_key_with_other_fields_is_422_and_stores_nothing(client: Client, world: World) -> None:
    assert post(client, valid(), HTTP_IDEMPOTENCY_KEY=KEY).status_code == 201
    body = assert_error(
        post(client, valid(description="Iets anders"), HTTP_IDEMPOTENCY_KEY=KEY), 422
    )
    assert "al gebruikt voor een andere melding" in body[0]["description"]
    assert ResidentReport.objects.count() == 1


@pytest.mark.parametrize("bad", ["", "met spatie", "x" * 256, "sleutel\u00e9"])
def test_malformed_key_is_400_and_stores_nothing(client: Client, world: World, bad: str) -> None:
    body = assert_error(post(client, valid(), HTTP_IDEMPOTENCY_KEY=bad), 400)
    assert "Idempotency-Key" in body[0]["description"]
    assert not ResidentReport.objects.exists()


def test_a_failed_request_does_not_use_up_its_key(client: Client, world: World) -> None:
    assert_error(post(client, valid(service_code=""), HTTP_IDEMPOTENCY_KEY=KEY), 400)
    response = post(client, valid(), HTTP_IDEMPOTENCY_KEY=KEY)
    assert response.status_code == 201 and "Idempotent-Replayed" not in response


def test_the_same_key_at_the_same_moment_makes_one_report(
    client: Client, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two requests with one key both look before either has stored: the second one's insert
    # meets the unique constraint, rolls back whole and answers with the first one's report.
    from wijkregie.open311 import selectors as open311_selectors
    from wijkregie.residents.models import SubmissionEvent
    from wijkregie.signals.models import Signal

    first = post(client, valid(), HTTP_IDEMPOTENCY_KEY=KEY)
    real = open311_selectors.report_for_idempotency
    calls: list[int] = []

    def before_the_other_committed(**kwargs: Any) -> Any:
        calls.append(1)
        return None if len(calls) == 1 else real(**kwargs)

    monkeypatch.setattr(open311_selectors, "report_for_idempotency", before_the_other_committed)
    again = post(client, valid(), HTTP_IDEMPOTENCY_KEY=KEY)
    assert len(calls) == 2
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert ResidentReport.objects.count() == 1
    assert Signal.objects.filter(source_channel=SourceChannel.RESIDENT).count() == 1
    assert SubmissionEvent.objects.count() == 1

"""Every persona against every API endpoint: the visibility policy as seen through /api/v1.

Expectations come from testing/personas.py (written out by hand), not from the code under test.
"""

from __future__ import annotations

import uuid

import pytest
from rest_framework.test import APIClient

from wijkregie.api.tests.helpers import assert_problem, body, invalid_param, post_json, token_client
from wijkregie.privacy.models import AccessEvent
from wijkregie.signals.models import Category, LifeDomain, Signal, SignalStatusChange
from wijkregie.tenants.access import require_viewer
from wijkregie.testing.personas import EXPECTED_VISIBLE, SIGNAL_KEYS, World

API = "/api/v1"
PERSONAS = sorted(EXPECTED_VISIBLE)
# persona -> the signals they handle (owner organisation, regisseur or professional role)
HANDLES: dict[str, set[str]] = {
    "regisseur": {"gemeente_own"},
    "analist": set(),
    "wijkagent": {"police_shared", "police_outside", "police_confidential"},
    "corporatie": {"corporatie_own"},
    "jongerenwerker": {"jongerenwerk_own"},
    "privacy": set(),
    "beheerder": set(),
    "outsider": {"outsider_own"},
}
DEMODAM_PERSONAS = [p for p in PERSONAS if p != "outsider"]


def client_for(world: World, persona: str) -> APIClient:
    return token_client(world.users[persona])


def list_uuids(client: APIClient, query: str = "") -> list[str]:
    response = client.get(f"{API}/signals?pageSize=200{query}")
    assert response.status_code == 200, response.content
    data = body(response)
    assert data["next"] is None
    return [item["uuid"] for item in data["results"]]


@pytest.mark.parametrize("persona", PERSONAS)
def test_list_matches_policy(world: World, persona: str) -> None:
    found = list_uuids(client_for(world, persona))
    assert len(found) == len(set(found))
    assert set(found) == {str(world.signals[k].uuid) for k in EXPECTED_VISIBLE[persona]}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("signal_key", SIGNAL_KEYS)
def test_detail_matches_policy_and_logs_one_api_access(
    world: World, persona: str, signal_key: str
) -> None:
    client = client_for(world, persona)
    signal = world.signals[signal_key]
    before = AccessEvent.objects.count()
    response = client.get(f"{API}/signals/{signal.uuid}")
    events = list(AccessEvent.objects.order_by("-id")[: AccessEvent.objects.count() - before])
    assert len(events) == 1
    event = events[0]
    assert event.access_point == "api"
    assert event.object_id == str(signal.uuid)
    assert event.user_id == world.users[persona].pk
    if signal_key in EXPECTED_VISIBLE[persona]:
        assert response.status_code == 200
        assert body(response)["uuid"] == str(signal.uuid)
        assert event.outcome == "granted"
    else:
        assert_problem(response, 404)
        assert event.outcome == "denied"


@pytest.mark.parametrize("persona", PERSONAS)
def test_forbidden_and_missing_give_the_same_404(world: World, persona: str) -> None:
    client = client_for(world, persona)
    missing = client.get(f"{API}/signals/{uuid.uuid4()}")
    hidden = [k for k in SIGNAL_KEYS if k not in EXPECTED_VISIBLE[persona]]
    assert hidden
    for key in hidden:
        forbidden = client.get(f"{API}/signals/{world.signals[key].uuid}")
        assert forbidden.status_code == missing.status_code == 404
        one, other = body(forbidden), body(missing)
        one.pop("instance")
        other.pop("instance")
        assert one == other
        assert forbidden["Content-Type"] == missing["Content-Type"]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("signal_key", SIGNAL_KEYS)
def test_status_change_matches_policy(world: World, persona: str, signal_key: str) -> None:
    client = client_for(world, persona)
    signal = world.signals[signal_key]
    before = AccessEvent.objects.count()
    response = post_json(
        client, f"{API}/signals/{signal.uuid}/status", {"status": "in_behandeling"}
    )
    assert AccessEvent.objects.count() == before + 1
    assert AccessEvent.objects.order_by("-id")[0].access_point == "api"
    signal.refresh_from_db()
    if signal_key not in EXPECTED_VISIBLE[persona]:
        assert_problem(response, 404)
        assert signal.status == "open"
    elif signal_key in HANDLES[persona]:
        assert response.status_code == 200, response.content
        assert body(response)["status"] == "in_behandeling"
        assert signal.status == "in_behandeling"
    else:
        assert invalid_param(response, "status")["code"] == "not_owner"
        assert signal.status == "open"
        assert not SignalStatusChange.objects.filter(signal=signal).exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_areas(world: World, persona: str) -> None:
    client = client_for(world, persona)
    listing = client.get(f"{API}/areas")
    assert listing.status_code == 200
    names = [area["name"] for area in body(listing)]
    detail = client.get(f"{API}/areas/{world.focus.uuid}")
    area_map = client.get(f"{API}/areas/{world.focus.uuid}/map")
    if persona == "outsider":
        assert names == []  # Elders has no focus areas; Noord is Demodam's
        assert_problem(detail, 404)
        assert_problem(area_map, 404)
        return
    assert names == ["Noord"]
    assert detail.status_code == 200
    assert body(detail)["uuid"] == str(world.focus.uuid)
    assert [n["code"] for n in body(detail)["neighbourhoods"]] == ["BU99990101", "BU99990102"]
    assert area_map.status_code == 200
    features = body(area_map)["features"]
    assert [f["id"] for f in features] == ["BU99990101", "BU99990102"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_map_counts_equal_list_counts(world: World, persona: str) -> None:
    client = client_for(world, persona)
    listing = body(client.get(f"{API}/signals?pageSize=200"))["results"]
    per_buurt: dict[str, int] = {}
    for item in listing:
        if item["neighbourhood"]:
            per_buurt[item["neighbourhood"]] = per_buurt.get(item["neighbourhood"], 0) + 1
    response = client.get(f"{API}/neighbourhoods/map")
    assert response.status_code == 200
    collection = body(response)
    assert collection["type"] == "FeatureCollection"
    counts = {f["id"]: f["properties"]["signalCount"] for f in collection["features"]}
    if persona == "outsider":
        assert counts == {}  # Elders has no buurten; Demodam's are never listed
    else:
        assert set(counts) == {"BU99990101", "BU99990102", "BU99990201", "BU99990202"}
    # Viewers without need-to-know (the analyst) get small counts withheld (null).
    threshold = require_viewer(world.users[persona]).small_count_threshold
    shown = {code: (None if 0 < n < threshold else n) for code, n in per_buurt.items()}
    assert {code: n for code, n in counts.items() if n != 0} == shown
    if persona != "outsider":
        area = body(client.get(f"{API}/areas/{world.focus.uuid}/map"))
        area_counts = {f["id"]: f["properties"]["signalCount"] for f in area["features"]}
        assert area_counts == {code: counts[code] for code in ("BU99990101", "BU99990102")}


@pytest.mark.parametrize("persona", PERSONAS)
def test_categories_and_life_domains_of_own_municipality_only(world: World, persona: str) -> None:
    client = client_for(world, persona)
    categories = body(client.get(f"{API}/categories"))
    domains = body(client.get(f"{API}/life-domains"))
    municipality = world.other_gm if persona == "outsider" else world.gm
    assert {c["uuid"] for c in categories} == {
        str(u)
        for u in Category.objects.filter(municipality=municipality).values_list("uuid", flat=True)
    }
    assert {d["uuid"] for d in domains} == {
        str(u)
        for u in LifeDomain.objects.filter(municipality=municipality).values_list("uuid", flat=True)
    }
    if persona == "outsider":
        assert [c["code"] for c in categories] == ["overlast"]
    else:
        assert {c["code"] for c in categories} == set(world.categories)


@pytest.mark.parametrize("persona", ["privacy", "beheerder"])
def test_roles_without_signal_reading_see_no_signals(world: World, persona: str) -> None:
    client = client_for(world, persona)
    assert list_uuids(client) == []
    for key in SIGNAL_KEYS:
        assert_problem(client.get(f"{API}/signals/{world.signals[key].uuid}"), 404)
    counts = body(client.get(f"{API}/neighbourhoods/map"))["features"]
    assert sum(f["properties"]["signalCount"] for f in counts) == 0


def test_partner_without_agreement_sees_only_its_own(world: World) -> None:
    client = client_for(world, "jongerenwerker")
    assert list_uuids(client) == [str(world.signals["jongerenwerk_own"].uuid)]
    # Filters and search narrow; they never widen.
    assert list_uuids(client, "&category=overlast&area=BU99990101&q=portiek") == [
        str(world.signals["jongerenwerk_own"].uuid)
    ]


def test_outsider_cannot_reach_demodam_through_filters(world: World) -> None:
    client = client_for(world, "outsider")
    own = [str(world.signals["outsider_own"].uuid)]
    assert list_uuids(client) == own
    assert list_uuids(client, f"&area={world.focus.uuid}") == []
    assert list_uuids(client, "&area=BU99990101") == []
    assert list_uuids(client, "&category=overlast") == own
    assert Signal.objects.filter(municipality=world.gm).count() == 6

"""/api/v1/areas and the GeoJSON maps: RFC 7946 shape, filters, counts equal to the list."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.test import APIClient

from wijkregie.api.tests.helpers import assert_problem, body, invalid_names, token_client
from wijkregie.lib import geo
from wijkregie.testing.personas import World, make_signal

API = "/api/v1"


@pytest.fixture
def regisseur(world: World) -> APIClient:
    make_signal(world, owner="gemeente", category="woonfraude", buurt="01", days_ago=3)
    make_signal(world, owner="gemeente", category="woonfraude", buurt="02", days_ago=30)
    return token_client(world.users["regisseur"])


def assert_feature_collection(data: dict[str, Any]) -> None:
    """RFC 7946: a FeatureCollection of Features with WGS84 [lon, lat] polygons."""
    assert data["type"] == "FeatureCollection"
    lon_min, lat_min, lon_max, lat_max = geo.NL_WGS84
    for feature in data["features"]:
        assert set(feature) == {"type", "id", "geometry", "properties"}
        assert feature["type"] == "Feature"
        assert feature["geometry"]["type"] == "Polygon"
        for ring in feature["geometry"]["coordinates"]:
            assert len(ring) >= 4
            assert ring[0] == ring[-1]  # closed
            for lon, lat in ring:
                assert lon_min <= lon <= lon_max and lat_min <= lat <= lat_max
        assert set(feature["properties"]) == {"code", "name", "signalCount", "suppressed"}
        assert feature["properties"]["code"] == feature["id"]


def list_counts(client: APIClient, **params: str) -> dict[str, int]:
    query = urlencode({"pageSize": 200, **params})
    counts: dict[str, int] = {}
    for item in body(client.get(f"{API}/signals?{query}"))["results"]:
        if item["neighbourhood"]:
            counts[item["neighbourhood"]] = counts.get(item["neighbourhood"], 0) + 1
    return counts


def map_counts(client: APIClient, path: str, **params: str) -> dict[str, int]:
    response = client.get(f"{API}/{path}?{urlencode(params)}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    data = body(response)
    assert_feature_collection(data)
    return {f["id"]: f["properties"]["signalCount"] for f in data["features"]}


def test_area_list_and_detail(world: World, regisseur: APIClient) -> None:
    listing = body(regisseur.get(f"{API}/areas"))
    assert len(listing) == 1
    area = listing[0]
    assert area["url"] == f"{API}/areas/{world.focus.uuid}"
    assert area["administrativeOwner"] == "Wethouder Wonen"
    assert area["projectLeader"] == "Regisseur"
    assert body(regisseur.get(area["url"])) == area


@pytest.mark.parametrize(
    "params",
    [{}, {"category": "woonfraude"}, {"category": "overlast"}, {"status": "afgehandeld"}],
)
def test_map_counts_equal_list_counts_under_filters(
    world: World, regisseur: APIClient, params: dict[str, str]
) -> None:
    expected = list_counts(regisseur, **params)
    counts = map_counts(regisseur, "neighbourhoods/map", **params)
    assert {code: n for code, n in counts.items() if n} == expected
    area = map_counts(regisseur, f"areas/{world.focus.uuid}/map", **params)
    assert area == {code: counts[code] for code in ("BU99990101", "BU99990102")}


def test_map_period_filter(world: World, regisseur: APIClient) -> None:
    since = (timezone.localdate() - dt.timedelta(days=10)).isoformat()
    recent = map_counts(regisseur, "neighbourhoods/map", **{"from": since})
    assert recent == {
        "BU99990101": 2,  # police_shared and the 3-day-old woonfraude; not the 30-day one
        "BU99990102": 0,
        "BU99990201": 0,
        "BU99990202": 1,  # gemeente_own
    }
    assert recent == {
        code: list_counts(regisseur, **{"from": since}).get(code, 0) for code in recent
    }


def test_area_map_ignores_an_area_parameter(world: World, regisseur: APIClient) -> None:
    # The area in the path wins: a query parameter cannot widen or move the map.
    narrowed = map_counts(regisseur, f"areas/{world.focus.uuid}/map", area="WK999902")
    assert set(narrowed) == {"BU99990101", "BU99990102"}
    assert narrowed == map_counts(regisseur, f"areas/{world.focus.uuid}/map")


@pytest.mark.parametrize("path", ["neighbourhoods/map", "areas/{focus}/map"])
def test_map_with_invalid_filters_is_400(world: World, regisseur: APIClient, path: str) -> None:
    response = regisseur.get(f"{API}/{path.format(focus=world.focus.uuid)}?from=x&source=y")
    assert_problem(response, 400)
    assert sorted(invalid_names(response)) == ["from", "source"]


@pytest.mark.parametrize("suffix", ["", "/map"])
def test_unknown_area_is_404(world: World, regisseur: APIClient, suffix: str) -> None:
    assert_problem(regisseur.get(f"{API}/areas/{uuid.uuid4()}{suffix}"), 404)
    assert_problem(regisseur.get(f"{API}/areas/geen-uuid{suffix}"), 404)


def test_user_without_municipality_gets_404_everywhere(world: World) -> None:
    staff = get_user_model().objects.create_user(username="beheer-root", password="x" * 20)
    client = APIClient()
    client.force_login(staff)
    for path in ("signals", "areas", "categories", "life-domains", "neighbourhoods/map"):
        assert_problem(client.get(f"{API}/{path}"), 404)
    assert_problem(client.get(f"{API}/signals/{world.signals['police_shared'].uuid}"), 404)

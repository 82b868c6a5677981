"""GET /api/v1/analysis/map/{clusters,choropleth,focus-areas} for every persona."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from rest_framework.test import APIClient

from wijkregie.api.tests.helpers import assert_problem, body, invalid_names, token_client
from wijkregie.lib import geo
from wijkregie.privacy.models import AccessEvent
from wijkregie.testing.personas import EXPECTED_VISIBLE, World, make_signal

CLUSTERS = "/api/v1/analysis/map/clusters"
CHOROPLETH = "/api/v1/analysis/map/choropleth"
FOCUS = "/api/v1/analysis/map/focus-areas"
ENDPOINTS = (CLUSTERS, CHOROPLETH, FOCUS)
READERS = ["regisseur", "analist", "wijkagent", "corporatie", "jongerenwerker", "outsider"]


def get(client: APIClient, url: str, **params: str) -> dict[str, Any]:
    response = client.get(f"{url}?{urlencode(params)}" if params else url)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    assert response["API-Version"]
    data: dict[str, Any] = body(response)
    assert data["type"] == "FeatureCollection"
    for feature in data["features"]:
        assert feature["type"] == "Feature"
    return data


def bbox_of(world: World, buurt: str) -> str:
    hood = world.buurten[buurt]
    assert hood.rd_min_x is not None and hood.rd_min_y is not None
    lat0, lon0 = geo.rd_to_wgs84(hood.rd_min_x, hood.rd_min_y)
    lat1, lon1 = geo.rd_to_wgs84(hood.rd_min_x + 1000, hood.rd_min_y + 1000)
    return f"{lon0},{lat0},{lon1},{lat1}"


@pytest.mark.parametrize("persona", READERS)
def test_cluster_counts_add_up_to_the_signal_list(world: World, persona: str) -> None:
    client = token_client(world.users[persona])
    listed = body(client.get("/api/v1/signals?pageSize=100"))["results"]
    assert len(listed) == len(EXPECTED_VISIBLE[persona])
    for zoom in ("9", "15", "16"):
        data = get(client, CLUSTERS, zoom=zoom)
        counts = [f["properties"]["count"] for f in data["features"]]
        meta = data["meta"]
        assert meta["points"] is False and meta["zoom"] == int(zoom)
        if persona != "analist":  # the analyst's ones are suppressed (next test)
            assert sum(counts) == meta["signals"]
        assert meta["signals"] + meta["signalsWithoutLocation"] == len(listed)
        for f in data["features"]:
            assert f["geometry"]["type"] == "Point"
            assert f["properties"]["kind"] == "cluster" and f["properties"]["uuid"] is None


def test_clusters_with_the_same_filters_as_the_list(world: World) -> None:
    for buurt in ("01", "03", "03"):
        make_signal(world, owner="corporatie", category="woonfraude", buurt=buurt)
    client = token_client(world.users["corporatie"])
    for params in (
        {"category": "woonfraude"},
        {"domain": "veiligheid"},
        {"area": "BU99990201"},
        {"area": str(world.focus.uuid)},
        {"source": "street"},
        {"from": "2000-01-01", "to": "2000-12-31"},
    ):
        listed = body(client.get(f"/api/v1/signals?pageSize=100&{urlencode(params)}"))["results"]
        meta = get(client, CLUSTERS, zoom="16", **params)["meta"]
        assert meta["signals"] + meta["signalsWithoutLocation"] == len(listed), params


def test_points_close_up_for_need_to_know_only(world: World) -> None:
    box = bbox_of(world, "01")
    regisseur = get(token_client(world.users["regisseur"]), CLUSTERS, zoom="18", bbox=box)
    assert regisseur["meta"]["points"] is True
    assert [f["properties"]["uuid"] for f in regisseur["features"]] == [
        str(world.signals["police_shared"].uuid)
    ]
    assert regisseur["features"][0]["properties"]["category"] == "Jeugdoverlast"
    before = AccessEvent.objects.count()
    analyst = get(token_client(world.users["analist"]), CLUSTERS, zoom="18", bbox=box)
    assert analyst["meta"]["points"] is False
    assert {f["properties"]["kind"] for f in analyst["features"]} == {"cluster"}
    assert all(f["properties"]["uuid"] is None for f in analyst["features"])
    assert AccessEvent.objects.count() == before
    event = AccessEvent.objects.filter(user=world.users["regisseur"]).latest("id")
    assert (event.object_id, event.access_point) == ("map", "api")


def test_analyst_counts_below_the_threshold_are_null(world: World) -> None:
    for _ in range(5):
        make_signal(world, owner="gemeente", category="woonfraude", buurt="02")
    client = token_client(world.users["analist"])
    clusters = get(client, CLUSTERS, zoom="16")
    assert clusters["meta"]["suppressionThreshold"] == 5
    assert sorted((f["properties"]["count"] or 0) for f in clusters["features"]) == [0, 0, 5]
    choropleth = get(client, CHOROPLETH)
    props = {f["id"]: f["properties"] for f in choropleth["features"]}
    assert props["BU99990101"]["count"] is None and props["BU99990101"]["suppressed"] is True
    assert props["BU99990101"]["class"] is None
    assert props["BU99990102"]["count"] == 5
    assert props["BU99990202"]["count"] is None  # gemeente_own, 1 signal
    assert choropleth["meta"]["suppressionThreshold"] == 5
    (noord,) = get(client, FOCUS)["features"]
    assert noord["properties"]["count"] == 6 and noord["properties"]["suppressed"] is False
    regisseur = get(token_client(world.users["regisseur"]), CHOROPLETH)
    assert {f["id"]: f["properties"]["count"] for f in regisseur["features"]} == {
        "BU99990101": 1,
        "BU99990102": 5,
        "BU99990201": 0,
        "BU99990202": 1,
    }
    assert regisseur["meta"]["suppressionThreshold"] is None


@pytest.mark.parametrize("persona", READERS)
def test_choropleth_and_focus_areas_per_persona(world: World, persona: str) -> None:
    client = token_client(world.users[persona])
    choropleth = get(client, CHOROPLETH)
    focus = get(client, FOCUS)
    if persona == "outsider":
        assert choropleth["features"] == [] and focus["features"] == []
        assert choropleth["meta"]["signals"] == 0
        return
    visible = EXPECTED_VISIBLE[persona]
    expected = dict.fromkeys(("BU99990101", "BU99990102", "BU99990201", "BU99990202"), 0)
    for key in visible:
        expected[world.signals[key].neighbourhood.code] += 1  # type: ignore[union-attr]
    counts = {f["id"]: f["properties"]["count"] for f in choropleth["features"]}
    if persona == "analist":
        expected = {k: (None if 0 < v < 5 else v) for k, v in expected.items()}
    assert counts == expected
    for f in choropleth["features"]:
        assert f["geometry"]["type"] == "Polygon"
        assert set(f["properties"]) == {
            "code",
            "name",
            "count",
            "suppressed",
            "residents",
            "ratePer1000",
            "class",
        }
    (noord,) = focus["features"]
    assert noord["id"] == str(world.focus.uuid)
    assert noord["properties"]["neighbourhoods"] == ["BU99990101", "BU99990102"]


@pytest.mark.parametrize("url", ENDPOINTS)
def test_a_foreign_or_unknown_area_is_a_404_problem(world: World, url: str) -> None:
    outsider = token_client(world.users["outsider"])
    assert_problem(outsider.get(f"{url}?area={world.focus.uuid}"), 404)
    assert_problem(outsider.get(f"{url}?area=BU99990101"), 404)
    regisseur = token_client(world.users["regisseur"])
    assert_problem(regisseur.get(f"{url}?area=00000000-0000-4000-8000-000000000000"), 404)
    assert get(regisseur, url, area="BU99990101")["type"] == "FeatureCollection"


@pytest.mark.parametrize("url", ENDPOINTS)
@pytest.mark.parametrize("persona", ["privacy", "beheerder"])
def test_roles_that_do_not_read_signals_get_404(world: World, url: str, persona: str) -> None:
    assert_problem(token_client(world.users[persona]).get(url), 404)


@pytest.mark.parametrize("url", ENDPOINTS)
def test_unauthenticated_is_401_problem(world: World, url: str) -> None:
    assert_problem(APIClient().get(url), 401)


def test_bad_parameters_are_reported_together(world: World) -> None:
    client = token_client(world.users["regisseur"])
    response = client.get(f"{CLUSTERS}?zoom=99&bbox=1,2,3&from=gisteren&source=x")
    data = assert_problem(response, 400)
    assert sorted(invalid_names(response)) == ["bbox", "from", "source", "zoom"]
    codes = {p["name"]: p["code"] for p in data["invalidParams"]}
    assert codes["zoom"] == "invalid_zoom" and codes["bbox"] == "invalid_bbox"
    reasons = {p["name"]: p["reason"] for p in data["invalidParams"]}
    assert reasons["zoom"].startswith("Geef zoom als geheel getal")
    for bad in ("abc", "-1", "23", "1.5"):
        assert invalid_names(client.get(f"{CLUSTERS}?zoom={bad}")) == ["zoom"]
    for bad in ("a,b,c,d", "6,53,5,52", "1,2,3,4,5", "nan,52,6,53"):
        assert invalid_names(client.get(f"{CLUSTERS}?bbox={bad}")) == ["bbox"]
    outside = client.get(f"{CLUSTERS}?bbox=10,40,11,41")
    assert invalid_names(outside) == ["bbox"]
    for url in (CHOROPLETH, FOCUS):
        assert sorted(invalid_names(client.get(f"{url}?to=morgen&status=x"))) == ["status", "to"]


def test_the_endpoints_are_in_the_openapi_document(world: World) -> None:
    client = token_client(world.users["regisseur"])
    paths = body(client.get("/api/v1/openapi.json"))["paths"]
    for url in ENDPOINTS:
        operation = paths[url]["get"]
        names = {p["name"] for p in operation["parameters"]}
        assert {"from", "to", "category", "domain", "source", "area"} <= names
    clusters = paths[CLUSTERS]["get"]
    assert {"zoom", "bbox"} <= {p["name"] for p in clusters["parameters"]}

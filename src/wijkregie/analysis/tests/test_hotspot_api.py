"""GET /api/v1/analysis/hotspots: Gi* cells of the signals each persona may see."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import numpy as np
import pytest
from rest_framework.test import APIClient

from wijkregie.analysis.gistar import gi_star_grid
from wijkregie.api.tests.helpers import assert_problem, body, invalid_names, token_client
from wijkregie.areas.models import Neighbourhood
from wijkregie.lib import geo
from wijkregie.testing.personas import EXPECTED_VISIBLE, World, make_signal, polygon_geojson

URL = "/api/v1/analysis/hotspots"
Cell = tuple[int, int]


def hotspots(client: APIClient, **params: str) -> dict[str, Any]:
    response = client.get(f"{URL}?{urlencode(params)}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    data: dict[str, Any] = body(response)
    assert data["type"] == "FeatureCollection"
    lon_min, lat_min, lon_max, lat_max = geo.NL_WGS84
    for feature in data["features"]:
        assert feature["type"] == "Feature"
        props = feature["properties"]
        assert set(props) == {
            "cellX",
            "cellY",
            "count",
            "giZ",
            "pValue",
            "significantFdr",
            "class",
        }
        assert feature["id"] == f"E{props['cellX']:04d}N{props['cellY']:04d}"
        (ring,) = feature["geometry"]["coordinates"]
        assert feature["geometry"]["type"] == "Polygon"
        assert len(ring) == 5 and ring[0] == ring[-1]
        for lon, lat in ring:
            assert lon_min <= lon <= lon_max and lat_min <= lat <= lat_max
        # The ring is the 100 m cell: its lower-left corner maps back to the cell.
        x, y = geo.wgs84_to_rd(ring[0][1], ring[0][0])
        assert geo.cell_of(x + 1, y + 1) == (props["cellX"], props["cellY"])
    assert data["meta"]["cells"] == len(data["features"])
    return data


def counts_of(data: dict[str, Any]) -> dict[Cell, int | None]:
    """Cell -> count for cells that are not plain zeros (suppressed cells give None)."""
    return {
        (f["properties"]["cellX"], f["properties"]["cellY"]): f["properties"]["count"]
        for f in data["features"]
        if f["properties"]["count"] != 0
    }


def by_cell(data: dict[str, Any]) -> dict[Cell, dict[str, Any]]:
    return {
        (f["properties"]["cellX"], f["properties"]["cellY"]): f["properties"]
        for f in data["features"]
    }


def expected_counts(world: World, keys: set[str]) -> dict[Cell, int]:
    counts: dict[Cell, int] = {}
    for key in keys:
        signal = world.signals[key]
        if signal.cell_x is not None and signal.cell_y is not None:
            cell = (signal.cell_x, signal.cell_y)
            counts[cell] = counts.get(cell, 0) + 1
    return counts


def test_study_area_is_every_cell_of_the_buurten(world: World) -> None:
    data = hotspots(token_client(world.users["regisseur"]))
    # Four buurten of 1 km x 1 km: 400 cells, zeros included.
    assert data["meta"]["cells"] == 400
    cells = set(by_cell(data))
    assert cells == {(1550 + i, 4630 + j) for i in range(40) for j in range(10)}
    assert data["meta"]["signals"] == sum(n or 0 for n in counts_of(data).values())
    assert data["meta"]["signalsOutsideStudyArea"] == 0


def test_a_cluster_makes_a_hot_cell(world: World) -> None:
    for _ in range(12):
        make_signal(world, owner="gemeente", category="woonfraude", buurt="02")
    data = hotspots(token_client(world.users["regisseur"]))
    cells = by_cell(data)
    cluster = cells[(1562, 4632)]
    assert cluster["count"] == 12
    assert cluster["class"] == "hot" and cluster["significantFdr"] is True
    assert cluster["giZ"] > 3 and cluster["pValue"] < 0.001
    far = cells[(1589, 4639)]
    assert far["class"] == "none" and far["significantFdr"] is False
    assert data["meta"]["alpha"] == 0.05
    assert data["meta"]["suppressionThreshold"] is None  # a regisseur has need-to-know


@pytest.mark.parametrize("persona", ["regisseur", "wijkagent", "corporatie", "jongerenwerker"])
def test_counts_equal_the_visible_signals_per_cell(world: World, persona: str) -> None:
    data = hotspots(token_client(world.users[persona]))
    expected = expected_counts(world, EXPECTED_VISIBLE[persona])
    assert counts_of(data) == expected
    assert data["meta"]["signals"] == sum(expected.values())


def test_invisible_signals_are_not_counted(world: World) -> None:
    # The youth worker's own signal shares its cell with a shared police signal and a
    # corporation signal; the police officer sees the confidential one, the regisseur not.
    cell = (world.signals["jongerenwerk_own"].cell_x, world.signals["jongerenwerk_own"].cell_y)
    assert by_cell(hotspots(token_client(world.users["jongerenwerker"])))[cell]["count"] == 1
    assert by_cell(hotspots(token_client(world.users["corporatie"])))[cell]["count"] == 2
    confidential = world.signals["police_confidential"]
    secret_cell = (confidential.cell_x, confidential.cell_y)
    assert by_cell(hotspots(token_client(world.users["wijkagent"])))[secret_cell]["count"] == 1
    assert by_cell(hotspots(token_client(world.users["regisseur"])))[secret_cell]["count"] == 0


def test_filters_are_the_signal_list_filters(world: World) -> None:
    make_signal(world, owner="corporatie", category="woonfraude", buurt="03")
    client = token_client(world.users["corporatie"])
    assert counts_of(hotspots(client, category="woonfraude")) == expected_counts(
        world, {"corporatie_own"}
    ) | {(1572, 4632): 1}
    assert counts_of(hotspots(client, category="overlast")) == expected_counts(
        world, {"police_shared"}
    )
    assert counts_of(hotspots(client, area="BU99990201")) == {(1572, 4632): 1}
    assert hotspots(client, **{"from": "2000-01-01", "to": "2000-12-31"})["meta"]["signals"] == 0


def test_analyst_gets_small_counts_suppressed_but_the_same_classes(world: World) -> None:
    for _ in range(5):
        make_signal(world, owner="gemeente", category="woonfraude", buurt="02")
    analyst = hotspots(token_client(world.users["analist"]))
    regisseur = hotspots(token_client(world.users["regisseur"]))  # sees the same signals
    assert analyst["meta"]["suppressionThreshold"] == 5
    assert counts_of(regisseur) == {(1552, 4632): 1, (1562, 4632): 5, (1582, 4632): 1}
    assert counts_of(analyst) == {(1552, 4632): None, (1562, 4632): 5, (1582, 4632): None}
    # The statistic uses the true counts: z, p and class are those of the regisseur.
    for cell, props in by_cell(analyst).items():
        other = by_cell(regisseur)[cell]
        assert (props["giZ"], props["pValue"], props["class"]) == (
            other["giZ"],
            other["pValue"],
            other["class"],
        )
    assert analyst["meta"]["signals"] == regisseur["meta"]["signals"] == 7


def test_z_values_equal_analysis_gistar_on_the_same_counts(world: World) -> None:
    for buurt, n in (("01", 4), ("02", 9), ("04", 2)):
        for _ in range(n):
            make_signal(world, owner="gemeente", category="woonfraude", buurt=buurt)
    data = hotspots(token_client(world.users["regisseur"]), alpha="0.1")
    props = [f["properties"] for f in data["features"]]
    ix = np.array([p["cellX"] for p in props])
    iy = np.array([p["cellY"] for p in props])
    counts = np.array([p["count"] for p in props])
    result = gi_star_grid(ix, iy, counts, alpha=0.1)
    assert np.allclose([p["giZ"] for p in props], result.z, rtol=0, atol=1e-12)
    assert np.allclose([p["pValue"] for p in props], result.p_value, rtol=0, atol=1e-15)
    assert [p["class"] for p in props] == result.classes.tolist()
    assert [p["significantFdr"] for p in props] == result.significant.tolist()
    assert data["meta"]["alpha"] == 0.1


def test_no_signals_gives_null_z_not_nan(world: World) -> None:
    data = hotspots(
        token_client(world.users["regisseur"]), **{"from": "2000-01-01"}, to="2000-01-02"
    )
    assert data["meta"]["signals"] == 0
    assert {(f["properties"]["giZ"], f["properties"]["class"]) for f in data["features"]} == {
        (None, "none")
    }


def test_outsider_gets_none_of_demodams_cells_or_signals(world: World) -> None:
    client = token_client(world.users["outsider"])
    data = hotspots(client)
    assert data["features"] == []
    assert data["meta"]["signals"] == 0
    # With a buurt of its own, the outsider gets that buurt's cells, all zero.
    x0, y0 = 120_000.0, 480_000.0
    Neighbourhood.objects.create(
        municipality=world.other_gm,
        code="BU99980101",
        kind="buurt",
        name="Elders 1",
        boundary=polygon_geojson(x0, y0, 500),
        rd_min_x=x0,
        rd_min_y=y0,
        rd_max_x=x0 + 500,
        rd_max_y=y0 + 500,
    )
    data = hotspots(client)
    assert set(by_cell(data)) == {(1200 + i, 4800 + j) for i in range(5) for j in range(5)}
    assert data["meta"]["signals"] == 0 and counts_of(data) == {}


@pytest.mark.parametrize("persona", ["privacy", "beheerder"])
def test_roles_that_do_not_read_signals_get_404(world: World, persona: str) -> None:
    assert_problem(token_client(world.users[persona]).get(URL), 404)


def test_unauthenticated_is_401_problem(world: World) -> None:
    assert_problem(APIClient().get(URL), 401)


def test_bad_parameters_are_a_dutch_400_problem(world: World) -> None:
    client = token_client(world.users["regisseur"])
    response = client.get(f"{URL}?from=gisteren&alpha=2&source=x")
    data = assert_problem(response, 400)
    assert sorted(invalid_names(response)) == ["alpha", "from", "source"]
    reasons = {p["name"]: p["reason"] for p in data["invalidParams"]}
    assert reasons["from"] == "Gebruik een datum als JJJJ-MM-DD."
    assert reasons["alpha"].startswith("Geef alpha als getal")
    for bad in ("0", "1", "nan", "abc", "-0.1"):
        assert invalid_names(client.get(f"{URL}?alpha={bad}")) == ["alpha"]

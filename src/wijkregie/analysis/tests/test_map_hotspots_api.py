"""GET /api/v1/analysis/map/hotspots: Gi* on the whole study area, the response trimmed to the
map's box and to the hot and cold cells; FDR or, on request, uncorrected."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import numpy as np
import pytest
from rest_framework.test import APIClient

from wijkregie.analysis.gistar import gi_star_grid
from wijkregie.analysis.map_selectors import uncorrected
from wijkregie.api.tests.helpers import assert_problem, body, invalid_names, token_client
from wijkregie.lib import geo
from wijkregie.testing.personas import World, make_signal

URL = "/api/v1/analysis/map/hotspots"
READERS = ["regisseur", "analist", "wijkagent", "corporatie", "jongerenwerker", "outsider"]


def get(client: APIClient, **params: str) -> dict[str, Any]:
    response = client.get(f"{URL}?{urlencode(params)}" if params else URL)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    data: dict[str, Any] = body(response)
    assert data["type"] == "FeatureCollection"
    return data


def by_id(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["id"]: f for f in data["features"]}


def spread_signals(world: World) -> None:
    """5 signals in one cell of buurt 02 (a strong hot spot), 2 in one of buurt 03 (weak:
    significant on its own at 0.05, not after the FDR over 400 cells)."""
    for _ in range(5):
        make_signal(world, owner="gemeente", category="woonfraude", buurt="02")
    for _ in range(2):
        make_signal(world, owner="gemeente", category="woonfraude", buurt="03")


def wgs84_box(world: World, buurt: str) -> str:
    hood = world.buurten[buurt]
    assert hood.rd_min_x is not None and hood.rd_min_y is not None
    # Slightly inside the buurt, so the box does not touch the next buurt's cells.
    lat0, lon0 = geo.rd_to_wgs84(hood.rd_min_x + 10, hood.rd_min_y + 10)
    lat1, lon1 = geo.rd_to_wgs84(hood.rd_min_x + 990, hood.rd_min_y + 990)
    return f"{lon0},{lat0},{lon1},{lat1}"


def test_uncorrected_is_p_below_alpha_per_cell() -> None:
    ix, iy = (a.ravel() for a in np.meshgrid(np.arange(20), np.arange(20)))
    values = np.zeros(400)
    values[(ix == 2) & (iy == 2)] = 5
    values[(ix == 12) & (iy == 12)] = 2
    result = gi_star_grid(ix, iy, values, alpha=0.05)
    loose = uncorrected(result)
    np.testing.assert_array_equal(loose.z, result.z)
    np.testing.assert_array_equal(loose.p_value, result.p_value)
    np.testing.assert_array_equal(loose.significant, result.p_value < 0.05)
    assert result.significant.sum() == 9 and loose.significant.sum() == 18
    assert set(loose.classes[loose.significant]) == {"hot"}
    assert set(loose.classes[~loose.significant]) == {"none"}


def test_default_sends_only_the_classified_cells(world: World) -> None:
    spread_signals(world)
    client = token_client(world.users["regisseur"])
    data = get(client)
    meta = data["meta"]
    assert meta["studyAreaCells"] == 400 and meta["fdr"] is True
    assert meta["correction"] == "benjamini-hochberg" and meta["classifiedOnly"] is True
    assert meta["cells"] == len(data["features"]) == meta["hot"] + meta["cold"] == 9
    assert {f["properties"]["class"] for f in data["features"]} == {"hot"}
    assert all(f["properties"]["significant"] for f in data["features"])
    full = get(client, cells="all")
    assert len(full["features"]) == 400 and full["meta"]["hot"] == 9
    # The same cells as the study-area endpoint, with the same Gi*.
    reference = by_id(body(client.get("/api/v1/analysis/hotspots")))
    for cell_id, feature in by_id(full).items():
        props, ref = feature["properties"], reference[cell_id]["properties"]
        assert props["giZ"] == ref["giZ"] and props["pValue"] == ref["pValue"]
        assert props["class"] == ref["class"] and props["count"] == ref["count"]
        assert feature["geometry"] == reference[cell_id]["geometry"]


@pytest.mark.parametrize("fdr", ["on", "off"])
def test_a_bbox_response_is_a_subset_identical_per_cell(world: World, fdr: str) -> None:
    spread_signals(world)
    client = token_client(world.users["regisseur"])
    full = by_id(get(client, cells="all", fdr=fdr))
    full_classified = by_id(get(client, fdr=fdr))
    hood = world.buurten["02"]
    assert hood.rd_min_x is not None and hood.rd_min_y is not None
    rd_box = (
        f"{hood.rd_min_x + 10},{hood.rd_min_y + 10},{hood.rd_min_x + 990},{hood.rd_min_y + 990}"
    )
    for cells in ("all", "classified"):
        for box in (
            {"bbox": wgs84_box(world, "02")},
            {"bbox": rd_box, "bboxCrs": "rd"},
        ):
            part = get(client, cells=cells, fdr=fdr, **box)
            assert part["meta"]["bbox"] is True
            trimmed = by_id(part)
            reference = full if cells == "all" else full_classified
            assert trimmed and set(trimmed) <= set(reference)
            for cell_id, feature in trimmed.items():
                assert feature == reference[cell_id], cell_id
            # Exactly the cells of buurt 02 (10 x 10 cells), classified or all.
            x0, y0 = int(hood.rd_min_x) // 100, int(hood.rd_min_y) // 100
            inside = {
                c
                for c, f in reference.items()
                if x0 <= f["properties"]["cellX"] < x0 + 10
                and y0 <= f["properties"]["cellY"] < y0 + 10
            }
            assert set(trimmed) == inside
            # Meta still describes the whole study area.
            assert part["meta"]["studyAreaCells"] == 400
            assert part["meta"]["hot"] == sum(
                1 for f in full.values() if f["properties"]["class"] == "hot"
            )
    # A box elsewhere holds none of buurt 02's hot cells.
    elsewhere = by_id(get(client, fdr=fdr, bbox=wgs84_box(world, "01")))
    assert "E1562N4632" in full_classified and "E1562N4632" not in elsewhere


def test_fdr_off_is_uncorrected_and_labelled(world: World) -> None:
    spread_signals(world)
    client = token_client(world.users["regisseur"])
    on = get(client, cells="all")
    off = get(client, cells="all", fdr="off", alpha="0.05")
    assert off["meta"]["fdr"] is False and off["meta"]["correction"] == "none"
    assert off["meta"]["alpha"] == 0.05
    on_cells, off_cells = by_id(on), by_id(off)
    for cell_id, feature in off_cells.items():
        props = feature["properties"]
        p = props["pValue"]
        assert props["significant"] == (p is not None and p < 0.05), cell_id
        assert props["giZ"] == on_cells[cell_id]["properties"]["giZ"]
    hot_on = {c for c, f in on_cells.items() if f["properties"]["significant"]}
    hot_off = {c for c, f in off_cells.items() if f["properties"]["significant"]}
    assert hot_on < hot_off and len(hot_off) == off["meta"]["hot"] + off["meta"]["cold"]
    assert "E1572N4632" in hot_off and "E1572N4632" not in hot_on


def test_the_analyst_gets_small_counts_as_null(world: World) -> None:
    spread_signals(world)
    data = by_id(get(token_client(world.users["analist"]), fdr="off"))
    assert data["E1562N4632"]["properties"]["count"] == 5
    assert data["E1572N4632"]["properties"]["count"] is None  # 2 < 5
    assert data["E1572N4632"]["properties"]["class"] == "hot"
    regisseur = by_id(get(token_client(world.users["regisseur"]), fdr="off"))
    assert regisseur["E1572N4632"]["properties"]["count"] == 2


@pytest.mark.parametrize("persona", READERS)
def test_every_reader_sees_only_their_own_municipality(world: World, persona: str) -> None:
    data = get(token_client(world.users[persona]), cells="all", fdr="off")
    cells = {f["id"] for f in data["features"]}
    if persona == "outsider":
        assert "E1562N4632" not in cells and data["meta"]["studyAreaCells"] == len(cells)
    else:
        assert len(cells) == 400 and "E1562N4632" in cells


def test_outsiders_get_404_for_an_area_of_another_municipality(world: World) -> None:
    outsider = token_client(world.users["outsider"])
    assert_problem(outsider.get(f"{URL}?area={world.focus.uuid}&fdr=off"), 404)
    assert_problem(outsider.get(f"{URL}?area=BU99990101"), 404)


@pytest.mark.parametrize("persona", ["privacy", "beheerder"])
def test_roles_that_do_not_read_signals_get_404(world: World, persona: str) -> None:
    assert_problem(token_client(world.users[persona]).get(f"{URL}?fdr=off"), 404)


def test_unauthenticated_is_401_problem(world: World) -> None:
    assert_problem(APIClient().get(URL), 401)


def test_bad_parameters_are_reported_together(world: World) -> None:
    client = token_client(world.users["regisseur"])
    response = client.get(f"{URL}?fdr=maybe&cells=some&alpha=2&bboxCrs=utm&from=gisteren")
    data = assert_problem(response, 400)
    assert sorted(invalid_names(response)) == ["alpha", "bboxCrs", "cells", "fdr", "from"]
    codes = {p["name"]: p["code"] for p in data["invalidParams"]}
    assert codes["fdr"] == "invalid_fdr" and codes["cells"] == "invalid_cells"
    assert invalid_names(client.get(f"{URL}?bbox=1,2,3&bboxCrs=rd")) == ["bbox"]
    assert invalid_names(client.get(f"{URL}?bbox=500000,700000,600000,800000&bboxCrs=rd")) == [
        "bbox"
    ]


def test_the_endpoint_is_in_the_openapi_document(world: World) -> None:
    paths = body(token_client(world.users["regisseur"]).get("/api/v1/openapi.json"))["paths"]
    operation = paths[URL]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"alpha", "fdr", "cells", "bbox", "bboxCrs", "area", "from"} <= names
    fdr = next(p for p in operation["parameters"] if p["name"] == "fdr")
    assert sorted(fdr["schema"]["enum"]) == ["off", "on"]
    assert "uncorrected" in fdr["description"].lower()

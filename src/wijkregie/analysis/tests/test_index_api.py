"""GET /api/v1/analysis/index: every persona, bad parameters, suppression for analysts."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from rest_framework.test import APIClient

from wijkregie.analysis.models import IndexDefinition
from wijkregie.analysis.tests.index_fixtures import BU, WK1, WK2, YEAR, build_index_world
from wijkregie.api.tests.helpers import assert_problem, body, invalid_names, token_client
from wijkregie.testing.personas import World

URL = "/api/v1/analysis/index"


def get_index(client: APIClient, **params: str) -> dict[str, Any]:
    response = client.get(f"{URL}?{urlencode(params)}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    assert response["API-Version"]
    data: dict[str, Any] = body(response)
    assert set(data) == {
        "configured",
        "name",
        "year",
        "baseYear",
        "objectiveWeight",
        "subjectiveWeight",
        "bands",
        "areas",
        "meta",
    }
    return data


def by_code(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {area["code"]: area for area in data["areas"]}


def themes(area: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["key"]: t for t in area["themes"]}


@pytest.fixture
def index_world(world: World) -> World:
    build_index_world(world)
    return world


def test_every_buurt_with_themes_and_bands(index_world: World) -> None:
    data = get_index(token_client(index_world.users["regisseur"]), year=str(YEAR))
    assert data["configured"] is True
    assert data["name"] == "Wijkindex Demodam"
    assert (data["year"], data["baseYear"]) == (YEAR, YEAR)
    assert (data["objectiveWeight"], data["subjectiveWeight"]) == (0.5, 0.5)
    assert data["bands"][2] == {"lower": 90.0, "label": "rond gemiddeld"}
    assert data["meta"] == {"suppressionThreshold": None, "minRespondents": 30}
    areas = by_code(data)
    assert list(areas) == sorted(BU.values())
    b1 = areas[BU["01"]]
    assert (b1["name"], b1["kind"], b1["score"], b1["band"]) == (
        "Buurt 1",
        "buurt",
        97.5,
        "rond gemiddeld",
    )
    assert themes(b1)["veiligheid"] == {
        "key": "veiligheid",
        "label": "Veiligheid",
        "objective": 75.0,
        "subjective": 90.0,
        "score": 82.5,
        "band": "onder gemiddeld",
    }
    assert areas[BU["03"]]["score"] == 162.5
    assert any("respondenten" in note for note in areas[BU["03"]]["notes"])


def test_wijken(index_world: World) -> None:
    data = get_index(token_client(index_world.users["regisseur"]), year=str(YEAR), kind="wijk")
    areas = by_code(data)
    assert list(areas) == [WK1, WK2]
    assert themes(areas[WK1])["veiligheid"]["objective"] == 75.0
    assert themes(areas[WK1])["wonen"]["subjective"] == 100.0
    assert areas[WK1]["kind"] == "wijk"


def test_the_default_year_is_the_running_year(index_world: World) -> None:
    from django.utils import timezone

    data = get_index(token_client(index_world.users["regisseur"]))
    assert data["year"] == timezone.localdate().year
    # The 2024 survey is the latest before it, and it says so.
    b1 = by_code(data)[BU["01"]]
    assert themes(b1)["veiligheid"]["subjective"] == 90.0
    if data["year"] != YEAR:
        assert f"Enquêtecijfers van {YEAR}." in b1["notes"]


def test_analyst_gets_small_counts_suppressed(index_world: World) -> None:
    data = get_index(token_client(index_world.users["analist"]), year=str(YEAR))
    assert data["meta"]["suppressionThreshold"] == 5
    b1 = by_code(data)[BU["01"]]
    assert [(t["objective"], t["subjective"]) for t in b1["themes"]] == [
        (None, 90.0),
        (None, 125.0),
    ]
    assert b1["score"] == 107.5
    assert any("afgeschermd" in note for note in b1["notes"])


def test_partner_without_convenant_counts_only_its_own_signals(index_world: World) -> None:
    data = get_index(token_client(index_world.users["jongerenwerker"]), year=str(YEAR))
    areas = by_code(data)
    assert themes(areas[BU["01"]])["veiligheid"]["objective"] == 0.0
    assert themes(areas[BU["02"]])["veiligheid"]["objective"] == 200.0
    assert themes(areas[BU["01"]])["wonen"]["objective"] is None
    # The survey is not signal data: the same for everyone.
    assert themes(areas[BU["01"]])["wonen"]["subjective"] == 125.0


@pytest.mark.parametrize("persona", ["wijkagent", "corporatie"])
def test_partners_with_a_convenant(index_world: World, persona: str) -> None:
    data = get_index(token_client(index_world.users[persona]), year=str(YEAR))
    assert len(data["areas"]) == 4
    assert data["meta"]["suppressionThreshold"] is None


def test_outsider_sees_none_of_demodam(index_world: World) -> None:
    client = token_client(index_world.users["outsider"])
    data = get_index(client, year=str(YEAR))
    assert data["configured"] is False
    assert data["areas"] == [] and data["bands"] == []
    # With an index of its own (and no areas), still nothing of Demodam.
    IndexDefinition.objects.create(municipality=index_world.other_gm, base_year=YEAR)
    again = get_index(client, year=str(YEAR))
    assert again["configured"] is True and again["areas"] == []
    assert again["bands"][0]["label"] == "ver onder gemiddeld"  # the default classes


@pytest.mark.parametrize("persona", ["privacy", "beheerder"])
def test_roles_that_do_not_read_signals_get_404(index_world: World, persona: str) -> None:
    assert_problem(token_client(index_world.users[persona]).get(URL), 404)


def test_anonymous_gets_401() -> None:
    assert_problem(APIClient().get(URL), 401)


def test_without_configuration(world: World) -> None:
    data = get_index(token_client(world.users["regisseur"]), year=str(YEAR))
    assert data["configured"] is False and data["areas"] == []
    assert data["baseYear"] is None


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"year": "twintig"}, ["year"]),
        ({"year": "1800"}, ["year"]),
        ({"kind": "gemeente"}, ["kind"]),
        ({"year": "-1", "kind": "x"}, ["year", "kind"]),
    ],
)
def test_bad_parameters_are_problems(
    index_world: World, params: dict[str, str], names: list[str]
) -> None:
    response = token_client(index_world.users["regisseur"]).get(f"{URL}?{urlencode(params)}")
    assert_problem(response, 400)
    assert invalid_names(response) == names
    codes = {p["name"]: p["code"] for p in body(response)["invalidParams"]}
    assert codes == {name: f"invalid_{name}" for name in names}


def test_trailing_slash_is_404(index_world: World) -> None:
    assert_problem(token_client(index_world.users["regisseur"]).get(URL + "/"), 404)


def test_documented_in_openapi(db: None) -> None:
    schema = body(APIClient().get("/api/v1/openapi.json"))
    operation = schema["paths"]["/api/v1/analysis/index"]["get"]
    assert operation["operationId"] == "analysisIndex"
    assert {p["name"] for p in operation["parameters"]} >= {"year", "kind"}
    assert "400" in operation["responses"] and "404" in operation["responses"]

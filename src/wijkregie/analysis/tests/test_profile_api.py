"""GET /api/v1/analysis/profiles/{area} and /compare: the page's figures for every persona."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from wijkregie.analysis.tests.test_profile_selectors import (
    END,
    START,
    count,
    history,  # noqa: F401 - fixture
    seen,
)
from wijkregie.api.tests.helpers import assert_problem, body, invalid_names, token_client
from wijkregie.testing.personas import EXPECTED_VISIBLE, World

URL = "/api/v1/analysis/profiles"
PERSONAS = sorted(EXPECTED_VISIBLE)
READERS = {"regisseur", "analist", "wijkagent", "corporatie", "jongerenwerker"}
PERIOD = {"from": "2025-01-01", "to": "2025-06-30"}
BUURT = "BU99990101"


def figure(data: dict[str, Any], key: str) -> dict[str, Any]:
    return next(f for f in data["keyFigures"] if f["key"] == key)


def chart(data: dict[str, Any], key: str) -> dict[str, Any]:
    return next(c for c in data["charts"] if c["key"] == key)


@pytest.mark.parametrize("persona", PERSONAS)
def test_profile_per_persona(history: World, persona: str) -> None:  # noqa: F811
    client = token_client(history.users[persona])
    response = client.get(f"{URL}/{BUURT}", PERIOD)
    compare = client.get(f"{URL}/compare", {"areas": f"{BUURT},WK999902", **PERIOD})
    if persona not in READERS:  # the outsider, and roles that read no signals
        assert_problem(response, 404)
        assert_problem(compare, 404)
        return
    assert response.status_code == compare.status_code == 200
    assert response["API-Version"]
    data = body(response)
    assert set(data) == {
        "code",
        "name",
        "kind",
        "periodStart",
        "periodEnd",
        "residents",
        "households",
        "statsYear",
        "suppressionThreshold",
        "keyFigures",
        "charts",
        "index",
        "notes",
    }
    assert (data["code"], data["kind"]) == (BUURT, "buurt")
    assert (data["periodStart"], data["periodEnd"]) == (START.isoformat(), END.isoformat())
    n = count(seen(persona, {"01"}))
    signals = figure(data, "signals")
    assert set(signals) == {
        "key",
        "label",
        "value",
        "suppressed",
        "unit",
        "previous",
        "changePct",
        "municipality",
        "rank",
        "rankOf",
        "pValue",
    }
    if persona == "analist" and 0 < n < 5:
        assert signals["value"] is None and signals["suppressed"]
    else:
        assert signals["value"] == n
    total = count(seen(persona))
    hidden = persona == "analist" and 0 < total < 5
    assert signals["municipality"] == (None if hidden else total)
    assert [c["key"] for c in data["charts"]] == [
        "trend",
        "domains",
        "categories",
        "hour",
        "weekday",
    ]
    assert set(chart(data, "hour")) == {
        "key",
        "title",
        "caption",
        "kind",
        "xLabel",
        "yLabel",
        "xLabels",
        "series",
    }
    both = body(compare)
    assert [p["code"] for p in both["profiles"]] == [BUURT, "WK999902"]
    assert [s["name"] for s in chart(both, "trend")["series"]] == ["Buurt 1", "Wijk 2"]


def test_analyst_gets_nulls_for_small_counts(history: World) -> None:  # noqa: F811
    analyst = body(token_client(history.users["analist"]).get(f"{URL}/{BUURT}", PERIOD))
    regisseur = body(token_client(history.users["regisseur"]).get(f"{URL}/{BUURT}", PERIOD))
    assert analyst["suppressionThreshold"] == 5 and regisseur["suppressionThreshold"] == 0
    assert figure(regisseur, "domain:wonen")["value"] == 2
    wonen = figure(analyst, "domain:wonen")
    assert wonen["value"] is None and wonen["suppressed"] is True and wonen["rank"] is None
    assert figure(analyst, "signals")["previous"] is None
    assert figure(regisseur, "signals")["previous"] == 4
    trend = chart(analyst, "trend")["series"][0]
    assert trend["values"][2] is None and trend["suppressed"][2] is True  # March: 2 signals
    assert chart(regisseur, "trend")["series"][0]["values"][2] == 2


def test_every_figure_of_the_page_is_in_the_api(history: World) -> None:  # noqa: F811
    """The page's CSV downloads hold the chart tables: the API has the same values."""
    from django.test import Client

    web = Client()
    web.force_login(history.users["regisseur"])
    api = body(token_client(history.users["regisseur"]).get(f"{URL}/{BUURT}", PERIOD))
    for c in api["charts"]:
        text = web.get(f"/gebieden/profiel/{BUURT}/{c['key']}.csv", PERIOD).content.decode()
        rows = [line.split(";") for line in text.lstrip("\ufeff").splitlines()]
        assert rows[0] == [c["xLabel"], *(s["name"] for s in c["series"])]
        assert [r[0] for r in rows[1:]] == c["xLabels"]
        for j, s in enumerate(c["series"], start=1):
            as_text = [
                "" if v is None else (str(int(v)) if v == int(v) else f"{v:.1f}".replace(".", ","))
                for v in s["values"]
            ]
            assert [r[j] for r in rows[1:]] == as_text


def test_focus_area_and_wijk(history: World) -> None:  # noqa: F811
    client = token_client(history.users["regisseur"])
    focus = body(client.get(f"{URL}/{history.focus.uuid}", PERIOD))
    assert (focus["kind"], focus["name"]) == ("focusgebied", "Noord")
    assert figure(focus, "signals")["value"] == count(seen("regisseur", {"01", "02"}))
    wijk = body(client.get(f"{URL}/wk999901", PERIOD))
    assert wijk["code"] == "WK999901"


def test_missing_and_foreign_areas_look_the_same(history: World) -> None:  # noqa: F811
    client = token_client(history.users["outsider"])
    foreign = client.get(f"{URL}/{BUURT}")
    missing = client.get(f"{URL}/BU12345678")
    assert_problem(foreign, 404)
    assert_problem(missing, 404)
    assert body(foreign)["detail"] == body(missing)["detail"]
    regisseur = token_client(history.users["regisseur"])
    assert_problem(regisseur.get(f"{URL}/compare", {"areas": f"{BUURT},BU99980101"}), 404)


def test_bad_parameters_are_reported_all_at_once(history: World) -> None:  # noqa: F811
    client = token_client(history.users["regisseur"])
    response = client.get(
        f"{URL}/{BUURT}", {"from": "gisteren", "to": "2025-13-01", "source": "duif"}
    )
    assert sorted(invalid_names(response)) == ["from", "source", "to"]
    assert_problem(response, 400)
    too_long = client.get(f"{URL}/{BUURT}", {"from": "2019-01-01", "to": "2025-01-01"})
    assert invalid_names(too_long) == ["from"]
    compare = client.get(f"{URL}/compare", {"areas": BUURT, "status": "x"})
    assert sorted(invalid_names(compare)) == ["areas", "status"]
    params = {p["name"]: p for p in body(compare)["invalidParams"]}
    assert params["areas"]["code"] == "count"
    missing = client.get(f"{URL}/compare")
    assert invalid_names(missing) == ["areas"]
    assert body(missing)["invalidParams"][0]["code"] == "required"
    five = ",".join([BUURT, "BU99990102", "BU99990201", "BU99990202", "WK999901"])
    assert invalid_names(client.get(f"{URL}/compare", {"areas": five})) == ["areas"]


def test_trailing_slash_and_anonymous(history: World) -> None:  # noqa: F811
    assert_problem(APIClient().get(f"{URL}/{BUURT}"), 401)
    client = token_client(history.users["regisseur"])
    assert_problem(client.get(f"{URL}/{BUURT}/"), 404)


def test_openapi_documents_both_endpoints(history: World) -> None:  # noqa: F811
    schema = body(APIClient().get("/api/v1/openapi.json"))
    profile = schema["paths"]["/api/v1/analysis/profiles/{area}"]["get"]
    compare = schema["paths"]["/api/v1/analysis/profiles/compare"]["get"]
    assert {p["name"] for p in profile["parameters"]} >= {"area", "from", "to", "domain"}
    assert {p["name"] for p in compare["parameters"]} >= {"areas", "from", "to"}
    for operation in (profile, compare):
        assert "application/problem+json" in operation["responses"]["400"]["content"]
        assert "application/problem+json" in operation["responses"]["404"]["content"]
    component = schema["components"]["schemas"]["AreaProfile"]
    assert {"keyFigures", "charts", "suppressionThreshold", "periodEnd"} <= set(
        component["properties"]
    )
    key_figure = schema["components"]["schemas"]["ProfileKeyFigure"]
    assert {"label", "changePct", "rankOf", "pValue"} <= set(key_figure["properties"])

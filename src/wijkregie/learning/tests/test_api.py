"""/api/v1/learning: the same rules as the web pages, per persona."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from wijkregie.analysis.models import AreaStatistic
from wijkregie.learning.demo import create_demo_learning
from wijkregie.learning.models import Participation
from wijkregie.learning.tests.test_learning import make_card, publish
from wijkregie.testing.personas import World

READERS = {"regisseur", "analist", "beheerder"}


def api_for(world: World, persona: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(world.users[persona])
    return client


@pytest.mark.parametrize(
    "persona",
    ["regisseur", "analist", "beheerder", "wijkagent", "jongerenwerker", "privacy", "outsider"],
)
def test_endpoints_per_persona(circle: World, persona: str) -> None:
    card = publish(circle, make_card(circle))
    draft = make_card(circle, cost_eur=1)
    meeting = create_demo_learning(municipality=circle.gm)
    client = api_for(circle, persona)
    expected = 200 if persona in READERS else 404
    listing = client.get("/api/v1/learning/cards")
    assert listing.status_code == expected
    assert client.get(f"/api/v1/learning/cards/{card.uuid}").status_code == expected
    assert client.get(f"/api/v1/learning/cards/{draft.uuid}").status_code == expected
    assert client.get("/api/v1/learning/meetings").status_code == expected
    assert client.get(f"/api/v1/learning/meetings/{meeting.uuid}").status_code == expected
    effect = client.get(
        "/api/v1/learning/effect",
        {"focusArea": str(circle.focus.uuid), "categories": "overlast", "start": "2025-01"},
    )
    assert effect.status_code == (200 if persona in {"regisseur", "analist"} else 404)
    if expected == 200:
        body = listing.json()
        assert body["count"] == 3  # the two cards and the demo card
        assert {"lifeDomains", "measuredEffect", "own"} <= set(body["results"][0])
    else:
        assert listing["Content-Type"].startswith("application/problem+json")


def test_participating_outsider_sees_published_cards_only(circle: World) -> None:
    Participation.objects.create(municipality=circle.other_gm)
    card = publish(circle, make_card(circle))
    draft = make_card(circle, cost_eur=1)
    client = api_for(circle, "outsider")
    body = client.get("/api/v1/learning/cards").json()
    assert [r["uuid"] for r in body["results"]] == [str(card.uuid)]
    assert body["results"][0]["own"] is False
    assert client.get(f"/api/v1/learning/cards/{draft.uuid}").status_code == 404
    effect = client.get(
        "/api/v1/learning/effect",
        {"focusArea": str(circle.focus.uuid), "categories": "overlast", "start": "2025-01"},
    )
    assert effect.status_code == 404


def test_effect_endpoint_validation_and_result(circle: World) -> None:
    for hood in circle.buurten.values():
        AreaStatistic.objects.create(code=hood.code, kind="buurt", year=2024, residents=1000)
    client = api_for(circle, "regisseur")
    bad = client.get(
        "/api/v1/learning/effect", {"focusArea": str(circle.focus.uuid), "start": "mei"}
    )
    assert bad.status_code == 400
    names = {p["name"] for p in bad.json()["invalidParams"]}
    assert names == {"categories", "start"}
    ok = client.get(
        "/api/v1/learning/effect",
        {"focusArea": str(circle.focus.uuid), "categories": "overlast", "start": "2025-01"},
    )
    assert ok.status_code == 200
    body = ok.json()
    assert body["conclusion"] == "cannot_tell" and "too_few_controls" in body["reasons"]
    assert body["method"] and "trend" in body


def test_the_schema_lists_the_endpoints(circle: World) -> None:
    schema = APIClient().get("/api/v1/openapi.json").json()
    for path in ("/learning/cards", "/learning/cards/{uuid}", "/learning/effect"):
        assert any(p.endswith(path) for p in schema["paths"]), path

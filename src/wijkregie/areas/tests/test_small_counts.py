"""Buurt counts on the focus area page, its map data and the area map API: small counts are
withheld from viewers without need-to-know (the analyst), never from the regisseur."""

from __future__ import annotations

import json

from django.test import Client

from wijkregie.api.tests.helpers import token_client
from wijkregie.testing.personas import World, make_signal


def _page_client(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


def _buurt_01(features: list[dict[str, object]]) -> dict[str, object]:
    (feature,) = [f for f in features if str(f["id"]).endswith("01")]
    props = feature["properties"]
    assert isinstance(props, dict)
    return props


def test_analyst_sees_small_buurt_counts_suppressed_everywhere(world: World) -> None:
    # Buurt 01 holds one signal the analyst may see (the shared police signal).
    area = world.focus.uuid
    page = _page_client(world, "analist").get(f"/gebieden/{area}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-suppression-threshold="5"' in html
    assert "&lt; 5</td>" in html

    data = json.loads(_page_client(world, "analist").get(f"/gebieden/{area}/kaart.json").content)
    props = _buurt_01(data["features"])
    assert props["signalCount"] is None and props["suppressed"] is True

    api = token_client(world.users["analist"]).get(f"/api/v1/areas/{area}/map")
    assert api.status_code == 200
    props = _buurt_01(json.loads(api.content)["features"])
    assert props["signalCount"] is None and props["suppressed"] is True


def test_regisseur_sees_exact_counts_and_analyst_sees_them_from_the_threshold(
    world: World,
) -> None:
    area = world.focus.uuid
    data = json.loads(_page_client(world, "regisseur").get(f"/gebieden/{area}/kaart.json").content)
    props = _buurt_01(data["features"])
    assert props["suppressed"] is False and isinstance(props["signalCount"], int)
    assert props["signalCount"] >= 1
    page = _page_client(world, "regisseur").get(f"/gebieden/{area}/").content.decode()
    assert 'data-suppression-threshold="0"' in page and "&lt; " not in page

    for _ in range(5):  # five more shared police signals: 6 visible to the analyst
        make_signal(world, owner="politie", category="overlast-jeugd", buurt="01")
    data = json.loads(_page_client(world, "analist").get(f"/gebieden/{area}/kaart.json").content)
    props = _buurt_01(data["features"])
    assert props == {**props, "signalCount": 6, "suppressed": False}

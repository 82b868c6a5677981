"""Every persona against every web view: the outsider sees nothing of Demodam anywhere.

Paths covered: home, signal list, search, export, detail, status change, new signal, area
list, area detail, area map data, admin. Counts are checked on the list and the map.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from wijkregie.privacy.models import AccessEvent
from wijkregie.signals.models import Signal
from wijkregie.tenants.access import require_viewer
from wijkregie.testing.personas import EXPECTED_VISIBLE, SIGNAL_KEYS, World

PERSONAS = sorted(EXPECTED_VISIBLE)
READERS = {"regisseur", "analist", "wijkagent", "corporatie", "jongerenwerker", "outsider"}
WRITERS = {"regisseur", "wijkagent", "corporatie", "jongerenwerker", "outsider"}


def client_for(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


@pytest.mark.parametrize("persona", PERSONAS)
def test_signal_list_and_export(world: World, persona: str) -> None:
    client = client_for(world, persona)
    response = client.get("/signalen/")
    export = client.get("/signalen/export.csv")
    search = client.get("/signalen/", {"q": "portiek"})
    if persona not in READERS:
        assert response.status_code == export.status_code == search.status_code == 404
        return
    assert response.status_code == export.status_code == search.status_code == 200
    body = response.content.decode()
    csv_body = export.content.decode("utf-8-sig")
    for key, signal in world.signals.items():
        expected = key in EXPECTED_VISIBLE[persona]
        assert (str(signal.uuid) in body) is expected, key
        assert (str(signal.uuid) in csv_body) is expected, key
        if not expected:
            assert str(signal.uuid) not in search.content.decode(), key
    assert len(csv_body.strip().splitlines()) == 1 + len(EXPECTED_VISIBLE[persona])


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("signal_key", SIGNAL_KEYS)
def test_signal_detail(world: World, persona: str, signal_key: str) -> None:
    client = client_for(world, persona)
    signal = world.signals[signal_key]
    before = AccessEvent.objects.count()
    response = client.get(f"/signalen/{signal.uuid}/")
    visible = signal_key in EXPECTED_VISIBLE[persona]
    assert response.status_code == (200 if visible else 404)
    # Every granted or denied read leaves exactly one access event, also for users without
    # any signal-reading role (privacy officer, beheerder): their attempt is a denied read.
    assert AccessEvent.objects.count() == before + 1
    event = AccessEvent.objects.order_by("-id").first()
    assert event is not None
    assert event.outcome == ("granted" if visible else "denied")
    assert event.access_point == "web"
    assert event.user_id == world.users[persona].pk
    if visible and persona == "analist":
        assert signal.description not in response.content.decode()


def test_missing_and_forbidden_look_the_same(world: World) -> None:
    client = client_for(world, "jongerenwerker")
    forbidden = client.get(f"/signalen/{world.signals['police_shared'].uuid}/")
    missing = client.get("/signalen/00000000-0000-4000-8000-000000000000/")
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.content.replace(b"police", b"") == missing.content.replace(b"police", b"")


@pytest.mark.parametrize("persona", PERSONAS)
def test_status_change(world: World, persona: str) -> None:
    client = client_for(world, persona)
    signal = world.signals["police_shared"]
    response = client.post(f"/signalen/{signal.uuid}/status/", {"status": "in_behandeling"})
    signal.refresh_from_db()
    if persona == "wijkagent":
        assert response.status_code == 302
        assert signal.status == "in_behandeling"
    elif persona in {"regisseur", "analist", "corporatie"}:
        # They can see it, but only the owner organisation handles it.
        assert response.status_code == 302
        assert signal.status == "open"
    else:
        assert response.status_code == 404
        assert signal.status == "open"


@pytest.mark.parametrize("persona", PERSONAS)
def test_new_signal_form(world: World, persona: str) -> None:
    response = client_for(world, persona).get("/signalen/nieuw/")
    assert response.status_code == (200 if persona in WRITERS else 404)


@pytest.mark.parametrize("persona", PERSONAS)
def test_area_pages(world: World, persona: str) -> None:
    client = client_for(world, persona)
    area_list = client.get("/gebieden/")
    detail = client.get(f"/gebieden/{world.focus.uuid}/")
    map_data = client.get(f"/gebieden/{world.focus.uuid}/kaart.json")
    assert area_list.status_code == 200
    if persona == "outsider":
        assert "Noord" not in area_list.content.decode()
        assert detail.status_code == map_data.status_code == 404
        return
    assert "Noord" in area_list.content.decode()
    assert detail.status_code == map_data.status_code == 200
    counts = {
        f["properties"]["code"]: f["properties"]["signalCount"]
        for f in json.loads(map_data.content)["features"]
    }
    expected: dict[str, int] = dict.fromkeys(counts, 0)
    for key in EXPECTED_VISIBLE[persona]:
        hood = world.signals[key].neighbourhood
        if hood is not None and hood.code in expected:
            expected[hood.code] += 1
    # Viewers without need-to-know (the analyst) get small counts withheld (null).
    threshold = require_viewer(world.users[persona]).small_count_threshold
    assert counts == {code: (None if 0 < n < threshold else n) for code, n in expected.items()}


@pytest.mark.parametrize("persona", PERSONAS)
def test_home_shows_only_visible_signals(world: World, persona: str) -> None:
    response = client_for(world, persona).get("/")
    assert response.status_code == 200
    body = response.content.decode()
    for key, signal in world.signals.items():
        assert (str(signal.uuid) in body) is (key in EXPECTED_VISIBLE[persona]), key


@pytest.mark.parametrize("persona", PERSONAS)
def test_admin_only_for_beheerder(world: World, persona: str) -> None:
    client = client_for(world, persona)
    response = client.get("/beheer/")
    changelist = client.get("/beheer/signals/category/")
    if persona == "beheerder":
        assert response.status_code == changelist.status_code == 200
    else:
        assert response.status_code == changelist.status_code == 404


def test_admin_is_scoped_to_the_tenant(world: World) -> None:
    client = client_for(world, "beheerder")
    users = client.get("/beheer/tenants/user/").content.decode()
    assert "regisseur" in users
    assert "outsider" not in users
    other_org = world.users["outsider"].memberships.get().organisation
    response = client.get(f"/beheer/tenants/organisation/{other_org.pk}/change/")
    # Django admin answers a row outside the queryset like a missing one: redirect to the index.
    assert response.status_code == 302
    assert other_org.name not in client.get("/beheer/tenants/organisation/").content.decode()


def test_admin_creates_rows_in_own_tenant(world: World) -> None:
    client = client_for(world, "beheerder")
    response = client.post(
        "/beheer/signals/lifedomain/add/", {"code": "onderwijs", "name": "Onderwijs", "order": 5}
    )
    assert response.status_code == 302
    from wijkregie.signals.models import LifeDomain

    created = LifeDomain.objects.get(code="onderwijs", name="Onderwijs")
    assert created.municipality_id == world.gm.pk


@pytest.mark.parametrize(
    "url", ["/", "/signalen/", "/signalen/nieuw/", "/gebieden/", "/signalen/export.csv"]
)
def test_anonymous_is_sent_to_login(world: World, url: str) -> None:
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/inloggen/")


def test_anonymous_cannot_see_a_signal(world: World) -> None:
    response = Client().get(f"/signalen/{world.signals['police_shared'].uuid}/")
    assert response.status_code == 302
    assert Signal.objects.filter(status="open").count() == len(world.signals)


def test_admin_refuses_a_third_category_level(world: World) -> None:
    client = client_for(world, "beheerder")
    response = client.post(
        "/beheer/signals/category/add/",
        {
            "code": "derde",
            "name": "Derde niveau",
            "parent": world.categories["overlast-jeugd"].pk,
            "life_domain": world.domains["veiligheid"].pk,
            "default_confidentiality": "normaal",
            "active": "on",
        },
    )
    assert response.status_code == 200  # the form again, with the error
    assert "twee niveaus" in response.content.decode()
    from wijkregie.signals.models import Category

    assert not Category.objects.filter(code="derde").exists()

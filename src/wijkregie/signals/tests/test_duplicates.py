"""Duplicate hints on a signal, and marking a signal as a duplicate (kept, linked, audited)."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from wijkregie.lib import geo
from wijkregie.privacy.models import AuditEvent
from wijkregie.signals import selectors, services
from wijkregie.signals.models import Confidentiality, Signal, SourceChannel
from wijkregie.tenants.access import Viewer, viewer_for
from wijkregie.testing.personas import EXPECTED_VISIBLE, World

PERSONAS = sorted(EXPECTED_VISIBLE)
# police_shared is at RD (155250, 463250), postcode 1234AB 12, observed a day ago.
X0, Y0 = 155_250.0, 463_250.0


def viewer(world: World, persona: str) -> Viewer:
    result = viewer_for(world.users[persona])
    assert result is not None
    return result


def client_for(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


def signal_at(
    world: World,
    *,
    owner: str = "politie",
    category: str = "overlast-jeugd",
    dx: float | None = 0.0,
    dy: float = 0.0,
    days_ago: float = 1,
    status: str = "open",
    confidentiality: str = Confidentiality.NORMAAL,
    postcode: str = "",
    huisnummer: int | None = None,
    buurt: str = "01",
) -> Signal:
    """A signal near police_shared (dx, dy metres away), or without a point (dx=None)."""
    cat = world.categories[category]
    point = geo.point_from_rd(X0 + dx, Y0 + dy) if dx is not None else None
    cell = point.cell if point else (None, None)
    return Signal.objects.create(
        municipality=world.gm,
        owner_organisation=world.orgs[owner],
        source_channel=SourceChannel.STREET,
        observed_at=timezone.now() - dt.timedelta(days=days_ago),
        category=cat,
        life_domain=cat.life_domain,
        description="In de buurt",
        location_kind="point" if point else ("address" if postcode else "area"),
        lat=point.lat if point else None,
        lon=point.lon if point else None,
        rd_x=point.x if point else None,
        rd_y=point.y if point else None,
        postcode=postcode,
        huisnummer=huisnummer,
        neighbourhood=world.buurten[buurt],
        cell_x=cell[0],
        cell_y=cell[1],
        confidentiality=confidentiality,
        status=status,
    )


def hint_ids(world: World, persona: str, signal: Signal, **options: Any) -> list[int]:
    options.setdefault("radius_m", 50)
    options.setdefault("days", 14)
    hints = selectors.duplicate_hints(viewer=viewer(world, persona), signal=signal, **options)
    return [h.signal.pk for h in hints]


# --- hints ---------------------------------------------------------------------------------


def test_hints_nearby_open_same_category_closest_first(world: World) -> None:
    origin = world.signals["police_shared"]
    at_30 = signal_at(world, dx=30, days_ago=3)
    at_10_busy = signal_at(world, dx=0, dy=10, status="in_behandeling")
    same_address = signal_at(world, dx=None, postcode="1234AB", huisnummer=12)
    at_80 = signal_at(world, dx=80)
    other_category = signal_at(world, dx=5, category="woonfraude")
    closed = [signal_at(world, dx=5, status=s) for s in ("afgehandeld", "doorgezet", "geannuleerd")]
    other_address = signal_at(world, dx=None, postcode="1234AB", huisnummer=14)
    buurt_only = signal_at(world, dx=None)
    assert hint_ids(world, "wijkagent", origin) == [same_address.pk, at_10_busy.pk, at_30.pk]
    wider = hint_ids(world, "wijkagent", origin, radius_m=100)
    assert wider == [same_address.pk, at_10_busy.pk, at_30.pk, at_80.pk]
    never = {other_category.pk, other_address.pk, buurt_only.pk, *(s.pk for s in closed)}
    assert not never & set(hint_ids(world, "wijkagent", origin, radius_m=1000, days=365))
    # the police signals in other buurten are kilometres away
    assert world.signals["police_outside"].pk not in wider


def test_hints_respect_the_time_window(world: World) -> None:
    origin = world.signals["police_shared"]  # a day ago
    before = signal_at(world, dx=10, days_ago=20)  # 19 days earlier
    after = signal_at(world, dx=12, days_ago=-0.01)  # a day later (clock tolerance)
    assert hint_ids(world, "wijkagent", origin) == [after.pk]
    assert hint_ids(world, "wijkagent", origin, days=19) == [before.pk, after.pk]
    assert hint_ids(world, "wijkagent", origin, days=18) == [after.pk]


def test_invisible_signals_are_never_hinted(world: World) -> None:
    origin = world.signals["police_shared"]
    # same place and category, but the police may not see these
    youth_work = world.signals["jongerenwerk_own"]
    confidential = signal_at(world, owner="corporatie", dx=3, confidentiality="vertrouwelijk")
    outside_agreement = signal_at(world, owner="jongerenwerk", dx=4)
    visible = signal_at(world, owner="corporatie", dx=6)  # shared under the agreement
    ids = hint_ids(world, "wijkagent", origin, radius_m=1000, days=365)
    assert visible.pk in ids
    assert not {youth_work.pk, confidential.pk, outside_agreement.pk} & set(ids)
    # the corporation sees its own confidential signal as a hint on its own signal
    own = signal_at(world, owner="corporatie", dx=2)
    assert confidential.pk in hint_ids(world, "corporatie", own)


def test_hints_exclude_itself_and_linked_signals_and_stop_at_ten(world: World) -> None:
    origin = world.signals["police_shared"]
    near = [signal_at(world, dx=i + 1) for i in range(12)]
    linked = signal_at(world, dx=0.5)
    linked.duplicate_of = near[0]
    linked.save()
    ids = hint_ids(world, "wijkagent", origin)
    assert len(ids) == 10
    assert ids == [s.pk for s in near[:10]]
    assert origin.pk not in ids and linked.pk not in ids


def test_address_only_signal_gets_hints_by_address(world: World) -> None:
    origin = signal_at(world, dx=None, postcode="1234AB", huisnummer=12)  # in buurt 01
    police_shared = world.signals["police_shared"]  # a point, the same address, buurt 01
    other = signal_at(world, dx=None, postcode="1234AB", huisnummer=12, days_ago=2)
    # The world gives police signals in buurten 02 and 03 this same address too; an address
    # lies in one buurt, and candidates are looked up in the origin's buurt.
    assert hint_ids(world, "wijkagent", origin) == [police_shared.pk, other.pk]
    assert hint_ids(world, "wijkagent", signal_at(world, dx=None)) == []


# --- the page --------------------------------------------------------------------------------


def test_detail_shows_hints_with_a_form_for_distance_and_days(world: World) -> None:
    origin = world.signals["police_shared"]
    at_30 = signal_at(world, dx=30)
    at_80 = signal_at(world, dx=80)
    client = client_for(world, "wijkagent")
    body = html.unescape(client.get(f"/signalen/{origin.uuid}/").content.decode())
    hints = body.split('id="duplicate-hints"')[1].split("</ol>")[0]
    assert str(at_30.uuid) in hints and str(at_80.uuid) not in hints
    assert "30 meter" in hints
    assert 'name="radius" value="50"' in body and 'name="days" value="14"' in body
    body = client.get(f"/signalen/{origin.uuid}/", {"radius": "100", "days": "7"}).content
    assert str(at_80.uuid) in body.decode().split('id="duplicate-hints"')[1]
    bad = html.unescape(
        client.get(f"/signalen/{origin.uuid}/", {"radius": "5000", "days": "nul"}).content.decode()
    )
    assert "Vul een afstand in van hoogstens 1000 meter." in bad
    assert "Vul een heel getal in." in bad
    # meanwhile the defaults are used
    assert str(at_30.uuid) in bad.split('id="duplicate-hints"')[1]


def test_hints_are_for_those_who_can_mark(world: World) -> None:
    signal_at(world, dx=30)
    origin = world.signals["police_shared"]
    for persona in ("regisseur", "analist", "corporatie"):
        body = client_for(world, persona).get(f"/signalen/{origin.uuid}/").content.decode()
        assert "Mogelijk dubbele signalen" not in body, persona


# --- marking ---------------------------------------------------------------------------------


def test_mark_and_unmark_through_the_page(world: World) -> None:
    original = world.signals["police_shared"]
    repeat = signal_at(world, dx=30, status="in_behandeling")
    client = client_for(world, "wijkagent")
    response = client.post(f"/signalen/{repeat.uuid}/dubbel/", {"original": str(original.uuid)})
    assert response.status_code == 302
    repeat.refresh_from_db()
    assert repeat.duplicate_of == original
    assert repeat.status == "in_behandeling"  # marking keeps the status
    assert Signal.objects.filter(pk=repeat.pk).exists()  # never deleted
    audit = AuditEvent.objects.get(action="mark_duplicate", object_id=str(repeat.uuid))
    assert audit.user == world.users["wijkagent"]
    assert audit.changes["duplicate_of"] == [None, str(original.uuid)]
    page = html.unescape(client.get(f"/signalen/{repeat.uuid}/").content.decode())
    assert "Dit signaal is gemarkeerd als dubbel." in page
    assert "Dubbel van" in page
    assert f'href="/signalen/{original.uuid}/"' in page.split('id="duplicate-of"')[1]
    assert "Mogelijk dubbele signalen" not in page  # undo first
    page = html.unescape(client.get(f"/signalen/{original.uuid}/").content.decode())
    assert "Dubbele meldingen" in page
    assert f'href="/signalen/{repeat.uuid}/"' in page.split('id="duplicates"')[1]
    # a duplicate is not offered as a hint again
    assert str(repeat.uuid) not in page.split('id="hints-heading"')[1]

    response = client.post(f"/signalen/{repeat.uuid}/dubbel/ongedaan/")
    assert response.status_code == 302
    repeat.refresh_from_db()
    assert repeat.duplicate_of is None
    audit = AuditEvent.objects.get(action="unmark_duplicate", object_id=str(repeat.uuid))
    assert audit.changes["duplicate_of"] == [str(original.uuid), None]
    page = html.unescape(client.get(f"/signalen/{repeat.uuid}/").content.decode())
    assert "Dit signaal is niet langer gemarkeerd als dubbel." in page
    assert 'id="duplicate-of"' not in page


def mark(world: World, persona: str, signal: Signal, target: Signal) -> Signal:
    return services.signal_mark_duplicate(
        viewer=viewer(world, persona), signal=signal, target=target
    )


def refused(world: World, persona: str, signal: Signal, target: Signal) -> str:
    audits = AuditEvent.objects.count()
    before = Signal.objects.get(pk=signal.pk).duplicate_of_id
    with pytest.raises(ValidationError) as exc:
        mark(world, persona, signal, target)
    assert Signal.objects.get(pk=signal.pk).duplicate_of_id == before
    assert AuditEvent.objects.count() == audits
    return str(exc.value.error_dict["duplicate_of"][0].code)


def test_only_the_owners_writers_mark(world: World) -> None:
    shared = world.signals["police_shared"]
    other = signal_at(world, dx=10)
    for persona in ("regisseur", "corporatie", "analist"):
        assert refused(world, persona, shared, other) == "not_owner", persona
    assert mark(world, "wijkagent", shared, other) == other


def test_no_self_no_chain_no_cycle(world: World) -> None:
    original = world.signals["police_shared"]
    first = signal_at(world, dx=10)
    second = signal_at(world, dx=20)
    assert refused(world, "wijkagent", original, original) == "self"
    mark(world, "wijkagent", first, original)
    # pointing at a duplicate links to its original: no chains
    assert mark(world, "wijkagent", second, first) == original
    second.refresh_from_db()
    assert second.duplicate_of == original
    # the original cannot become a duplicate of its own duplicate
    assert refused(world, "wijkagent", original, first) == "cycle"
    # nor of anything else while it has duplicates
    assert refused(world, "wijkagent", original, signal_at(world, dx=5)) == "has_duplicates"
    # a duplicate is not re-linked without undoing first
    assert refused(world, "wijkagent", first, signal_at(world, dx=6)) == "already_duplicate"


def test_the_target_must_be_visible(world: World) -> None:
    shared = world.signals["police_shared"]
    assert refused(world, "wijkagent", shared, world.signals["jongerenwerk_own"]) == "unknown"
    assert refused(world, "wijkagent", shared, world.signals["outsider_own"]) == "unknown"
    # the corporation sees police_shared, but not the confidential signal it repeats
    mark(world, "wijkagent", shared, world.signals["police_confidential"])
    own = signal_at(world, owner="corporatie", dx=3)
    assert refused(world, "corporatie", own, shared) == "unknown"
    # through the page: the same refusal, as a message
    client = client_for(world, "wijkagent")
    response = client.post(
        f"/signalen/{world.signals['police_outside'].uuid}/dubbel/",
        {"original": str(world.signals["jongerenwerk_own"].uuid)},
        follow=True,
    )
    assert "Het andere signaal bestaat niet of u kunt het niet inzien." in html.unescape(
        response.content.decode()
    )


def test_links_to_an_invisible_original_show_no_details(world: World) -> None:
    shared = world.signals["police_shared"]
    confidential = world.signals["police_confidential"]
    mark(world, "wijkagent", shared, confidential)
    body = html.unescape(
        client_for(world, "corporatie").get(f"/signalen/{shared.uuid}/").content.decode()
    )
    assert "een signaal dat u niet kunt inzien" in body
    assert str(confidential.uuid) not in body
    # the owner sees the duplicate on the confidential original
    body = client_for(world, "wijkagent").get(f"/signalen/{confidential.uuid}/").content.decode()
    assert str(shared.uuid) in body.split('id="duplicates"')[1]


def test_unmark_rules(world: World) -> None:
    shared = world.signals["police_shared"]
    repeat = signal_at(world, dx=10)
    with pytest.raises(ValidationError) as exc:
        services.signal_unmark_duplicate(viewer=viewer(world, "wijkagent"), signal=repeat)
    assert exc.value.error_dict["duplicate_of"][0].code == "not_duplicate"
    mark(world, "wijkagent", repeat, shared)
    with pytest.raises(ValidationError) as exc:
        services.signal_unmark_duplicate(viewer=viewer(world, "regisseur"), signal=repeat)
    assert exc.value.error_dict["duplicate_of"][0].code == "not_owner"
    repeat.refresh_from_db()
    assert repeat.duplicate_of == shared


@pytest.mark.parametrize("persona", PERSONAS)
def test_mark_and_unmark_urls_for_every_persona(world: World, persona: str) -> None:
    shared = world.signals["police_shared"]
    original = signal_at(world, dx=10)
    client = client_for(world, persona)
    mark_response = client.post(
        f"/signalen/{shared.uuid}/dubbel/", {"original": str(original.uuid)}
    )
    shared.refresh_from_db()
    if persona == "wijkagent":
        assert mark_response.status_code == 302
        assert shared.duplicate_of == original
    elif persona in EXPECTED_VISIBLE and "police_shared" in EXPECTED_VISIBLE[persona]:
        assert mark_response.status_code == 302  # sees it, may not handle it
        assert shared.duplicate_of is None
    else:
        assert mark_response.status_code == 404
        assert shared.duplicate_of is None
    Signal.objects.filter(pk=shared.pk).update(duplicate_of=original)
    unmark_response = client.post(f"/signalen/{shared.uuid}/dubbel/ongedaan/")
    shared.refresh_from_db()
    if persona == "wijkagent":
        assert unmark_response.status_code == 302
        assert shared.duplicate_of is None
    else:
        assert unmark_response.status_code == (
            302 if "police_shared" in EXPECTED_VISIBLE[persona] else 404
        )
        assert shared.duplicate_of == original


def test_outsider_gets_404_on_every_duplicate_url(world: World) -> None:
    client = client_for(world, "outsider")
    own = world.signals["outsider_own"]
    shared = world.signals["police_shared"]
    assert (
        client.post(f"/signalen/{shared.uuid}/dubbel/", {"original": str(own.uuid)}).status_code
        == 404
    )
    assert client.post(f"/signalen/{shared.uuid}/dubbel/ongedaan/").status_code == 404
    # pointing their own signal at a Demodam signal: that signal does not exist for them
    response = client.post(f"/signalen/{own.uuid}/dubbel/", {"original": str(shared.uuid)})
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.duplicate_of is None
    # GET is not allowed on the actions
    assert client_for(world, "wijkagent").get(f"/signalen/{shared.uuid}/dubbel/").status_code == 405


def test_anonymous_is_sent_to_login(world: World) -> None:
    shared = world.signals["police_shared"]
    for path in (f"/signalen/{shared.uuid}/dubbel/", f"/signalen/{shared.uuid}/dubbel/ongedaan/"):
        response = Client().post(path, {"original": str(shared.uuid)})
        assert response.status_code == 302
        assert response["Location"].startswith("/inloggen/")

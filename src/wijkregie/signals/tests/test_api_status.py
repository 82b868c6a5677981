"""GET /api/v1/signals/{uuid} and POST .../status: transitions, role rules, pseudonymisation."""

from __future__ import annotations

import uuid

import pytest
from rest_framework.test import APIClient

from wijkregie.api.tests.helpers import (
    assert_problem,
    body,
    invalid_names,
    invalid_param,
    post_json,
    token_client,
)
from wijkregie.privacy.models import AuditEvent
from wijkregie.signals.models import Signal, SignalStatusChange
from wijkregie.signals.states import TRANSITIONS, Status
from wijkregie.tenants.models import Role
from wijkregie.testing.personas import World, make_user

API = "/api/v1/signals"


def status_url(signal: Signal) -> str:
    return f"{API}/{signal.uuid}/status"


def set_status(signal: Signal, status: str) -> None:
    Signal.objects.filter(pk=signal.pk).update(status=status)
    signal.refresh_from_db()


@pytest.fixture
def wijkagent(world: World) -> APIClient:
    return token_client(world.users["wijkagent"])


@pytest.fixture
def politie_regisseur(world: World) -> APIClient:
    user = make_user("teamchef", world.gm, [(world.orgs["politie"], Role.REGISSEUR)])
    return token_client(user)


def test_wijkagent_takes_a_police_signal_in_behandeling(world: World, wijkagent: APIClient) -> None:
    signal = world.signals["police_shared"]
    response = post_json(wijkagent, status_url(signal), {"status": "in_behandeling"})
    assert response.status_code == 200, response.content
    data = body(response)
    assert data["status"] == "in_behandeling"
    assert data["statusHistory"][-1]["fromStatus"] == "open"
    assert data["statusHistory"][-1]["toStatus"] == "in_behandeling"
    assert data["statusHistory"][-1]["by"] == "wijkagent"
    signal.refresh_from_db()
    assert signal.status == "in_behandeling"
    assert AuditEvent.objects.filter(object_id=str(signal.uuid), action="status").count() == 1


def test_corporatie_cannot_change_a_shared_police_signal(world: World) -> None:
    corporatie = token_client(world.users["corporatie"])
    signal = world.signals["police_shared"]
    assert corporatie.get(f"{API}/{signal.uuid}").status_code == 200  # visible via convenant
    response = post_json(corporatie, status_url(signal), {"status": "in_behandeling"})
    assert_problem(response, 400)
    param = invalid_param(response, "status")
    assert param["code"] == "not_owner"
    assert param["reason"] == (
        "Alleen de organisatie die eigenaar is van dit signaal kan de status wijzigen."
    )
    signal.refresh_from_db()
    assert signal.status == "open"
    assert not SignalStatusChange.objects.filter(signal=signal).exists()


ALL_PAIRS = [(a.value, b.value) for a in Status for b in Status]


@pytest.mark.parametrize(("current", "target"), ALL_PAIRS)
def test_professional_follows_the_transition_table(
    world: World, wijkagent: APIClient, current: str, target: str
) -> None:
    signal = world.signals["police_outside"]
    set_status(signal, current)
    response = post_json(wijkagent, status_url(signal), {"status": target, "note": "Reden"})
    allowed = (Status(current), Status(target)) in TRANSITIONS
    needs_reopen = TRANSITIONS.get((Status(current), Status(target)), False)
    signal.refresh_from_db()
    if allowed and not needs_reopen:
        assert response.status_code == 200, response.content
        assert signal.status == target
    else:
        code = invalid_param(response, "status")["code"]
        assert code == ("reopen_forbidden" if needs_reopen else "invalid_transition")
        assert signal.status == current


@pytest.mark.parametrize("final", ["doorgezet", "afgehandeld", "geannuleerd"])
def test_reopen_needs_a_regisseur_of_the_owner_and_a_note(
    world: World, politie_regisseur: APIClient, wijkagent: APIClient, final: str
) -> None:
    signal = world.signals["police_shared"]
    set_status(signal, final)
    no_note = post_json(politie_regisseur, status_url(signal), {"status": "open"})
    assert invalid_names(no_note) == ["note"]
    assert invalid_param(no_note, "note")["reason"] == "Geef een reden voor het heropenen."
    professional = post_json(wijkagent, status_url(signal), {"status": "open", "note": "Terug"})
    assert invalid_param(professional, "status")["reason"] == (
        "Alleen een regisseur van de eigenaar kan een signaal heropenen."
    )
    # A regisseur of another organisation (gemeente) who can see the signal may not either.
    gemeente = token_client(world.users["regisseur"])
    other = post_json(gemeente, status_url(signal), {"status": "open", "note": "Terug"})
    assert invalid_param(other, "status")["code"] == "not_owner"
    signal.refresh_from_db()
    assert signal.status == final
    reopened = post_json(
        politie_regisseur, status_url(signal), {"status": "open", "note": "Nieuwe melding"}
    )
    assert reopened.status_code == 200, reopened.content
    assert body(reopened)["statusHistory"][-1]["note"] == "Nieuwe melding"


def test_professional_without_note_gets_both_errors_at_once(
    world: World, wijkagent: APIClient
) -> None:
    signal = world.signals["police_shared"]
    set_status(signal, "afgehandeld")
    response = post_json(wijkagent, status_url(signal), {"status": "open"})
    assert invalid_names(response) == ["status", "note"]


def test_invalid_status_and_long_note_together(world: World, wijkagent: APIClient) -> None:
    response = post_json(
        wijkagent,
        status_url(world.signals["police_shared"]),
        {"status": "klaar", "note": "x" * 501},
    )
    assert invalid_names(response) == ["status", "note"]
    missing = post_json(wijkagent, status_url(world.signals["police_shared"]), {})
    assert invalid_param(missing, "status")["code"] == "required"


def test_status_change_on_invisible_or_missing_signal_is_404(world: World) -> None:
    jongerenwerker = token_client(world.users["jongerenwerker"])
    hidden = post_json(
        jongerenwerker, status_url(world.signals["police_shared"]), {"status": "in_behandeling"}
    )
    missing = post_json(
        jongerenwerker, f"{API}/{uuid.uuid4()}/status", {"status": "in_behandeling"}
    )
    assert_problem(hidden, 404)
    assert_problem(missing, 404)
    assert world.signals["police_shared"].status == "open"


def test_status_endpoint_allows_post_only(world: World, wijkagent: APIClient) -> None:
    response = wijkagent.get(status_url(world.signals["police_shared"]))
    assert_problem(response, 405)


def test_analyst_sees_a_pseudonymised_detail(world: World) -> None:
    wijkagent = token_client(world.users["wijkagent"])
    signal = world.signals["police_shared"]
    post_json(wijkagent, status_url(signal), {"status": "in_behandeling", "note": "Buurtagent"})
    analist = token_client(world.users["analist"])
    data = body(analist.get(f"{API}/{signal.uuid}"))
    assert data["pseudonymised"] is True
    assert data["description"] is None
    assert data["location"]["point"] is None
    assert data["location"]["rd"] is None
    assert data["location"]["address"] is None
    assert data["cell"] is not None  # the 100 m cell is what analysts work with
    assert data["statusHistory"][-1]["by"] is None
    assert data["statusHistory"][-1]["note"] is None
    assert "Overlast bij portiek" not in analist.get(f"{API}/{signal.uuid}").content.decode()


def test_regisseur_sees_personal_details(world: World) -> None:
    regisseur = token_client(world.users["regisseur"])
    data = body(regisseur.get(f"{API}/{world.signals['police_shared'].uuid}"))
    assert data["pseudonymised"] is False
    assert data["description"] == "Overlast bij portiek"
    assert data["location"]["address"]["postcode"] == "1234AB"
    lon, lat = data["location"]["point"]["coordinates"]
    assert 5.0 < lon < 6.0 and 51.5 < lat < 52.5


@pytest.mark.parametrize("bad", ["niet-een-uuid", "00000000-0000-0000-0000-00000000000g"])
def test_malformed_uuid_is_404(world: World, wijkagent: APIClient, bad: str) -> None:
    assert_problem(wijkagent.get(f"{API}/{bad}"), 404)

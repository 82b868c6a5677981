"""POST /api/v1/signals: every error at once, strict JSON types, nothing half-saved."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from wijkregie.api.tests.helpers import (
    assert_problem,
    body,
    invalid_names,
    invalid_param,
    post_json,
    token_client,
)
from wijkregie.lib import geo
from wijkregie.privacy.models import AccessEvent, AuditEvent
from wijkregie.signals.models import Signal
from wijkregie.tenants.models import Membership, Role
from wijkregie.testing.personas import World

API = "/api/v1/signals"


def observed(hours_ago: float = 1) -> str:
    return (timezone.now() - dt.timedelta(hours=hours_ago)).isoformat()


def valid(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "category": "overlast-jeugd",
        "observedAt": observed(),
        "description": "Groep jongeren bij de speeltuin",
        "neighbourhood": "BU99990101",
    }
    data.update(changes)
    return data


@pytest.fixture
def wijkagent(world: World) -> APIClient:
    return token_client(world.users["wijkagent"])


@pytest.fixture
def nothing_saved(world: World) -> Iterator[None]:
    """Asserts after the test that no signal and no audit row for one was written."""
    # Handing out the test's API token is audited too; that row is not what this is about.
    audits = AuditEvent.objects.exclude(object_type="tenants.apitoken")
    signals, audited = Signal.objects.count(), audits.count()
    yield
    assert Signal.objects.count() == signals
    assert audits.count() == audited


def test_create_with_camel_case_input(world: World, wijkagent: APIClient) -> None:
    before = AuditEvent.objects.count()
    hood = world.buurten["02"]
    assert hood.rd_min_x is not None and hood.rd_min_y is not None
    point = geo.point_from_rd(hood.rd_min_x + 500, hood.rd_min_y + 500)
    response = post_json(
        wijkagent,
        API,
        {
            "ownerOrganisation": "politie",
            "category": "overlast-jeugd",
            "observedAt": observed(2),
            "description": "Vuurwerk afgestoken",
            "lat": point.lat,
            "lon": point.lon,
            "sourceChannel": "street",
            "sourceReliability": "B",
            "infoReliability": "2",
            "handlingCode": "H2",
        },
    )
    assert response.status_code == 201, response.content
    data = body(response)
    assert response["Location"] == f"{API}/{data['uuid']}"
    assert response["API-Version"]
    signal = Signal.objects.get(uuid=data["uuid"])
    assert signal.owner_organisation == world.orgs["politie"]
    assert signal.registered_by == world.users["wijkagent"]
    assert signal.neighbourhood == hood  # derived from the point
    assert (signal.source_channel, signal.source_reliability) == ("street", "B")
    assert (signal.info_reliability, signal.handling_code) == ("2", "H2")
    assert signal.status == "open"
    assert data["sourceChannel"] == "street"
    assert data["neighbourhood"] == hood.code
    assert data["location"]["kind"] == "point"
    assert data["location"]["point"]["type"] == "Point"
    assert AuditEvent.objects.count() == before + 1
    access = AccessEvent.objects.get(object_id=data["uuid"])
    assert (access.access_point, access.purpose) == ("api", "registratie")


def test_owner_defaults_to_the_only_organisation(world: World, wijkagent: APIClient) -> None:
    response = post_json(wijkagent, API, valid())
    assert response.status_code == 201
    assert body(response)["ownerOrganisation"] == "politie"


def test_owner_is_required_for_users_of_several_organisations(world: World) -> None:
    user = world.users["regisseur"]
    Membership.objects.create(
        municipality=world.gm, user=user, organisation=world.orgs["politie"], role=Role.REGISSEUR
    )
    client = token_client(user)
    signals = Signal.objects.count()
    response = post_json(client, API, valid())
    assert invalid_param(response, "ownerOrganisation")["code"] == "required"
    assert Signal.objects.count() == signals
    ok = post_json(client, API, valid(ownerOrganisation="politie"))
    assert ok.status_code == 201


def test_all_errors_at_once(world: World, wijkagent: APIClient) -> None:
    signals, audits = Signal.objects.count(), AuditEvent.objects.count()
    response = post_json(
        wijkagent,
        API,
        {
            "ownerOrganisation": "corporatie",  # not theirs
            "category": "bestaat-niet",  # unknown category
            "observedAt": (timezone.now() + dt.timedelta(days=1)).isoformat(),  # future
            "description": "x" * 2001,  # too long
            "lat": "52.1",  # a string, not a number
            "postcode": "123",  # no postcode
            "huisnummer": 0,
            "huisletter": "7",
            "neighbourhood": "BU00000000",  # unknown buurt
            "sourceChannel": "fax",  # not a choice
        },
    )
    assert_problem(response, 400)
    assert invalid_names(response) == [
        "ownerOrganisation",
        "category",
        "observedAt",
        "description",
        "lat",
        "postcode",
        "huisnummer",
        "huisletter",
        "neighbourhood",
        "sourceChannel",
    ]
    codes = {p["name"]: p["code"] for p in body(response)["invalidParams"]}
    assert codes["ownerOrganisation"] == "forbidden"
    assert codes["category"] == "unknown"
    assert codes["observedAt"] == "future"
    assert codes["description"] == "max_length"
    assert codes["neighbourhood"] == "unknown"
    reasons = {p["name"]: p["reason"] for p in body(response)["invalidParams"]}
    assert reasons["observedAt"] == "De waarneming kan niet in de toekomst liggen."
    assert reasons["category"] == "Onbekende categorie."
    assert reasons["lat"] == "Geef een getal op."
    assert Signal.objects.count() == signals
    assert AuditEvent.objects.count() == audits


def test_missing_fields_and_missing_location_together(
    world: World, wijkagent: APIClient, nothing_saved: None
) -> None:
    response = post_json(wijkagent, API, {"description": "Alleen tekst"})
    assert invalid_names(response) == ["category", "observedAt", "location"]
    assert invalid_param(response, "category")["code"] == "required"
    assert invalid_param(response, "location")["reason"].startswith("Geef een locatie op")


def test_domain_errors_are_reported_next_to_type_errors(
    world: World, wijkagent: APIClient, nothing_saved: None
) -> None:
    # A type error in one field does not hide the domain errors in the others.
    response = post_json(
        wijkagent, API, valid(huisnummer="12", lat=1.0, lon=1.0, category="onbekend")
    )
    assert invalid_names(response) == ["category", "location", "huisnummer"]
    assert invalid_param(response, "location")["code"] == "outside_nl"
    assert invalid_param(response, "huisnummer")["code"] == "invalid"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("lat", "52.1"),
        ("lat", True),
        ("lon", [5.3]),
        ("x", {"value": 1}),
        ("huisnummer", "12"),
        ("huisnummer", 12.5),
        ("huisnummer", False),
        ("description", 12),
        ("postcode", 1234),
        ("category", 7),
        ("observedAt", 1700000000),
        ("observedAt", "gisteren"),
        ("sourceChannel", None),
        ("infoReliability", "5"),
    ],
)
def test_wrong_json_types_are_400(
    world: World, wijkagent: APIClient, nothing_saved: None, field: str, value: Any
) -> None:
    response = post_json(wijkagent, API, valid(**{field: value}))
    assert field in invalid_names(response)


@pytest.mark.parametrize("payload", [[], [valid()], "tekst", 12, None])
def test_body_must_be_an_object(
    world: World, wijkagent: APIClient, nothing_saved: None, payload: Any
) -> None:
    response = post_json(wijkagent, API, payload)
    assert invalid_names(response) == ["nonFieldErrors"]


def test_malformed_json_saves_nothing(
    world: World, wijkagent: APIClient, nothing_saved: None
) -> None:
    response = wijkagent.post(API, data='{"category": ', content_type="application/json")
    assert_problem(response, 400)


def test_form_data_is_415(world: World, wijkagent: APIClient, nothing_saved: None) -> None:
    response = wijkagent.post(API, data={"category": "overlast-jeugd"})  # multipart
    assert_problem(response, 415)


@pytest.mark.parametrize(
    ("location", "name", "code"),
    [
        ({"lat": 48.85, "lon": 2.35}, "location", "outside_nl"),
        ({"lat": 52.1}, "location", "incomplete"),
        ({"x": 155_000.0}, "location", "incomplete"),
        ({"x": 900_000.0, "y": 463_000.0}, "location", "outside_nl"),
        ({"postcode": "1234AB", "huisnummer": 5}, "neighbourhood", "required"),
        ({"postcode": "1234 AB"}, "huisnummer", "invalid"),
        ({"neighbourhood": "WK999901"}, "neighbourhood", "unknown"),  # a wijk is no buurt
    ],
)
def test_location_rules(
    world: World,
    wijkagent: APIClient,
    nothing_saved: None,
    location: dict[str, Any],
    name: str,
    code: str,
) -> None:
    data = valid(**location)
    if "neighbourhood" not in location:
        del data["neighbourhood"]
    response = post_json(wijkagent, API, data)
    assert invalid_param(response, name)["code"] == code


def test_address_with_buurt_and_rd_point(world: World, wijkagent: APIClient) -> None:
    address = post_json(wijkagent, API, valid(postcode="1234 ab", huisnummer=12, huisletter="a"))
    assert address.status_code == 201, address.content
    signal = Signal.objects.get(uuid=body(address)["uuid"])
    assert (signal.location_kind, signal.postcode, signal.huisletter) == ("address", "1234AB", "A")
    rd = post_json(wijkagent, API, valid(neighbourhood="", x=158_250.0, y=463_250.0))
    assert rd.status_code == 201, rd.content
    assert body(rd)["neighbourhood"] == "BU99990202"


def test_clock_skew_of_a_few_minutes_is_accepted(world: World, wijkagent: APIClient) -> None:
    ahead = (timezone.now() + dt.timedelta(minutes=2)).isoformat()
    assert post_json(wijkagent, API, valid(observedAt=ahead)).status_code == 201


def test_confidentiality_defaults_to_the_category(world: World) -> None:
    client = token_client(world.users["regisseur"])
    response = post_json(client, API, valid(category="zorgmelding"))
    assert response.status_code == 201
    assert body(response)["confidentiality"] == "vertrouwelijk"
    explicit = post_json(client, API, valid(confidentiality="vertrouwelijk"))
    assert body(explicit)["confidentiality"] == "vertrouwelijk"


def test_category_of_another_municipality_is_unknown(world: World, nothing_saved: None) -> None:
    outsider = token_client(world.users["outsider"])
    response = post_json(outsider, API, valid(neighbourhood=""))
    assert invalid_param(response, "category")["code"] == "unknown"


def test_description_is_stored_verbatim_and_returned_as_json_text(
    world: World, wijkagent: APIClient
) -> None:
    text = "<script>alert(\"x\")</script> <b>vet</b> & 'quote' — één"
    response = post_json(wijkagent, API, valid(description=text))
    assert response.status_code == 201
    uuid = body(response)["uuid"]
    assert Signal.objects.get(uuid=uuid).description == text
    detail = wijkagent.get(f"{API}/{uuid}")
    assert detail["Content-Type"] == "application/json"
    assert detail["X-Content-Type-Options"] == "nosniff"
    assert body(detail)["description"] == text
    assert "&lt;" not in detail.content.decode()


def test_null_characters_are_refused(
    world: World, wijkagent: APIClient, nothing_saved: None
) -> None:
    response = post_json(wijkagent, API, valid(description="a\x00b"))
    assert invalid_names(response) == ["description"]


def test_description_at_the_limit_is_accepted(world: World, wijkagent: APIClient) -> None:
    response = post_json(wijkagent, API, valid(description="x" * 2000))
    assert response.status_code == 201


@pytest.mark.parametrize("persona", ["analist", "privacy", "beheerder"])
def test_roles_without_writing_get_403(world: World, persona: str, nothing_saved: None) -> None:
    response = post_json(token_client(world.users[persona]), API, valid())
    data = assert_problem(response, 403)
    assert data["detail"] == "U heeft geen rol waarmee u signalen mag registreren."


def test_unauthenticated_create_is_401(world: World, nothing_saved: None) -> None:
    response = post_json(APIClient(), API, valid())
    assert_problem(response, 401)

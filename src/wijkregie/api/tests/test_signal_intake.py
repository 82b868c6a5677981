"""POST /api/v1/signals with externalId (idempotent) and POST /api/v1/signals/batch."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
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
from wijkregie.privacy.models import AuditEvent
from wijkregie.signals.models import Signal
from wijkregie.tenants.models import Membership, Role
from wijkregie.tenants.services import organisation_token_create
from wijkregie.testing.personas import World

API = "/api/v1/signals"
BATCH = "/api/v1/signals/batch"


def observed(hours_ago: float = 1) -> str:
    return (timezone.now() - dt.timedelta(hours=hours_ago)).isoformat()


# One moment for every item, so that a repeat is really the same.
OBSERVED = observed(2)


def item(external_id: str = "BVH-1", **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "externalId": external_id,
        "category": "overlast-jeugd",
        "observedAt": OBSERVED,
        "description": "Groep jongeren bij de speeltuin",
        "x": 155_250.0,
        "y": 463_250.0,
    }
    data.update(changes)
    return data


@pytest.fixture
def wijkagent(world: World) -> APIClient:
    return token_client(world.users["wijkagent"])


@pytest.fixture
def politie_system(world: World) -> APIClient:
    """The police's source system, with an organisation token."""
    _, secret = organisation_token_create(
        actor=world.users["beheerder"], organisation=world.orgs["politie"], name="BVH"
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


@pytest.fixture
def nothing_saved(world: World) -> Iterator[None]:
    """Asserts after the test that no signal and no audit row for one was written."""
    signals = Signal.objects.count()
    audited = AuditEvent.objects.filter(object_type="signals.signal").count()
    yield
    assert Signal.objects.count() == signals
    assert AuditEvent.objects.filter(object_type="signals.signal").count() == audited


# --- single create, idempotent ---------------------------------------------------------------


def test_repeat_is_unchanged_and_never_duplicates(world: World, politie_system: APIClient) -> None:
    data = item()
    first = post_json(politie_system, API, data)
    assert first.status_code == 201, first.content
    created = body(first)
    assert created["result"] == "created"
    assert created["externalId"] == "BVH-1"
    assert first["Location"] == f"{API}/{created['uuid']}"
    repeat = post_json(politie_system, API, data)
    assert repeat.status_code == 200
    assert "Location" not in repeat
    again = body(repeat)
    assert again["result"] == "unchanged"
    assert again["uuid"] == created["uuid"]
    assert Signal.objects.filter(external_id="BVH-1").count() == 1
    assert not AuditEvent.objects.filter(action="update").exists()


def test_a_changed_field_updates_the_signal(world: World, politie_system: APIClient) -> None:
    created = body(post_json(politie_system, API, item()))
    Signal.objects.filter(uuid=created["uuid"]).update(status="in_behandeling")
    response = post_json(
        politie_system,
        API,
        item(description="Nu met meer details", category="overlast", infoReliability="2"),
    )
    assert response.status_code == 200, response.content
    data = body(response)
    assert (data["result"], data["uuid"]) == ("updated", created["uuid"])
    assert data["description"] == "Nu met meer details"
    assert data["category"] == "overlast"
    assert data["status"] == "in_behandeling"  # never changed by a repeat
    signal = Signal.objects.get(uuid=created["uuid"])
    assert (signal.info_reliability, signal.owner_organisation) == ("2", world.orgs["politie"])
    event = AuditEvent.objects.get(action="update", object_id=created["uuid"])
    assert event.username == "api-gm9999-politie"
    assert event.changes["fields"] == ["category", "description", "info_reliability"]
    assert event.changes["category"] == ["overlast-jeugd", "overlast"]
    assert "Nu met meer details" not in str(event.changes)


def test_an_invalid_repeat_changes_nothing(world: World, politie_system: APIClient) -> None:
    created = body(post_json(politie_system, API, item()))
    updated_at = Signal.objects.get(uuid=created["uuid"]).updated_at
    response = post_json(
        politie_system,
        API,
        item(observedAt=(timezone.now() + dt.timedelta(days=3)).isoformat(), x=1.0, y=2.0),
    )
    assert invalid_names(response) == ["observedAt", "location"]
    assert invalid_param(response, "observedAt")["code"] == "future"
    assert Signal.objects.get(uuid=created["uuid"]).updated_at == updated_at
    assert not AuditEvent.objects.filter(action="update").exists()


def test_external_id_is_checked(world: World, wijkagent: APIClient, nothing_saved: None) -> None:
    response = post_json(wijkagent, API, item(external_id="x" * 101))
    assert invalid_names(response) == ["externalId"]
    response = post_json(wijkagent, API, item(external_id=12))
    assert invalid_names(response) == ["externalId"]


def test_without_external_id_each_post_creates(world: World, wijkagent: APIClient) -> None:
    data = item()
    del data["externalId"]
    assert post_json(wijkagent, API, data).status_code == 201
    second = post_json(wijkagent, API, data)
    assert second.status_code == 201
    assert body(second)["result"] == "created"
    assert Signal.objects.filter(description="Groep jongeren bij de speeltuin").count() == 2


def test_personal_and_organisation_tokens_share_the_organisations_key(
    world: World, wijkagent: APIClient, politie_system: APIClient
) -> None:
    created = body(post_json(wijkagent, API, item()))
    repeat = post_json(politie_system, API, item())
    assert repeat.status_code == 200
    assert body(repeat)["uuid"] == created["uuid"]
    assert Signal.objects.get(uuid=created["uuid"]).registered_by == world.users["wijkagent"]


def test_the_same_external_id_of_another_organisation_is_another_signal(
    world: World, wijkagent: APIClient
) -> None:
    corporatie = token_client(world.users["corporatie"])
    one = body(post_json(wijkagent, API, item()))
    two = post_json(corporatie, API, item(category="woonfraude"))
    assert two.status_code == 201
    assert body(two)["uuid"] != one["uuid"]
    assert Signal.objects.get(uuid=one["uuid"]).category == world.categories["overlast-jeugd"]


def test_the_outsider_cannot_reach_demodams_signals_by_external_id(
    world: World, wijkagent: APIClient
) -> None:
    created = body(post_json(wijkagent, API, item()))
    outsider = token_client(world.users["outsider"])
    response = post_json(
        outsider, API, item(ownerOrganisation="politie", description="Overschreven")
    )
    names = invalid_names(response)
    assert names[:2] == ["ownerOrganisation", "category"]
    assert invalid_param(response, "ownerOrganisation")["code"] == "forbidden"
    signal = Signal.objects.get(uuid=created["uuid"])
    assert signal.description == "Groep jongeren bij de speeltuin"
    # In their own municipality the same external id is simply theirs.
    own = post_json(outsider, API, {**item(category="overlast"), "x": None, "y": None})
    assert own.status_code == 400  # their municipality has no buurten: a location is required
    area_only = post_json(
        outsider, API, {"externalId": "BVH-1", "category": "overlast", "observedAt": observed()}
    )
    assert invalid_names(area_only) == ["location"]


# --- batch ---------------------------------------------------------------------------------


def test_batch_reports_each_result_in_order(world: World, politie_system: APIClient) -> None:
    existing = body(post_json(politie_system, API, item("B")))
    unchanged = body(post_json(politie_system, API, item("C")))
    Signal.objects.filter(uuid=existing["uuid"]).update(status="afgehandeld")
    payload = {
        "signals": [
            item("A"),
            item("B", description="Bijgewerkt"),
            item("C"),
            {k: v for k, v in item().items() if k != "externalId"},
        ]
    }
    response = post_json(politie_system, BATCH, payload)
    assert response.status_code == 200, response.content
    data = body(response)
    assert (data["created"], data["updated"], data["unchanged"]) == (2, 1, 1)
    results = data["results"]
    assert [r["index"] for r in results] == [0, 1, 2, 3]
    assert [r["result"] for r in results] == ["created", "updated", "unchanged", "created"]
    assert [r["externalId"] for r in results] == ["A", "B", "C", ""]
    assert results[1]["uuid"] == existing["uuid"]
    assert results[2]["uuid"] == unchanged["uuid"]
    assert results[0]["url"] == f"{API}/{results[0]['uuid']}"
    new = Signal.objects.get(uuid=results[0]["uuid"])
    assert new.owner_organisation == world.orgs["politie"]
    assert new.registered_by is not None and new.registered_by.service_for == world.orgs["politie"]
    assert new.neighbourhood == world.buurten["01"]
    updated = Signal.objects.get(uuid=existing["uuid"])
    assert (updated.description, updated.status) == ("Bijgewerkt", "afgehandeld")
    assert AuditEvent.objects.filter(action="create", object_id=results[0]["uuid"]).exists()
    assert AuditEvent.objects.filter(action="update", object_id=existing["uuid"]).exists()
    # The same batch again: nothing new for the items with an external id.
    again = body(post_json(politie_system, BATCH, {"signals": payload["signals"][:3]}))
    assert [r["result"] for r in again["results"]] == ["unchanged"] * 3


def test_batch_with_broken_items_writes_nothing_and_reports_every_error(
    world: World, politie_system: APIClient
) -> None:
    before = body(post_json(politie_system, API, item("BESTAAND")))
    signals = Signal.objects.count()
    audits = AuditEvent.objects.filter(object_type="signals.signal").count()
    payload = {
        "signals": [
            item("BESTAAND", description="Mag niet worden opgeslagen"),  # 0: fine on its own
            item("E1", category="bestaat-niet"),  # 1: unknown category
            "geen object",  # 2
            {**item("E3", lat="52.1"), "observedAt": None, "x": None, "y": None},  # 3: types
            item("BESTAAND"),  # 4: the external id of item 0 again
            item("E5", observedAt=(timezone.now() + dt.timedelta(days=1)).isoformat()),  # 5
            item("E6", ownerOrganisation="corporatie"),  # 6: not the token's organisation
            item("E7", neighbourhood="BU00000000", x=None, y=None),  # 7: unknown buurt
            item("E8"),  # 8: fine
        ]
    }
    response = post_json(politie_system, BATCH, payload)
    data = assert_problem(response, 400)
    params = [(p["name"], p["code"]) for p in data["invalidParams"]]
    assert params == [
        ("signals[1].category", "unknown"),
        ("signals[2].nonFieldErrors", "invalid"),
        ("signals[3].observedAt", "null"),
        ("signals[3].lat", "invalid"),
        ("signals[4].externalId", "duplicate"),
        ("signals[5].observedAt", "future"),
        ("signals[6].ownerOrganisation", "forbidden"),
        ("signals[7].neighbourhood", "unknown"),
    ]
    reasons = {p["name"]: p["reason"] for p in data["invalidParams"]}
    assert reasons["signals[1].category"] == "Onbekende categorie."
    assert reasons["signals[4].externalId"] == (
        "Dit externe id staat al eerder in deze batch, bij signaal 0."
    )
    assert reasons["signals[5].observedAt"] == "De waarneming kan niet in de toekomst liggen."
    assert Signal.objects.count() == signals
    assert AuditEvent.objects.filter(object_type="signals.signal").count() == audits
    assert Signal.objects.get(uuid=before["uuid"]).description == "Groep jongeren bij de speeltuin"


def test_batch_with_only_domain_errors_writes_nothing(
    world: World, politie_system: APIClient, nothing_saved: None
) -> None:
    payload = {
        "signals": [
            item("A"),
            item("B", observedAt=(timezone.now() + dt.timedelta(days=1)).isoformat()),
            item("C", x=10.0, y=10.0),
            item("D"),
        ]
    }
    response = post_json(politie_system, BATCH, payload)
    assert invalid_names(response) == ["signals[1].observedAt", "signals[2].location"]


def test_one_external_id_for_two_organisations_in_one_batch(world: World) -> None:
    user = world.users["regisseur"]
    Membership.objects.create(
        municipality=world.gm, user=user, organisation=world.orgs["politie"], role=Role.REGISSEUR
    )
    client = token_client(user)
    response = post_json(
        client,
        BATCH,
        {
            "signals": [
                item("X", ownerOrganisation="politie"),
                item("X", ownerOrganisation="gemeente"),
                item("X", ownerOrganisation="gemeente"),
            ]
        },
    )
    assert invalid_names(response) == ["signals[2].externalId"]
    ok = post_json(
        client,
        BATCH,
        {"signals": [item("X", ownerOrganisation=o) for o in ("politie", "gemeente")]},
    )
    assert ok.status_code == 200
    assert [r["result"] for r in body(ok)["results"]] == ["created", "created"]


def test_a_batch_of_1000_succeeds_with_lookups_once(
    world: World, politie_system: APIClient
) -> None:
    items = [
        item(f"N{i:04d}", x=155_005.0 + i % 900, y=463_005.0 + i % 7 * 100, description=f"Nr {i}")
        for i in range(1000)
    ]
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        response = post_json(politie_system, BATCH, {"signals": items})
        elapsed = time.perf_counter() - start
    assert response.status_code == 200, response.content[:500]
    data = body(response)
    assert (data["created"], data["updated"], data["unchanged"]) == (1000, 0, 0)
    assert [r["index"] for r in data["results"]] == list(range(1000))
    assert Signal.objects.filter(external_id__startswith="N").count() == 1000
    assert {s.neighbourhood_id for s in Signal.objects.filter(external_id__startswith="N")} == {
        world.buurten["01"].pk
    }
    sqls = [q["sql"] for q in queries.captured_queries]
    # Category and organisation: looked up once per batch, not per item.
    assert len([s for s in sqls if 'FROM "signals_category"' in s]) == 1
    assert len([s for s in sqls if 'FROM "tenants_organisation"' in s]) == 1
    # New signals go in with a few multi-row statements (not 1000 single inserts).
    inserts = [s for s in sqls if s.startswith("INSERT") and '"signals_signal"' in s[:40]]
    assert 1 <= len(inserts) < 50
    assert elapsed < 60


def test_more_than_1000_is_refused(
    world: World, politie_system: APIClient, nothing_saved: None
) -> None:
    response = post_json(politie_system, BATCH, {"signals": [item(f"N{i}") for i in range(1001)]})
    data = assert_problem(response, 400)
    [param] = data["invalidParams"]
    assert (param["name"], param["code"]) == ("signals", "max_items")
    assert param["reason"] == (
        "Een batch bevat hoogstens 1000 signalen; deze bevat er 1001. "
        "Verdeel ze over meerdere verzoeken."
    )


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"signals": []}, "min_items"),
        ({}, "required"),
        ({"signals": {"category": "overlast"}}, "required"),
        ([item()], "required"),
    ],
)
def test_batch_body_shape(
    world: World, politie_system: APIClient, nothing_saved: None, payload: Any, code: str
) -> None:
    response = post_json(politie_system, BATCH, payload)
    assert invalid_names(response) == ["signals"]
    assert invalid_param(response, "signals")["code"] == code


@pytest.mark.parametrize("persona", ["analist", "privacy", "beheerder"])
def test_batch_needs_a_writing_role(world: World, persona: str, nothing_saved: None) -> None:
    response = post_json(token_client(world.users[persona]), BATCH, {"signals": [item()]})
    assert_problem(response, 403)


def test_batch_unauthenticated_is_401(world: World, nothing_saved: None) -> None:
    assert_problem(post_json(APIClient(), BATCH, {"signals": [item()]}), 401)


def test_batch_of_the_outsider_cannot_touch_demodam(
    world: World, politie_system: APIClient
) -> None:
    created = body(post_json(politie_system, API, item("BVH-1")))
    outsider = token_client(world.users["outsider"])
    response = post_json(
        outsider,
        BATCH,
        {"signals": [item("BVH-1", ownerOrganisation="politie", description="Overschreven")]},
    )
    names = invalid_names(response)
    assert "signals[0].ownerOrganisation" in names
    assert "signals[0].category" in names
    signal = Signal.objects.get(uuid=created["uuid"])
    assert signal.description == "Groep jongeren bij de speeltuin"


def test_batch_form_data_is_415(
    world: World, politie_system: APIClient, nothing_saved: None
) -> None:
    response = politie_system.post(BATCH, {"signals": "x"}, format="multipart")
    assert_problem(response, 415)


def test_batch_and_result_are_in_the_openapi_document(world: World) -> None:
    schema = body(APIClient().get("/api/v1/openapi.json"))
    create = schema["paths"]["/api/v1/signals"]["post"]["responses"]
    assert set(create) >= {"200", "201", "400"}
    result = schema["components"]["schemas"]["SignalWriteResult"]["properties"]["result"]
    assert result.get("enum") or result.get("$ref") or result.get("allOf")
    batch = schema["paths"]["/api/v1/signals/batch"]["post"]
    assert batch["operationId"] == "signalBatch"
    assert set(batch["responses"]) >= {"200", "400", "401", "403"}
    request = schema["components"]["schemas"]["SignalBatch"]["properties"]["signals"]
    assert request["maxItems"] == 1000
    assert "externalId" in schema["components"]["schemas"]["SignalCreate"]["properties"]

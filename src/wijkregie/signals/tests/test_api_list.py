"""GET /api/v1/signals: filters, cursor pagination, query count and the fast row serializer."""

from __future__ import annotations

import base64
import datetime as dt
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from djangorestframework_camel_case.util import camelize
from rest_framework.test import APIClient

from wijkregie.api.tests.helpers import assert_problem, body, invalid_names, token_client
from wijkregie.signals.api import SUMMARY_COLUMNS, SignalSummarySerializer, signal_summary
from wijkregie.signals.models import Signal
from wijkregie.testing.personas import World, make_signal

API = "/api/v1/signals"


def clones(template: Signal, n: int, **changes: object) -> list[Signal]:
    """n copies of a signal (new uuids), bulk-inserted."""
    fields = {
        f.attname: getattr(template, f.attname)
        for f in Signal._meta.concrete_fields
        if f.attname not in {"id", "uuid"}
    }
    fields.update(changes)
    return Signal.objects.bulk_create([Signal(**fields) for _ in range(n)])


@pytest.fixture
def signals(world: World) -> dict[str, Signal]:
    """The regisseur's view: two world signals plus three of the municipality's own."""
    extra = {
        "woonfraude_10d": make_signal(
            world,
            owner="gemeente",
            category="woonfraude",
            buurt="01",
            days_ago=10,
            description="Hennepgeur op zolder",
        ),
        "overlast_40d": make_signal(
            world,
            owner="gemeente",
            category="overlast",
            buurt="03",
            days_ago=40,
            description="Geluidsoverlast",
            status="afgehandeld",
        ),
        "zorg_3d": make_signal(
            world,
            owner="gemeente",
            category="zorgmelding",
            buurt="02",
            days_ago=3,
            description="Verwarde man",
        ),
    }
    Signal.objects.filter(pk=extra["zorg_3d"].pk).update(source_channel="street")
    return {
        "police_shared": world.signals["police_shared"],
        "gemeente_own": world.signals["gemeente_own"],
        **extra,
    }


@pytest.fixture
def regisseur(world: World) -> APIClient:
    return token_client(world.users["regisseur"])


def listed(client: APIClient, **params: str) -> set[str]:
    response = client.get(f"{API}?{urlencode({'pageSize': 200, **params})}")
    assert response.status_code == 200, response.content
    return {item["uuid"] for item in body(response)["results"]}


def days_ago(n: int) -> str:
    return (timezone.localdate() - dt.timedelta(days=n)).isoformat()


FILTER_CASES = [
    ({}, {"police_shared", "gemeente_own", "woonfraude_10d", "overlast_40d", "zorg_3d"}),
    (
        {"from": "20"},
        {"police_shared", "gemeente_own", "woonfraude_10d", "zorg_3d"},
    ),
    ({"to": "5"}, {"woonfraude_10d", "overlast_40d"}),
    ({"from": "20", "to": "5"}, {"woonfraude_10d"}),
    ({"category": "overlast"}, {"police_shared", "gemeente_own", "overlast_40d"}),
    ({"category": "overlast-jeugd"}, {"police_shared", "gemeente_own"}),
    ({"category": "woonfraude"}, {"woonfraude_10d"}),
    ({"category": "bestaat-niet"}, set()),
    ({"domain": "wonen"}, {"woonfraude_10d"}),
    ({"domain": "zorg-welzijn"}, {"zorg_3d"}),
    ({"domain": "bestaat-niet"}, set()),
    ({"source": "street"}, {"zorg_3d"}),
    (
        {"source": "partner"},
        {"police_shared", "gemeente_own", "woonfraude_10d", "overlast_40d"},
    ),
    ({"status": "afgehandeld"}, {"overlast_40d"}),
    ({"area": "focus"}, {"police_shared", "woonfraude_10d", "zorg_3d"}),
    ({"area": "WK999902"}, {"overlast_40d", "gemeente_own"}),
    ({"area": "bu99990201"}, {"overlast_40d"}),
    ({"area": "BU00000000"}, set()),
    ({"q": "HENNEP"}, {"woonfraude_10d"}),
    ({"category": "overlast", "area": "WK999902"}, {"overlast_40d", "gemeente_own"}),
]


@pytest.mark.parametrize(("params", "expected"), FILTER_CASES)
def test_each_filter_narrows(
    world: World,
    signals: dict[str, Signal],
    regisseur: APIClient,
    params: dict[str, str],
    expected: set[str],
) -> None:
    query = dict(params)
    for key in ("from", "to"):
        if key in query:
            query[key] = days_ago(int(query[key]))
    if query.get("area") == "focus":
        query["area"] = str(world.focus.uuid)
    assert listed(regisseur, **query) == {str(signals[k].uuid) for k in expected}


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("from=2026-02-30", ["from"]),
        ("from=gisteren", ["from"]),
        ("to=2026-1-1", ["to"]),
        ("from=2026-05-02&to=2026-05-01", ["to"]),
        ("source=fax", ["source"]),
        ("status=klaar", ["status"]),
        ("pageSize=0", ["pageSize"]),
        ("pageSize=-5", ["pageSize"]),
        ("pageSize=veel", ["pageSize"]),
        ("cursor=!!!", ["cursor"]),
        ("from=x&to=y&source=z&pageSize=0", ["from", "pageSize", "source", "to"]),
    ],
)
def test_invalid_parameters_are_400_listing_each(
    world: World, regisseur: APIClient, query: str, names: list[str]
) -> None:
    response = regisseur.get(f"{API}?{query}")
    assert_problem(response, 400)
    assert sorted(invalid_names(response)) == names


def test_forged_cursor_is_400(world: World, regisseur: APIClient) -> None:
    cursor = base64.b64encode(b"p=geen-datum").decode()
    response = regisseur.get(f"{API}?cursor={cursor}")
    assert invalid_names(response) == ["cursor"]


def test_cursor_pagination_walks_every_signal_once(
    world: World, signals: dict[str, Signal], regisseur: APIClient
) -> None:
    # Many signals observed at the very same moment: the cursor must still not skip or repeat.
    clones(signals["gemeente_own"], 120)
    expected = set(
        Signal.objects.filter(owner_organisation=world.orgs["gemeente"]).values_list(
            "uuid", flat=True
        )
    )
    expected.add(signals["police_shared"].uuid)
    url: str | None = f"{API}?pageSize=50"
    seen: list[str] = []
    observed: list[str] = []
    pages = 0
    while url:
        response = regisseur.get(url)
        assert response.status_code == 200
        page = body(response)
        assert len(page["results"]) <= 50
        seen += [item["uuid"] for item in page["results"]]
        observed += [item["observedAt"] for item in page["results"]]
        url = page["next"]
        pages += 1
    assert pages == 3
    assert len(seen) == len(set(seen)) == len(expected) == 125
    assert set(seen) == {str(u) for u in expected}
    parsed = [dt.datetime.fromisoformat(value) for value in observed]
    assert parsed == sorted(parsed, reverse=True)


def test_previous_link_returns_the_first_page(
    world: World, signals: dict[str, Signal], regisseur: APIClient
) -> None:
    first = body(regisseur.get(f"{API}?pageSize=2"))
    second = body(regisseur.get(first["next"]))
    assert first["previous"] is None
    back = body(regisseur.get(second["previous"]))
    assert [i["uuid"] for i in back["results"]] == [i["uuid"] for i in first["results"]]


def test_next_link_keeps_the_filters(
    world: World, signals: dict[str, Signal], regisseur: APIClient
) -> None:
    first = body(regisseur.get(f"{API}?pageSize=1&category=overlast"))
    assert "category=overlast" in first["next"]
    rest = body(regisseur.get(first["next"].replace("pageSize=1", "pageSize=10")))
    found = {i["uuid"] for i in first["results"] + rest["results"]}
    expected = {"police_shared", "gemeente_own", "overlast_40d"}
    assert found == {str(signals[k].uuid) for k in expected}


def test_page_size_default_and_cap(world: World, regisseur: APIClient) -> None:
    clones(world.signals["gemeente_own"], 240)
    default = body(regisseur.get(API))
    assert len(default["results"]) == 50
    capped = body(regisseur.get(f"{API}?pageSize=500"))
    assert len(capped["results"]) == 200
    assert capped["next"] is not None


def test_list_items_hide_personal_details(
    world: World, signals: dict[str, Signal], regisseur: APIClient
) -> None:
    for item in body(regisseur.get(API))["results"]:
        assert set(item) == {
            "uuid",
            "url",
            "observedAt",
            "category",
            "categoryName",
            "lifeDomain",
            "sourceChannel",
            "ownerOrganisation",
            "neighbourhood",
            "cell",
            "status",
            "sourceReliability",
            "infoReliability",
            "handlingCode",
        }
        assert item["url"] == f"{API}/{item['uuid']}"


def test_analyst_text_search_is_ignored(world: World, signals: dict[str, Signal]) -> None:
    analist = token_client(world.users["analist"])
    everything = listed(analist)
    assert len(everything) == 5
    assert listed(analist, q="zzz-komt-niet-voor") == everything
    assert listed(analist, q="hennep") == everything


def test_list_query_count_does_not_grow_with_the_page(
    world: World, regisseur: APIClient, django_assert_max_num_queries: object
) -> None:
    # Signals of several owners, categories and buurten, so that related rows differ.
    for key in ("police_shared", "gemeente_own", "corporatie_own", "jongerenwerk_own"):
        clones(world.signals[key], 20, owner_organisation_id=world.orgs["gemeente"].pk)
    regisseur.get(API)  # the first use of a token also stamps last_used_at
    with CaptureQueriesContext(connection) as small:
        assert len(body(regisseur.get(f"{API}?pageSize=2"))["results"]) == 2
    with django_assert_max_num_queries(len(small.captured_queries)):  # type: ignore[operator]
        assert len(body(regisseur.get(f"{API}?pageSize=50"))["results"]) == 50
    # Token, memberships, agreements (+3 prefetches), category filter-free page: a fixed few.
    assert len(small.captured_queries) <= 10


def test_fast_rows_match_the_documented_serializer(world: World) -> None:
    from wijkregie.signals.selectors import signal_list
    from wijkregie.tenants.access import viewer_for

    viewer = viewer_for(world.users["wijkagent"])
    assert viewer is not None
    instances = list(signal_list(viewer=viewer))
    rows = {row["id"]: row for row in signal_list(viewer=viewer).values(*SUMMARY_COLUMNS)}
    assert len(instances) == len(rows) == 3
    for signal in instances:
        assert signal_summary(rows[signal.pk]) == camelize(SignalSummarySerializer(signal).data)
    no_cell = dict(rows[instances[0].pk], cell_x=None, neighbourhood__code=None)
    assert signal_summary(no_cell)["cell"] is None
    assert signal_summary(no_cell)["neighbourhood"] is None

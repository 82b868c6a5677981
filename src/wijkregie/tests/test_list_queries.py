"""Lists fetch a page in two steps and count with a cap, so they stay fast at a million rows.

A single query joining the lookup tables with ORDER BY ... LIMIT made SQLite start from a
lookup table and sort every visible signal (seconds at a million rows); these tests keep the
page query on the signal table alone.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client

from wijkregie.signals import selectors
from wijkregie.testing.personas import EXPECTED_VISIBLE, World


class Recorder:
    def __init__(self) -> None:
        self.sql: list[str] = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.sql.append(sql)
        return execute(sql, params, many, context)


def page_queries(client: Client, url: str) -> list[str]:
    recorder = Recorder()
    with connection.execute_wrapper(recorder):
        assert client.get(url).status_code == 200
    return [q for q in recorder.sql if 'FROM "signals_signal"' in q and "LIMIT" in q]


@pytest.mark.parametrize(
    "url", ["/", "/signalen/", "/signalen/?category=overlast", "/api/v1/signals"]
)
def test_page_query_reads_the_signal_table_alone(world: World, url: str) -> None:
    client = Client()
    client.force_login(world.users["regisseur"])
    queries = page_queries(client, url)
    assert queries, "no page query found"
    for sql in queries:
        assert " JOIN " not in sql, sql


def test_pages_keep_the_order_and_the_policy(world: World) -> None:
    from wijkregie.tenants.access import viewer_for

    viewer = viewer_for(world.users["wijkagent"])
    assert viewer is not None
    page = selectors.signal_page(viewer=viewer, stop=10)
    assert {s.uuid for s in page} == {world.signals[k].uuid for k in EXPECTED_VISIBLE["wijkagent"]}
    times = [(s.observed_at, s.pk) for s in page]
    assert times == sorted(times, reverse=True)


def test_list_counts_up_to_a_cap(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(selectors, "COUNT_CAP", 1)
    client = Client()
    client.force_login(world.users["regisseur"])  # sees two signals, more than the cap of 1
    body = client.get("/signalen/").content.decode()
    assert "Meer dan 1 signalen gevonden" in body
    assert "Laatste pagina" not in body
    monkeypatch.setattr(selectors, "COUNT_CAP", 10)
    body = client.get("/signalen/").content.decode()
    assert "2 signalen gevonden" in body

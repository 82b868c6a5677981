"""Latency of the filtered signal list API against a bare SQL query for the same rows.

Run by run_all.py in a child process with DATABASE_URL set (Django settings are per process);
prints one JSON object on stdout. Can be run by hand against a database with demo data:

    DATABASE_URL=sqlite:///benchmarks/out/bench.sqlite3 .venv/bin/python benchmarks/latency.py

The request: GET /api/v1/signals?domain=veiligheid&from=<3 months ago>&area=<focus area uuid>,
first page (cursor pagination, page size 50), as the demo regisseur with a personal API token,
through the in-process test client. The reference: the exact page statements the API executes (the page's
keys, then the list columns of those ids; captured with an execute wrapper), replayed on a raw
DB-API cursor. Both are measured in the same process,
interleaved, after a warm-up.
"""

from __future__ import annotations

import cProfile
import datetime as dt
import io
import json
import os
import pstats
import sys
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from stats import summary_ms

WARMUP = int(os.environ.get("BENCH_WARMUP", "30"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "300"))
PROFILE_REQUESTS = int(os.environ.get("BENCH_PROFILE_REQUESTS", "50"))
FOCUS_AREA = os.environ.get("BENCH_FOCUS_AREA", "Krachtwijk Noordoost")


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wijkregie.settings")
    # The benchmark measures the API itself: its hundreds of back-to-back requests with one
    # token would otherwise meet the per-token throttle (ADR 0015) and get 429.
    os.environ.setdefault("API_RATE_LIMIT", "1000000/minute")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from wijkregie.areas.models import FocusArea
    from wijkregie.signals.models import Signal
    from wijkregie.signals.selectors import SignalFilters, signal_list
    from wijkregie.tenants.access import viewer_for
    from wijkregie.tenants.models import User
    from wijkregie.tenants.services import api_token_create

    user = User.objects.get(username="regisseur")
    if user.municipality_id is None:
        raise SystemExit("The demo regisseur has no municipality; run demo-data first.")
    focus = FocusArea.objects.get(municipality_id=user.municipality_id, name=FOCUS_AREA)
    date_from = timezone.localdate() - dt.timedelta(days=91)
    params = {"domain": "veiligheid", "from": date_from.isoformat(), "area": str(focus.uuid)}
    url = "/api/v1/signals?" + urlencode(params)
    page_size = int(settings.SIGNAL_PAGE_SIZE)

    # An API client authenticates with a personal token (sessions are for the browser).
    _, secret = api_token_create(actor=None, user=user, name="benchmark")
    client = Client(HTTP_AUTHORIZATION=f"Token {secret}")

    def api() -> Any:
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"API answered {response.status_code}: {response.content[:300]!r}")
        return response

    viewer = viewer_for(user, access_point="api")
    assert viewer is not None

    # The reference is what the API runs to fetch its page: the page's keys from the signal
    # table, then the list columns of those ids. Both statements are captured while the API
    # answers once, then replayed on a raw DB-API cursor (no ORM, no HTTP, no serialisation).
    recorder = QueryRecorder()
    with connection.execute_wrapper(recorder):
        body = api().json()
    page_queries = [(q, p) for q, p in recorder.queries if 'FROM "signals_signal"' in q]
    if len(page_queries) != 2:
        raise SystemExit(f"Expected two page queries, found {len(page_queries)}.")

    def bare_sql() -> list[tuple[Any, ...]]:
        rows: list[tuple[Any, ...]] = []
        with connection.cursor() as cursor:
            for query, query_params in page_queries:
                cursor.execute(query, query_params)
                rows = cursor.fetchall()
        return rows

    # Same rows: the API's page holds the signals the replayed statements return.
    results = body.get("results", body.get("data", []))
    api_uuids = {uuid.UUID(row["uuid"]) for row in results}
    with connection.cursor() as cursor:
        cursor.execute(*page_queries[1])
        columns = [c[0] for c in cursor.description]
        sql_uuids = {uuid.UUID(str(row[columns.index("uuid")])) for row in cursor.fetchall()}
    if len(api_uuids) != page_size or api_uuids != sql_uuids:
        raise SystemExit("The API page and the bare SQL statements return different rows.")
    sql = ";\n".join(query for query, _ in page_queries)

    for _ in range(WARMUP):
        api()
        bare_sql()
    api_times: list[float] = []
    sql_times: list[float] = []
    for _ in range(REPEAT):
        api_times.append(timed(api))
        sql_times.append(timed(bare_sql))

    queries, db_seconds = count_queries(connection, api)
    api_summary = summary_ms(api_times)
    sql_summary = summary_ms(sql_times)
    ratio = api_summary["p95_ms"] / sql_summary["p95_ms"] if sql_summary["p95_ms"] else None
    result = {
        "database": connection.vendor,
        "signals_in_database": Signal.objects.count(),
        "url": url,
        "focus_area": focus.name,
        "rows_on_page": len(api_uuids),
        "matching_rows": signal_list(
            viewer=viewer, filters=SignalFilters.from_query(params)
        ).count(),
        "api": api_summary,
        "sql": sql_summary,
        "ratio_p95": round(ratio, 2) if ratio is not None else None,
        "goal_ratio": 3.0,
        "goal_met": ratio is not None and ratio <= 3.0,
        "api_request": {"queries": queries, "db_ms": round(db_seconds * 1000, 3)},
        "sql_text": sql,
        "profile_top": profile(api),
    }
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


def timed(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


class QueryRecorder:
    """A connection.execute_wrapper that keeps every (sql, params) executed."""

    def __init__(self) -> None:
        self.queries: list[tuple[str, Any]] = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.queries.append((sql, params))
        return execute(sql, params, many, context)


class QueryTimer:
    """A connection.execute_wrapper that counts queries and the time spent in execute."""

    def __init__(self) -> None:
        self.queries = 0
        self.seconds = 0.0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries += 1
            self.seconds += time.perf_counter() - started


def count_queries(connection: Any, fn: Callable[[], Any]) -> tuple[int, float]:
    """Queries and seconds spent in cursor.execute for one call of fn (median of 20 calls)."""
    samples: list[tuple[int, float]] = []
    for _ in range(20):
        timer = QueryTimer()
        with connection.execute_wrapper(timer):
            fn()
        samples.append((timer.queries, timer.seconds))
    samples.sort(key=lambda s: s[1])
    return samples[len(samples) // 2]


def profile(fn: Callable[[], Any]) -> list[dict[str, Any]]:
    """Where an API request spends its time: top functions by cumulative time (own code first)."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(PROFILE_REQUESTS):
        fn()
    profiler.disable()
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream)
    total = max(stats.total_tt, 1e-9)  # type: ignore[attr-defined]
    rows = []
    for (filename, line, name), (_, calls, _tt, cumtime, _) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append(
            {
                "function": f"{shorten(filename)}:{line}({name})",
                "calls_per_request": round(calls / PROFILE_REQUESTS, 1),
                "ms_per_request": round(cumtime * 1000 / PROFILE_REQUESTS, 3),
                "share": round(cumtime / total, 3),
            }
        )
    rows.sort(key=lambda r: -r["ms_per_request"])
    interesting = [
        r
        for r in rows
        if any(
            key in r["function"]
            for key in (
                "wijkregie/",
                "rest_framework/",
                "django/db/models/query.py",
                "sql/compiler.py",
                "backends/",
                "sessions/",
                "contrib/auth/",
                "camel_case",
                "render",
            )
        )
    ]
    return interesting[:40]


def shorten(filename: str) -> str:
    for marker in ("site-packages/", "/src/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


if __name__ == "__main__":
    main()

"""Latency of the area profile page against its own SQL statements replayed on a raw cursor.

Run by run_all.py in a child process with DATABASE_URL set (after latency.py, on the same
demo database); prints one JSON object on stdout. By hand, against a database with demo data:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wijkregie_bench \
        .venv/bin/python benchmarks/profile_bench.py

The request: GET /gebieden/profiel/<buurt>/ (the whole HTML page: key figures, five SVG
charts with their tables, the index) as the demo regisseur with a session, through the
in-process test client, for the buurt with the most signals; the default period (the twelve
calendar months up to today) covers the whole demo year. The reference: every SQL statement
the page executes, captured with an execute wrapper during one request and replayed on a raw
DB-API cursor (no ORM, no Python figures, no templates). Both are measured in the same
process, interleaved, after a warm-up. Goal: p95 of the page < 300 ms on PostgreSQL.

Nothing is cached between requests: every request counts the signals afresh (a change to a
sharing agreement or a new signal shows on the next request).
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from typing import Any

from latency import QueryRecorder, count_queries, profile, timed
from stats import summary_ms

WARMUP = int(os.environ.get("BENCH_PROFILE_WARMUP", "5"))
REPEAT = int(os.environ.get("BENCH_PROFILE_REPEAT", "60"))
GOAL_MS = 300.0


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wijkregie.settings")
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count
    from django.test import Client

    from wijkregie.areas.models import FocusArea, Neighbourhood
    from wijkregie.signals.models import Signal
    from wijkregie.tenants.models import User

    user = User.objects.get(username="regisseur")
    if user.municipality_id is None:
        raise SystemExit("The demo regisseur has no municipality; run demo-data first.")
    busiest = (
        Signal.objects.filter(municipality_id=user.municipality_id, neighbourhood__isnull=False)
        .values("neighbourhood_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    if busiest is None:
        raise SystemExit("No signals with a buurt; run demo-data first.")
    buurt = Neighbourhood.objects.get(pk=busiest["neighbourhood_id"])
    client = Client()
    client.force_login(user)
    pages = {"buurt": f"/gebieden/profiel/{buurt.code}/"}
    if buurt.parent is not None:
        pages["wijk"] = f"/gebieden/profiel/{buurt.parent.code}/"
    focus = FocusArea.objects.filter(municipality_id=user.municipality_id).first()
    if focus is not None:
        pages["focusgebied"] = f"/gebieden/profiel/{focus.uuid}/"

    results: dict[str, Any] = {}
    for kind, url in pages.items():
        results[kind] = measure(client, connection, url, repeat=REPEAT if kind == "buurt" else 20)
    main_result = results["buurt"]
    result = {
        "database": connection.vendor,
        "signals_in_database": Signal.objects.count(),
        "buurt": {"code": buurt.code, "name": buurt.name, "signals": busiest["n"]},
        "pages": results,
        "goal_ms": GOAL_MS,
        "goal_met": main_result["page"]["p95_ms"] < GOAL_MS,
        "profile_top": profile(lambda: get(client, pages["buurt"])),
    }
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


def get(client: Any, url: str) -> Any:
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}: {response.content[:300]!r}")
    return response


def measure(client: Any, connection: Any, url: str, *, repeat: int) -> dict[str, Any]:
    """p50/p95 of the page and of its own statements replayed, interleaved."""
    recorder = QueryRecorder()
    with connection.execute_wrapper(recorder):
        get(client, url)
    # The page's reads are replayed; its writes (the session's idle-timeout stamp, access log
    # rows) are left out: replaying an access-log row would break the log's hash chain.
    statements = [
        (query, params)
        for query, params in recorder.queries
        if query.lstrip().upper().startswith(("SELECT", "WITH"))
        and "FOR UPDATE" not in query.upper()
    ]
    writes = len(recorder.queries) - len(statements)

    def bare_sql() -> None:
        with connection.cursor() as cursor:
            for query, params in statements:
                cursor.execute(query, params)
                cursor.fetchall()

    page: Callable[[], Any] = lambda: get(client, url)  # noqa: E731
    started = time.perf_counter()
    get(client, url)
    cold_ms = (time.perf_counter() - started) * 1000
    for _ in range(WARMUP):
        page()
        bare_sql()
    page_times: list[float] = []
    sql_times: list[float] = []
    for _ in range(repeat):
        page_times.append(timed(page))
        sql_times.append(timed(bare_sql))
    queries, db_seconds = count_queries(connection, page)
    page_summary = summary_ms(page_times)
    sql_summary = summary_ms(sql_times)
    ratio = page_summary["p95_ms"] / sql_summary["p95_ms"] if sql_summary["p95_ms"] else None
    return {
        "url": url,
        "first_request_ms": round(cold_ms, 1),
        "page": page_summary,
        "sql": sql_summary,
        "ratio_p95": round(ratio, 2) if ratio is not None else None,
        "request": {"queries": queries, "db_ms": round(db_seconds * 1000, 3)},
        "statements": len(statements),
        "writes_not_replayed": writes,
    }


def report(name: str, r: dict[str, Any], log: Callable[[str], None]) -> None:
    """Human-readable lines (used by run_all.py and when run by hand)."""
    b = r["buurt"]
    log(
        f"[{name}] area profile page, {r['signals_in_database']:,} signals; busiest buurt "
        f"{b['name']} ({b['code']}, {b['signals']:,} signals)"
    )
    for kind, m in r["pages"].items():
        page, sql = m["page"], m["sql"]
        log(
            f"[{name}]   {kind:<11} page p50 {page['p50_ms']:.1f} ms  p95 {page['p95_ms']:.1f} ms"
            f" | its {m['statements']} statements replayed p95 {sql['p95_ms']:.1f} ms"
            f" | ratio {m['ratio_p95']}x  ({page['n']} runs; first request "
            f"{m['first_request_ms']:.0f} ms)"
        )
    verdict = "met" if r["goal_met"] else "NOT met"
    buurt = r["pages"]["buurt"]["page"]
    log(
        f"[{name}]   goal p95 < {r['goal_ms']:.0f} ms for the buurt page: {verdict} ({buurt['p95_ms']:.1f} ms)"
    )
    if not r["goal_met"]:
        log(f"[{name}]   where a request spends its time (cProfile, cumulative, per request):")
        for row in [row for row in r["profile_top"] if row["share"] < 0.6][:14]:
            log(f"[{name}]     {row['ms_per_request']:8.2f} ms  {row['function']}")


if __name__ == "__main__":
    if "--report" in sys.argv:
        data = json.loads(sys.stdin.read().strip().splitlines()[-1])
        report(data["database"], data, print)
    else:
        main()

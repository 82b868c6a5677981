"""The cluster layer of the analysis map against its own GROUP BY on a raw cursor.

Run by run_all.py in a child process with DATABASE_URL set, after demo-data (the database
holds the demo municipality, by default with 1,000,000 signals); prints one JSON object on
stdout. By hand, against a database with demo data:

    DATABASE_URL=sqlite:///benchmarks/out/bench.sqlite3 .venv/bin/python benchmarks/map_bench.py

Requests, as the demo regisseur with a personal API token, through the in-process test client:
GET /api/v1/analysis/map/clusters?zoom=12 (the whole municipality: every visible signal is
grouped) and ?zoom=15&bbox=<the middle of the municipality>. The reference for each: the
statements the endpoint executes on the signal table (the GROUP BY on the zoom grid and the
count of signals without a location), captured while the API answers once and replayed on a
raw DB-API cursor (no ORM, no HTTP, no JSON). Both are measured in the same process,
interleaved, after a warm-up. Goal: API p95 <= 2 x SQL p95 (what the endpoint adds to the
database's work: visibility, filters, coordinates and GeoJSON for a few hundred clusters).
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from stats import summary_ms

WARMUP = int(os.environ.get("BENCH_WARMUP", "5"))
REPEAT = int(os.environ.get("BENCH_MAP_REPEAT", "30"))
GOAL_RATIO = 2.0


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


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wijkregie.settings")
    # The benchmark measures the API itself: its hundreds of back-to-back requests with one
    # token would otherwise meet the per-token throttle (ADR 0015) and get 429.
    os.environ.setdefault("API_RATE_LIMIT", "1000000/minute")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from wijkregie.areas.models import Neighbourhood
    from wijkregie.lib import geo
    from wijkregie.signals.models import Signal
    from wijkregie.tenants.models import User
    from wijkregie.tenants.services import api_token_create

    user = User.objects.get(username="regisseur")
    if user.municipality_id is None:
        raise SystemExit("The demo regisseur has no municipality; run demo-data first.")
    _, secret = api_token_create(actor=None, user=user, name="map benchmark")
    client = Client(HTTP_AUTHORIZATION=f"Token {secret}")

    # The middle quarter of the municipality's buurten, as a web map would send it.
    hoods = Neighbourhood.objects.filter(
        municipality_id=user.municipality_id, kind="buurt", rd_min_x__isnull=False
    ).values_list("rd_min_x", "rd_min_y", "rd_max_x", "rd_max_y")
    x0 = min(h[0] for h in hoods)
    y0 = min(h[1] for h in hoods)
    x1 = max(h[2] for h in hoods)
    y1 = max(h[3] for h in hoods)
    qx, qy = (x1 - x0) / 4, (y1 - y0) / 4
    lat0, lon0 = geo.rd_to_wgs84(x0 + qx, y0 + qy)
    lat1, lon1 = geo.rd_to_wgs84(x1 - qx, y1 - qy)
    bbox = f"{lon0:.5f},{lat0:.5f},{lon1:.5f},{lat1:.5f}"
    cases = {
        "whole municipality, zoom 12": {"zoom": "12"},
        "middle of the municipality, zoom 15": {"zoom": "15", "bbox": bbox},
    }

    results = []
    for name, params in cases.items():
        url = "/api/v1/analysis/map/clusters?" + urlencode(params)

        def api(url: str = url) -> Any:
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"API answered {response.status_code}: {response.content[:300]!r}")
            return response

        recorder = QueryRecorder()
        with connection.execute_wrapper(recorder):
            body = api().json()
        statements = [(q, p) for q, p in recorder.queries if 'FROM "signals_signal"' in q]
        if len(statements) != 2:
            raise SystemExit(f"Expected two statements on the signal table, found {statements}.")

        def bare_sql(statements: list[tuple[str, Any]] = statements) -> list[Any]:
            rows: list[Any] = []
            with connection.cursor() as cursor:
                for query, query_params in statements:
                    cursor.execute(query, query_params)
                    rows.append(cursor.fetchall())
            return rows

        # Same figures: the clusters' counts are the GROUP BY's counts.
        without, grouped = bare_sql()
        sql_total = sum(row[2] for row in grouped)
        if (
            sql_total != body["meta"]["signals"]
            or without[0][0] != (body["meta"]["signalsWithoutLocation"])
        ):
            raise SystemExit("The API and the bare SQL count different signals.")

        for _ in range(WARMUP):
            api()
            bare_sql()
        api_times: list[float] = []
        sql_times: list[float] = []
        for _ in range(REPEAT):
            api_times.append(timed(api))
            sql_times.append(timed(bare_sql))
        api_summary = summary_ms(api_times)
        sql_summary = summary_ms(sql_times)
        ratio = api_summary["p95_ms"] / sql_summary["p95_ms"] if sql_summary["p95_ms"] else None
        results.append(
            {
                "case": name,
                "url": url,
                "clusters": len(body["features"]),
                "signals_clustered": body["meta"]["signals"],
                "api": api_summary,
                "sql": sql_summary,
                "ratio_p95": round(ratio, 2) if ratio is not None else None,
                "goal_ratio": GOAL_RATIO,
                "goal_met": ratio is not None and ratio <= GOAL_RATIO,
                "sql_text": ";\n".join(q for q, _ in statements),
            }
        )
    json.dump(
        {
            "database": connection.vendor,
            "signals_in_database": Signal.objects.count(),
            "results": results,
        },
        sys.stdout,
    )
    sys.stdout.write("\n")


def report(name: str, data: dict[str, Any], log: Callable[[str], None]) -> None:
    """Human-readable lines for run_all.py."""
    log(
        f"[{name}] map clusters against their own GROUP BY ({data['signals_in_database']:,} signals)"
    )
    for r in data["results"]:
        verdict = "met" if r["goal_met"] else "NOT met"
        log(
            f"[{name}]   {r['case']}: {r['clusters']} clusters of {r['signals_clustered']:,} "
            f"signals; API p95 {r['api']['p95_ms']:.1f} ms, SQL p95 {r['sql']['p95_ms']:.1f} ms "
            f"= {r['ratio_p95']}x (goal <= {r['goal_ratio']}x: {verdict})"
        )


if __name__ == "__main__":
    main()

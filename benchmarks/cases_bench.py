"""The regisseur's dashboard (issue 6) at 10,000 cases and 100,000 actions, against its own SQL.

For each database (SQLite under benchmarks/out/ always; PostgreSQL when configured or reachable)
on its own database (SQLite `benchmarks/out/cases-bench.sqlite3`; PostgreSQL database
`wijkregie_cases_bench`, dropped and recreated):

1. migrate, build the personas world (wijkregie.testing.personas) and generate, seeded,
   N cases (default 10,000; 5 % confidential; phases spread over the open phases and a tenth
   closed) with the regisseur as casusregisseur of every case and one partner professional
   as participant, and 10 actions per case (owner: the case's partner or the gemeente;
   due dates from 120 days ago to 60 days ahead; 60 % open or in progress; last activity up
   to 120 days ago) - written with bulk_create;
2. GET /casussen/regie/ as the regisseur (in-process test client with a session): the whole
   HTML page - own counts per phase and per partner, the 50 oldest overdue actions with their
   escalation step, the 50 longest stalled cases, the municipality-wide counts, and one access
   event per case shown;
3. the reference: the page's own SELECT statements, captured during one request and replayed
   on a raw DB-API cursor (the access-log writes are left out of the replay: replaying them
   would write duplicate chain entries; they are counted and reported);
4. both interleaved after a warm-up. Goal: p95 of the page < 300 ms on PostgreSQL.

    .venv/bin/python benchmarks/cases_bench.py [--cases 10000] [--repeat 60]

Environment: BENCH_CASES, BENCH_CASES_REPEAT, BENCH_DATABASES (sqlite,postgres),
BENCH_DATABASE_URL. Output: lines on stdout and benchmarks/out/cases-results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from common import OUT, ROOT, child_env, fresh_database, log, postgres_reachable
from common import targets as common_targets
from stats import summary_ms

BIN = Path(sys.executable).parent
WIJKREGIE = BIN / "wijkregie"
GOAL_MS = 300.0
ACTIONS_PER_CASE = 10
BENCH_DB_NAME = "wijkregie_cases_bench"
WARMUP = 5


def postgres_url() -> str | None:
    explicit = os.environ.get("BENCH_DATABASE_URL")
    if explicit:
        return explicit
    configured = os.environ.get("DATABASE_URL", "")
    if configured.startswith(("postgres://", "postgresql://")):
        return urlunsplit(urlsplit(configured)._replace(path=f"/{BENCH_DB_NAME}"))
    if postgres_reachable():
        return f"postgres://postgres@127.0.0.1:5432/{BENCH_DB_NAME}"
    return None


def generate(n_cases: int) -> dict[str, Any]:
    """The personas world plus n_cases cases and 10 actions each (seeded)."""
    import datetime as dt

    import numpy as np
    from django.db import transaction
    from django.utils import timezone

    from wijkregie.cases.models import Action, Case, CaseType, Participant
    from wijkregie.cases.services import ensure_default_case_types
    from wijkregie.testing.personas import build_world

    rng = np.random.default_rng(1)
    started = time.perf_counter()
    with transaction.atomic():
        world = build_world()
        ensure_default_case_types(municipality=world.gm)
        types = list(CaseType.objects.filter(municipality=world.gm).order_by("pk"))
        now = timezone.now()
        today = timezone.localdate()
        phases = ["aanmelding", "analyse", "plan", "uitvoering", "monitoring", "afgesloten"]
        phase_p = [0.1, 0.15, 0.2, 0.3, 0.15, 0.1]
        regisseur = world.users["regisseur"]
        partners = [
            (world.orgs["politie"], world.users["wijkagent"]),
            (world.orgs["corporatie"], world.users["corporatie"]),
            (world.orgs["jongerenwerk"], world.users["jongerenwerker"]),
        ]
        case_phase = rng.choice(len(phases), size=n_cases, p=phase_p)
        case_partner = rng.integers(0, len(partners), size=n_cases)
        confidential = rng.random(n_cases) < 0.05
        created = rng.integers(30, 400, size=n_cases)
        cases = [
            Case(
                municipality=world.gm,
                reference=f"C-B{i:06d}",
                case_type=types[i % len(types)],
                title=f"Benchmarkcasus {i}",
                phase=phases[case_phase[i]],
                confidentiality="vertrouwelijk" if confidential[i] else "normaal",
                created_by=regisseur,
                created_at=now - dt.timedelta(days=int(created[i])),
            )
            for i in range(n_cases)
        ]
        Case.objects.bulk_create(cases, batch_size=2000)
        ids = list(
            Case.objects.filter(municipality=world.gm, reference__startswith="C-B")
            .order_by("reference")
            .values_list("pk", flat=True)
        )
        participants = []
        for i, case_id in enumerate(ids):
            org, user = partners[case_partner[i]]
            participants.append(
                Participant(
                    case_id=case_id,
                    municipality_id=world.gm.pk,
                    organisation=world.orgs["gemeente"],
                    user=regisseur,
                    role="casusregisseur",
                )
            )
            participants.append(
                Participant(
                    case_id=case_id,
                    municipality_id=world.gm.pk,
                    organisation=org,
                    user=user,
                    role="deelnemer",
                )
            )
        Participant.objects.bulk_create(participants, batch_size=5000)
        n_actions = n_cases * ACTIONS_PER_CASE
        due = rng.integers(-120, 60, size=n_actions)
        status = rng.choice(
            ["open", "bezig", "afgerond", "geannuleerd"], size=n_actions, p=[0.35, 0.25, 0.35, 0.05]
        )
        idle = rng.integers(0, 120 * 24, size=n_actions)
        gemeente_owner = rng.random(n_actions) < 0.3
        batch: list[Action] = []
        for k in range(n_actions):
            i = k // ACTIONS_PER_CASE
            org, user = partners[case_partner[i]]
            if gemeente_owner[k]:
                org, user = world.orgs["gemeente"], regisseur
            touched = now - dt.timedelta(hours=int(idle[k]))
            batch.append(
                Action(
                    case_id=ids[i],
                    municipality_id=world.gm.pk,
                    description=f"Actie {k}",
                    owner_organisation=org,
                    owner_user=user,
                    due_date=today + dt.timedelta(days=int(due[k])),
                    status=str(status[k]),
                    created_by=regisseur,
                    created_at=touched,
                    updated_at=touched,
                )
            )
            if len(batch) >= 10_000:
                Action.objects.bulk_create(batch, batch_size=5000)
                batch = []
        Action.objects.bulk_create(batch, batch_size=5000)
    return {
        "cases": n_cases,
        "actions": n_actions,
        "participants": len(participants),
        "generate_seconds": round(time.perf_counter() - started, 1),
    }


def child(n_cases: int, repeat: int, out_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wijkregie.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from latency import QueryRecorder, count_queries, profile, timed
    from wijkregie.cases.models import Action
    from wijkregie.tenants.models import User

    data = generate(n_cases)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    client = Client()
    client.force_login(User.objects.get(username="regisseur"))
    url = "/casussen/regie/"

    def page() -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")

    recorder = QueryRecorder()
    with connection.execute_wrapper(recorder):
        page()
    reads = [
        (sql, params)
        for sql, params in recorder.queries
        if sql.lstrip().upper().startswith("SELECT") and "FOR UPDATE" not in sql.upper()
    ]
    writes = len(recorder.queries) - len(reads)

    def bare_sql() -> None:
        with connection.cursor() as cursor:
            for sql, params in reads:
                cursor.execute(sql, params)
                cursor.fetchall()

    started = time.perf_counter()
    page()
    first_ms = (time.perf_counter() - started) * 1000
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
    result = {
        "database": connection.vendor,
        **data,
        "overdue_actions": Action.objects.filter(
            status__in=["open", "bezig"], due_date__lt=django.utils.timezone.localdate()
        ).count(),
        "url": url,
        "first_request_ms": round(first_ms, 1),
        "page": page_summary,
        "sql": sql_summary,
        "ratio_p95": round(ratio, 2) if ratio is not None else None,
        "statements": len(recorder.queries),
        "read_statements": len(reads),
        "log_statements": writes,
        "request": {"queries": queries, "db_ms": round(db_seconds * 1000, 3)},
        "goal_ms": GOAL_MS,
        "goal_met": page_summary["p95_ms"] < GOAL_MS,
        "profile_top": profile(page)[:14],
    }
    out_path.write_text(json.dumps(result))


def report(name: str, r: dict[str, Any]) -> None:
    page, sql = r["page"], r["sql"]
    log(
        f"[{name}] regisseur dashboard, {r['cases']:,} cases, {r['actions']:,} actions "
        f"({r['overdue_actions']:,} overdue; generated in {r['generate_seconds']} s)"
    )
    log(
        f"[{name}]   page p50 {page['p50_ms']:.1f} ms  p95 {page['p95_ms']:.1f} ms  "
        f"({page['n']} runs; first request {r['first_request_ms']:.0f} ms)"
    )
    log(
        f"[{name}]   its {r['read_statements']} SELECT statements replayed p50 "
        f"{sql['p50_ms']:.1f} ms  p95 {sql['p95_ms']:.1f} ms | ratio {r['ratio_p95']}x "
        f"| {r['log_statements']} access-log statements not replayed"
    )
    verdict = "met" if r["goal_met"] else "NOT met"
    log(f"[{name}]   goal p95 < {r['goal_ms']:.0f} ms: {verdict} ({page['p95_ms']:.1f} ms)")
    if not r["goal_met"]:
        log(f"[{name}]   where a request spends its time (cProfile, cumulative, per request):")
        for row in [row for row in r["profile_top"] if row["share"] < 0.6][:12]:
            log(f"[{name}]     {row['ms_per_request']:8.2f} ms  {row['function']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=int(os.environ.get("BENCH_CASES", "10000")))
    parser.add_argument(
        "--repeat", type=int, default=int(os.environ.get("BENCH_CASES_REPEAT", "60"))
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.cases, args.repeat, Path(args.child))
        return
    OUT.mkdir(parents=True, exist_ok=True)
    wanted = [w.strip() for w in os.environ.get("BENCH_DATABASES", "").split(",") if w.strip()]
    results: dict[str, Any] = {}
    for target in common_targets(
        wanted, sqlite_file="cases-bench.sqlite3", postgres_url=postgres_url()
    ):
        log(f"{target.name}: {args.cases:,} cases, {args.cases * ACTIONS_PER_CASE:,} actions")
        fresh_database(target)
        env = child_env(target)
        subprocess.run(  # noqa: S603
            [str(WIJKREGIE), "migrate", "--no-input"],
            env=env,
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        out_path = OUT / f"cases-{target.name}.json"
        subprocess.run(  # noqa: S603
            [sys.executable, __file__, "--cases", str(args.cases), "--repeat", str(args.repeat),
             "--child", str(out_path)],
            env=env, cwd=ROOT, check=True,
        )  # fmt: skip
        found = json.loads(out_path.read_text())
        results[target.name] = found
        report(target.name, found)
    (OUT / "cases-results.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()

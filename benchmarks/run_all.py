"""`make bench`: the demo generator at scale and the signal list API against bare SQL.

For each database (SQLite under benchmarks/out/ always; PostgreSQL when configured or
reachable at 127.0.0.1:5432):

1. a fresh database, migrated;
2. `wijkregie demo-data --seed 1 --signals N` in a child process: wall time and peak RSS
   (from os.wait4, i.e. the child's own getrusage);
3. benchmarks/latency.py in a child process: p50/p95 of the first page of
   GET /api/v1/signals?domain=veiligheid&from=<3 months ago>&area=<focus area>, against p95 of
   the bare SQL for the same rows; goal: API p95 <= 3 x SQL p95.

Environment:
    BENCH_SIGNALS        number of demo signals (default 1000000)
    BENCH_DATABASES      comma list of "sqlite", "postgres" (default: sqlite, plus postgres
                         when available)
    BENCH_DATABASE_URL   PostgreSQL database to use; it is DROPPED and recreated
    DATABASE_URL         if it points at PostgreSQL: the server to use (database
                         "wijkregie_bench" on it, never the configured database itself)
    BENCH_REPEAT, BENCH_WARMUP   repetitions for latency.py (default 300, 30)
    BENCH_IMPORT_ROWS    rows for benchmarks/import_bench.py, run at the end (default 1000000;
                         0 skips it)
    BENCH_ANALYSIS       0 skips benchmarks/analysis_bench.py (Gi* against esda, KDE), run last
    BENCH_LINKER         0 skips benchmarks/linker_bench.py (link-persons on 100,000 and
                         1,000,000 generated records against an exact-match baseline)
    BENCH_SUBJECTS       0 skips benchmarks/subjects_bench.py (attach_person against 100,000
                         stored person records against the writes alone)
    BENCH_MAP            0 skips benchmarks/map_bench.py (map clusters against their GROUP BY)
    BENCH_CASES          cases for benchmarks/cases_bench.py (the regisseur dashboard at N cases and
                         10 x N actions against its own SQL; default 10000; 0 skips it)

Output: human-readable lines and benchmarks/out/results.json.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import profile_bench
from common import HERE, OUT, ROOT, Target, child_env, fresh_database, log, postgres_reachable
from common import targets as common_targets

BIN = Path(sys.executable).parent
WIJKREGIE = BIN / "wijkregie"
SEED = 1
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/wijkregie_bench"
BENCH_DB_NAME = "wijkregie_bench"


def postgres_url() -> str | None:
    explicit = os.environ.get("BENCH_DATABASE_URL")
    if explicit:
        return explicit
    configured = os.environ.get("DATABASE_URL", "")
    if configured.startswith(("postgres://", "postgresql://")):
        # Same server, but never the configured database itself: that one may hold real data.
        parts = urlsplit(configured)
        return urlunsplit(parts._replace(path=f"/{BENCH_DB_NAME}"))
    if postgres_reachable():
        return PG_DEFAULT
    return None


def targets() -> list[Target]:
    wanted = [w.strip() for w in os.environ.get("BENCH_DATABASES", "").split(",") if w.strip()]
    return common_targets(wanted, sqlite_file="bench.sqlite3", postgres_url=postgres_url())


def run_measured(args: list[str], env: dict[str, str], log_path: Path) -> tuple[float, int, int]:
    """Run a child; return (wall seconds, peak RSS in bytes, exit status)."""
    with log_path.open("w") as out:
        started = time.perf_counter()
        child = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)  # noqa: S603
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss is in kilobytes on Linux (bytes on macOS).
    scale = 1 if sys.platform == "darwin" else 1024
    return wall, usage.ru_maxrss * scale, child.returncode


def bench(target: Target, n_signals: int) -> dict[str, Any]:
    env = child_env(target)
    log(f"[{target.name}] fresh database, migrate ...")
    fresh_database(target)
    subprocess.run(  # noqa: S603
        [str(WIJKREGIE), "migrate", "--noinput", "-v", "0"], env=env, cwd=ROOT, check=True
    )
    log(f"[{target.name}] demo-data --seed {SEED} --signals {n_signals:,} ...")
    gen_log = OUT / f"demo-data-{target.name}.log"
    wall, peak, status = run_measured(
        [str(WIJKREGIE), "demo-data", "--seed", str(SEED), "--signals", str(n_signals)],
        env,
        gen_log,
    )
    if status != 0:
        raise SystemExit(f"demo-data failed ({status}); see {gen_log}")
    generator = {
        "signals": n_signals,
        "seconds": round(wall, 1),
        "signals_per_second": round(n_signals / wall) if wall else None,
        "peak_rss_mb": round(peak / 2**20, 1),
        "log": str(gen_log.relative_to(ROOT)),
    }
    log(
        f"[{target.name}] generator: {n_signals:,} signals in {wall:.1f} s "
        f"({generator['signals_per_second']:,}/s), peak RSS {generator['peak_rss_mb']} MB"
    )
    log(f"[{target.name}] API latency against bare SQL ...")
    completed = subprocess.run(  # noqa: S603
        [sys.executable, str(HERE / "latency.py")],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    latency = json.loads(completed.stdout.strip().splitlines()[-1])
    report_latency(target.name, latency)
    # The area profile page (issue 5) on the same demo database: profile_bench.py.
    log(f"[{target.name}] area profile page against its own SQL ...")
    completed = subprocess.run(  # noqa: S603
        [sys.executable, str(HERE / "profile_bench.py")],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    area_profile = json.loads(completed.stdout.strip().splitlines()[-1])
    profile_bench.report(target.name, area_profile, log)
    return {
        "database": target.name,
        "generator": generator,
        "latency": latency,
        "area_profile": area_profile,
    }


def report_latency(name: str, r: dict[str, Any]) -> None:
    api, sql = r["api"], r["sql"]
    log(f"[{name}] request: GET {r['url']}  ({r['focus_area']})")
    log(
        f"[{name}]   {r['rows_on_page']} rows on the first page, {r['matching_rows']:,} matching "
        f"signals of {r['signals_in_database']:,}"
    )
    log(
        f"[{name}]   API  p50 {api['p50_ms']:.2f} ms  p95 {api['p95_ms']:.2f} ms  ({api['n']} runs)"
    )
    log(
        f"[{name}]   SQL  p50 {sql['p50_ms']:.2f} ms  p95 {sql['p95_ms']:.2f} ms  "
        "(same rows, raw DB-API cursor)"
    )
    verdict = "met" if r["goal_met"] else "NOT met"
    log(f"[{name}]   ratio p95 API / p95 SQL = {r['ratio_p95']}x  (goal <= 3x: {verdict})")
    request = r["api_request"]
    log(
        f"[{name}]   one API request: {request['queries']} queries, "
        f"{request['db_ms']:.2f} ms in cursor.execute"
    )
    if not r["goal_met"]:
        log(f"[{name}]   where an API request spends its time (cProfile, cumulative, per request;")
        log(f"[{name}]   wrappers around more than 60 % of the request left out):")
        for row in [row for row in r["profile_top"] if row["share"] < 0.6][:14]:
            log(f"[{name}]     {row['ms_per_request']:8.2f} ms  {row['function']}")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    n_signals = int(os.environ.get("BENCH_SIGNALS", "1000000"))
    started = time.perf_counter()
    chosen = targets()
    log(f"Wijkregie benchmarks: {n_signals:,} demo signals, databases: {[t.name for t in chosen]}")
    results = [bench(target, n_signals) for target in chosen]
    summary = {
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "signals": n_signals,
        "seed": SEED,
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "results": results,
        "seconds_total": round(time.perf_counter() - started, 1),
    }
    path = OUT / "results.json"
    path.write_text(json.dumps(summary, indent=2) + "\n")
    log("")
    log(f"Summary at {n_signals:,} demo signals:")
    for r in results:
        g, lat = r["generator"], r["latency"]
        log(
            f"  {r['database']:<8} generator {g['seconds']:.0f} s, peak {g['peak_rss_mb']} MB | "
            f"API p95 {lat['api']['p95_ms']:.2f} ms vs SQL p95 {lat['sql']['p95_ms']:.2f} ms "
            f"= {lat['ratio_p95']}x ({'goal met' if lat['goal_met'] else 'goal NOT met'})"
        )
        if "area_profile" in r:
            page = r["area_profile"]["pages"]["buurt"]
            log(
                f"  {r['database']:<8} area profile page p95 {page['page']['p95_ms']:.1f} ms "
                f"(goal < 300 ms: {'met' if r['area_profile']['goal_met'] else 'NOT met'}) vs its "
                f"SQL p95 {page['sql']['p95_ms']:.1f} ms = {page['ratio_p95']}x"
            )
    log(f"Written to {path.relative_to(ROOT)} in {summary['seconds_total']:.0f} s.")
    if os.environ.get("BENCH_IMPORT_ROWS", "") != "0":
        # The bulk import against a bare bulk load: its own databases, its own results file.
        log("")
        subprocess.run([sys.executable, str(HERE / "import_bench.py")], cwd=ROOT, check=True)  # noqa: S603
    if os.environ.get("BENCH_ANALYSIS", "") != "0":
        # Gi* against esda on the same grid, kernel density (issue 5): no database involved.
        log("")
        subprocess.run([sys.executable, str(HERE / "analysis_bench.py")], cwd=ROOT, check=True)  # noqa: S603
    if os.environ.get("BENCH_LINKER", "") != "0":
        # The person linker (issue 4) against an exact-match baseline: no database involved.
        log("")
        subprocess.run([sys.executable, str(HERE / "linker_bench.py")], cwd=ROOT, check=True)  # noqa: S603
    if os.environ.get("BENCH_SUBJECTS", "") != "0":
        # Incremental person linking on the database (issue 4) against the writes alone.
        log("")
        subprocess.run([sys.executable, str(HERE / "subjects_bench.py")], cwd=ROOT, check=True)  # noqa: S603
    if os.environ.get("BENCH_MAP", "") != "0":
        # The map's cluster endpoint against its own GROUP BY, on the demo databases above.
        from map_bench import report as report_map

        for target in chosen:
            log("")
            completed = subprocess.run(  # noqa: S603
                [sys.executable, str(HERE / "map_bench.py")],
                env=child_env(target),
                cwd=ROOT,
                check=True,
                capture_output=True,
                text=True,
            )
            map_result = json.loads(completed.stdout.strip().splitlines()[-1])
            (OUT / f"map-{target.name}.json").write_text(json.dumps(map_result, indent=2) + "\n")
            report_map(target.name, map_result, log)
    if os.environ.get("BENCH_CASES", "") != "0":
        # The regisseur dashboard (issue 6) at 10,000 cases and 100,000 actions: its own databases.
        log("")
        subprocess.run([sys.executable, str(HERE / "cases_bench.py")], cwd=ROOT, check=True)  # noqa: S603


if __name__ == "__main__":
    main()

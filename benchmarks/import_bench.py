"""Bulk import of a partner export: `wijkregie import-signals` against a bare bulk load.

For each database (SQLite under benchmarks/out/ always; PostgreSQL when configured or reachable
at 127.0.0.1:5432, database `wijkregie_bench_import`, dropped and recreated):

1. a fresh database, migrated, with the demo municipality and no signals
   (`wijkregie demo-data --seed 1 --signals 0`), and an address register loaded with
   `wijkregie import-addresses` (a generated BAG-style extract of Demodam);
2. the reference, timed as a whole child process: a bare bulk load of the same CSV into an
   unindexed table of text columns (PostgreSQL: COPY FROM STDIN of the file itself; SQLite:
   executemany of the csv-parsed rows in one transaction);
3. `wijkregie import-signals FILE --organisation politie` in a child process: wall time, peak
   RSS (os.wait4 -> ru_maxrss of the child), rows per second, and the counts it prints;
4. the same command again (every row unchanged).

Goals: import <= 3 x reference, peak memory < 1 GB.

The file (cached in benchmarks/out/ per row count and seed) is what a Dutch office exports:
Windows-1252, semicolons, Dutch dates (`31-12-2025 23:15`, some date-only, some ISO 8601),
decimal commas; locations as lat/lon (45 %), RD x/y (40 %) or postcode + huisnummer from the
register (15 %); category codes and names; about 0.6 % broken rows (missing location, invalid
postcode, future date, impossible date, unknown category, duplicated extern_id).

    .venv/bin/python benchmarks/import_bench.py --rows 100000 --databases sqlite
    .venv/bin/python benchmarks/import_bench.py --profile-rows 100000   # also a cProfile

Environment (as run_all.py): BENCH_IMPORT_ROWS (default 1000000), BENCH_DATABASES,
BENCH_DATABASE_URL / DATABASE_URL (the PostgreSQL server; the database used is always
`wijkregie_bench_import`). Results: stdout and benchmarks/out/import-results.json.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import pstats
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from common import (
    OUT,
    ROOT,
    Target,
    child_env,
    fresh_database,
    log,
    postgres_reachable,
    sqlite_path,
)
from common import targets as common_targets

BIN = Path(sys.executable).parent
WIJKREGIE = BIN / "wijkregie"
SEED = 1
DB_NAME = "wijkregie_bench_import"
PG_DEFAULT = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
ORGANISATION = "politie"
PROFILE_ORGANISATION = "handhaving"
MUNICIPALITY = "GM9999"
ENCODING = "cp1252"
GOAL_RATIO = 3.0
GOAL_PEAK_MB = 1024
HEADER = [
    "extern_id",
    "waargenomen_op",
    "categorie",
    "omschrijving",
    "postcode",
    "huisnummer",
    "huisletter",
    "toevoeging",
    "x",
    "y",
    "lat",
    "lon",
    "bron_betrouwbaarheid",
    "info_betrouwbaarheid",
]
ADDRESS_HEADER = [
    "postcode",
    "huisnummer",
    "huisletter",
    "toevoeging",
    "x",
    "y",
    "verblijfsobject_id",
    "nummeraanduiding_id",
]
RESULT_LINE = re.compile(r"imported=(\d+) updated=(\d+) unchanged=(\d+) rejected=(\d+)")


# ---------------------------------------------------------------------------------------------
# Databases (the same conventions as run_all.py)


def postgres_url() -> str | None:
    explicit = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL", "")
    if explicit.startswith(("postgres://", "postgresql://")):
        # Same server, but always our own database: never the configured one.
        return urlunsplit(urlsplit(explicit)._replace(path=f"/{DB_NAME}"))
    return PG_DEFAULT if postgres_reachable() else None


def targets(wanted: list[str]) -> list[Target]:
    return common_targets(wanted, sqlite_file="import-bench.sqlite3", postgres_url=postgres_url())


@dataclass(frozen=True)
class Measured:
    wall: float  # seconds
    cpu: float  # user + system seconds of the child itself (a database server's not included)
    peak: int  # peak RSS in bytes
    status: int


def run_measured(args: list[str], env: dict[str, str], log_path: Path) -> Measured:
    """Run a child; wall time, its own CPU time, its peak RSS and its exit status."""
    with log_path.open("w") as out:
        started = time.perf_counter()
        child = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)  # noqa: S603
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: kB on Linux, bytes on macOS
    return Measured(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        peak=usage.ru_maxrss * scale,
        status=os.waitstatus_to_exitcode(status),
    )


# ---------------------------------------------------------------------------------------------
# The files


def generate(rows: int, seed: int) -> tuple[Path, Path, dict[str, Any]]:
    """The address register and the signal export (cached per row count and seed)."""
    signals_path = OUT / f"import-{rows}-s{seed}.csv"
    addresses_path = OUT / f"import-{rows}-s{seed}-adressen.csv"
    meta_path = OUT / f"import-{rows}-s{seed}.json"
    if signals_path.is_file() and addresses_path.is_file() and meta_path.is_file():
        return signals_path, addresses_path, json.loads(meta_path.read_text())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wijkregie.settings")
    import numpy as np

    from wijkregie.demo import catalogue as cat
    from wijkregie.demo.generator import _sample_in, build_geography, postcodes
    from wijkregie.lib import geo

    started = time.perf_counter()
    rng = np.random.default_rng([seed, 0x1A9017])
    geography = build_geography(SEED)
    region = geography.outline.buffer(-10)  # off the boundary: every point lies in one buurt

    # Address register: one address per ~20 signals (at least 2,000, at most 60,000).
    n_addr = int(min(60_000, max(2_000, rows // 20)))
    points = _sample_in(rng, region, n_addr)
    codes = postcodes(points[:, 0], points[:, 1], geography)
    numbers: dict[str, int] = {}
    addresses: list[tuple[str, int, str, str]] = []
    with addresses_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(ADDRESS_HEADER)
        letters = rng.random(n_addr)
        for i, ((x, y), code) in enumerate(zip(points.tolist(), codes, strict=True)):
            number = numbers[code] = numbers.get(code, 0) + 1
            letter = "A" if letters[i] < 0.08 else ""
            addition = "2" if 0.08 <= letters[i] < 0.12 else ""
            addresses.append((code, number, letter, addition))
            writer.writerow(
                [
                    code,
                    number,
                    letter,
                    addition,
                    f"{x:.2f}".replace(".", ","),
                    f"{y:.2f}".replace(".", ","),
                    f"9999010{i:09d}",
                    f"9999200{i:09d}",
                ]
            )

    # Signals.
    pts = _sample_in(rng, region, rows)
    lat, lon = geo.rd_to_wgs84_arrays(pts[:, 0], pts[:, 1])
    kind = rng.choice(3, size=rows, p=[0.45, 0.40, 0.15])  # 0 lat/lon, 1 x/y, 2 address
    addr_pick = rng.integers(0, n_addr, size=rows)
    now = int(time.time())
    ages = rng.integers(3_600, 365 * 86_400, size=rows)
    date_style = rng.choice(3, size=rows, p=[0.8, 0.1, 0.1])
    categories = cat.CATEGORIES
    cat_pick = rng.integers(0, len(categories), size=rows)
    by_name = rng.random(rows) < 0.3
    source = rng.choice(list("ABCX"), size=rows)
    info = rng.choice(list("1234"), size=rows)
    texts = [
        "Groep jongeren bij de portiek, geluid tot laat",
        "Bewoner meldt stank uit woning; café ernaast bevestigt",
        "Fietsen tegen de gevel, doorgang geblokkeerd",
        "Vermoedelijk onderhuur: wisselende bewoners",
        "Drugshandel bij het speelveld, 's avonds",
        "Verwarde man op straat, aangesproken",
        "Inbraak via achterdeur, sporen van braak",
        'Melding via "buurtapp": zwerfvuil bij de container',
        "Brommers over het trottoir",
        "<script>alert('x')</script> in het meldformulier geplakt",
    ]
    text_pick = rng.integers(0, len(texts), size=rows)
    # Broken rows: about 0.6 %, six kinds.
    broken = rng.random(rows) < 0.006
    broken_kind = rng.integers(0, 6, size=rows)
    counts = {"rows": rows, "addresses": n_addr, "broken": 0}
    with signals_path.open("w", encoding=ENCODING, newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        writer.writerow(HEADER)
        for i in range(rows):
            when = dt.datetime.fromtimestamp(now - int(ages[i]))
            style = date_style[i]
            if style == 0:
                stamp = when.strftime("%d-%m-%Y %H:%M")
            elif style == 1:
                stamp = when.strftime("%d-%m-%Y")
            else:
                stamp = when.strftime("%Y-%m-%dT%H:%M:%S")
            spec = categories[cat_pick[i]]
            category = spec.name if by_name[i] else spec.code
            row = [
                f"BENCH-{i:07d}",
                stamp,
                category,
                f"{texts[text_pick[i]]} (nr. {i % 97})",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                str(source[i]),
                str(info[i]),
            ]
            k = kind[i]
            if k == 0:
                row[10] = f"{lat[i]:.6f}".replace(".", ",")
                row[11] = f"{lon[i]:.6f}".replace(".", ",")
            elif k == 1:
                row[8] = f"{pts[i, 0]:.2f}".replace(".", ",")
                row[9] = f"{pts[i, 1]:.2f}".replace(".", ",")
            else:
                code, number, letter, addition = addresses[addr_pick[i]]
                row[4] = f"{code[:4]} {code[4:]}" if i % 2 else code
                row[5], row[6], row[7] = str(number), letter, addition
            if broken[i]:
                counts["broken"] += 1
                b = broken_kind[i]
                if b == 0:  # no location at all
                    for j in range(4, 12):
                        row[j] = ""
                elif b == 1:  # invalid postcode instead of a point
                    for j in range(4, 12):
                        row[j] = ""
                    row[4], row[5] = "12AB", "7"
                elif b == 2:  # in the future
                    row[1] = (dt.datetime.now() + dt.timedelta(days=30)).strftime("%d-%m-%Y")
                elif b == 3:  # a date that does not exist
                    row[1] = "31-02-2026"
                elif b == 4:  # unknown category
                    row[2] = "onbekende-categorie"
                else:  # an extern_id seen before in this file
                    row[0] = f"BENCH-{max(i - 1, 0):07d}"
            writer.writerow(row)
    meta = {**counts, "generated_seconds": round(time.perf_counter() - started, 1)}
    meta_path.write_text(json.dumps(meta))
    return signals_path, addresses_path, meta


# ---------------------------------------------------------------------------------------------
# The reference: a bare bulk load of the same rows into an unindexed table (run as a child)

REFERENCE_TABLE = "bench_reference_load"


def reference_sqlite(db_path: str, csv_path: str) -> None:
    import sqlite3

    conn = sqlite3.connect(db_path, isolation_level=None)
    # The same settings as the application's connection.
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    columns = ", ".join(f'"{c}" TEXT' for c in HEADER)
    conn.execute(f"DROP TABLE IF EXISTS {REFERENCE_TABLE}")
    conn.execute(f"CREATE TABLE {REFERENCE_TABLE} ({columns})")
    placeholders = ", ".join("?" * len(HEADER))
    with open(csv_path, encoding=ENCODING, newline="") as handle:
        reader = csv.reader(handle, delimiter=";")
        next(reader)
        conn.execute("BEGIN")
        conn.executemany(f"INSERT INTO {REFERENCE_TABLE} VALUES ({placeholders})", reader)
        conn.execute("COMMIT")
    count = conn.execute(f"SELECT count(*) FROM {REFERENCE_TABLE}").fetchone()[0]
    conn.close()
    print(f"rows={count}")


def reference_postgres(url: str, csv_path: str) -> None:
    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(scheme="postgresql"))) as conn:
        columns = ", ".join(f'"{c}" text' for c in HEADER)
        conn.execute(f"DROP TABLE IF EXISTS {REFERENCE_TABLE}")
        conn.execute(f"CREATE TABLE {REFERENCE_TABLE} ({columns})")
        with (
            conn.cursor() as cursor,
            cursor.copy(
                f"COPY {REFERENCE_TABLE} FROM STDIN "
                "WITH (FORMAT csv, DELIMITER ';', HEADER true, ENCODING 'WIN1252')"
            ) as copy,
            open(csv_path, "rb") as handle,
        ):
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
        conn.commit()
        count = conn.execute(f"SELECT count(*) FROM {REFERENCE_TABLE}").fetchone()
    print(f"rows={count[0] if count else 0}")


def drop_reference(target: Target) -> None:
    if target.name == "sqlite":
        import sqlite3

        conn = sqlite3.connect(sqlite_path(target))
        conn.execute(f"DROP TABLE IF EXISTS {REFERENCE_TABLE}")
        conn.commit()
        conn.close()
        return
    import psycopg

    with psycopg.connect(urlunsplit(urlsplit(target.url)._replace(scheme="postgresql"))) as pg:
        pg.execute(f"DROP TABLE IF EXISTS {REFERENCE_TABLE}")


# ---------------------------------------------------------------------------------------------
# The run


def counts_from(log_path: Path) -> dict[str, int]:
    lines = [line for line in log_path.read_text().splitlines() if RESULT_LINE.search(line)]
    if not lines:
        return {}
    match = RESULT_LINE.search(lines[-1])
    assert match is not None
    keys = ("imported", "updated", "unchanged", "rejected")
    return dict(zip(keys, (int(g) for g in match.groups()), strict=True))


def timed_import(
    target: Target, env: dict[str, str], signals: Path, label: str, rows: int
) -> dict[str, Any]:
    log_path = OUT / f"import-{label}-{target.name}.log"
    rejects = OUT / f"import-{label}-{target.name}.rejects.csv"
    args = [
        str(WIJKREGIE),
        "import-signals",
        str(signals),
        "--organisation",
        ORGANISATION,
        "--municipality",
        MUNICIPALITY,
        "--rejects",
        str(rejects),
    ]
    m = run_measured(args, env, log_path)
    if m.status != 0:
        raise SystemExit(f"import-signals failed ({m.status}); see {log_path}")
    return {
        "seconds": round(m.wall, 2),
        "cpu_seconds": round(m.cpu, 2),
        "rows_per_second": round(rows / m.wall) if m.wall else None,
        "peak_rss_mb": round(m.peak / 2**20, 1),
        "counts": counts_from(log_path),
        "log": str(log_path.relative_to(ROOT)),
    }


def bench(target: Target, signals: Path, addresses: Path, meta: dict[str, Any]) -> dict[str, Any]:
    rows = meta["rows"]
    env = child_env(target)
    name = target.name
    log(f"[{name}] fresh database, migrate, demo municipality without signals ...")
    fresh_database(target)
    subprocess.run(  # noqa: S603
        [str(WIJKREGIE), "migrate", "--noinput", "-v", "0"], env=env, cwd=ROOT, check=True
    )
    subprocess.run(  # noqa: S603
        [str(WIJKREGIE), "demo-data", "--seed", str(SEED), "--signals", "0"],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    log(f"[{name}] import-addresses ({meta['addresses']:,} addresses) ...")
    addr_log = OUT / f"import-addresses-{name}.log"
    m = run_measured([str(WIJKREGIE), "import-addresses", str(addresses)], env, addr_log)
    if m.status != 0:
        raise SystemExit(f"import-addresses failed ({m.status}); see {addr_log}")
    address_result = {"seconds": round(m.wall, 2), "counts": counts_from(addr_log)}

    log(f"[{name}] reference: bare bulk load of the same file into an unindexed table ...")
    ref_log = OUT / f"import-reference-{name}.log"
    mode = "--reference-sqlite" if name == "sqlite" else "--reference-postgres"
    where = str(sqlite_path(target)) if name == "sqlite" else target.url
    ref = run_measured(
        [sys.executable, str(Path(__file__).resolve()), mode, where, str(signals)], env, ref_log
    )
    if ref.status != 0:
        raise SystemExit(f"reference load failed ({ref.status}); see {ref_log}")
    drop_reference(target)
    reference = {
        "method": "COPY FROM STDIN (text columns, no index)"
        if name == "postgres"
        else "executemany of csv-parsed rows, one transaction (text columns, no index)",
        "seconds": round(ref.wall, 2),
        "cpu_seconds": round(ref.cpu, 2),
        "rows_per_second": round(rows / ref.wall) if ref.wall else None,
        "peak_rss_mb": round(ref.peak / 2**20, 1),
    }

    log(f"[{name}] import-signals, {rows:,} rows ...")
    first = timed_import(target, env, signals, "first", rows)
    log(
        f"[{name}]   {first['seconds']:.1f} s (CPU {first['cpu_seconds']:.1f} s), "
        f"peak {first['peak_rss_mb']} MB, {first['counts']}"
    )
    log(f"[{name}] import-signals again (every row unchanged) ...")
    rerun = timed_import(target, env, signals, "rerun", rows)
    log(f"[{name}]   {rerun['seconds']:.1f} s, peak {rerun['peak_rss_mb']} MB, {rerun['counts']}")
    ratio = round(first["seconds"] / ref.wall, 2) if ref.wall else None
    # On a busy machine wall times drift between the two runs; the child's own CPU time does
    # not (for SQLite it is all the work; for PostgreSQL the server's share is left out).
    cpu_ratio = round(first["cpu_seconds"] / ref.cpu, 2) if ref.cpu else None
    return {
        "database": name,
        "rows": rows,
        "addresses": address_result,
        "reference": reference,
        "import": first,
        "rerun": rerun,
        "ratio": ratio,
        "cpu_ratio": cpu_ratio,
        "goal_ratio_met": ratio is not None and ratio <= GOAL_RATIO,
        "goal_memory_met": max(first["peak_rss_mb"], rerun["peak_rss_mb"]) < GOAL_PEAK_MB,
    }


def profile(target: Target, signals: Path, n: int) -> list[dict[str, Any]]:
    """cProfile of an import of the first `n` rows as new signals (another organisation)."""
    subset = OUT / f"import-profile-{n}.csv"
    with (
        signals.open(encoding=ENCODING, newline="") as src,
        subset.open("w", encoding=ENCODING, newline="") as dst,
    ):
        for i, line in enumerate(src):
            if i > n:
                break
            dst.write(line)
    prof = OUT / f"import-profile-{target.name}.prof"
    log_path = OUT / f"import-profile-{target.name}.log"
    args = [
        sys.executable,
        "-m",
        "cProfile",
        "-o",
        str(prof),
        str(WIJKREGIE),
        "import-signals",
        str(subset),
        "--organisation",
        PROFILE_ORGANISATION,
        "--municipality",
        MUNICIPALITY,
        "--rejects",
        str(OUT / f"import-profile-{target.name}.rejects.csv"),
    ]
    m = run_measured(args, child_env(target), log_path)
    if m.status != 0:
        raise SystemExit(f"profiled import failed ({m.status}); see {log_path}")
    stats = pstats.Stats(str(prof))
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = max((ct for (_cc, _nc, _tt, ct, _callers) in raw.values()), default=1.0)
    rows = []
    for (filename, line, func), (_cc, calls, tottime, cumtime, _callers) in raw.items():
        short = filename.replace(str(ROOT) + "/", "").replace(str(BIN.parent) + "/", "")
        rows.append(
            {
                "function": f"{short}:{line}({func})",
                "calls": calls,
                "tottime_s": round(tottime, 3),
                "cumtime_s": round(cumtime, 3),
                "share": round(cumtime / total, 3),
            }
        )
    log(f"[{target.name}] cProfile of {n:,} new rows: {m.wall:.1f} s (profiled); top by own time:")
    for row in sorted(rows, key=lambda r: -r["tottime_s"])[:20]:
        log(
            f"[{target.name}]   {row['tottime_s']:7.2f} s own {row['cumtime_s']:7.2f} s cum  {row['function']}"
        )
    return sorted(rows, key=lambda r: -r["cumtime_s"])[:60]


def report(results: list[dict[str, Any]]) -> None:
    log("")
    log(f"Import of {results[0]['rows']:,} rows (goal: <= {GOAL_RATIO:g}x the bare load, < 1 GB):")
    header = (
        f"  {'database':<9}{'import':>10}{'rows/s':>10}{'peak MB':>9}"
        f"{'reference':>11}{'ratio':>8}{'rerun':>9}{'peak MB':>9}  counts"
    )
    log(header)
    for r in results:
        first, rerun, ref = r["import"], r["rerun"], r["reference"]
        c = first["counts"]
        log(
            f"  {r['database']:<9}{first['seconds']:>9.1f}s{first['rows_per_second']:>10,}"
            f"{first['peak_rss_mb']:>9.0f}{ref['seconds']:>10.1f}s{r['ratio']:>7.2f}x"
            f"{rerun['seconds']:>8.1f}s{rerun['peak_rss_mb']:>9.0f}  "
            f"imported={c.get('imported')} rejected={c.get('rejected')} | rerun "
            f"unchanged={rerun['counts'].get('unchanged')}"
        )
    for r in results:
        verdict = "met" if r["goal_ratio_met"] else "NOT met"
        memory = "met" if r["goal_memory_met"] else "NOT met"
        log(
            f"  {r['database']}: ratio {r['ratio']}x (goal {verdict}), child CPU time ratio "
            f"{r['cpu_ratio']}x; memory goal {memory}; reference = {r['reference']['method']}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--rows", type=int, default=int(os.environ.get("BENCH_IMPORT_ROWS", "1000000"))
    )
    parser.add_argument(
        "--databases",
        default=os.environ.get("BENCH_DATABASES", ""),
        help="comma list of sqlite, postgres (default: sqlite, plus postgres when reachable)",
    )
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--profile-rows",
        type=int,
        default=int(os.environ.get("BENCH_IMPORT_PROFILE_ROWS", "0")),
        help="after the run, profile an import of this many new rows (cProfile)",
    )
    parser.add_argument(
        "--reference-sqlite", nargs=2, metavar=("DB", "CSV"), help=argparse.SUPPRESS
    )
    parser.add_argument(
        "--reference-postgres", nargs=2, metavar=("URL", "CSV"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.reference_sqlite:
        reference_sqlite(*args.reference_sqlite)
        return
    if args.reference_postgres:
        reference_postgres(*args.reference_postgres)
        return

    OUT.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    chosen = targets([w.strip() for w in args.databases.split(",") if w.strip()])
    log(f"Import benchmark: {args.rows:,} rows, databases: {[t.name for t in chosen]}")
    signals, addresses, meta = generate(args.rows, args.seed)
    size_mb = signals.stat().st_size / 2**20
    log(
        f"File: {signals.relative_to(ROOT)} ({size_mb:.0f} MB, {meta['broken']:,} broken rows), "
        f"register: {meta['addresses']:,} addresses"
    )
    results = []
    for target in chosen:
        result = bench(target, signals, addresses, meta)
        if args.profile_rows:
            result["profile_top"] = profile(target, signals, min(args.profile_rows, args.rows))
        results.append(result)
    report(results)
    summary = {
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "rows": args.rows,
        "file_mb": round(size_mb, 1),
        "broken_rows": meta["broken"],
        "seed": args.seed,
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "results": results,
        "seconds_total": round(time.perf_counter() - started, 1),
    }
    path = OUT / "import-results.json"
    path.write_text(json.dumps(summary, indent=2) + "\n")
    # Also per row count, so that a quick run does not overwrite the full one.
    (OUT / f"import-results-{args.rows}.json").write_text(json.dumps(summary, indent=2) + "\n")
    log(f"Written to {path.relative_to(ROOT)} in {summary['seconds_total']:.0f} s.")


if __name__ == "__main__":
    main()

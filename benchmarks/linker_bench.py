"""Person linker benchmark (issue 4): `wijkregie link-persons` on generated Dutch records.

For each size (default 100,000 and 1,000,000 records, 30 % of them duplicates):

1. generate the records with known truth (wijkregie.testing.persons, seed 1; cached as CSV
   plus truth under benchmarks/out/);
2. run `wijkregie link-persons --in FILE --out FILE` as a child process: whole-process wall
   time and peak RSS (os.wait4 -> ru_maxrss); the console script runs this command without
   starting Django;
3. pairwise precision, recall and F1 of its person ids against the truth;
4. the reference, in the same run and the same way (child process, same CSV): a plain
   exact-match baseline that groups by the valid BSN, else by lower-case surname and the
   birth date as written. Its time and F1 give the linker's figures context;
5. the same linking through `python -m wijkregie.subjects.linker.csvfile` (the module the
   console script calls), as a check that both paths cost the same.

Wall times on a shared machine include waiting for a core; the CPU seconds (user + system of
the child) are printed next to them.

Last it times incremental linking in this process on the first size: for 200 records, the
candidates sharing a blocking key (from an in-memory key index of all records) and
`match_one` against them (p50/p95).

Goals: at 100,000 records F1 >= 0.95 with precision >= 0.97 in <= 3 s and <= 1 GB; at
1,000,000 records <= 45 s and <= 4 GB.

    .venv/bin/python benchmarks/linker_bench.py [--sizes 100000,1000000] [--duplicates 0.3]

Environment: BENCH_LINKER_SIZES overrides the sizes. Output: a table on stdout and
benchmarks/out/linker-results.json.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
BIN = Path(sys.executable).parent
WIJKREGIE = BIN / "wijkregie"
SEED = 1
sys.path.insert(0, str(ROOT / "src"))

from wijkregie.testing.persons import generate, pairwise_scores  # noqa: E402

GOALS = {
    100_000: {"seconds": 3.0, "rss_mb": 1024.0, "f1": 0.95, "precision": 0.97},
    1_000_000: {"seconds": 45.0, "rss_mb": 4096.0},
}


def log(message: str = "") -> None:
    print(message, flush=True)


def run_measured(args: list[str], log_path: Path) -> tuple[float, int, int, float]:
    """Run a child; return (wall seconds, peak RSS in bytes, exit status, CPU seconds).

    The CPU seconds (user + system) tell how much of the wall time was waiting for a core on a
    busy machine."""
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "wijkregie.settings")
    with log_path.open("w") as out:
        started = time.perf_counter()
        child = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)  # noqa: S603
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
    scale = 1 if sys.platform == "darwin" else 1024
    cpu = usage.ru_utime + usage.ru_stime
    return wall, usage.ru_maxrss * scale, os.waitstatus_to_exitcode(status), cpu


def dataset(n: int, duplicates: float) -> tuple[Path, np.ndarray]:
    """The CSV and truth, generated in a child process (so this process stays small: a child
    started from a big parent can report the parent's pages as its own peak RSS)."""
    path = OUT / f"linker-{n}-{int(duplicates * 100)}.csv"
    truth_path = path.with_suffix(".truth.npy")
    if not (path.exists() and truth_path.exists()):
        log(f"  generating {n:,} records ({duplicates:.0%} duplicates) ...")
        started = time.perf_counter()
        subprocess.run(  # noqa: S603
            [sys.executable, __file__, "--generate-child", str(n), str(duplicates), str(path)],
            cwd=ROOT,
            check=True,
        )
        log(f"  generated in {time.perf_counter() - started:.1f} s -> {path.relative_to(ROOT)}")
    return path, np.load(truth_path)


def generate_child(n: int, duplicates: float, path: Path) -> None:
    data = generate(n, duplicate_share=duplicates, seed=SEED)
    data.write_csv(path)
    np.save(path.with_suffix(".truth.npy"), data.truth)


def read_ids(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        return [row[1] for row in reader]


def baseline_child(source: str, target: str) -> None:
    """The reference: exact match on the valid BSN, else on (surname, birth date as written)."""
    from wijkregie.privacy.pseudonyms import clean_bsn

    with open(source, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        at = {name: header.index(name) for name in header}
        ids, keys = [], []
        for row in reader:
            ids.append(row[at["record_id"]])
            bsn = clean_bsn(row[at["bsn"]])
            if bsn:
                keys.append("b" + bsn)
            else:
                surname = (
                    (row[at["tussenvoegsel"]] + row[at["achternaam"]]).lower().replace(" ", "")
                )
                birth = row[at["geboortedatum"]].strip()
                keys.append(f"n{surname}|{birth}" if surname and birth else "r" + ids[-1])
    with open(target, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(("record_id", "person_id"))
        writer.writerows(zip(ids, keys, strict=True))


def incremental_latency(source: Path, samples: int = 200) -> dict[str, Any]:
    """match_one against the candidates sharing a blocking key, as the database side does."""
    from wijkregie.privacy.pseudonyms import pseudonymise_bsn
    from wijkregie.subjects.linker.api import (
        PersonRecord,
        blocking_keys,
        estimate_model,
        match_one,
    )

    key = b"benchmark-run-key"
    with source.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        records = [PersonRecord(r[0], r[1], pseudonymise_bsn(r[2], key), *r[3:]) for r in reader]
    model = estimate_model(records)
    index: dict[str, list[int]] = {}
    for i, record in enumerate(records):
        for block in blocking_keys(record):
            index.setdefault(block, []).append(i)
    rng = np.random.default_rng(SEED)
    timings, candidates_seen, linked = [], [], 0
    for i in rng.choice(len(records), size=samples, replace=False).tolist():
        record = records[i]
        started = time.perf_counter()
        found: set[int] = set()
        for block in blocking_keys(record):
            found.update(index.get(block, ()))
        found.discard(i)
        matches = match_one(record, [records[j] for j in sorted(found)], model)
        timings.append(time.perf_counter() - started)
        candidates_seen.append(len(found))
        linked += bool(matches and matches[0].linked)
    ms = np.asarray(timings) * 1000
    return {
        "samples": samples,
        "p50_ms": round(float(np.percentile(ms, 50)), 2),
        "p95_ms": round(float(np.percentile(ms, 95)), 2),
        "max_ms": round(float(ms.max()), 2),
        "mean_candidates": round(float(np.mean(candidates_seen)), 1),
        "linked": linked,
    }


def bench(n: int, duplicates: float) -> dict[str, Any]:
    log(f"[{n:,} records]")
    source, truth = dataset(n, duplicates)
    result: dict[str, Any] = {"records": n, "duplicates": duplicates}
    for name, args in (
        ("baseline", [sys.executable, __file__, "--baseline-child", str(source)]),
        ("linker", [str(WIJKREGIE), "link-persons", "--in", str(source)]),
        # The same work through the module the console script calls (both skip Django).
        ("plain", [sys.executable, "-m", "wijkregie.subjects.linker.csvfile", "--in", str(source)]),
    ):
        target = OUT / f"linker-{n}-{name}.out.csv"
        child_log = OUT / f"linker-{n}-{name}.log"
        args = [*args, str(target)] if name == "baseline" else [*args, "--out", str(target)]
        wall, peak, status, cpu = run_measured(args, child_log)
        if status != 0:
            raise SystemExit(f"{name} failed ({status}); see {child_log}")
        scores = pairwise_scores(truth, np.asarray(read_ids(target)))
        result[name] = {
            "seconds": round(wall, 2),
            "cpu_seconds": round(cpu, 2),
            "peak_rss_mb": round(peak / 2**20, 1),
            "precision": round(scores["precision"], 4),
            "recall": round(scores["recall"], 4),
            "f1": round(scores["f1"], 4),
            "true_pairs": scores["true_pairs"],
            "predicted_pairs": scores["predicted_pairs"],
            "summary": child_log.read_text(encoding="utf-8").strip().splitlines()[-1:],
        }
        r = result[name]
        log(
            f"  {name:<8} {r['seconds']:7.2f} s (CPU {r['cpu_seconds']:.2f} s)  "
            f"peak {r['peak_rss_mb']:7.1f} MB  "
            f"precision {r['precision']:.4f}  recall {r['recall']:.4f}  F1 {r['f1']:.4f}"
        )
    linker, base = result["linker"], result["baseline"]
    result["ratio_seconds"] = (
        round(linker["seconds"] / base["seconds"], 2) if base["seconds"] else None
    )
    log(
        f"  linker / baseline: {result['ratio_seconds']}x the time, F1 {linker['f1']:.4f} vs "
        f"{base['f1']:.4f}; via the module {result['plain']['seconds']:.2f} s "
        f"(CPU {result['plain']['cpu_seconds']:.2f} s)"
    )
    goals = GOALS.get(n)
    if goals:
        met = {
            "seconds": linker["seconds"] <= goals["seconds"],
            "rss_mb": linker["peak_rss_mb"] <= goals["rss_mb"],
        }
        if "f1" in goals:
            met["f1"] = linker["f1"] >= goals["f1"]
            met["precision"] = linker["precision"] >= goals["precision"]
        result["goals"] = {"targets": goals, "met": met}
        log("  goals: " + ", ".join(f"{k} {'met' if v else 'NOT met'}" for k, v in met.items()))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=os.environ.get("BENCH_LINKER_SIZES", "100000,1000000"))
    parser.add_argument("--duplicates", type=float, default=0.3)
    parser.add_argument("--no-incremental", action="store_true")
    parser.add_argument("--baseline-child", nargs=2, metavar=("IN", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--generate-child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline_child:
        baseline_child(*args.baseline_child)
        return
    if args.generate_child:
        n, duplicates, path = args.generate_child
        generate_child(int(n), float(duplicates), Path(path))
        return
    OUT.mkdir(parents=True, exist_ok=True)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    log(f"Person linker benchmark: sizes {sizes}, {args.duplicates:.0%} duplicates, seed {SEED}")
    started = time.perf_counter()
    results = [bench(n, args.duplicates) for n in sizes]
    incremental = None
    if not args.no_incremental and sizes:
        # Last, in this process: it loads a whole set, which would inflate the children's RSS.
        source, _ = dataset(sizes[0], args.duplicates)
        log(f"[incremental, {sizes[0]:,} records] match_one against the candidates of its keys ...")
        incremental = inc = incremental_latency(source)
        log(
            f"  p50 {inc['p50_ms']} ms, p95 {inc['p95_ms']} ms, max {inc['max_ms']} ms "
            f"({inc['mean_candidates']} candidates on average, {inc['samples']} records)"
        )
    summary = {
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "seed": SEED,
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg(),
        },
        "results": results,
        "incremental": incremental,
        "seconds_total": round(time.perf_counter() - started, 1),
    }
    path = OUT / "linker-results.json"
    path.write_text(json.dumps(summary, indent=2) + "\n")
    log("")
    log("Summary (link-persons as a whole process):")
    for r in results:
        lk, bs = r["linker"], r["baseline"]
        log(
            f"  {r['records']:>9,} records: {lk['seconds']:.2f} s (CPU {lk['cpu_seconds']:.2f} s), "
            f"{lk['peak_rss_mb']:.0f} MB, "
            f"P {lk['precision']:.3f} R {lk['recall']:.3f} F1 {lk['f1']:.3f} | exact-match "
            f"baseline {bs['seconds']:.2f} s, F1 {bs['f1']:.3f} | {r['ratio_seconds']}x its time"
        )
    log(f"Written to {path.relative_to(ROOT)} (load average at the end: {os.getloadavg()[0]:.1f}).")


if __name__ == "__main__":
    main()

"""Analysis benchmarks (issue 5): Gi* against esda on the same grid, and kernel density.

Side by side in one run:

1. Gi* with analytic inference on 100,000 and 1,000,000 cells of an irregular grid with holes
   (wijkregie.analysis.gistar.gi_star_grid, including building the neighbour table) against
   esda.G_Local(y, w, transform="B", star=True, permutations=0) on the same cells, once with a
   libpysal W and once with a libpysal.graph.Graph (weights built beforehand, not timed).
   Goal: >= 100x faster than the faster of the two, identical z (max |dz|).
2. Gi* with 999 permutations on 100,000 cells against esda.G_Local(..., permutations=999,
   n_jobs=1) (numba-compiled; compiled on a small grid first, not timed). Goal: >= 10x.
3. Kernel density of 1,000,000 points on a 300 km x 300 km grid of 100 m cells (9,000,000
   cells), quartic and Gaussian kernels. Goal: < 1 s.

esda on 1,000,000 cells runs in a child process with a time limit (BENCH_ESDA_TIMEOUT, default
600 s); when it does not finish, the table says so and gives the ratio as a lower bound.
Timings are the best of BENCH_ANALYSIS_REPEAT runs (default 7) for Wijkregie, of 3 for esda
on 100,000 cells and of one run for esda with permutations or on 1,000,000 cells.
Output: a table on stdout and benchmarks/out/analysis-results.json.

    .venv/bin/python benchmarks/analysis_bench.py [--cells 100000,1000000] [--skip-esda-1m]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
sys.path.insert(0, str(ROOT / "src"))

from wijkregie.analysis.gistar import PermutationFloorWarning, gi_star_grid  # noqa: E402
from wijkregie.analysis.grid import QUEEN_SELF, queen_neighbours  # noqa: E402
from wijkregie.analysis.kde import kernel_density  # noqa: E402

SEED = 20261129
PERMUTATIONS = 999
KDE_POINTS = 1_000_000
KDE_EXTENT = (0.0, 300_000.0, 300_000.0, 600_000.0)  # RD metres, 300 km x 300 km
KDE_BANDWIDTH = 500.0


def log(message: str = "") -> None:
    print(message, flush=True)


def make_grid(n: int, seed: int = SEED) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """n cells of a square with about 10 % holes, overdispersed counts and hot blocks."""
    rng = np.random.default_rng(seed)
    side = math.ceil(math.sqrt(n / 0.88))
    ix, iy = np.meshgrid(np.arange(side), np.arange(side), indexing="ij")
    ix, iy = ix.ravel(), iy.ravel()
    keep = np.flatnonzero(rng.random(ix.size) > 0.1)[:n]
    ix, iy = ix[keep] + 1000, iy[keep] + 3000
    counts = rng.negative_binomial(0.5, 0.2, ix.size).astype(np.float64)
    for _ in range(max(1, n // 5000)):
        cx, cy = rng.integers(1000, 1000 + side, 2)
        counts[(np.abs(ix - cx) < 4) & (np.abs(iy - cy) < 4)] += rng.integers(5, 30)
    if ix.size != n:
        raise SystemExit(f"grid has {ix.size} cells, wanted {n}")
    return ix, iy, counts


def best_of(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, result = math.inf, None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def libpysal_weights(ix: np.ndarray, iy: np.ndarray) -> Any:
    """libpysal W (queen contiguity among the listed cells) from our neighbour table; the
    tests check that table against an independent construction."""
    from libpysal.weights import W

    table = queen_neighbours(ix, iy)
    others = np.delete(table, QUEEN_SELF, axis=0)
    neighbours = {i: [int(j) for j in others[:, i] if j >= 0] for i in range(ix.size)}
    return W(neighbours, silence_warnings=True)


def esda_g_local(
    ix: np.ndarray, iy: np.ndarray, counts: np.ndarray, permutations: int, repeat: int = 1
) -> dict[str, Any]:
    """esda.G_Local on the same cells, once with a libpysal W (the classic API its examples
    use) and once with a libpysal.graph.Graph (the newer, faster API). Weights are built
    beforehand and timed separately. Best of `repeat` runs."""
    import esda
    from libpysal.graph import Graph

    started = time.perf_counter()
    w = libpysal_weights(ix, iy)
    weights_seconds = time.perf_counter() - started
    graph = Graph.from_W(w)
    result: dict[str, Any] = {"weights_seconds": weights_seconds}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, weights in (("w", w), ("graph", graph)):
            best = math.inf
            for _ in range(repeat):
                started = time.perf_counter()
                g = esda.G_Local(
                    counts,
                    weights,
                    transform="B",
                    star=True,
                    permutations=permutations,
                    n_jobs=1,
                    seed=SEED,
                    keep_simulations=False,
                )
                best = min(best, time.perf_counter() - started)
            result[f"{name}_seconds"] = best
            result[f"{name}_z"] = np.asarray(g.Zs)
    return result


def esda_child(n: int, path: str) -> None:
    """Child process: esda analytic on n cells; writes z to path, prints timing JSON."""
    ix, iy, counts = make_grid(n)
    result = esda_g_local(ix, iy, counts, 0)
    np.save(path, np.stack([result.pop("w_z"), result.pop("graph_z")]))
    print(json.dumps(result))


def esda_in_child(n: int, timeout: float) -> dict[str, Any] | None:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "z.npy")
        try:
            done = subprocess.run(  # noqa: S603
                [sys.executable, __file__, "--esda-child", str(n), path],
                capture_output=True,
                text=True,
                timeout=timeout,
                check=True,
            )
        except subprocess.TimeoutExpired:
            return None
        result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        result["w_z"], result["graph_z"] = np.load(path)
        return result


def warm_up_esda() -> None:
    """Compile esda's numba kernels on a small grid (not timed)."""
    ix, iy, counts = make_grid(2000, seed=1)
    esda_g_local(ix, iy, counts, 99)


def gi_star_rows(
    cells: list[int], repeat: int, esda_timeout: float, skip_esda_1m: bool
) -> list[dict[str, Any]]:
    rows = []
    for n in cells:
        ix, iy, counts = make_grid(n)
        ours_seconds, ours = best_of(
            lambda ix=ix, iy=iy, counts=counts: gi_star_grid(ix, iy, counts), repeat
        )
        row: dict[str, Any] = {
            "test": f"Gi* analytic, {n:,} cells",
            "cells": n,
            "permutations": 0,
            "wijkregie_s": ours_seconds,
            "hot": int((ours.classes == "hot").sum()),
            "cold": int((ours.classes == "cold").sum()),
        }
        log(f"  Gi* analytic on {n:,} cells: ours {ours_seconds * 1000:.1f} ms; esda ...")
        if n > 200_000:
            reference = None if skip_esda_1m else esda_in_child(n, esda_timeout)
            if reference is None:
                row["esda_note"] = (
                    "skipped" if skip_esda_1m else f"did not finish within {esda_timeout:.0f} s"
                )
        else:
            reference = esda_g_local(ix, iy, counts, 0, repeat=min(repeat, 3))
        if reference is not None:
            row.update(esda_columns(reference, ours.z, ours_seconds))
        elif "esda_note" in row and not skip_esda_1m:
            row["speedup_at_least"] = esda_timeout / ours_seconds
        rows.append(row)
    return rows


def permutation_row(n: int, repeat: int) -> dict[str, Any]:
    ix, iy, counts = make_grid(n)

    def ours() -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PermutationFloorWarning)
            return gi_star_grid(ix, iy, counts, permutations=PERMUTATIONS, seed=SEED)

    ours_seconds, result = best_of(ours, repeat)
    log(
        f"  Gi* {PERMUTATIONS} permutations on {n:,} cells: ours {ours_seconds * 1000:.1f} ms; esda ..."
    )
    warm_up_esda()
    reference = esda_g_local(ix, iy, counts, PERMUTATIONS)
    return {
        "test": f"Gi* {PERMUTATIONS} permutations, {n:,} cells",
        "cells": n,
        "permutations": PERMUTATIONS,
        "wijkregie_s": ours_seconds,
        **esda_columns(reference, result.z, ours_seconds),
        "hot": int((result.classes == "hot").sum()),
        "cold": int((result.classes == "cold").sum()),
        "warnings": list(result.warnings),
    }


def esda_columns(reference: dict[str, Any], z: np.ndarray, ours_seconds: float) -> dict[str, Any]:
    """esda's times with W and with Graph, the speed-up against the faster of the two, and
    the largest |z difference| against either."""
    fastest = min(reference["w_seconds"], reference["graph_seconds"])
    return {
        "esda_w_s": reference["w_seconds"],
        "esda_graph_s": reference["graph_seconds"],
        "esda_weights_s": reference["weights_seconds"],
        "speedup_vs_w": reference["w_seconds"] / ours_seconds,
        "speedup_vs_graph": reference["graph_seconds"] / ours_seconds,
        "speedup": fastest / ours_seconds,
        "max_abs_dz": float(
            max(np.max(np.abs(z - reference["w_z"])), np.max(np.abs(z - reference["graph_z"])))
        ),
    }


def kde_rows(repeat: int) -> list[dict[str, Any]]:
    rng = np.random.default_rng(SEED)
    # Clustered like signals: half around 200 "neighbourhood centres", half uniform.
    centres = rng.uniform((KDE_EXTENT[0], KDE_EXTENT[1]), (KDE_EXTENT[2], KDE_EXTENT[3]), (200, 2))
    pick = rng.integers(0, 200, KDE_POINTS // 2)
    clustered = centres[pick] + rng.normal(0, 800, (KDE_POINTS // 2, 2))
    uniform = rng.uniform(
        (KDE_EXTENT[0], KDE_EXTENT[1]), (KDE_EXTENT[2], KDE_EXTENT[3]), (KDE_POINTS - pick.size, 2)
    )
    points = np.vstack([clustered, uniform])
    rows = []
    for kernel in ("quartic", "gaussian"):
        seconds, grid = best_of(
            lambda kernel=kernel: kernel_density(
                points[:, 0],
                points[:, 1],
                bandwidth=KDE_BANDWIDTH,
                kernel=kernel,
                extent=KDE_EXTENT,
            ),
            repeat,
        )
        nx, ny = grid.density.shape
        rows.append(
            {
                "test": f"KDE {kernel}, h {KDE_BANDWIDTH:.0f} m, {KDE_POINTS:,} points, {nx}x{ny} cells",
                "kernel": kernel,
                "points": KDE_POINTS,
                "grid": [nx, ny],
                "bandwidth_m": KDE_BANDWIDTH,
                "wijkregie_s": seconds,
                "goal_met": seconds < 1.0,
                "outside": grid.outside,
            }
        )
        log(f"  KDE {kernel}: {seconds * 1000:.0f} ms")
    return rows


def print_table(gi_rows: list[dict[str, Any]], kde: list[dict[str, Any]]) -> None:
    log("")
    log(
        f"{'benchmark':<38} {'Wijkregie':>10} {'esda (W)':>10} {'esda (Graph)':>12} "
        f"{'speed-up W / Graph':>19} {'max |dz|':>9}  goal (against the faster esda)"
    )
    for row in gi_rows:
        goal = 10 if row["permutations"] else 100
        ours = f"{row['wijkregie_s'] * 1000:.1f} ms"
        if "esda_w_s" in row:
            w_text, g_text = f"{row['esda_w_s']:.2f} s", f"{row['esda_graph_s']:.2f} s"
            ratio = f"{row['speedup_vs_w']:.0f}x / {row['speedup_vs_graph']:.0f}x"
            dz = f"{row['max_abs_dz']:.1e}"
            verdict = "met" if row["speedup"] >= goal else "NOT met"
        elif "speedup_at_least" in row:
            w_text = g_text = f"> {timeout_text(row)}"
            ratio = f">= {row['speedup_at_least']:.0f}x"
            dz = "n/a"
            verdict = "met (lower bound)" if row["speedup_at_least"] >= goal else "unknown"
        else:
            w_text = g_text = "skipped"
            ratio, dz, verdict = "n/a", "n/a", "not measured"
        log(
            f"{row['test']:<38} {ours:>10} {w_text:>10} {g_text:>12} {ratio:>19} {dz:>9}  "
            f">= {goal}x: {verdict}"
        )
    for row in kde:
        verdict = "met" if row["goal_met"] else "NOT met"
        log(f"{row['test']:<64} {row['wijkregie_s'] * 1000:>8.0f} ms  < 1 s: {verdict}")
    for row in gi_rows:
        if "esda_note" in row:
            log(f"  note: esda on {row['cells']:,} cells {row['esda_note']}.")
    log("  Wijkregie: z, p, Benjamini-Hochberg and classes, neighbour lookup included. esda: the")
    log("  G_Local call (z, p) with weights built beforehand (their build time is in the JSON).")
    log("  All single-threaded; esda's permutations are numba-compiled (compiled first, untimed).")


def timeout_text(row: dict[str, Any]) -> str:
    return row["esda_note"].split()[-2] + " s"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cells", default="100000,1000000")
    parser.add_argument("--permutation-cells", type=int, default=100_000)
    parser.add_argument("--skip-esda-1m", action="store_true")
    parser.add_argument("--esda-child", nargs=2, metavar=("N", "PATH"))
    args = parser.parse_args()
    if args.esda_child:
        esda_child(int(args.esda_child[0]), args.esda_child[1])
        return
    repeat = int(os.environ.get("BENCH_ANALYSIS_REPEAT", "7"))
    timeout = float(os.environ.get("BENCH_ESDA_TIMEOUT", "600"))
    cells = [int(c) for c in args.cells.split(",") if c]
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    log("Analysis benchmarks: Gi* against esda on the same grid, kernel density")
    gi_rows = gi_star_rows(cells, repeat, timeout, args.skip_esda_1m)
    gi_rows.append(permutation_row(args.permutation_cells, repeat))
    kde = kde_rows(repeat)
    print_table(gi_rows, kde)
    import esda
    import numba
    import scipy

    summary = {
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "seed": SEED,
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average_1m": os.getloadavg()[0],
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "esda": esda.__version__,
            "numba": numba.__version__,
        },
        "gi_star": gi_rows,
        "kde": kde,
        "seconds_total": round(time.perf_counter() - started, 1),
    }
    path = OUT / "analysis-results.json"
    path.write_text(json.dumps(summary, indent=2) + "\n")
    log(f"Written to {path.relative_to(ROOT)} in {summary['seconds_total']:.0f} s.")


if __name__ == "__main__":
    main()

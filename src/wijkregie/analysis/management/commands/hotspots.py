"""`wijkregie hotspots --in cells.csv --out result.csv`: Getis-Ord Gi* on any grid.

Input: a CSV with the columns x, y, count (more columns are kept); x and y are the RD New
metres of each cell's lower-left corner (`--cell-size 1` for plain cell indices). Every cell of
the study area is listed, zero counts included; cells absent from the file are outside the
study area and are no neighbours. Output: the input columns plus gi_z, p_value,
significant_fdr and class (hot/cold/none).
"""

from __future__ import annotations

import csv
import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
from django.core.management.base import BaseCommand, CommandError, CommandParser

from wijkregie.analysis.gistar import PermutationFloorWarning, gi_star_grid

REQUIRED = ("x", "y", "count")
OUTPUT = ("gi_z", "p_value", "significant_fdr", "class")


class Command(BaseCommand):
    help = (
        "Bereken Getis-Ord Gi* op een raster: invoer CSV met x, y (linkeronderhoek van de cel "
        "in RD-meters) en count; uitvoer met gi_z, p_value, significant_fdr en class."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--in", dest="input", type=Path, required=True, help="invoer-CSV")
        parser.add_argument("--out", dest="output", type=Path, required=True, help="uitvoer-CSV")
        parser.add_argument(
            "--permutations",
            type=int,
            default=0,
            help="aantal permutaties (0: analytische p-waarden, standaard)",
        )
        parser.add_argument("--seed", type=int, default=None, help="startwaarde toeval")
        parser.add_argument(
            "--cell-size",
            type=float,
            default=100.0,
            help="celgrootte in meters (standaard 100; 1 voor celnummers)",
        )
        parser.add_argument("--alpha", type=float, default=0.05, help="FDR-niveau (standaard 0,05)")

    def handle(self, *args: Any, **options: Any) -> None:
        source: Path = options["input"]
        target: Path = options["output"]
        cell_size: float = options["cell_size"]
        permutations: int = options["permutations"]
        alpha: float = options["alpha"]
        if not source.is_file():
            raise CommandError(f"Bestand niet gevonden: {source}")
        if not (cell_size > 0 and math.isfinite(cell_size)):
            raise CommandError("--cell-size moet een positief getal zijn.")
        if permutations < 0:
            raise CommandError("--permutations mag niet negatief zijn.")
        if not 0 < alpha < 1:
            raise CommandError("--alpha moet tussen 0 en 1 liggen.")
        header, rows, ix, iy, counts = read_cells(source, cell_size)
        if np.all(counts == counts[0]):
            raise CommandError(
                "Alle aantallen zijn gelijk: dan is Gi* niet gedefinieerd (geen spreiding)."
            )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PermutationFloorWarning)
            result = gi_star_grid(
                ix, iy, counts, alpha=alpha, permutations=permutations, seed=options["seed"]
            )
        if result.warnings:
            m = int(np.count_nonzero(~np.isnan(result.z)))
            floor = 1.0 / (permutations + 1)
            needed = math.ceil(m / alpha) - 1
            self.stderr.write(
                f"Waarschuwing: met {permutations} permutaties is de kleinste p-waarde "
                f"{floor:.4g}; voor FDR op {m} cellen bij alpha {alpha:g} is dat te grof "
                f"(nodig: ten minste {needed} permutaties, of gebruik de analytische "
                "p-waarden zonder --permutations)."
            )
        write_result(
            target, header, rows, result.z, result.p_value, result.significant, result.classes
        )
        hot = int(np.count_nonzero(result.classes == "hot"))
        cold = int(np.count_nonzero(result.classes == "cold"))
        self.stdout.write(
            f"{len(rows)} cellen: {hot} hot, {cold} cold (FDR {alpha:g}); geschreven naar {target}"
        )


def read_cells(
    path: Path, cell_size: float
) -> tuple[list[str], list[list[str]], np.ndarray, np.ndarray, np.ndarray]:
    """Read and validate the cells; raise CommandError with a Dutch message and line number."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise CommandError(f"{path} is geen UTF-8-tekstbestand.") from None
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise CommandError(f"{path} is leeg: een kopregel met x, y, count ontbreekt.")
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.reader(lines, delimiter=delimiter)
    header = next(reader)
    names = [name.strip().lower() for name in header]
    missing = [column for column in REQUIRED if column not in names]
    if missing:
        raise CommandError(
            f"Kolom ontbreekt: {', '.join(missing)} (verwacht: x, y, count; gevonden: "
            f"{', '.join(header)})."
        )
    clash = [column for column in OUTPUT if column in names]
    if clash:
        raise CommandError(f"De invoer heeft al een kolom {', '.join(clash)}.")
    positions = {column: names.index(column) for column in REQUIRED}
    rows: list[list[str]] = []
    values: dict[str, list[float]] = {column: [] for column in REQUIRED}
    line_numbers: list[int] = []
    for row in reader:
        line = reader.line_num
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise CommandError(
                f"Regel {line}: {len(row)} velden, de kopregel heeft er {len(header)}."
            )
        for column, position in positions.items():
            raw = row[position].strip()
            try:
                number = float(raw)
            except ValueError:
                number = math.nan
            if not math.isfinite(number):
                raise CommandError(f"Regel {line}: '{raw}' in kolom {column} is geen getal.")
            values[column].append(number)
        if values["count"][-1] < 0:
            raise CommandError(f"Regel {line}: count mag niet negatief zijn.")
        rows.append(row)
        line_numbers.append(line)
    if not rows:
        raise CommandError(f"{path} bevat geen cellen.")
    x = np.asarray(values["x"])
    y = np.asarray(values["y"])
    ix = np.round(x / cell_size)
    iy = np.round(y / cell_size)
    tolerance = 1e-6 * max(1.0, cell_size)
    off = np.flatnonzero(
        (np.abs(ix * cell_size - x) > tolerance) | (np.abs(iy * cell_size - y) > tolerance)
    )
    if off.size:
        i = int(off[0])
        raise CommandError(
            f"Regel {line_numbers[i]}: ({rows[i][positions['x']].strip()}, "
            f"{rows[i][positions['y']].strip()}) is geen linkeronderhoek van een cel van "
            f"{cell_size:g} m (x en y moeten veelvouden van {cell_size:g} zijn)."
        )
    ix_int = ix.astype(np.int64)
    iy_int = iy.astype(np.int64)
    keys = np.stack([ix_int, iy_int], axis=1)
    _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    repeated = np.flatnonzero(first[inverse.ravel()] != np.arange(len(rows)))
    if repeated.size:
        i = int(repeated[0])
        earlier = int(first[inverse.ravel()[i]])
        raise CommandError(
            f"Regel {line_numbers[i]}: de cel ({rows[i][positions['x']].strip()}, "
            f"{rows[i][positions['y']].strip()}) staat al op regel {line_numbers[earlier]}."
        )
    return header, rows, ix_int, iy_int, np.asarray(values["count"])


def write_result(
    path: Path,
    header: list[str],
    rows: list[list[str]],
    z: np.ndarray,
    p: np.ndarray,
    significant: np.ndarray,
    classes: np.ndarray,
) -> None:
    """Write the input columns as read, plus z (10 decimals), p, the FDR decision, the class."""
    try:
        handle = path.open("w", newline="", encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"Kan {path} niet schrijven: {exc.strerror}") from None
    with handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([*header, *OUTPUT])
        for row, zi, pi, si, ci in zip(
            rows, z.tolist(), p.tolist(), significant.tolist(), classes.tolist(), strict=True
        ):
            writer.writerow(
                [
                    *row,
                    "" if math.isnan(zi) else f"{zi:.10f}",
                    "" if math.isnan(pi) else f"{pi:.10g}",
                    "true" if si else "false",
                    ci,
                ]
            )

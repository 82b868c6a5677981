"""`wijkregie hotspots`: real files in, real files out, checked against esda."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import esda
import numpy as np
import pytest
from django.core.management import CommandError, call_command

from wijkregie.analysis.tests.references import irregular_grid, libpysal_queen


def write_cells(path: Path, ix, iy, counts, *, cell_size=100, extra=False):
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["x", "y", "count", *(["label"] if extra else [])])
        for a, b, c in zip(ix, iy, counts, strict=True):
            writer.writerow(
                [int(a * cell_size), int(b * cell_size), int(c), *(["cel"] if extra else [])]
            )


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_output_columns_and_z_equal_esda(tmp_path):
    ix, iy, counts = irregular_grid(2)
    ix = ix + 1550  # RD metres around Amersfoort
    iy = iy + 4630
    source, target = tmp_path / "cells.csv", tmp_path / "result.csv"
    write_cells(source, ix, iy, counts, extra=True)
    call_command("hotspots", "--in", str(source), "--out", str(target))
    rows = read_rows(target)
    assert list(rows[0]) == [
        "x",
        "y",
        "count",
        "label",
        "gi_z",
        "p_value",
        "significant_fdr",
        "class",
    ]
    assert len(rows) == ix.size
    assert rows[0]["x"] == str(ix[0] * 100) and rows[0]["label"] == "cel"
    z = np.array([float(r["gi_z"]) for r in rows])
    assert all(len(r["gi_z"].split(".")[1]) == 10 for r in rows)
    reference = esda.G_Local(
        counts, libpysal_queen(ix, iy), transform="B", star=True, permutations=0
    )
    assert np.max(np.abs(z - reference.Zs)) < 1e-9  # 10 decimals written
    classes = {r["class"] for r in rows}
    assert classes <= {"hot", "cold", "none"} and "hot" in classes
    for r in rows:
        assert r["significant_fdr"] in {"true", "false"}
        assert (r["class"] != "none") == (r["significant_fdr"] == "true")


def test_cell_size_one_for_plain_indices_and_permutations(tmp_path):
    ix, iy, counts = irregular_grid(3)
    source, target = tmp_path / "cells.csv", tmp_path / "result.csv"
    write_cells(source, ix, iy, counts, cell_size=1)
    call_command(
        "hotspots",
        "--in",
        str(source),
        "--out",
        str(target),
        "--cell-size",
        "1",
        "--permutations",
        "99",
        "--seed",
        "5",
    )
    first = read_rows(target)
    call_command(
        "hotspots",
        "--in",
        str(source),
        "--out",
        str(target),
        "--cell-size",
        "1",
        "--permutations",
        "99",
        "--seed",
        "5",
    )
    assert read_rows(target) == first  # seeded
    p = np.array([float(r["p_value"]) for r in first])
    assert p.min() >= 0.01 and np.all(np.isclose(p * 100, np.round(p * 100)))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("x,y,aantal\n0,0,1\n", "Kolom ontbreekt: count"),
        ("x,y,count\n0,0,1\n100,0,twee\n", "Regel 3: 'twee' in kolom count is geen getal"),
        ("x,y,count\n0,0,1\n150,0,2\n", "Regel 3: (150, 0) is geen linkeronderhoek"),
        ("x,y,count\n0,0,1\n100,0,2\n0,0,3\n", "Regel 4: de cel (0, 0) staat al op regel 2"),
        ("x,y,count\n0,0,1\n100,0,-2\n", "Regel 3: count mag niet negatief zijn"),
        ("x,y,count\n", "bevat geen cellen"),
        ("x,y,count\n0,0,2\n100,0,2\n", "Alle aantallen zijn gelijk"),
    ],
)
def test_bad_input_gives_a_dutch_error(tmp_path, content, message):
    source = tmp_path / "cells.csv"
    source.write_text(content)
    target = tmp_path / "out.csv"
    with pytest.raises(CommandError) as caught:
        call_command("hotspots", "--in", str(source), "--out", str(target))
    assert message in str(caught.value)
    assert not target.exists()  # nothing half-written


def test_console_script_exits_non_zero_with_the_message(tmp_path):
    source = tmp_path / "cells.csv"
    source.write_text("x;y;count\n0;0;1\n0;100;x\n")
    wijkregie = Path(sys.executable).with_name("wijkregie")
    done = subprocess.run(  # noqa: S603
        [str(wijkregie), "hotspots", "--in", str(source), "--out", str(tmp_path / "o.csv")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert "Regel 3: 'x' in kolom count is geen getal" in done.stderr


def test_permutation_floor_warning_in_dutch(tmp_path, capsys):
    ix, iy, counts = irregular_grid(1)
    source = tmp_path / "cells.csv"
    write_cells(source, ix, iy, counts)
    call_command(
        "hotspots", "--in", str(source), "--out", str(tmp_path / "o.csv"), "--permutations", "19"
    )
    err = capsys.readouterr().err
    assert "Waarschuwing: met 19 permutaties is de kleinste p-waarde 0.05" in err

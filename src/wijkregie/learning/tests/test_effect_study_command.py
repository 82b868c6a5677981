"""`wijkregie effect-study` on standalone panels."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def write_panel(path: Path, effect: float, *, weeks: bool = False, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    lines = ["area;period;count;population;treated"]
    for a in range(30):
        population = int(rng.uniform(2_000, 5_000))
        level = float(np.exp(rng.normal(np.log(10), 0.3)))
        treated = a < 3
        for t in range(24):
            period = f"2024-W{t + 1:02d}" if weeks else f"{2023 + t // 12}-{t % 12 + 1:02d}"
            factor = 1 + effect if treated and t >= 12 else 1.0
            count = rng.poisson(population / 1000 * level * factor)
            lines.append(f"BU{a:08d};{period};{count};{population};{int(treated)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_command_finds_an_injected_effect(tmp_path: Path) -> None:
    panel, out = tmp_path / "panel.csv", tmp_path / "result.json"
    write_panel(panel, -0.2)
    call_command("effect-study", "--in", str(panel), "--start", "2024-01", "--out", str(out))
    result = json.loads(out.read_text())
    for key in ("effect", "ci_low", "ci_high", "p_value", "n_treated", "n_control", "method"):
        assert key in result
    assert result["ci_low"] <= -0.2 <= result["ci_high"] < 0
    assert result["n_treated"] == 3 and result["n_control"] == 20
    assert result["conclusion"] == "decrease"


def test_command_with_iso_weeks_and_no_effect(tmp_path: Path) -> None:
    panel, out = tmp_path / "panel.csv", tmp_path / "result.json"
    write_panel(panel, 0.0, weeks=True, seed=2)
    call_command("effect-study", "--in", str(panel), "--start", "2024-W13", "--out", str(out))
    result = json.loads(out.read_text())
    assert result["ci_low"] <= 0 <= result["ci_high"]
    assert result["start"] == "2024-W13"


def test_command_says_when_the_data_cannot_tell(tmp_path: Path) -> None:
    panel, out = tmp_path / "panel.csv", tmp_path / "result.json"
    panel.write_text(
        "area,period,count,population,treated\n"
        + "".join(
            f"A{a},2024-{m:02d},{3 + a},1000,{int(a == 0)}\n" for a in range(5) for m in range(1, 9)
        ),
        encoding="utf-8",
    )
    call_command("effect-study", "--in", str(panel), "--start", "2024-05", "--out", str(out))
    result = json.loads(out.read_text())
    assert result["conclusion"] == "cannot_tell"
    assert result["effect"] is None
    assert "too_few_controls" in result["reasons"]


def test_bad_rows_are_reported_in_dutch_with_line_numbers(tmp_path: Path) -> None:
    panel, out = tmp_path / "panel.csv", tmp_path / "result.json"
    panel.write_text(
        "area;period;count;population;treated\n"
        "A;2024-01;3;1000;1\n"
        "A;2024-13;3;1000;1\n"
        "B;2024-01;-2;1000;0\n"
        "C;2024-01;4;0;0\n"
        "D;2024-01;4;1000;ja\n"
        "A;2024-01;3;1000;1\n"
        "E;2024-W01;3;1000;0\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as info:
        call_command("effect-study", "--in", str(panel), "--start", "2024-05", "--out", str(out))
    message = str(info.value)
    assert "regel 3: periode '2024-13' is geen JJJJ-MM" in message
    assert "regel 4: count '-2' is geen heel getal" in message
    assert "regel 5: population moet groter dan 0 zijn" in message
    assert "regel 6: treated 'ja' moet 0 of 1 zijn" in message
    assert "regel 7: A 2024-01 staat al op regel 2" in message
    assert "regel 8: weken en maanden door elkaar" in message
    assert not out.exists()


def test_missing_columns_and_bad_start(tmp_path: Path) -> None:
    panel, out = tmp_path / "panel.csv", tmp_path / "result.json"
    panel.write_text("area;period;count\nA;2024-01;3\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Kolom ontbreekt: population, treated"):
        call_command("effect-study", "--in", str(panel), "--start", "2024-05", "--out", str(out))
    write_panel(panel, 0.0)
    with pytest.raises(CommandError, match="geen JJJJ-MM"):
        call_command("effect-study", "--in", str(panel), "--start", "mei", "--out", str(out))
    with pytest.raises(CommandError, match="de perioden in het bestand zijn maanden"):
        call_command("effect-study", "--in", str(panel), "--start", "2024-W05", "--out", str(out))

"""`wijkregie effect-study --in panel.csv --start PERIOD --out result.json`.

Runs the effect measurement of `analysis/effect.py` on a standalone panel: CSV (or XLSX) with
the columns area, period, count, population, treated (0/1, the same for every row of an area);
periods as YYYY-MM or ISO weeks (YYYY-Www), all of one kind. Output: a JSON object with effect,
ci_low, ci_high, p_value, n_treated, n_control, method (plus conclusion, reasons and the
test's details). Bad rows are reported in Dutch with their line numbers; nothing is written
then.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wijkregie.analysis import effect
from wijkregie.intake import reading

REQUIRED = ("area", "period", "count", "population", "treated")
MAX_ERRORS = 20
REASONS_NL = {
    effect.TOO_FEW_PRE: "te weinig perioden voor de start",
    effect.TOO_FEW_POST: "te weinig perioden vanaf de start",
    effect.NO_TREATED: "geen gebied met de interventie (treated = 1)",
    effect.TOO_FEW_CONTROLS: "te weinig vergelijkbare gebieden zonder interventie",
    effect.TOO_FEW_SIGNALS: "te weinig signalen in de gebieden met de interventie",
    effect.TOO_WIDE: "het onzekerheidsinterval is te breed",
    effect.PRE_TRENDS_DIFFER: "de trends voor de start lopen niet gelijk op",
}


def _period_text(value: reading.Cell) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return f"{value.year:04d}-{value.month:02d}"  # Excel turned 2024-03 into a date
    return reading.text_of(value)


def read_panel(path: Path) -> tuple[effect.Panel, str]:
    """Read and validate the panel; CommandError with every bad row (up to MAX_ERRORS)."""
    try:
        detected = reading.detect(path)
    except reading.ReadError as exc:
        raise CommandError(str(exc)) from None
    missing = [c for c in REQUIRED if c not in detected.columns]
    if missing:
        raise CommandError(
            f"Kolom ontbreekt: {', '.join(missing)} (verwacht: {', '.join(REQUIRED)}; "
            f"gevonden: {', '.join(detected.headers)})."
        )
    errors: list[str] = []
    rows: list[tuple[str, int, float, float, bool]] = []
    kinds: dict[str, int] = {}
    seen: dict[tuple[str, int], int] = {}
    treated_of: dict[str, tuple[bool, int]] = {}
    try:
        for row in reading.iter_rows(path, detected):
            problems: list[str] = []
            area = reading.text_of(row.values.get("area"))
            if not area:
                problems.append("area is leeg")
            raw_period = _period_text(row.values.get("period"))
            period = 0
            try:
                kind, period = effect.parse_period(raw_period)
                kinds.setdefault(kind, row.line)
            except effect.PeriodError:
                problems.append(f"periode '{raw_period}' is geen JJJJ-MM of ISO-week (JJJJ-Www)")
            count = population = 0.0
            try:
                parsed = reading.parse_integer(row.values.get("count"))
                if parsed is None or parsed < 0:
                    problems.append("count moet een heel getal van 0 of meer zijn")
                else:
                    count = float(parsed)
            except reading.ValueProblem:
                problems.append(
                    f"count '{reading.text_of(row.values.get('count'))}' is geen heel getal"
                )
            try:
                number = reading.parse_decimal(row.values.get("population"))
                if number is None or number <= 0:
                    problems.append("population moet groter dan 0 zijn")
                else:
                    population = number
            except reading.ValueProblem:
                problems.append(
                    f"population '{reading.text_of(row.values.get('population'))}' is geen getal"
                )
            flag = reading.text_of(row.values.get("treated")).lower()
            if flag not in {"0", "1"}:
                problems.append(f"treated '{flag}' moet 0 of 1 zijn")
            treated = flag == "1"
            if area and not problems:
                key = (area, period)
                if key in seen:
                    problems.append(f"{area} {raw_period} staat al op regel {seen[key]}")
                seen.setdefault(key, row.line)
                earlier = treated_of.setdefault(area, (treated, row.line))
                if earlier[0] != treated:
                    problems.append(
                        f"treated van {area} verschilt van regel {earlier[1]} "
                        "(één waarde per gebied)"
                    )
            if problems:
                errors.append(f"regel {row.line}: {'; '.join(problems)}")
                if len(errors) >= MAX_ERRORS:
                    break
                continue
            rows.append((area, period, count, population, treated))
    except reading.ReadError as exc:
        raise CommandError(str(exc)) from None
    if len(kinds) > 1:
        errors.append(
            f"regel {kinds['week']}: weken en maanden door elkaar (maanden vanaf regel "
            f"{kinds['month']}); gebruik één soort periode"
        )
    if errors:
        more = " (en mogelijk meer)" if len(errors) >= MAX_ERRORS else ""
        raise CommandError(f"{len(errors)} fout(en) in {path}{more}:\n" + "\n".join(errors))
    if not rows:
        raise CommandError(f"{path} bevat geen gegevensregels.")
    return effect.panel_from_rows(rows), next(iter(kinds))


class Command(BaseCommand):
    help = (
        "Meet het effect van een interventie op signaalcijfers (verschil-in-verschillen met een "
        "placebotoets): invoer CSV met area, period, count, population, treated; uitvoer JSON."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--in", dest="input", type=Path, required=True, help="invoer-CSV")
        parser.add_argument(
            "--start", required=True, help="eerste periode met de interventie (JJJJ-MM of JJJJ-Www)"
        )
        parser.add_argument("--out", dest="output", type=Path, required=True, help="uitvoer-JSON")
        parser.add_argument("--alpha", type=float, default=0.05, help="niveau (standaard 0,05)")
        parser.add_argument(
            "--placebos",
            type=int,
            default=effect.DEFAULT_PLACEBOS,
            help="hoogstens zoveel placebotoewijzingen (standaard 999)",
        )
        parser.add_argument("--seed", type=int, default=0, help="startwaarde toeval")

    def handle(self, *args: Any, **options: Any) -> None:
        source: Path = options["input"]
        target: Path = options["output"]
        alpha: float = options["alpha"]
        if not source.is_file():
            raise CommandError(f"Bestand niet gevonden: {source}")
        if not 0 < alpha < 1:
            raise CommandError("--alpha moet tussen 0 en 1 liggen.")
        if options["placebos"] < effect.min_placebos(alpha):
            raise CommandError(
                f"--placebos moet ten minste {effect.min_placebos(alpha)} zijn bij deze alpha."
            )
        try:
            start_kind, start = effect.parse_period(options["start"])
        except effect.PeriodError:
            raise CommandError(
                f"--start '{options['start']}' is geen JJJJ-MM of ISO-week (JJJJ-Www)."
            ) from None
        panel, kind = read_panel(source)
        if start_kind != kind:
            raise CommandError(
                f"--start is een {'week' if start_kind == 'week' else 'maand'}, de perioden in "
                f"het bestand zijn {'weken' if kind == 'week' else 'maanden'}."
            )
        result = effect.effect_study(
            panel, start, alpha=alpha, placebos=options["placebos"], seed=options["seed"]
        )
        payload = result.as_dict()
        payload["start"] = effect.period_label(kind, start)
        write_json(target, payload)
        if result.conclusion == "cannot_tell":
            why = "; ".join(REASONS_NL.get(r, r) for r in result.reasons)
            self.stdout.write(
                f"De gegevens kunnen het niet zeggen: {why}. Geschreven naar {target}"
            )
        else:
            assert result.effect is not None and result.ci_low is not None
            assert result.ci_high is not None and result.p_value is not None
            self.stdout.write(
                f"Effect {result.effect:+.1%} (interval {result.ci_low:+.1%} tot "
                f"{result.ci_high:+.1%}, p = {result.p_value:.3g}; {result.n_treated} gebieden "
                f"met en {result.n_control} zonder interventie). Geschreven naar {target}"
            )
        for warning in result.warnings:
            self.stderr.write(f"Waarschuwing: {REASONS_NL.get(warning, warning)}.")


def write_json(path: Path, payload: dict[str, Any]) -> None:
    """Write atomically (a temporary file in the same folder, then rename)."""
    folder = path.resolve().parent
    try:
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".part")
    except OSError as exc:
        raise CommandError(f"Kan {path} niet schrijven: {exc.strerror}") from None
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(payload, handle, ensure_ascii=False, indent=2)
        handle.write("\n")
    os.replace(temporary, path)

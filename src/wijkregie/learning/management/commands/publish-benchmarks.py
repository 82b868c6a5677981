"""`wijkregie publish-benchmarks --municipality GM0307 --period 2026` (or `2026-Q3`).

Computes the municipality's benchmark figures per focus area over the period (all signals of
the municipality, small numbers suppressed) and publishes them into the learning circle,
replacing an earlier snapshot of the same period. Same service as the page (ADR 0016).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from wijkregie.learning.benchmark_definitions import parse_period
from wijkregie.learning.benchmark_services import publish_benchmark
from wijkregie.tenants.models import Municipality


class Command(BaseCommand):
    help = "Publiceer de benchmarkcijfers van een gemeente over een jaar of kwartaal."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--municipality", required=True, help="CBS-code, bijv. GM0307")
        parser.add_argument("--period", required=True, help="2026 of 2026-Q3")

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = Municipality.objects.filter(
            cbs_code=str(options["municipality"]).upper()
        ).first()
        if municipality is None:
            raise CommandError(f"Onbekende gemeente: {options['municipality']}")
        period = parse_period(options["period"])
        if period is None:
            raise CommandError("Periode moet een jaar (2026) of kwartaal (2026-Q3) zijn.")
        try:
            snapshot = publish_benchmark(municipality=municipality, period=period)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        rows = snapshot.rows.count()
        hidden = snapshot.rows.filter(suppressed=True).count()
        self.stdout.write(
            f"Gepubliceerd: {municipality.name} {snapshot.period}: {rows} cijfers, "
            f"{hidden} afgeschermd."
        )

"""`wijkregie check-tallies [--repair]`: compare the monthly tallies with the signals."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wijkregie.signals.tally import rebuild_tallies, tally_drift


class Command(BaseCommand):
    help = "Vergelijk de maandtellingen van signalen met de signalen zelf (en herstel ze)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--repair", action="store_true", help="Bouw de tellingen opnieuw op bij verschil."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        drift = tally_drift()
        if not drift:
            self.stdout.write("tellingen kloppen")
            return
        for key, (stored, expected) in sorted(drift.items(), key=str)[:20]:
            self.stdout.write(f"verschil {key}: opgeslagen {stored}, verwacht {expected}")
        if options["repair"]:
            rows = rebuild_tallies()
            self.stdout.write(f"opnieuw opgebouwd: {rows} rijen")
            return
        raise CommandError(f"{len(drift)} tellingen wijken af; gebruik --repair")

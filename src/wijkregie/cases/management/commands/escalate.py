"""`wijkregie escalate [--now 2026-12-01T07:00] [--municipality GMxxxx]` (ADR 0019).

Sends reminders for overdue actions and escalates them along the configured ladder; every
step is recorded once, so running it twice (or from two machines) changes nothing the second
time. Run it daily from cron or a systemd timer (docs/architecture.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from wijkregie.cases.escalation import run_escalation
from wijkregie.tenants.models import Municipality


class Command(BaseCommand):
    help = (
        "Stuur herinneringen voor acties over de streefdatum en escaleer ze langs de ladder "
        "(casusregisseur, projectleider, bestuurlijk niveau). Elke stap wordt één keer "
        "vastgelegd; nogmaals draaien verandert niets."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", default=None, help="Peilmoment (ISO 8601), standaard nu.")
        parser.add_argument("--municipality", default=None, help="CBS-code (GMxxxx).")

    def handle(self, *args: Any, **options: Any) -> None:
        municipality_id = None
        if options["municipality"]:
            code = str(options["municipality"]).strip().upper()
            municipality = Municipality.objects.filter(cbs_code=code).first()
            if municipality is None:
                raise CommandError(f"Onbekende gemeente: {code}")
            municipality_id = municipality.pk
        now = timezone.now()
        if options["now"]:
            try:
                now = dt.datetime.fromisoformat(options["now"])
            except ValueError as exc:
                raise CommandError(f"Ongeldig peilmoment: {options['now']}") from exc
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        run = run_escalation(now=now, municipality_id=municipality_id)
        self.stdout.write(run.summary())

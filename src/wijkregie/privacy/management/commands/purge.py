"""`wijkregie purge [--dry-run] [--municipality GMxxxx] [--now 2031-01-01T00:00]`: retention.

Destroys the signals, cases and subjects past their retention term (with their derived rows
and files), leaves a tombstone for each on the destruction list, and trims the access and
audit logs to their own term (default five years). `--dry-run` lists what would go and changes
nothing. Run it daily (e.g. from cron or a systemd timer). ADR 0017.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from wijkregie.privacy.retention import purge
from wijkregie.tenants.models import Municipality


class Command(BaseCommand):
    help = (
        "Vernietig signalen, casussen en betrokkenen waarvan de bewaartermijn is verstreken "
        "(met een vernietigingsrecord per object) en kort de logboeken in tot hun eigen "
        "termijn. Met --dry-run wordt alleen getoond wat zou verdwijnen."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--municipality", default=None, help="CBS-code (GMxxxx).")
        parser.add_argument(
            "--now", default=None, help="Peildatum (ISO 8601), standaard nu; voor controles."
        )

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
                raise CommandError(f"Ongeldige peildatum: {options['now']}") from exc
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        result = purge(now=now, dry_run=options["dry_run"], municipality_id=municipality_id)
        plan = result.plan
        prefix = "zou vernietigen: " if result.dry_run else "vernietigd: "
        for line in plan.lines():
            self.stdout.write(prefix + line)
        log_rows = sum(t.rows for t in plan.logs)
        self.stdout.write(
            f"{'dry-run ' if result.dry_run else ''}cases={len(plan.cases)} "
            f"signals={len(plan.signals)} subjects={len(plan.subjects)} "
            f"log_rows={log_rows if result.dry_run else result.log_rows} "
            f"kept_in_case={plan.kept_in_case}"
        )

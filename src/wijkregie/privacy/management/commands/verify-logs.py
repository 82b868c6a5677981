"""`wijkregie verify-logs [--table access|audit] [--municipality GMxxxx]`: check the hash chains.

Exit status 0 when every chain is intact, 1 when one is broken; each broken chain names its
first broken row as `<table> id=<id>`. The last line per chain gives its head hash: keep those
outside the database (e.g. in the privacy officer's records) to detect a rewritten chain.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wijkregie.privacy.integrity import verify_logs
from wijkregie.tenants.models import Municipality


class Command(BaseCommand):
    help = (
        "Controleer de hashketens van het inzagelog en het auditlog. Eindigt met status 1 en "
        "noemt de eerste kapotte rij (tabel en id) als een rij is gewijzigd, verwijderd of "
        "buiten de keten is ingevoegd."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--table", choices=["access", "audit"], default=None)
        parser.add_argument("--municipality", default=None, help="CBS-code (GMxxxx).")

    def handle(self, *args: Any, **options: Any) -> None:
        municipality_id = None
        if options["municipality"]:
            code = str(options["municipality"]).strip().upper()
            municipality = Municipality.objects.filter(cbs_code=code).first()
            if municipality is None:
                raise CommandError(f"Onbekende gemeente: {code}")
            municipality_id = municipality.pk
        tables = (options["table"],) if options["table"] else ("access", "audit")
        reports = verify_logs(tables=tables, municipality_id=municipality_id)
        broken = 0
        for report in reports:
            if report.problem is not None:
                broken += 1
                self.stderr.write(f"KAPOT {report.problem}")
            else:
                self.stdout.write(
                    f"ok {report.table} gemeente-id {report.municipality_id}: "
                    f"{report.rows} rijen, kop {report.head_hash}"
                )
        self.stdout.write(f"chains={len(reports)} broken={broken}")
        if broken:
            sys.exit(1)

"""`wijkregie relink-persons --municipality GMxxxx [--background]`: a full relink.

Estimates the link model from all person records of the municipality (stored for incremental
linking) and stores what the linker would join or split, for staff to review. Runs here, or
with --background as a django-tasks task for `wijkregie db_worker`.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wijkregie.subjects.models import LinkRun
from wijkregie.subjects.tasks import relink_persons, relink_run
from wijkregie.tenants.models import Municipality


class Command(BaseCommand):
    help = "Full relink of a municipality's person records (estimates the link model)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--municipality", required=True, help="CBS code, e.g. GM9999")
        parser.add_argument(
            "--background", action="store_true", help="Enqueue as a background task"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = Municipality.objects.filter(cbs_code=options["municipality"].upper()).first()
        if municipality is None:
            raise CommandError("Onbekende gemeente.")
        run = LinkRun.objects.create(municipality=municipality)
        if options["background"]:
            relink_persons.enqueue(run.pk)
            self.stdout.write(f"Herkoppeling {run.pk} staat in de wachtrij.")
            return
        relink_run(run)
        stats = {k: v for k, v in run.stats.items() if k not in ("join", "split")}
        stats["join"] = len(run.stats["join"])
        stats["split"] = len(run.stats["split"])
        self.stdout.write(json.dumps(stats, sort_keys=True))

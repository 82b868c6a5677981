"""`wijkregie link-persons --in FILE.csv --out FILE.csv [--explain LINKS.csv]`.

Links the person records of one standalone CSV file and writes ``record_id,person_id`` for
every valid input record exactly once, in input order; see wijkregie.subjects.linker.csvfile
for the format, the BSN handling and the bad-row reports. The person id derives from the
smallest record id of the person's cluster, so the same records give the same ids whatever
their order. With bad rows the output for the valid rows is written and the command ends with
exit status 1.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wijkregie.subjects.linker.csvfile import HELP, InputError, add_arguments, link_file, report


class Command(BaseCommand):
    # Pure file-to-file work: no database, no URLs. Skipping the system checks spares loading
    # every URLconf and API module (about a second of start-up).
    requires_system_checks: list[str] = []
    help = HELP

    def add_arguments(self, parser: CommandParser) -> None:
        add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = link_file(options["input"], options["output"], options["explain"])
        except InputError as exc:
            raise CommandError(str(exc)) from None
        closing = report(result, options["output"], self.stderr.write)
        self.stdout.write(result.summary)
        if closing:
            raise CommandError(closing)

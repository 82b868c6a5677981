"""`wijkregie import-addresses FILE`: load a BAG-style extract into the address register."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wijkregie.addresses.services import import_addresses
from wijkregie.intake.reading import ReadError


class Command(BaseCommand):
    help = (
        "Importeer een adresbestand (CSV of XLSX met postcode, huisnummer, huisletter, "
        "toevoeging, x, y, verblijfsobject_id, nummeraanduiding_id)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--batch-size", type=int, default=5000)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"Bestand niet gevonden: {path}")
        try:
            result = import_addresses(path=path, batch_size=options["batch_size"])
        except ReadError as exc:
            raise CommandError(str(exc)) from None
        if result.rejects_path:
            self.stderr.write(f"Geweigerde regels staan in {result.rejects_path}")
        self.stdout.write(result.summary())

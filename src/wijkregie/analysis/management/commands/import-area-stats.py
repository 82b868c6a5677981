"""`wijkregie import-area-stats FILE [--year YYYY]`: load CBS Kerncijfers wijken en buurten."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wijkregie.analysis.services import import_area_statistics
from wijkregie.intake.reading import ReadError


class Command(BaseCommand):
    help = (
        "Importeer CBS Kerncijfers wijken en buurten (StatLine-CSV); kolommen worden op hun "
        "naam zonder nummer herkend. Het jaar komt uit --year of uit de kolom Perioden."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--year", type=int, default=None, help="Jaar van de cijfers (JJJJ).")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"Bestand niet gevonden: {path}")
        try:
            result = import_area_statistics(path=path, year=options["year"])
        except ReadError as exc:
            raise CommandError(str(exc)) from None
        if result.rejects_path:
            self.stderr.write(f"Geweigerde regels staan in {result.rejects_path}")
        self.stdout.write(result.summary())

"""`wijkregie import-signals FILE --organisation SLUG [--mapping NAME] [--municipality GMxxxx]`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wijkregie.intake.models import MappingProfile
from wijkregie.intake.reading import ReadError
from wijkregie.intake.services import import_signals
from wijkregie.tenants.models import Organisation


class Command(BaseCommand):
    help = (
        "Importeer een export van een partnersysteem (CSV of XLSX) als signalen van een "
        "organisatie. Geweigerde regels komen in BESTAND.rejects.csv."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--organisation", required=True, help="korte naam (slug)")
        parser.add_argument("--mapping", default="", help="naam van een importprofiel")
        parser.add_argument(
            "--municipality", default="", help="CBS-code (GMxxxx) als de korte naam niet uniek is"
        )
        parser.add_argument("--rejects", type=Path, default=None)
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument(
            "--progress", action="store_true", help="meld na elke batch het aantal verwerkte rijen"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"Bestand niet gevonden: {path}")
        organisation = self._organisation(options["organisation"], options["municipality"])
        mapping = None
        if options["mapping"]:
            mapping = MappingProfile.objects.filter(
                organisation=organisation, name=options["mapping"]
            ).first()
            if mapping is None:
                raise CommandError(
                    f"Importprofiel '{options['mapping']}' bestaat niet voor {organisation.slug}."
                )

        def progress(rows: int) -> None:
            self.stderr.write(f"verwerkt={rows}")
            self.stderr.flush()

        try:
            result = import_signals(
                path=path,
                organisation=organisation,
                mapping=mapping,
                rejects_path=options["rejects"],
                batch_size=options["batch_size"],
                progress=progress if options["progress"] else None,
            )
        except ReadError as exc:
            raise CommandError(str(exc)) from None
        if result.rejects_path:
            self.stderr.write(f"Geweigerde regels staan in {result.rejects_path}")
        self.stdout.write(result.summary())

    def _organisation(self, slug: str, municipality: str) -> Organisation:
        candidates = Organisation.objects.filter(slug=slug).select_related("municipality")
        if municipality:
            candidates = candidates.filter(municipality__cbs_code=municipality.upper())
        found = list(candidates[:2])
        if not found:
            where = f" in gemeente {municipality.upper()}" if municipality else ""
            raise CommandError(f"Onbekende organisatie '{slug}'{where}.")
        if len(found) > 1:
            raise CommandError(
                f"De korte naam '{slug}' komt in meer gemeenten voor: geef --municipality GMxxxx."
            )
        return found[0]

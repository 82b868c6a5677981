"""`wijkregie import-survey FILE --municipality GMxxxx [--year YYYY]`: resident-survey scores."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wijkregie.analysis.survey_services import survey_import
from wijkregie.intake.reading import ReadError
from wijkregie.tenants.models import Municipality


class Command(BaseCommand):
    help = (
        "Importeer enquêtescores voor de wijkindex uit CSV of XLSX met de kolommen "
        "gebiedscode;jaar;vraag;score;respondenten. Geweigerde regels worden met regelnummer "
        "en reden gemeld; de laatste regel is imported=N updated=M rejected=K."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--municipality", required=True, help="CBS-code van de gemeente (GMxxxx)."
        )
        parser.add_argument(
            "--year", type=int, default=None, help="Enquêtejaar (JJJJ) voor regels zonder jaar."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"Bestand niet gevonden: {path}")
        code = str(options["municipality"]).strip().upper()
        municipality = Municipality.objects.filter(cbs_code=code).first()
        if municipality is None:
            raise CommandError(f"Onbekende gemeente: {code}")
        try:
            result = survey_import(municipality=municipality, path=path, year=options["year"])
        except ReadError as exc:
            raise CommandError(str(exc)) from None
        for rejected in result.rejected:
            self.stderr.write(str(rejected))
        if result.unchanged:
            self.stdout.write(f"ongewijzigd: {result.unchanged}")
        self.stdout.write(result.summary())

"""`wijkregie purge-documents [--days N] [--dry-run]`: retention of generated documents."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wijkregie.documents.services import purge_documents, retention_days


class Command(BaseCommand):
    help = (
        "Verwijder gegenereerde documenten (rapportages) en hun bestanden die ouder zijn dan "
        "de bewaartermijn (standaard DOCUMENT_RETENTION_DAYS dagen), en de resultaten van "
        "mislukte of vastgelopen taken die ouder zijn. Veilig om vaker te draaien."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"Bewaartermijn in dagen (standaard {retention_days()})",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Alleen tellen, niets verwijderen"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        if days is not None and days < 0:
            raise CommandError("--days moet 0 of groter zijn.")
        result = purge_documents(days=days, dry_run=options["dry_run"])
        self.stdout.write(result.summary())

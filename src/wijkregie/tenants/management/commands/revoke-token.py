"""`wijkregie revoke-token PREFIX [--user USERNAME]`: revoke an API token at once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wijkregie.tenants.services import TokenError, active_tokens_with_prefix, api_token_revoke


class Command(BaseCommand):
    help = (
        "Trekt een API-token in, aangewezen door het begin van het geheim "
        "(zoals create-token het toont, bijvoorbeeld wr_AbCdE)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("prefix", help="Begin van het token (eerste 8 tekens)")
        parser.add_argument(
            "--user", default="", help="Gebruikersnaam, als meerdere tokens zo beginnen"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        prefix: str = options["prefix"].strip()
        tokens = active_tokens_with_prefix(prefix)
        if options["user"]:
            tokens = [t for t in tokens if t.user.username == options["user"]]
        if not tokens:
            raise CommandError(f"Geen actief token dat begint met {prefix}.")
        if len(tokens) > 1:
            listed = "; ".join(f"{t.user.username} ({t.name})" for t in tokens)
            raise CommandError(
                f"Meerdere actieve tokens beginnen met {prefix}: {listed}. Kies met --user."
            )
        try:
            token = api_token_revoke(actor=None, token=tokens[0])
        except TokenError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Token '{token.name}' van {token.user.username} ({token.prefix}) is ingetrokken."
        )

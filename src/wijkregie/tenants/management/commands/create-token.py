"""`wijkregie create-token USERNAME [--name NAME]`: a personal API token, shown once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wijkregie.tenants.models import User
from wijkregie.tenants.services import TokenError, api_token_create


class Command(BaseCommand):
    help = (
        "Maakt een API-token voor een gebruiker en toont het geheim één keer "
        "(opgeslagen wordt alleen een hash). Met -v 0 alleen het geheim, voor scripts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="Gebruikersnaam")
        parser.add_argument(
            "--name", default="API-token", help="Waarvoor het token dient (standaard: API-token)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        username: str = options["username"]
        name: str = options["name"].strip()
        if not name:
            raise CommandError("Geef het token een naam.")
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Onbekende gebruiker: {username}.")
        try:
            token, secret = api_token_create(actor=None, user=user, name=name)
        except TokenError as exc:
            raise CommandError(str(exc)) from exc
        if options["verbosity"] > 0:
            self.stdout.write(
                f"Token '{token.name}' aangemaakt voor {user.username}, "
                f"herkenbaar aan {token.prefix}.\n"
                "Bewaar het geheim nu: het wordt niet opgeslagen en niet nog eens getoond.\n"
                "Gebruik: Authorization: Token <geheim>\n"
                "Intrekken: wijkregie revoke-token " + token.prefix
            )
        self.stdout.write(secret)

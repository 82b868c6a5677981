"""`wijkregie create-token USERNAME [--name NAME]`: a personal API token, shown once.

`wijkregie create-token --organisation SLUG --municipality GM9999 [--name NAME]`: a token that
acts as the organisation's system (as made on the beheerder's token page).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wijkregie.tenants.models import Organisation, User
from wijkregie.tenants.services import TokenError, api_token_create, organisation_token_create


class Command(BaseCommand):
    help = (
        "Maakt een API-token voor een gebruiker (of met --organisation voor het systeem van "
        "een organisatie) en toont het geheim één keer (opgeslagen wordt alleen een hash). "
        "Met -v 0 alleen het geheim, voor scripts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", nargs="?", default="", help="Gebruikersnaam")
        parser.add_argument(
            "--name", default="API-token", help="Waarvoor het token dient (standaard: API-token)"
        )
        parser.add_argument(
            "--organisation", default="", help="Korte naam van de organisatie (organisatietoken)"
        )
        parser.add_argument(
            "--municipality", default="", help="CBS-code van de gemeente, bijvoorbeeld GM9999"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        username: str = options["username"]
        name: str = options["name"].strip()
        if not name:
            raise CommandError("Geef het token een naam.")
        if bool(username) == bool(options["organisation"]):
            raise CommandError("Geef een gebruikersnaam óf --organisation (met --municipality).")
        try:
            if username:
                user = User.objects.filter(username=username).first()
                if user is None:
                    raise CommandError(f"Onbekende gebruiker: {username}.")
                token, secret = api_token_create(actor=None, user=user, name=name)
                holder = user.username
            else:
                organisation = (
                    Organisation.objects.select_related("municipality")
                    .filter(
                        slug=options["organisation"],
                        municipality__cbs_code=options["municipality"].upper(),
                    )
                    .first()
                )
                if organisation is None:
                    raise CommandError(
                        f"Onbekende organisatie {options['organisation']} in gemeente "
                        f"{options['municipality'] or '(geef --municipality)'}."
                    )
                token, secret = organisation_token_create(
                    actor=None, organisation=organisation, name=name
                )
                holder = f"{organisation.name} (als {token.user.username})"
        except TokenError as exc:
            raise CommandError(str(exc)) from exc
        if options["verbosity"] > 0:
            self.stdout.write(
                f"Token '{token.name}' aangemaakt voor {holder}, "
                f"herkenbaar aan {token.prefix}.\n"
                "Bewaar het geheim nu: het wordt niet opgeslagen en niet nog eens getoond.\n"
                "Gebruik: Authorization: Token <geheim>\n"
                "Intrekken: wijkregie revoke-token " + token.prefix
            )
        self.stdout.write(secret)

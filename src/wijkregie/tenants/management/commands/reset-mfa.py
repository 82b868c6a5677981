"""`wijkregie reset-mfa USERNAME`: remove a user's authenticator app (lost or new phone).

The next login then asks the user to set up an app again (ADR 0015). Audited.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wijkregie.tenants.mfa import reset_device
from wijkregie.tenants.models import User


class Command(BaseCommand):
    help = (
        "Heft de koppeling met de authenticator-app van een gebruiker op (telefoon kwijt of "
        "nieuw). Bij de volgende keer inloggen koppelt de gebruiker opnieuw een app."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="Gebruikersnaam")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"Geen gebruiker {options['username']}.")
        if reset_device(actor=None, user=user):
            self.stdout.write(
                f"De authenticator-app van {user.username} is ontkoppeld. Bij de volgende keer "
                "inloggen koppelt de gebruiker een nieuwe app."
            )
        else:
            self.stdout.write(f"{user.username} had geen authenticator-app gekoppeld.")

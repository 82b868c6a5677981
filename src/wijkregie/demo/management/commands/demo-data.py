"""`wijkregie demo-data --seed S --signals N [--reset]`: the fictional municipality Demodam.

The module name has a hyphen on purpose: Django names a command after its module, and the
documented command is `demo-data`. Django imports it by name, so the hyphen is no problem.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wijkregie.demo import catalogue as cat
from wijkregie.demo.services import (
    APP_URL,
    DEFAULT_BATCH_SIZE,
    DEMO_PASSWORD,
    DemoError,
    DemoResult,
    ensure_demo,
    nl_number,
)


def _positive(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Maak de fictieve demogemeente Demodam (GM9999) met partners, gebruikers per persona, "
        "convenanten en een jaar aan signalen. Deterministisch per seed; een tweede run "
        "hergebruikt de bestaande demogemeente."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed",
            type=int,
            default=1,
            help="Seed (standaard 1): dezelfde seed geeft dezelfde gegevens, met tijden tot nu.",
        )
        parser.add_argument(
            "--signals",
            type=_positive,
            default=50_000,
            help="Aantal signalen in Demodam (standaard 50.000).",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Verwijder de demogemeenten (GM9999 en GM9998) eerst en genereer opnieuw.",
        )
        parser.add_argument(
            "--batch-size",
            type=_positive,
            default=DEFAULT_BATCH_SIZE,
            help="Signalen per transactie (standaard 10.000).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = ensure_demo(
                seed=options["seed"],
                n_signals=options["signals"],
                reset=options["reset"],
                batch_size=max(options["batch_size"], 1),
                progress=self.stdout.write,
            )
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        self._report(result)

    def _report(self, result: DemoResult) -> None:
        out = self.stdout
        gm = result.municipality
        if result.created:
            out.write(
                self.style.SUCCESS(
                    f"{gm} aangemaakt: {nl_number(result.signals)} signalen, "
                    f"{nl_number(result.status_changes)} statuswijzigingen, plus "
                    f"{nl_number(result.other_signals)} signalen in {cat.OTHER_NAME} "
                    f"({cat.OTHER_CBS_CODE}), in {result.seconds:.1f} s."
                )
            )
        else:
            out.write(
                f"{gm} bestaat al ({nl_number(result.signals)} signalen): niets gegenereerd. "
                "Gebruik --reset om de demogemeente opnieuw aan te maken."
            )
            if not result.complete:
                out.write(
                    self.style.WARNING(
                        "Let op: de vorige run is niet afgemaakt. Gebruik --reset voor een "
                        "volledige demogemeente."
                    )
                )
        out.write("")
        out.write(f"Demo-logins (alleen voor de demo) op {APP_URL}")
        header = ("Persona", "Gebruikersnaam", "Rol", "Organisatie", "Wachtwoord")
        rows = [
            (login.persona, login.username, login.role, login.organisation, DEMO_PASSWORD)
            for login in result.logins
        ]
        widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
        line = "  ".join("-" * w for w in widths)
        for row in [header, None, *rows]:
            if row is None:
                out.write(line)
                continue
            cells = (str(v).ljust(w) for v, w in zip(row, widths, strict=True))
            out.write("  ".join(cells).rstrip())
        out.write("")
        # ADR 0015: say whether the second login step (authenticator app) is asked for.
        from django.conf import settings

        if settings.MFA_REQUIRED:
            out.write(
                "Tweestapsverificatie staat aan (WIJKREGIE_MFA_REQUIRED=1): na het wachtwoord "
                "koppelt elke persona eenmalig een authenticator-app; de sleutel staat dan op het "
                "scherm. Ontkoppelen: `wijkregie reset-mfa GEBRUIKERSNAAM`."
            )
        else:
            out.write(
                "Tweestapsverificatie is voor deze demo uitgezet (WIJKREGIE_MFA_REQUIRED=0, zo "
                "gezet door `make demo`): inloggen met alleen het wachtwoord. In productie is "
                "een authenticator-app verplicht; probeer het met `WIJKREGIE_MFA_REQUIRED=1 "
                "make demo`."
            )
        out.write("")
        if result.token:
            out.write(
                "API-token voor de wijkagent (wordt maar één keer getoond):\n"
                f"  {result.token}\n"
                f"  curl -H 'Authorization: Token {result.token}' {APP_URL}/api/v1/signals"
            )
        else:
            out.write(
                "API-tokens worden alleen bij het aanmaken getoond; maak zo nodig een nieuw token "
                "met `wijkregie create-token wijkagent`."
            )
        out.write("")
        out.write(
            "Zonder inloggen: het meldformulier voor bewoners op "
            f"{APP_URL}/melden/ en Open311 op {APP_URL}/open311/v2/discovery.json"
        )

"""Console script `wijkregie`: Django's manage.py with Wijkregie's settings.

Commands may be typed with hyphens (`wijkregie compile-translations`) as well as with the
underscores of their module names.
"""

from __future__ import annotations

import os
import sys


def _normalise_command(argv: list[str]) -> list[str]:
    if len(argv) < 2 or argv[1].startswith("-") or "-" not in argv[1]:
        return argv
    import django
    from django.core.management import get_commands

    django.setup()
    commands = get_commands()
    underscored = argv[1].replace("-", "_")
    if argv[1] not in commands and underscored in commands:
        return [argv[0], underscored, *argv[2:]]
    return argv


# Commands whose work needs no database or settings run without starting Django: linking a
# standalone file of a million records should not pay for loading the web application.
_WITHOUT_DJANGO = ("link-persons", "link_persons")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in _WITHOUT_DJANGO:
        from wijkregie.subjects.linker.csvfile import main as link_persons

        sys.exit(link_persons(sys.argv[2:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wijkregie.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(_normalise_command(sys.argv))


if __name__ == "__main__":
    main()

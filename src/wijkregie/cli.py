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


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wijkregie.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(_normalise_command(sys.argv))


if __name__ == "__main__":
    main()

"""Add new msgids to the English catalogue (.po) without GNU gettext's makemessages."""

from __future__ import annotations

from typing import Any

import polib
from django.core.management.base import BaseCommand, CommandParser

from wijkregie.web.i18n import PO_PATH, Message, project_messages


def _key(entry: polib.POEntry) -> Message:
    return Message(entry.msgid, entry.msgid_plural or "", entry.msgctxt or "")


class Command(BaseCommand):
    help = (
        "Add every msgid found in templates and Python to locale/en/LC_MESSAGES/django.po "
        "(empty msgstr, to be translated) and list the entries that are no longer used."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--prune", action="store_true", help="remove entries that are no longer used"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        messages = project_messages()
        po = polib.pofile(str(PO_PATH)) if PO_PATH.exists() else polib.POFile()
        if not PO_PATH.exists():
            po.metadata = {
                "Project-Id-Version": "wijkregie",
                "Language": "en",
                "MIME-Version": "1.0",
                "Content-Type": "text/plain; charset=UTF-8",
                "Content-Transfer-Encoding": "8bit",
                "Plural-Forms": "nplurals=2; plural=(n != 1);",
            }
        existing = {_key(entry): entry for entry in po}
        added = 0
        for message, files in sorted(messages.items()):
            entry = existing.get(message)
            occurrences = [(path, "") for path in sorted(set(files))]
            if entry is None:
                entry = polib.POEntry(
                    msgid=message.msgid,
                    msgid_plural=message.msgid_plural,
                    msgctxt=message.context or None,
                    msgstr="",
                    msgstr_plural={0: "", 1: ""} if message.msgid_plural else {},
                )
                po.append(entry)
                added += 1
            entry.occurrences = occurrences
            if "%(" in message.msgid and "python-format" not in entry.flags:
                entry.flags.append("python-format")
        unused = [entry for key, entry in existing.items() if key not in messages]
        if options["prune"]:
            for entry in unused:
                po.remove(entry)
        PO_PATH.parent.mkdir(parents=True, exist_ok=True)
        po.save(str(PO_PATH))
        self.stdout.write(f"{added} new, {len(unused)} unused, {len(messages)} in use")
        for entry in unused:
            self.stdout.write(f"  unused: {entry.msgid!r}")

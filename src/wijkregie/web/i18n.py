"""Find translatable strings in templates and Python source, without GNU gettext.

Templates are read with regular expressions that follow Django's own rules for msgids:
`{% translate "..." %}` and `_("...")` inside tags (a literal `%` becomes `%%`), and
`{% blocktranslate %}` blocks, where `{{ var }}` becomes `%(var)s`, a literal `%` becomes `%%`,
`trimmed` collapses whitespace and `{% plural %}` splits singular and plural. Python source
is read with `ast`, so implicit string concatenation and any quoting style give the same msgid
as xgettext would.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import trim_whitespace

SRC_ROOT = Path(__file__).resolve().parent.parent  # src/wijkregie
PO_PATH = SRC_ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"


@dataclass(frozen=True, order=True)
class Message:
    msgid: str
    msgid_plural: str = ""
    context: str = ""


_STRING = r"""(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')"""
_TRANSLATE_TAG = re.compile(
    r"{%\s*(?:translate|trans)\s+(?P<msgid>" + _STRING + r")(?P<rest>.*?)%}", re.S
)
_CONTEXT = re.compile(r"\bcontext\s+(?P<ctx>" + _STRING + r")")
_BLOCK = re.compile(
    r"{%\s*(?:blocktranslate|blocktrans)\b(?P<args>.*?)%}(?P<body>.*?)"
    r"{%\s*(?:endblocktranslate|endblocktrans)\s*%}",
    re.S,
)
_PLURAL = re.compile(r"{%\s*plural\s*%}")
_VAR = re.compile(r"{{\s*(?P<name>[\w.]+)\s*}}")
_TAG_OR_VAR = re.compile(r"{%.*?%}|{{.*?}}", re.S)
_UNDERSCORE_CALL = re.compile(r"(?<![\w.])_\(\s*(?P<msgid>" + _STRING + r")\s*\)")
_OTHER_TAG_IN_BLOCK = re.compile(r"{%.*?%}", re.S)
_COMMENTS = re.compile(r"{%\s*comment\b.*?%}.*?{%\s*endcomment\s*%}|{#.*?#}", re.S)

_SINGULAR = {"_", "gettext", "gettext_lazy", "gettext_noop"}
_PLURAL_FUNCS = {"ngettext", "ngettext_lazy"}
_CONTEXT_FUNCS = {"pgettext", "pgettext_lazy"}
_CONTEXT_PLURAL_FUNCS = {"npgettext", "npgettext_lazy"}


def _unquote(literal: str) -> str:
    value = ast.literal_eval(literal)
    assert isinstance(value, str)
    return value


def _tag_msgid(literal: str) -> str:
    # Django looks a translated string literal up with every % doubled (and the translate
    # tag turns %% back into % after the lookup), so that is the msgid in the catalogue.
    return _unquote(literal).replace("%", "%%")


def _block_message(text: str, *, trimmed: bool) -> str:
    if _OTHER_TAG_IN_BLOCK.search(text):
        raise ValueError(f"blocktranslate may only hold text and variables: {text!r}")
    parts = []
    pos = 0
    for match in _VAR.finditer(text):
        parts.append(text[pos : match.start()].replace("%", "%%"))
        parts.append(f"%({match.group('name')})s")
        pos = match.end()
    parts.append(text[pos:].replace("%", "%%"))
    message = "".join(parts)
    return trim_whitespace(message) if trimmed else message


def template_messages(text: str) -> set[Message]:
    """Every msgid in one Django template (comments are skipped, as makemessages does)."""
    text = _COMMENTS.sub("", text)
    found: set[Message] = set()
    for match in _TRANSLATE_TAG.finditer(text):
        ctx = _CONTEXT.search(match.group("rest"))
        found.add(
            Message(
                _tag_msgid(match.group("msgid")),
                context=_unquote(ctx.group("ctx")) if ctx else "",
            )
        )
    for match in _BLOCK.finditer(text):
        args = match.group("args")
        trimmed = re.search(r"\btrimmed\b", args) is not None
        ctx = _CONTEXT.search(args)
        singular, *plural = _PLURAL.split(match.group("body"), maxsplit=1)
        found.add(
            Message(
                _block_message(singular, trimmed=trimmed),
                _block_message(plural[0], trimmed=trimmed) if plural else "",
                _unquote(ctx.group("ctx")) if ctx else "",
            )
        )
    for block in _TAG_OR_VAR.finditer(text):
        for call in _UNDERSCORE_CALL.finditer(block.group(0)):
            found.add(Message(_tag_msgid(call.group("msgid"))))
    return found


def _call_name(node: ast.Call) -> str:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return ""


def _literal(args: list[ast.expr], index: int) -> str | None:
    if len(args) > index:
        arg = args[index]
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            return arg.value
    return None


def python_messages(source: str) -> set[Message]:
    """Every msgid passed as a literal to a gettext function in one Python module."""
    found: set[Message] = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name, args = _call_name(node), node.args
        message: Message | None = None
        if name in _SINGULAR and (msgid := _literal(args, 0)) is not None:
            message = Message(msgid)
        elif name in _PLURAL_FUNCS:
            msgid, plural = _literal(args, 0), _literal(args, 1)
            if msgid is not None and plural is not None:
                message = Message(msgid, plural)
        elif name in _CONTEXT_FUNCS:
            ctx, msgid = _literal(args, 0), _literal(args, 1)
            if ctx is not None and msgid is not None:
                message = Message(msgid, context=ctx)
        elif name in _CONTEXT_PLURAL_FUNCS:
            ctx, msgid, plural = _literal(args, 0), _literal(args, 1), _literal(args, 2)
            if ctx is not None and msgid is not None and plural is not None:
                message = Message(msgid, plural, ctx)
        if message is not None:
            found.add(message)
    return found


def template_files(root: Path = SRC_ROOT) -> Iterator[Path]:
    for path in sorted(root.rglob("templates/**/*")):
        if path.is_file() and path.suffix in {".html", ".txt"}:
            yield path


def python_files(root: Path = SRC_ROOT) -> Iterator[Path]:
    skip = {"tests", "migrations", "__pycache__"}
    for path in sorted(root.rglob("*.py")):
        parts = set(path.relative_to(root).parts)
        if not parts & skip and path.name != "conftest.py":
            yield path


def project_messages(root: Path = SRC_ROOT) -> dict[Message, list[str]]:
    """Every msgid of the project, with the files it occurs in (relative to src/)."""
    found: dict[Message, list[str]] = {}

    def add(messages: Iterable[Message], path: Path) -> None:
        for message in messages:
            found.setdefault(message, []).append(str(path.relative_to(root.parent)))

    for path in template_files(root):
        add(template_messages(path.read_text(encoding="utf-8")), path)
    for path in python_files(root):
        add(python_messages(path.read_text(encoding="utf-8")), path)
    return found

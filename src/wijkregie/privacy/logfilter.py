"""Keep personal data and secrets out of application logs and error reports.

Two pieces, wired in settings (`LOGGING`, `DEFAULT_EXCEPTION_REPORTER_FILTER`):

* `RedactPersonalData`, a logging filter on every handler: it renders the record's message and
  traceback once, then replaces
  - BSN-like numbers (nine digits, also written 1234.56.782 or 123 456 782, that pass the
    11-proof) by ``[BSN]``;
  - the value after a known personal field name (``achternaam=Jansen``, ``'bsn': ['…']``,
    ``"description": "…"``) by ``[verwijderd]``;
  - for a record written while a request is handled (`CurrentRequestMiddleware` remembers it,
    and Django's ``django.request`` errors carry it), every value that request posted under a
    known personal field or holding a BSN, wherever it appears (also unlabelled: "Jansen").
* `PersonalDataExceptionReporterFilter` and `PersonalDataExceptionReporter` for Django's error
  reports (debug page, e-mails to ADMINS): hide the settings and POST fields that are secrets
  or personal data and pass every frame variable, query parameter, POST value and the
  exception's message through the same redaction.

The filter cannot recognise a name in free text that is not labelled; that is why the free
text of signals is never put into messages on purpose (ADR 0012).
"""

from __future__ import annotations

import contextvars
import logging
import pprint
import re
from collections.abc import Callable, Iterable
from typing import Any

from django.utils.html import escape as html_escape
from django.utils.safestring import SafeString, mark_safe
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

from wijkregie.privacy.pseudonyms import bsn_is_valid

__all__ = [
    "CurrentRequestMiddleware",
    "PersonalDataExceptionReporter",
    "PersonalDataExceptionReporterFilter",
    "RedactPersonalData",
    "redact",
]

_current_request: contextvars.ContextVar[Any] = contextvars.ContextVar(
    "wijkregie_current_request", default=None
)

REDACTED = "[verwijderd]"
BSN_MARK = "[BSN]"

# Form, model and API field names (Dutch and English, snake and camel case) whose values are
# personal data or free text that may describe people.
PERSONAL_FIELDS = (
    "bsn",
    "burgerservicenummer",
    "voornaam",
    "voornamen",
    "voorletters",
    "tussenvoegsel",
    "achternaam",
    "geslachtsnaam",
    "naam",
    "name",
    "first_?name",
    "last_?name",
    "given_?name",
    "family_?name",
    "surname",
    "prefix",
    "geboortedatum",
    "birth_?date",
    "date_of_birth",
    "dob",
    "e-?mail",
    "email_?address",
    "telefoon",
    "phone",
    "adres",
    "address",
    "straat",
    "street",
    "postcode",
    "huisnummer",
    "house_?number",
    "omschrijving",
    "description",
    "toelichting",
    "opmerking",
    "reason",
    "reden",
    "text",
    "tekst",
)
_FIELDS = "|".join(PERSONAL_FIELDS)
_FIELD_RE = re.compile(rf"^(?:{_FIELDS})$", re.IGNORECASE)
_SECRET_RE = re.compile(r"API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|DATABASE_URL", re.IGNORECASE)

# A labelled value: the key (optionally quoted), = or :, then a quoted string, a one-element
# list of one, or a bare token.
_LABELLED_RE = re.compile(
    rf"""(?P<key>(?<![\w-])['"]?(?:{_FIELDS})['"]?\s*[:=]\s*)"""
    r"""(?P<value>\[\s*(?:'[^']*'|"[^"]*")?\s*\]|'[^']*'|"[^"]*"|[^\s,;&}\]\)]+)""",
    re.IGNORECASE,
)
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("x", 0, "x", 0, "x", None, None))) | {
    "message",
    "asctime",
}
_BSN_RE = re.compile(r"(?<![\d.])(\d{4}[. ]\d{2}[. ]\d{3}|\d{3}[. ]\d{3}[. ]\d{3}|\d{8,9})(?![\d])")


def _bsn(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0)).rjust(9, "0")
    return BSN_MARK if bsn_is_valid(digits) else match.group(0)


def redact(text: str, values: Iterable[str] = ()) -> str:
    """The text without BSN-like numbers, labelled personal values and the given values."""
    for value in sorted({v for v in values if len(v) >= 2}, key=len, reverse=True):
        text = text.replace(value, REDACTED)
    text = _LABELLED_RE.sub(lambda m: m.group("key") + REDACTED, text)
    return _BSN_RE.sub(_bsn, text)


def is_personal_field(name: str) -> bool:
    return bool(_FIELD_RE.match(name.strip().lower()))


def posted_personal_values(request: Any) -> list[str]:
    """The values a request posted under personal field names (or holding a BSN)."""
    values: list[str] = []
    # Only a body that was already parsed: parsing it here could consume the stream before the
    # view reads it.
    post = getattr(request, "_post", None)
    if post is None or not hasattr(post, "lists"):
        return values
    try:
        items = list(post.lists())
    except Exception:  # a broken request body must not break logging
        return values
    for key, field_values in items:
        for value in field_values:
            text = str(value).strip()
            if is_personal_field(key) or _BSN_RE.sub(_bsn, text) != text:
                values.append(text)
    return values


class RedactPersonalData(logging.Filter):
    """Rewrites each record's message, traceback and personal extras; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_wijkregie_redacted", False):
            return True
        values = posted_personal_values(getattr(record, "request", None) or _current_request.get())
        try:
            message = record.getMessage()
        except Exception:  # keep the record, lose only the arguments
            message = str(record.msg)
        record.msg = redact(message, values)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, values)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, values)
        for key in list(vars(record)):
            if key not in _RECORD_ATTRIBUTES and is_personal_field(key):
                setattr(record, key, REDACTED)
        record._wijkregie_redacted = True
        return True


class _Redacted:
    """Shown as the redacted text (without quotes) in an error report."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


class PersonalDataExceptionReporterFilter(SafeExceptionReporterFilter):
    """Django's error reports without secrets or personal data."""

    hidden_settings = _SECRET_RE

    def is_active(self, request: Any) -> bool:
        return True  # also with DEBUG=True: the debug page is an error report too

    def get_post_parameters(self, request: Any) -> Any:
        if request is None:
            return {}
        params: Any = super().get_post_parameters(request).copy()
        for key, values in list(params.lists()):
            if is_personal_field(key) or _SECRET_RE.search(key):
                params.setlist(key, [self.cleansed_substitute] * len(values))
            else:
                params.setlist(key, [redact(str(v)) for v in values])
        return params

    def get_traceback_frame_variables(self, request: Any, tb_frame: Any) -> Any:
        values = posted_personal_values(request)
        cleaned: list[tuple[str, Any]] = []
        for name, value in super().get_traceback_frame_variables(request, tb_frame):
            if is_personal_field(name) or _SECRET_RE.search(name):
                cleaned.append((name, self.cleansed_substitute))
                continue
            try:
                text = value if isinstance(value, str) else pprint.pformat(value)
            except Exception:  # an unprintable value is left out
                text = "<onleesbaar>"
            cleaned.append((name, _Redacted(redact(text, values))))
        return cleaned


class PersonalDataExceptionReporter(ExceptionReporter):
    """Error reports whose exception message and query string are redacted too."""

    def _values(self) -> list[str]:
        return posted_personal_values(self.request)

    def get_traceback_data(self) -> dict[str, Any]:
        data = super().get_traceback_data()
        values = self._values()
        if data.get("exception_value"):
            data["exception_value"] = redact(str(data["exception_value"]), values)
        if data.get("request_GET_items") is not None:
            data["request_GET_items"] = [
                (k, REDACTED if is_personal_field(k) else redact(str(v), values))
                for k, v in data["request_GET_items"]
            ]
        for frame in data.get("frames", []):
            for key in ("exc_cause", "exc_context"):
                if frame.get(key) is not None:
                    frame[key] = _Redacted(redact(str(frame[key]), values))
        return data

    def get_traceback_text(self) -> SafeString:
        return mark_safe(redact(str(super().get_traceback_text()), self._values()))  # noqa: S308

    def get_traceback_html(self) -> SafeString:
        # Only the posted values and BSNs here: labels would match HTML attributes.
        text = str(super().get_traceback_html())
        for value in sorted({v for v in self._values() if len(v) >= 2}, key=len, reverse=True):
            text = text.replace(value, REDACTED).replace(html_escape(value), REDACTED)
        # Django's own escaped page with plain text put in place of text: still safe.
        return mark_safe(_BSN_RE.sub(_bsn, text))  # noqa: S308


class CurrentRequestMiddleware:
    """Remembers the request being handled, so that the log filter knows what it posted."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)

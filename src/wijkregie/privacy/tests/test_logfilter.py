"""No BSN, name, birth date or free text of signals in application logs or error reports."""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Iterator

import pytest
from django.core import mail
from django.test import Client, RequestFactory, override_settings
from django.views.debug import get_exception_reporter_class

from wijkregie.privacy.logfilter import (
    PersonalDataExceptionReporter,
    PersonalDataExceptionReporterFilter,
    RedactPersonalData,
    redact,
)
from wijkregie.privacy.tests.urls_raising import failing_intake

BSN = "111222333"  # passes the 11-proof
POSTED = {
    "bsn": BSN,
    "voornaam": "Pieternella",
    "achternaam": "Jansen-Bakkerswaard",
    "geboortedatum": "1987-03-14",
    "omschrijving": "Meneer Oudeboezem op nummer 5 roept steeds om hulp",
    "categorie": "overlast",
}
SECRETS = ("111222333", "Pieternella", "Bakkerswaard", "1987-03-14", "Oudeboezem")


def assert_clean(text: str) -> None:
    leaked = [s for s in SECRETS if s in text]
    assert not leaked, f"{leaked} in:\n{text}"


@pytest.fixture
def console() -> Iterator[io.StringIO]:
    """What the configured console handler (settings.LOGGING) writes."""
    handlers = [
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RedactPersonalData) for f in h.filters)
    ]
    assert handlers, "the root logger's console handler has no redaction filter"
    handler = handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        yield buffer
    finally:
        handler.setStream(previous)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("bsn 111222333 gevonden", "bsn [BSN] gevonden"),
        ("nummer 1112.22.333", "nummer [BSN]"),
        ("nummer 111 222 333.", "nummer [BSN]."),
        ("signaal 123456789 bijgewerkt", "signaal 123456789 bijgewerkt"),  # not 11-proof
        ("tijd 2026-11-29 21:00:00.123456", "tijd 2026-11-29 21:00:00.123456"),
        ("achternaam=Jansen status=open", "achternaam=[verwijderd] status=open"),
        ("{'first_name': 'Jan', 'n': 3}", "{'first_name': [verwijderd], 'n': 3}"),
        ('{"birthDate": "1990-01-01"}', '{"birthDate": [verwijderd]}'),
        ("<QueryDict: {'naam': ['Jan Jansen']}>", "<QueryDict: {'naam': [verwijderd]}>"),
        ("import 12 rijen, 3 geweigerd", "import 12 rijen, 3 geweigerd"),
    ],
)
def test_redact(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_redact_known_values_anywhere() -> None:
    assert redact("mislukt voor Jansen (x)", ["Jansen"]) == "mislukt voor [verwijderd] (x)"


@pytest.mark.urls("wijkregie.privacy.tests.urls_raising")
def test_failing_request_leaves_no_personal_data_in_the_log(db: None, console: io.StringIO) -> None:
    client = Client(raise_request_exception=False)
    response = client.post("/kapot/", POSTED)
    assert response.status_code == 500
    output = console.getvalue()
    assert "Internal Server Error: /kapot/" in output
    assert "Verwerken van [verwijderd] ([verwijderd]) mislukt" in output
    assert "ValueError: Kan melding niet verwerken:" in output  # the traceback is still there
    assert_clean(output)


@pytest.mark.urls("wijkregie.privacy.tests.urls_raising")
@override_settings(ADMINS=[("Beheer", "beheer@example.org")])
def test_error_mail_to_admins_has_no_personal_data(db: None, console: io.StringIO) -> None:
    client = Client(raise_request_exception=False)
    client.post("/kapot/", POSTED)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    body = message.body + "".join(str(a[1]) for a in message.alternatives)
    assert "ValueError" in body
    assert_clean(message.subject + body)


def test_error_report_hides_post_fields_locals_and_secrets(db: None) -> None:
    request = RequestFactory().post("/kapot/", POSTED)
    try:
        failing_intake(request)
    except ValueError:
        exc_info = sys.exc_info()
    reporter = get_exception_reporter_class(request)(request, *exc_info)
    assert isinstance(reporter, PersonalDataExceptionReporter)
    assert isinstance(reporter.filter, PersonalDataExceptionReporterFilter)
    text = reporter.get_traceback_text()
    html = reporter.get_traceback_html()
    for report in (text, html):
        assert "failing_intake" in report
        assert_clean(report)
    assert "overlast" in text  # a field that is not personal stays readable
    settings_shown = reporter.filter.get_safe_settings()
    assert settings_shown["PSEUDONYM_KEY"] == reporter.filter.cleansed_substitute
    assert settings_shown["SECRET_KEY"] == reporter.filter.cleansed_substitute


def test_filter_keeps_logger_name_and_redacts_extras() -> None:
    record = logging.LogRecord("wijkregie.x", logging.WARNING, __file__, 1, "bsn %s", (BSN,), None)
    record.achternaam = "Jansen"
    assert RedactPersonalData().filter(record) is True
    assert record.name == "wijkregie.x"
    assert record.getMessage() == "bsn [BSN]"
    assert record.achternaam == "[verwijderd]"


def test_every_setting_from_the_environment_is_documented() -> None:
    """Keys and settings come only from the environment, and `.env.example` documents each."""
    import re
    from pathlib import Path

    from django.conf import settings

    source = Path(settings.SRC_DIR / "settings.py").read_text()
    names = set(re.findall(r'(?:os\.environ\.get|envint|envbool|envlist)\("([A-Z0-9_]+)"', source))
    assert {"SECRET_KEY", "PSEUDONYM_KEY", "DATABASE_URL"} <= names
    example = (Path(settings.SRC_DIR).parent.parent / ".env.example").read_text()
    documented = set(re.findall(r"^#? ?([A-Z0-9_]+)=", example, re.MULTILINE))
    assert names - documented == set()
    assert "PSEUDONYM_KEY_GM" in example  # the per-municipality keys (privacy/pseudonyms.py)

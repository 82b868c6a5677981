"""Rate limiting per client (keyed HMAC of the IP, in the database) and no lost reports."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from wijkregie.residents import codes
from wijkregie.residents.models import ResidentReport, SubmissionEvent
from wijkregie.residents.services import client_key, rate_limit_retry_after, record_submission
from wijkregie.residents.tests.helpers import step_url, submit, walk_to_review

pytestmark = pytest.mark.django_db


def test_429_with_retry_after_and_no_earlier_report_lost(client: Client, world: object) -> None:
    tracking = []
    for i in range(5):
        walk_to_review(client, description=f"Melding nummer {i}")
        assert submit(client).status_code == 302
        tracking.append(client.session["resident_report:GM9999:done"])
    walk_to_review(client, description="De zesde")
    response = submit(client)
    assert response.status_code == 429
    retry = int(response["Retry-After"])
    assert 0 < retry <= 600
    html = response.content.decode()
    assert "U hebt veel meldingen kort na elkaar verstuurd" in html
    assert "Uw eerdere meldingen zijn goed ontvangen" in html
    # the answers of the sixth are kept for a later try; nothing of it was stored
    assert client.get(step_url("controleren")).status_code == 200
    assert ResidentReport.objects.count() == 5
    assert sorted(r.signal.description for r in ResidentReport.objects.all()) == [
        f"Melding nummer {i}" for i in range(5)
    ]
    for code in tracking:
        page = client.get(f"/melden/GM9999/status/{codes.grouped(code)}/")
        assert page.status_code == 200


def test_other_clients_are_not_limited(world: object) -> None:
    first = Client(REMOTE_ADDR="10.0.0.1")
    second = Client(REMOTE_ADDR="10.0.0.2")
    for _ in range(5):
        walk_to_review(first)
        assert submit(first).status_code == 302
    walk_to_review(first)
    assert submit(first).status_code == 429
    walk_to_review(second)
    assert submit(second).status_code == 302


def test_the_ip_is_never_stored(world: object) -> None:
    c = Client(REMOTE_ADDR="192.0.2.77")
    walk_to_review(c)
    submit(c)
    event = SubmissionEvent.objects.get()
    assert "192.0.2.77" not in event.client_key
    assert event.client_key == client_key("192.0.2.77") and len(event.client_key) == 64


def test_windows_and_daily_limit(db: None, settings: object) -> None:
    settings.RESIDENT_RATE_LIMITS = [(5, 600), (20, 86400)]  # type: ignore[attr-defined]
    key = client_key("198.51.100.1")
    now = timezone.now()
    for i in range(5):
        record_submission(key=key, now=now - dt.timedelta(seconds=500 - i))
    wait = rate_limit_retry_after(key=key, now=now)
    assert wait == 100  # the oldest leaves the 10-minute window after 100 s
    assert rate_limit_retry_after(key=key, now=now + dt.timedelta(seconds=101)) is None
    # 20 a day: spread over the day, the 10-minute window is free but the day is full
    SubmissionEvent.objects.all().delete()
    for i in range(20):
        SubmissionEvent.objects.create(client_key=key, at=now - dt.timedelta(hours=23, minutes=i))
    wait = rate_limit_retry_after(key=key, now=now)
    assert wait is not None and 3600 - 20 * 60 < wait <= 3600


def test_old_rows_are_purged(db: None) -> None:
    key = client_key("203.0.113.9")
    SubmissionEvent.objects.create(client_key=key, at=timezone.now() - dt.timedelta(days=2))
    record_submission(key=key)
    assert SubmissionEvent.objects.count() == 1

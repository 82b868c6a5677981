"""E-mail to the resident when the status changes, through a django-tasks task."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client, override_settings

from wijkregie.residents import codes
from wijkregie.residents.models import ResidentReport
from wijkregie.residents.tests.helpers import submit, walk_to_review
from wijkregie.signals.services import signal_change_status
from wijkregie.tenants.access import require_viewer
from wijkregie.testing.personas import World

pytestmark = pytest.mark.django_db(transaction=True)

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@override_settings(TASKS=IMMEDIATE, PUBLIC_BASE_URL="https://melden.example.nl")
def test_status_change_sends_dutch_email_with_code_status_and_link(world: World) -> None:
    client = Client()
    walk_to_review(client, email="bewoner@example.org")
    submit(client)
    report = ResidentReport.objects.get()
    regisseur = require_viewer(world.users["regisseur"])
    signal_change_status(viewer=regisseur, signal=report.signal, to_status="in_behandeling")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    code = codes.grouped(report.tracking_code)
    assert message.to == ["bewoner@example.org"]
    assert code in message.subject and "In behandeling" in message.subject
    assert "De status van uw melding met volgcode" in message.body
    assert f"https://melden.example.nl/melden/GM9999/status/{code}/" in message.body
    # no other personal data: not the description, not the staff member
    assert report.signal.description not in message.body
    assert "regisseur" not in message.body.lower()
    assert client.get(f"/melden/GM9999/status/{code}/").status_code == 200

    signal_change_status(viewer=regisseur, signal=report.signal, to_status="afgehandeld")
    assert len(mail.outbox) == 2
    assert "Afgehandeld" in mail.outbox[1].subject
    assert "verwijderen nu uw e-mailadres" in mail.outbox[1].body
    report.refresh_from_db()
    assert report.email == ""  # retention: erased once the final status is mailed


@override_settings(TASKS=IMMEDIATE)
def test_no_email_without_address(world: World) -> None:
    client = Client()
    walk_to_review(client, email="")
    submit(client)
    report = ResidentReport.objects.get()
    regisseur = require_viewer(world.users["regisseur"])
    signal_change_status(viewer=regisseur, signal=report.signal, to_status="in_behandeling")
    assert mail.outbox == []


@override_settings(TASKS=IMMEDIATE)
def test_no_email_for_signals_without_a_resident_report(world: World) -> None:
    regisseur = require_viewer(world.users["regisseur"])
    signal_change_status(
        viewer=regisseur, signal=world.signals["gemeente_own"], to_status="in_behandeling"
    )
    assert mail.outbox == []


def test_with_the_database_backend_the_email_waits_for_the_worker(world: World) -> None:
    from django_tasks_db.models import DBTaskResult

    client = Client()
    walk_to_review(client, email="bewoner@example.org")
    submit(client)
    report = ResidentReport.objects.get()
    regisseur = require_viewer(world.users["regisseur"])
    signal_change_status(viewer=regisseur, signal=report.signal, to_status="in_behandeling")
    assert mail.outbox == []
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "wijkregie.residents.tasks.send_status_email"
    assert queued.args_kwargs["kwargs"] == {"report_id": report.pk, "to_status": "in_behandeling"}

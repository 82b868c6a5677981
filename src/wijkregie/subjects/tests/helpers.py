"""Shared helpers for the subjects tests: viewers and attaching fictional persons."""

from __future__ import annotations

import datetime as dt

from django.test import Client

from wijkregie.signals.models import Signal
from wijkregie.subjects import services
from wijkregie.subjects.models import PersonRecord, Subject
from wijkregie.tenants.access import Viewer, viewer_for
from wijkregie.testing.personas import World

# 11-proof BSNs that belong to nobody (test numbers).
BSN_A = "111222333"
BSN_B = "123456782"


def viewer(world: World, persona: str, access_point: str = "web") -> Viewer:
    found = viewer_for(world.users[persona], access_point)
    assert found is not None
    return found


def client_for(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


def attach_person(
    world: World,
    persona: str,
    signal: Signal,
    *,
    bsn: str = "",
    given_names: str = "Jantje",
    surname: str = "Klaassen",
    birth_date: dt.date | None = dt.date(1990, 5, 17),
    postcode: str = "",
    huisnummer: int | None = None,
) -> tuple[Subject, PersonRecord]:
    return services.attach_person(
        viewer=viewer(world, persona),
        signal=signal,
        person=services.PersonInput(
            bsn=bsn,
            given_names=given_names,
            surname=surname,
            birth_date=birth_date,
            address=services.AddressInput(postcode=postcode, huisnummer=huisnummer),
        ),
    )

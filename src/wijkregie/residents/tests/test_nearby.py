"""The nearby-open-signals hint: same category, 50 m, 12 weeks, never closed or confidential."""

from __future__ import annotations

import pytest
from django.test import Client

from wijkregie.residents.selectors import nearby_open_signals
from wijkregie.residents.tests.helpers import POINT, make_signal_at, step_url, walk_to_review
from wijkregie.testing.personas import World

pytestmark = pytest.mark.django_db


def _count(world: World) -> int:
    return len(
        nearby_open_signals(
            municipality=world.gm, category=world.categories["overlast-jeugd"], point=POINT
        )
    )


def test_counts_inside_50_m_and_12_weeks_only(world: World) -> None:
    assert _count(world) == 0
    make_signal_at(world, dx=45, days_ago=11 * 7)  # counts
    make_signal_at(world, dx=60, days_ago=1)  # too far
    make_signal_at(world, dx=10, days_ago=13 * 7)  # too old
    make_signal_at(world, dx=10, days_ago=1, category="woonfraude")  # other category
    make_signal_at(world, dx=10, days_ago=1, status="afgehandeld")  # closed
    make_signal_at(world, dx=10, days_ago=1, status="geannuleerd")  # closed
    make_signal_at(world, dx=10, days_ago=1, confidentiality="vertrouwelijk")  # confidential
    assert _count(world) == 1
    make_signal_at(world, dx=-20, days_ago=2, status="in_behandeling", owner="corporatie")
    hints = nearby_open_signals(
        municipality=world.gm, category=world.categories["overlast-jeugd"], point=POINT
    )
    assert [(h.distance_m, h.weeks_ago) for h in hints] == [(20, 0), (50, 11)]


def test_other_municipality_never_counts(world: World) -> None:
    make_signal_at(world, dx=5, days_ago=1)
    assert (
        nearby_open_signals(
            municipality=world.other_gm, category=world.categories["overlast-jeugd"], point=POINT
        )
        == []
    )


def test_review_shows_hint_without_personal_data(client: Client, world: World) -> None:
    make_signal_at(world, dx=12, days_ago=3)
    make_signal_at(world, dx=33, days_ago=20)
    walk_to_review(client)
    html = client.get(step_url("controleren")).content.decode()
    assert "Er zijn al 2 meldingen van dit soort binnen 50 meter in de afgelopen 12 weken" in html
    assert "ongeveer 20 meter hiervandaan, deze week" in html
    assert "ongeveer 40 meter hiervandaan, 2 weken geleden" in html
    for secret in ("Geheime omschrijving", "Jan Jansen", "9999ZZ", "9999 ZZ", "Politie"):
        assert secret not in html


def test_no_hint_when_nothing_nearby(client: Client, world: World) -> None:
    walk_to_review(client)
    assert 'id="nearby-hint"' not in client.get(step_url("controleren")).content.decode()

"""grouped_counts and hour_of_week_counts equal plain counts over the visible signals."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Q

from wijkregie.signals.models import Signal
from wijkregie.signals.selectors import (
    FEW_PERIODS,
    SignalFilters,
    apply_filters,
    grouped_counts,
    hour_of_week_counts,
    signals_visible_to,
    whole_months,
)
from wijkregie.tenants.access import Viewer, viewer_for
from wijkregie.testing.personas import World, make_signal

AMS = ZoneInfo("Europe/Amsterdam")
PERSONAS = ("regisseur", "analist", "wijkagent", "corporatie", "jongerenwerker", "outsider")


def _viewer(world: World, persona: str) -> Viewer:
    viewer = viewer_for(world.users[persona])
    assert viewer is not None
    return viewer


@pytest.fixture
def spread(world: World) -> list[Signal]:
    """80 signals at random instants over three years, around month ends and DST changes."""
    rng = random.Random(7)
    start = dt.datetime(2023, 1, 1, tzinfo=dt.UTC)
    signals = []
    for i in range(80):
        signal = make_signal(
            world,
            owner=rng.choice(["politie", "corporatie", "gemeente"]),
            category=rng.choice(["overlast", "overlast-jeugd"]),
            buurt=rng.choice(["01", "02", "03", "04"]),
            confidentiality="vertrouwelijk" if i % 9 == 0 else "normaal",
        )
        if i % 4 == 0:  # an hour either side of a local month boundary
            month = rng.randrange(36)
            boundary = dt.datetime(2023 + month // 12, month % 12 + 1, 1, tzinfo=AMS)
            instant = boundary + dt.timedelta(minutes=rng.randrange(-90, 90))
        else:
            instant = start + dt.timedelta(seconds=rng.randrange(3 * 365 * 86400))
        Signal.objects.filter(pk=signal.pk).update(observed_at=instant)
        signals.append(signal)
    return signals


def _local(y: int, m: int, d: int, h: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, tzinfo=AMS)


PERIODS = {
    "year": (_local(2024, 1, 1), _local(2025, 1, 1)),
    "ragged": (_local(2023, 3, 17, 5), _local(2025, 10, 26, 2)),
    "inside": (_local(2024, 2, 3), _local(2024, 2, 20)),
    "dst": (_local(2024, 3, 31), _local(2024, 11, 1)),
}


ALL = (_local(2022, 12, 1), _local(2026, 2, 1))
assert len(PERIODS) <= FEW_PERIODS < len(PERIODS) + 2


def test_whole_months_cover_the_period_exactly() -> None:
    for start, end in PERIODS.values():
        months, pieces = whole_months(start, end)
        spans = [
            (
                dt.datetime(m.year, m.month, 1, tzinfo=AMS),
                dt.datetime(m.year + m.month // 12, m.month % 12 + 1, 1, tzinfo=AMS),
            )
            for m in months
        ] + pieces
        spans.sort()
        assert spans[0][0] == start and spans[-1][1] == end
        assert all(a[1] == b[0] for a, b in itertools.pairwise(spans))
    assert whole_months(_local(2024, 2, 3), _local(2024, 2, 20)) == (
        [],
        [(_local(2024, 2, 3), _local(2024, 2, 20))],
    )


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    "filters",
    [SignalFilters(), SignalFilters(category="overlast"), SignalFilters(status="open")],
    ids=["none", "category", "status"],
)
def test_grouped_counts_equal_plain_counts(
    world: World, spread: list[Signal], persona: str, filters: SignalFilters
) -> None:
    viewer = _viewer(world, persona)
    within = Q(neighbourhood_id__in=[world.buurten["01"].pk, world.buurten["03"].pk])
    # Up to FEW_PERIODS periods are summed conditionally, more are grouped per month.
    many = {**PERIODS, "late": (_local(2025, 2, 1), _local(2025, 12, 31, 23)), "all": ALL}
    for where, periods in [(None, PERIODS), (within, PERIODS), (None, many), (within, many)]:
        got = grouped_counts(
            viewer, filters, periods, ("neighbourhood_id", "category_id"), within=where
        )
        expected: dict[tuple[int | None, int], Counter[str]] = {}
        base = apply_filters(signals_visible_to(viewer), viewer, filters)
        if where is not None:
            base = base.filter(where)
        for label, (start, end) in periods.items():
            for hood, cat in base.filter(observed_at__gte=start, observed_at__lt=end).values_list(
                "neighbourhood_id", "category_id"
            ):
                expected.setdefault((hood, cat), Counter())[label] += 1
        assert {k: +v for k, v in got.items() if +v} == expected
    if persona == "outsider":
        assert got == {}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["regisseur", "wijkagent", "outsider"])
def test_hour_of_week_counts_are_local_hours(
    world: World, spread: list[Signal], persona: str
) -> None:
    viewer = _viewer(world, persona)
    period = PERIODS["ragged"]
    got = hour_of_week_counts(viewer, SignalFilters(), period)
    expected: Counter[tuple[int, int]] = Counter()
    for instant in (
        signals_visible_to(viewer)
        .filter(observed_at__gte=period[0], observed_at__lt=period[1])
        .values_list("observed_at", flat=True)
    ):
        local = instant.astimezone(AMS)
        expected[(local.hour, local.isoweekday())] += 1
    assert got == expected
    assert (sum(got.values()) > 0) == (persona != "outsider")

"""Duplicate hints: distance and ranking of nearby signals (pure, no Django models).

The selector fetches the candidates (viewer-scoped, prefiltered on the 100 m cell index);
these functions decide which of them are close enough and in what order they are shown.

Distance rules:
- both signals have a point (RD New x/y): the straight-line distance in metres;
- otherwise, both have an address: the same postcode and house number count as distance 0
  (letter and addition are ignored: they are the same entrance as often as not), a different
  address is not compared;
- a signal with only a buurt is never compared: a buurt is too coarse to call two signals
  the same.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

from wijkregie.lib.geo import CELL_SIZE_M


@dataclass(frozen=True)
class Place:
    """Where a signal is, as far as duplicate hints are concerned."""

    x: float | None = None
    y: float | None = None
    postcode: str = ""
    huisnummer: int | None = None

    @property
    def has_point(self) -> bool:
        return self.x is not None and self.y is not None

    @property
    def has_address(self) -> bool:
        return bool(self.postcode) and self.huisnummer is not None

    @property
    def comparable(self) -> bool:
        return self.has_point or self.has_address


@dataclass(frozen=True)
class Candidate:
    id: int
    place: Place
    observed_at: dt.datetime


@dataclass(frozen=True)
class Hint:
    id: int
    distance_m: float
    days_apart: float


def distance_m(a: Place, b: Place) -> float | None:
    """Metres between two places, or None where the rules above do not compare them."""
    if a.has_point and b.has_point:
        assert a.x is not None and a.y is not None and b.x is not None and b.y is not None
        return math.hypot(a.x - b.x, a.y - b.y)
    if a.has_address and b.has_address:
        same = a.postcode == b.postcode and a.huisnummer == b.huisnummer
        return 0.0 if same else None
    return None


def cell_range(x: float, y: float, radius_m: float) -> tuple[int, int, int, int]:
    """(min cell x, max cell x, min cell y, max cell y) covering a circle around (x, y)."""
    return (
        math.floor((x - radius_m) / CELL_SIZE_M),
        math.floor((x + radius_m) / CELL_SIZE_M),
        math.floor((y - radius_m) / CELL_SIZE_M),
        math.floor((y + radius_m) / CELL_SIZE_M),
    )


def rank_hints(
    origin: Place,
    observed_at: dt.datetime,
    candidates: Iterable[Candidate],
    *,
    radius_m: float,
    window: dt.timedelta,
    limit: int = 10,
) -> list[Hint]:
    """Candidates within `radius_m` and `window` (before or after), closest first.

    Ties are broken by time (closest in time first), then by id, so the order is stable.
    """
    found: list[tuple[float, float, int]] = []
    for candidate in candidates:
        apart = abs(candidate.observed_at - observed_at)
        if apart > window:
            continue
        distance = distance_m(origin, candidate.place)
        if distance is None or distance > radius_m:
            continue
        found.append((distance, apart.total_seconds(), candidate.id))
    found.sort()
    return [
        Hint(id=pk, distance_m=distance, days_apart=seconds / 86400)
        for distance, seconds, pk in found[:limit]
    ]

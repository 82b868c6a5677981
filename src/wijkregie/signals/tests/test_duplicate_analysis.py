"""Pure distance and ranking rules of duplicate hints (no database)."""

from __future__ import annotations

import datetime as dt

from wijkregie.signals.analysis import Candidate, Place, cell_range, distance_m, rank_hints

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
HERE = Place(x=155_250.0, y=463_250.0, postcode="1234AB", huisnummer=12)


def test_points_are_measured_in_metres() -> None:
    assert distance_m(HERE, Place(x=155_280.0, y=463_290.0)) == 50.0


def test_a_point_wins_over_an_address() -> None:
    # both have a point: the address does not make them the same place
    far = Place(x=156_250.0, y=463_250.0, postcode="1234AB", huisnummer=12)
    assert distance_m(HERE, far) == 1000.0


def test_same_address_without_a_point_is_distance_zero() -> None:
    assert distance_m(HERE, Place(postcode="1234AB", huisnummer=12)) == 0.0
    assert distance_m(Place(postcode="1234AB", huisnummer=12), HERE) == 0.0
    assert distance_m(HERE, Place(postcode="1234AB", huisnummer=14)) is None
    assert distance_m(HERE, Place(postcode="1234AC", huisnummer=12)) is None


def test_buurt_only_is_never_compared() -> None:
    assert distance_m(HERE, Place()) is None
    assert distance_m(Place(), Place()) is None
    assert not Place().comparable
    # a point on one side and only an address on the other cannot be compared either
    assert distance_m(Place(x=1.0, y=2.0), Place(postcode="1234AB", huisnummer=12)) is None


def test_cell_range_covers_the_circle() -> None:
    assert cell_range(155_250.0, 463_250.0, 50) == (1552, 1553, 4632, 4633)
    assert cell_range(155_250.0, 463_250.0, 30) == (1552, 1552, 4632, 4632)
    assert cell_range(155_298.0, 463_202.0, 1) == (1552, 1552, 4632, 4632)
    assert cell_range(155_299.5, 463_200.5, 1) == (1552, 1553, 4631, 4632)


def candidate(pk: int, place: Place, days: float = 0) -> Candidate:
    return Candidate(id=pk, place=place, observed_at=NOW + dt.timedelta(days=days))


def test_rank_filters_and_orders_closest_first() -> None:
    candidates = [
        candidate(1, Place(x=155_280.0, y=463_250.0)),  # 30 m
        candidate(2, Place(x=155_300.0, y=463_250.0), days=-3),  # 50 m, inside
        candidate(3, Place(x=155_301.0, y=463_250.0)),  # 51 m, outside
        candidate(4, Place(postcode="1234AB", huisnummer=12), days=5),  # 0 m
        candidate(5, Place(x=155_250.0, y=463_260.0), days=15),  # 10 m, too long ago
        candidate(6, Place()),  # buurt only
        candidate(7, Place(x=155_260.0, y=463_250.0), days=-14),  # 10 m, just inside
    ]
    hints = rank_hints(HERE, NOW, candidates, radius_m=50, window=dt.timedelta(days=14))
    assert [h.id for h in hints] == [4, 7, 1, 2]
    assert [h.distance_m for h in hints] == [0.0, 10.0, 30.0, 50.0]
    assert hints[1].days_apart == 14.0


def test_rank_breaks_ties_by_time_then_id_and_limits() -> None:
    spot = Place(x=155_260.0, y=463_250.0)
    candidates = [candidate(pk, spot, days=(pk % 3)) for pk in range(20, 8, -1)]
    hints = rank_hints(HERE, NOW, candidates, radius_m=50, window=dt.timedelta(days=14), limit=10)
    assert len(hints) == 10
    assert [h.id for h in hints][:4] == [9, 12, 15, 18]  # same day first, then by id

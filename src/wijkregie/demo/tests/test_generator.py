"""The pure generator: determinism, geography, coverage of every code, temporal and spatial shape."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from functools import lru_cache

import numpy as np
import pytest
import shapely

from wijkregie.demo import catalogue as cat
from wijkregie.demo import generator as g

END = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
TZ = zoneinfo.ZoneInfo("Europe/Amsterdam")


@lru_cache(maxsize=4)
def signals(seed: int = 1, n: int = 20_000) -> tuple[g.SignalPlan, g.SignalBatch]:
    plan = g.build_plan(seed=seed, n_signals=n, end=END)
    return plan, g.generate_all(plan)


def local(batch: g.SignalBatch) -> list[dt.datetime]:
    return [dt.datetime.fromtimestamp(t, TZ) for t in batch.observed.tolist()]


def assert_same(a: g.SignalBatch, b: g.SignalBatch) -> None:
    for name in g._ARRAY_FIELDS:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)


def test_same_seed_gives_identical_arrays() -> None:
    first = g.generate_all(g.build_plan(seed=7, n_signals=3_000, end=END))
    second = g.generate_all(g.build_plan(seed=7, n_signals=3_000, end=END))
    assert_same(first, second)


def test_different_seed_differs() -> None:
    first = g.generate_all(g.build_plan(seed=7, n_signals=3_000, end=END))
    other = g.generate_all(g.build_plan(seed=8, n_signals=3_000, end=END))
    assert not np.array_equal(first.uuid_bytes, other.uuid_bytes)
    assert not np.array_equal(first.x, other.x)
    assert g.build_geography(7).outline != g.build_geography(8).outline


def test_batches_do_not_change_the_content() -> None:
    plan = g.build_plan(seed=3, n_signals=4_000, end=END)
    small = list(g.iter_batches(plan, batch_size=500))
    assert len(small) > 5
    assert all(len(b) >= 500 for b in small[:-1])
    assert [b.offset for b in small] == list(np.cumsum([0] + [len(b) for b in small[:-1]]))
    assert_same(g.concat(small), g.generate_all(plan))


def test_exactly_n_signals_and_uuid4() -> None:
    plan, batch = signals()
    assert len(batch) == plan.n_signals == 20_000
    assert len({bytes(row) for row in batch.uuid_bytes}) == len(batch)
    assert set((batch.uuid_bytes[:, 6] >> 4).tolist()) == {4}
    assert len(g.generate_all(g.build_plan(seed=1, n_signals=0, end=END))) == 0


def test_geography_has_cbs_codes_and_partitions_the_city() -> None:
    geography = g.build_geography(1)
    assert len(geography.wijken) == 8
    assert len(geography.buurten) == sum(g.BUURT_COUNTS) == 40
    assert all(re.fullmatch(r"WK9999\d\d", w.code) for w in geography.wijken)
    assert all(re.fullmatch(r"BU9999\d{4}", b.code) for b in geography.buurten)
    assert len({b.name for b in geography.buurten}) == 40
    outline = geography.outline
    minx, miny, maxx, maxy = outline.bounds
    assert 7_000 < maxx - minx < 9_500 and 5_000 < maxy - miny < 7_000  # about 8 x 6 km
    assert abs(outline.centroid.x - g.CENTRE[0]) < 1_000
    union = shapely.union_all([b.geometry for b in geography.buurten])
    assert union.symmetric_difference(outline).area < 10  # m², rounding slivers only
    assert sum(b.geometry.area for b in geography.buurten) == pytest.approx(outline.area, rel=1e-6)
    for wijk in geography.wijken:
        own = [b.geometry for b in geography.buurten if b.parent == wijk.code]
        assert 4 <= len(own) <= 6
        assert wijk.geometry.symmetric_difference(shapely.union_all(own)).area < 1
    focus = [set(f.buurten) for f in geography.focus_areas]
    assert len(focus) == 3
    assert not (focus[0] & focus[1] or focus[0] & focus[2] or focus[1] & focus[2])


def test_every_signal_lies_inside_the_city() -> None:
    plan, batch = signals()
    assert shapely.contains_xy(plan.geography.outline, batch.x, batch.y).all()
    tree = shapely.STRtree([b.geometry for b in plan.geography.buurten])
    points, _ = tree.query(shapely.points(batch.x, batch.y), predicate="within")
    assert len(set(points.tolist())) == len(batch)


def test_every_code_is_used() -> None:
    _, batch = signals()
    assert set(batch.channel.tolist()) == set(range(len(cat.CHANNELS)))
    grades = set(
        zip(batch.source_reliability.tolist(), batch.info_reliability.tolist(), strict=True)
    )
    assert grades == {(s, i) for s in range(4) for i in range(4)}  # A1 .. X4
    assert set(batch.handling.tolist()) == set(range(len(cat.HANDLING_CODES)))
    assert set(batch.location_kind.tolist()) == set(range(len(cat.LOCATION_KINDS)))
    assert set(batch.status.tolist()) == set(range(len(cat.STATUSES)))
    assert set(batch.category.tolist()) == set(range(len(cat.CATEGORIES)))
    assert {code for code, _ in cat.DOMAINS} == {m.domain for m in cat.MAIN_CATEGORIES}


def test_owner_fits_the_category() -> None:
    plan, batch = signals()
    for c, spec in enumerate(cat.CATEGORIES):
        owners = {plan.org_slugs[o] for o in batch.owner[batch.category == c].tolist()}
        assert owners <= {slug for slug, _ in spec.owners}, spec.code
    police_only = batch.category == cat.CATEGORY_INDEX["woninginbraak"]
    assert {plan.org_slugs[o] for o in batch.owner[police_only].tolist()} == {"politie"}


def test_status_history_is_consistent() -> None:
    plan, batch = signals()
    has_history = batch.history_to[:, 0] >= 0
    open_ = cat.STATUSES.index("open")
    # Non-open statuses always have a history; its last step is the current status.
    assert has_history[batch.status != open_].all()
    last = np.array([row[row >= 0][-1] if (row >= 0).any() else -1 for row in batch.history_to])
    np.testing.assert_array_equal(last[has_history], batch.status[has_history])
    # Transitions happen after registration, in order, and not in the future.
    steps = batch.history_to >= 0
    assert (batch.history_at[steps] <= plan.grid.end).all()
    assert (batch.history_at[:, 0][has_history] >= batch.registered[has_history]).all()
    second = steps[:, 1]
    assert (batch.history_at[second, 1] > batch.history_at[second, 0]).all()
    assert (batch.registered >= batch.observed).all()
    assert (batch.observed < plan.grid.end).all()
    assert plan.grid.end - batch.observed.min() <= g.YEAR_DAYS * g.DAY


def test_weekly_and_daily_rhythm() -> None:
    _, batch = signals()
    when = local(batch)
    weekend = np.array([t.weekday() >= 5 for t in when])
    evening = np.array([t.hour >= 18 for t in when])
    rhythm = np.array([cat.CATEGORIES[c].rhythm for c in batch.category.tolist()])
    nuisance = rhythm == "nuisance"
    office = rhythm == "office"
    uniform_weekend = 2 / 7
    assert weekend[nuisance].mean() > 1.2 * uniform_weekend
    assert weekend[office].mean() < 0.3 * uniform_weekend
    assert evening[nuisance].mean() > 1.5 * (6 / 24)
    assert evening[office].mean() < 0.5 * (6 / 24)


def test_seasonal_rhythm() -> None:
    _, batch = signals()
    month = np.array([t.month for t in local(batch)])
    summer = np.isin(month, [6, 7, 8])
    winter = np.isin(month, [12, 1, 2])
    nuisance = np.isin(batch.category, [cat.CATEGORY_INDEX["overlast-jeugd"]])
    burglary = batch.category == cat.CATEGORY_INDEX["woninginbraak"]
    school = batch.category == cat.CATEGORY_INDEX["relatief-verzuim"]
    assert (nuisance & summer).sum() > 1.3 * (nuisance & winter).sum()
    assert (burglary & winter).sum() > 1.2 * (burglary & summer).sum()
    august = month == 8
    march = month == 3
    assert (school & august).sum() < 0.5 * (school & march).sum()  # summer holiday


def test_hotspots_cluster_in_space_and_time() -> None:
    plan, batch = signals()
    in_hotspot = batch.hotspot >= 0
    assert 0.15 < in_hotspot.mean() < 0.3
    # Spatial clustering: the busiest 2 % of 100 m cells hold far more than 2 % of signals.
    cells = np.floor(batch.x / 100).astype(np.int64) * 1_000_000 + np.floor(batch.y / 100)
    _, counts = np.unique(cells, return_counts=True)
    n_cells = int(plan.geography.outline.area / 10_000)
    top = np.sort(counts)[::-1][: n_cells // 50]
    assert top.sum() / len(batch) > 3 * 0.02
    # Episodes appear and fade: nothing outside their window, plenty inside.
    grid_start = plan.grid.end - g.YEAR_DAYS * g.DAY
    for s, spot in enumerate(plan.hotspots):
        mine = batch.hotspot == s
        days = (batch.observed[mine] - grid_start) / g.DAY
        assert ((days >= spot.start - 1) & (days <= spot.end + 1)).all()
        if spot.peak_to < g.YEAR_DAYS and spot.start > 0:
            assert mine.sum() > 0
        distance = np.hypot(batch.x[mine] - spot.x, batch.y[mine] - spot.y)
        if mine.sum() > 20:
            assert np.median(distance) < 2 * spot.sigma


def test_catalogue_matches_the_models() -> None:
    from wijkregie.areas.models import SharingPurpose
    from wijkregie.signals.models import (
        HandlingCode,
        InfoReliability,
        SourceChannel,
        SourceReliability,
    )
    from wijkregie.signals.states import Status
    from wijkregie.tenants.models import OrganisationKind, Role

    assert set(cat.CHANNELS) == set(SourceChannel.values)
    assert set(cat.SOURCE_RELIABILITY) == set(SourceReliability.values)
    assert set(cat.INFO_RELIABILITY) == set(InfoReliability.values)
    assert set(cat.HANDLING_CODES) == set(HandlingCode.values)
    assert set(cat.STATUSES) == {s.value for s in Status}
    assert {o.kind for o in cat.ORGANISATIONS} <= set(OrganisationKind.values)
    assert {u.role for u in cat.USERS} == set(Role.values)
    assert {a.purpose for a in cat.AGREEMENTS} <= set(SharingPurpose.values)
    codes = {c.code for c in cat.CATEGORIES}
    assert codes == set(cat.DESCRIPTIONS)
    for agreement in cat.AGREEMENTS:
        assert set(agreement.categories) <= codes
    assert len(cat.ORGANISATIONS) == 8
    # Exactly one partner without any convenant: schuldhulpverlening.
    parties = {p for a in cat.AGREEMENTS for p in a.parties}
    assert {o.slug for o in cat.ORGANISATIONS} - parties == {"schuldhulp"}

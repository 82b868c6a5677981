"""The map's reads: clusters that add up, points only with need-to-know, choropleth classes."""

from __future__ import annotations

import numpy as np
import pytest
from django.http import QueryDict

from wijkregie.analysis import map_selectors as ms
from wijkregie.analysis.models import AreaStatistic
from wijkregie.lib import geo
from wijkregie.privacy.models import AccessEvent
from wijkregie.signals.selectors import SignalFilters, signal_list
from wijkregie.tenants.access import Viewer, viewer_for
from wijkregie.testing.personas import EXPECTED_VISIBLE, World, make_signal

READERS = ["regisseur", "analist", "wijkagent", "corporatie", "jongerenwerker", "outsider"]


def viewer(world: World, persona: str) -> Viewer:
    v = viewer_for(world.users[persona])
    assert v is not None
    return v


# ------------------------------------------------------------------ pure helpers (no database)


def test_cluster_size_doubles_per_zoom_step_out() -> None:
    assert [ms.cluster_size(z) for z in (20, 17, 16, 15, 14, 10)] == [1, 1, 1, 2, 4, 64]
    assert ms.cluster_size(0) == ms.MAX_CLUSTER_CELLS


def test_quantile_breaks_are_values_of_the_data() -> None:
    values = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]
    breaks = ms.quantile_breaks(values, classes=4)
    assert breaks == [2.0, 4.0, 6.0, 8.0]
    assert [ms.classify(v, breaks) for v in values] == [0, 1, 1, 2, 2, 3, 3, 4, 4]
    # Ties collapse: fewer classes, never empty ones.
    assert ms.quantile_breaks([3.0, 3.0, 3.0]) == [3.0]
    assert ms.quantile_breaks([0.0, float("nan")]) == []
    assert ms.classify(5.0, []) == 0


def test_rate_per_thousand() -> None:
    assert ms.rate_per_thousand(3, 1500) == 2.0
    assert ms.rate_per_thousand(1, 3000) == 0.3
    assert ms.rate_per_thousand(4, None) is None
    assert ms.rate_per_thousand(4, 0) is None


def test_map_query_round_trips_through_the_url() -> None:
    url = "from=2026-01-01&to=2026-03-31&domain=veiligheid&category=overlast&source=street"
    url += "&area=BU99990101&alpha=0.01&layers=&layers=hotspots&layers=focus-areas&status=open"
    query = ms.MapQuery.from_query(QueryDict(url))
    assert query.errors == {}
    assert query.layers == ("hotspots", "focus-areas")
    assert query.alpha == "0.01"
    # status is not a map filter: dropped; the rest comes back as it went in.
    assert query.as_query() == {
        "from": "2026-01-01",
        "to": "2026-03-31",
        "domain": "veiligheid",
        "category": "overlast",
        "source": "street",
        "area": "BU99990101",
        "alpha": "0.01",
    }
    assert ms.MapQuery.from_query(QueryDict("")).layers == ms.LAYERS
    assert ms.MapQuery.from_query(QueryDict("layers=")).layers == ()
    assert ms.MapQuery.from_query(QueryDict("layers=signals,hotspots")).layers == (
        "signals",
        "hotspots",
    )


def test_map_query_reports_every_bad_value() -> None:
    query = ms.MapQuery.from_query(QueryDict("from=gisteren&source=x&alpha=0.5&layers=kaas"))
    assert sorted(query.errors) == ["alpha", "from", "layers", "source"]
    assert query.alpha == ms.DEFAULT_ALPHA


# ------------------------------------------------------------------------------- clusters


@pytest.mark.parametrize("persona", READERS)
@pytest.mark.parametrize("zoom", [8, 13, 16])
def test_clusters_add_up_to_the_visible_signals(world: World, persona: str, zoom: int) -> None:
    v = viewer(world, persona)
    result = ms.signal_clusters(viewer=v, zoom=zoom)
    assert result.points == []
    assert sum(c.count for c in result.clusters) == result.signals
    assert result.signals + result.without_location == len(EXPECTED_VISIBLE[persona])
    assert result.signals + result.without_location == signal_list(viewer=v).count()
    for c in result.clusters:
        assert c.cell_x % result.size == 0 and c.cell_y % result.size == 0


def test_clusters_follow_the_list_filters(world: World) -> None:
    for buurt in ("01", "01", "03"):
        make_signal(world, owner="corporatie", category="woonfraude", buurt=buurt)
    v = viewer(world, "corporatie")
    for params in ({"category": "woonfraude"}, {"area": "BU99990101"}, {"domain": "wonen"}):
        filters = SignalFilters.from_query(params)
        result = ms.signal_clusters(viewer=v, filters=filters, zoom=16)
        expected = signal_list(viewer=v, filters=filters).count()
        assert result.signals + result.without_location == expected, params
    woonfraude = ms.signal_clusters(
        viewer=v, filters=SignalFilters.from_query({"category": "woonfraude"}), zoom=16
    )
    assert sorted(c.count for c in woonfraude.clusters) == [1, 3]


def test_a_cluster_sits_at_the_weighted_mean_of_its_cells(world: World) -> None:
    v = viewer(world, "regisseur")
    # Regisseur sees police_shared (buurt 01) and gemeente_own (buurt 04): 3 km apart.
    near = ms.signal_clusters(viewer=v, zoom=16)
    assert sorted(c.count for c in near.clusters) == [1, 1]
    far = ms.signal_clusters(viewer=v, zoom=4)  # one cluster of ~100 km
    (one,) = far.clusters
    assert one.count == 2
    cells = [
        (world.signals[k].cell_x, world.signals[k].cell_y)
        for k in ("police_shared", "gemeente_own")
    ]
    x = (np.mean([c[0] for c in cells]) + 0.5) * geo.CELL_SIZE_M
    y = (np.mean([c[1] for c in cells]) + 0.5) * geo.CELL_SIZE_M
    lat, lon = geo.rd_to_wgs84(float(x), float(y))
    assert (one.lat, one.lon) == (round(lat, 6), round(lon, 6))


def _box_around(world: World, buurt: str) -> ms.BBox:
    hood = world.buurten[buurt]
    assert hood.rd_min_x is not None and hood.rd_min_y is not None
    lat0, lon0 = geo.rd_to_wgs84(hood.rd_min_x, hood.rd_min_y)
    lat1, lon1 = geo.rd_to_wgs84(hood.rd_min_x + 1000, hood.rd_min_y + 1000)
    return ms.BBox(lon0, lat0, lon1, lat1)


def test_the_box_limits_the_clusters(world: World) -> None:
    v = viewer(world, "wijkagent")  # police signals in buurten 01, 02 and 03
    result = ms.signal_clusters(viewer=v, zoom=16, bbox=_box_around(world, "03"))
    assert [c.count for c in result.clusters] == [1]
    assert result.signals == 1


def test_points_close_up_for_need_to_know_with_an_access_event(world: World) -> None:
    v = viewer(world, "wijkagent")
    before = AccessEvent.objects.count()
    result = ms.signal_clusters(viewer=v, zoom=18, bbox=_box_around(world, "01"))
    assert result.clusters == []
    assert {p.uuid for p in result.points} == {str(world.signals["police_shared"].uuid)}
    assert AccessEvent.objects.count() == before + 1
    event = AccessEvent.objects.latest("id")
    assert (event.object_type, event.object_id, event.detail) == ("signal", "map", "1 points")
    # Without a box (the whole municipality) no points, whatever the zoom.
    assert ms.signal_clusters(viewer=v, zoom=18).points == []


def test_analysts_never_get_points(world: World) -> None:
    v = viewer(world, "analist")
    before = AccessEvent.objects.count()
    for zoom in (17, 18, 22):
        result = ms.signal_clusters(viewer=v, zoom=zoom, bbox=_box_around(world, "01"))
        assert result.points == []
        assert [c.count for c in result.clusters] == [1]
    assert AccessEvent.objects.count() == before


def test_too_many_points_give_clusters(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ms, "MAX_POINTS", 2)
    for _ in range(3):
        make_signal(world, owner="politie", category="overlast-jeugd", buurt="01")
    v = viewer(world, "wijkagent")
    result = ms.signal_clusters(viewer=v, zoom=18, bbox=_box_around(world, "01"))
    assert result.points == [] and [c.count for c in result.clusters] == [4]


def test_analysts_get_small_cluster_counts_suppressed(world: World) -> None:
    for _ in range(5):
        make_signal(world, owner="gemeente", category="woonfraude", buurt="02")
    analyst = ms.signal_clusters(viewer=viewer(world, "analist"), zoom=16)
    regisseur = ms.signal_clusters(viewer=viewer(world, "regisseur"), zoom=16)
    assert analyst.threshold == 5 and regisseur.threshold == 0
    assert sorted((c.count, c.suppressed) for c in analyst.clusters) == [
        (1, True),
        (1, True),
        (5, False),
    ]
    assert not any(c.suppressed for c in regisseur.clusters)


# ----------------------------------------------------------------------------- choropleth


def test_choropleth_counts_by_buurt_without_cbs_figures(world: World) -> None:
    result = ms.buurt_choropleth(viewer=viewer(world, "wijkagent"))
    assert result.measure == "count" and result.year is None
    counts = {b.code: b.count for b in result.buurten}
    assert counts == {"BU99990101": 1, "BU99990102": 1, "BU99990201": 1, "BU99990202": 0}
    assert result.breaks == [1.0]
    assert {b.code: b.klass for b in result.buurten}["BU99990202"] == 0
    assert result.signals == 3


def test_choropleth_rates_per_thousand_and_classes(world: World) -> None:
    for code, residents in (("BU99990101", 2000), ("BU99990102", 500), ("BU99990201", 4000)):
        AreaStatistic.objects.create(code=code, kind="buurt", year=2024, residents=residents)
    AreaStatistic.objects.create(code="BU99990101", kind="buurt", year=2023, residents=10)
    for _ in range(3):
        make_signal(world, owner="politie", category="woonfraude", buurt="02")
    result = ms.buurt_choropleth(viewer=viewer(world, "wijkagent"))
    assert result.measure == "rate" and result.year == 2024
    by_code = {b.code: b for b in result.buurten}
    assert by_code["BU99990101"].rate == 0.5  # 1 / 2000
    assert by_code["BU99990102"].rate == 8.0  # 4 / 500
    assert by_code["BU99990201"].rate == 0.2  # 1 / 4000
    assert by_code["BU99990202"].rate is None and by_code["BU99990202"].klass is None
    assert result.breaks == [0.2, 0.5, 8.0]
    assert [by_code[c].klass for c in ("BU99990201", "BU99990101", "BU99990102")] == [1, 2, 3]


def test_choropleth_suppresses_small_counts_for_analysts(world: World) -> None:
    AreaStatistic.objects.create(code="BU99990101", kind="buurt", year=2024, residents=1000)
    for _ in range(6):
        make_signal(world, owner="gemeente", category="woonfraude", buurt="03")
    result = ms.buurt_choropleth(viewer=viewer(world, "analist"))
    by_code = {b.code: b for b in result.buurten}
    # police_shared in 01 (1 signal): suppressed, so no rate and no class either.
    assert by_code["BU99990101"].suppressed and by_code["BU99990101"].rate is None
    assert by_code["BU99990101"].klass is None
    assert not by_code["BU99990201"].suppressed and by_code["BU99990201"].count == 6
    assert by_code["BU99990102"].count == 0 and not by_code["BU99990102"].suppressed


def test_outsider_choropleth_has_nothing_of_demodam(world: World) -> None:
    result = ms.buurt_choropleth(viewer=viewer(world, "outsider"))
    assert result.buurten == [] and result.signals == 0
    assert ms.focus_area_figures(viewer=viewer(world, "outsider")) == []


# ---------------------------------------------------------------------------- focus areas


@pytest.mark.parametrize("persona", ["regisseur", "wijkagent", "corporatie", "jongerenwerker"])
def test_focus_area_counts_its_buurten(world: World, persona: str) -> None:
    (noord,) = ms.focus_area_figures(viewer=viewer(world, persona))
    assert noord.name == "Noord" and noord.buurt_codes == ["BU99990101", "BU99990102"]
    in_noord = {
        k
        for k in EXPECTED_VISIBLE[persona]
        if world.signals[k].neighbourhood_id in {world.buurten["01"].pk, world.buurten["02"].pk}
    }
    assert noord.count == len(in_noord)
    assert noord.outline is not None and noord.outline["type"] == "Polygon"
    # The union of two adjacent 1 km squares: one ring around 2 km x 1 km.
    lons = [p[0] for p in noord.outline["coordinates"][0]]
    lats = [p[1] for p in noord.outline["coordinates"][0]]
    x0, y0 = geo.wgs84_to_rd(min(lats), min(lons))
    x1, y1 = geo.wgs84_to_rd(max(lats), max(lons))
    assert abs((x1 - x0) - 2000) < 30 and abs((y1 - y0) - 1000) < 30

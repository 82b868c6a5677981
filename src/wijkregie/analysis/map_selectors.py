"""Viewer-scoped reads for the analysis map (/kaart/ and /api/v1/analysis/map/...).

Every layer starts from the one visibility policy (`signals.selectors.signals_visible_to` and
`apply_filters`), so a count on the map equals what the signal list shows for the same filters:

- clusters: the visible signals aggregated in the database on a grid of whole 100 m cells whose
  size doubles per zoom step out (`cluster_size`), so a million signals become a few hundred
  rows; each cluster sits at the count-weighted mean of its cells' centres (never at a
  signal's own point). Individual points only at close zoom, inside a bounding box, and only
  for viewers with need-to-know (`not viewer.pseudonymised`); reading them is logged.
- choropleth: visible signals per buurt, residents from CBS (`AreaStatistic`, latest year),
  the rate per 1,000 residents and quantile classes (`quantile_breaks`, `classify`).
- focus areas: the outline of each focus area (the union of its buurten) and its count.

Small counts (0 < n < settings.SMALL_COUNT_THRESHOLD) are suppressed for pseudonymised
viewers, as in `analysis.selectors.hotspot_cells`: the value is withheld (None), a suppressed
buurt gets no class and no rate (a rate with a known denominator would give the count away).
"""

from __future__ import annotations

import bisect
import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from django.db.models import Count, F, IntegerField, Sum
from django.db.models.expressions import ExpressionWrapper
from django.utils.translation import gettext_lazy as _
from shapely.geometry import mapping, shape

from wijkregie.analysis.gistar import COLD, HOT, NONE, GiStarResult
from wijkregie.analysis.models import RegionKind
from wijkregie.analysis.selectors import HotspotCells, area_statistics, hotspot_cells, latest_year
from wijkregie.areas.selectors import focus_area_list, neighbourhood_list
from wijkregie.lib import geo
from wijkregie.privacy.models import AccessAction
from wijkregie.privacy.services import log_access
from wijkregie.signals.models import SourceChannel
from wijkregie.signals.selectors import (
    SignalFilters,
    apply_filters,
    signal_counts_by_neighbourhood,
    signals_visible_to,
)
from wijkregie.tenants.access import Viewer

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# ---------------------------------------------------------------------------------------------
# What the map's URL holds (web page and API alike)

SIGNALS = "signals"
HOTSPOTS = "hotspots"
NEIGHBOURHOODS = "neighbourhoods"
FOCUS_AREAS = "focus-areas"
LAYERS: tuple[str, ...] = (SIGNALS, HOTSPOTS, NEIGHBOURHOODS, FOCUS_AREAS)
LAYER_LABELS: dict[str, StrOrPromise] = {
    SIGNALS: _("Signalen (gebundeld)"),
    HOTSPOTS: _("Hotspots (cellen van 100 m)"),
    NEIGHBOURHOODS: _("Buurten (signalen per 1.000 inwoners)"),
    FOCUS_AREAS: _("Focusgebieden"),
}
# The filters of the map: period, subject, source and area (no status, no text search).
MAP_FILTER_KEYS = ("from", "to", "domain", "category", "source", "area")
ALPHAS = ("0.01", "0.05", "0.1")
DEFAULT_ALPHA = "0.05"
# Multiple-testing correction of the hot spot layer: Benjamini-Hochberg FDR (the default), or
# off: every cell on its own at p < alpha, uncorrected (many false hot spots by chance: with
# 10,000 cells and alpha 0.05 about 500 cells "light up" on pure noise).
FDR_ON = "on"
FDR_OFF = "off"
FDR_CHOICES = (FDR_ON, FDR_OFF)
DEFAULT_FDR = FDR_ON

# Zoom levels as in web maps (Leaflet, OSM): 0 is the world, 18 a street.
MIN_ZOOM, MAX_ZOOM = 0, 22
# At this zoom and closer a cluster is one 100 m cell; every step out doubles its side.
CELL_ZOOM = 16
MAX_CLUSTER_CELLS = 1024  # ~100 km: one cluster for any municipality
# Individual signals from this zoom on (need-to-know only), at most this many per request.
POINT_ZOOM = 17
MAX_POINTS = 1000
CHOROPLETH_CLASSES = 4


@dataclass
class MapQuery:
    """The map's URL: the list filters it uses, the layers shown and the FDR level."""

    filters: SignalFilters
    layers: tuple[str, ...] = LAYERS
    alpha: str = DEFAULT_ALPHA
    fdr: str = DEFAULT_FDR
    errors: dict[str, StrOrPromise] = field(default_factory=dict)

    @classmethod
    def from_query(cls, params: Any) -> MapQuery:
        """Parse a QueryDict (or a plain mapping). `layers` may repeat or hold a comma list;
        present but empty means "no layers" (a form with every box unticked)."""
        filters = SignalFilters.from_query({k: params.get(k, "") for k in MAP_FILTER_KEYS})
        errors: dict[str, StrOrPromise] = dict(filters.errors)
        layers: tuple[str, ...] = LAYERS
        if "layers" in params:
            raw = params.getlist("layers") if hasattr(params, "getlist") else [params["layers"]]
            asked = [p.strip() for value in raw for p in str(value).split(",") if p.strip()]
            unknown = [p for p in asked if p not in LAYERS]
            if unknown:
                errors["layers"] = _("Onbekende kaartlaag.")
            layers = tuple(layer for layer in LAYERS if layer in asked)
        alpha = (params.get("alpha") or "").strip() or DEFAULT_ALPHA
        if alpha not in ALPHAS:
            errors["alpha"] = _("Kies een foutmarge (FDR) van 0.01, 0.05 of 0.1.")
            alpha = DEFAULT_ALPHA
        fdr = (params.get("fdr") or "").strip() or DEFAULT_FDR
        if fdr not in FDR_CHOICES:
            errors["fdr"] = _("Kies voor de correctie voor meervoudig toetsen aan of uit.")
            fdr = DEFAULT_FDR
        return cls(filters=filters, layers=layers, alpha=alpha, fdr=fdr, errors=errors)

    @property
    def fdr_on(self) -> bool:
        return self.fdr == FDR_ON

    def as_query(self) -> dict[str, str]:
        """The filters, the level and the correction (not the layers), for links and API URLs."""
        query = {k: v for k, v in self.filters.as_query().items() if k in MAP_FILTER_KEYS}
        if self.alpha != DEFAULT_ALPHA:
            query["alpha"] = self.alpha
        if self.fdr != DEFAULT_FDR:
            query["fdr"] = self.fdr
        return query


def suppression_threshold(viewer: Viewer) -> int:
    """Counts 0 < n < this are withheld from the viewer; 0 for viewers with need-to-know."""
    return viewer.small_count_threshold


def is_suppressed(count: int, threshold: int) -> bool:
    return 0 < count < threshold


def _visible(viewer: Viewer, filters: SignalFilters | None) -> Any:
    qs = signals_visible_to(viewer)
    if filters is not None:
        qs = apply_filters(qs, viewer, filters)
    return qs


# ---------------------------------------------------------------------------------------------
# Clusters and points


def cluster_size(zoom: int) -> int:
    """Side of a cluster in 100 m cells at this zoom: 1 at CELL_ZOOM and closer, doubling
    with every zoom step out (a cluster stays about the same size on the screen)."""
    return int(min(MAX_CLUSTER_CELLS, 2 ** max(0, CELL_ZOOM - zoom)))


@dataclass(frozen=True)
class BBox:
    """A WGS84 box (lon_min, lat_min, lon_max, lat_max) as web maps send it."""

    lon_min: float
    lat_min: float
    lon_max: float
    lat_max: float

    def cell_range(self) -> tuple[int, int, int, int]:
        """The 100 m cells (ix0, ix1, iy0, iy1) that cover the box (inclusive)."""
        corners = [
            geo.wgs84_to_rd(lat, lon)
            for lat in (self.lat_min, self.lat_max)
            for lon in (self.lon_min, self.lon_max)
        ]
        size = geo.CELL_SIZE_M
        return (
            math.floor(min(x for x, _ in corners) / size),
            math.floor(max(x for x, _ in corners) / size),
            math.floor(min(y for _, y in corners) / size),
            math.floor(max(y for _, y in corners) / size),
        )


@dataclass(frozen=True)
class RDBox:
    """An RD New box (x_min, y_min, x_max, y_max) in metres."""

    x_min: float
    y_min: float
    x_max: float
    y_max: float

    def cell_range(self) -> tuple[int, int, int, int]:
        size = geo.CELL_SIZE_M
        return (
            math.floor(self.x_min / size),
            math.floor(self.x_max / size),
            math.floor(self.y_min / size),
            math.floor(self.y_max / size),
        )


@dataclass(frozen=True)
class Cluster:
    lat: float
    lon: float
    count: int  # the true count
    suppressed: bool  # withheld from this viewer
    cell_x: int  # the cluster's lower-left 100 m cell
    cell_y: int


@dataclass(frozen=True)
class MapPoint:
    uuid: str
    lat: float
    lon: float
    category: str


@dataclass(frozen=True)
class Clusters:
    zoom: int
    size: int  # cluster side in 100 m cells
    clusters: list[Cluster]
    points: list[MapPoint]  # individual signals instead of clusters (need-to-know, close zoom)
    signals: int  # visible signals on the map (in the box when one was given)
    without_location: int  # visible signals without a 100 m cell (never on a map)
    threshold: int


def signal_clusters(
    *,
    viewer: Viewer,
    filters: SignalFilters | None = None,
    zoom: int = 12,
    bbox: BBox | RDBox | None = None,
) -> Clusters:
    """The viewer's visible signals as clusters (or, close up and with need-to-know, points).

    One GROUP BY over integer cell columns (`cell_x / k`, `cell_y / k`; RD cells are positive,
    so integer division is the floor) that returns count and the sums of the cell indices per
    cluster; nothing per signal leaves the database unless points are asked for.
    """
    qs = _visible(viewer, filters)
    without_location = qs.filter(cell_x__isnull=True).order_by().count()
    located = qs.filter(cell_x__isnull=False, cell_y__isnull=False)
    if bbox is not None:
        ix0, ix1, iy0, iy1 = bbox.cell_range()
        located = located.filter(cell_x__gte=ix0, cell_x__lte=ix1, cell_y__gte=iy0, cell_y__lte=iy1)
    threshold = suppression_threshold(viewer)
    if zoom >= POINT_ZOOM and bbox is not None and not viewer.pseudonymised:
        points = _points(viewer, located)
        if points is not None:
            return Clusters(zoom, 1, [], points, len(points), without_location, threshold)
    size = cluster_size(zoom)
    rows = list(
        located.order_by()
        .annotate(
            gx=ExpressionWrapper(F("cell_x") / size, output_field=IntegerField()),
            gy=ExpressionWrapper(F("cell_y") / size, output_field=IntegerField()),
        )
        .values("gx", "gy")
        .annotate(n=Count("id"), sx=Sum("cell_x"), sy=Sum("cell_y"))
        .values_list("gx", "gy", "n", "sx", "sy")
    )
    rows.sort(key=lambda r: (r[0], r[1]))
    table = np.array(rows, dtype=np.float64).reshape(-1, 5)
    n = table[:, 2]
    safe = np.maximum(n, 1)
    # Count-weighted mean of the cells' centres, in RD metres.
    x = (table[:, 3] / safe + 0.5) * geo.CELL_SIZE_M
    y = (table[:, 4] / safe + 0.5) * geo.CELL_SIZE_M
    lat, lon = geo.rd_to_wgs84_arrays(x, y)
    clusters = [
        Cluster(
            lat=round(float(la), 6),
            lon=round(float(lo), 6),
            count=int(count),
            suppressed=is_suppressed(int(count), threshold),
            cell_x=int(gx) * size,
            cell_y=int(gy) * size,
        )
        for gx, gy, count, la, lo in zip(
            table[:, 0], table[:, 1], n, np.atleast_1d(lat), np.atleast_1d(lon), strict=True
        )
    ]
    total = int(n.sum())
    return Clusters(zoom, size, clusters, [], total, without_location, threshold)


def _points(viewer: Viewer, located: Any) -> list[MapPoint] | None:
    """Up to MAX_POINTS signals with their point; None when there are more (clusters then).
    A read of exact locations: one access event with the number of points."""
    rows = list(
        located.filter(lat__isnull=False, lon__isnull=False)
        .order_by("-observed_at", "-id")
        .values_list("uuid", "lat", "lon", "category__name")[: MAX_POINTS + 1]
    )
    if len(rows) > MAX_POINTS:
        return None
    log_access(
        viewer=viewer,
        action=AccessAction.READ,
        object_type="signal",
        object_id="map",
        granted=True,
        purpose="kaart",
        detail=f"{len(rows)} points",
    )
    return [
        MapPoint(uuid=str(u), lat=round(float(a), 6), lon=round(float(o), 6), category=str(c))
        for u, a, o, c in rows
    ]


# ---------------------------------------------------------------------------------------------
# Hot spots: Gi* on the whole study area, the response trimmed afterwards


def uncorrected(result: GiStarResult) -> GiStarResult:
    """The same Gi* with every cell judged on its own: significant when p < alpha, without a
    correction for multiple testing (pure; z and p are unchanged)."""
    with np.errstate(invalid="ignore"):
        significant = np.asarray(result.p_value < result.alpha, dtype=bool)  # NaN: False
    classes = np.full(result.z.size, NONE, dtype="<U4")
    classes[significant & (result.z > 0)] = HOT
    classes[significant & (result.z < 0)] = COLD
    return dataclasses.replace(result, significant=significant, classes=classes)


def map_hotspots(
    *,
    viewer: Viewer,
    filters: SignalFilters | None = None,
    alpha: float = float(DEFAULT_ALPHA),
    fdr: bool = True,
) -> HotspotCells:
    """`analysis.selectors.hotspot_cells` (Gi* over every cell of the study area, Benjamini-
    Hochberg at alpha), or with `fdr=False` the uncorrected per-cell decision p < alpha.
    Always computed on the whole study area: neighbours and the FDR depend on every cell, so
    trimming (`hotspot_selection`) only ever happens to the result."""
    cells = hotspot_cells(viewer=viewer, filters=filters, alpha=alpha)
    if fdr:
        return cells
    return dataclasses.replace(cells, result=uncorrected(cells.result))


def hotspot_selection(
    cells: HotspotCells,
    *,
    cell_range: tuple[int, int, int, int] | None = None,
    classified_only: bool = True,
) -> np.ndarray:
    """Indices (ascending) of the cells to send: inside `cell_range` (ix0, ix1, iy0, iy1,
    inclusive) when given, and only hot or cold cells when `classified_only`."""
    keep = np.ones(cells.ix.size, dtype=bool)
    if cell_range is not None:
        ix0, ix1, iy0, iy1 = cell_range
        keep &= (cells.ix >= ix0) & (cells.ix <= ix1) & (cells.iy >= iy0) & (cells.iy <= iy1)
    if classified_only:
        keep &= cells.result.classes != NONE
    return np.flatnonzero(keep)


# ---------------------------------------------------------------------------------------------
# Choropleth: pure helpers (no database)


def quantile_breaks(values: Sequence[float], classes: int = CHOROPLETH_CLASSES) -> list[float]:
    """Upper bounds of up to `classes` quantile classes of the positive values, ascending and
    distinct; each bound is one of the values (so a value equal to a bound falls in that
    class). Empty when no value is positive."""
    v = np.asarray(values, dtype=np.float64)
    v = np.sort(v[np.isfinite(v) & (v > 0)])
    if v.size == 0:
        return []
    quantiles = np.linspace(0, 1, classes + 1)[1:]
    bounds = np.quantile(v, quantiles, method="inverted_cdf")
    return sorted({float(b) for b in bounds})


def classify(value: float, breaks: Sequence[float]) -> int:
    """0 for no signals, else 1 + the index of the first upper bound >= value."""
    if value <= 0 or not breaks:
        return 0
    return 1 + min(bisect.bisect_left(list(breaks), value), len(breaks) - 1)


def rate_per_thousand(count: int, residents: int | None) -> float | None:
    """Signals per 1,000 residents, one decimal; None without a known population."""
    if not residents:
        return None
    return round(1000.0 * count / residents, 1)


@dataclass(frozen=True)
class BuurtFigure:
    code: str
    name: str
    boundary: dict[str, Any] | None
    count: int  # the true count
    suppressed: bool
    residents: int | None
    rate: float | None  # per 1,000 residents; None when suppressed or unknown
    klass: int | None  # 0 (none), 1..classes; None when suppressed or not classifiable


@dataclass(frozen=True)
class Choropleth:
    buurten: list[BuurtFigure]
    measure: str  # "rate" (per 1,000 residents) or "count" (no CBS figures at all)
    breaks: list[float]  # upper bounds of classes 1..len(breaks), in `measure`
    year: int | None  # CBS year of the residents
    signals: int  # visible signals with a buurt of the municipality
    threshold: int


def buurt_counts(*, viewer: Viewer, filters: SignalFilters | None = None) -> dict[int, int]:
    """Visible signals per buurt id: one GROUP BY, to share between the layers of a page."""
    return signal_counts_by_neighbourhood(viewer=viewer, filters=filters)


def buurt_choropleth(
    *,
    viewer: Viewer,
    filters: SignalFilters | None = None,
    counts: Mapping[int, int] | None = None,
) -> Choropleth:
    """Every buurt of the viewer's municipality with its visible-signal count, residents,
    rate per 1,000 and class. Without any CBS figures the classes go by count instead.
    `counts`: `buurt_counts` of the same viewer and filters, when the caller has them."""
    if counts is None:
        counts = buurt_counts(viewer=viewer, filters=filters)
    hoods = list(neighbourhood_list(viewer=viewer))
    year = latest_year(RegionKind.BUURT)
    stats = area_statistics([h.code for h in hoods], year) if year is not None else {}
    threshold = suppression_threshold(viewer)
    measure = "rate" if any(s.residents for s in stats.values()) else "count"
    rows = []
    for hood in hoods:
        n = counts.get(hood.pk, 0)
        stat = stats.get(hood.code)
        residents = stat.residents if stat is not None else None
        hidden = is_suppressed(n, threshold)
        rate = None if hidden else rate_per_thousand(n, residents)
        rows.append((hood, n, hidden, residents, rate))
    shown = [
        (rate if measure == "rate" else float(n))
        for _, n, hidden, _, rate in rows
        if not hidden and (rate if measure == "rate" else n) is not None
    ]
    breaks = quantile_breaks([v for v in shown if v is not None])
    buurten = []
    for hood, n, hidden, residents, rate in rows:
        value: float | None = rate if measure == "rate" else float(n)
        klass = None if hidden or value is None else classify(value, breaks)
        buurten.append(
            BuurtFigure(
                code=hood.code,
                name=hood.name,
                boundary=hood.boundary,
                count=n,
                suppressed=hidden,
                residents=residents,
                rate=rate,
                klass=klass,
            )
        )
    return Choropleth(
        buurten=buurten,
        measure=measure,
        breaks=breaks,
        year=year if measure == "rate" else None,
        signals=sum(counts.get(h.pk, 0) for h in hoods),
        threshold=threshold,
    )


# ---------------------------------------------------------------------------------------------
# Focus areas


@dataclass(frozen=True)
class FocusAreaFigure:
    uuid: str
    name: str
    buurt_codes: list[str]
    outline: dict[str, Any] | None  # GeoJSON (Multi)Polygon, the union of its buurten
    count: int
    suppressed: bool


def focus_area_figures(
    *,
    viewer: Viewer,
    filters: SignalFilters | None = None,
    counts: Mapping[int, int] | None = None,
) -> list[FocusAreaFigure]:
    """The focus areas of the viewer's municipality, each with the union of its buurten as
    outline and the visible signals in those buurten, by name (`counts` as for the
    choropleth)."""
    if counts is None:
        counts = buurt_counts(viewer=viewer, filters=filters)
    threshold = suppression_threshold(viewer)
    figures = []
    for area in focus_area_list(viewer=viewer).order_by("name", "id"):
        hoods = sorted(area.neighbourhoods.all(), key=lambda h: h.code)
        shapes = [shape(h.boundary) for h in hoods if h.boundary]
        outline = mapping(shapely.union_all(shapes)) if shapes else None
        n = sum(counts.get(h.pk, 0) for h in hoods)
        figures.append(
            FocusAreaFigure(
                uuid=str(area.uuid),
                name=area.name,
                buurt_codes=[h.code for h in hoods],
                outline=_plain(outline) if outline is not None else None,
                count=n,
                suppressed=is_suppressed(n, threshold),
            )
        )
    return figures


def _plain(value: Any) -> Any:
    """Shapely's mapping() holds tuples; GeoJSON wants lists (6 decimals, ~0.1 m)."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float):
        return round(value, 6)
    return value


def source_choices() -> list[tuple[str, StrOrPromise]]:
    return [(value, label) for value, label in SourceChannel.choices]

"""Reads for the analysis pages and API.

CBS neighbourhood statistics (`area_statistics`, `latest_year`) are open data without
personal data and without a tenant, so those selectors take no viewer (like
`addresses.selectors`). Signal figures (`signal_cell_counts`, `hotspot_cells`) always take the
viewer and count only the signals the one visibility policy lets them see.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from django.db.models import Count, Max
from shapely.geometry import shape

from wijkregie.analysis.gistar import GiStarResult, gi_star_grid
from wijkregie.analysis.grid import GridCounts, IntArray
from wijkregie.analysis.models import AreaStatistic
from wijkregie.areas.models import Neighbourhood, NeighbourhoodKind
from wijkregie.areas.selectors import buurt_ids_at
from wijkregie.lib import geo
from wijkregie.signals.selectors import SignalFilters, apply_filters, signals_visible_to
from wijkregie.tenants.access import Viewer

_CHUNK = 500


@dataclass(frozen=True)
class AreaStats:
    code: str
    kind: str
    year: int
    residents: int | None
    households: int | None
    values: dict[str, Any] = field(default_factory=dict)


def area_statistics(codes: Iterable[str], year: int) -> dict[str, AreaStats]:
    """Code -> figures of that year; codes without figures are absent. Codes as in the file."""
    wanted = sorted({c.strip().upper() for c in codes if c and c.strip()})
    found: dict[str, AreaStats] = {}
    for start in range(0, len(wanted), _CHUNK):
        rows = AreaStatistic.objects.filter(code__in=wanted[start : start + _CHUNK], year=year)
        for row in rows:
            found[row.code] = AreaStats(
                code=row.code,
                kind=row.kind,
                year=row.year,
                residents=row.residents,
                households=row.households,
                values=dict(row.values or {}),
            )
    return found


def latest_year(kind: str | None = None) -> int | None:
    """The most recent year with figures (of that region kind), or None when there are none."""
    rows = AreaStatistic.objects.all()
    if kind is not None:
        rows = rows.filter(kind=kind)
    year = rows.aggregate(latest=Max("year"))["latest"]
    return int(year) if year is not None else None


def signal_cell_counts(*, viewer: Viewer, filters: SignalFilters | None = None) -> GridCounts:
    """The viewer's visible signals per 100 m cell (cell_x, cell_y), occupied cells only.

    Same visibility policy and filters as the signal list (`signals.selectors`), so the
    counts add up to what the list shows (signals without a cell are not counted). One
    GROUP BY query; the result is sorted by (cell_x, cell_y).
    """
    qs = signals_visible_to(viewer)
    if filters is not None:
        qs = apply_filters(qs, viewer, filters)
    rows = list(
        qs.filter(cell_x__isnull=False, cell_y__isnull=False)
        .order_by()
        .values("cell_x", "cell_y")
        .annotate(n=Count("id"))
        .values_list("cell_x", "cell_y", "n")
    )
    table = np.array(rows, dtype=np.int64).reshape(-1, 3)
    order = np.lexsort((table[:, 1], table[:, 0]))
    table = table[order]
    return GridCounts(table[:, 0].copy(), table[:, 1].copy(), table[:, 2].copy())


@dataclass(frozen=True)
class _StudyArea:
    version: tuple[int, str]
    ix: IntArray
    iy: IntArray


_study_areas: dict[int, _StudyArea] = {}
_study_lock = threading.Lock()


def study_area_cells(municipality_id: int) -> tuple[IntArray, IntArray]:
    """Every 100 m cell whose centre lies in a buurt of the municipality, sorted by (ix, iy).

    The study area of the hot spot analysis: the same for every viewer and filter, so Gi*
    compares like with like. Computed once per process and municipality (enumerate the cells
    of the buurten's bounding box, one vectorised point-in-polygon through the buurt index
    of `areas.selectors`) and recomputed when a buurt changes (count and latest change).
    """
    qs = Neighbourhood.objects.filter(
        municipality_id=municipality_id, kind=NeighbourhoodKind.BUURT, boundary__isnull=False
    )
    stats = qs.aggregate(n=Count("id"), latest=Max("updated_at"))
    version = (int(stats["n"]), stats["latest"].isoformat() if stats["latest"] else "")
    cached = _study_areas.get(municipality_id)
    if cached is not None and cached.version == version:
        return cached.ix, cached.iy
    empty = np.zeros(0, dtype=np.int64)
    ix, iy = empty, empty.copy()
    geometries = [
        shape(boundary)
        for boundary in qs.values_list("boundary", flat=True)
        if boundary is not None
    ]
    if geometries:
        lon_min, lat_min, lon_max, lat_max = shapely.total_bounds(geometries)
        corners = [
            geo.wgs84_to_rd(lat, lon)
            for lat in (float(lat_min), float(lat_max))
            for lon in (float(lon_min), float(lon_max))
        ]
        size = geo.CELL_SIZE_M
        # One cell of margin: the edges of a lon/lat box are nearly straight in RD.
        x0 = int(np.floor(min(x for x, _ in corners) / size)) - 1
        x1 = int(np.floor(max(x for x, _ in corners) / size)) + 1
        y0 = int(np.floor(min(y for _, y in corners) / size)) - 1
        y1 = int(np.floor(max(y for _, y in corners) / size)) + 1
        gx, gy = np.meshgrid(
            np.arange(x0, x1 + 1, dtype=np.int64), np.arange(y0, y1 + 1, dtype=np.int64)
        )
        all_x, all_y = gx.ravel(), gy.ravel()
        lat, lon = geo.rd_to_wgs84_arrays((all_x + 0.5) * size, (all_y + 0.5) * size)
        inside = buurt_ids_at(municipality_id, lon, lat) != 0
        order = np.lexsort((all_y[inside], all_x[inside]))
        ix, iy = all_x[inside][order], all_y[inside][order]
    with _study_lock:
        _study_areas[municipality_id] = _StudyArea(version, ix, iy)
    return ix, iy


def _cell_keys(ix: IntArray, iy: IntArray) -> IntArray:
    """(ix, iy) -> one int64 that sorts like (ix, iy) (RD cells lie well within +-2^20)."""
    offset = 1 << 20
    return (ix + offset) * (1 << 21) + (iy + offset)


@dataclass(frozen=True)
class HotspotCells:
    """Gi* per study-area cell for one viewer and filter, in the order of (ix, iy).

    `count` holds the true counts the Gi* used; `suppressed` marks the cells whose count the
    viewer may not see (0 < count < threshold for viewers without need-to-know).
    """

    ix: IntArray
    iy: IntArray
    count: IntArray
    suppressed: npt.NDArray[np.bool_]
    result: GiStarResult
    signals: int  # visible signals counted in the study area
    outside: int  # visible signals with a cell outside the study area
    threshold: int  # the small-count threshold applied (0: none, need-to-know)


def hotspot_cells(
    *, viewer: Viewer, filters: SignalFilters | None = None, alpha: float = 0.05
) -> HotspotCells:
    """Getis-Ord Gi* hot and cold spots of the viewer's visible signals on the 100 m grid.

    Counts come from `signal_cell_counts` (visibility policy and list filters); the study area
    is `study_area_cells` of the viewer's municipality with zero counts included, so a viewer
    never sees cells of another municipality. Gi* (queen contiguity with the cell itself,
    analytic p, Benjamini-Hochberg at `alpha`) is `analysis.gistar.gi_star_grid`.

    Small counts: for viewers without need-to-know (pseudonymised analysts) cells with
    0 < count < settings.SMALL_COUNT_THRESHOLD are marked suppressed, so that their count is
    not shown; their z, p and class stay, because Gi* is computed on the true counts
    (suppressing before the statistic would change every neighbour's z).
    """
    occupied = signal_cell_counts(viewer=viewer, filters=filters)
    ix, iy = study_area_cells(viewer.municipality_id)
    count = np.zeros(ix.size, dtype=np.int64)
    keys = _cell_keys(ix, iy)
    wanted = _cell_keys(occupied.ix, occupied.iy)
    position = np.minimum(np.searchsorted(keys, wanted), max(keys.size - 1, 0))
    found = keys[position] == wanted if keys.size else np.zeros(wanted.size, dtype=bool)
    count[position[found]] = occupied.count[found]
    result = gi_star_grid(ix, iy, count, alpha=alpha)
    threshold = viewer.small_count_threshold
    return HotspotCells(
        ix=ix,
        iy=iy,
        count=count,
        suppressed=(count > 0) & (count < threshold),
        result=result,
        signals=int(count.sum()),
        outside=int(occupied.count[~found].sum()),
        threshold=threshold,
    )

"""Pure, deterministic generation of the demo municipality: geometry and signals as arrays.

No ORM here: `services` writes what this module produces. Everything follows from the seed:
the same seed gives the same buurten, the same hotspots and the same signals (including their
uuids); only the time axis is anchored to `end` (normally "now").

Signals are drawn from an inhomogeneous Poisson-like process on an hourly grid over one year:

* a background per category, spread over the city by a population density (a mix of a uniform
  part and a few residential centres), with a category-specific rhythm: nuisance in the evening,
  at weekends and in summer; burglary in the dark months; office work on weekdays; school
  absence on school days only;
* hotspots: gaussian blobs around a point, each with a theme (a mix of categories that cluster
  together, such as youth nuisance plus vandalism) and a time envelope in which it appears,
  persists and fades.

The total is fixed first (a multinomial draw of exactly N signals over components x hours), then
signals are produced day by day with a random generator seeded by (seed, stream, day), so the
output does not depend on the batch size and memory does not grow with N.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import uuid
import zoneinfo
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields

import numpy as np
import shapely
from shapely.geometry import MultiPoint, MultiPolygon, Point, Polygon, box
from shapely.geometry.base import BaseGeometry

from wijkregie.demo import catalogue as cat

HOUR = 3_600
DAY = 86_400
YEAR_DAYS = 365
TIMEZONE = "Europe/Amsterdam"

CENTRE = (155_000.0, 463_000.0)  # RD New, near Amersfoort
HALF_AXES = (4_000.0, 3_000.0)  # the city is about 8 x 6 km
OTHER_ORIGIN = (203_000.0, 502_000.0)  # Elders: 2 x 2 km near Zwolle
HOTSPOT_SHARE = 0.22  # share of all signals that belongs to hotspots
BUURT_COUNTS = (4, 4, 5, 5, 5, 5, 6, 6)  # buurten per wijk: 8 wijken, 40 buurten
N_HOTSPOTS = 14
SAMPLE_MARGIN_M = 2.0  # keep points off the city boundary, so each lies inside one buurt

Geometry = Polygon | MultiPolygon


def stable_uuid(seed: int, *parts: object) -> uuid.UUID:
    """A version-4 uuid from the seed and the parts only, whatever order rows are created in."""
    digest = hashlib.sha256(":".join(str(p) for p in (seed, *parts)).encode()).digest()
    return uuid.UUID(bytes=digest[:16], version=4)


# --------------------------------------------------------------------------------------------
# Geography
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    kind: str  # "wijk" or "buurt"
    parent: str  # the wijk's code for a buurt; "" for a wijk
    geometry: Geometry  # RD New metres


@dataclass(frozen=True)
class FocusPlan:
    spec: cat.FocusAreaSpec
    buurten: tuple[str, ...]


@dataclass(frozen=True)
class Geography:
    cbs_code: str
    outline: Polygon
    wijken: tuple[Area, ...]
    buurten: tuple[Area, ...]
    focus_areas: tuple[FocusPlan, ...]
    postcode_base: int  # first four digits of the postcodes are postcode_base + 1 km block

    @property
    def sample_region(self) -> BaseGeometry:
        region = self.outline.buffer(-SAMPLE_MARGIN_M)
        shapely.prepare(region)
        return region


def _clean(geometry: BaseGeometry) -> Geometry:
    """Polygons only (drop slivers and lines), on a 1 cm grid so neighbours share vertices."""
    geometry = shapely.set_precision(geometry, 0.01)
    parts = [
        g for g in getattr(geometry, "geoms", [geometry]) if isinstance(g, Polygon) and g.area > 1.0
    ]
    polygons: list[Polygon] = []
    for part in parts:
        polygons.extend(part.geoms if isinstance(part, MultiPolygon) else [part])
    if not polygons:
        raise ValueError("empty geometry")
    return polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)


def _sample_in(rng: np.random.Generator, region: BaseGeometry, n: int) -> np.ndarray:
    minx, miny, maxx, maxy = region.bounds
    found: list[np.ndarray] = []
    missing = n
    while missing > 0:
        m = max(2 * missing, 16)
        xs = rng.uniform(minx, maxx, m)
        ys = rng.uniform(miny, maxy, m)
        ok = shapely.contains_xy(region, xs, ys)
        pts = np.column_stack([xs[ok], ys[ok]])[:missing]
        found.append(pts)
        missing -= len(pts)
    return np.concatenate(found)


def _voronoi_cells(points: np.ndarray, region: BaseGeometry) -> list[Geometry]:
    """The Voronoi cell of each point (in the order of the points), clipped to the region."""
    diagram = shapely.voronoi_polygons(MultiPoint([tuple(p) for p in points]), extend_to=region)
    cells = list(diagram.geoms)
    result = []
    for px, py in points:
        point = Point(px, py)
        cell = next(c for c in cells if c.covers(point))
        result.append(_clean(cell.intersection(region)))
    return result


def _lloyd(
    rng: np.random.Generator, region: BaseGeometry, n: int, iterations: int = 4
) -> list[Geometry]:
    """n fairly even cells that partition the region (Lloyd's relaxation of random seeds)."""
    points = _sample_in(rng, region, n)
    for _ in range(iterations):
        cells = _voronoi_cells(points, region)
        moved = []
        for cell in cells:
            centre = cell.centroid
            if not region.contains(centre):
                centre = cell.representative_point()
            moved.append((centre.x, centre.y))
        points = np.array(moved)
    return _voronoi_cells(points, region)


def _bearing(x: float, y: float, origin: tuple[float, float]) -> float:
    """Compass bearing in radians, clockwise from north."""
    return math.atan2(x - origin[0], y - origin[1]) % (2 * math.pi)


def _outline(rng: np.random.Generator) -> Polygon:
    theta = np.linspace(0.0, 2 * math.pi, 120, endpoint=False)
    a, b = HALF_AXES
    radius = a * b / np.sqrt((b * np.cos(theta)) ** 2 + (a * np.sin(theta)) ** 2)
    wobble = np.ones_like(theta)
    for k in range(2, 6):
        wobble += rng.uniform(0.015, 0.05) * np.cos(k * theta + rng.uniform(0, 2 * math.pi))
    xs = CENTRE[0] + radius * wobble * np.cos(theta)
    ys = CENTRE[1] + radius * wobble * np.sin(theta)
    outline = _clean(Polygon(list(zip(xs, ys, strict=True))))
    assert isinstance(outline, Polygon)
    return outline


def build_geography(seed: int) -> Geography:
    """Demodam: about 8 wijken and 40 buurten inside a wobbly 8 x 6 km outline."""
    rng = np.random.default_rng([seed, 0xDE40])
    outline = _outline(rng)
    wijk_cells = _lloyd(rng, outline, len(BUURT_COUNTS))
    # Number the wijken: the one nearest the centre first, the others clockwise from north.
    centroids = [(c.centroid.x, c.centroid.y) for c in wijk_cells]
    central = min(
        range(len(wijk_cells)),
        key=lambda i: math.dist(centroids[i], CENTRE),
    )
    others = sorted(
        (i for i in range(len(wijk_cells)) if i != central),
        key=lambda i: _bearing(*centroids[i], CENTRE),
    )
    order = [central, *others]
    counts = rng.permutation(np.array(BUURT_COUNTS))
    buurt_names = list(rng.permutation(np.array(cat.BUURT_NAMES)))
    wijken: list[Area] = []
    buurten: list[Area] = []
    for w, index in enumerate(order, start=1):
        region = wijk_cells[index]
        wijk_code = f"WK{cat.CBS_CODE[2:]}{w:02d}"
        cells = _lloyd(rng, region, int(counts[w - 1]))
        origin = (region.centroid.x, region.centroid.y)
        cells.sort(key=lambda c: _bearing(c.centroid.x, c.centroid.y, origin))
        own: list[Area] = []
        for b, cell in enumerate(cells, start=1):
            own.append(
                Area(
                    code=f"BU{cat.CBS_CODE[2:]}{w:02d}{b:02d}",
                    name=str(buurt_names.pop(0)),
                    kind="buurt",
                    parent=wijk_code,
                    geometry=cell,
                )
            )
        union = _clean(shapely.union_all([a.geometry for a in own]))
        wijken.append(Area(wijk_code, cat.WIJK_NAMES[w - 1], "wijk", "", union))
        buurten.extend(own)
    return Geography(
        cbs_code=cat.CBS_CODE,
        outline=outline,
        wijken=tuple(wijken),
        buurten=tuple(buurten),
        focus_areas=_focus_areas(buurten),
        postcode_base=9901,
    )


def _focus_areas(buurten: Sequence[Area]) -> tuple[FocusPlan, ...]:
    """Each focus area: the buurten nearest to its anchor that no other focus area took."""
    taken: set[str] = set()
    plans = []
    for spec in cat.FOCUS_AREAS:
        anchor = (
            CENTRE[0] + spec.anchor[0] * HALF_AXES[0],
            CENTRE[1] + spec.anchor[1] * HALF_AXES[1],
        )
        ranked = sorted(
            (a for a in buurten if a.code not in taken),
            key=lambda a: math.dist((a.geometry.centroid.x, a.geometry.centroid.y), anchor),
        )
        chosen = tuple(sorted(a.code for a in ranked[: spec.size]))
        taken.update(chosen)
        plans.append(FocusPlan(spec, chosen))
    return tuple(plans)


def build_other_geography() -> Geography:
    """Elders: one wijk of four square buurten (the outsider's municipality)."""
    x0, y0 = OTHER_ORIGIN
    code = cat.OTHER_CBS_CODE[2:]
    buurten = tuple(
        Area(
            code=f"BU{code}01{i + 1:02d}",
            name=f"Elders {name}",
            kind="buurt",
            parent=f"WK{code}01",
            geometry=box(
                x0 + (i % 2) * 1000,
                y0 + (i // 2) * 1000,
                x0 + (i % 2 + 1) * 1000,
                y0 + (i // 2 + 1) * 1000,
            ),
        )
        for i, name in enumerate(("Zuidwest", "Zuidoost", "Noordwest", "Noordoost"))
    )
    outline = box(x0, y0, x0 + 2000, y0 + 2000)
    wijk = Area(f"WK{code}01", "Elders-Centrum", "wijk", "", outline)
    return Geography(
        cbs_code=cat.OTHER_CBS_CODE,
        outline=outline,
        wijken=(wijk,),
        buurten=buurten,
        focus_areas=(),
        postcode_base=9801,
    )


def postcodes(x: np.ndarray, y: np.ndarray, geography: Geography) -> list[str]:
    """Fictional postcodes: digits per 1 km block, letters per 100 m cell (stable per place)."""
    minx, miny, maxx, _ = geography.outline.bounds
    columns = math.ceil((maxx - minx) / 1000)
    bx = np.floor((x - minx) / 1000).astype(np.int64)
    by = np.floor((y - miny) / 1000).astype(np.int64)
    digits = geography.postcode_base + by * columns + bx
    letters = "ABCDEFGHJK"
    lx = np.floor((x - minx) / 100).astype(np.int64) % 10
    ly = np.floor((y - miny) / 100).astype(np.int64) % 10
    return [
        f"{d}{letters[i]}{letters[j]}"
        for d, i, j in zip(digits.tolist(), lx.tolist(), ly.tolist(), strict=True)
    ]


@dataclass(frozen=True)
class DemoAddresses:
    """A fictional BAG-style address register: numbered dwellings in every 100 m cell."""

    x: np.ndarray
    y: np.ndarray
    postcode: list[str]
    huisnummer: np.ndarray


def demo_addresses(geography: Geography, per_cell: int = 12) -> DemoAddresses:
    """`per_cell` dwellings on a small lattice inside each 100 m cell of the sample region.

    The postcode is the one `postcodes` gives the cell, so the register and the demo signals
    speak of the same streets; house numbers run 1..per_cell within a postcode. Deterministic
    (no randomness): the same geography always gives the same register.
    """
    minx, miny, maxx, maxy = geography.outline.bounds
    xs = np.arange(math.floor(minx / 100) * 100, maxx, 100.0)
    ys = np.arange(math.floor(miny / 100) * 100, maxy, 100.0)
    side = math.ceil(math.sqrt(per_cell))
    offsets = (np.arange(side) + 0.5) * (100.0 / side)
    ox, oy = np.meshgrid(offsets, offsets)
    ox, oy = ox.ravel()[:per_cell], oy.ravel()[:per_cell]
    cx, cy = np.meshgrid(xs, ys)
    x = (cx.ravel()[:, None] + ox[None, :]).ravel()
    y = (cy.ravel()[:, None] + oy[None, :]).ravel()
    number = np.tile(np.arange(1, per_cell + 1), cx.size)
    inside = shapely.contains_xy(geography.sample_region, x, y)
    x, y, number = x[inside], y[inside], number[inside]
    return DemoAddresses(
        x=np.round(x, 2), y=np.round(y, 2), postcode=postcodes(x, y, geography), huisnummer=number
    )


# --------------------------------------------------------------------------------------------
# Time
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimeGrid:
    """One year of whole hours ending at `end` (UTC epoch seconds), with local calendar fields."""

    end: int
    epoch: np.ndarray  # start of each hour
    day: np.ndarray  # days since the start of the grid (float)
    local_hour: np.ndarray
    weekday: np.ndarray  # Monday = 0
    doy: np.ndarray  # day of the year, 1..366

    @property
    def hours(self) -> int:
        return len(self.epoch)

    @property
    def days(self) -> int:
        return math.ceil(self.hours / 24)


def time_grid(end: dt.datetime, days: int = YEAR_DAYS, tz: str = TIMEZONE) -> TimeGrid:
    end_ts = int(end.timestamp()) // HOUR * HOUR
    epoch = end_ts - days * DAY + np.arange(days * 24, dtype=np.int64) * HOUR
    zone = zoneinfo.ZoneInfo(tz)
    offsets = np.array(
        [
            int(dt.datetime.fromtimestamp(int(t), zone).utcoffset().total_seconds())  # type: ignore[union-attr]
            for t in epoch
        ],
        dtype=np.int64,
    )
    local = epoch + offsets
    local_days = local // DAY
    dates = local_days.astype("datetime64[D]")
    doy = (dates - dates.astype("datetime64[Y]")).astype(np.int64) + 1
    return TimeGrid(
        end=end_ts,
        epoch=epoch,
        day=(epoch - epoch[0]) / DAY,
        local_hour=(local % DAY) // HOUR,
        weekday=(local_days + 3) % 7,  # 1970-01-01 was a Thursday
        doy=doy,
    )


_HOURLY: dict[str, tuple[float, ...]] = {  # local hour 0 .. 23
    "nuisance": (
        *(0.6, 0.4, 0.25, 0.15, 0.1, 0.1, 0.15, 0.25, 0.35, 0.4, 0.45, 0.5),
        *(0.6, 0.65, 0.7, 0.8, 0.9, 1.0, 1.1, 1.3, 1.5, 1.6, 1.5, 1.0),
    ),
    "crime": (
        *(0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.4, 0.5, 0.6, 0.6, 0.6, 0.6),
        *(0.6, 0.6, 0.7, 0.8, 0.9, 1.1, 1.3, 1.4, 1.4, 1.3, 1.2, 1.0),
    ),
    "drugs": (
        *(1.0, 0.9, 0.6, 0.4, 0.2, 0.1, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6),
        *(0.7, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4, 1.4, 1.3, 1.2),
    ),
    "office": (
        *(0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.3, 1.0, 1.2, 1.2, 1.1),
        *(0.8, 1.1, 1.2, 1.1, 0.9, 0.4, 0.1, 0.05, 0.05, 0.03, 0.02, 0.02),
    ),
    "school": (
        *(0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 1.5, 1.3, 1.0, 0.9),
        *(0.7, 0.9, 0.8, 0.6, 0.3, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02),
    ),
    "care": (
        *(0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.4, 0.9, 1.1, 1.1, 1.0),
        *(0.8, 1.0, 1.0, 0.9, 0.7, 0.5, 0.4, 0.3, 0.2, 0.1, 0.08, 0.05),
    ),
    "daytime": (
        *(0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.2, 0.5, 0.8, 1.0, 1.1, 1.1),
        *(1.1, 1.1, 1.0, 1.0, 0.9, 0.8, 0.7, 0.5, 0.3, 0.2, 0.1, 0.08),
    ),
}
_WEEKLY: dict[str, tuple[float, ...]] = {  # Monday .. Sunday
    "nuisance": (0.8, 0.8, 0.85, 0.9, 1.2, 1.6, 1.4),
    "crime": (1.0, 1.0, 1.0, 1.0, 1.05, 1.1, 1.0),
    "drugs": (0.9, 0.9, 0.95, 1.0, 1.2, 1.35, 1.1),
    "office": (1.1, 1.1, 1.0, 1.1, 0.9, 0.05, 0.03),
    "school": (1.1, 1.0, 0.9, 1.0, 0.9, 0.0, 0.0),
    "care": (1.1, 1.1, 1.0, 1.1, 1.0, 0.3, 0.25),
    "daytime": (1.0, 1.0, 1.0, 1.0, 1.0, 1.3, 1.2),
}
# Night owls: the small hours count towards the evening before (Friday night is on Saturday).
_NIGHT_BELONGS_TO_PREVIOUS_DAY = {"nuisance", "drugs", "crime"}
# School holidays as day-of-year ranges (approximate, region Midden).
_SCHOOL_HOLIDAYS = ((1, 5), (46, 53), (116, 124), (190, 236), (293, 300), (355, 366))


def _cosine_peak(doy: np.ndarray, peak_doy: float, amplitude: float) -> np.ndarray:
    return 1.0 + amplitude * np.cos(2 * math.pi * (doy - peak_doy) / 365.25)


def _seasonal(rhythm: str, doy: np.ndarray) -> np.ndarray:
    if rhythm == "nuisance":
        return _cosine_peak(doy, 200, 0.4)  # summer evenings outside
    if rhythm == "crime":
        return _cosine_peak(doy, 355, 0.3)  # burglary in the dark months
    if rhythm == "drugs":
        return _cosine_peak(doy, 200, 0.15)
    if rhythm == "care":
        return _cosine_peak(doy, 15, 0.2)  # loneliness peaks in winter
    if rhythm == "daytime":
        return _cosine_peak(doy, 170, 0.25)
    if rhythm == "office":
        summer = (doy >= 196) & (doy <= 235)
        christmas = (doy >= 358) | (doy <= 1)
        return 1.0 - 0.35 * summer - 0.6 * christmas
    if rhythm == "school":
        factor = np.ones(len(doy))
        for first, last in _SCHOOL_HOLIDAYS:
            factor[(doy >= first) & (doy <= last)] = 0.03
        return factor
    raise ValueError(rhythm)


def rhythm(name: str, grid: TimeGrid) -> np.ndarray:
    """Relative intensity per hour of the grid, mean 1."""
    weekday = grid.weekday
    if name in _NIGHT_BELONGS_TO_PREVIOUS_DAY:
        weekday = np.where(grid.local_hour < 5, (weekday - 1) % 7, weekday)
    values = (
        np.array(_HOURLY[name])[grid.local_hour]
        * np.array(_WEEKLY[name])[weekday]
        * _seasonal(name, grid.doy)
    )
    return values / values.mean()


# --------------------------------------------------------------------------------------------
# Hotspots and the plan
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hotspot:
    theme: int  # index into catalogue.THEMES
    x: float
    y: float
    sigma: float  # metres
    start: float  # days since the start of the grid: appears ...
    peak_from: float  # ... at full strength from ...
    peak_to: float  # ... until ...
    end: float  # ... and is gone
    weight: float

    def envelope(self, day: np.ndarray) -> np.ndarray:
        rise = np.clip((day - self.start) / max(self.peak_from - self.start, 1e-9), 0.0, 1.0)
        fall = np.clip((self.end - day) / max(self.end - self.peak_to, 1e-9), 0.0, 1.0)
        smooth = lambda v: v * v * (3 - 2 * v)  # noqa: E731 - smoothstep
        return smooth(rise) * smooth(fall)


_THEME_ORDER: tuple[str, ...] = (
    *("jeugd", "drugs", "bestaanszekerheid", "woonoverlast", "jeugd", "inbraakgolf", "dumping"),
    *("drugs", "woonoverlast", "jeugd", "inbraakgolf", "bestaanszekerheid", "dumping"),
    "woonoverlast",
)
# Where each theme tends to cluster: a focus area index, or None for anywhere in town.
_FOCUS_AFFINITY: dict[str, tuple[int | None, ...]] = {
    "jeugd": (0, 2, None),
    "drugs": (1, 1),
    "bestaanszekerheid": (2, 0),
    "woonoverlast": (0, None, 2),
    "inbraakgolf": (None,),
    "dumping": (None, 1),
}
_SIGMA: dict[str, tuple[float, float]] = {
    "jeugd": (100, 250),
    "drugs": (80, 180),
    "bestaanszekerheid": (200, 400),
    "woonoverlast": (60, 150),
    "inbraakgolf": (250, 500),
    "dumping": (100, 250),
}


def build_hotspots(
    seed: int, geography: Geography, grid: TimeGrid, count: int = N_HOTSPOTS
) -> tuple[Hotspot, ...]:
    rng = np.random.default_rng([seed, 0x4075])
    theme_index = {t.name: i for i, t in enumerate(cat.THEMES)}
    buurt_geometry = {a.code: a.geometry for a in geography.buurten}
    region = geography.sample_region
    # Day index of 1 July inside the grid, for summer themes.
    july = float(grid.day[np.argmax(grid.doy == 182)]) if (grid.doy == 182).any() else 180.0
    seen: dict[str, int] = {}
    hotspots = []
    for i in range(count):
        name = _THEME_ORDER[i % len(_THEME_ORDER)]
        theme = cat.THEMES[theme_index[name]]
        affinity = _FOCUS_AFFINITY[name][seen.get(name, 0) % len(_FOCUS_AFFINITY[name])]
        seen[name] = seen.get(name, 0) + 1
        if affinity is not None and affinity < len(geography.focus_areas):
            area = shapely.union_all(
                [buurt_geometry[c] for c in geography.focus_areas[affinity].buurten]
            ).intersection(region)
        else:
            area = region
        x, y = _sample_in(rng, area, 1)[0]
        low, high = _SIGMA[name]
        sigma = float(rng.uniform(low, high))
        if theme.season == "year":
            start, peak_from, peak_to, end = -60.0, -30.0, 400.0, 430.0
        elif theme.season == "summer":
            start = july - 60 - float(rng.uniform(0, 20))
            peak_from, peak_to = july - 20, july + 45 + float(rng.uniform(0, 15))
            end = peak_to + 45
        else:
            start = float(rng.uniform(0, 300))
            ramp = float(rng.uniform(10, 25))
            peak_from = start + ramp
            peak_to = peak_from + float(rng.uniform(30, 110))
            end = peak_to + ramp
        hotspots.append(
            Hotspot(
                theme=theme_index[name],
                x=float(x),
                y=float(y),
                sigma=sigma,
                start=start,
                peak_from=peak_from,
                peak_to=peak_to,
                end=end,
                weight=float(rng.uniform(0.6, 1.4)),
            )
        )
    return tuple(hotspots)


def _cumulative(weights: np.ndarray) -> np.ndarray:
    """Row-wise cumulative probabilities (the last column is exactly 1)."""
    weights = np.asarray(weights, dtype=float)
    cum = np.cumsum(weights / weights.sum(axis=-1, keepdims=True), axis=-1)
    cum[..., -1] = 1.0
    return cum


def _pick(rng: np.random.Generator, cum: np.ndarray, size: int) -> np.ndarray:
    """Draw `size` indices from one categorical distribution."""
    return np.minimum(np.searchsorted(cum, rng.random(size), side="right"), len(cum) - 1)


def _pick_rows(rng: np.random.Generator, cum: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Draw one index per element from the distribution in row `rows[i]` of `cum`."""
    u = rng.random(len(rows))
    return (u[:, None] >= cum[rows][:, :-1]).sum(axis=1)


# Reliability and location by source channel (rows in catalogue.CHANNELS order).
_SOURCE_RELIABILITY = np.array(  # A, B, C, X
    [[0.25, 0.5, 0.1, 0.15], [0.6, 0.3, 0.03, 0.07], [0.45, 0.4, 0.05, 0.1], [0.05, 0.25, 0.3, 0.4]]
)
_INFO_RELIABILITY = np.array(  # 1, 2, 3, 4
    [[0.2, 0.45, 0.25, 0.1], [0.5, 0.3, 0.1, 0.1], [0.15, 0.65, 0.1, 0.1], [0.03, 0.3, 0.27, 0.4]]
)
_LOCATION_KIND = np.array(  # point, point+address, address, area
    [[0.45, 0.3, 0.15, 0.1], [0.2, 0.4, 0.35, 0.05], [0.85, 0.1, 0.0, 0.05], [0.75, 0.2, 0.05, 0.0]]
)
_HANDLING = np.array([[0.8, 0.15, 0.05], [0.05, 0.35, 0.6]])  # normal, confidential
_REGISTRATION_DELAY_H = np.array([8.0, 20.0, 1.0, 0.5])  # mean hours by channel
_FINAL = np.array([0.72, 0.2, 0.08])  # afgehandeld, doorgezet, geannuleerd
_FINAL_STATUS = np.array(
    [cat.STATUSES.index(s) for s in ("afgehandeld", "doorgezet", "geannuleerd")], dtype=np.int8
)


@dataclass(frozen=True)
class SignalPlan:
    seed: int
    stream: int  # 0 for Demodam, 1 for Elders: independent random streams
    n_signals: int
    grid: TimeGrid
    geography: Geography
    org_slugs: tuple[str, ...]
    hotspots: tuple[Hotspot, ...]
    counts: np.ndarray  # (components, hours): categories first, then hotspots
    density: np.ndarray  # residential centres: rows of (x, y, sigma)
    density_cum: np.ndarray  # over the centres plus a final "uniform" option
    owner_cum: np.ndarray  # (categories, organisations)
    channel_cum: np.ndarray  # (categories, channels)
    theme_cum: np.ndarray  # (themes, categories)
    confidential: np.ndarray  # (categories,) bool


def build_plan(
    *,
    seed: int,
    n_signals: int,
    end: dt.datetime,
    geography: Geography | None = None,
    org_slugs: Sequence[str] | None = None,
    stream: int = 0,
    with_hotspots: bool = True,
) -> SignalPlan:
    """Everything that fixes N signals over the year: no signal rows yet."""
    if n_signals < 0:
        raise ValueError("n_signals must be >= 0")
    geography = geography or build_geography(seed)
    slugs = tuple(org_slugs or [o.slug for o in cat.ORGANISATIONS])
    grid = time_grid(end)
    hotspots = build_hotspots(seed + stream, geography, grid) if with_hotspots else ()
    rng = np.random.default_rng([seed, stream, 0x9A4])

    n_cat = len(cat.CATEGORIES)
    rhythms = {name: rhythm(name, grid) for name in cat.RHYTHM_NAMES}
    rates = np.empty((n_cat + len(hotspots), grid.hours))
    for c, spec in enumerate(cat.CATEGORIES):
        rates[c] = spec.weight * rhythms[spec.rhythm]
    background_share = 1.0 - HOTSPOT_SHARE if hotspots else 1.0
    rates[:n_cat] *= background_share / rates[:n_cat].sum()
    for s, hotspot in enumerate(hotspots):
        theme = cat.THEMES[hotspot.theme]
        rates[n_cat + s] = hotspot.weight * hotspot.envelope(grid.day) * rhythms[theme.rhythm]
    if hotspots:
        rates[n_cat:] *= HOTSPOT_SHARE / rates[n_cat:].sum()
    rates *= 1.0 + 0.1 * grid.day / YEAR_DAYS  # slowly rising registration over the year
    p = rates.ravel() / rates.sum()
    counts = rng.multinomial(n_signals, p / p.sum()).reshape(rates.shape).astype(np.int32)

    # Where people live: the centre and a few residential cores, plus a uniform part.
    region = geography.sample_region
    cores = _sample_in(rng, region, 5)
    density = np.vstack(
        [
            [geography.outline.centroid.x, geography.outline.centroid.y, 900.0],
            np.column_stack([cores, rng.uniform(500, 1100, len(cores))]),
        ]
    )
    density_cum = _cumulative(np.array([0.17, 0.08, 0.08, 0.08, 0.07, 0.07, 0.45]))

    owners = np.zeros((n_cat, len(slugs)))
    channels = np.zeros((n_cat, len(cat.CHANNELS)))
    for c, spec in enumerate(cat.CATEGORIES):
        for slug, weight in spec.owners:
            if slug in slugs:
                owners[c, slugs.index(slug)] = weight
        if owners[c].sum() == 0:
            owners[c, slugs.index("gemeente")] = 1.0
        for channel, weight in spec.channels:
            channels[c, cat.CHANNELS.index(channel)] = weight
    themes = np.zeros((len(cat.THEMES), n_cat))
    for t, theme in enumerate(cat.THEMES):
        for code, weight in theme.categories:
            themes[t, cat.CATEGORY_INDEX[code]] = weight
    return SignalPlan(
        seed=seed,
        stream=stream,
        n_signals=n_signals,
        grid=grid,
        geography=geography,
        org_slugs=slugs,
        hotspots=hotspots,
        counts=counts,
        density=density,
        density_cum=density_cum,
        owner_cum=_cumulative(owners),
        channel_cum=_cumulative(channels),
        theme_cum=_cumulative(themes),
        confidential=np.array([c.confidential for c in cat.CATEGORIES]),
    )


# --------------------------------------------------------------------------------------------
# Signals
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignalBatch:
    """Signals as parallel arrays, sorted by observation time. Indices refer to the catalogue."""

    offset: int  # sequence number of the first signal
    uuid_bytes: np.ndarray  # (n, 16) uint8, version-4 uuids
    observed: np.ndarray  # epoch seconds (UTC)
    registered: np.ndarray  # epoch seconds (UTC)
    x: np.ndarray  # RD New metres (also for address- or area-only signals: where they are)
    y: np.ndarray
    category: np.ndarray  # index into catalogue.CATEGORIES
    owner: np.ndarray  # index into plan.org_slugs
    channel: np.ndarray  # index into catalogue.CHANNELS
    source_reliability: np.ndarray  # index into catalogue.SOURCE_RELIABILITY
    info_reliability: np.ndarray  # index into catalogue.INFO_RELIABILITY
    handling: np.ndarray  # index into catalogue.HANDLING_CODES
    confidential: np.ndarray  # bool
    location_kind: np.ndarray  # index into catalogue.LOCATION_KINDS
    huisnummer: np.ndarray
    huisletter: np.ndarray  # 0 = none, 1..4 = A..D
    toevoeging: np.ndarray  # 0 = none, else index into TOEVOEGINGEN
    text: np.ndarray  # random number that picks the description and street
    status: np.ndarray  # index into catalogue.STATUSES
    history_to: np.ndarray  # (n, 3): status index of each transition, -1 = none
    history_at: np.ndarray  # (n, 3): epoch seconds of each transition
    hotspot: np.ndarray  # index into plan.hotspots, -1 = background

    def __len__(self) -> int:
        return len(self.observed)


TOEVOEGINGEN = ("", "1", "2", "3", "H", "BIS")
_ARRAY_FIELDS = tuple(f.name for f in fields(SignalBatch) if f.name != "offset")


def _sample_gaussian(
    rng: np.random.Generator,
    region: BaseGeometry,
    cx: np.ndarray,
    cy: np.ndarray,
    sigma: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """One point per row around (cx, cy) with spread sigma; sigma 0 means uniform in region."""
    n = len(cx)
    xs = np.empty(n)
    ys = np.empty(n)
    todo = np.arange(n)
    minx, miny, maxx, maxy = region.bounds
    while todo.size:
        uniform = sigma[todo] <= 0
        px = cx[todo] + rng.normal(0.0, 1.0, todo.size) * sigma[todo]
        py = cy[todo] + rng.normal(0.0, 1.0, todo.size) * sigma[todo]
        px = np.where(uniform, rng.uniform(minx, maxx, todo.size), px)
        py = np.where(uniform, rng.uniform(miny, maxy, todo.size), py)
        ok = shapely.contains_xy(region, px, py)
        xs[todo[ok]] = px[ok]
        ys[todo[ok]] = py[ok]
        todo = todo[~ok]
    return xs, ys


def day_batch(
    plan: SignalPlan, day: int, offset: int = 0, region: BaseGeometry | None = None
) -> SignalBatch:
    """All signals observed on one grid day (24 hours)."""
    rng = np.random.default_rng([plan.seed, plan.stream, 1, day])
    region = region if region is not None else plan.geography.sample_region
    n_cat = len(cat.CATEGORIES)
    h0 = day * 24
    sub = plan.counts[:, h0 : h0 + 24]
    comp_idx, hour_idx = np.nonzero(sub)
    reps = sub[comp_idx, hour_idx]
    comp = np.repeat(comp_idx, reps)
    hours = np.repeat(hour_idx + h0, reps)
    n = len(comp)

    observed = plan.grid.epoch[hours] + rng.integers(0, HOUR, n)
    is_background = comp < n_cat
    hotspot = np.where(is_background, -1, comp - n_cat)
    category = np.where(is_background, comp, 0)
    cx = np.zeros(n)
    cy = np.zeros(n)
    sigma = np.zeros(n)
    # Background: a residential core (gaussian) or anywhere (uniform).
    bg = np.flatnonzero(is_background)
    core = _pick(rng, plan.density_cum, len(bg))
    is_core = core < len(plan.density)
    cores = plan.density[np.minimum(core, len(plan.density) - 1)]
    cx[bg] = cores[:, 0]
    cy[bg] = cores[:, 1]
    sigma[bg] = np.where(is_core, cores[:, 2], 0.0)
    # Hotspots: their theme's categories around their centre.
    for s in np.unique(hotspot[hotspot >= 0]):
        rows = np.flatnonzero(hotspot == s)
        spot = plan.hotspots[int(s)]
        category[rows] = _pick(rng, plan.theme_cum[spot.theme], len(rows))
        cx[rows], cy[rows], sigma[rows] = spot.x, spot.y, spot.sigma
    x, y = _sample_gaussian(rng, region, cx, cy, sigma)

    owner = _pick_rows(rng, plan.owner_cum, category)
    channel = _pick_rows(rng, plan.channel_cum, category)
    source_reliability = _pick_rows(rng, _cumulative(_SOURCE_RELIABILITY), channel)
    info_reliability = _pick_rows(rng, _cumulative(_INFO_RELIABILITY), channel)
    confidential = plan.confidential[category] | (rng.random(n) < 0.03)
    handling = _pick_rows(rng, _cumulative(_HANDLING), confidential.astype(np.int64))
    location_kind = _pick_rows(rng, _cumulative(_LOCATION_KIND), channel)
    huisnummer = rng.integers(1, 180, n)
    huisletter = np.where(rng.random(n) < 0.1, rng.integers(1, 5, n), 0)
    toevoeging = np.where(rng.random(n) < 0.05, rng.integers(1, len(TOEVOEGINGEN), n), 0)
    text = rng.integers(0, 2**31 - 1, n)
    delay = rng.exponential(1.0, n) * _REGISTRATION_DELAY_H[channel] * HOUR + 60
    registered = np.minimum(observed + delay.astype(np.int64), plan.grid.end)

    # Handling: picked up after a few days, finished after a few weeks; older signals are more
    # often done. Some are never picked up, some cancelled at once, a few reopened later.
    end = plan.grid.end
    pickup = registered + 60 + (rng.exponential(1.0, n) * 2 * DAY).astype(np.int64)
    finish = pickup + (rng.exponential(1.0, n) * 12 * DAY).astype(np.int64)
    reopen = finish + (rng.exponential(1.0, n) * 15 * DAY).astype(np.int64)
    final = _FINAL_STATUS[_pick(rng, _cumulative(_FINAL), n)]
    stale = rng.random(n) < 0.03
    cancel_at_once = rng.random(n) < 0.03
    reopened = rng.random(n) < 0.02
    status = np.zeros(n, dtype=np.int8)
    history_to = np.full((n, 3), -1, dtype=np.int8)
    history_at = np.zeros((n, 3), dtype=np.int64)
    cancelled = cancel_at_once & ~stale & (pickup < end)
    history_to[cancelled, 0] = cat.STATUSES.index("geannuleerd")
    history_at[cancelled, 0] = pickup[cancelled]
    status[cancelled] = cat.STATUSES.index("geannuleerd")
    picked = ~stale & ~cancel_at_once & (pickup < end)
    history_to[picked, 0] = cat.STATUSES.index("in_behandeling")
    history_at[picked, 0] = pickup[picked]
    status[picked] = cat.STATUSES.index("in_behandeling")
    done = picked & (finish < end)
    history_to[done, 1] = final[done]
    history_at[done, 1] = finish[done]
    status[done] = final[done]
    back = done & reopened & (reopen < end)
    history_to[back, 2] = cat.STATUSES.index("open")
    history_at[back, 2] = reopen[back]
    status[back] = cat.STATUSES.index("open")

    raw = rng.integers(0, 256, (n, 16), dtype=np.uint8)
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40  # version 4
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80  # RFC 4122 variant

    order = np.argsort(observed, kind="stable")
    return SignalBatch(
        offset=offset,
        uuid_bytes=raw[order],
        observed=observed[order],
        registered=registered[order],
        x=x[order],
        y=y[order],
        category=category[order].astype(np.int16),
        owner=owner[order].astype(np.int16),
        channel=channel[order].astype(np.int8),
        source_reliability=source_reliability[order].astype(np.int8),
        info_reliability=info_reliability[order].astype(np.int8),
        handling=handling[order].astype(np.int8),
        confidential=confidential[order],
        location_kind=location_kind[order].astype(np.int8),
        huisnummer=huisnummer[order].astype(np.int32),
        huisletter=huisletter[order].astype(np.int8),
        toevoeging=toevoeging[order].astype(np.int8),
        text=text[order].astype(np.int32),
        status=status[order],
        history_to=history_to[order],
        history_at=history_at[order],
        hotspot=hotspot[order].astype(np.int16),
    )


def concat(batches: Sequence[SignalBatch]) -> SignalBatch:
    if not batches:
        raise ValueError("nothing to concatenate")
    if len(batches) == 1:
        return batches[0]
    arrays = {name: np.concatenate([getattr(b, name) for b in batches]) for name in _ARRAY_FIELDS}
    return SignalBatch(offset=batches[0].offset, **arrays)


def iter_batches(plan: SignalPlan, batch_size: int = 10_000) -> Iterator[SignalBatch]:
    """Signals in time order, in batches of whole days of at least `batch_size` (except the last).

    The content does not depend on `batch_size`: every day has its own random stream.
    """
    region = plan.geography.sample_region
    pending: list[SignalBatch] = []
    size = 0
    offset = 0
    for day in range(plan.grid.days):
        batch = day_batch(plan, day, offset + size, region)
        if len(batch):
            pending.append(batch)
            size += len(batch)
        if size >= batch_size:
            yield concat(pending)
            offset += size
            pending, size = [], 0
    if pending:
        yield concat(pending)


def generate_all(plan: SignalPlan) -> SignalBatch:
    """All signals at once: for tests and analysis of small plans."""
    batches = list(iter_batches(plan, batch_size=max(plan.n_signals, 1)))
    if not batches:
        return concat([day_batch(plan, 0)])  # an empty batch with the right dtypes
    return concat(batches)


def description(category: int, text: int) -> str:
    code = cat.CATEGORIES[category].code
    templates = cat.DESCRIPTIONS[code]
    template = templates[text % len(templates)]
    street = cat.STREETS[(text >> 8) % len(cat.STREETS)]
    daypart = cat.DAYPARTS[(text >> 16) % len(cat.DAYPARTS)]
    return template.format(street=street, daypart=daypart)


def status_note(status: int, text: int) -> str:
    notes = cat.STATUS_NOTES[cat.STATUSES[status]]
    return notes[(text >> 20) % len(notes)]

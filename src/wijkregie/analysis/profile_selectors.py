"""The area profile: figures of one buurt, wijk or focus area for one viewer.

`area_profile(viewer=..., area=...)` fills `analysis.profile.AreaProfile`, the one source of
the profile page, the comparison page, the API and the printable area report.
`compare_profiles` does the same for 2-4 areas and shares the municipality-wide query.

Every count is of the signals the viewer may see (the one visibility policy) with the list
filters applied, so the figures add up to what the signal list shows. Whole local months come
from the monthly tallies and only today's month so far from the signals
(`signals.selectors.grouped_counts`, ADR 0013):

- municipality: visible signals per (buurt, life domain) in the period and in the same period
  a year earlier, which gives the municipality figure and the rank of every area of the same
  kind;
- the area: per (life domain, category) for every month of the period and the same window
  one to three years back, so the trend, the same month a year earlier, the seasonal baseline
  and the category mix come from one grouped query; month boundaries are local
  (Europe/Amsterdam);
- the area's hour of day x day of week (local time), grouped per UTC hour by the database.

Small counts: for viewers without need-to-know (`viewer.pseudonymised`), a count n with
0 < n < settings.SMALL_COUNT_THRESHOLD is None with `suppressed=True`, and so is every figure
derived from it (rate, change, rank, baseline mean).
"""

from __future__ import annotations

import datetime as dt
import uuid as uuidlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wijkregie.analysis.index_selectors import area_index
from wijkregie.analysis.profile import AreaIndex, AreaProfile, Chart, KeyFigure, Series
from wijkregie.analysis.selectors import area_statistics, latest_year
from wijkregie.analysis.trends import year_on_year
from wijkregie.areas.models import FocusArea, Neighbourhood, NeighbourhoodKind
from wijkregie.signals.selectors import (
    SignalFilters,
    category_list,
    grouped_counts,
    hour_of_week_counts,
    life_domain_list,
    signals_visible_to,
    tallies_visible_to,
)
from wijkregie.tenants.access import Viewer
from wijkregie.tenants.models import Municipality

TZ = "Europe/Amsterdam"
LOCAL = ZoneInfo(TZ)
FOCUS = "focusgebied"
BASELINE_YEARS = 3  # the seasonal baseline: the same month in up to three earlier years
MAX_MONTHS = 36  # a profile covers at most three years
MIN_COMPARE, MAX_COMPARE = 2, 4


# --- input -----------------------------------------------------------------------------------


@dataclass
class ProfileQuery:
    """Period and filters of a profile as they appear in URLs (web and API).

    `from` and `to` are inclusive dates (like the signal list); the profile's period is
    [start, end) with end = to + 1 day. Without them: the 12 calendar months up to today
    (this month so far and the 11 before it). The other keys are the signal list filters.
    """

    start: dt.date | None = None
    end: dt.date | None = None  # exclusive
    filters: SignalFilters = field(default_factory=SignalFilters)
    errors: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_query(cls, params: Any) -> ProfileQuery:
        filters = SignalFilters.from_query(params)
        filters.area = ""  # the area is the profile's own
        query = cls(filters=filters)
        query.errors.update(filters.errors)
        if filters.date_from and "from" not in filters.errors:
            query.start = filters.date_from
        if filters.date_to and "to" not in filters.errors:
            query.end = filters.date_to + dt.timedelta(days=1)
        if "from" not in query.errors and "to" not in query.errors:
            start, end = default_period(query.start, query.end)
            if _months_between(start, end) > MAX_MONTHS:
                query.errors["from"] = gettext_lazy("Kies een periode van hoogstens drie jaar.")
        # The period is the profile's own; the filters keep the other keys only.
        filters.date_from = filters.date_to = None
        return query


def default_period(start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    """[start, end): given dates, else the 12 calendar months up to and including today."""
    if end is None:
        end = timezone.localdate() + dt.timedelta(days=1)
    if start is None:
        last = end - dt.timedelta(days=1)
        month = last.year * 12 + last.month - 1 - 11
        start = dt.date(month // 12, month % 12 + 1, 1)
    return start, end


def _months_between(start: dt.date, end: dt.date) -> int:
    last = end - dt.timedelta(days=1)
    return (last.year - start.year) * 12 + last.month - start.month + 1


# --- areas -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProfileArea:
    """An area resolved within the viewer's municipality."""

    code: str  # CBS code, or the focus area's uuid
    name: str
    kind: str  # "buurt" | "wijk" | "focusgebied"
    neighbourhood_ids: frozenset[int]  # the ids signals of the area carry (buurten; a wijk too)
    buurt_codes: tuple[str, ...]  # for the CBS denominators


def access_profile_area(viewer: Viewer, area: str) -> ProfileArea:
    """A buurt or wijk (CBS code) or focus area (uuid) of the viewer's municipality, else 404."""
    raw = str(area).strip()
    try:
        area_uuid: uuidlib.UUID | None = uuidlib.UUID(raw)
    except ValueError:
        area_uuid = None
    if area_uuid is not None:
        focus = FocusArea.objects.filter(
            uuid=area_uuid, municipality_id=viewer.municipality_id
        ).first()
        if focus is None:
            raise Http404
        hoods = list(focus.neighbourhoods.order_by("code").values_list("id", "code"))
        return ProfileArea(
            code=str(focus.uuid),
            name=focus.name,
            kind=FOCUS,
            neighbourhood_ids=frozenset(pk for pk, _ in hoods),
            buurt_codes=tuple(code for _, code in hoods),
        )
    hood = Neighbourhood.objects.filter(
        municipality_id=viewer.municipality_id, code=raw.upper()
    ).first()
    if hood is None:
        raise Http404
    if hood.kind == NeighbourhoodKind.WIJK:
        children = list(hood.children.order_by("code").values_list("id", "code"))
        return ProfileArea(
            code=hood.code,
            name=hood.name,
            kind=NeighbourhoodKind.WIJK,
            neighbourhood_ids=frozenset([hood.pk, *(pk for pk, _ in children)]),
            buurt_codes=(hood.code,),
        )
    return ProfileArea(
        code=hood.code,
        name=hood.name,
        kind=NeighbourhoodKind.BUURT,
        neighbourhood_ids=frozenset([hood.pk]),
        buurt_codes=(hood.code,),
    )


@dataclass(frozen=True)
class _Peers:
    """Every area of each kind in the municipality: key -> neighbourhood ids it covers."""

    by_kind: dict[str, dict[str, frozenset[int]]]
    stats_codes: dict[str, dict[str, tuple[str, ...]]]  # kind -> key -> CBS codes to sum


def _peers(viewer: Viewer) -> _Peers:
    rows = list(
        Neighbourhood.objects.filter(municipality_id=viewer.municipality_id).values_list(
            "id", "code", "kind", "parent_id"
        )
    )
    code_of = {pk: code for pk, code, _, _ in rows}
    buurten: dict[str, frozenset[int]] = {}
    wijken: dict[str, set[int]] = {}
    for pk, code, kind, parent_id in rows:
        if kind == NeighbourhoodKind.WIJK:
            wijken.setdefault(code, set()).add(pk)
        else:
            buurten[code] = frozenset([pk])
            if parent_id is not None and parent_id in code_of:
                wijken.setdefault(code_of[parent_id], set()).add(pk)
    focus: dict[str, set[int]] = defaultdict(set)
    focus_codes: dict[str, list[str]] = defaultdict(list)
    through = FocusArea.neighbourhoods.through.objects.filter(
        focusarea__municipality_id=viewer.municipality_id
    ).values_list("focusarea__uuid", "neighbourhood_id")
    for focus_uuid, hood_id in through:
        focus[str(focus_uuid)].add(hood_id)
        focus_codes[str(focus_uuid)].append(code_of.get(hood_id, ""))
    return _Peers(
        by_kind={
            NeighbourhoodKind.BUURT: buurten,
            NeighbourhoodKind.WIJK: {k: frozenset(v) for k, v in wijken.items()},
            FOCUS: {k: frozenset(v) for k, v in focus.items()},
        },
        stats_codes={
            NeighbourhoodKind.BUURT: {code: (code,) for code in buurten},
            NeighbourhoodKind.WIJK: {code: (code,) for code in wijken},
            FOCUS: {k: tuple(sorted(v)) for k, v in focus_codes.items()},
        },
    )


# --- counting --------------------------------------------------------------------------------


def _local_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=LOCAL)


def _years_back(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


@dataclass(frozen=True)
class _Month:
    label: str
    windows: tuple[tuple[dt.date, dt.date], ...]  # [from, to) for 0, 1, ... years back


def _months(start: dt.date, end: dt.date) -> list[_Month]:
    """The calendar months of [start, end), clipped to the period, with the same windows
    1..BASELINE_YEARS years earlier."""
    months = []
    first = dt.date(start.year, start.month, 1)
    while first < end:
        following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
        lo, hi = max(first, start), min(following, end)
        windows = tuple((_years_back(lo, k), _years_back(hi, k)) for k in range(BASELINE_YEARS + 1))
        months.append(_Month(label=f"{MONTHS_3[first.month]} {first.year}", windows=windows))
        first = following
    return months


@dataclass(frozen=True)
class _MunicipalityCounts:
    """Visible signals per (neighbourhood id or None, life domain id): (period, year earlier)."""

    cells: dict[tuple[int | None, int], tuple[int, int]]
    data_start: dt.date | None  # the first day with a visible signal (no filters)

    def area(self, hood_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
        wanted = set(hood_ids)
        result: dict[int, tuple[int, int]] = defaultdict(lambda: (0, 0))
        for (hood, domain), (cur, prev) in self.cells.items():
            if hood in wanted:
                old = result[domain]
                result[domain] = (old[0] + cur, old[1] + prev)
        return dict(result)

    def totals(self) -> dict[int, tuple[int, int]]:
        result: dict[int, tuple[int, int]] = defaultdict(lambda: (0, 0))
        for (_hood, domain), (cur, prev) in self.cells.items():
            old = result[domain]
            result[domain] = (old[0] + cur, old[1] + prev)
        return dict(result)


def _municipality_counts(
    viewer: Viewer, filters: SignalFilters | None, start: dt.date, end: dt.date
) -> _MunicipalityCounts:
    prev_start, prev_end = _years_back(start, 1), _years_back(end, 1)
    per = grouped_counts(
        viewer,
        filters,
        {
            "cur": (_local_start(start), _local_start(end)),
            "prev": (_local_start(prev_start), _local_start(prev_end)),
        },
        ("neighbourhood_id", "life_domain_id"),
    )
    return _MunicipalityCounts(
        cells={(hood, domain): (n["cur"], n["prev"]) for (hood, domain), n in per.items()},
        data_start=_data_start(viewer),
    )


def _data_start(viewer: Viewer) -> dt.date | None:
    """The first local day with a visible signal (no filters): the first month with a tally,
    then the first signal within that month."""
    tallies = tallies_visible_to(viewer)
    assert tallies is not None  # without filters the tallies answer
    month = tallies.order_by("month").values_list("month", flat=True).first()
    if month is None:
        return None
    following = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    first = (
        signals_visible_to(viewer)
        .filter(observed_at__gte=_local_start(month), observed_at__lt=_local_start(following))
        .order_by("observed_at")
        .values_list("observed_at", flat=True)
        .first()
    )
    return timezone.localtime(first, LOCAL).date() if first else None


@dataclass(frozen=True)
class _AreaCounts:
    """The area's counts behind the charts."""

    monthly: dict[int, list[list[int]]]  # life domain id -> [month][years back]
    categories: dict[int, int]  # category id -> count in the period
    hours: dict[tuple[int, int], int]  # (local hour 0-23, ISO weekday 1-7) -> count


def _area_counts(
    viewer: Viewer,
    filters: SignalFilters | None,
    hood_ids: frozenset[int],
    months: list[_Month],
    start: dt.date,
    end: dt.date,
) -> _AreaCounts:
    """Every chart count of one area in three statements (`grouped_counts`: whole months
    from the monthly tallies, today's month so far from the signals; then the hours):

    per (life domain, category) and per window - each month of the period and the same
    window one to three years back - which gives the monthly trend per life domain, the same
    month a year earlier, the seasonal baseline, and (the windows of the period itself) the
    category mix; and per (hour, ISO weekday) in Europe/Amsterdam over the period.
    """
    if not months or not hood_ids:
        return _AreaCounts({}, {}, {})
    within = Q(neighbourhood_id__in=sorted(hood_ids))
    periods = {
        f"{m}:{k}": (_local_start(lo), _local_start(hi))
        for m, month in enumerate(months)
        for k, (lo, hi) in enumerate(month.windows)
    }
    per = grouped_counts(viewer, filters, periods, ("life_domain_id", "category_id"), within=within)
    monthly: dict[int, list[list[int]]] = {}
    categories: dict[int, int] = defaultdict(int)
    for (domain, category), n in per.items():
        rows = monthly.setdefault(int(domain), [[0] * len(month.windows) for month in months])
        for m, month in enumerate(months):
            for k in range(len(month.windows)):
                rows[m][k] += n[f"{m}:{k}"]
            categories[int(category)] += n[f"{m}:0"]
    hours = hour_of_week_counts(
        viewer, filters, (_local_start(start), _local_start(end)), within=within
    )
    return _AreaCounts(monthly, dict(categories), dict(hours))


# --- suppression and figures -----------------------------------------------------------------


@dataclass(frozen=True)
class _Suppress:
    threshold: int  # 0: nothing is suppressed

    def hides(self, n: int | None) -> bool:
        return n is not None and 0 < n < self.threshold

    def count(self, n: int | None) -> tuple[float | None, bool]:
        if n is None:
            return None, False
        if self.hides(n):
            return None, True
        return float(n), False


def _rate(n: int, residents: int | None) -> float | None:
    if not residents:
        return None
    return round(n / residents * 1000, 2)


def _change(cur: int, prev: int | None) -> float | None:
    if prev is None or prev == 0:
        return None
    return round((cur - prev) / prev * 100, 1)


def _rank(value: float, others: Iterable[float]) -> int:
    """1 = highest; ties share the better rank."""
    return 1 + sum(1 for other in others if other > value)


def _p_value(cur: int, prev: int | None) -> float | None:
    if prev is None or cur + prev == 0:
        return None
    return float(year_on_year([cur], [prev]).p_value[0])


@dataclass(frozen=True)
class _Figure:
    """True numbers of one figure before suppression."""

    key: str
    label: str
    unit: str
    cur: int
    prev: int | None  # None: no data a year earlier
    municipality: int
    peer_counts: Mapping[str, int]  # every area of the kind -> count (for the rank)


def _count_figure(f: _Figure, hide: _Suppress) -> KeyFigure:
    value, suppressed = hide.count(f.cur)
    previous, prev_hidden = hide.count(f.prev)
    municipality, _hidden = hide.count(f.municipality)
    rank = None
    if not suppressed and f.peer_counts:
        rank = _rank(f.cur, f.peer_counts.values())
    return KeyFigure(
        key=f.key,
        label=f.label,
        value=value,
        suppressed=suppressed,
        unit=f.unit,
        previous=previous,
        change_pct=None if suppressed or prev_hidden else _change(f.cur, f.prev),
        municipality=municipality,
        rank=rank,
        rank_of=len(f.peer_counts) or None,
        p_value=None if suppressed or prev_hidden else _p_value(f.cur, f.prev),
    )


def _rate_figure(
    f: _Figure,
    hide: _Suppress,
    residents: int | None,
    municipality_residents: int | None,
    peer_residents: Mapping[str, int | None],
) -> KeyFigure:
    suppressed = hide.hides(f.cur)
    prev_hidden = hide.hides(f.prev)
    value = None if suppressed else _rate(f.cur, residents)
    previous = (
        None if prev_hidden or f.prev is None else _rate(f.prev, residents)
    )  # same denominator: CBS publishes residents once a year
    peers = {
        key: rate
        for key, n in f.peer_counts.items()
        if (rate := _rate(n, peer_residents.get(key))) is not None
    }
    rank = None
    if value is not None and peers:
        rank = _rank(value, peers.values())
    municipality = (
        None if hide.hides(f.municipality) else _rate(f.municipality, municipality_residents)
    )
    return KeyFigure(
        key=f.key,
        label=f.label,
        value=value,
        suppressed=suppressed,
        unit=_("per 1.000 inwoners"),
        previous=previous,
        change_pct=None if value is None or prev_hidden else _change(f.cur, f.prev),
        municipality=municipality,
        rank=rank,
        rank_of=len(peers) if rank is not None else None,
    )


def _series(name: str, values: Sequence[int | None], hide: _Suppress) -> Series:
    shown = [hide.count(v) for v in values]
    return Series(
        name=name,
        values=tuple(v for v, _ in shown),
        suppressed=tuple(s for _, s in shown) if any(s for _, s in shown) else (),
    )


def _mean_series(name: str, values: Sequence[tuple[int, int] | None], hide: _Suppress) -> Series:
    """Means (sum / years) per month; suppressed when the sum behind it is small."""
    out: list[float | None] = []
    flags: list[bool] = []
    for item in values:
        if item is None:
            out.append(None)
            flags.append(False)
            continue
        total, years = item
        hidden = hide.hides(total)
        out.append(None if hidden else round(total / years, 1))
        flags.append(hidden)
    return Series(name=name, values=tuple(out), suppressed=tuple(flags) if any(flags) else ())


# --- the profile -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    """What every profile of one request shares: municipality counts, peers, statistics."""

    viewer: Viewer
    filters: SignalFilters | None
    start: dt.date
    end: dt.date
    counts: _MunicipalityCounts
    peers: _Peers
    stats_year: int | None
    residents_of: dict[str, dict[str, int | None]]  # kind -> peer key -> residents
    households_of: dict[str, dict[str, int | None]]
    municipality_residents: int | None
    domains: list[tuple[int, str, str]]  # (id, code, name)
    category_names: dict[int, str]
    hide: _Suppress


def _sum_or_none(values: Iterable[int | None]) -> int | None:
    items = list(values)
    if not items or any(v is None for v in items):
        return None
    return sum(v for v in items if v is not None)


def _context(
    viewer: Viewer, filters: SignalFilters | None, start: dt.date, end: dt.date
) -> _Context:
    peers = _peers(viewer)
    year = latest_year()
    residents_of: dict[str, dict[str, int | None]] = {}
    households_of: dict[str, dict[str, int | None]] = {}
    municipality = Municipality.objects.filter(pk=viewer.municipality_id).first()
    gm_code = municipality.cbs_code if municipality is not None else ""
    municipality_residents = None
    if year is not None:
        codes = {c for kind in peers.stats_codes.values() for cs in kind.values() for c in cs}
        stats = area_statistics([*codes, gm_code], year)
        for kind, areas in peers.stats_codes.items():
            residents_of[kind] = {
                key: _sum_or_none(stats[c].residents if c in stats else None for c in cs)
                for key, cs in areas.items()
            }
            households_of[kind] = {
                key: _sum_or_none(stats[c].households if c in stats else None for c in cs)
                for key, cs in areas.items()
            }
        if gm_code in stats:
            municipality_residents = stats[gm_code].residents
        else:
            municipality_residents = _sum_or_none(residents_of[NeighbourhoodKind.BUURT].values())
    threshold = viewer.small_count_threshold
    return _Context(
        viewer=viewer,
        filters=filters,
        start=start,
        end=end,
        counts=_municipality_counts(viewer, filters, start, end),
        peers=peers,
        stats_year=year,
        residents_of=residents_of,
        households_of=households_of,
        municipality_residents=municipality_residents,
        domains=[(d.pk, d.code, d.name) for d in life_domain_list(viewer=viewer)],
        category_names={c.pk: str(c) for c in category_list(viewer=viewer, active_only=False)},
        hide=_Suppress(threshold),
    )


def _peer_counts(ctx: _Context, kind: str, domain_id: int | None) -> dict[str, int]:
    per_hood: dict[int | None, int] = defaultdict(int)
    for (hood, domain), (cur, _prev) in ctx.counts.cells.items():
        if domain_id is None or domain == domain_id:
            per_hood[hood] += cur
    return {
        key: sum(per_hood.get(hood, 0) for hood in ids)
        for key, ids in ctx.peers.by_kind[kind].items()
    }


def _key_figures(ctx: _Context, area: ProfileArea, residents: int | None) -> list[KeyFigure]:
    by_domain = ctx.counts.area(area.neighbourhood_ids)
    totals = ctx.counts.totals()
    prev_known = ctx.counts.data_start is not None and ctx.counts.data_start <= _years_back(
        ctx.start, 1
    )
    cur = sum(c for c, _ in by_domain.values())
    prev = sum(p for _, p in by_domain.values()) if prev_known else None
    signals = _Figure(
        key="signals",
        label=_("Signalen"),
        unit=_("signalen"),
        cur=cur,
        prev=prev,
        municipality=sum(c for c, _ in totals.values()),
        peer_counts=_peer_counts(ctx, area.kind, None),
    )
    figures = [
        _count_figure(signals, ctx.hide),
        _rate_figure(
            replace(signals, key="per_1000", label=_("Signalen per 1.000 inwoners")),
            ctx.hide,
            residents,
            ctx.municipality_residents,
            ctx.residents_of.get(area.kind, {}),
        ),
    ]
    for domain_id, code, name in ctx.domains:
        c, p = by_domain.get(domain_id, (0, 0))
        figures.append(
            _count_figure(
                _Figure(
                    key=f"domain:{code}",
                    label=name,
                    unit=_("signalen"),
                    cur=c,
                    prev=p if prev_known else None,
                    municipality=totals.get(domain_id, (0, 0))[0],
                    peer_counts=_peer_counts(ctx, area.kind, domain_id),
                ),
                ctx.hide,
            )
        )
    return figures


def _charts(ctx: _Context, area: ProfileArea) -> tuple[list[Chart], list[str]]:
    notes: list[str] = []
    months = _months(ctx.start, ctx.end)
    area_counts = _area_counts(
        ctx.viewer, ctx.filters, area.neighbourhood_ids, months, ctx.start, ctx.end
    )
    monthly = area_counts.monthly
    data_start = ctx.counts.data_start

    def covered(window: tuple[dt.date, dt.date]) -> bool:
        return data_start is not None and window[0] >= data_start

    totals = [[0] * (BASELINE_YEARS + 1) for _ in months]
    for per_month in monthly.values():
        for m, counts in enumerate(per_month):
            for k, n in enumerate(counts):
                totals[m][k] += n
    year_earlier: list[int | None] = [
        totals[m][1] if covered(month.windows[1]) else None for m, month in enumerate(months)
    ]
    baseline: list[tuple[int, int] | None] = []
    for m, month in enumerate(months):
        years = [k for k in range(1, BASELINE_YEARS + 1) if covered(month.windows[k])]
        baseline.append((sum(totals[m][k] for k in years), len(years)) if years else None)
    if any(v is None for v in baseline):
        notes.append(
            _(
                "Voor een deel van de maanden is er geen eerder jaar met signalen: daar ontbreken "
                "de vergelijking en de seizoensbasis."
            )
        )
    labels = tuple(month.label for month in months)
    charts = [
        Chart(
            key="trend",
            title=_("Signalen per maand"),
            caption=_(
                "Signalen per maand in %(area)s, met dezelfde maand een jaar eerder en de "
                "seizoensbasis (het gemiddelde van dezelfde maand in de drie jaren ervoor)."
            )
            % {"area": area.name},
            kind="line",
            x_label=_("Maand"),
            y_label=_("Signalen"),
            x_labels=labels,
            series=(
                _series(_("Signalen"), [row[0] for row in totals], ctx.hide),
                _series(_("Zelfde maand een jaar eerder"), year_earlier, ctx.hide),
                _mean_series(_("Seizoensbasis"), baseline, ctx.hide),
            ),
        ),
        Chart(
            key="domains",
            title=_("Signalen per maand en leefgebied"),
            caption=_("Signalen per maand in %(area)s, per leefgebied.") % {"area": area.name},
            kind="line",
            x_label=_("Maand"),
            y_label=_("Signalen"),
            x_labels=labels,
            series=tuple(
                _series(
                    name,
                    [row[0] for row in monthly.get(domain_id, [[0]] * len(months))],
                    ctx.hide,
                )
                for domain_id, _code, name in ctx.domains
            ),
        ),
    ]
    categories = area_counts.categories
    ordered = sorted(
        ((ctx.category_names.get(cat, "?"), n) for cat, n in categories.items() if n),
        key=lambda item: (-item[1], item[0]),
    )
    charts.append(
        Chart(
            key="categories",
            title=_("Signalen per categorie"),
            caption=_("Hoeveel signalen in %(area)s in de periode per categorie vallen.")
            % {"area": area.name},
            kind="hbar",
            x_label=_("Categorie"),
            y_label=_("Signalen"),
            x_labels=tuple(name for name, _ in ordered),
            series=(_series(_("Signalen"), [n for _, n in ordered], ctx.hide),),
        )
    )
    hours = area_counts.hours
    per_hour = [sum(n for (h, _), n in hours.items() if h == hour) for hour in range(24)]
    per_day = [sum(n for (_, w), n in hours.items() if w == day) for day in range(1, 8)]
    charts.append(
        Chart(
            key="hour",
            title=_("Signalen per uur van de dag"),
            caption=_(
                "Op welk uur van de dag de signalen in %(area)s zijn waargenomen (Nederlandse "
                "tijd)."
            )
            % {"area": area.name},
            kind="bar",
            x_label=_("Uur"),
            y_label=_("Signalen"),
            x_labels=tuple(f"{hour:02d}" for hour in range(24)),
            series=(_series(_("Signalen"), per_hour, ctx.hide),),
        )
    )
    charts.append(
        Chart(
            key="weekday",
            title=_("Signalen per dag van de week"),
            caption=_("Op welke dag van de week de signalen in %(area)s zijn waargenomen.")
            % {"area": area.name},
            kind="bar",
            x_label=_("Dag"),
            y_label=_("Signalen"),
            x_labels=tuple(str(WEEKDAYS_ABBR[day]) for day in range(7)),
            series=(_series(_("Signalen"), per_day, ctx.hide),),
        )
    )
    return charts, notes


def _profile(ctx: _Context, area: ProfileArea, index: AreaIndex | None) -> AreaProfile:
    key = area.code
    residents = ctx.residents_of.get(area.kind, {}).get(key)
    households = ctx.households_of.get(area.kind, {}).get(key)
    notes: list[str] = []
    if ctx.stats_year is None or residents is None:
        notes.append(_("Geen inwonertal van het CBS bekend: geen cijfers per 1.000 inwoners."))
    charts, chart_notes = _charts(ctx, area)
    notes.extend(chart_notes)
    if ctx.hide.threshold:
        notes.append(
            _("Aantallen van 1 tot %(n)s zijn afgeschermd (kleine aantallen).")
            % {"n": ctx.hide.threshold}
        )
    if index is None:
        notes.append(_("Geen index beschikbaar."))
    return AreaProfile(
        code=area.code,
        name=area.name,
        kind=area.kind,
        period_start=ctx.start,
        period_end=ctx.end,
        residents=residents,
        households=households,
        stats_year=ctx.stats_year if residents is not None else None,
        suppression_threshold=ctx.hide.threshold,
        key_figures=tuple(_key_figures(ctx, area, residents)),
        charts=tuple(charts),
        index=index,
        notes=tuple(notes),
    )


def _resolve_period(start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    start, end = default_period(start, end)
    if start >= end:
        raise ValueError("the period is empty")
    return start, end


def area_profile(
    *,
    viewer: Viewer,
    area: str,
    start: dt.date | None = None,
    end: dt.date | None = None,
    filters: SignalFilters | None = None,
) -> AreaProfile:
    """The profile of one area for this viewer.

    `area`: a CBS buurt or wijk code or a focus area uuid of the viewer's municipality (else
    Http404, also for other municipalities). `start` and `end`: the period [start, end) (end
    exclusive); default the 12 calendar months up to today. `filters`: the signal list
    filters (category, life domain, source, status); its dates and area are ignored.
    """
    return compare_profiles(viewer=viewer, areas=[area], start=start, end=end, filters=filters)[0]


def compare_profiles(
    *,
    viewer: Viewer,
    areas: Sequence[str],
    start: dt.date | None = None,
    end: dt.date | None = None,
    filters: SignalFilters | None = None,
) -> tuple[AreaProfile, ...]:
    """Profiles of several areas (any kinds) over the same period and filters, in the order
    given; the municipality-wide counts are computed once. Unknown areas: Http404."""
    period_start, period_end = _resolve_period(start, end)
    resolved = [access_profile_area(viewer, a) for a in areas]
    if filters is not None:
        filters = replace(filters, date_from=None, date_to=None, area="", errors={})
    ctx = _context(viewer, filters, period_start, period_end)
    indexes = area_index(viewer=viewer, codes=[a.code for a in resolved]) if resolved else {}
    return tuple(_profile(ctx, a, indexes.get(a.code)) for a in resolved)


# --- comparison (pure: from the profiles) ---------------------------------------------------

COMPARED_CHARTS = ("trend", "categories", "hour", "weekday")


def comparison_charts(profiles: Sequence[AreaProfile]) -> tuple[Chart, ...]:
    """The charts of the comparison page: per chart key one chart with one series per area
    (the area's own first series: its signals), suppression carried over."""
    if not profiles:
        return ()
    names = [p.name for p in profiles]
    charts = []
    for key in COMPARED_CHARTS:
        own = [next((c for c in p.charts if c.key == key), None) for p in profiles]
        if any(c is None for c in own):
            continue
        present = [c for c in own if c is not None]
        first = present[0]
        if key == "categories":
            totals: dict[str, float] = defaultdict(float)
            cells: list[dict[str, tuple[float | None, bool]]] = []
            for chart in present:
                series = chart.series[0]
                mapping = {}
                for i, label in enumerate(chart.x_labels):
                    hidden = bool(series.suppressed) and series.suppressed[i]
                    mapping[label] = (series.values[i], hidden)
                    totals[label] += series.values[i] or 0
                cells.append(mapping)
            labels = tuple(sorted(totals, key=lambda label: (-totals[label], label)))
            series_list = tuple(
                Series(
                    name=name,
                    values=tuple(mapping.get(label, (0.0, False))[0] for label in labels),
                    suppressed=tuple(mapping.get(label, (0.0, False))[1] for label in labels),
                )
                for name, mapping in zip(names, cells, strict=True)
            )
        else:
            labels = first.x_labels
            series_list = tuple(
                replace(chart.series[0], name=name)
                for name, chart in zip(names, present, strict=True)
            )
        charts.append(
            Chart(
                key=key,
                title=first.title,
                caption=_("%(title)s: de gebieden naast elkaar (%(areas)s).")
                % {"title": first.title, "areas": ", ".join(names)},
                kind=first.kind,
                x_label=first.x_label,
                y_label=first.y_label,
                x_labels=labels,
                series=series_list,
            )
        )
    return tuple(charts)

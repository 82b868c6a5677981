"""Viewer-scoped reads of signals: list, search, counts, export all use one filter."""

from __future__ import annotations

import datetime as dt
import uuid as uuidlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Func, IntegerField, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wijkregie.areas.models import FocusArea, Neighbourhood
from wijkregie.signals import analysis
from wijkregie.signals.access import visible_signals_q
from wijkregie.signals.models import (
    TALLY_TIME_ZONE,
    Attachment,
    Category,
    LifeDomain,
    Signal,
    SignalStatusChange,
    SignalTally,
    SourceChannel,
)
from wijkregie.signals.states import FINAL, Status
from wijkregie.tenants.access import Viewer

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

FILTER_KEYS = ("from", "to", "category", "domain", "source", "status", "area", "q")


@dataclass
class SignalFilters:
    """Filters as they appear in URLs (web and API): all optional, all validated."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    category: str = ""  # category code; a main category includes its subcategories
    domain: str = ""  # life domain code
    source: str = ""
    status: str = ""
    area: str = ""  # focus area uuid or CBS wijk/buurt code
    q: str = ""
    # query key -> message; lazy, so shown in the language active when it is rendered
    errors: dict[str, StrOrPromise] = field(default_factory=dict)

    @classmethod
    def from_query(cls, params: Any) -> SignalFilters:
        f = cls()
        for key, attr in (("from", "date_from"), ("to", "date_to")):
            raw = (params.get(key) or "").strip()
            if raw:
                try:
                    setattr(f, attr, dt.date.fromisoformat(raw))
                except ValueError:
                    f.errors[key] = _("Gebruik een datum als JJJJ-MM-DD.")
        if f.date_from and f.date_to and f.date_from > f.date_to:
            f.errors["to"] = _("De einddatum ligt voor de begindatum.")
        f.category = (params.get("category") or "").strip()[:50]
        f.domain = (params.get("domain") or "").strip()[:30]
        f.source = (params.get("source") or "").strip()
        if f.source and f.source not in SourceChannel.values:
            f.errors["source"] = _("Onbekende bron.")
        f.status = (params.get("status") or "").strip()
        if f.status and f.status not in {s.value for s in Status}:
            f.errors["status"] = _("Onbekende status.")
        f.area = (params.get("area") or "").strip()[:40]
        f.q = (params.get("q") or "").strip()[:100]
        return f

    def as_query(self) -> dict[str, str]:
        values = {
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
            "category": self.category,
            "domain": self.domain,
            "source": self.source,
            "status": self.status,
            "area": self.area,
            "q": self.q,
        }
        return {k: v for k, v in values.items() if v}


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def area_neighbourhood_ids(viewer: Viewer, area: str) -> list[int]:
    """Buurt ids for a focus area uuid or a CBS code in the viewer's tenant; [] if unknown.

    A wijk stands for itself and its buurten.
    """
    try:
        area_uuid = uuidlib.UUID(area)
    except ValueError:
        area_uuid = None
    if area_uuid is not None:
        rows = FocusArea.neighbourhoods.through.objects.filter(
            focusarea__uuid=area_uuid, focusarea__municipality_id=viewer.municipality_id
        ).values_list("neighbourhood_id", flat=True)
        return sorted(rows)
    code = area.upper()
    return sorted(
        Neighbourhood.objects.filter(municipality_id=viewer.municipality_id)
        .filter(Q(code=code) | Q(parent__code=code, parent__kind="wijk"))
        .values_list("id", flat=True)
    )


def apply_filters(qs: QuerySet[Signal], viewer: Viewer, filters: SignalFilters) -> QuerySet[Signal]:
    """Narrow a visible queryset.

    Codes are looked up first and passed as literal ids (not as subqueries): PostgreSQL plans
    with the column statistics of literal values, and misjudged subqueries badly (a category
    filter took 400 ms instead of a few).
    """
    if filters.date_from and "from" not in filters.errors:
        qs = qs.filter(observed_at__gte=_day_start(filters.date_from))
    if filters.date_to and "to" not in filters.errors:
        qs = qs.filter(observed_at__lt=_day_start(filters.date_to + dt.timedelta(days=1)))
    qs = qs.filter(key_filters_q(viewer, filters))
    if filters.q and not viewer.pseudonymised:
        # Free-text search reads personal data; analysts work on pseudonymised data only.
        qs = qs.filter(description__icontains=filters.q)
    return qs


def key_filters_q(viewer: Viewer, filters: SignalFilters) -> Q:
    """The filters on a signal's key columns (category, life domain, source, status, area),
    which the monthly tallies share with the signal table."""
    q = Q()
    if filters.category:
        category_ids = sorted(
            Category.objects.filter(municipality_id=viewer.municipality_id)
            .filter(Q(code=filters.category) | Q(parent__code=filters.category))
            .values_list("id", flat=True)
        )
        q &= Q(category_id__in=category_ids)
    if filters.domain:
        domain_id = (
            LifeDomain.objects.filter(municipality_id=viewer.municipality_id, code=filters.domain)
            .values_list("id", flat=True)
            .first()
        )
        q &= Q(life_domain_id=domain_id or 0)
    if filters.source and "source" not in filters.errors:
        q &= Q(source_channel=filters.source)
    if filters.status and "status" not in filters.errors:
        q &= Q(status=filters.status)
    if filters.area:
        q &= Q(neighbourhood_id__in=area_neighbourhood_ids(viewer, filters.area))
    return q


def signals_visible_to(viewer: Viewer) -> QuerySet[Signal]:
    return Signal.objects.filter(visible_signals_q(viewer))


def tallies_visible_to(
    viewer: Viewer, filters: SignalFilters | None = None
) -> QuerySet[SignalTally] | None:
    """The monthly tallies of the signals this viewer may see, with the list filters.

    The tally's key columns carry the signal's column names, so the one visibility policy and
    the key filters apply unchanged and the sums equal counts over `signals_visible_to`. None
    when a filter cannot be answered from tallies (status, source, free text: not in the key);
    the caller then counts signals.
    Date filters are the caller's to apply as whole months (ValueError otherwise).
    """
    if filters is None:
        return SignalTally.objects.filter(visible_signals_q(viewer)).order_by()
    if filters.date_from or filters.date_to:
        raise ValueError("tallies are per month: apply the period as months")
    if filters.status or filters.source or (filters.q and not viewer.pseudonymised):
        return None
    qs = SignalTally.objects.filter(visible_signals_q(viewer)).order_by()
    return qs.filter(key_filters_q(viewer, filters))


# --- counts over periods: whole local months from the tallies, the rest from the signals ---

Period = tuple[dt.datetime, dt.datetime]  # [start, end), aware
FEW_PERIODS = 4  # up to this many periods: conditional sums; more: grouped per month
TALLY_ZONE = ZoneInfo(TALLY_TIME_ZONE)


def _month_after(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _local_month_start(month: dt.date) -> dt.datetime:
    return dt.datetime(month.year, month.month, month.day, tzinfo=TALLY_ZONE)


def whole_months(start: dt.datetime, end: dt.datetime) -> tuple[list[dt.date], list[Period]]:
    """The local calendar months lying wholly in [start, end), and the pieces of [start, end)
    outside them (at most one at each end)."""
    if start >= end:
        return [], []
    local = start.astimezone(TALLY_ZONE)
    month = dt.date(local.year, local.month, 1)
    if _local_month_start(month) < start:
        month = _month_after(month)
    months: list[dt.date] = []
    while _local_month_start(_month_after(month)) <= end:
        months.append(month)
        month = _month_after(month)
    if not months:
        return [], [(start, end)]
    pieces: list[Period] = []
    first, after_last = _local_month_start(months[0]), _local_month_start(_month_after(months[-1]))
    if start < first:
        pieces.append((start, first))
    if after_last < end:
        pieces.append((after_last, end))
    return months, pieces


def grouped_counts(
    viewer: Viewer,
    filters: SignalFilters | None,
    periods: Mapping[str, Period],
    by: Sequence[str],
    *,
    within: Q | None = None,
) -> dict[tuple[Any, ...], Counter[str]]:
    """Visible signals per group (`by`: key columns such as "neighbourhood_id",
    "life_domain_id", "category_id") and per named period: group -> Counter(period -> n).

    Equal to counting `signals_visible_to(viewer)` with the key filters, but whole local
    months are read from the monthly tallies (one grouped query; ADR 0013) and only the
    pieces of a period outside whole months (today's month so far) from the signals. Filters
    the tallies cannot answer (status, source, free text) count every signal. `within`: an
    extra condition on key columns (e.g. the area's neighbourhoods). A signal without buurt
    has neighbourhood_id None.
    """
    if filters is not None:
        filters = replace(filters, date_from=None, date_to=None, errors=dict(filters.errors))
    tallies = tallies_visible_to(viewer, filters)
    result: dict[tuple[Any, ...], Counter[str]] = defaultdict(Counter)
    labels_of_month: dict[dt.date, list[str]] = defaultdict(list)
    pieces: list[tuple[str, Period]] = []
    for label, (start, end) in periods.items():
        if tallies is None:
            pieces.extend((label, p) for p in ([(start, end)] if start < end else []))
            continue
        months, rest = whole_months(start, end)
        for month in months:
            labels_of_month[month].append(label)
        pieces.extend((label, p) for p in rest)
    if tallies is not None and labels_of_month:
        qs = tallies.filter(month__in=sorted(labels_of_month))
        if within is not None:
            qs = qs.filter(within)
        hood = by.index("neighbourhood_id") if "neighbourhood_id" in by else -1
        months_of: dict[str, list[dt.date]] = defaultdict(list)
        for month, labels in labels_of_month.items():
            for label in labels:
                months_of[label].append(month)
        if len(months_of) <= FEW_PERIODS:
            # One conditional sum per period: a row per group, not per group and month.
            sums = {
                f"p{i}": Sum("n", filter=Q(month__in=sorted(months)))
                for i, months in enumerate(months_of.values())
            }
            for row in qs.values(*by).annotate(**sums).values_list(*by, *sums):
                key = tuple(
                    None if i == hood and v == 0 else v for i, v in enumerate(row[: len(by)])
                )
                for label, total in zip(months_of, row[len(by) :], strict=True):
                    if total:
                        result[key][label] += int(total)
        else:
            rows = (
                qs.values(*by, "month").annotate(total=Sum("n")).values_list(*by, "month", "total")
            )
            for row in rows:
                key = tuple(None if i == hood and v == 0 else v for i, v in enumerate(row[:-2]))
                for label in labels_of_month[row[-2]]:
                    result[key][label] += int(row[-1])
    if pieces:
        signals = signals_visible_to(viewer)
        if filters is not None:
            signals = apply_filters(signals, viewer, filters)
        if within is not None:
            signals = signals.filter(within)
        windows = [Q(observed_at__gte=start, observed_at__lt=end) for _, (start, end) in pieces]
        any_window = windows[0]
        for window in windows[1:]:
            any_window |= window
        per_label: dict[str, Q] = {}
        for (label, _), window in zip(pieces, windows, strict=True):
            per_label[label] = per_label[label] | window if label in per_label else window
        names = {label: f"c{i}" for i, label in enumerate(per_label)}
        rows2 = (
            signals.filter(any_window)
            .order_by()
            .values(*by)
            .annotate(
                **{names[label]: Count("observed_at", filter=q) for label, q in per_label.items()}
            )
        )
        for row in rows2:
            key = tuple(row[column] for column in by)
            for label, name in names.items():
                if row[name]:
                    result[key][label] += int(row[name])
    return dict(result)


class _UtcHourNumber(Func):
    """Whole hours since 1970-01-01 00:00 UTC of a timestamp: cheap to group by (no time zone
    rules per row) and a plain integer to read back (no datetime conversion per row)."""

    output_field = IntegerField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="FLOOR(date_part('epoch', %(expressions)s) / 3600)::bigint",
            **extra,
        )

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # '%%%%s' -> '%%s' in the SQL, which the SQLite backend leaves alone (a bare %s would
        # become a parameter placeholder) and hands to SQLite as '%s'.
        return self.as_sql(
            compiler,
            connection,
            template="CAST(strftime('%%%%s', %(expressions)s) AS INTEGER) / 3600",
            **extra,
        )


def _local_hour_and_weekday(hours: Iterable[int]) -> dict[int, tuple[int, int]]:
    """UTC hour numbers -> (local hour, ISO weekday). The offset is looked up once per UTC
    day, and per hour only on the two days a year when daylight saving time switches."""
    result: dict[int, tuple[int, int]] = {}
    offsets: dict[int, int | None] = {}
    for number in hours:
        day = number // 24
        if day not in offsets:
            first = dt.datetime.fromtimestamp(day * 86400, TALLY_ZONE).utcoffset()
            last = dt.datetime.fromtimestamp(day * 86400 + 23 * 3600, TALLY_ZONE).utcoffset()
            offsets[day] = int(first.total_seconds()) // 3600 if first == last and first else None
        offset = offsets[day]
        if offset is None:
            stamp = dt.datetime.fromtimestamp(number * 3600, TALLY_ZONE)
            result[number] = (stamp.hour, stamp.isoweekday())
        else:
            local = number + offset
            # 1 January 1970 was a Thursday (ISO weekday 4).
            result[number] = (local % 24, (local // 24 + 3) % 7 + 1)
    return result


def hour_of_week_counts(
    viewer: Viewer,
    filters: SignalFilters | None,
    period: Period,
    *,
    within: Q | None = None,
) -> Counter[tuple[int, int]]:
    """Visible signals per (local hour 0-23, ISO weekday 1-7) in the period.

    The database groups by the UTC hour (no time zone rules per row; on PostgreSQL an
    index-only scan of `signal_buurt_time`), and the at most 24 x 366 buckets are turned into
    local hours here: every UTC hour is one local hour, daylight saving time included.
    """
    signals = signals_visible_to(viewer)
    if filters is not None:
        filters = replace(filters, date_from=None, date_to=None, errors=dict(filters.errors))
        signals = apply_filters(signals, viewer, filters)
    if within is not None:
        signals = signals.filter(within)
    rows = list(
        signals.filter(observed_at__gte=period[0], observed_at__lt=period[1])
        .order_by()
        .annotate(hour=_UtcHourNumber("observed_at"))
        .values("hour")
        .annotate(n=Count("observed_at"))  # a column of the covering index, not the id
        .values_list("hour", "n")
    )
    local = _local_hour_and_weekday(int(hour) for hour, _ in rows)
    result: Counter[tuple[int, int]] = Counter()
    for hour, n in rows:
        result[local[int(hour)]] += int(n)
    return result


LIST_ORDER = ("-observed_at", "-id")
LIST_RELATED = ("category__parent", "life_domain", "owner_organisation", "neighbourhood")
# Lists say "more than 10,000" rather than counting hundreds of thousands of rows.
COUNT_CAP = 10_000


def signal_list(*, viewer: Viewer, filters: SignalFilters | None = None) -> QuerySet[Signal]:
    """Visible signals, newest first, with what a list shows. For exports and counts.

    To show a page, use `signal_page`: a query joining the lookup tables with ORDER BY and
    LIMIT led SQLite to sort every visible signal (seconds at a million rows).
    """
    qs = signals_visible_to(viewer)
    if filters is not None:
        qs = apply_filters(qs, viewer, filters)
    return qs.select_related(*LIST_RELATED).order_by(*LIST_ORDER)


def signals_in_order(ids: list[int]) -> list[Signal]:
    """The signals with these ids (already filtered by the policy), in the order given."""
    rows = Signal.objects.filter(pk__in=ids).select_related(*LIST_RELATED).in_bulk()
    return [rows[pk] for pk in ids if pk in rows]


def signal_values_in_order(ids: list[int], columns: tuple[str, ...]) -> list[dict[str, Any]]:
    """`.values(*columns)` of the signals with these ids (already filtered), in that order."""
    fields = list(dict.fromkeys(("id", *columns)))
    rows = {row["id"]: row for row in Signal.objects.filter(pk__in=ids).values(*fields)}
    return [rows[pk] for pk in ids if pk in rows]


def signal_page(
    *, viewer: Viewer, filters: SignalFilters | None = None, start: int = 0, stop: int = 10
) -> list[Signal]:
    """One page in two steps: the ids from the signal table alone (which walks the time index
    and stops at the page), then those rows with their categories, organisations and buurten."""
    ids = list(signal_list(viewer=viewer, filters=filters).values_list("id", flat=True)[start:stop])
    return signals_in_order(ids)


class SignalPages:
    """What Django's Paginator needs: a capped count and slices fetched with `signal_page`."""

    def __init__(self, *, viewer: Viewer, filters: SignalFilters | None = None) -> None:
        self.viewer = viewer
        self.filters = filters
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            visible = signal_list(viewer=self.viewer, filters=self.filters).order_by()
            self._count = visible[: COUNT_CAP + 1].count()
        return self._count

    @property
    def capped(self) -> bool:
        return self.count() > COUNT_CAP

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[Signal]:
        if not isinstance(index, slice):
            raise TypeError("SignalPages only supports slices.")
        start = index.start or 0
        stop = index.stop if index.stop is not None else self.count()
        return signal_page(viewer=self.viewer, filters=self.filters, start=start, stop=stop)


def signal_counts_by_neighbourhood(
    *, viewer: Viewer, filters: SignalFilters | None = None
) -> dict[int, int]:
    qs = signals_visible_to(viewer)
    if filters is not None:
        qs = apply_filters(qs, viewer, filters)
    rows = qs.exclude(neighbourhood__isnull=True).values("neighbourhood_id").annotate(n=Count("id"))
    return {row["neighbourhood_id"]: row["n"] for row in rows.order_by()}


def signal_status_history(*, signal: Signal) -> QuerySet[SignalStatusChange]:
    """History of a signal the caller already obtained through `access_signal`."""
    return SignalStatusChange.objects.filter(signal=signal).order_by("at", "id")


def category_list(*, viewer: Viewer, active_only: bool = True) -> QuerySet[Category]:
    qs = Category.objects.filter(municipality_id=viewer.municipality_id).select_related(
        "parent", "life_domain"
    )
    if active_only:
        qs = qs.filter(active=True)
    return qs.order_by("life_domain__order", "parent__name", "name")


def life_domain_list(*, viewer: Viewer) -> QuerySet[LifeDomain]:
    return LifeDomain.objects.filter(municipality_id=viewer.municipality_id).order_by(
        "order", "name"
    )


def leaf_category_list(*, viewer: Viewer) -> QuerySet[Category]:
    """Categories a signal can get: a subcategory, or a main category without any."""
    return category_list(viewer=viewer).exclude(children__active=True)


# How many of a user's own categories a quick form offers first.
FREQUENT_CATEGORIES = 5


def frequent_category_ids(*, viewer: Viewer, limit: int = FREQUENT_CATEGORIES) -> list[int]:
    """The categories this user registered most often (most first), among visible signals."""
    rows = (
        signals_visible_to(viewer)
        .filter(registered_by=viewer.user)
        .values("category_id")
        .annotate(n=Count("id"))
        .order_by("-n", "category_id")[:limit]
    )
    return [row["category_id"] for row in rows]


def signal_attachments(*, signal: Signal) -> QuerySet[Attachment]:
    """Photos of a signal the caller obtained through `access_signal` (and may see in full)."""
    return Attachment.objects.filter(signal=signal).order_by("created_at", "id")


def signal_attachment(*, signal: Signal, attachment_uuid: object) -> Attachment | None:
    try:
        parsed = uuidlib.UUID(str(attachment_uuid))
    except ValueError:
        return None
    return Attachment.objects.filter(signal=signal, uuid=parsed).first()


def visible_signal(*, viewer: Viewer, signal_uuid: object) -> Signal | None:
    """A signal the viewer may see, without logging a read: for references (a link target)."""
    try:
        parsed = uuidlib.UUID(str(signal_uuid))
    except ValueError:
        return None
    return (
        signals_visible_to(viewer)
        .select_related("category__parent", "owner_organisation")
        .filter(uuid=parsed)
        .first()
    )


@dataclass(frozen=True)
class DuplicateLinks:
    """The duplicate links of one signal, as far as the viewer may see them."""

    original: Signal | None  # the signal this one repeats, when visible
    original_hidden: bool  # linked to a signal the viewer may not see
    duplicates: list[Signal]  # visible signals that repeat this one


def duplicate_links(*, viewer: Viewer, signal: Signal) -> DuplicateLinks:
    visible = signals_visible_to(viewer).select_related("category__parent", "owner_organisation")
    original = None
    if signal.duplicate_of_id is not None:
        original = visible.filter(pk=signal.duplicate_of_id).first()
    duplicates = list(visible.filter(duplicate_of_id=signal.pk).order_by("observed_at", "id"))
    return DuplicateLinks(
        original=original,
        original_hidden=signal.duplicate_of_id is not None and original is None,
        duplicates=duplicates,
    )


@dataclass(frozen=True)
class DuplicateHint:
    signal: Signal
    distance_m: float
    days_apart: float


HINT_LIMIT = 10
_HINT_COLUMNS = ("id", "rd_x", "rd_y", "postcode", "huisnummer", "observed_at")


def place_of(signal: Signal) -> analysis.Place:
    return analysis.Place(
        x=signal.rd_x, y=signal.rd_y, postcode=signal.postcode, huisnummer=signal.huisnummer
    )


def duplicate_hints(
    *,
    viewer: Viewer,
    signal: Signal,
    radius_m: float,
    days: int,
    limit: int = HINT_LIMIT,
) -> list[DuplicateHint]:
    """Open signals the viewer may see that may report the same thing as `signal`.

    Same category, not final, not linked as a duplicate, within `radius_m` and `days` before
    or after it; closest first. The candidates come from the 100 m cell index (points) or the
    exact address (signals without a point), inside the time window; `analysis` measures and
    ranks them.
    """
    origin = place_of(signal)
    if not origin.comparable:
        return []
    window = dt.timedelta(days=days)
    base = (
        signals_visible_to(viewer)
        .filter(
            municipality_id=signal.municipality_id,
            category_id=signal.category_id,
            observed_at__gte=signal.observed_at - window,
            observed_at__lte=signal.observed_at + window,
            duplicate_of__isnull=True,
        )
        .exclude(status__in=sorted(FINAL))
        .exclude(pk=signal.pk)
    )
    if signal.duplicate_of_id is not None:
        base = base.exclude(pk=signal.duplicate_of_id)
    rows: dict[int, dict[str, Any]] = {}
    if origin.has_point:
        assert origin.x is not None and origin.y is not None
        min_x, max_x, min_y, max_y = analysis.cell_range(origin.x, origin.y, radius_m)
        # Lists, not ranges: every (cell x, cell y) pair is then an exact seek in the cell
        # index; with ranges, SQLite walked the time index through the whole window instead.
        near = base.filter(
            cell_x__in=list(range(min_x, max_x + 1)), cell_y__in=list(range(min_y, max_y + 1))
        )
        rows.update((row["id"], row) for row in near.order_by().values(*_HINT_COLUMNS))
    if origin.has_address:
        same_address = base.filter(postcode=origin.postcode, huisnummer=origin.huisnummer)
        if signal.neighbourhood_id is not None:
            # An address lies in one buurt: the (buurt, category) index finds the candidates.
            same_address = same_address.filter(neighbourhood_id=signal.neighbourhood_id)
        if origin.has_point:
            # Two points are compared as points; the address counts only for one without.
            same_address = same_address.filter(rd_x__isnull=True)
        rows.update((row["id"], row) for row in same_address.order_by().values(*_HINT_COLUMNS))
    candidates = [
        analysis.Candidate(
            id=row["id"],
            place=analysis.Place(
                x=row["rd_x"], y=row["rd_y"], postcode=row["postcode"], huisnummer=row["huisnummer"]
            ),
            observed_at=row["observed_at"],
        )
        for row in rows.values()
    ]
    ranked = analysis.rank_hints(
        origin,
        signal.observed_at,
        candidates,
        radius_m=radius_m,
        window=window,
        limit=limit,
    )
    by_id = {s.pk: s for s in signals_in_order([hint.id for hint in ranked])}
    return [
        DuplicateHint(signal=by_id[hint.id], distance_m=hint.distance_m, days_apart=hint.days_apart)
        for hint in ranked
        if hint.id in by_id
    ]

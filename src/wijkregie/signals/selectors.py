"""Viewer-scoped reads of signals: list, search, counts, export all use one filter."""

from __future__ import annotations

import datetime as dt
import uuid as uuidlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wijkregie.areas.models import FocusArea, Neighbourhood
from wijkregie.signals.access import visible_signals_q
from wijkregie.signals.models import Category, LifeDomain, Signal, SignalStatusChange, SourceChannel
from wijkregie.signals.states import Status
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
    if filters.category:
        category_ids = sorted(
            Category.objects.filter(municipality_id=viewer.municipality_id)
            .filter(Q(code=filters.category) | Q(parent__code=filters.category))
            .values_list("id", flat=True)
        )
        qs = qs.filter(category_id__in=category_ids)
    if filters.domain:
        domain_id = (
            LifeDomain.objects.filter(municipality_id=viewer.municipality_id, code=filters.domain)
            .values_list("id", flat=True)
            .first()
        )
        qs = qs.filter(life_domain_id=domain_id or 0)
    if filters.source and "source" not in filters.errors:
        qs = qs.filter(source_channel=filters.source)
    if filters.status and "status" not in filters.errors:
        qs = qs.filter(status=filters.status)
    if filters.area:
        qs = qs.filter(neighbourhood_id__in=area_neighbourhood_ids(viewer, filters.area))
    if filters.q and not viewer.pseudonymised:
        # Free-text search reads personal data; analysts work on pseudonymised data only.
        qs = qs.filter(description__icontains=filters.q)
    return qs


def signals_visible_to(viewer: Viewer) -> QuerySet[Signal]:
    return Signal.objects.filter(visible_signals_q(viewer))


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

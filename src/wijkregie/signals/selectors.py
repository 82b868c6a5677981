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


def area_neighbourhood_ids(viewer: Viewer, area: str) -> QuerySet[Any]:
    """Subquery of buurt ids for a focus area uuid or a CBS code in the viewer's tenant.

    A wijk stands for itself and its buurten. Unknown areas give an empty set. Kept as a
    subquery so that filtering costs no extra round trip to the database.
    """
    try:
        area_uuid = uuidlib.UUID(area)
    except ValueError:
        area_uuid = None
    if area_uuid is not None:
        return FocusArea.neighbourhoods.through.objects.filter(
            focusarea__uuid=area_uuid, focusarea__municipality_id=viewer.municipality_id
        ).values("neighbourhood_id")
    code = area.upper()
    return (
        Neighbourhood.objects.filter(municipality_id=viewer.municipality_id)
        .filter(Q(code=code) | Q(parent__code=code, parent__kind="wijk"))
        .values("id")
    )


def apply_filters(qs: QuerySet[Signal], viewer: Viewer, filters: SignalFilters) -> QuerySet[Signal]:
    """Narrow a visible queryset. Lookups of codes are subqueries: one query in all."""
    if filters.date_from and "from" not in filters.errors:
        qs = qs.filter(observed_at__gte=_day_start(filters.date_from))
    if filters.date_to and "to" not in filters.errors:
        qs = qs.filter(observed_at__lt=_day_start(filters.date_to + dt.timedelta(days=1)))
    if filters.category:
        categories = (
            Category.objects.filter(municipality_id=viewer.municipality_id)
            .filter(Q(code=filters.category) | Q(parent__code=filters.category))
            .values("id")
        )
        qs = qs.filter(category_id__in=categories)
    if filters.domain:
        # Looked up first (not a subquery): with the literal id the planner can use the column
        # statistics; with a subquery PostgreSQL guessed the selectivity and chose a slow plan.
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


def signal_list(*, viewer: Viewer, filters: SignalFilters | None = None) -> QuerySet[Signal]:
    qs = signals_visible_to(viewer)
    if filters is not None:
        qs = apply_filters(qs, viewer, filters)
    return qs.select_related(
        "category__parent", "life_domain", "owner_organisation", "neighbourhood"
    ).order_by("-observed_at", "-id")


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

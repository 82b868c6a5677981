"""Reads for the public resident pages. Nothing here returns personal data.

There is no viewer: a resident is anonymous. Every read is scoped to one municipality (the
tenant of the URL) and returns only what the public pages show: categories, counts with
rounded distance and age, and the status history of one report found by its tracking code.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from wijkregie.areas.models import Neighbourhood, NeighbourhoodKind
from wijkregie.lib import geo
from wijkregie.residents.models import ResidentReport
from wijkregie.signals.models import (
    Category,
    Confidentiality,
    LifeDomain,
    Signal,
    SignalStatusChange,
)
from wijkregie.signals.states import FINAL
from wijkregie.tenants.models import Municipality

NEARBY_RADIUS_M = 50
NEARBY_WINDOW = dt.timedelta(weeks=12)


def public_categories(*, municipality: Municipality) -> QuerySet[Category]:
    return (
        Category.objects.filter(municipality=municipality, active=True, is_public=True)
        .select_related("life_domain", "parent")
        .order_by("life_domain__order", "life_domain__name", "name")
    )


def public_categories_by_domain(
    *, municipality: Municipality
) -> list[tuple[LifeDomain, list[Category]]]:
    groups: dict[int, tuple[LifeDomain, list[Category]]] = {}
    for category in public_categories(municipality=municipality):
        groups.setdefault(category.life_domain_id, (category.life_domain, []))[1].append(category)
    return list(groups.values())


@dataclass(frozen=True)
class NearbySignal:
    distance_m: int  # rounded up to 10 m
    weeks_ago: int


def nearby_open_signals(
    *,
    municipality: Municipality,
    category: Category,
    point: geo.Point,
    now: dt.datetime | None = None,
) -> list[NearbySignal]:
    """Open signals of the same category within 50 m and 12 weeks, of any organisation.

    Confidential signals never count. Only a rounded distance and age are returned: no
    description, address, organisation or exact time.
    """
    now = now or timezone.now()
    r = NEARBY_RADIUS_M
    rows = (
        Signal.objects.filter(
            municipality=municipality,
            category=category,
            observed_at__gte=now - NEARBY_WINDOW,
            # the cells first, so that the (municipality, cell_x, cell_y) index is used
            cell_x__gte=geo.cell_of(point.x - r, point.y)[0],
            cell_x__lte=geo.cell_of(point.x + r, point.y)[0],
            cell_y__gte=geo.cell_of(point.x, point.y - r)[1],
            cell_y__lte=geo.cell_of(point.x, point.y + r)[1],
            rd_x__gte=point.x - r,
            rd_x__lte=point.x + r,
            rd_y__gte=point.y - r,
            rd_y__lte=point.y + r,
        )
        .exclude(status__in=[str(s) for s in FINAL])
        .exclude(confidentiality=Confidentiality.VERTROUWELIJK)
        .order_by()
        .values_list("rd_x", "rd_y", "observed_at")
    )
    found = []
    for x, y, observed_at in rows:
        if x is None or y is None:
            continue
        distance = math.hypot(x - point.x, y - point.y)
        if distance <= r:
            found.append(
                NearbySignal(
                    distance_m=max(10, math.ceil(distance / 10) * 10),
                    weeks_ago=max(0, (now - observed_at).days // 7),
                )
            )
    return sorted(found, key=lambda s: (s.distance_m, s.weeks_ago))


def report_by_code(*, municipality: Municipality, code: str) -> ResidentReport | None:
    return (
        ResidentReport.objects.filter(municipality=municipality, tracking_code=code)
        .select_related("signal", "signal__category")
        .first()
    )


@dataclass(frozen=True)
class StatusStep:
    at: dt.datetime
    status: str


def report_status_history(*, report: ResidentReport) -> list[StatusStep]:
    """When the report came in, then every status change: no names, no notes."""
    steps = [StatusStep(at=report.created_at, status="open")]
    for at, to_status in (
        SignalStatusChange.objects.filter(signal_id=report.signal_id)
        .order_by("at", "id")
        .values_list("at", "to_status")
    ):
        steps.append(StatusStep(at=at, status=to_status))
    return steps


def public_buurten(*, municipality: Municipality) -> QuerySet[Neighbourhood]:
    """Buurt boundaries (public CBS geography) for the map on the location step."""
    return Neighbourhood.objects.filter(
        municipality=municipality, kind=NeighbourhoodKind.BUURT, boundary__isnull=False
    ).order_by("code")

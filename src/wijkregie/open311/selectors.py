"""Reads for Open311: public categories and resident requests of one jurisdiction.

Only requests that came from residents (the web form or Open311) in public categories are
listed, and never with their description or exact place (see `views.request_json`).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from wijkregie.residents.models import ResidentReport
from wijkregie.signals.models import Category
from wijkregie.signals.states import FINAL, Status
from wijkregie.tenants.models import Municipality

LIST_MAX = 1000
DEFAULT_PERIOD = dt.timedelta(days=90)
OPEN_STATUSES = [str(s) for s in Status if s not in FINAL]
CLOSED_STATUSES = [str(s) for s in FINAL]


def services(*, municipality: Municipality) -> QuerySet[Category]:
    return (
        Category.objects.filter(municipality=municipality, active=True, is_public=True)
        .select_related("life_domain", "parent")
        .order_by("life_domain__order", "life_domain__name", "name")
    )


def service(*, municipality: Municipality, code: str) -> Category | None:
    return services(municipality=municipality).filter(code=code).first()


def requests(
    *,
    municipality: Municipality,
    ids: list[str] | None = None,
    service_codes: list[str] | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    status: str | None = None,
) -> list[ResidentReport]:
    qs = ResidentReport.objects.filter(
        municipality=municipality, signal__category__is_public=True
    ).select_related("signal__category", "signal__owner_organisation")
    if ids is not None:
        qs = qs.filter(tracking_code__in=ids)
    else:
        if service_codes:
            qs = qs.filter(signal__category__code__in=service_codes)
        if start is not None:
            qs = qs.filter(created_at__gte=start)
        if end is not None:
            qs = qs.filter(created_at__lte=end)
        if status == "open":
            qs = qs.filter(signal__status__in=OPEN_STATUSES)
        elif status == "closed":
            qs = qs.filter(signal__status__in=CLOSED_STATUSES)
    return list(qs.order_by("-created_at", "-id")[:LIST_MAX])


def request_by_id(*, municipality: Municipality, code: str) -> ResidentReport | None:
    return (
        ResidentReport.objects.filter(
            municipality=municipality, tracking_code=code, signal__category__is_public=True
        )
        .select_related("signal__category", "signal__owner_organisation")
        .first()
    )


def municipality_count() -> int:
    return Municipality.objects.count()


def only_municipality() -> Municipality | None:
    rows = list(Municipality.objects.order_by("pk")[:2])
    return rows[0] if len(rows) == 1 else None


def municipality_by_code(code: str) -> Municipality | None:
    return Municipality.objects.filter(cbs_code=code.upper()).first()


def report_for_idempotency(*, municipality: Municipality, key: str) -> ResidentReport | None:
    """The report an earlier request with this (hashed) Idempotency-Key created, if any."""
    return ResidentReport.objects.filter(municipality=municipality, idempotency_key=key).first()

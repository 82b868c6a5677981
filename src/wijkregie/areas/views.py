"""Area pages: focus areas with a map of buurten and the same counts as a table."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from wijkregie.areas.access import access_focus_area
from wijkregie.areas.api import neighbourhood_features
from wijkregie.areas.models import FocusArea, Neighbourhood
from wijkregie.areas.selectors import focus_area_list, neighbourhood_list
from wijkregie.signals.selectors import (
    SignalFilters,
    category_list,
    life_domain_list,
    signal_counts_by_neighbourhood,
)
from wijkregie.signals.views import filter_errors
from wijkregie.tenants.access import Viewer, require_viewer

# The area page filters on period and subject; the area itself is fixed by the URL.
AREA_FILTER_KEYS = ("from", "to", "domain", "category")


def _area_filters(request: HttpRequest, area: FocusArea) -> SignalFilters:
    params = {key: request.GET.get(key, "") for key in AREA_FILTER_KEYS}
    filters = SignalFilters.from_query(params)
    filters.area = str(area.uuid)
    return filters


def _counts(viewer: Viewer, filters: SignalFilters) -> dict[int, int]:
    if not viewer.reads_signals:
        return {}
    return signal_counts_by_neighbourhood(viewer=viewer, filters=filters)


def _buurten(area: FocusArea) -> list[Neighbourhood]:
    return list(area.neighbourhoods.order_by("code"))


@login_required
def area_list(request: HttpRequest) -> HttpResponse:
    viewer = require_viewer(request.user)
    return render(request, "areas/area_list.html", {"areas": focus_area_list(viewer=viewer)})


@login_required
def area_detail(request: HttpRequest, uuid: str) -> HttpResponse:
    viewer = require_viewer(request.user)
    area = access_focus_area(viewer, uuid)
    filters = _area_filters(request, area)
    counts = _counts(viewer, filters)
    hoods = _buurten(area)
    threshold = viewer.small_count_threshold
    rows = [(hood, counts.get(hood.pk, 0)) for hood in hoods]
    # Viewers without need-to-know see "< 5" for small counts (the total stays exact, as on
    # the analysis map and in the hotspot API).
    shown = [(hood, n, 0 < n < threshold) for hood, n in rows]
    query = {k: v for k, v in filters.as_query().items() if k != "area"}
    context: dict[str, Any] = {
        "area": area,
        "rows": shown,
        "threshold": threshold,
        "total": sum(n for _, n in rows),
        "partners": area.partners.select_related("organisation"),
        "filters": filters,
        "filter_errors": filter_errors(filters),
        "active_filters": len(query),
        "filter_query": urlencode(query),
        "reads_signals": viewer.reads_signals,
        "categories": category_list(viewer=viewer) if viewer.reads_signals else [],
        "domains": life_domain_list(viewer=viewer) if viewer.reads_signals else [],
    }
    return render(request, "areas/area_detail.html", context)


@login_required
def area_map_data(request: HttpRequest, uuid: str) -> JsonResponse:
    viewer = require_viewer(request.user)
    area = access_focus_area(viewer, uuid)
    counts = _counts(viewer, _area_filters(request, area))
    return JsonResponse(
        neighbourhood_features(_buurten(area), counts, threshold=viewer.small_count_threshold)
    )


@login_required
def neighbourhood_map_data(request: HttpRequest) -> JsonResponse:
    """All buurten of the viewer's municipality (boundaries only), for the location picker."""
    viewer = require_viewer(request.user)
    return JsonResponse(neighbourhood_features(list(neighbourhood_list(viewer=viewer)), {}))

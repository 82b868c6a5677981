"""Area pages: focus areas with a map of buurten and the same counts as a table."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from wijkregie.areas.access import access_focus_area
from wijkregie.areas.api import neighbourhood_features
from wijkregie.areas.selectors import focus_area_list
from wijkregie.signals.selectors import SignalFilters, signal_counts_by_neighbourhood
from wijkregie.tenants.access import require_viewer


@login_required
def area_list(request: HttpRequest) -> HttpResponse:
    viewer = require_viewer(request.user)
    return render(request, "areas/area_list.html", {"areas": focus_area_list(viewer=viewer)})


@login_required
def area_detail(request: HttpRequest, uuid: str) -> HttpResponse:
    viewer = require_viewer(request.user)
    area = access_focus_area(viewer, uuid)
    filters = SignalFilters.from_query(request.GET)
    filters.area = str(area.uuid)
    counts = (
        signal_counts_by_neighbourhood(viewer=viewer, filters=filters)
        if viewer.reads_signals
        else {}
    )
    hoods = list(area.neighbourhoods.order_by("code"))
    rows = [(hood, counts.get(hood.pk, 0)) for hood in hoods]
    context = {
        "area": area,
        "rows": rows,
        "total": sum(counts.values()),
        "partners": area.partners.select_related("organisation"),
        "filters": filters,
        "reads_signals": viewer.reads_signals,
    }
    return render(request, "areas/area_detail.html", context)


@login_required
def area_map_data(request: HttpRequest, uuid: str) -> JsonResponse:
    viewer = require_viewer(request.user)
    area = access_focus_area(viewer, uuid)
    filters = SignalFilters.from_query(request.GET)
    filters.area = str(area.uuid)
    counts = (
        signal_counts_by_neighbourhood(viewer=viewer, filters=filters)
        if viewer.reads_signals
        else {}
    )
    return JsonResponse(neighbourhood_features(list(area.neighbourhoods.order_by("code")), counts))

"""The regisseur's dashboard page (/casussen/regie/, ADR 0019). Thin: viewer, input, selector."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from wijkregie.cases import monitoring_selectors
from wijkregie.cases.access import log_case_reads
from wijkregie.tenants.access import require_viewer

MAX_DAYS = 365


def parse_days(value: str | None) -> int | None:
    """`dagen` from the query string: 1..365, else the default (None)."""
    try:
        days = int(value or "")
    except ValueError:
        return None
    return days if 1 <= days <= MAX_DAYS else None


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    viewer = require_viewer(request.user)
    if not monitoring_selectors.may_see_dashboard(viewer):
        raise Http404
    data = monitoring_selectors.dashboard(
        viewer=viewer, stalled_days=parse_days(request.GET.get("dagen"))
    )
    log_case_reads(viewer, data.shown_case_uuids, detail="regiedashboard")
    return render(
        request,
        "cases/dashboard.html",
        {
            "d": data,
            "pseudonymised": viewer.pseudonymised,
            "max_days": MAX_DAYS,
            "threshold": settings.SMALL_COUNT_THRESHOLD,
        },
    )

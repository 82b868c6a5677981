"""The privacy officer's access log and alerts. Everyone else gets 404 on every URL here.

Reading the access log is itself logged (object type `accesslog`, purpose `toezicht`).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from wijkregie.privacy import selectors, services
from wijkregie.privacy.access import require_privacy_officer
from wijkregie.privacy.forms import AccessLogSearchForm
from wijkregie.privacy.models import AccessAction, AccessEvent

PAGE_SIZE = 50
PURPOSE = "toezicht"


@login_required
def access_log(request: HttpRequest) -> HttpResponse:
    viewer = require_privacy_officer(request.user)
    form = AccessLogSearchForm(request.GET or None)
    filters = form.filters() if form.is_bound else selectors.AccessLogFilters()
    searched = form.is_bound and form.is_valid()
    page = None
    if not form.is_bound or searched:
        # The officer's own read is logged first, so that it is part of what they see.
        services.log_access(
            viewer=viewer,
            action=AccessAction.READ,
            object_type="accesslog",
            object_id="zoekopdracht",
            granted=True,
            purpose=PURPOSE,
            detail=f"{filters.describe()} pagina={request.GET.get('page', '1')[:10]}",
        )
        events = selectors.access_log(viewer=viewer, filters=filters)
        paginator: Paginator[AccessEvent] = Paginator(events, PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
    return render(request, "privacy/access_log.html", {"form": form, "page": page})


@login_required
def alerts(request: HttpRequest) -> HttpResponse:
    viewer = require_privacy_officer(request.user)
    services.log_access(
        viewer=viewer,
        action=AccessAction.READ,
        object_type="accesslog",
        object_id="signaleringen",
        granted=True,
        purpose=PURPOSE,
    )
    readers = selectors.heavy_readers(viewer=viewer)
    flagged = list(selectors.flagged_unreviewed(viewer=viewer)[:200])
    return render(
        request,
        "privacy/alerts.html",
        {
            "readers": readers,
            "flagged": flagged,
            "threshold": settings.ACCESS_ALERT_SUBJECTS_PER_DAY,
            "days": settings.ACCESS_ALERT_DAYS,
        },
    )


@login_required
@require_POST
def review(request: HttpRequest, event_id: int) -> HttpResponse:
    viewer = require_privacy_officer(request.user)
    services.review_access_event(viewer=viewer, event_id=event_id)
    messages.success(request, _("De inzage is als beoordeeld gemarkeerd."))
    return redirect("privacy:alerts")

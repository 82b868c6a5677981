"""/meldingen/: the user's own notifications, newest first, with mark-as-read (no JavaScript)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from wijkregie.notifications import selectors, services
from wijkregie.tenants.access import require_viewer


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    viewer = require_viewer(request.user)
    unread_only = request.GET.get("ongelezen") == "1"
    rows = list(
        selectors.my_notifications(user=viewer.user, unread_only=unread_only)[
            : selectors.LIST_LIMIT
        ]
    )
    return render(
        request,
        "notifications/list.html",
        {"rows": rows, "unread_only": unread_only},
    )


@login_required
@require_POST
def notification_read(request: HttpRequest, uuid: str) -> HttpResponse:
    viewer = require_viewer(request.user)
    row = selectors.access_notification(user=viewer.user, uuid=uuid)
    services.mark_read(user=viewer.user, notification=row)
    if request.POST.get("open") == "1" and row.link.startswith("/"):
        return redirect(row.link)
    messages.success(request, _("De melding is als gelezen gemarkeerd."))
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    viewer = require_viewer(request.user)
    n = services.mark_all_read(user=viewer.user)
    if n:
        messages.success(request, _("Alle meldingen zijn als gelezen gemarkeerd."))
    return redirect("notifications:list")

from __future__ import annotations

from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from wijkregie.areas.selectors import my_focus_areas
from wijkregie.signals.selectors import signal_page
from wijkregie.tenants.access import require_viewer


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("web:login")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    viewer = require_viewer(request.user)
    recent = signal_page(viewer=viewer, stop=10) if viewer.reads_signals else []
    return render(
        request,
        "web/home.html",
        {"areas": list(my_focus_areas(viewer=viewer)), "recent": recent},
    )


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "web/accessibility.html")

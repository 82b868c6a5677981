"""Web views for closing with an evaluation and the printable plan (ADR 0020). Thin."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from wijkregie.cases import closure, exports, plan_pdf
from wijkregie.cases.access import CaseAccess, access_case, may_transition
from wijkregie.cases.closure_forms import CloseForm
from wijkregie.cases.models import Goal
from wijkregie.cases.views import _errors_to_form
from wijkregie.tenants.access import Viewer, require_viewer


def _close_form(viewer: Viewer, access: CaseAccess, data: Any = None) -> CloseForm:
    goals = list(
        Goal.objects.filter(case=access.case)
        .select_related("life_domain")
        .order_by("created_at", "id")
    )
    return CloseForm(
        data,
        goals=goals,
        organisations=closure.handover_organisations(access.case),
        pseudonymised=viewer.pseudonymised,
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_close_view(request: HttpRequest, uuid: str) -> HttpResponse:
    viewer = require_viewer(request.user)
    access = access_case(viewer, uuid, write=True)
    if not may_transition(access) or access.case.is_closed:
        raise Http404
    form = _close_form(viewer, access, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            closure.case_close(
                viewer=viewer,
                access=access,
                result_code=form.cleaned_data["result_code"],
                result=form.cleaned_data["result"],
                goal_outcomes=form.goal_outcomes(),
                handover_organisation=form.organisation(),
                handover=form.cleaned_data["handover"],
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("De casus is afgesloten en geëvalueerd."))
            return redirect("cases:detail", uuid=access.case.uuid)
    return render(
        request,
        "cases/case_close.html",
        {"case": access.case, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def plan_pdf_view(request: HttpRequest, uuid: str) -> HttpResponse:
    viewer = require_viewer(request.user)
    access = exports.access_case_export(viewer, uuid, purpose=plan_pdf.PDF_PURPOSE)
    try:
        _document, created = plan_pdf.request_plan_pdf(viewer=viewer, access=access)
    except ValidationError as exc:
        raise Http404 from exc
    if created:
        messages.success(
            request,
            _("Het plan van aanpak wordt als PDF gemaakt. U vindt het hier zodra het klaar is."),
        )
    else:
        messages.info(request, _("Dit plan van aanpak wordt al gemaakt."))
    return redirect("documents:list")

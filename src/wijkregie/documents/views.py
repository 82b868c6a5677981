"""Generated documents: request an area report, the list of one's own reports, download.

Only the requester sees a document; everyone else gets the same 404 (see access.py). Views stay
thin: reads via selectors and access, writes via services.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wijkregie.analysis.profile_selectors import access_profile_area
from wijkregie.documents import selectors, services, tasks
from wijkregie.documents.access import access_document, require_document_viewer
from wijkregie.documents.forms import AreaReportForm, default_period
from wijkregie.documents.models import DocumentKind, DocumentStatus, GeneratedDocument
from wijkregie.privacy.models import AccessAction
from wijkregie.tenants.access import Viewer, require_viewer


def _viewer(request: HttpRequest) -> Viewer:
    return require_document_viewer(require_viewer(request.user))


@login_required
@require_http_methods(["GET", "POST"])
def area_report_new(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
    choices = selectors.area_choices(viewer=viewer)
    if request.method == "POST":
        form = AreaReportForm(request.POST, area_choices=choices)
        if form.is_valid():
            area = access_profile_area(viewer, form.cleaned_data["area"])
            try:
                _document, created = services.request_area_report(
                    viewer=viewer,
                    area=area,
                    start=form.cleaned_data["start"],
                    end=form.end_exclusive,
                )
            except ValidationError as exc:
                errors = exc.message_dict if hasattr(exc, "error_dict") else {}
                for field, msgs in errors.items():
                    for msg in msgs:
                        form.add_error(field if field in form.fields else None, msg)
                if not hasattr(exc, "error_dict"):
                    for msg in exc.messages:
                        form.add_error(None, msg)
            else:
                if created:
                    messages.success(
                        request,
                        _("De rapportage over %(area)s wordt gemaakt.") % {"area": area.name},
                    )
                else:
                    messages.info(
                        request, _("Deze rapportage wordt al gemaakt; u vindt haar hieronder.")
                    )
                return redirect("documents:list")
    else:
        start, end = default_period()
        initial: dict[str, Any] = {"start": start, "end": end}
        code = request.GET.get("gebied", "").strip()
        if code:
            # An area of another municipality, or none at all: the same 404.
            initial["area"] = access_profile_area(viewer, code).code
        form = AreaReportForm(initial=initial, area_choices=choices)
    return render(request, "documents/area_report_new.html", {"form": form})


@login_required
@require_GET
def document_list(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
    rows = selectors.document_rows(viewer=viewer)
    busy = any(
        row.document.status in (DocumentStatus.QUEUED, DocumentStatus.RUNNING) for row in rows
    )
    return render(request, "documents/document_list.html", {"rows": rows, "busy": busy})


def download_filename(document: GeneratedDocument) -> str:
    """gebiedsrapportage-<area>-<first day>-<last day>.pdf (ASCII, the period inclusive)."""
    slug = re.sub(r"[^a-z0-9]+", "-", document.area_name.lower()).strip("-") or "gebied"
    if document.kind == DocumentKind.CASE_PLAN:
        return f"plan-van-aanpak-{slug}.pdf"
    start = str(document.parameters.get("start", ""))
    try:
        last = dt.date.fromisoformat(str(document.parameters["end"])) - dt.timedelta(days=1)
    except (KeyError, ValueError):
        return f"gebiedsrapportage-{slug}.pdf"
    return f"gebiedsrapportage-{slug}-{start}-{last.isoformat()}.pdf"


@login_required
@require_GET
def download(request: HttpRequest, document_uuid: str) -> FileResponse:
    viewer = require_viewer(request.user)  # access_document checks the role, and logs
    document = access_document(
        viewer, document_uuid, purpose="rapportage-downloaden", action=AccessAction.EXPORT
    )
    path = tasks.document_file(document)
    if path is None:
        raise Http404
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=download_filename(document),
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def retry(request: HttpRequest, document_uuid: str) -> HttpResponse:
    viewer = require_viewer(request.user)  # access_document checks the role, and logs
    document = access_document(viewer, document_uuid)
    _document, queued = services.document_retry(viewer=viewer, document=document)
    if queued:
        messages.success(request, _("De rapportage wordt opnieuw gemaakt."))
    return redirect("documents:list")

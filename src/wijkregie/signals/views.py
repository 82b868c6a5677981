"""Web views for signals: list (filters in the URL), export, detail, new, status change."""

from __future__ import annotations

import csv
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from wijkregie.areas.selectors import focus_area_list, neighbourhood_list
from wijkregie.privacy.models import AccessAction
from wijkregie.privacy.services import log_access
from wijkregie.signals import selectors, services
from wijkregie.signals.access import access_signal, may_reopen, may_see_personal_details
from wijkregie.signals.forms import SignalForm, StatusForm
from wijkregie.signals.models import SourceChannel
from wijkregie.signals.states import STATUS_LABELS, Status, next_statuses
from wijkregie.tenants.access import Viewer, require_viewer


def _reader(request: HttpRequest) -> Viewer:
    viewer = require_viewer(request.user)
    if not viewer.reads_signals:
        raise Http404
    return viewer


def _filter_context(viewer: Viewer, filters: selectors.SignalFilters) -> dict[str, Any]:
    return {
        "filters": filters,
        "categories": selectors.category_list(viewer=viewer),
        "domains": selectors.life_domain_list(viewer=viewer),
        "sources": SourceChannel.choices,
        "statuses": list(STATUS_LABELS.items()),
        "focus_areas": focus_area_list(viewer=viewer),
        "buurten": neighbourhood_list(viewer=viewer),
    }


@login_required
def signal_list(request: HttpRequest) -> HttpResponse:
    viewer = _reader(request)
    filters = selectors.SignalFilters.from_query(request.GET)
    qs = selectors.signal_list(viewer=viewer, filters=filters)
    paginator = Paginator(qs, settings.SIGNAL_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    query = filters.as_query()
    from urllib.parse import urlencode

    context = {
        **_filter_context(viewer, filters),
        "page": page,
        "query_string": urlencode(query),
        "export_query": urlencode(query),
        "search_disabled": viewer.pseudonymised,
    }
    return render(request, "signals/signal_list.html", context)


@login_required
def signal_export(request: HttpRequest) -> HttpResponse:
    """CSV of the filtered list: the same columns as the list, no free text or address."""
    viewer = _reader(request)
    filters = selectors.SignalFilters.from_query(request.GET)
    qs = selectors.signal_list(viewer=viewer, filters=filters)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="signalen-{stamp}.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 with BOM correctly
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        [
            "id",
            "waargenomen_op",
            "categorie",
            "leefgebied",
            "bron",
            "organisatie",
            "buurt",
            "status",
        ]
    )
    count = 0
    for s in qs.iterator(chunk_size=2000):
        count += 1
        writer.writerow(
            [
                s.uuid,
                timezone.localtime(s.observed_at).strftime("%d-%m-%Y %H:%M"),
                s.category.name,
                s.life_domain.name,
                s.get_source_channel_display(),
                s.owner_organisation.name,
                s.neighbourhood.code if s.neighbourhood else "",
                STATUS_LABELS.get(s.status, s.status),
            ]
        )
    log_access(
        viewer=viewer,
        action=AccessAction.EXPORT,
        object_type="signal",
        object_id="list",
        granted=True,
        purpose="export",
        detail=f"{count} rows; {filters.as_query()}",
    )
    return response


@login_required
def signal_detail(request: HttpRequest, uuid: str) -> HttpResponse:
    viewer = _reader(request)
    signal = access_signal(viewer, uuid)
    choices = [
        (s.value, STATUS_LABELS[s])
        for s in next_statuses(signal.status, may_reopen=may_reopen(viewer, signal))
    ]
    from wijkregie.signals.access import may_change_status

    choices = [c for c in choices if may_change_status(viewer, signal, c[0])]
    context = {
        "signal": signal,
        "personal": may_see_personal_details(viewer, signal),
        "history": selectors.signal_status_history(signal=signal),
        "status_label": STATUS_LABELS.get(signal.status, signal.status),
        "status_form": StatusForm(choices=choices) if choices else None,
    }
    return render(request, "signals/signal_detail.html", context)


@login_required
@require_POST
def signal_status_view(request: HttpRequest, uuid: str) -> HttpResponse:
    viewer = _reader(request)
    signal = access_signal(viewer, uuid)
    choices = [(s.value, STATUS_LABELS[s]) for s in Status]
    form = StatusForm(request.POST, choices=choices)
    if form.is_valid():
        try:
            services.signal_change_status(
                viewer=viewer,
                signal=signal,
                to_status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            for msgs in exc.message_dict.values():
                for msg in msgs:
                    messages.error(request, msg)
        else:
            messages.success(request, "De status is gewijzigd.")
    else:
        messages.error(request, "Kies een geldige status.")
    return redirect("web:signal-detail", uuid=signal.uuid)


@login_required
def signal_create_view(request: HttpRequest) -> HttpResponse:
    viewer = require_viewer(request.user)
    if not viewer.writes_signals:
        raise Http404
    from wijkregie.tenants.models import Organisation

    organisations = Organisation.objects.filter(pk__in=viewer.writer_organisation_ids).order_by(
        "name"
    )
    categories = selectors.category_list(viewer=viewer).filter(parent__isnull=False)
    buurten = neighbourhood_list(viewer=viewer)
    form = SignalForm(
        request.POST or None, organisations=organisations, categories=categories, buurten=buurten
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        observed = data["observed_at"]
        if timezone.is_naive(observed):
            observed = timezone.make_aware(observed)
        try:
            signal = services.signal_create(
                viewer=viewer,
                owner_organisation=data["owner_organisation"],
                category=data["category"],
                observed_at=observed,
                description=data["description"],
                location=services.as_location_input(data),
                source_channel=data["source_channel"],
                source_reliability=data["source_reliability"],
                info_reliability=data["info_reliability"],
                handling_code=data["handling_code"],
                confidentiality=data["confidentiality"] or None,
            )
        except ValidationError as exc:
            for field, msgs in exc.message_dict.items():
                target = field if field in form.fields else None
                for msg in msgs:
                    form.add_error(target, msg)
        else:
            messages.success(request, "Het signaal is geregistreerd.")
            return redirect("web:signal-detail", uuid=signal.uuid)
    return render(request, "signals/signal_form.html", {"form": form})

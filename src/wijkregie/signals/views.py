"""Web views for signals: list (filters in the URL), export, detail, new, status change,
street observation, photos, duplicate links.

Views stay thin: reads go through selectors and access functions, writes through services.
"""

from __future__ import annotations

import csv
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from wijkregie.areas.selectors import focus_area_list, neighbourhood_list
from wijkregie.privacy.models import AccessAction
from wijkregie.privacy.services import log_access
from wijkregie.signals import selectors, services
from wijkregie.signals.access import (
    access_signal,
    may_change_status,
    may_reopen,
    may_see_personal_details,
)
from wijkregie.signals.forms import (
    DuplicateHintForm,
    SignalForm,
    StatusForm,
    StreetObservationForm,
)
from wijkregie.signals.models import Signal, SourceChannel
from wijkregie.signals.states import STATUS_LABELS, Status, next_statuses
from wijkregie.tenants.access import Viewer, require_viewer
from wijkregie.web.templatetags.wijkregie import status_label

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _reader(request: HttpRequest) -> Viewer:
    viewer = require_viewer(request.user)
    if not viewer.reads_signals:
        raise Http404
    return viewer


def filter_errors(filters: selectors.SignalFilters) -> dict[str, StrOrPromise]:
    """Filter messages from the selector (lazy: rendered in the active language)."""
    return dict(filters.errors)


def _filter_context(viewer: Viewer, filters: selectors.SignalFilters) -> dict[str, Any]:
    return {
        "filters": filters,
        "filter_errors": filter_errors(filters),
        "categories": selectors.category_list(viewer=viewer),
        "domains": selectors.life_domain_list(viewer=viewer),
        "sources": SourceChannel.choices,
        "statuses": [(key, status_label(key)) for key in STATUS_LABELS],
        "focus_areas": focus_area_list(viewer=viewer),
        "buurten": neighbourhood_list(viewer=viewer),
    }


def _service_errors(exc: ValidationError) -> dict[str, list[str]]:
    """Service messages per field, as text in the active language (they are lazy)."""
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return {"__all__": exc.messages}


@login_required
def signal_list(request: HttpRequest) -> HttpResponse:
    viewer = _reader(request)
    filters = selectors.SignalFilters.from_query(request.GET)
    pages = selectors.SignalPages(viewer=viewer, filters=filters)
    paginator: Paginator[Signal] = Paginator(pages, settings.SIGNAL_PAGE_SIZE)  # type: ignore[arg-type]
    page = paginator.get_page(request.GET.get("page"))
    query = filters.as_query()
    context = {
        **_filter_context(viewer, filters),
        "page": page,
        "capped": pages.capped,
        "count_cap": number_format(selectors.COUNT_CAP, force_grouping=True),
        "active_filters": len(query),
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
    # The export is a data file with Dutch column names for partner systems: its labels stay
    # Dutch whatever language the user reads the screens in.
    with translation.override("nl"):
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


def _status_choices(viewer: Viewer, signal: Any) -> list[tuple[str, str]]:
    return [
        (s.value, status_label(s.value))
        for s in next_statuses(signal.status, may_reopen=may_reopen(viewer, signal))
        if may_change_status(viewer, signal, s.value)
    ]


@login_required
def signal_detail(request: HttpRequest, uuid: str) -> HttpResponse:
    # No role gate before access_signal: a user without a signal-reading role is refused there,
    # so that the refused attempt is in the access log like any other denied read.
    viewer = require_viewer(request.user)
    signal = access_signal(viewer, uuid)
    choices = _status_choices(viewer, signal)
    personal = may_see_personal_details(viewer, signal)
    context = {
        "signal": signal,
        "personal": personal,
        "history": selectors.signal_status_history(signal=signal),
        "status_form": StatusForm(choices=choices) if choices else None,
        "reopening": signal.status in {Status.DOORGEZET, Status.AFGEHANDELD, Status.GEANNULEERD},
        "attachments": list(selectors.signal_attachments(signal=signal)) if personal else [],
        "links": selectors.duplicate_links(viewer=viewer, signal=signal),
        **_duplicate_hint_context(request, viewer, signal),
    }
    return render(request, "signals/signal_detail.html", context)


def _duplicate_hint_context(request: HttpRequest, viewer: Viewer, signal: Signal) -> dict[str, Any]:
    """Hints for those who may act on them: the owner's writers, on a signal not yet linked."""
    may_mark = services.may_mark_duplicate(viewer, signal)
    if not may_mark or signal.duplicate_of_id is not None:
        return {"may_mark": may_mark, "hint_form": None, "hints": []}
    defaults = {"radius": settings.DUPLICATE_HINT_RADIUS_M, "days": settings.DUPLICATE_HINT_DAYS}
    asked = {key: request.GET[key] for key in defaults if key in request.GET}
    form = DuplicateHintForm({**defaults, **asked})
    form.is_valid()
    # A value that is not valid is reported next to its field; the default is used meanwhile.
    radius = form.cleaned_data.get("radius", defaults["radius"])
    days = form.cleaned_data.get("days", defaults["days"])
    hints = selectors.duplicate_hints(viewer=viewer, signal=signal, radius_m=radius, days=days)
    return {
        "may_mark": may_mark,
        "hint_form": form,
        "hints": hints,
        "hint_radius": radius,
        "hint_days": days,
    }


@login_required
@require_POST
def signal_status_view(request: HttpRequest, uuid: str) -> HttpResponse:
    viewer = _reader(request)
    signal = access_signal(viewer, uuid)
    form = StatusForm(request.POST, choices=[(s.value, status_label(s.value)) for s in Status])
    if form.is_valid():
        try:
            services.signal_change_status(
                viewer=viewer,
                signal=signal,
                to_status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            for msgs in _service_errors(exc).values():
                for msg in msgs:
                    messages.error(request, msg)
        else:
            messages.success(request, _("De status is gewijzigd."))
    else:
        for field_errors in form.errors.values():
            for error in field_errors:
                messages.error(request, str(error))
    return redirect("web:signal-detail", uuid=signal.uuid)


@login_required
@require_http_methods(["GET", "POST"])
def signal_create_view(request: HttpRequest) -> HttpResponse:
    viewer = require_viewer(request.user)
    if not viewer.writes_signals:
        raise Http404
    form = SignalForm(
        request.POST if request.method == "POST" else None,
        viewer=viewer,
        # Signals get a leaf category: a subcategory, or a main category without any.
        categories=selectors.category_list(viewer=viewer).exclude(children__active=True),
        buurten=neighbourhood_list(viewer=viewer),
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            signal = services.signal_create(
                viewer=viewer,
                owner_organisation=data["owner_organisation"],
                category=data["category"],
                observed_at=data["observed_at"],
                description=data["description"],
                location=services.as_location_input(data),
                source_channel=data["source_channel"],
                source_reliability=data["source_reliability"],
                info_reliability=data["info_reliability"],
                handling_code=data["handling_code"],
                confidentiality=data["confidentiality"] or None,
            )
        except ValidationError as exc:
            for field, msgs in _service_errors(exc).items():
                target = field if field in form.fields else None
                for msg in msgs:
                    form.add_error(target, msg)
        else:
            messages.success(request, _("Het signaal is geregistreerd."))
            return redirect("web:signal-detail", uuid=signal.uuid)
    return render(request, "signals/signal_form.html", {"form": form})


def _writer(request: HttpRequest) -> Viewer:
    viewer = require_viewer(request.user)
    if not viewer.writes_signals:
        raise Http404
    return viewer


# Where a service error about the location is shown on the street form (the map fills lat/lon).
_STREET_FIELD = {"location": "lat", "x": "lat", "y": "lon"}
_STREET_PARSED = frozenset({"owner_organisation", "category", "observed_at", "lat", "lon"})


def _street_service_errors(form: StreetObservationForm, errors: services.Errors) -> None:
    for name, error in errors.items():
        field = _STREET_FIELD.get(name, name)
        if name == "location" and error.code == "required":
            # The service names every way to give a location; this form has two.
            error = ValidationError(
                _("Geef een locatie op: gebruik uw locatie of tik op de kaart."), code="required"
            )
        form.add_error(field if field in form.fields else None, error)


@login_required
@require_http_methods(["GET", "POST"])
def street_observation_view(request: HttpRequest) -> HttpResponse:
    """A quick observation by a professional in the street, on a phone."""
    viewer = _writer(request)
    organisations = services.writer_organisations(viewer)
    categories = list(selectors.leaf_category_list(viewer=viewer))
    by_id = {c.pk: c for c in categories}
    frequent = [by_id[pk] for pk in selectors.frequent_category_ids(viewer=viewer) if pk in by_id]
    bound = request.method == "POST"
    form = StreetObservationForm(
        request.POST if bound else None,
        request.FILES if bound else None,
        organisations=organisations,
        frequent=frequent,
        categories=categories,
    )
    if bound:
        form.is_valid()  # parses; the domain rules are the service's
        data = dict(form.cleaned_data)
        owner = (
            data.get("owner_organisation")
            if form.has_owner_choice
            else (organisations[0] if organisations else None)
        )
        location = services.LocationInput(lat=data.get("lat"), lon=data.get("lon"))
        errors, _resolved = services.check_new_signal(
            viewer=viewer,
            owner_organisation=owner,
            category=data.get("category"),
            observed_at=data.get("observed_at"),
            description=data.get("description"),
            location=location,
            source_channel=SourceChannel.STREET,
            unparsed=frozenset(form.errors) & _STREET_PARSED,
        )
        _street_service_errors(form, errors)
        if not form.errors:
            assert owner is not None
            photo = data.get("photo")
            try:
                signal = services.street_observation_create(
                    viewer=viewer,
                    owner_organisation=owner,
                    category=data["category"],
                    observed_at=data["observed_at"],
                    description=data.get("description") or "",
                    location=location,
                    photo=photo,
                    photo_size=photo.size if photo is not None else None,
                )
            except ValidationError as exc:
                for field, msgs in _service_errors(exc).items():
                    target = _STREET_FIELD.get(field, field)
                    for msg in msgs:
                        form.add_error(target if target in form.fields else None, msg)
            else:
                return redirect("web:street-observation-saved", uuid=signal.uuid)
    context = {
        "form": form,
        # A file input cannot be filled in again: say so when a photo was sent with errors.
        "photo_lost": bound and bool(request.FILES.get("photo")),
        "show_time": bool(form.errors.get("observed_at")),
    }
    return render(request, "signals/street_observation.html", context)


@login_required
def street_observation_saved(request: HttpRequest, uuid: str) -> HttpResponse:
    viewer = _writer(request)
    signal = access_signal(viewer, uuid)
    return render(request, "signals/street_observation_saved.html", {"signal": signal})


@login_required
def signal_attachment_view(
    request: HttpRequest, uuid: str, attachment_uuid: str
) -> HttpResponseBase:
    """A photo of a signal, for those who may see the signal's personal details."""
    viewer = require_viewer(request.user)
    signal = access_signal(viewer, uuid)
    if not may_see_personal_details(viewer, signal):
        log_access(
            viewer=viewer,
            action=AccessAction.READ,
            object_type="attachment",
            object_id=str(attachment_uuid)[:64],
            granted=False,
            purpose="signaalbehandeling",
            detail="pseudonymised",
        )
        raise Http404
    attachment = selectors.signal_attachment(signal=signal, attachment_uuid=attachment_uuid)
    if attachment is None:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except OSError as exc:  # the row exists but its file is gone
        raise Http404 from exc
    response = FileResponse(handle, content_type=attachment.content_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def signal_mark_duplicate_view(request: HttpRequest, uuid: str) -> HttpResponse:
    viewer = _reader(request)
    signal = access_signal(viewer, uuid)
    target = selectors.visible_signal(viewer=viewer, signal_uuid=request.POST.get("original", ""))
    if target is None:
        messages.error(request, _("Het andere signaal bestaat niet of u kunt het niet inzien."))
        return redirect("web:signal-detail", uuid=signal.uuid)
    try:
        services.signal_mark_duplicate(viewer=viewer, signal=signal, target=target)
    except ValidationError as exc:
        for msgs in _service_errors(exc).values():
            for msg in msgs:
                messages.error(request, msg)
    else:
        messages.success(request, _("Dit signaal is gemarkeerd als dubbel."))
    return redirect("web:signal-detail", uuid=signal.uuid)


@login_required
@require_POST
def signal_unmark_duplicate_view(request: HttpRequest, uuid: str) -> HttpResponse:
    viewer = _reader(request)
    signal = access_signal(viewer, uuid)
    try:
        services.signal_unmark_duplicate(viewer=viewer, signal=signal)
    except ValidationError as exc:
        for msgs in _service_errors(exc).values():
            for msg in msgs:
                messages.error(request, msg)
    else:
        messages.success(request, _("Dit signaal is niet langer gemarkeerd als dubbel."))
    return redirect("web:signal-detail", uuid=signal.uuid)

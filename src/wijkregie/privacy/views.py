"""The privacy officer's access log and alerts. Everyone else gets 404 on every URL here.

Reading the access log is itself logged (object type `accesslog`, purpose `toezicht`).
"""

from __future__ import annotations

import csv

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from wijkregie.privacy import requests, restrictions, selectors, services
from wijkregie.privacy.access import require_privacy_officer
from wijkregie.privacy.forms import AccessLogSearchForm, DecisionForm, RectifyForm, RequestForm
from wijkregie.privacy.models import (
    AccessAction,
    AccessEvent,
    DataSubjectRequest,
    RequestKind,
    RequestStatus,
    Tombstone,
)
from wijkregie.subjects.access import parse_uuid
from wijkregie.subjects.models import PersonRecord
from wijkregie.tenants.access import Viewer

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


# --- Data-subject requests and the destruction list (ADR 0017) ---------------------------------


def _request_of(viewer: Viewer, uuid: str) -> DataSubjectRequest:
    parsed = parse_uuid(uuid)
    found = (
        DataSubjectRequest.objects.filter(uuid=parsed, municipality_id=viewer.municipality_id)
        .select_related("subject")
        .first()
        if parsed is not None
        else None
    )
    if found is None:
        raise Http404
    return found


@login_required
def request_list(request: HttpRequest) -> HttpResponse:
    viewer = require_privacy_officer(request.user)
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        subject = requests.find_subject(viewer=viewer, query=form.query())
        if subject is None:
            form.add_error(None, _("Geen betrokkene gevonden met deze gegevens."))
        else:
            created = requests.register_request(
                viewer=viewer,
                kind=form.cleaned_data["kind"],
                subject=subject,
                received_on=form.cleaned_data["received_on"],
                requester_reference=form.cleaned_data["requester_reference"],
            )
            messages.success(request, _("Het verzoek is geregistreerd."))
            return redirect("privacy:request", uuid=created.uuid)
    rows = DataSubjectRequest.objects.filter(municipality_id=viewer.municipality_id)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "privacy/request_list.html",
        {"form": form, "rows": rows[:500]},
        status=status,
    )


def _detail(
    request: HttpRequest,
    viewer: Viewer,
    dsr: DataSubjectRequest,
    *,
    decision_form: DecisionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    records = []
    if dsr.kind == RequestKind.RECTIFICATION and dsr.subject is not None:
        ids = requests.subject_ids_of(dsr.subject)
        records = list(PersonRecord.objects.filter(person_id__in=ids).order_by("created_at"))
        # Showing names to correct them is a read of personal data.
        services.log_access(
            viewer=viewer,
            action=AccessAction.READ,
            object_type="personrecord",
            object_id=str(dsr.uuid),
            granted=True,
            purpose=requests.PURPOSE,
            subject_pseudonym=dsr.subject_pseudonym,
            detail=f"{dsr.reference} rectificatie registraties={len(records)}",
        )
    restricted = bool(
        dsr.subject is not None
        and restrictions.any_restricted(requests.subject_ids_of(dsr.subject))
    )
    context = {
        "dsr": dsr,
        "decision_form": decision_form or DecisionForm(),
        "records": [
            (r, RectifyForm(initial=_record_initial(r), prefix=str(r.pk))) for r in records
        ],
        "restricted": restricted,
        "kinds": RequestKind,
        "statuses": RequestStatus,
        "may_carry_out": dsr.status in (RequestStatus.GRANTED, RequestStatus.PARTLY)
        and dsr.carried_out_at is None
        and dsr.subject is not None
        and dsr.kind in (RequestKind.ERASURE, RequestKind.RESTRICTION, RequestKind.OBJECTION),
    }
    return render(request, "privacy/request_detail.html", context, status=status)


def _record_initial(record: PersonRecord) -> dict[str, object]:
    return {
        "record": record.uuid,
        "given_names": record.given_names,
        "surname_prefix": record.surname_prefix,
        "surname": record.surname,
        "birth_date": record.birth_date,
    }


@login_required
def request_detail(request: HttpRequest, uuid: str) -> HttpResponse:
    viewer = require_privacy_officer(request.user)
    return _detail(request, viewer, _request_of(viewer, uuid))


@login_required
@require_POST
def request_decide(request: HttpRequest, uuid: str) -> HttpResponse:
    viewer = require_privacy_officer(request.user)
    dsr = _request_of(viewer, uuid)
    if dsr.carried_out_at is not None:
        raise Http404  # a decision that was carried out stands
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _detail(request, viewer, dsr, decision_form=form, status=400)
    requests.decide(
        viewer=viewer,
        request=dsr,
        status=form.cleaned_data["status"],
        reason=form.cleaned_data["reason"],
        erasure_mode=form.cleaned_data["erasure_mode"],
    )
    messages.success(request, _("Het besluit is vastgelegd."))
    return redirect("privacy:request", uuid=dsr.uuid)


@login_required
@require_POST
def request_carry_out(request: HttpRequest, uuid: str) -> HttpResponse:
    """Carry out a granted erasure, restriction or objection (a granted objection restricts:
    processing stops, the data stay until the officer decides an erasure)."""
    viewer = require_privacy_officer(request.user)
    dsr = _request_of(viewer, uuid)
    granted = dsr.status in (RequestStatus.GRANTED, RequestStatus.PARTLY)
    if not granted or dsr.carried_out_at is not None or dsr.subject is None:
        raise Http404
    if dsr.kind == RequestKind.ERASURE:
        result = requests.erase(viewer=viewer, request=dsr)
        messages.success(
            request,
            _(
                "Gewist: %(subjects)d betrokkene(n), %(records)d registratie(s), "
                "%(deleted)d signaal/signalen verwijderd, %(anon)d geanonimiseerd."
            )
            % {
                "subjects": result.subjects,
                "records": result.person_records,
                "deleted": result.signals_deleted,
                "anon": result.signals_anonymised,
            },
        )
    elif dsr.kind in (RequestKind.RESTRICTION, RequestKind.OBJECTION):
        requests.restrict(viewer=viewer, request=dsr, reason=dsr.decision_reason)
        messages.success(request, _("De verwerking is beperkt."))
    else:
        raise Http404
    return redirect("privacy:request", uuid=dsr.uuid)


@login_required
@require_POST
def request_lift(request: HttpRequest, uuid: str) -> HttpResponse:
    viewer = require_privacy_officer(request.user)
    dsr = _request_of(viewer, uuid)
    if not requests.lift_restriction(viewer=viewer, request=dsr):
        raise Http404
    messages.success(request, _("De beperking is opgeheven."))
    return redirect("privacy:request", uuid=dsr.uuid)


@login_required
@require_POST
def request_rectify(request: HttpRequest, uuid: str) -> HttpResponse:
    viewer = require_privacy_officer(request.user)
    dsr = _request_of(viewer, uuid)
    if dsr.kind != RequestKind.RECTIFICATION or dsr.subject is None:
        raise Http404
    prefix = request.POST.get("prefix", "")
    form = RectifyForm(request.POST, prefix=prefix or None)
    if not form.is_valid():
        messages.error(request, _("De correctie is niet geldig."))
        return redirect("privacy:request", uuid=dsr.uuid)
    record = PersonRecord.objects.filter(
        uuid=form.cleaned_data["record"], municipality_id=viewer.municipality_id
    ).first()
    if record is None or record.person_id not in requests.subject_ids_of(dsr.subject):
        raise Http404
    values = {k: v for k, v in form.cleaned_data.items() if k != "record"}
    values = {k: ("" if v is None and k != "birth_date" else v) for k, v in values.items()}
    requests.rectify_record(viewer=viewer, request=dsr, record=record, values=values)
    messages.success(request, _("De registratie is gecorrigeerd."))
    return redirect("privacy:request", uuid=dsr.uuid)


@login_required
def request_export(request: HttpRequest, uuid: str) -> HttpResponse:
    """The inzage export (JSON, as a download); logged as an export."""
    viewer = require_privacy_officer(request.user)
    dsr = _request_of(viewer, uuid)
    if dsr.kind != RequestKind.ACCESS or dsr.subject is None:
        raise Http404
    data = requests.inzage_export(viewer=viewer, request=dsr)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="inzage-{dsr.reference}.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def destruction_list(request: HttpRequest) -> HttpResponse:
    """Tombstones of destroyed signals, cases and subjects (HTML, or CSV with ?formaat=csv)."""
    viewer = require_privacy_officer(request.user)
    rows = Tombstone.objects.filter(municipality_id=viewer.municipality_id).select_related(
        "request"
    )
    if request.GET.get("formaat") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="vernietigingslijst.csv"'
        writer = csv.writer(response, delimiter=";")
        writer.writerow(
            [
                "soort",
                "id",
                "omschrijving",
                "aangemaakt",
                "afgesloten",
                "vernietigd",
                "grondslag",
                "verzoek",
                "afgeleid",
            ]
        )
        for t in rows.iterator(chunk_size=2000):
            writer.writerow(
                [
                    t.object_type,
                    t.object_uuid,
                    t.label,
                    t.created_at.isoformat() if t.created_at else "",
                    t.closed_at.isoformat() if t.closed_at else "",
                    t.destroyed_at.isoformat(),
                    t.legal_basis,
                    t.request.reference if t.request else "",
                    " ".join(f"{k}={v}" for k, v in sorted(t.derived.items())),
                ]
            )
        return response
    paginator: Paginator[Tombstone] = Paginator(rows, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "privacy/destruction_list.html", {"page": page})

"""Web views for case management. Thin: parse input, access_*, selectors or services, render."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wijkregie.cases import selectors, services, states
from wijkregie.cases.access import (
    CaseAccess,
    access_case,
    access_screening,
    break_glass_organisation,
    may_decide,
    may_manage_participants,
    may_nominate_any,
    may_reopen,
    may_transition,
    nominating_organisations,
    reader_organisation_ids,
)
from wijkregie.cases.forms import (
    BreakGlassForm,
    CaseCreateForm,
    CaseFilterForm,
    CaseTypeChoiceForm,
    DecisionForm,
    ParticipantAddForm,
    ParticipantRemoveForm,
    ReopenForm,
    ScreeningForm,
    TransitionForm,
)
from wijkregie.cases.models import Criterion, ScreeningSource
from wijkregie.signals.access import access_signal
from wijkregie.subjects.access import access_subject
from wijkregie.tenants.access import Viewer, require_viewer
from wijkregie.tenants.models import Organisation, Role, User


def _errors_to_form(form: Any, exc: ValidationError) -> None:
    found = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    for name, msgs in found.items():
        field = name if name in form.fields else None
        for msg in msgs:
            form.add_error(field, msg)


def _errors_to_messages(request: HttpRequest, exc: ValidationError) -> None:
    found = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    for msgs in found.values():
        for msg in msgs:
            messages.error(request, msg)


def _form_errors_to_messages(request: HttpRequest, form: Any) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, str(error))


def _case_reader(request: HttpRequest) -> Viewer:
    viewer = require_viewer(request.user)
    if not reader_organisation_ids(viewer):
        raise Http404
    return viewer


def _filters(request: HttpRequest, viewer: Viewer) -> tuple[CaseFilterForm, selectors.CaseFilters]:
    form = CaseFilterForm(request.GET or None, case_types=list(selectors.case_types(viewer=viewer)))
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        return form, selectors.CaseFilters(phase=data["fase"], case_type=data["type"], q=data["q"])
    return form, selectors.CaseFilters()


@login_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    viewer = _case_reader(request)
    form, filters = _filters(request, viewer)
    cases = list(selectors.visible_cases(viewer=viewer, filters=filters)[:500])
    return render(
        request,
        "cases/case_list.html",
        {
            "form": form,
            "cases": cases,
            "counts": selectors.phase_counts(viewer=viewer, filters=filters),
            "may_break_glass": break_glass_organisation(viewer) is not None,
            "may_decide": may_decide(viewer),
            "query": request.GET.urlencode(),
        },
    )


@login_required
@require_GET
def case_export(request: HttpRequest) -> HttpResponse:
    viewer = _case_reader(request)
    _form, filters = _filters(request, viewer)
    cases = list(selectors.visible_cases(viewer=viewer, filters=filters))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="casussen.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow(["casusnummer", "werktitel", "casustype", "fase", "streefdatum", "gestart"])
    for case in cases:
        writer.writerow(
            [
                case.reference,
                case.title,
                case.case_type.name,
                str(case.phase_label),
                case.phase_due.isoformat() if case.phase_due else "",
                timezone.localdate(case.created_at).isoformat(),
            ]
        )
    selectors.log_export(viewer=viewer, rows=len(cases))
    return response


def _detail_context(viewer: Viewer, access: CaseAccess, **extra: Any) -> dict[str, Any]:
    page = selectors.case_page(viewer=viewer, access=access)
    case = access.case
    reopen_right = may_reopen(viewer, access)
    targets = [
        t.value
        for t in states.next_phases(case.case_type.phases, case.phase, may_reopen=False)
        if t != states.CLOSED  # closing has its own page, with the evaluation
    ]
    context: dict[str, Any] = {
        "page": page,
        "case": case,
        "pseudonymised": viewer.pseudonymised,
        "may_transition": may_transition(access) and not case.is_closed,
        "may_reopen": reopen_right and case.is_closed,
        "may_manage": may_manage_participants(access) and not case.is_closed,
        "transition_form": TransitionForm(targets=targets),
        "reopen_form": ReopenForm(),
        "participant_form": ParticipantAddForm(
            memberships=selectors.candidate_memberships(viewer=viewer)
        )
        if may_manage_participants(access)
        else None,
        "remove_form": ParticipantRemoveForm(),
        "phase_labels": states.PHASE_LABELS,
    }
    context.update(extra)
    return context


@login_required
@require_GET
def case_detail(request: HttpRequest, uuid: str) -> HttpResponse:
    # No role gate before access_case: a refused attempt is logged there like any other.
    viewer = require_viewer(request.user)
    access = access_case(viewer, uuid)
    return render(request, "cases/case_detail.html", _detail_context(viewer, access))


@login_required
@require_POST
def case_transition_view(request: HttpRequest, uuid: str) -> HttpResponse:
    viewer = require_viewer(request.user)
    access = access_case(viewer, uuid, write=True)
    case = access.case
    targets = [
        t.value
        for t in states.next_phases(case.case_type.phases, case.phase, may_reopen=False)
        if t != states.CLOSED  # closing has its own page, with the evaluation
    ]
    form = TransitionForm(request.POST, targets=targets)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.case_transition(
                viewer=viewer,
                access=access,
                to_phase=data["phase"],
                note=data["note"],
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("De fase van de casus is gewijzigd."))
            return redirect("cases:detail", uuid=case.uuid)
    if case.is_closed and not form.errors:
        form.add_error(None, _("Deze casus is afgesloten en alleen-lezen. Heropen haar eerst."))
    context = _detail_context(viewer, access, transition_form=form)
    return render(request, "cases/case_detail.html", context, status=400)


@login_required
@require_POST
def case_reopen_view(request: HttpRequest, uuid: str) -> HttpResponse:
    viewer = require_viewer(request.user)
    access = access_case(viewer, uuid, write=True)
    case = access.case
    form = ReopenForm(request.POST)
    if form.is_valid():
        target = states.reopen_target(case.case_type.phases)
        try:
            services.case_transition(
                viewer=viewer, access=access, to_phase=target, note=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("De casus is heropend."))
            return redirect("cases:detail", uuid=case.uuid)
    context = _detail_context(viewer, access, reopen_form=form)
    # Also for someone without the right: the refusal is shown, nothing changes.
    context["show_reopen_errors"] = True
    return render(request, "cases/case_detail.html", context, status=400)


@login_required
@require_POST
def participant_add_view(request: HttpRequest, uuid: str) -> HttpResponse:
    viewer = require_viewer(request.user)
    access = access_case(viewer, uuid, write=True)
    form = ParticipantAddForm(
        request.POST, memberships=selectors.candidate_memberships(viewer=viewer)
    )
    if not form.is_valid():
        _form_errors_to_messages(request, form)
        return redirect("cases:detail", uuid=access.case.uuid)
    user_id, org_id = form.user_and_organisation()
    try:
        services.participant_add(
            viewer=viewer,
            access=access,
            user=User.objects.filter(pk=user_id, municipality_id=viewer.municipality_id).first(),
            organisation=Organisation.objects.filter(
                pk=org_id, municipality_id=viewer.municipality_id
            ).first(),
            role=form.cleaned_data["role"],
        )
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(request, _("De deelnemer is toegevoegd."))
    return redirect("cases:detail", uuid=access.case.uuid)


@login_required
@require_POST
def participant_remove_view(request: HttpRequest, uuid: str, participant: str) -> HttpResponse:
    viewer = require_viewer(request.user)
    access = access_case(viewer, uuid, write=True)
    row = selectors.participant_in_case(case=access.case, participant_id=participant)
    if row is None:
        raise Http404
    form = ParticipantRemoveForm(request.POST)
    if not form.is_valid():
        _form_errors_to_messages(request, form)
        return redirect("cases:detail", uuid=access.case.uuid)
    try:
        services.participant_remove(
            viewer=viewer, access=access, participant=row, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        _errors_to_messages(request, exc)
        return redirect("cases:detail", uuid=access.case.uuid)
    messages.success(request, _("De deelnemer is verwijderd."))
    if row.user_id == viewer.user.pk:
        return redirect("cases:list")
    return redirect("cases:detail", uuid=access.case.uuid)


# --- screening ----------------------------------------------------------------------------


@login_required
@require_GET
def screening_list(request: HttpRequest) -> HttpResponse:
    viewer = require_viewer(request.user)
    if not (may_decide(viewer) or may_nominate_any(viewer)):
        raise Http404
    return render(
        request,
        "cases/screening_list.html",
        {
            "screenings": list(selectors.open_screenings(viewer=viewer)),
            "to_start": list(selectors.decided_without_case(viewer=viewer)),
            "may_decide": may_decide(viewer),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def screening_new(request: HttpRequest) -> HttpResponse:
    viewer = require_viewer(request.user)
    if not may_nominate_any(viewer):
        raise Http404
    subject = signal = None
    if request.GET.get("betrokkene"):
        subject = access_subject(viewer, request.GET["betrokkene"], purpose="screening")
    elif request.GET.get("signaal"):
        signal = access_signal(viewer, request.GET["signaal"], purpose="screening")
    else:
        raise Http404
    source = (
        ScreeningSource.SIGNAL
        if signal is not None
        else (
            ScreeningSource.QUEUE
            if request.GET.get("bron") == ScreeningSource.QUEUE
            else ScreeningSource.SUBJECT
        )
    )
    types = list(selectors.case_types(viewer=viewer))
    case_type = (
        selectors.case_type_by_code(viewer=viewer, code=request.GET["type"])
        if request.GET.get("type")
        else None
    )
    context: dict[str, Any] = {"subject": subject, "signal": signal, "source": source}
    if case_type is None:
        context["type_form"] = CaseTypeChoiceForm(case_types=types)
        context["hidden"] = [
            (k, request.GET[k]) for k in ("betrokkene", "signaal", "bron") if request.GET.get(k)
        ]
        return render(request, "cases/screening_new.html", context)
    organisations = nominating_organisations(viewer, case_type)
    form = ScreeningForm(request.POST or None, case_type=case_type, organisations=organisations)
    context.update({"case_type": case_type, "form": form, "organisations": organisations})
    if request.method == "POST" and form.is_valid():
        chosen = set(form.cleaned_data["criteria"])
        try:
            screening = services.screening_create(
                viewer=viewer,
                case_type=case_type,
                organisation=form.cleaned_data["organisation"],
                source=source,
                subject=subject,
                signal=signal,
                criteria_met={c: c in chosen for c in case_type.criteria},
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("De screening is vastgelegd."))
            return redirect("cases:screening-detail", uuid=screening.uuid)
    status = 400 if request.method == "POST" else 200
    return render(request, "cases/screening_new.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def screening_detail(request: HttpRequest, uuid: str) -> HttpResponse:
    viewer = require_viewer(request.user)
    screening = access_screening(viewer, uuid)
    form = DecisionForm(
        request.POST or None,
        case_type=screening.case_type,
        initial_criteria=screening.criteria_met,
    )
    if request.method == "POST":
        if not may_decide(viewer):
            raise Http404
        if form.is_valid():
            chosen = set(form.cleaned_data["criteria"])
            try:
                services.screening_decide(
                    viewer=viewer,
                    screening=screening,
                    decision=form.cleaned_data["decision"],
                    reasoning=form.cleaned_data["reasoning"],
                    criteria_met={c: c in chosen for c in screening.case_type.criteria},
                )
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, _("Het besluit is vastgelegd."))
                if form.cleaned_data["decision"] == "casus":
                    return redirect("cases:case-new", uuid=screening.uuid)
                return redirect("cases:screening-detail", uuid=screening.uuid)
    labels = dict(Criterion.choices)
    return render(
        request,
        "cases/screening_detail.html",
        {
            "screening": screening,
            "form": form,
            "may_decide": may_decide(viewer) and not screening.decision,
            "may_start": may_decide(viewer),
            "criteria": [
                (labels.get(c, c), bool(screening.criteria_met.get(c)))
                for c in screening.case_type.criteria
            ],
            "case": getattr(screening, "case", None),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest, uuid: str) -> HttpResponse:
    viewer = require_viewer(request.user)
    if not may_decide(viewer):
        raise Http404
    screening = access_screening(viewer, uuid)
    form = CaseCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_create_from_screening(
                viewer=viewer,
                screening=screening,
                title=form.cleaned_data["title"],
                confidentiality=form.cleaned_data["confidentiality"],
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("De casus is gestart."))
            return redirect("cases:detail", uuid=case.uuid)
    return render(
        request,
        "cases/case_new.html",
        {"screening": screening, "form": form},
        status=400 if request.method == "POST" else 200,
    )


# --- break the glass ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def break_glass_view(request: HttpRequest) -> HttpResponse:
    viewer = require_viewer(request.user)
    if break_glass_organisation(viewer) is None:
        raise Http404
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.break_glass(
                viewer=viewer,
                reference=form.cleaned_data["reference"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.warning(
                request,
                _("U leest deze casus zonder deel te nemen. Dit is vastgelegd en wordt gemeld."),
            )
            return redirect("cases:detail", uuid=case.uuid)
    return render(
        request,
        "cases/break_glass.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def break_glass_log(request: HttpRequest) -> HttpResponse:
    viewer = require_viewer(request.user)
    if not viewer.has_role(Role.PRIVACY_OFFICER):
        raise Http404
    rows = list(selectors.break_glass_log(viewer=viewer)[:500])
    return render(request, "cases/break_glass_log.html", {"rows": rows})

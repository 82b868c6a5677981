"""Web views for case meetings (casusoverleg): list and create, the meeting page with its
agenda and minutes, and the chair's forms (attendees, agenda, decisions, approval)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wijkregie.cases import meeting_services, plan_selectors, selectors
from wijkregie.cases.access import (
    access_meeting,
    is_chair,
    log_case_reads,
    may_chair,
    reader_organisation_ids,
)
from wijkregie.cases.forms import (
    MeetingDecisionForm,
    MeetingForm,
    ParticipantAddForm,
)
from wijkregie.cases.models import Meeting
from wijkregie.cases.plan_views import _owner
from wijkregie.cases.views import _errors_to_form, _errors_to_messages, _form_errors_to_messages
from wijkregie.tenants.access import Viewer, require_viewer
from wijkregie.tenants.models import Organisation, User


def _reader(request: HttpRequest) -> Viewer:
    viewer = require_viewer(request.user)
    if not reader_organisation_ids(viewer):
        raise Http404
    return viewer


@login_required
@require_http_methods(["GET", "POST"])
def meeting_list(request: HttpRequest) -> HttpResponse:
    viewer = _reader(request)
    chair = may_chair(viewer)
    form = MeetingForm(request.POST or None) if chair else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                meeting = meeting_services.meeting_create(
                    viewer=viewer,
                    title=form.cleaned_data["title"],
                    date=form.cleaned_data["date"],
                )
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, _("Het casusoverleg is aangemaakt."))
                return redirect("cases:meeting", uuid=meeting.uuid)
    return render(
        request,
        "cases/meeting_list.html",
        {"meetings": list(plan_selectors.visible_meetings(viewer=viewer)[:200]), "form": form},
        status=400 if request.method == "POST" else 200,
    )


def _decision_forms(meeting: Meeting, page: plan_selectors.MeetingPage) -> dict[int, Any]:
    if not page.is_chair:
        return {}
    deciders = meeting_services.decider_choices(meeting)
    return {
        e.item.pk: MeetingDecisionForm(
            prefix=f"item{e.item.pk}",
            deciders=deciders,
            case=e.case if not meeting.is_approved else None,
        )
        for e in page.entries
        if e.visible
    }


def _meeting_context(viewer: Viewer, meeting: Meeting, **extra: Any) -> dict[str, Any]:
    page = plan_selectors.meeting_page(viewer=viewer, meeting=meeting)
    log_case_reads(viewer, page.shown_case_uuids, detail="agenda")
    forms = _decision_forms(meeting, page)
    forms.update(extra.pop("decision_forms", {}))
    context: dict[str, Any] = {
        "page": page,
        "meeting": meeting,
        "pseudonymised": viewer.pseudonymised,
        "decision_forms": forms,
        "attendee_form": ParticipantAddForm(
            prefix="attendee", memberships=selectors.candidate_memberships(viewer=viewer)
        )
        if page.is_chair and not meeting.is_approved
        else None,
    }
    context.update(extra)
    return context


@login_required
@require_GET
def meeting_detail(request: HttpRequest, uuid: str) -> HttpResponse:
    viewer = require_viewer(request.user)
    meeting = access_meeting(viewer, uuid)
    return render(request, "cases/meeting.html", _meeting_context(viewer, meeting))


def _chair_meeting(request: HttpRequest, uuid: str) -> tuple[Viewer, Meeting]:
    viewer = require_viewer(request.user)
    meeting = access_meeting(viewer, uuid)
    if not is_chair(viewer, meeting):
        raise Http404
    return viewer, meeting


@login_required
@require_POST
def meeting_attendee_add(request: HttpRequest, uuid: str) -> HttpResponse:
    viewer, meeting = _chair_meeting(request, uuid)
    form = ParticipantAddForm(
        request.POST, prefix="attendee", memberships=selectors.candidate_memberships(viewer=viewer)
    )
    if not form.is_valid():
        _form_errors_to_messages(request, form)
        return redirect("cases:meeting", uuid=meeting.uuid)
    user_id, org_id = form.user_and_organisation()
    try:
        meeting_services.attendee_add(
            viewer=viewer,
            meeting=meeting,
            user=User.objects.filter(pk=user_id, municipality_id=viewer.municipality_id).first(),
            organisation=Organisation.objects.filter(
                pk=org_id, municipality_id=viewer.municipality_id
            ).first(),
        )
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(request, _("De deelnemer aan het overleg is toegevoegd."))
    return redirect("cases:meeting", uuid=meeting.uuid)


@login_required
@require_POST
def meeting_agenda(request: HttpRequest, uuid: str) -> HttpResponse:
    viewer, meeting = _chair_meeting(request, uuid)
    try:
        meeting_services.agenda_generate(viewer=viewer, meeting=meeting)
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(request, _("De agenda is bijgewerkt."))
    return redirect("cases:meeting", uuid=meeting.uuid)


@login_required
@require_POST
def meeting_decision(request: HttpRequest, uuid: str, item: str) -> HttpResponse:
    viewer, meeting = _chair_meeting(request, uuid)
    row = plan_selectors.agenda_item_in_meeting(meeting=meeting, item_id=item)
    if row is None:
        raise Http404
    page = plan_selectors.meeting_page(viewer=viewer, meeting=meeting)
    entry = next((e for e in page.entries if e.item.pk == row.pk and e.visible), None)
    if entry is None:
        raise Http404
    form = MeetingDecisionForm(
        request.POST,
        prefix=f"item{row.pk}",
        deciders=meeting_services.decider_choices(meeting),
        case=entry.case if not meeting.is_approved else None,
    )
    if form.is_valid():
        new_action = None
        if entry.case is not None and form.wants_action:
            org, user = _owner(entry.case, form.cleaned_data.get("action_owner", ""))
            new_action = meeting_services.NewAction(
                description=form.cleaned_data.get("action_description", ""),
                owner_organisation=org,
                owner_user=user,
                due_date=form.cleaned_data.get("action_due_date"),
            )
        try:
            meeting_services.decision_record(
                viewer=viewer,
                meeting=meeting,
                item=row,
                text=form.cleaned_data["text"],
                decided_by=form.cleaned_data["decided_by"],
                new_action=new_action,
                addendum=meeting.is_approved,
            )
        except ValidationError as exc:
            _errors_to_form(form, _action_errors(exc))
        else:
            messages.success(request, _("Het besluit is vastgelegd."))
            return redirect("cases:meeting", uuid=meeting.uuid)
    context = _meeting_context(viewer, meeting, decision_forms={row.pk: form}, error_item=row.pk)
    return render(request, "cases/meeting.html", context, status=400)


def _action_errors(exc: ValidationError) -> ValidationError:
    """Map the plan's field names onto the decision form (action_owner_organisation -> owner)."""
    if not hasattr(exc, "error_dict"):
        return exc
    names = {
        "action_owner_organisation": "action_owner",
        "action_owner_user": "action_owner",
        "action_goal": "__all__",
        "action": "__all__",
        "meeting": "__all__",
        "item": "__all__",
    }
    renamed: dict[str, list[ValidationError]] = {}
    for name, errors in exc.error_dict.items():
        renamed.setdefault(names.get(name, name), []).extend(errors)
    return ValidationError(renamed)


@login_required
@require_POST
def meeting_approve(request: HttpRequest, uuid: str) -> HttpResponse:
    viewer, meeting = _chair_meeting(request, uuid)
    try:
        meeting_services.minutes_approve(viewer=viewer, meeting=meeting)
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(request, _("De besluitenlijst is vastgesteld."))
    return redirect("cases:meeting", uuid=meeting.uuid)

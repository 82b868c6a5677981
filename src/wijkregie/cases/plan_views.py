"""Web views for the plan of action and "my actions". Thin: access, form, service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wijkregie.cases import plan_selectors, plan_services
from wijkregie.cases.access import (
    CaseAccess,
    access_action,
    access_case,
    log_case_reads,
    may_manage_plan,
    may_update_action,
    reader_organisation_ids,
)
from wijkregie.cases.forms import (
    ActionForm,
    GoalForm,
    GoalStatusForm,
    ProgressForm,
    parse_owner,
)
from wijkregie.cases.models import Action, Case
from wijkregie.cases.views import _errors_to_form, _errors_to_messages, _form_errors_to_messages
from wijkregie.tenants.access import Viewer, require_viewer
from wijkregie.tenants.models import Organisation, User


def _owner(case: Case, value: str) -> tuple[Organisation | None, User | None]:
    org_id, user_id = parse_owner(value)
    org = (
        Organisation.objects.filter(pk=org_id, municipality_id=case.municipality_id).first()
        if org_id
        else None
    )
    user = (
        User.objects.filter(pk=user_id, municipality_id=case.municipality_id).first()
        if user_id
        else None
    )
    return org, user


def _plan_context(viewer: Viewer, access: CaseAccess, **extra: Any) -> dict[str, Any]:
    page = plan_selectors.plan_page(viewer=viewer, access=access)
    manage = may_manage_plan(access)
    context: dict[str, Any] = {
        "page": page,
        "case": access.case,
        "pseudonymised": viewer.pseudonymised,
        "may_manage": manage,
        "goal_form": GoalForm(prefix="goal", life_domains=page.life_domains) if manage else None,
        "action_form": ActionForm(prefix="action", case=access.case, goals=page.goals)
        if manage
        else None,
        "goal_status_forms": {
            g.pk: GoalStatusForm(prefix=f"g{g.pk}", initial={"status": g.status})
            for g in page.goals
        }
        if manage
        else {},
    }
    context.update(extra)
    return context


@login_required
@require_GET
def plan_detail(request: HttpRequest, uuid: str) -> HttpResponse:
    viewer = require_viewer(request.user)
    access = access_case(viewer, uuid)
    return render(request, "cases/plan.html", _plan_context(viewer, access))


@login_required
@require_POST
def goal_add_view(request: HttpRequest, uuid: str) -> HttpResponse:
    viewer = require_viewer(request.user)
    access = access_case(viewer, uuid, write=True)
    page = plan_selectors.plan_page(viewer=viewer, access=access)
    form = GoalForm(request.POST, prefix="goal", life_domains=page.life_domains)
    if form.is_valid():
        try:
            plan_services.goal_add(
                viewer=viewer,
                access=access,
                life_domain=plan_selectors.life_domain_by_code(
                    case=access.case, code=form.cleaned_data["life_domain"]
                ),
                description=form.cleaned_data["description"],
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Het doel is toegevoegd."))
            return redirect("cases:plan", uuid=access.case.uuid)
    context = _plan_context(viewer, access, goal_form=form, show_errors=form)
    return render(request, "cases/plan.html", context, status=400)


@login_required
@require_POST
def goal_status_view(request: HttpRequest, uuid: str, goal: str) -> HttpResponse:
    viewer = require_viewer(request.user)
    access = access_case(viewer, uuid, write=True)
    row = plan_selectors.goal_in_case(case=access.case, goal_uuid=goal)
    if row is None:
        raise Http404
    form = GoalStatusForm(request.POST, prefix=f"g{row.pk}")
    if not form.is_valid():
        _form_errors_to_messages(request, form)
        return redirect("cases:plan", uuid=access.case.uuid)
    try:
        plan_services.goal_update(
            viewer=viewer, access=access, goal=row, status=form.cleaned_data["status"]
        )
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(request, _("De status van het doel is gewijzigd."))
    return redirect("cases:plan", uuid=access.case.uuid)


@login_required
@require_POST
def action_add_view(request: HttpRequest, uuid: str) -> HttpResponse:
    viewer = require_viewer(request.user)
    access = access_case(viewer, uuid, write=True)
    page = plan_selectors.plan_page(viewer=viewer, access=access)
    form = ActionForm(request.POST, prefix="action", case=access.case, goals=page.goals)
    if form.is_valid():
        org, user = _owner(access.case, form.cleaned_data["owner"])
        goal = (
            plan_selectors.goal_in_case(case=access.case, goal_uuid=form.cleaned_data["goal"])
            if form.cleaned_data["goal"]
            else None
        )
        try:
            plan_services.action_add(
                viewer=viewer,
                access=access,
                description=form.cleaned_data["description"],
                owner_organisation=org,
                owner_user=user,
                due_date=form.cleaned_data["due_date"],
                goal=goal,
            )
        except ValidationError as exc:
            _errors_to_form(
                form, _rename(exc, {"owner_organisation": "owner", "owner_user": "owner"})
            )
        else:
            messages.success(request, _("De actie is toegevoegd."))
            return redirect("cases:plan", uuid=access.case.uuid)
    context = _plan_context(viewer, access, action_form=form, show_errors=form)
    return render(request, "cases/plan.html", context, status=400)


def _rename(exc: ValidationError, names: dict[str, str]) -> ValidationError:
    if not hasattr(exc, "error_dict"):
        return exc
    renamed: dict[str, list[ValidationError]] = {}
    for name, errors in exc.error_dict.items():
        renamed.setdefault(names.get(name, name), []).extend(errors)
    return ValidationError(renamed)


def _action_context(
    viewer: Viewer, access: CaseAccess, action: Action, **extra: Any
) -> dict[str, Any]:
    may_update = may_update_action(viewer, access, action.owner_organisation_id)
    context: dict[str, Any] = {
        "case": access.case,
        "action": action,
        "notes": list(action.notes.select_related("organisation").order_by("at", "id")),
        "pseudonymised": viewer.pseudonymised,
        "overdue": action.is_overdue(),
        "may_update": may_update,
        "progress_form": ProgressForm(
            prefix="progress", current=action.status, regie=access.is_casusregisseur
        )
        if may_update
        else None,
        "via_break_glass": access.via_break_glass,
    }
    context.update(extra)
    return context


@login_required
@require_http_methods(["GET", "POST"])
def action_detail(request: HttpRequest, uuid: str) -> HttpResponse:
    """An action with its notes; its owner organisation's participants update it here."""
    viewer = require_viewer(request.user)
    write = request.method == "POST"
    access, action = access_action(viewer, uuid, write=write)
    if not write:
        return render(request, "cases/action.html", _action_context(viewer, access, action))
    form = ProgressForm(
        request.POST, prefix="progress", current=action.status, regie=access.is_casusregisseur
    )
    if form.is_valid():
        try:
            plan_services.action_progress(
                viewer=viewer,
                access=access,
                action=action,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            _errors_to_form(form, _rename(exc, {"action": "__all__", "case": "__all__"}))
        else:
            messages.success(request, _("De actie is bijgewerkt."))
            return redirect("cases:action", uuid=action.uuid)
    context = _action_context(viewer, access, action, progress_form=form)
    return render(request, "cases/action.html", context, status=400)


@login_required
@require_GET
def my_actions(request: HttpRequest) -> HttpResponse:
    viewer = require_viewer(request.user)
    if not reader_organisation_ids(viewer):
        raise Http404
    show_all = request.GET.get("status") == "alle"
    actions = plan_selectors.my_actions(viewer=viewer, active_only=not show_all)
    log_case_reads(viewer, [str(a.case.uuid) for a in actions], detail="mijn-acties")
    rows = [
        (
            a,
            a.is_overdue(),
            ProgressForm(prefix=f"a{a.pk}", current=a.status, regie=False),
        )
        for a in actions
    ]
    return render(
        request,
        "cases/my_actions.html",
        {"rows": rows, "show_all": show_all, "pseudonymised": viewer.pseudonymised},
    )


@login_required
@require_POST
def my_action_update(request: HttpRequest, uuid: str) -> HttpResponse:
    """The inline form of "my actions": same rules as the action page, back to the list."""
    viewer = require_viewer(request.user)
    access, action = access_action(viewer, uuid, write=True)
    form = ProgressForm(request.POST, prefix=f"a{action.pk}", current=action.status, regie=False)
    if not form.is_valid():
        _form_errors_to_messages(request, form)
        return redirect("cases:my-actions")
    try:
        plan_services.action_progress(
            viewer=viewer,
            access=access,
            action=action,
            status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(request, _("De actie is bijgewerkt."))
    return redirect("cases:my-actions")

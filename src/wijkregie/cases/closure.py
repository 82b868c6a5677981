"""Closing a case with its evaluation (ADR 0020).

`case_close` is the closing page's write: one transaction that
1. checks every rule at once - the phase machine's closing rule (casusregisseur, result code
   and text) plus the evaluation: an outcome (bereikt/deels/niet_bereikt) for every goal that
   is not yet decided, and for result `overgedragen` the organisation and a hand-over text;
2. sets each goal's status to its outcome (a plan version each, while the case is still open);
3. closes the case through `services.case_transition` (which sets `closed_at` and starts the
   retention clock: `retain_until` = closing date + the case type's `retention_years`);
4. appends the `CaseEvaluation` row, tied to the closing `PhaseChange`.

Reopening keeps the evaluation (append-only); closing again appends a new one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from wijkregie.cases import plan_services, services, states
from wijkregie.cases.access import CaseAccess, participation
from wijkregie.cases.action_states import GoalStatus
from wijkregie.cases.models import Case, CaseEvaluation, Goal, PhaseChange, ResultCode
from wijkregie.privacy.services import audit
from wijkregie.tenants.access import Viewer
from wijkregie.tenants.models import Organisation

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

OUTCOMES = (GoalStatus.BEREIKT.value, GoalStatus.DEELS.value, GoalStatus.NIET_BEREIKT.value)
HANDOVER_MIN = 10
HANDOVER_MAX = 2000


def _error(errors: dict[str, ValidationError], name: str, message: StrOrPromise, code: str) -> None:
    errors.setdefault(name, ValidationError(message, code=code))


def handover_organisations(case: Case) -> list[Organisation]:
    """Organisations of the case's municipality that a case can be handed over to."""
    return list(Organisation.objects.filter(municipality_id=case.municipality_id).order_by("name"))


def check_close(
    *,
    viewer: Viewer,
    access: CaseAccess,
    result_code: str,
    result: str,
    goal_outcomes: dict[str, str],
    handover_organisation: Organisation | None,
    handover: str,
) -> dict[str, ValidationError]:
    """Every rule for closing with an evaluation, all violations at once (stable codes)."""
    errors = services.check_transition(
        viewer=viewer,
        access=access,
        to_phase=states.CLOSED,
        note="",
        result_code=result_code,
        result=result,
        with_evaluation=True,
    )
    if "phase" in errors:
        return errors
    goals = list(Goal.objects.filter(case=access.case).order_by("created_at", "id"))
    for goal in goals:
        outcome = goal_outcomes.get(str(goal.uuid), "")
        if outcome not in OUTCOMES:
            _error(
                errors,
                f"goal_{goal.uuid}",
                _("Geef voor elk doel aan of het bereikt, deels bereikt of niet bereikt is."),
                "goal_outcome_required",
            )
    text = (handover or "").strip()
    if len(text) > HANDOVER_MAX:
        _error(
            errors, "handover", _("De overdracht is te lang: maximaal 2000 tekens."), "max_length"
        )
    if handover_organisation is not None and (
        handover_organisation.municipality_id != access.case.municipality_id
    ):
        _error(errors, "handover_organisation", _("Kies een organisatie."), "invalid_choice")
    if result_code == ResultCode.HANDED_OVER:
        if handover_organisation is None:
            _error(
                errors,
                "handover_organisation",
                _("Kies de organisatie die de zorg overneemt."),
                "required",
            )
        if len(text) < HANDOVER_MIN:
            _error(
                errors,
                "handover",
                _("Beschrijf de overdracht in ten minste 10 tekens."),
                "required",
            )
    return errors


@transaction.atomic
def case_close(
    *,
    viewer: Viewer,
    access: CaseAccess,
    result_code: str,
    result: str,
    goal_outcomes: dict[str, str],
    handover_organisation: Organisation | None = None,
    handover: str = "",
) -> CaseEvaluation:
    """Close the case with result and evaluation (see the module docstring)."""
    locked = Case.objects.select_for_update().select_related("case_type").get(pk=access.case.pk)
    fresh = CaseAccess(case=locked, participant=participation(viewer, locked), break_glass=None)
    errors = check_close(
        viewer=viewer,
        access=fresh,
        result_code=result_code,
        result=result,
        goal_outcomes=goal_outcomes,
        handover_organisation=handover_organisation,
        handover=handover,
    )
    if errors:
        raise ValidationError(errors)
    outcomes: list[dict[str, Any]] = []
    for goal in (
        Goal.objects.filter(case=locked).select_related("life_domain").order_by("created_at", "id")
    ):
        outcome = goal_outcomes[str(goal.uuid)]
        plan_services.goal_update(viewer=viewer, access=fresh, goal=goal, status=outcome)
        outcomes.append(
            {
                "goal": str(goal.uuid),
                "life_domain": goal.life_domain.code,
                "life_domain_name": goal.life_domain.name,
                "outcome": outcome,
            }
        )
    closed = services.case_transition(
        viewer=viewer,
        access=fresh,
        to_phase=states.CLOSED,
        result_code=result_code,
        result=result,
        with_evaluation=True,
    )
    change = PhaseChange.objects.filter(case=closed, to_phase=states.CLOSED).latest("at", "id")
    evaluation = CaseEvaluation.objects.create(
        case=closed,
        municipality_id=closed.municipality_id,
        phase_change=change,
        result_code=result_code,
        goal_outcomes=outcomes,
        handover_organisation=handover_organisation,
        handover=(handover or "").strip(),
        user=viewer.user,
        username=viewer.user.username,
    )
    audit(
        actor=viewer.user,
        municipality_id=viewer.municipality_id,
        action="evaluate",
        obj=closed,
        changes={
            "result": result_code,
            "goals": [o["outcome"] for o in outcomes],
            "handover_organisation": handover_organisation.slug if handover_organisation else "",
        },
    )
    access.case.phase = closed.phase
    return evaluation


def latest_evaluation(case: Case) -> CaseEvaluation | None:
    """The evaluation of the current closure (None for an open case or a bare closure)."""
    if not case.is_closed:
        return None
    closing = PhaseChange.objects.filter(case=case, to_phase=states.CLOSED).order_by("-at", "-id")
    return (
        CaseEvaluation.objects.filter(case=case, phase_change=closing[:1])
        .select_related("handover_organisation")
        .first()
    )

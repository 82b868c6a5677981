"""Template filters for case pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

from wijkregie.cases.action_states import ACTION_STATUS_LABELS
from wijkregie.cases.states import PHASE_LABELS

register = template.Library()


@register.filter
def phase_label(value: Any) -> str:
    """The label of a case phase in the active language ('' stays '')."""
    if not value:
        return ""
    return str(PHASE_LABELS.get(str(value), value))


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """mapping[key] or None (per-row forms kept in a dict by primary key)."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def action_status_label(value: Any) -> str:
    if not value:
        return ""
    return str(ACTION_STATUS_LABELS.get(str(value), value))


PLAN_CHANGE_LABELS = {
    "goal_add": _("doel toegevoegd"),
    "goal_update": _("doel gewijzigd"),
    "action_add": _("actie toegevoegd"),
    "action_update": _("actie gewijzigd"),
    "action_status": _("status van een actie gewijzigd"),
}


@register.filter
def plan_change_label(value: Any) -> str:
    return str(PLAN_CHANGE_LABELS.get(str(value), value))


@register.simple_tag
def case_evaluation(case: Any) -> Any:
    """The evaluation of a closed case's current closure, or None (ADR 0020)."""
    from wijkregie.cases.closure import latest_evaluation

    return latest_evaluation(case)


@register.filter
def goal_outcome_label(value: Any) -> str:
    from wijkregie.cases.action_states import GOAL_STATUS_LABELS

    return str(GOAL_STATUS_LABELS.get(str(value), value))

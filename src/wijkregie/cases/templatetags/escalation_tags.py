"""The escalation history of an action (ADR 0019), for the action page. The page has done the
access check; analysts (pseudonymised) see the steps without the names of who was notified."""

from __future__ import annotations

from typing import Any

from django import template

from wijkregie.cases.models import EscalationStep

register = template.Library()


@register.inclusion_tag("cases/_escalation_history.html")
def escalation_history(action: Any, pseudonymised: bool) -> dict[str, Any]:
    steps = list(EscalationStep.objects.filter(action_id=action.pk).order_by("at", "level", "id"))
    return {"steps": steps, "pseudonymised": pseudonymised}

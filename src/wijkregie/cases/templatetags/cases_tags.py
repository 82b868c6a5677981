"""Template filters for case pages."""

from __future__ import annotations

from typing import Any

from django import template

from wijkregie.cases.states import PHASE_LABELS

register = template.Library()


@register.filter
def phase_label(value: Any) -> str:
    """The label of a case phase in the active language ('' stays '')."""
    if not value:
        return ""
    return str(PHASE_LABELS.get(str(value), value))

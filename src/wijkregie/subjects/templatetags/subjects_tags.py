"""Template helpers for subjects: a dict lookup and the subjects panel on a signal page."""

from __future__ import annotations

from typing import Any

from django import template

from wijkregie.subjects.access import may_attach
from wijkregie.subjects.forms import AttachForm
from wijkregie.subjects.selectors import signal_subjects

register = template.Library()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    if not mapping:
        return None
    return mapping.get(key)


@register.inclusion_tag("subjects/_signal_subjects.html", takes_context=True)
def signal_subjects_panel(context: Any, signal: Any) -> dict[str, Any]:
    """The subjects of a signal (pseudonyms only) and, for the owner's writers, the form to
    add one. The signal page has passed access_signal already."""
    viewer = context.get("viewer")
    if viewer is None or signal is None:
        return {"show": False}
    attach = may_attach(viewer, signal)
    return {
        "show": True,
        "signal": signal,
        "rows": signal_subjects(viewer=viewer, signal=signal),
        "form": AttachForm() if attach else None,
        "csrf_token": context.get("csrf_token"),
    }

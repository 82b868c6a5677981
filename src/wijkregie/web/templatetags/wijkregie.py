"""Template helpers: render form widgets with NL Design System (Utrecht) classes and ARIA."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.utils import timezone
from django.utils.safestring import SafeString

register = template.Library()

_CLASSES = {
    forms.Select: "utrecht-select utrecht-select--html-select",
    forms.Textarea: "utrecht-textarea utrecht-textarea--html-textarea",
    forms.CheckboxInput: "utrecht-checkbox utrecht-checkbox--html-input",
}


@register.simple_tag
def utrecht_widget(field: forms.BoundField) -> SafeString:
    widget = field.field.widget
    css = next(
        (c for cls, c in _CLASSES.items() if isinstance(widget, cls)),
        "utrecht-textbox utrecht-textbox--html-input",
    )
    attrs: dict[str, Any] = {"class": css}
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}-help")
    if field.errors:
        described.append(f"{field.auto_id}-error")
        attrs["aria-invalid"] = "true"
        attrs["class"] += " utrecht-textbox--invalid" if "textbox" in css else ""
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.field.required:
        attrs["required"] = True
    return field.as_widget(attrs=attrs)


@register.filter
def local_dt(value: Any) -> str:
    if value is None:
        return ""
    return timezone.localtime(value).strftime("%d-%m-%Y %H:%M")


@register.simple_tag(takes_context=True)
def query_with(context: Any, **kwargs: Any) -> str:
    """The current query string with some parameters replaced (filters stay in the URL)."""
    params = context["request"].GET.copy()
    for key, value in kwargs.items():
        params[key] = value
    return params.urlencode()

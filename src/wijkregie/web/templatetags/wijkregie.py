"""Template helpers: render form widgets with NL Design System (Utrecht) classes and ARIA."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.utils import timezone
from django.utils.safestring import SafeString

from wijkregie.signals.states import STATUS_LABELS

register = template.Library()

_CLASSES: list[tuple[type[forms.Widget], str, str]] = [
    (forms.Select, "utrecht-select utrecht-select--html-select", "utrecht-select--invalid"),
    (
        forms.Textarea,
        "utrecht-textarea utrecht-textarea--html-textarea",
        "utrecht-textarea--invalid",
    ),
    (forms.CheckboxInput, "utrecht-checkbox utrecht-checkbox--html-input", ""),
]
_TEXTBOX = ("utrecht-textbox utrecht-textbox--html-input", "utrecht-textbox--invalid")


@register.simple_tag
def utrecht_widget(field: forms.BoundField) -> SafeString:
    widget = field.field.widget
    css, invalid_css = next(
        ((c, i) for cls, c, i in _CLASSES if isinstance(widget, cls)),
        _TEXTBOX,
    )
    attrs: dict[str, Any] = {"class": css}
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}-help")
    if field.errors:
        described.append(f"{field.auto_id}-error")
        attrs["aria-invalid"] = "true"
        if invalid_css:
            attrs["class"] += f" {invalid_css}"
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


@register.filter
def status_label(value: Any) -> str:
    """The label of a signal status in the active language ('' stays '')."""
    if not value:
        return ""
    label = STATUS_LABELS.get(str(value))  # lazy: str() translates into the active language
    return str(label) if label else str(value)


@register.simple_tag(takes_context=True)
def query_with(context: Any, **kwargs: Any) -> str:
    """The current query string with some parameters replaced (filters stay in the URL)."""
    params = context["request"].GET.copy()
    for key, value in kwargs.items():
        params[key] = value
    return params.urlencode()

"""The request form of an area report: area and period, Dutch messages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wijkregie.documents.services import validate_period

DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y"]
Choices = Sequence[tuple[str, Sequence[tuple[str, str]]]]


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last 12 whole calendar months (inclusive dates): a year up to last month."""
    today = today or timezone.localdate()
    end = today.replace(day=1) - dt.timedelta(days=1)
    start = dt.date(end.year - 1, end.month, 1) + dt.timedelta(days=32)
    return start.replace(day=1), end


class AreaReportForm(forms.Form):
    area = forms.ChoiceField(
        label=_("Gebied"),
        error_messages={
            "required": _("Kies een gebied."),
            "invalid_choice": _("Kies een gebied uit de lijst."),
        },
    )
    start = forms.DateField(
        label=_("Van"),
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Vul de begindatum in."),
            "invalid": _("Vul een datum in als dd-mm-jjjj."),
        },
    )
    end = forms.DateField(
        label=_("Tot en met"),
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("De periode is hoogstens drie jaar."),
        error_messages={
            "required": _("Vul de einddatum in."),
            "invalid": _("Vul een datum in als dd-mm-jjjj."),
        },
    )

    def __init__(self, *args: Any, area_choices: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["area"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Kies een gebied")), *area_choices]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start is None or end is None:
            return data
        try:
            # The form's "tot en met" is inclusive; the report's end is exclusive.
            validate_period(start, end + dt.timedelta(days=1))
        except ValidationError as exc:
            for field, errors in exc.error_dict.items():
                for error in errors:
                    self.add_error(field, error)
        return data

    @property
    def end_exclusive(self) -> dt.date:
        return self.cleaned_data["end"] + dt.timedelta(days=1)

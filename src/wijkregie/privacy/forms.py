"""The privacy officer's search form for the access log (GET, works without JavaScript)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wijkregie.privacy.selectors import AccessLogFilters


class AccessLogSearchForm(forms.Form):
    pseudonym = forms.CharField(
        label=_("Pseudoniem van de betrokkene"),
        required=False,
        max_length=64,
        help_text=_("Bijvoorbeeld P-7F3K2Q."),
    )
    user = forms.CharField(label=_("Gebruikersnaam"), required=False, max_length=150)
    start = forms.DateField(
        label=_("Vanaf"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Vul een geldige datum in.")},
    )
    end = forms.DateField(
        label=_("Tot en met"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Vul een geldige datum in.")},
    )
    flagged = forms.BooleanField(label=_("Alleen gemarkeerde inzagen"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("De einddatum ligt voor de begindatum."))
        return data

    def filters(self) -> AccessLogFilters:
        """The filters of a valid form (an invalid form filters nothing out: empty filters)."""
        if not self.is_valid():
            return AccessLogFilters()
        data = self.cleaned_data
        return AccessLogFilters(
            pseudonym=data["pseudonym"].strip().upper(),
            username=data["user"].strip(),
            start=data["start"],
            end=data["end"],
            flagged=bool(data["flagged"]),
        )

"""The privacy officer's search form for the access log (GET, works without JavaScript)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wijkregie.privacy.models import ErasureMode, RequestKind, RequestStatus
from wijkregie.privacy.requests import SubjectQuery
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


# --- Data-subject requests (ADR 0017) ----------------------------------------------------------


class RequestForm(forms.Form):
    """Register a request: what kind, and who or which address it is about (one of three)."""

    kind = forms.ChoiceField(label=_("Soort verzoek"), choices=RequestKind.choices)
    received_on = forms.DateField(
        label=_("Ontvangen op"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "invalid": _("Vul een geldige datum in."),
            "required": _("Vul de datum in."),
        },
    )
    requester_reference = forms.CharField(
        label=_("Kenmerk in het zaaksysteem"),
        required=False,
        max_length=50,
        help_text=_("Waar de identiteit van de verzoeker en de correspondentie staan."),
    )
    pseudonym = forms.CharField(label=_("Pseudoniem"), required=False, max_length=12)
    bsn = forms.CharField(
        label=_("BSN"),
        required=False,
        max_length=11,
        help_text=_("Wordt niet bewaard: alleen gebruikt om de persoon te vinden."),
    )
    postcode = forms.CharField(label=_("Postcode"), required=False, max_length=7)
    huisnummer = forms.IntegerField(
        label=_("Huisnummer"),
        required=False,
        min_value=1,
        max_value=99999,
        error_messages={"invalid": _("Vul een huisnummer in.")},
    )
    huisletter = forms.CharField(label=_("Huisletter"), required=False, max_length=1)
    huisnummertoevoeging = forms.CharField(label=_("Toevoeging"), required=False, max_length=4)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given = [bool(data.get("pseudonym")), bool(data.get("bsn")), bool(data.get("postcode"))]
        if sum(given) != 1:
            raise forms.ValidationError(
                _("Vul precies één van deze in: pseudoniem, BSN of adres (postcode en huisnummer).")
            )
        if data.get("postcode") and not data.get("huisnummer"):
            self.add_error("huisnummer", _("Vul een huisnummer in."))
        return data

    def query(self) -> SubjectQuery:
        data = self.cleaned_data
        return SubjectQuery(
            pseudonym=data["pseudonym"].strip(),
            bsn=data["bsn"].strip(),
            postcode=data["postcode"].strip(),
            huisnummer=data["huisnummer"],
            huisletter=data["huisletter"].strip(),
            huisnummertoevoeging=data["huisnummertoevoeging"].strip(),
        )


class DecisionForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Besluit"),
        choices=[c for c in RequestStatus.choices if c[0] != RequestStatus.OPEN],
    )
    erasure_mode = forms.ChoiceField(
        label=_("Wijze van wissen (alleen bij wissing)"),
        choices=[("", "—"), *ErasureMode.choices],
        required=False,
    )
    reason = forms.CharField(
        label=_("Motivering"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Motiveer het besluit.")},
    )

    def clean_reason(self) -> str:
        reason = str(self.cleaned_data["reason"]).strip()
        if len(reason) < 10:
            raise forms.ValidationError(_("Motiveer het besluit in minstens 10 tekens."))
        return reason


class RectifyForm(forms.Form):
    record = forms.UUIDField(widget=forms.HiddenInput)
    given_names = forms.CharField(label=_("Voornamen"), required=False, max_length=200)
    surname_prefix = forms.CharField(label=_("Tussenvoegsel"), required=False, max_length=20)
    surname = forms.CharField(label=_("Achternaam"), required=False, max_length=200)
    birth_date = forms.DateField(
        label=_("Geboortedatum"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Vul een geldige datum in.")},
    )

"""The new-signal form; validation messages in Dutch. The service validates again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wijkregie.signals.models import (
    DESCRIPTION_MAX,
    Category,
    Confidentiality,
    HandlingCode,
    InfoReliability,
    SourceChannel,
    SourceReliability,
)
from wijkregie.tenants.models import Organisation

DUTCH_REQUIRED = {
    "required": _("Dit veld is verplicht."),
    "invalid": _("Vul een geldige waarde in."),
}


class SignalForm(forms.Form):
    owner_organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label=_("Namens organisatie"),
        error_messages=DUTCH_REQUIRED,
    )
    category = forms.ModelChoiceField(
        queryset=Category.objects.none(), label=_("Categorie"), error_messages=DUTCH_REQUIRED
    )
    observed_at = forms.DateTimeField(
        label=_("Waargenomen op"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d-%m-%Y %H:%M"],
        error_messages={
            "required": _("Dit veld is verplicht."),
            "invalid": _("Vul een datum en tijd in, bijvoorbeeld 31-12-2025 23:15."),
        },
    )
    description = forms.CharField(
        label=_("Omschrijving"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=DESCRIPTION_MAX,
        error_messages={
            "max_length": _("De omschrijving is te lang: maximaal %(limit_value)d tekens.")
        },
    )
    lat = forms.FloatField(
        label=_("Breedtegraad (WGS84)"),
        required=False,
        error_messages={"invalid": _("Vul een getal in.")},
    )
    lon = forms.FloatField(
        label=_("Lengtegraad (WGS84)"),
        required=False,
        error_messages={"invalid": _("Vul een getal in.")},
    )
    x = forms.FloatField(
        label=_("X (RD, meter)"), required=False, error_messages={"invalid": _("Vul een getal in.")}
    )
    y = forms.FloatField(
        label=_("Y (RD, meter)"), required=False, error_messages={"invalid": _("Vul een getal in.")}
    )
    postcode = forms.CharField(label=_("Postcode"), required=False, max_length=7)
    huisnummer = forms.IntegerField(
        label=_("Huisnummer"),
        required=False,
        error_messages={"invalid": _("Vul een heel getal in.")},
    )
    huisletter = forms.CharField(label=_("Huisletter"), required=False, max_length=1)
    huisnummertoevoeging = forms.CharField(label=_("Toevoeging"), required=False, max_length=4)
    neighbourhood = forms.ChoiceField(label=_("Buurt"), required=False)
    source_channel = forms.ChoiceField(
        label=_("Bron"), choices=SourceChannel.choices, initial=SourceChannel.PARTNER
    )
    source_reliability = forms.ChoiceField(
        label=_("Betrouwbaarheid van de bron"),
        choices=SourceReliability.choices,
        initial=SourceReliability.X,
    )
    info_reliability = forms.ChoiceField(
        label=_("Betrouwbaarheid van de informatie"),
        choices=InfoReliability.choices,
        initial=InfoReliability.I4,
    )
    handling_code = forms.ChoiceField(
        label=_("Behandelcode"), choices=HandlingCode.choices, initial=HandlingCode.H1
    )
    confidentiality = forms.ChoiceField(
        label=_("Vertrouwelijkheid"),
        choices=[("", _("Standaard van de categorie")), *Confidentiality.choices],
        required=False,
    )

    def __init__(
        self, *args: Any, organisations: Any, categories: Any, buurten: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_organisation"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["category"].queryset = categories  # type: ignore[attr-defined]
        self.fields["neighbourhood"].choices = [("", _("— kies een buurt —"))] + [  # type: ignore[attr-defined]
            (b.code, f"{b.name} ({b.code})") for b in buurten
        ]
        if not self.is_bound:
            self.initial.setdefault("observed_at", timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
            if organisations.count() == 1:
                self.initial.setdefault("owner_organisation", organisations.first())


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Nieuwe status"), choices=[])
    note = forms.CharField(
        label=_("Toelichting"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = choices  # type: ignore[attr-defined]

"""Forms for subjects: attach to a signal, merge, unmerge, split a record, open for
screening, reveal, decide on a relink proposal."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wijkregie.subjects.access import PURPOSES
from wijkregie.subjects.models import PlaceKind, SignalRole
from wijkregie.subjects.services import REASON_MAX, REASON_MIN

ATTACH_KINDS = [
    ("address", _("Adres")),
    ("household", _("Huishouden op een adres")),
    ("person", _("Persoon")),
    ("group", _("Groep")),
    ("location", _("Locatie zonder adres (plein, park, portiek)")),
    ("existing", _("Bestaande betrokkene (pseudoniem)")),
]

PURPOSE_LABELS = {
    "signaalbehandeling": _("Behandeling van een signaal"),
    "screening": _("Screening (multi-domein)"),
    "casusregie": _("Casusregie"),
}


class AttachForm(forms.Form):
    kind = forms.ChoiceField(label=_("Soort betrokkene"), choices=ATTACH_KINDS)
    role = forms.ChoiceField(label=_("Rol bij dit signaal"), choices=SignalRole.choices)
    postcode = forms.CharField(label=_("Postcode"), max_length=7, required=False)
    huisnummer = forms.IntegerField(
        label=_("Huisnummer"),
        required=False,
        min_value=1,
        max_value=99999,
        error_messages={"invalid": _("Vul een huisnummer in tussen 1 en 99999.")},
    )
    huisletter = forms.CharField(label=_("Huisletter"), max_length=1, required=False)
    huisnummertoevoeging = forms.CharField(label=_("Toevoeging"), max_length=4, required=False)
    bsn = forms.CharField(
        label=_("BSN"),
        max_length=11,
        required=False,
        help_text=_("Wordt alleen als sleutel-pseudoniem bewaard, nooit leesbaar."),
    )
    given_names = forms.CharField(label=_("Voornamen"), max_length=200, required=False)
    surname_prefix = forms.CharField(label=_("Tussenvoegsel"), max_length=20, required=False)
    surname = forms.CharField(label=_("Achternaam"), max_length=200, required=False)
    birth_date = forms.DateField(
        label=_("Geboortedatum"),
        required=False,
        input_formats=["%d-%m-%Y", "%Y-%m-%d"],
        help_text=_("Bijvoorbeeld 31-12-1990."),
        error_messages={"invalid": _("Vul een datum in als dd-mm-jjjj.")},
    )
    name = forms.CharField(label=_("Naam van de groep of plaats"), max_length=200, required=False)
    place_kind = forms.ChoiceField(
        label=_("Soort plaats"), choices=PlaceKind.choices, required=False
    )
    pseudonym = forms.CharField(
        label=_("Pseudoniem van een bestaande betrokkene"),
        max_length=12,
        required=False,
        help_text=_("Bijvoorbeeld P-7F3K2Q."),
    )


REASON_ERRORS = {
    "required": _("Geef een reden van ten minste 10 tekens."),
    "min_length": _("Geef een reden van ten minste 10 tekens."),
    "max_length": _("De reden is te lang: maximaal 500 tekens."),
}


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reden"),
        min_length=REASON_MIN,
        max_length=REASON_MAX,
        error_messages=REASON_ERRORS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Verplicht; komt in de geschiedenis van de betrokkene."),
    )


class MergeForm(ReasonForm):
    into = forms.CharField(
        label=_("Samenvoegen met (pseudoniem)"),
        max_length=12,
        help_text=_("Bijvoorbeeld P-7F3K2Q."),
    )

    field_order = ["into", "reason"]


class MemberForm(forms.Form):
    person = forms.CharField(
        label=_("Lid toevoegen (pseudoniem van een persoon)"),
        max_length=12,
        help_text=_("Bijvoorbeeld P-7F3K2Q."),
    )


class RevealForm(forms.Form):
    purpose = forms.ChoiceField(
        label=_("Doel van de inzage"),
        choices=[(p, PURPOSE_LABELS[p]) for p in PURPOSES],
    )


class SplitForm(ReasonForm):
    """Move one record off this person: to another person (pseudonym) or to a new one."""

    record = forms.ChoiceField(
        label=_("Registratie"),
        error_messages={"invalid_choice": _("Kies een registratie van deze persoon.")},
    )
    into = forms.CharField(
        label=_("Naar persoon (pseudoniem)"),
        max_length=12,
        required=False,
        help_text=_("Laat leeg om een nieuwe persoon te maken. Bijvoorbeeld P-7F3K2Q."),
    )

    field_order = ["record", "into", "reason"]

    def __init__(self, *args: Any, records: list[tuple[str, str]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["record"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = records or []


DECISIONS = [("accept", _("Accepteren")), ("reject", _("Afwijzen"))]


class ProposalDecisionForm(ReasonForm):
    decision = forms.ChoiceField(
        label=_("Besluit"),
        choices=DECISIONS,
        error_messages={"invalid_choice": _("Kies accepteren of afwijzen.")},
    )

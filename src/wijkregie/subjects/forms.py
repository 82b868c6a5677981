"""Forms for subjects: attach to a signal, merge, unmerge, open for screening, reveal."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from wijkregie.subjects.access import PURPOSES
from wijkregie.subjects.models import PlaceKind, SignalRole
from wijkregie.subjects.services import REASON_MAX

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


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reden"),
        max_length=REASON_MAX,
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

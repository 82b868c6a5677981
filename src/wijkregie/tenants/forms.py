"""Forms of the token pages; messages in Dutch."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from wijkregie.tenants.services import TOKEN_NAME_MAX


class OrganisationTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Naam"),
        max_length=TOKEN_NAME_MAX,
        help_text=_("Waarvoor het token dient, bijvoorbeeld de naam van het bronsysteem."),
        error_messages={
            "required": _("Geef het token een naam."),
            "max_length": _("De naam is te lang: maximaal %(limit_value)d tekens."),
        },
    )

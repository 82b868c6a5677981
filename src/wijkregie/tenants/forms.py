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


class TotpCodeForm(forms.Form):
    """The six-digit code of the authenticator app (second login step, set-up)."""

    code = forms.CharField(
        label=_("Code uit de authenticator-app"),
        max_length=10,
        help_text=_("De zes cijfers die de app nu toont."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "spellcheck": "false",
            }
        ),
        error_messages={"required": _("Vul de code uit de app in.")},
    )

    def clean_code(self) -> str:
        code = str(self.cleaned_data["code"]).replace(" ", "").strip()
        if len(code) != 6 or not code.isdigit():
            raise forms.ValidationError(_("Een code bestaat uit zes cijfers."))
        return code

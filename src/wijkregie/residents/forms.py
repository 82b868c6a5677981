"""The steps of the public report form. Domain rules live in services; forms parse input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from wijkregie.residents import codes
from wijkregie.signals.models import DESCRIPTION_MAX


def _number(text: str) -> float | None:
    text = (text or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise ValidationError(_("Vul een getal in, bijvoorbeeld 52,15."), code="invalid") from None


class CategoryForm(forms.Form):
    category = forms.ChoiceField(
        label=_("Waar gaat uw melding over?"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Kies waar uw melding over gaat."),
            "invalid_choice": _("Kies een van de onderwerpen uit de lijst."),
        },
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = choices  # type: ignore[attr-defined]


class LocationMode:
    ADDRESS = "adres"
    MAP = "kaart"


class LocationForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("Hoe wilt u de plek aangeven?"),
        choices=[
            (LocationMode.MAP, _("Op de kaart of met mijn huidige locatie")),
            (LocationMode.ADDRESS, _("Met een adres")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Kies hoe u de plek wilt aangeven.")},
    )
    lat = forms.CharField(label=_("Breedtegraad"), required=False, max_length=20)
    lon = forms.CharField(label=_("Lengtegraad"), required=False, max_length=20)
    postcode = forms.CharField(label=_("Postcode"), required=False, max_length=7)
    huisnummer = forms.CharField(label=_("Huisnummer"), required=False, max_length=5)
    huisletter = forms.CharField(label=_("Huisletter"), required=False, max_length=1)
    huisnummertoevoeging = forms.CharField(label=_("Toevoeging"), required=False, max_length=4)

    def clean_lat(self) -> float | None:
        return _number(self.cleaned_data.get("lat", ""))

    def clean_lon(self) -> float | None:
        return _number(self.cleaned_data.get("lon", ""))

    def clean_huisnummer(self) -> int | None:
        text = (self.cleaned_data.get("huisnummer") or "").strip()
        if not text:
            return None
        if not text.isdigit():
            raise ValidationError(_("Vul alleen het nummer in, bijvoorbeeld 12."), code="invalid")
        return int(text)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        mode = data.get("mode")
        point_missing = data.get("lat") is None or data.get("lon") is None
        point_unparsed = "lat" in self.errors or "lon" in self.errors
        if mode == LocationMode.MAP and point_missing and not point_unparsed:
            self.add_error(
                "lat",
                ValidationError(
                    _("Wijs de plek aan op de kaart, of gebruik uw huidige locatie."),
                    code="required",
                ),
            )
        if mode == LocationMode.ADDRESS:
            if not (data.get("postcode") or "").strip() and "postcode" not in self.errors:
                self.add_error(
                    "postcode", ValidationError(_("Vul de postcode in."), code="required")
                )
            if data.get("huisnummer") is None and "huisnummer" not in self.errors:
                self.add_error(
                    "huisnummer", ValidationError(_("Vul het huisnummer in."), code="required")
                )
        return data


class DescriptionForm(forms.Form):
    description = forms.CharField(
        label=_("Wat is er aan de hand?"),
        help_text=_(
            "Beschrijf wat u ziet of merkt, en wanneer. Noem geen namen of andere "
            "gegevens van mensen. Maximaal 2000 tekens."
        ),
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": DESCRIPTION_MAX}),
        max_length=DESCRIPTION_MAX,
        error_messages={
            "required": _("Beschrijf wat er aan de hand is."),
            "max_length": _("Uw beschrijving is te lang: gebruik maximaal 2000 tekens."),
        },
    )
    photo = forms.FileField(
        label=_("Foto"),
        required=False,
        help_text=_(
            "Een foto in JPEG- of PNG-formaat, maximaal 10 MB. Wij verwijderen de "
            "locatie en andere gegevens die uw telefoon in de foto opslaat."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )
    remove_photo = forms.BooleanField(label=_("Foto verwijderen"), required=False)


class ContactForm(forms.Form):
    email = forms.CharField(
        label=_("E-mailadres"),
        required=False,
        max_length=254,
        help_text=_("Alleen als u bericht wilt krijgen als de status van uw melding verandert."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"max_length": _("Dit e-mailadres is te lang.")},
    )


class SubmitForm(forms.Form):
    # Honeypot: hidden from people (CSS, aria-hidden, no tab stop); bots fill in every field.
    website = forms.CharField(
        label=_("Laat dit veld leeg"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )


class StatusLookupForm(forms.Form):
    code = forms.CharField(
        label=_("Volgcode"),
        max_length=20,
        help_text=_(
            "De code die u kreeg na het versturen van uw melding, bijvoorbeeld K7QM-4RXP-2W."
        ),
        error_messages={"required": _("Vul uw volgcode in.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_code(self) -> str:
        code = codes.normalise(self.cleaned_data["code"])
        if code is None:
            raise ValidationError(
                _("Een volgcode heeft 10 letters en cijfers, bijvoorbeeld K7QM-4RXP-2W."),
                code="invalid",
            )
        return code

"""The new-signal and status forms; validation messages in Dutch. The service validates again.

The form checks everything it can know without touching signals (types, lengths, choices,
dates, coordinates inside the Netherlands, a complete address), so that a user gets every
message at once; the service keeps the same rules as the last line of defence.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from wijkregie.areas.models import Neighbourhood
from wijkregie.lib import dutch, geo
from wijkregie.signals.models import (
    DESCRIPTION_MAX,
    Category,
    Confidentiality,
    HandlingCode,
    InfoReliability,
    SourceChannel,
    SourceReliability,
)
from wijkregie.tenants.access import Viewer
from wijkregie.tenants.models import Organisation

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Clocks differ a little between devices; the service accepts the same 5 minutes.
FUTURE_TOLERANCE = dt.timedelta(minutes=5)
NOTE_MAX = 500
# Outcomes of the point and address checks.
ABSENT, PRESENT, ERROR = "absent", "present", "error"

REQUIRED = _("Dit veld is verplicht.")
NUMBER = _("Vul een getal in, bijvoorbeeld 52,1551.")


def choice_errors(invalid: StrOrPromise) -> dict[str, StrOrPromise]:
    return {"required": REQUIRED, "invalid_choice": invalid, "invalid": invalid}


def lazy_format(message: StrOrPromise, **params: Any) -> StrOrPromise:
    """%-format a lazy message when it is shown, in the language active at that moment."""
    return lazy(lambda: str(message) % params, str)()


class WallClockDateTimeField(forms.DateTimeField):
    """A date and time as read from a clock in the current time zone (Europe/Amsterdam).

    Django refuses the two daylight-saving edges outright. Here the hour that occurs twice
    when summer time ends (02:00-03:00 on the last Sunday of October) means its first pass,
    in summer time, so a night shift can still record what it saw; the hour skipped when
    summer time starts does not exist and gets a Dutch message that says why.
    """

    def to_python(self, value: Any) -> dt.datetime | None:
        try:
            return super().to_python(value)
        except forms.ValidationError as exc:
            if getattr(exc, "code", None) != "ambiguous_timezone" or not exc.params:
                raise
            naive = exc.params["datetime"]
        zone = timezone.get_current_timezone()
        aware = naive.replace(tzinfo=zone)  # fold=0: the first of a repeated hour
        if aware.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) != naive:
            raise forms.ValidationError(
                _(
                    "%(time)s bestaat niet: in die nacht gaat de klok van 02:00 naar 03:00 "
                    "(zomertijd). Kies een tijd voor 02:00 of vanaf 03:00."
                ),
                code="nonexistent_time",
                params={"time": naive.strftime("%d-%m-%Y %H:%M")},
            ) from None
        return aware


class CoordinateField(forms.FloatField):
    """A number typed the Dutch way (52,1551) or the international way (52.1551)."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
    default_error_messages = {"invalid": NUMBER}

    def to_python(self, value: Any) -> float | None:  # type: ignore[override]
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        return super().to_python(value)


class SignalForm(forms.Form):
    owner_organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label=_("Namens organisatie"),
        empty_label=_("— kies een organisatie —"),
        error_messages=choice_errors(_("Kies een organisatie waarvoor u signalen registreert.")),
    )
    category = forms.ModelChoiceField(
        queryset=Category.objects.none(),
        label=_("Categorie"),
        empty_label=_("— kies een categorie —"),
        error_messages=choice_errors(_("Kies een bestaande categorie uit de lijst.")),
    )
    observed_at = WallClockDateTimeField(
        label=_("Waargenomen op"),
        help_text=_("Datum en tijd van de waarneming, niet later dan nu."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%d-%m-%Y %H:%M"],
        error_messages={
            "required": REQUIRED,
            "invalid": _("Vul een datum en tijd in, bijvoorbeeld 31-12-2025 23:15."),
        },
    )
    description = forms.CharField(
        label=_("Omschrijving"),
        required=False,
        help_text=lazy_format(
            _("Feitelijk en zonder namen; maximaal %(max)d tekens."), max=DESCRIPTION_MAX
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=DESCRIPTION_MAX,
        error_messages={
            "max_length": _(
                "De omschrijving is te lang: maximaal %(limit_value)d tekens (nu %(show_value)d)."
            ),
            "null_characters_not_allowed": _("De omschrijving bevat ongeldige tekens."),
        },
    )
    lat = CoordinateField(label=_("Breedtegraad (WGS84)"), required=False)
    lon = CoordinateField(label=_("Lengtegraad (WGS84)"), required=False)
    x = CoordinateField(label=_("X (RD, meter)"), required=False)
    y = CoordinateField(label=_("Y (RD, meter)"), required=False)
    postcode = forms.CharField(
        label=_("Postcode"),
        required=False,
        max_length=7,
        error_messages={"max_length": _("Een postcode is hoogstens %(limit_value)d tekens.")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    huisnummer = forms.IntegerField(
        label=_("Huisnummer"),
        required=False,
        error_messages={"invalid": _("Vul een heel getal in.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    huisletter = forms.CharField(
        label=_("Huisletter"),
        required=False,
        max_length=1,
        error_messages={"max_length": _("Een huisletter is één letter.")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    huisnummertoevoeging = forms.CharField(
        label=_("Toevoeging"),
        required=False,
        max_length=4,
        error_messages={"max_length": _("Een toevoeging is 1 tot 4 letters of cijfers.")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    neighbourhood = forms.ChoiceField(
        label=_("Buurt"),
        required=False,
        error_messages=choice_errors(_("Kies een buurt uit de lijst.")),
    )
    source_channel = forms.ChoiceField(
        label=_("Bron"),
        choices=SourceChannel.choices,
        initial=SourceChannel.PARTNER,
        error_messages=choice_errors(_("Kies een bron uit de lijst.")),
    )
    source_reliability = forms.ChoiceField(
        label=_("Betrouwbaarheid van de bron"),
        choices=SourceReliability.choices,
        initial=SourceReliability.X,
        error_messages=choice_errors(_("Kies een betrouwbaarheid uit de lijst.")),
    )
    info_reliability = forms.ChoiceField(
        label=_("Betrouwbaarheid van de informatie"),
        choices=InfoReliability.choices,
        initial=InfoReliability.I4,
        error_messages=choice_errors(_("Kies een betrouwbaarheid uit de lijst.")),
    )
    handling_code = forms.ChoiceField(
        label=_("Behandelcode"),
        choices=HandlingCode.choices,
        initial=HandlingCode.H1,
        error_messages=choice_errors(_("Kies een behandelcode uit de lijst.")),
    )
    confidentiality = forms.ChoiceField(
        label=_("Vertrouwelijkheid"),
        choices=[("", _("Standaard van de categorie")), *Confidentiality.choices],
        required=False,
        error_messages=choice_errors(_("Kies een vertrouwelijkheid uit de lijst.")),
    )

    def __init__(
        self,
        *args: Any,
        viewer: Viewer,
        categories: QuerySet[Category],
        buurten: QuerySet[Neighbourhood],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # Choices, not signals: the organisations this viewer may register for.
        organisations = Organisation.objects.filter(pk__in=viewer.writer_organisation_ids).order_by(
            "name"
        )
        self.fields["owner_organisation"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["category"].queryset = categories  # type: ignore[attr-defined]
        self.fields["neighbourhood"].choices = [("", _("— kies een buurt —"))] + [  # type: ignore[attr-defined]
            (b.code, f"{b.name} ({b.code})") for b in buurten
        ]
        if not self.is_bound:
            self.initial.setdefault("observed_at", timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
            if len(organisations) == 1:
                self.initial.setdefault("owner_organisation", organisations[0])

    def clean_observed_at(self) -> dt.datetime:
        value: dt.datetime = self.cleaned_data["observed_at"]
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        if value > timezone.now() + FUTURE_TOLERANCE:
            raise forms.ValidationError(
                _("De waarneming kan niet in de toekomst liggen."), code="future"
            )
        return value

    def clean_postcode(self) -> str:
        raw: str = self.cleaned_data.get("postcode") or ""
        if not raw.strip():
            return ""
        normalised = dutch.normalise_postcode(raw)
        if normalised is None:
            raise forms.ValidationError(
                _("Vul een geldige postcode in, bijvoorbeeld 1234 AB."), code="postcode"
            )
        return normalised

    def clean_huisnummer(self) -> int | None:
        value: int | None = self.cleaned_data.get("huisnummer")
        if value is not None and not 0 < value <= 99999:
            raise forms.ValidationError(
                _("Vul een huisnummer in tussen 1 en 99999."), code="huisnummer"
            )
        return value

    def clean_huisletter(self) -> str:
        value: str = self.cleaned_data.get("huisletter") or ""
        if value and not dutch.HUISLETTER_RE.match(value):
            raise forms.ValidationError(_("Een huisletter is één letter."), code="huisletter")
        return value.upper()

    def clean_huisnummertoevoeging(self) -> str:
        value: str = self.cleaned_data.get("huisnummertoevoeging") or ""
        if value and not dutch.TOEVOEGING_RE.match(value):
            raise forms.ValidationError(
                _("Een toevoeging is 1 tot 4 letters of cijfers."), code="toevoeging"
            )
        return value.upper()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        location_fields = {"lat", "lon", "x", "y", "postcode", "huisnummer", "neighbourhood"}
        if location_fields & set(self.errors):
            return data  # the field messages say enough
        point = self._check_point(data)
        address = self._check_address(data)
        if ERROR in (point, address):
            return data
        if point is ABSENT and address is ABSENT and not data.get("neighbourhood"):
            self.add_error(
                None,
                _(
                    "Geef een locatie op: klik op de kaart, vul coördinaten of een adres in, "
                    "of kies een buurt."
                ),
            )
        elif address is PRESENT and point is ABSENT and not data.get("neighbourhood"):
            self.add_error("neighbourhood", _("Kies de buurt van dit adres."))
        return data

    def _check_point(self, data: dict[str, Any]) -> str:
        lat, lon, x, y = (data.get(k) for k in ("lat", "lon", "x", "y"))
        if lat is not None or lon is not None:
            if lat is None or lon is None:
                missing = "lat" if lat is None else "lon"
                self.add_error(missing, _("Vul zowel de breedtegraad als de lengtegraad in."))
                return ERROR
            if not geo.in_netherlands_wgs84(lat, lon):
                self.add_error(
                    "lat",
                    _(
                        "Deze locatie ligt buiten Nederland. De breedtegraad ligt tussen "
                        "50,7 en 53,7 en de lengtegraad tussen 3,2 en 7,3."
                    ),
                )
                return ERROR
            return PRESENT
        if x is not None or y is not None:
            if x is None or y is None:
                self.add_error("x" if x is None else "y", _("Vul zowel X als Y (RD) in."))
                return ERROR
            inside = geo.in_netherlands_rd(x, y)
            if inside:
                point = geo.point_from_rd(x, y)
                inside = geo.in_netherlands_wgs84(point.lat, point.lon)
            if not inside:
                self.add_error("x", _("Deze RD-coördinaten liggen buiten Nederland."))
                return ERROR
            return PRESENT
        return ABSENT

    def _check_address(self, data: dict[str, Any]) -> str:
        postcode, number = data.get("postcode"), data.get("huisnummer")
        extra = data.get("huisletter") or data.get("huisnummertoevoeging")
        if not postcode and number is None and not extra:
            return ABSENT
        if not postcode:
            self.add_error("postcode", _("Vul ook de postcode in."))
            return ERROR
        if number is None:
            self.add_error("huisnummer", _("Vul ook het huisnummer in."))
            return ERROR
        return PRESENT


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Nieuwe status"),
        choices=[],
        error_messages=choice_errors(_("Kies een geldige status.")),
    )
    note = forms.CharField(
        label=_("Toelichting"),
        help_text=lazy_format(_("Verplicht bij heropenen; maximaal %(max)d tekens."), max=NOTE_MAX),
        required=False,
        max_length=NOTE_MAX,
        error_messages={
            "max_length": _(
                "De toelichting is te lang: maximaal %(limit_value)d tekens (nu %(show_value)d)."
            )
        },
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = choices  # type: ignore[attr-defined]


class StreetObservationForm(forms.Form):
    """A quick observation on a phone: category, note, location, optional photo.

    Parsing only (types, lengths, choices); the domain rules (a location inside the
    municipality, not in the future, an organisation the user works for) are checked by
    `services.check_new_signal`, and the photo by `services.attachment_add`.
    """

    owner_organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label=_("Namens organisatie"),
        empty_label=_("— kies een organisatie —"),
        error_messages=choice_errors(_("Kies een organisatie waarvoor u signalen registreert.")),
    )
    category = forms.TypedChoiceField(
        label=_("Categorie"),
        coerce=int,
        error_messages=choice_errors(_("Kies een bestaande categorie uit de lijst.")),
    )
    description = forms.CharField(
        label=_("Korte notitie"),
        required=False,
        help_text=lazy_format(
            _("Wat ziet u? Feitelijk en zonder namen; maximaal %(max)d tekens."), max=NOTE_MAX
        ),
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": NOTE_MAX}),
        max_length=NOTE_MAX,
        error_messages={
            "max_length": _(
                "De notitie is te lang: maximaal %(limit_value)d tekens (nu %(show_value)d)."
            ),
            "null_characters_not_allowed": _("De notitie bevat ongeldige tekens."),
        },
    )
    lat = CoordinateField(label=_("Breedtegraad (WGS84)"), required=False)
    lon = CoordinateField(label=_("Lengtegraad (WGS84)"), required=False)
    photo = forms.FileField(
        label=_("Foto"),
        required=False,
        help_text=_("JPEG of PNG. Locatiegegevens in de foto worden verwijderd."),
        widget=forms.FileInput(attrs={"accept": "image/*", "capture": "environment"}),
        error_messages={
            "invalid": _("Dit bestand is geen foto in JPEG- of PNG-formaat."),
            "empty": _("Het gekozen bestand is leeg."),
        },
    )
    observed_at = WallClockDateTimeField(
        label=_("Waargenomen op"),
        help_text=_("Standaard nu. Pas aan als u het eerder zag."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%d-%m-%Y %H:%M"],
        error_messages={
            "required": REQUIRED,
            "invalid": _("Vul een datum en tijd in, bijvoorbeeld 31-12-2025 23:15."),
        },
    )

    def __init__(
        self,
        *args: Any,
        organisations: list[Organisation],
        frequent: list[Category],
        categories: list[Category],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if len(organisations) > 1:
            self.fields["owner_organisation"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
                pk__in=[o.pk for o in organisations]
            ).order_by("name")
        else:
            # One organisation: nothing to choose, the observation is registered for it.
            del self.fields["owner_organisation"]
        self.categories = {c.pk: c for c in categories}
        options: list[Any] = [("", _("— kies een categorie —"))]
        if frequent:
            options.append(
                (_("Vaak door u gebruikt"), [(c.pk, str(c)) for c in frequent]),
            )
            options.append((_("Alle categorieën"), [(c.pk, str(c)) for c in categories]))
        else:
            options.extend((c.pk, str(c)) for c in categories)
        self.fields["category"].choices = options  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial.setdefault("observed_at", timezone.localtime().strftime("%Y-%m-%dT%H:%M"))

    @property
    def has_owner_choice(self) -> bool:
        return "owner_organisation" in self.fields

    def clean_category(self) -> Category:
        return self.categories[self.cleaned_data["category"]]


HINT_RADIUS_MAX = 1000
HINT_DAYS_MAX = 365


class DuplicateHintForm(forms.Form):
    """How far and how long around a signal to look for duplicates (GET, in the URL)."""

    radius = forms.IntegerField(
        label=_("Afstand in meters"),
        min_value=1,
        max_value=HINT_RADIUS_MAX,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": REQUIRED,
            "invalid": _("Vul een heel getal in."),
            "min_value": _("Vul een afstand in van minstens %(limit_value)s meter."),
            "max_value": _("Vul een afstand in van hoogstens %(limit_value)s meter."),
        },
    )
    days = forms.IntegerField(
        label=_("Dagen ervoor en erna"),
        min_value=1,
        max_value=HINT_DAYS_MAX,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": REQUIRED,
            "invalid": _("Vul een heel getal in."),
            "min_value": _("Vul minstens %(limit_value)s dag in."),
            "max_value": _("Vul hoogstens %(limit_value)s dagen in."),
        },
    )

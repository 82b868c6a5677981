"""Forms of the learning circle (Dutch labels and messages; they work without JavaScript)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wijkregie.learning.models import (
    ACTION_TEXT_MAX,
    ActionStatus,
    AreaType,
    CardStatus,
    SessionKind,
)


class CardFilterForm(forms.Form):
    q = forms.CharField(label=_("Zoeken"), required=False, max_length=100)
    domain = forms.ChoiceField(label=_("Leefgebied"), required=False)
    area_type = forms.ChoiceField(
        label=_("Soort gebied"),
        required=False,
        choices=[("", _("Alle soorten")), *list(AreaType.choices)],
    )
    source = forms.ChoiceField(label=_("Gemeente"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Alle statussen")), *list(CardStatus.choices)],
    )
    with_effect = forms.BooleanField(label=_("Alleen met gemeten effect"), required=False)

    def __init__(self, *args: Any, domains: list[str], sources: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["domain"].choices = [("", _("Alle leefgebieden"))] + [(d, d) for d in domains]  # type: ignore[attr-defined]
        self.fields["source"].choices = [("", _("Alle gemeenten"))] + [(s, s) for s in sources]  # type: ignore[attr-defined]


class CardForm(forms.Form):
    title = forms.CharField(label=_("Titel"), max_length=200)
    problem = forms.CharField(label=_("Aangepakt probleem"), widget=forms.Textarea, max_length=4000)
    approach = forms.CharField(label=_("Aanpak"), widget=forms.Textarea, max_length=4000)
    life_domains = forms.MultipleChoiceField(
        label=_("Leefgebieden"), required=False, widget=forms.CheckboxSelectMultiple
    )
    partners = forms.CharField(
        label=_("Partners"), required=False, widget=forms.Textarea, max_length=1000
    )
    effort = forms.CharField(
        label=_("Inzet (mensen en tijd)"), required=False, widget=forms.Textarea, max_length=1000
    )
    cost_eur = forms.IntegerField(label=_("Kosten in euro"), required=False, min_value=0)
    area_type = forms.ChoiceField(label=_("Soort gebied"), choices=AreaType.choices)
    period_start = forms.DateField(
        label=_("Begin"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    period_end = forms.DateField(
        label=_("Einde"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    lessons = forms.CharField(
        label=_("Geleerde lessen"), required=False, widget=forms.Textarea, max_length=4000
    )
    contact_organisation = forms.CharField(label=_("Contactorganisatie"), max_length=200)
    focus_areas = forms.MultipleChoiceField(
        label=_("Focusgebieden"), required=False, widget=forms.CheckboxSelectMultiple
    )
    cases = forms.MultipleChoiceField(
        label=_("Casussen"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Alleen casussen waaraan u deelneemt. Alleen deelnemers aan een casus zien de "
            "koppeling; andere gemeenten en exports nooit."
        ),
        error_messages={"invalid_choice": _("Kies alleen casussen waaraan u deelneemt.")},
    )

    def __init__(
        self,
        *args: Any,
        domains: list[str],
        focus_areas: list[tuple[str, str]],
        cases: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["life_domains"].choices = [(d, d) for d in domains]  # type: ignore[attr-defined]
        self.fields["focus_areas"].choices = focus_areas  # type: ignore[attr-defined]
        if cases is None:
            del self.fields["cases"]  # pseudonymised viewers, or no cases to link
        else:
            self.fields["cases"].choices = cases  # type: ignore[attr-defined]


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Besluit"),
        choices=[("publish", _("Publiceren")), ("reject", _("Terugsturen"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Toelichting"), required=False, widget=forms.Textarea, max_length=1000
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("JSON-bestand met praktijkkaarten"))


def _month(value: str) -> dt.date:
    year, month = value.split("-")
    return dt.date(int(year), int(month), 1)


class EffectForm(forms.Form):
    focus_area = forms.ChoiceField(label=_("Focusgebied"))
    categories = forms.MultipleChoiceField(
        label=_("Categorieën"), widget=forms.CheckboxSelectMultiple
    )
    start = forms.CharField(
        label=_("Start van de interventie (maand)"),
        help_text=_("Als JJJJ-MM, bijvoorbeeld 2025-03."),
        max_length=7,
    )

    def __init__(
        self,
        *args: Any,
        focus_areas: list[tuple[str, str]],
        categories: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["focus_area"].choices = focus_areas  # type: ignore[attr-defined]
        self.fields["categories"].choices = categories  # type: ignore[attr-defined]

    def clean_start(self) -> dt.date:
        raw = self.cleaned_data["start"].strip()
        try:
            month = _month(raw)
        except ValueError:
            raise forms.ValidationError(_("Gebruik een maand als JJJJ-MM.")) from None
        if month.year < 2000:
            raise forms.ValidationError(_("Gebruik een maand als JJJJ-MM."))
        return month


class StoreEffectForm(forms.Form):
    card = forms.ChoiceField(label=_("Praktijkkaart"))

    def __init__(self, *args: Any, cards: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["card"].choices = cards  # type: ignore[attr-defined]


# --- meetings --------------------------------------------------------------------------------


class MeetingForm(forms.Form):
    circle = forms.CharField(
        label=_("Leerkring"),
        max_length=200,
        error_messages={"required": _("Vul de naam van de leerkring in.")},
    )
    number = forms.IntegerField(
        label=_("Nummer van de bijeenkomst"), required=False, min_value=1, max_value=32767
    )
    date = forms.DateField(
        label=_("Datum"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Vul de datum van de bijeenkomst in."),
            "invalid": _("Gebruik een datum als JJJJ-MM-DD."),
        },
    )
    theme = forms.CharField(
        label=_("Thema"),
        max_length=300,
        error_messages={"required": _("Vul het thema van de bijeenkomst in.")},
    )
    plenary = forms.CharField(
        label=_("Plenair programma"), required=False, widget=forms.Textarea, max_length=4000
    )
    participants = forms.CharField(
        label=_("Deelnemende gemeenten"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Eén gemeente per regel."),
        max_length=10000,
    )
    questions = forms.CharField(
        label=_("Vragen"), required=False, widget=forms.Textarea, max_length=4000
    )
    agreements = forms.CharField(
        label=_("Afspraken"), required=False, widget=forms.Textarea, max_length=4000
    )
    takeaways = forms.CharField(
        label=_("Opbrengst"), required=False, widget=forms.Textarea, max_length=4000
    )
    cards = forms.MultipleChoiceField(
        label=_("Besproken praktijkkaarten"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Kies praktijkkaarten die u mag zien.")},
    )

    def __init__(self, *args: Any, cards: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cards"].choices = cards  # type: ignore[attr-defined]

    def clean_participants(self) -> list[str]:
        names: list[str] = []
        for line in self.cleaned_data["participants"].splitlines():
            name = line.strip()
            if len(name) > 100:
                raise forms.ValidationError(_("Een gemeentenaam is hoogstens 100 tekens."))
            if name and name not in names:
                names.append(name)
        return names


class SessionForm(forms.Form):
    """One session row; an untouched empty row is ignored (the formset's extra rows)."""

    kind = forms.ChoiceField(label=_("Soort"), choices=SessionKind.choices, initial=SessionKind.SUB)
    # Required in a filled-in row; an untouched extra row is skipped (empty_permitted).
    title = forms.CharField(
        label=_("Titel"),
        max_length=300,
        error_messages={"required": _("Geef de sessie een titel.")},
    )
    facilitators = forms.CharField(label=_("Begeleiding"), required=False, max_length=500)
    summary = forms.CharField(
        label=_("Samenvatting"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    takeaways = forms.CharField(
        label=_("Opbrengst"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    order = forms.IntegerField(
        label=_("Volgorde"),
        required=False,
        min_value=0,
        max_value=32767,
        help_text=_("Leeg: in de volgorde van dit formulier."),
    )


def session_formset(extra: int) -> type[forms.BaseFormSet[SessionForm]]:
    """Sessions as rows without JavaScript: `extra` empty rows, a delete box per row."""
    return forms.formset_factory(
        SessionForm, extra=extra, can_delete=True, max_num=50, validate_max=True
    )


# --- public neighbourhood actions (wijkacties) ----------------------------------------------


class PublicActionForm(forms.Form):
    """An action for the public neighbourhood pages. The rule "at least one buurt, or a focus
    area with buurten" is the service's (so that every error shows at once)."""

    title = forms.CharField(
        label=_("Titel"), max_length=200, error_messages={"required": _("Vul een titel in.")}
    )
    description = forms.CharField(
        label=_("Omschrijving"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=ACTION_TEXT_MAX,
        help_text=_("Wat er gebeurt en waarom, in gewone taal voor bewoners."),
        error_messages={"required": _("Vul een omschrijving in.")},
    )
    organisations = forms.CharField(
        label=_("Uitgevoerd door"),
        required=False,
        max_length=300,
        help_text=_("De organisaties, bijvoorbeeld: Gemeente Demodam, Woonstichting Demodam."),
    )
    start_date = forms.DateField(
        label=_("Begindatum"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Vul de begindatum in."),
            "invalid": _("Gebruik een datum als JJJJ-MM-DD."),
        },
    )
    end_date = forms.DateField(
        label=_("Einddatum"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Gebruik een datum als JJJJ-MM-DD.")},
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=ActionStatus.choices,
        initial=ActionStatus.PLANNED,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Kies een status: gepland, loopt nu of afgerond."),
            "invalid_choice": _("Kies een status: gepland, loopt nu of afgerond."),
        },
    )
    neighbourhoods = forms.MultipleChoiceField(
        label=_("Buurten"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Kies alleen buurten van uw gemeente.")},
    )
    focus_area = forms.ChoiceField(
        label=_("Focusgebied"),
        required=False,
        help_text=_("De actie geldt dan ook voor alle buurten van het focusgebied."),
        error_messages={"invalid_choice": _("Kies een focusgebied van uw gemeente.")},
    )

    def __init__(
        self,
        *args: Any,
        buurten: list[tuple[str, str]],
        focus_areas: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["neighbourhoods"].choices = buurten  # type: ignore[attr-defined]
        self.fields["focus_area"].choices = [("", _("Geen focusgebied")), *focus_areas]  # type: ignore[attr-defined]

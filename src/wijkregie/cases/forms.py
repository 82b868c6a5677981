"""Forms for case management (Dutch labels and messages; they work without JavaScript)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wijkregie.cases.models import (
    GOAL_STATUS_CHOICES,
    Case,
    CaseType,
    Confidentiality,
    Criterion,
    Decision,
    ParticipantRole,
)
from wijkregie.cases.services import REASON_MAX, TEXT_MAX, TITLE_MAX
from wijkregie.cases.states import PHASE_LABELS, Phase
from wijkregie.tenants.models import Membership, Organisation

REQUIRED = _("Dit veld is verplicht.")


def _criteria_field(case_type: CaseType, initial: dict[str, bool] | None = None) -> forms.Field:
    labels = dict(Criterion.choices)
    return forms.MultipleChoiceField(
        label=_("Voldoet aan de criteria"),
        choices=[(c, labels.get(c, c)) for c in case_type.criteria],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        initial=[c for c, met in (initial or {}).items() if met],
        help_text=_("Vink aan aan welke criteria van het casustype is voldaan."),
    )


class CaseFilterForm(forms.Form):
    fase = forms.ChoiceField(
        label=_("Fase"),
        required=False,
        choices=[("", _("Alle fasen")), *[(p.value, PHASE_LABELS[p]) for p in Phase]],
    )
    type = forms.ChoiceField(label=_("Casustype"), required=False, choices=[])
    q = forms.CharField(
        label=_("Zoeken"),
        required=False,
        max_length=100,
        help_text=_("Casusnummer of werktitel."),
    )

    def __init__(self, *args: Any, case_types: Sequence[CaseType] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [  # type: ignore[attr-defined]
            ("", _("Alle typen")),
            *[(t.code, t.name) for t in case_types],
        ]


class CaseTypeChoiceForm(forms.Form):
    type = forms.ChoiceField(label=_("Casustype"), choices=[])

    def __init__(self, *args: Any, case_types: Sequence[CaseType] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [(t.code, t.name) for t in case_types]  # type: ignore[attr-defined]


class ScreeningForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Aangemeld namens"),
        queryset=Organisation.objects.none(),
        empty_label=None,
        error_messages={"required": REQUIRED, "invalid_choice": _("Kies een organisatie.")},
    )

    def __init__(
        self,
        *args: Any,
        case_type: CaseType,
        organisations: Sequence[Organisation],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        field.queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            pk__in=[o.pk for o in organisations]
        ).order_by("name")
        self.fields["criteria"] = _criteria_field(case_type)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Besluit"),
        choices=Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Kies een besluit.")},
    )
    reasoning = forms.CharField(
        label=_("Onderbouwing"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Onderbouw het besluit in ten minste 10 tekens.")},
    )

    def __init__(
        self, *args: Any, case_type: CaseType, initial_criteria: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["criteria"] = _criteria_field(case_type, initial_criteria)
        self.order_fields(["criteria", "decision", "reasoning"])


class CaseCreateForm(forms.Form):
    title = forms.CharField(
        label=_("Werktitel"),
        max_length=TITLE_MAX,
        help_text=_("Zonder namen of andere persoonsgegevens."),
        error_messages={"required": _("Geef een werktitel van ten minste 3 tekens.")},
    )
    confidentiality = forms.ChoiceField(
        label=_("Vertrouwelijkheid"),
        choices=Confidentiality.choices,
        initial=Confidentiality.NORMAAL,
        widget=forms.RadioSelect,
    )


class TransitionForm(forms.Form):
    phase = forms.ChoiceField(
        label=_("Naar fase"), choices=[], error_messages={"required": _("Kies een fase.")}
    )
    note = forms.CharField(
        label=_("Toelichting of reden"),
        max_length=REASON_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Verplicht bij terugzetten en heropenen."),
    )

    def __init__(self, *args: Any, targets: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phase"].choices = [(t, PHASE_LABELS[Phase(t)]) for t in targets]  # type: ignore[attr-defined]


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Reden van heropenen"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Geef een reden van ten minste 10 tekens.")},
    )


class ParticipantAddForm(forms.Form):
    membership = forms.ChoiceField(label=_("Medewerker"), choices=[])
    role = forms.ChoiceField(label=_("Rol in de casus"), choices=ParticipantRole.choices)

    def __init__(self, *args: Any, memberships: Sequence[Membership] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        seen: set[tuple[int, int]] = set()
        choices = []
        for m in memberships:
            key = (m.user_id, m.organisation_id)
            if key in seen:
                continue
            seen.add(key)
            choices.append((f"{m.user_id}:{m.organisation_id}", f"{m.user} — {m.organisation}"))
        self.fields["membership"].choices = choices  # type: ignore[attr-defined]

    def user_and_organisation(self) -> tuple[int, int]:
        user_id, org_id = self.cleaned_data["membership"].split(":")
        return int(user_id), int(org_id)


class ParticipantRemoveForm(forms.Form):
    reason = forms.CharField(
        label=_("Reden"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Geef een reden van ten minste 10 tekens.")},
    )


class BreakGlassForm(forms.Form):
    reference = forms.CharField(
        label=_("Casusnummer"),
        max_length=12,
        help_text=_("Bijvoorbeeld C-7F3K2Q."),
        error_messages={"required": REQUIRED},
    )
    reason = forms.CharField(
        label=_("Reden voor inzage zonder deelname"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("De privacy officer ziet elke doorbraak met deze reden."),
        error_messages={"required": _("Geef een reden van ten minste 10 tekens.")},
    )


# --- plan of action and case meetings (slice 2) -------------------------------------------

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def owner_choices(case: Case) -> list[tuple[str, str]]:
    """The possible owners of an action: each participant organisation, and each of its
    participants as the person carrying it out (`org` or `org:user`)."""
    from wijkregie.cases.plan_services import participant_organisations, participant_users

    choices: list[tuple[str, str]] = []
    for org in participant_organisations(case):
        choices.append((str(org.pk), str(org.name)))
        choices.extend(
            (f"{org.pk}:{user.pk}", f"{org.name} — {user}") for user in participant_users(case, org)
        )
    return choices


def parse_owner(value: str) -> tuple[int | None, int | None]:
    try:
        parts = [int(p) for p in (value or "").split(":")]
    except ValueError:
        return None, None
    if len(parts) == 1:
        return parts[0], None
    if len(parts) == 2:
        return parts[0], parts[1]
    return None, None


class GoalForm(forms.Form):
    life_domain = forms.ChoiceField(
        label=_("Leefgebied"), choices=[], error_messages={"required": _("Kies een leefgebied.")}
    )
    description = forms.CharField(
        label=_("Doel"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Zonder namen of andere persoonsgegevens waar dat kan."),
        error_messages={"required": _("Beschrijf het doel in ten minste 3 tekens.")},
    )

    def __init__(self, *args: Any, life_domains: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["life_domain"].choices = [(d.code, d.name) for d in life_domains]  # type: ignore[attr-defined]


class GoalStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status van het doel"), choices=GOAL_STATUS_CHOICES)


class ActionForm(forms.Form):
    description = forms.CharField(
        label=_("Actie"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Beschrijf de actie in ten minste 3 tekens.")},
    )
    owner = forms.ChoiceField(
        label=_("Eigenaar"),
        choices=[],
        help_text=_("Een organisatie die deelneemt, eventueel met de uitvoerder."),
        error_messages={"required": _("Kies een eigenaar.")},
    )
    due_date = forms.DateField(
        label=_("Streefdatum"),
        widget=DATE_WIDGET,
        error_messages={
            "required": _("Kies een streefdatum."),
            "invalid": _("Geef een geldige datum."),
        },
    )
    goal = forms.ChoiceField(label=_("Bij doel"), choices=[], required=False)

    def __init__(self, *args: Any, case: Case, goals: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = owner_choices(case)  # type: ignore[attr-defined]
        self.fields["goal"].choices = [  # type: ignore[attr-defined]
            ("", _("Geen doel")),
            *[(str(g.uuid), f"{g.life_domain.name}: {g.description[:60]}") for g in goals],
        ]


class ProgressForm(forms.Form):
    status = forms.ChoiceField(label=_("Nieuwe status"), choices=[], required=False)
    note = forms.CharField(
        label=_("Voortgangsnotitie"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Verplicht bij afronden, terugzetten en annuleren."),
    )

    def __init__(
        self, *args: Any, current: str = "open", regie: bool = False, **kwargs: Any
    ) -> None:
        from wijkregie.cases.action_states import ACTION_STATUS_LABELS, next_statuses

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            ("", _("Status niet wijzigen")),
            *[(s.value, ACTION_STATUS_LABELS[s]) for s in next_statuses(current, regie=regie)],
        ]


class MeetingForm(forms.Form):
    title = forms.CharField(
        label=_("Naam van het overleg"),
        max_length=100,
        error_messages={"required": _("Geef het overleg een naam van ten minste 3 tekens.")},
    )
    date = forms.DateField(
        label=_("Datum"),
        widget=DATE_WIDGET,
        error_messages={"required": _("Kies een datum."), "invalid": _("Geef een geldige datum.")},
    )


class MeetingDecisionForm(forms.Form):
    text = forms.CharField(
        label=_("Besluit"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Beschrijf het besluit in ten minste 3 tekens.")},
    )
    decided_by = forms.ChoiceField(
        label=_("Besloten door"),
        choices=[],
        error_messages={"required": _("Kies wie het besluit nam.")},
    )

    def __init__(
        self,
        *args: Any,
        deciders: Sequence[tuple[str, str]] = (),
        case: Case | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decided_by"].choices = list(deciders)  # type: ignore[attr-defined]
        if case is not None:
            self.fields["action_description"] = forms.CharField(
                label=_("Nieuwe actie"),
                max_length=500,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("Optioneel: de actie komt in het plan van aanpak van de casus."),
            )
            self.fields["action_owner"] = forms.ChoiceField(
                label=_("Eigenaar van de actie"),
                choices=[("", _("Geen actie")), *owner_choices(case)],
                required=False,
            )
            self.fields["action_due_date"] = forms.DateField(
                label=_("Streefdatum van de actie"),
                widget=DATE_WIDGET,
                required=False,
                error_messages={"invalid": _("Geef een geldige datum.")},
            )

    @property
    def wants_action(self) -> bool:
        data = self.cleaned_data
        return bool(
            data.get("action_description")
            or data.get("action_owner")
            or data.get("action_due_date")
        )

"""The closing form: result, an outcome per goal, hand-over (Dutch; works without JavaScript)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wijkregie.cases.action_states import GOAL_STATUS_LABELS
from wijkregie.cases.closure import HANDOVER_MAX, OUTCOMES
from wijkregie.cases.models import Goal, ResultCode
from wijkregie.cases.services import TEXT_MAX
from wijkregie.tenants.models import Organisation


def goal_field_name(goal: Goal) -> str:
    return f"goal_{goal.uuid}"


class CloseForm(forms.Form):
    result_code = forms.ChoiceField(
        label=_("Resultaat"),
        choices=ResultCode.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Kies het resultaat van de casus.")},
    )
    result = forms.CharField(
        label=_("Toelichting resultaat"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Beschrijf het resultaat in ten minste 10 tekens.")},
    )
    handover_organisation = forms.ChoiceField(
        label=_("Overgedragen aan"),
        required=False,
        choices=[],
        help_text=_("Verplicht bij het resultaat 'Overgedragen aan reguliere hulp'."),
    )
    handover = forms.CharField(
        label=_("Overdracht"),
        max_length=HANDOVER_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Wat is overgedragen, aan wie en wat is afgesproken."),
    )

    def __init__(
        self,
        *args: Any,
        goals: Sequence[Goal] = (),
        organisations: Sequence[Organisation] = (),
        pseudonymised: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.goals = list(goals)
        self.organisations = {str(o.pk): o for o in organisations}
        self.fields["handover_organisation"].choices = [  # type: ignore[attr-defined]
            ("", _("Geen overdracht")),
            *[(str(o.pk), o.name) for o in organisations],
        ]
        choices = [(o, GOAL_STATUS_LABELS[o]) for o in OUTCOMES]
        for goal in self.goals:
            label = goal.life_domain.name + ("" if pseudonymised else f": {goal.description}")
            self.fields[goal_field_name(goal)] = forms.ChoiceField(
                label=label,
                choices=choices,
                widget=forms.RadioSelect,
                initial=goal.status if goal.status in OUTCOMES else None,
                error_messages={
                    "required": _(
                        "Geef voor elk doel aan of het bereikt, deels bereikt of niet bereikt is."
                    )
                },
            )

    def goal_fields(self) -> list[Any]:
        return [self[goal_field_name(g)] for g in self.goals]

    def goal_outcomes(self) -> dict[str, str]:
        data = self.cleaned_data
        return {str(g.uuid): data.get(goal_field_name(g)) or "" for g in self.goals}

    def organisation(self) -> Organisation | None:
        return self.organisations.get(self.cleaned_data.get("handover_organisation") or "")

"""The status machine of an action in a plan of action (pure, no Django models).

Statuses: `open`, `bezig` (in progress), `afgerond` (done), `geannuleerd` (cancelled).

| from \\ to   | open          | bezig          | afgerond      | geannuleerd   |
|--------------|---------------|----------------|---------------|---------------|
| open         | -             | owner          | owner + note  | regie + note  |
| bezig        | owner + note  | -              | owner + note  | regie + note  |
| afgerond     | -             | regie + note   | -             | -             |
| geannuleerd  | regie + note  | -              | -             | -             |

"owner" is a participant of the case acting for the action's owner organisation (also an
observer) or the casusregisseur; "regie" is the casusregisseur only. Nothing else is allowed.
`ACTIVE` statuses are the ones "overdue" and "stalled" are computed over.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class ActionStatus(StrEnum):
    OPEN = "open"
    BEZIG = "bezig"
    AFGEROND = "afgerond"
    GEANNULEERD = "geannuleerd"


ACTION_STATUS_LABELS: dict[str, StrOrPromise] = {
    ActionStatus.OPEN: _("Open"),
    ActionStatus.BEZIG: _("In uitvoering"),
    ActionStatus.AFGEROND: _("Afgerond"),
    ActionStatus.GEANNULEERD: _("Geannuleerd"),
}

ACTIVE: tuple[ActionStatus, ...] = (ActionStatus.OPEN, ActionStatus.BEZIG)


@dataclass(frozen=True)
class ActionRule:
    regie_only: bool
    needs_note: bool


_O, _B, _A, _G = (
    ActionStatus.OPEN,
    ActionStatus.BEZIG,
    ActionStatus.AFGEROND,
    ActionStatus.GEANNULEERD,
)

ACTION_TRANSITIONS: dict[tuple[ActionStatus, ActionStatus], ActionRule] = {
    (_O, _B): ActionRule(regie_only=False, needs_note=False),
    (_O, _A): ActionRule(regie_only=False, needs_note=True),
    (_O, _G): ActionRule(regie_only=True, needs_note=True),
    (_B, _O): ActionRule(regie_only=False, needs_note=True),
    (_B, _A): ActionRule(regie_only=False, needs_note=True),
    (_B, _G): ActionRule(regie_only=True, needs_note=True),
    (_A, _B): ActionRule(regie_only=True, needs_note=True),
    (_G, _O): ActionRule(regie_only=True, needs_note=True),
}


def action_rule(current: str, target: str) -> ActionRule | None:
    try:
        return ACTION_TRANSITIONS.get((ActionStatus(current), ActionStatus(target)))
    except ValueError:
        return None


def next_statuses(current: str, *, regie: bool) -> list[ActionStatus]:
    """Statuses offered from `current` to an owner (regie=False) or the casusregisseur."""
    order = list(ActionStatus)
    return sorted(
        (
            to
            for (frm, to), rule in ACTION_TRANSITIONS.items()
            if frm == current and (regie or not rule.regie_only)
        ),
        key=order.index,
    )


class GoalStatus(StrEnum):
    OPEN = "open"
    BEREIKT = "bereikt"
    DEELS = "deels"
    NIET_BEREIKT = "niet_bereikt"


GOAL_STATUS_LABELS: dict[str, StrOrPromise] = {
    GoalStatus.OPEN: _("Open"),
    GoalStatus.BEREIKT: _("Bereikt"),
    GoalStatus.DEELS: _("Deels bereikt"),
    GoalStatus.NIET_BEREIKT: _("Niet bereikt"),
}

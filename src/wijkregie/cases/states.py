"""The case phase machine as an explicit transition table (pure, no Django models).

Every case type uses an ordered selection of the standard open phases (`OPEN_PHASES`), always
starting with `aanmelding`; `afgesloten` is the one closed phase. For the phases of a type,
`transitions_for` gives the table:

- one step forward to the next phase of the type, and one step back to the previous one;
- from every open phase to `afgesloten` (closing), which needs a result;
- from `afgesloten` back to `analyse` (or the type's first phase after `aanmelding`, else
  `aanmelding`) - reopening, which needs the reopen right and a reason.

Nothing else is allowed. `DEFAULT_TRANSITIONS` is the table of a type with every phase.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Phase(StrEnum):
    AANMELDING = "aanmelding"
    ANALYSE = "analyse"
    PLAN = "plan"
    UITVOERING = "uitvoering"
    MONITORING = "monitoring"
    AFGESLOTEN = "afgesloten"


PHASE_LABELS: dict[str, StrOrPromise] = {
    Phase.AANMELDING: _("Aanmelding"),
    Phase.ANALYSE: _("Analyse"),
    Phase.PLAN: _("Plan van aanpak"),
    Phase.UITVOERING: _("Uitvoering"),
    Phase.MONITORING: _("Monitoring en nazorg"),
    Phase.AFGESLOTEN: _("Afgesloten"),
}

OPEN_PHASES: tuple[Phase, ...] = (
    Phase.AANMELDING,
    Phase.ANALYSE,
    Phase.PLAN,
    Phase.UITVOERING,
    Phase.MONITORING,
)
CLOSED = Phase.AFGESLOTEN


class Kind(StrEnum):
    FORWARD = "forward"
    BACK = "back"
    CLOSE = "close"
    REOPEN = "reopen"


@dataclass(frozen=True)
class Rule:
    kind: Kind

    @property
    def needs_result(self) -> bool:
        return self.kind == Kind.CLOSE

    @property
    def needs_reopen_right(self) -> bool:
        return self.kind == Kind.REOPEN

    @property
    def needs_reason(self) -> bool:
        return self.kind in (Kind.REOPEN, Kind.BACK)


def valid_phases(phases: Sequence[str]) -> bool:
    """An ordered selection of the open phases, starting with aanmelding, without repeats."""
    try:
        parsed = [Phase(p) for p in phases]
    except ValueError:
        return False
    if not parsed or parsed[0] != Phase.AANMELDING or len(set(parsed)) != len(parsed):
        return False
    if CLOSED in parsed:
        return False
    order = [OPEN_PHASES.index(p) for p in parsed]
    return order == sorted(order)


def reopen_target(phases: Sequence[str]) -> Phase:
    parsed = [Phase(p) for p in phases]
    if Phase.ANALYSE in parsed:
        return Phase.ANALYSE
    return parsed[1] if len(parsed) > 1 else Phase.AANMELDING


def transitions_for(phases: Sequence[str]) -> dict[tuple[Phase, Phase], Rule]:
    if not valid_phases(phases):
        raise ValueError(f"invalid phases: {list(phases)}")
    parsed = [Phase(p) for p in phases]
    table: dict[tuple[Phase, Phase], Rule] = {}
    for here, there in itertools.pairwise(parsed):
        table[(here, there)] = Rule(Kind.FORWARD)
        table[(there, here)] = Rule(Kind.BACK)
    for phase in parsed:
        table[(phase, CLOSED)] = Rule(Kind.CLOSE)
    table[(CLOSED, reopen_target(parsed))] = Rule(Kind.REOPEN)
    return table


DEFAULT_TRANSITIONS = transitions_for(OPEN_PHASES)


def rule_for(phases: Sequence[str], current: str, target: str) -> Rule | None:
    """The rule for moving from `current` to `target` in a type with these phases, or None."""
    try:
        key = (Phase(current), Phase(target))
    except ValueError:
        return None
    return transitions_for(phases).get(key)


def next_phases(phases: Sequence[str], current: str, *, may_reopen: bool) -> list[Phase]:
    """Targets offered from `current`, in the type's order (closing last)."""
    table = transitions_for(phases)
    order = [*[Phase(p) for p in phases], CLOSED]
    targets = [
        to
        for (frm, to), rule in table.items()
        if frm == current and (may_reopen or not rule.needs_reopen_right)
    ]
    return sorted(targets, key=order.index)

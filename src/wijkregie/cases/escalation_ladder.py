"""The escalation ladder of an overdue action (pure, no Django models; ADR 0019).

Four rungs, each reached a configured number of days after the action's due date:

| level | step            | who is notified                                              |
|-------|-----------------|--------------------------------------------------------------|
| 0     | herinnering     | the action's person, else the owner organisation's participants |
| 1     | casusregisseur  | the case's casusregisseur(s)                                 |
| 2     | projectleider   | the ladder's project leader                                  |
| 3     | bestuurlijk     | the ladder's contact at the administrative level             |

`due_steps` says which rungs an action has reached on a day; the job records every reached rung
that is not recorded yet (so a job that did not run for a while catches up, in order).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import pairwise

REMINDER = "herinnering"
CASE_REGISSEUR = "casusregisseur"
PROJECT_LEADER = "projectleider"
ADMINISTRATIVE = "bestuurlijk"
STEPS = (REMINDER, CASE_REGISSEUR, PROJECT_LEADER, ADMINISTRATIVE)


@dataclass(frozen=True)
class Ladder:
    """Days after the due date at which each rung is reached (strictly increasing)."""

    reminder_days: int = 1
    case_regisseur_days: int = 7
    project_leader_days: int = 14
    administrative_days: int = 28

    @property
    def days(self) -> tuple[int, int, int, int]:
        return (
            self.reminder_days,
            self.case_regisseur_days,
            self.project_leader_days,
            self.administrative_days,
        )

    def is_valid(self) -> bool:
        d = self.days
        return all(x >= 1 for x in d) and all(a < b for a, b in pairwise(d))


DEFAULT_LADDER = Ladder()


def days_overdue(due_date: dt.date, today: dt.date) -> int:
    """0 on or before the due date; 1 the day after."""
    return max(0, (today - due_date).days)


def due_steps(ladder: Ladder, due_date: dt.date, today: dt.date) -> list[tuple[int, str]]:
    """(level, step) of every rung reached on `today`, lowest first."""
    late = days_overdue(due_date, today)
    return [(i, s) for i, (s, d) in enumerate(zip(STEPS, ladder.days, strict=True)) if late >= d]


def step_date(ladder: Ladder, due_date: dt.date, level: int) -> dt.date:
    return due_date + dt.timedelta(days=ladder.days[level])


def next_step(ladder: Ladder, due_date: dt.date, level: int) -> tuple[str, dt.date] | None:
    """The rung after `level` and the day it is reached; None after the last."""
    if level + 1 >= len(STEPS):
        return None
    return STEPS[level + 1], step_date(ladder, due_date, level + 1)

"""The escalation job: reminders for overdue actions and escalation along the ladder (ADR 0019).

`run_escalation(now=...)` is idempotent: every rung an overdue action has reached is recorded
once as an `EscalationStep` (unique per action, due date and step; `get_or_create` in a
transaction, so two jobs running at once still record it once), and only the run that
creates the row notifies (in-app, and e-mail once the transaction commits). Closed cases and
actions that are done or cancelled are not escalated; a new due date starts the ladder afresh.
Called by `wijkregie escalate [--now ISO]` and by the django-tasks task `cases.tasks.escalate`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from wijkregie.cases import escalation_ladder as ladder_rules
from wijkregie.cases.models import (
    Action,
    EscalationLadder,
    EscalationStep,
    EscalationStepKind,
    Participant,
    ParticipantRole,
)
from wijkregie.cases.plan_selectors import overdue_actions_q
from wijkregie.cases.states import Phase
from wijkregie.notifications.services import notify
from wijkregie.privacy.services import audit
from wijkregie.tenants.models import User

NOTIFICATION_KIND = "escalatie"


@dataclass(frozen=True)
class LadderConfig:
    rules: ladder_rules.Ladder
    project_leader: User | None = None
    administrative_contact: User | None = None


DEFAULT_CONFIG = LadderConfig(rules=ladder_rules.DEFAULT_LADDER)


@dataclass
class EscalationRun:
    now: dt.datetime
    today: dt.date
    actions_checked: int = 0
    steps_recorded: int = 0
    notifications: int = 0
    by_step: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ladder_rules.STEPS, 0))

    def summary(self) -> str:
        steps = " ".join(f"{k}={v}" for k, v in self.by_step.items())
        return (
            f"checked={self.actions_checked} recorded={self.steps_recorded} "
            f"notifications={self.notifications} {steps}"
        )


def _config(row: EscalationLadder) -> LadderConfig:
    return LadderConfig(
        rules=ladder_rules.Ladder(
            row.reminder_days,
            row.case_regisseur_days,
            row.project_leader_days,
            row.administrative_days,
        ),
        project_leader=row.project_leader,
        administrative_contact=row.administrative_contact,
    )


def ladders(municipality_ids: list[int]) -> dict[tuple[int, int | None], LadderConfig]:
    """Configured ladders per (municipality, case type or None for the default)."""
    rows = EscalationLadder.objects.filter(municipality_id__in=municipality_ids).select_related(
        "project_leader", "administrative_contact"
    )
    return {(r.municipality_id, r.case_type_id): _config(r) for r in rows}


def ladder_for(
    configs: dict[tuple[int, int | None], LadderConfig], municipality_id: int, case_type_id: int
) -> LadderConfig:
    return (
        configs.get((municipality_id, case_type_id))
        or configs.get((municipality_id, None))
        or DEFAULT_CONFIG
    )


def _recipients(
    level: int,
    action: Action,
    participants: list[Participant],
    config: LadderConfig,
) -> list[User]:
    if level == 0:
        owners = [p for p in participants if p.organisation_id == action.owner_organisation_id]
        person = [p.user for p in owners if p.user_id == action.owner_user_id]
        return person or [p.user for p in owners]
    if level == 1:
        return [p.user for p in participants if p.role == ParticipantRole.REGISSEUR]
    contact = config.project_leader if level == 2 else config.administrative_contact
    if contact is None or contact.municipality_id != action.municipality_id:
        return []
    return [contact]


def _message(level: int, reference: str, late: int) -> str:
    with translation.override("nl"):
        label = str(EscalationStepKind(ladder_rules.STEPS[level]).label)
        if level == 0:
            return _(
                "Herinnering: een actie in casus %(ref)s is %(days)d dag(en) over de streefdatum."
            ) % {"ref": reference, "days": late}
        return _(
            "Escalatie (%(step)s): een actie in casus %(ref)s is %(days)d dag(en) over de "
            "streefdatum."
        ) % {"step": label, "ref": reference, "days": late}


def _follow_up(config: LadderConfig, due_date: dt.date, level: int, nobody: bool) -> str:
    with translation.override("nl"):
        parts = [_("Geen ontvanger ingesteld voor deze stap.")] if nobody else []
        following = ladder_rules.next_step(config.rules, due_date, level)
        if following is None:
            parts.append(_("Laatste stap van de ladder: bespreek de actie in het casusoverleg."))
        else:
            step, day = following
            parts.append(
                _("Volgende stap: %(step)s op %(date)s als de actie dan nog openstaat.")
                % {"step": str(EscalationStepKind(step).label), "date": day.strftime("%d-%m-%Y")}
            )
        return " ".join(parts)


def run_escalation(
    *, now: dt.datetime | None = None, municipality_id: int | None = None
) -> EscalationRun:
    """Record and notify every reached, unrecorded rung of every overdue action."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    run = EscalationRun(now=now, today=today)
    qs = (
        Action.objects.filter(overdue_actions_q(today))
        .exclude(case__phase=Phase.AFGESLOTEN)
        .select_related("case")
        .order_by("municipality_id", "due_date", "id")
    )
    if municipality_id is not None:
        qs = qs.filter(municipality_id=municipality_id)
    actions = list(qs)
    run.actions_checked = len(actions)
    if not actions:
        return run
    configs = ladders(sorted({a.municipality_id for a in actions}))
    done: set[tuple[int, dt.date, str]] = set(
        EscalationStep.objects.filter(action_id__in=[a.pk for a in actions]).values_list(
            "action_id", "due_date", "step"
        )
    )
    pending: list[tuple[Action, LadderConfig, list[tuple[int, str]]]] = []
    for action in actions:
        config = ladder_for(configs, action.municipality_id, action.case.case_type_id)
        steps = [
            (level, step)
            for level, step in ladder_rules.due_steps(config.rules, action.due_date, today)
            if (action.pk, action.due_date, step) not in done
        ]
        if steps:
            pending.append((action, config, steps))
    if not pending:
        return run
    by_case: dict[int, list[Participant]] = defaultdict(list)
    for p in (
        Participant.objects.filter(
            case_id__in={a.case_id for a, _c, _s in pending}, removed_at=None
        )
        .select_related("user")
        .order_by("id")
    ):
        by_case[p.case_id].append(p)
    recorded_per_municipality: dict[int, int] = defaultdict(int)
    for action, config, steps in pending:
        with transaction.atomic():
            for level, step in steps:
                created = _record_step(run, action, config, by_case[action.case_id], level, step)
                if created:
                    recorded_per_municipality[action.municipality_id] += 1
    for mid, n in recorded_per_municipality.items():
        audit(
            actor=None,
            municipality_id=mid,
            action="escalation_run",
            object_type="escalation",
            object_id=now.isoformat(timespec="seconds"),
            changes={"steps": n},
        )
    return run


def _record_step(
    run: EscalationRun,
    action: Action,
    config: LadderConfig,
    participants: list[Participant],
    level: int,
    step: str,
) -> bool:
    users = [u for u in _recipients(level, action, participants, config) if u.is_active]
    unique: dict[int, User] = {u.pk: u for u in users}
    late = ladder_rules.days_overdue(action.due_date, run.today)
    row, created = EscalationStep.objects.get_or_create(
        action=action,
        due_date=action.due_date,
        step=step,
        defaults={
            "case_id": action.case_id,
            "municipality_id": action.municipality_id,
            "level": level,
            "days_overdue": late,
            "at": run.now,
            "notified": [
                {
                    "user": u.pk,
                    "username": u.username,
                    "channels": ["in-app", "e-mail"] if u.email else ["in-app"],
                }
                for u in unique.values()
            ],
            "follow_up": _follow_up(config, action.due_date, level, nobody=not unique),
        },
    )
    if not created:
        return False
    rows = notify(
        users=unique.values(),
        municipality_id=action.municipality_id,
        kind=NOTIFICATION_KIND,
        message=_message(level, action.case.reference, late),
        link=reverse("cases:action", kwargs={"uuid": action.uuid}),
        now=run.now,
    )
    run.steps_recorded += 1
    run.notifications += len(rows)
    run.by_step[step] += 1
    del row
    return True


def escalations_for(action_ids: list[int]) -> dict[int, list[EscalationStep]]:
    """Recorded steps per action (for the dashboard and the action page)."""
    found: dict[int, list[EscalationStep]] = defaultdict(list)
    for s in EscalationStep.objects.filter(action_id__in=action_ids).order_by("at", "level", "id"):
        found[s.action_id].append(s)
    return found


def describe(step: EscalationStep) -> dict[str, Any]:
    return {
        "step": step.step,
        "level": step.level,
        "due_date": step.due_date.isoformat(),
        "days_overdue": step.days_overdue,
        "at": step.at.isoformat(),
        "notified": [n.get("username", "") for n in step.notified],
        "follow_up": step.follow_up,
    }

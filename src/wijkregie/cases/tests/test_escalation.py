"""Reminders and escalation of overdue actions with a frozen clock (ADR 0019).

The clock is frozen by passing `now=` into the job, as the command's `--now` does."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.utils import timezone

from wijkregie.cases import escalation_ladder, plan_services
from wijkregie.cases.escalation import run_escalation
from wijkregie.cases.models import Action, EscalationLadder, EscalationStep
from wijkregie.cases.tests.conftest import PlanWorld, access_for, close_case, viewer_of
from wijkregie.notifications.models import Notification
from wijkregie.privacy.models import AuditEvent

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def at(day: dt.date, offset: int, hour: int = 7) -> dt.datetime:
    """07:00 local time `offset` days after `day`: the frozen clock of one job run."""
    return timezone.make_aware(
        dt.datetime.combine(day + dt.timedelta(days=offset), dt.time(hour, 0))
    )


def steps_of(action: Action) -> list[tuple[str, int, list[str]]]:
    return [
        (s.step, s.days_overdue, [n["username"] for n in s.notified])
        for s in EscalationStep.objects.filter(action=action).order_by("level")
    ]


def inbox(username: str) -> list[str]:
    return list(
        Notification.objects.filter(user__username=username)
        .order_by("created_at", "id")
        .values_list("message", flat=True)
    )


@pytest.fixture
def ladder(pw: PlanWorld) -> EscalationLadder:
    """The municipality's default ladder: 1/7/14/28 days, project leader and bestuurlijk set."""
    w = pw.world
    row = EscalationLadder(
        municipality=w.gm,
        reminder_days=1,
        case_regisseur_days=7,
        project_leader_days=14,
        administrative_days=28,
        project_leader=w.users["beheerder"],
        administrative_contact=w.users["privacy"],
    )
    row.full_clean()
    row.save()
    return row


def test_overdue_action_reminder_then_each_step_once_at_its_interval(
    pw: PlanWorld, ladder: EscalationLadder
) -> None:
    action = pw.police_action  # owner politie, person wijkagent
    due = action.due_date
    # The other action of the plan is due much later (its own test below).
    Action.objects.filter(pk=pw.youth_action.pk).update(due_date=due + dt.timedelta(days=100))
    # On the due date itself nothing is overdue.
    assert run_escalation(now=at(due, 0)).steps_recorded == 0
    assert not EscalationStep.objects.exists()

    # The day after: a reminder to the action's person, nobody else.
    run = run_escalation(now=at(due, 1))
    assert (run.steps_recorded, run.notifications) == (1, 1)
    assert steps_of(action) == [("herinnering", 1, ["wijkagent"])]
    assert inbox("wijkagent") == [
        f"Herinnering: een actie in casus {pw.case.reference} is 1 dag(en) over de streefdatum."
    ]
    # The job runs twice (and again later that day): nothing is recorded or sent twice.
    assert run_escalation(now=at(due, 1)).steps_recorded == 0
    assert run_escalation(now=at(due, 1, hour=23)).steps_recorded == 0
    assert run_escalation(now=at(due, 6)).steps_recorded == 0
    assert len(inbox("wijkagent")) == 1

    # Day 7: the casusregisseur.
    assert run_escalation(now=at(due, 7)).by_step["casusregisseur"] == 1
    assert run_escalation(now=at(due, 7)).steps_recorded == 0
    # Day 14: the project leader of the ladder; day 28: the administrative level.
    assert run_escalation(now=at(due, 13)).steps_recorded == 0
    assert run_escalation(now=at(due, 14)).by_step["projectleider"] == 1
    assert run_escalation(now=at(due, 28)).by_step["bestuurlijk"] == 1
    for _ in range(2):
        assert run_escalation(now=at(due, 40)).steps_recorded == 0

    assert steps_of(action) == [
        ("herinnering", 1, ["wijkagent"]),
        ("casusregisseur", 7, ["regisseur"]),
        ("projectleider", 14, ["beheerder"]),
        ("bestuurlijk", 28, ["privacy"]),
    ]
    assert len(inbox("regisseur")) == 1 and "Casusregisseur" in inbox("regisseur")[0]
    assert len(inbox("beheerder")) == 1 and len(inbox("privacy")) == 1
    # The follow-up of each step says what comes next, and when.
    follow = list(
        EscalationStep.objects.filter(action=action)
        .order_by("level")
        .values_list("follow_up", flat=True)
    )
    day7 = (due + dt.timedelta(days=7)).strftime("%d-%m-%Y")
    assert follow[0] == f"Volgende stap: Casusregisseur op {day7} als de actie dan nog openstaat."
    assert follow[3].startswith("Laatste stap van de ladder")
    # Notifications carry a case number and a link, never the action's text or the title.
    for n in Notification.objects.all():
        assert action.description not in n.message and pw.case.title not in n.message
        assert n.link == f"/casussen/acties/{action.uuid}/"
    # One audit event per run that recorded something.
    assert AuditEvent.objects.filter(action="escalation_run").count() >= 4


def test_without_an_owner_person_the_owner_organisations_participants_are_reminded(
    pw: PlanWorld,
) -> None:
    run_escalation(now=at(pw.youth_action.due_date, 1))
    assert steps_of(pw.youth_action) == [("herinnering", 1, ["jongerenwerker"])]
    assert inbox("wijkagent") == [] and len(inbox("jongerenwerker")) == 1


def test_a_late_first_run_catches_up_every_reached_step_in_order(
    pw: PlanWorld, ladder: EscalationLadder
) -> None:
    due = pw.police_action.due_date
    run = run_escalation(now=at(due, 30))
    assert [s[0] for s in steps_of(pw.police_action)] == list(escalation_ladder.STEPS)
    assert [s[1] for s in steps_of(pw.police_action)] == [30, 30, 30, 30]
    again = run_escalation(now=at(due, 30))
    assert run.steps_recorded == 8 and again.steps_recorded == 0


def test_the_database_refuses_a_second_row_for_the_same_step(pw: PlanWorld) -> None:
    due = pw.police_action.due_date
    run_escalation(now=at(due, 1))
    step = EscalationStep.objects.get(action=pw.police_action)
    with pytest.raises(IntegrityError), transaction.atomic():
        EscalationStep.objects.create(
            action=step.action,
            case=step.case,
            municipality_id=step.municipality_id,
            step=step.step,
            level=0,
            due_date=step.due_date,
            days_overdue=2,
            at=at(due, 2),
        )


def test_without_a_ladder_the_defaults_apply_and_missing_recipients_are_recorded(
    pw: PlanWorld,
) -> None:
    due = pw.police_action.due_date
    run_escalation(now=at(due, 14))
    steps = steps_of(pw.police_action)
    assert [s[0] for s in steps] == ["herinnering", "casusregisseur", "projectleider"]
    leader = EscalationStep.objects.get(action=pw.police_action, step="projectleider")
    assert leader.notified == []
    assert leader.follow_up.startswith("Geen ontvanger ingesteld")


def test_a_ladder_per_case_type_overrides_the_default(
    pw: PlanWorld, ladder: EscalationLadder
) -> None:
    EscalationLadder.objects.create(
        municipality=pw.world.gm,
        case_type=pw.case.case_type,
        reminder_days=3,
        case_regisseur_days=5,
        project_leader_days=10,
        administrative_days=20,
    )
    due = pw.police_action.due_date
    run_escalation(now=at(due, 2))
    assert steps_of(pw.police_action) == []
    run_escalation(now=at(due, 5))
    assert [s[0] for s in steps_of(pw.police_action)] == ["herinnering", "casusregisseur"]


def test_done_cancelled_and_closed_are_not_escalated_and_a_new_due_date_restarts(
    pw: PlanWorld,
) -> None:
    w = pw.world
    due = pw.police_action.due_date
    run_escalation(now=at(due, 1))
    assert len(steps_of(pw.police_action)) == 1
    # Finishing the action stops the ladder.
    plan_services.action_progress(
        viewer=viewer_of(w, "wijkagent"),
        access=access_for(w, "wijkagent", pw.case),
        action=Action.objects.get(pk=pw.police_action.pk),
        status="afgerond",
        note="Huisbezoek afgelegd",
    )
    run_escalation(now=at(due, 30))
    assert len(steps_of(pw.police_action)) == 1
    # A closed case is read-only: nothing is escalated in it.
    close_case(w, pw.case)
    before = EscalationStep.objects.count()
    run_escalation(now=at(due, 60))
    assert EscalationStep.objects.count() == before


def test_a_moved_due_date_starts_the_ladder_again(pw: PlanWorld) -> None:
    action = pw.police_action
    first_due = action.due_date
    run_escalation(now=at(first_due, 1))
    new_due = first_due + dt.timedelta(days=10)
    Action.objects.filter(pk=action.pk).update(due_date=new_due)
    run_escalation(now=at(new_due, 0))
    assert EscalationStep.objects.filter(action=action).count() == 1
    run_escalation(now=at(new_due, 1))
    assert sorted(
        EscalationStep.objects.filter(action=action).values_list("due_date", flat=True)
    ) == [first_due, new_due]


def test_ladder_validation_is_dutch() -> None:
    row = EscalationLadder(reminder_days=7, case_regisseur_days=7)
    with pytest.raises(ValidationError) as exc:
        row.clean()
    assert "De stappen moeten oplopen" in str(exc.value)
    assert escalation_ladder.Ladder(1, 2, 3, 4).is_valid()
    assert not escalation_ladder.Ladder(2, 2, 3, 4).is_valid()


@override_settings(TASKS=IMMEDIATE, PUBLIC_BASE_URL="https://wijkregie.example.nl")
def test_email_goes_out_once_after_commit_without_case_content(
    pw: PlanWorld, django_capture_on_commit_callbacks: Any
) -> None:
    user = pw.world.users["wijkagent"]
    user.email = "wijkagent@example.nl"
    user.save()
    due = pw.police_action.due_date
    with django_capture_on_commit_callbacks(execute=True):
        run_escalation(now=at(due, 1))
    with django_capture_on_commit_callbacks(execute=True):
        run_escalation(now=at(due, 1))
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["wijkagent@example.nl"]
    assert pw.case.reference in message.body
    assert f"https://wijkregie.example.nl/casussen/acties/{pw.police_action.uuid}/" in message.body
    assert pw.police_action.description not in message.body
    assert pw.case.title not in message.body
    assert Notification.objects.get(user=user).emailed_at is not None
    step = EscalationStep.objects.get(action=pw.police_action)
    assert step.notified[0]["channels"] == ["in-app", "e-mail"]


def test_the_command_takes_a_frozen_clock_and_is_idempotent(pw: PlanWorld) -> None:
    due = pw.police_action.due_date
    when = at(due, 7).isoformat()
    out = StringIO()
    call_command("escalate", "--now", when, stdout=out)
    # police action 7 days over (2 steps), youth action 14 days over (3 steps)
    assert "checked=2 recorded=5 notifications=4" in out.getvalue()
    out = StringIO()
    call_command("escalate", "--now", when, "--municipality", "gm9999", stdout=out)
    assert "recorded=0" in out.getvalue()
    with pytest.raises(Exception, match="Ongeldig peilmoment"):
        call_command("escalate", "--now", "gisteren")


def test_steps_are_append_only(pw: PlanWorld) -> None:
    from wijkregie.privacy.models import AppendOnlyError

    run_escalation(now=at(pw.police_action.due_date, 1))
    step = EscalationStep.objects.first()
    assert step is not None
    with pytest.raises(AppendOnlyError):
        step.save()
    with pytest.raises(AppendOnlyError):
        EscalationStep.objects.all().delete()


def test_retention_destroys_a_case_with_its_escalation_steps(pw: PlanWorld) -> None:
    from wijkregie.privacy.retention import destroy_cases

    run_escalation(now=at(pw.police_action.due_date, 30))
    assert EscalationStep.objects.filter(case=pw.case).exists()
    destroy_cases([pw.case.pk])
    assert not EscalationStep.objects.exists()


def test_the_action_page_shows_the_steps_and_hides_names_from_analysts(pw: PlanWorld) -> None:
    from django.test import Client

    run_escalation(now=at(pw.police_action.due_date, 7))
    url = f"/casussen/acties/{pw.police_action.uuid}/"
    client = Client()
    client.force_login(pw.world.users["regisseur"])
    html = client.get(url).content.decode()
    assert "Herinneringen en escalaties" in html
    assert "gemeld aan: wijkagent" in html and "gemeld aan: regisseur" in html
    client.force_login(pw.world.users["analist"])
    html = client.get(url).content.decode()
    assert 'data-step="casusregisseur"' in html and "gemeld aan" not in html
    client.force_login(pw.world.users["corporatie"])
    assert client.get(url).status_code == 404
    client.force_login(pw.world.users["outsider"])
    assert client.get(url).status_code == 404


def test_beheerder_configures_the_ladder_in_the_admin(pw: PlanWorld) -> None:
    from django.test import Client

    w = pw.world
    client = Client()
    client.force_login(w.users["beheerder"])
    assert client.get("/beheer/cases/escalationladder/").status_code == 200
    data = {
        "reminder_days": "2",
        "case_regisseur_days": "5",
        "project_leader_days": "10",
        "administrative_days": "20",
        "stalled_days": "21",
        "project_leader": str(w.users["regisseur"].pk),
    }
    bad = client.post("/beheer/cases/escalationladder/add/", {**data, "case_regisseur_days": "1"})
    assert bad.status_code == 200 and "De stappen moeten oplopen" in bad.content.decode()
    foreign = client.post(
        "/beheer/cases/escalationladder/add/",
        {**data, "project_leader": str(w.users["outsider"].pk)},
    )
    assert foreign.status_code == 200 and not EscalationLadder.objects.exists()
    assert client.post("/beheer/cases/escalationladder/add/", data).status_code == 302
    ladder = EscalationLadder.objects.get()
    assert ladder.municipality_id == w.gm.pk and ladder.case_type_id is None
    for persona in ("regisseur", "outsider"):
        client.force_login(w.users[persona])
        assert client.get("/beheer/cases/escalationladder/").status_code == 404

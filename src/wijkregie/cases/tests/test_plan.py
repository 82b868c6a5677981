"""Plan of action: the action status table pair by pair, goal and action services, progress
by the owner organisation (also an observer), refusals, closed case, history and audit."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from wijkregie.cases import plan_selectors, plan_services, services
from wijkregie.cases.action_states import (
    ACTION_TRANSITIONS,
    ActionStatus,
    action_rule,
    next_statuses,
)
from wijkregie.cases.models import Action, ActionNote, PlanChange
from wijkregie.cases.tests.conftest import (
    REASON,
    PlanWorld,
    access_for,
    close_case,
    in_days,
    start_case,
    viewer_of,
)
from wijkregie.privacy.models import AppendOnlyError, AuditEvent

pytestmark = pytest.mark.django_db

NOTE = "Gesprek gevoerd met de bewoners"

# (from, to) -> (regie_only, needs_note), written out by hand; every other pair is refused.
EXPECTED = {
    ("open", "bezig"): (False, False),
    ("open", "afgerond"): (False, True),
    ("open", "geannuleerd"): (True, True),
    ("bezig", "open"): (False, True),
    ("bezig", "afgerond"): (False, True),
    ("bezig", "geannuleerd"): (True, True),
    ("afgerond", "bezig"): (True, True),
    ("geannuleerd", "open"): (True, True),
}


def codes(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return {name: [e.code or "" for e in errors] for name, errors in exc.value.error_dict.items()}


@pytest.mark.parametrize(
    ("current", "target"), list(itertools.product([s.value for s in ActionStatus], repeat=2))
)
def test_action_status_table_pair_by_pair(current: str, target: str) -> None:
    rule = action_rule(current, target)
    expected = EXPECTED.get((current, target))
    if expected is None:
        assert rule is None
    else:
        assert rule is not None and (rule.regie_only, rule.needs_note) == expected


def test_action_status_table_has_nothing_else() -> None:
    assert {(a.value, b.value) for a, b in ACTION_TRANSITIONS} == set(EXPECTED)
    assert action_rule("open", "onbekend") is None
    assert next_statuses("open", regie=False) == ["bezig", "afgerond"]
    assert next_statuses("open", regie=True) == ["bezig", "afgerond", "geannuleerd"]
    assert next_statuses("afgerond", regie=False) == []


def test_plan_changes_are_versioned_and_audited(pw: PlanWorld) -> None:
    history = list(PlanChange.objects.filter(case=pw.case).order_by("version"))
    assert [(h.version, h.kind) for h in history] == [
        (1, "goal_add"),
        (2, "action_add"),
        (3, "action_add"),
    ]
    assert AuditEvent.objects.filter(action="action_add").count() == 2
    with pytest.raises(AppendOnlyError):
        history[0].save()
    with pytest.raises(AppendOnlyError):
        history[0].delete()
    regisseur = viewer_of(pw.world, "regisseur")
    plan_services.goal_update(
        viewer=regisseur,
        access=access_for(pw.world, "regisseur", pw.case),
        goal=pw.goal,
        status="deels",
    )
    last = PlanChange.objects.filter(case=pw.case).order_by("-version").first()
    assert last is not None and last.version == 4 and last.changes == {"status": ["open", "deels"]}


def test_only_the_casusregisseur_manages_the_plan(pw: PlanWorld) -> None:
    world = pw.world
    for persona in ("wijkagent", "jongerenwerker", "analist"):
        with pytest.raises(ValidationError) as exc:
            plan_services.goal_add(
                viewer=viewer_of(world, persona),
                access=access_for(world, persona, pw.case),
                life_domain=world.domains["wonen"],
                description="Woning op orde",
            )
        assert codes(exc) == {"case": ["forbidden"]}
        with pytest.raises(ValidationError) as exc:
            plan_services.action_add(
                viewer=viewer_of(world, persona),
                access=access_for(world, persona, pw.case),
                description="Nog een actie",
                owner_organisation=world.orgs["politie"],
                due_date=in_days(3),
            )
        assert codes(exc) == {"case": ["forbidden"]}


def test_action_rules_all_at_once(pw: PlanWorld) -> None:
    world = pw.world
    other_case = start_case(world, title="Andere casus")
    other_goal = plan_services.goal_add(
        viewer=viewer_of(world, "regisseur"),
        access=access_for(world, "regisseur", other_case),
        life_domain=world.domains["wonen"],
        description="Ander doel",
    )
    with pytest.raises(ValidationError) as exc:
        plan_services.action_add(
            viewer=viewer_of(world, "regisseur"),
            access=access_for(world, "regisseur", pw.case),
            description="x",
            owner_organisation=world.orgs["corporatie"],  # does not take part
            due_date=timezone.localdate() - dt.timedelta(days=1),
            goal=other_goal,
        )
    assert codes(exc) == {
        "description": ["required"],
        "owner_organisation": ["not_participant"],
        "due_date": ["past"],
        "goal": ["invalid"],
    }
    # A person who does not take part for the owner organisation is refused.
    with pytest.raises(ValidationError) as exc:
        plan_services.action_add(
            viewer=viewer_of(world, "regisseur"),
            access=access_for(world, "regisseur", pw.case),
            description="Huisbezoek",
            owner_organisation=world.orgs["politie"],
            owner_user=world.users["jongerenwerker"],
            due_date=in_days(3),
        )
    assert codes(exc) == {"owner_user": ["not_participant"]}


def test_owner_moves_its_action_and_adds_notes(pw: PlanWorld) -> None:
    world = pw.world
    agent = viewer_of(world, "wijkagent")
    access = access_for(world, "wijkagent", pw.case)
    before = pw.police_action.updated_at
    note = plan_services.action_progress(
        viewer=agent, access=access, action=pw.police_action, status="bezig"
    )
    assert (note.from_status, note.to_status, note.organisation_id) == (
        "open",
        "bezig",
        world.orgs["politie"].pk,
    )
    # A note without a status change.
    plan_services.action_progress(viewer=agent, access=access, action=pw.police_action, note=NOTE)
    # Done needs a note.
    with pytest.raises(ValidationError) as exc:
        plan_services.action_progress(
            viewer=agent, access=access, action=pw.police_action, status="afgerond"
        )
    assert codes(exc) == {"note": ["required"]}
    # Nothing at all is refused too.
    with pytest.raises(ValidationError) as exc:
        plan_services.action_progress(viewer=agent, access=access, action=pw.police_action)
    assert codes(exc) == {"note": ["required"]}
    # Cancelling is the casusregisseur's.
    with pytest.raises(ValidationError) as exc:
        plan_services.action_progress(
            viewer=agent, access=access, action=pw.police_action, status="geannuleerd", note=NOTE
        )
    assert codes(exc) == {"status": ["regie_only"]}
    plan_services.action_progress(
        viewer=agent, access=access, action=pw.police_action, status="afgerond", note=NOTE
    )
    action = Action.objects.get(pk=pw.police_action.pk)
    assert action.status == "afgerond" and action.updated_at > before
    assert [n.to_status for n in ActionNote.objects.filter(action=action)] == [
        "bezig",
        "",
        "afgerond",
    ]
    with pytest.raises(AppendOnlyError):
        ActionNote.objects.filter(action=action).first().save()  # type: ignore[union-attr]
    # Reopening a done action: only the casusregisseur, with a note.
    with pytest.raises(ValidationError) as exc:
        plan_services.action_progress(
            viewer=agent, access=access, action=action, status="bezig", note=NOTE
        )
    assert codes(exc) == {"status": ["regie_only"]}
    plan_services.action_progress(
        viewer=viewer_of(world, "regisseur"),
        access=access_for(world, "regisseur", pw.case),
        action=action,
        status="bezig",
        note=NOTE,
    )
    assert Action.objects.get(pk=action.pk).status == "bezig"
    assert AuditEvent.objects.filter(action="action_status").count() == 3
    assert AuditEvent.objects.filter(action="action_note").count() == 1


def test_observer_updates_own_action_but_not_another_organisations(pw: PlanWorld) -> None:
    world = pw.world
    youth = viewer_of(world, "jongerenwerker")
    access = access_for(world, "jongerenwerker", pw.case)
    plan_services.action_progress(
        viewer=youth, access=access, action=pw.youth_action, status="bezig", note=NOTE
    )
    assert Action.objects.get(pk=pw.youth_action.pk).status == "bezig"
    with pytest.raises(ValidationError) as exc:
        plan_services.action_progress(
            viewer=youth, access=access, action=pw.police_action, note=NOTE
        )
    assert codes(exc) == {"action": ["forbidden"]}


def test_analyst_participant_does_not_update(pw: PlanWorld) -> None:
    world = pw.world
    with pytest.raises(ValidationError) as exc:
        plan_services.action_progress(
            viewer=viewer_of(world, "analist"),
            access=access_for(world, "analist", pw.case),
            action=pw.police_action,
            note=NOTE,
        )
    assert codes(exc) == {"action": ["forbidden"]}


def test_closed_case_plan_is_read_only(pw: PlanWorld) -> None:
    world = pw.world
    regisseur = viewer_of(world, "regisseur")
    close_case(world, pw.case)
    access = access_for(world, "regisseur", pw.case)
    with pytest.raises(ValidationError) as exc:
        plan_services.goal_add(
            viewer=regisseur, access=access, life_domain=world.domains["wonen"], description="Doel"
        )
    assert codes(exc) == {"case": ["closed"]}
    with pytest.raises(ValidationError) as exc:
        plan_services.goal_update(viewer=regisseur, access=access, goal=pw.goal, status="bereikt")
    assert codes(exc) == {"case": ["closed"]}
    with pytest.raises(ValidationError) as exc:
        plan_services.action_add(
            viewer=regisseur,
            access=access,
            description="Nog een actie",
            owner_organisation=world.orgs["politie"],
            due_date=in_days(3),
        )
    assert codes(exc) == {"case": ["closed"]}
    for persona in ("regisseur", "wijkagent"):
        with pytest.raises(ValidationError) as exc:
            plan_services.action_progress(
                viewer=viewer_of(world, persona),
                access=access_for(world, persona, pw.case),
                action=pw.police_action,
                status="bezig",
            )
        assert codes(exc) == {"case": ["closed"]}
    # Closed cases drop out of "my actions".
    assert plan_selectors.my_actions(viewer=viewer_of(world, "wijkagent")) == []
    # Reopened, the plan is writable again.
    services.case_transition(viewer=regisseur, access=access, to_phase="analyse", note=REASON)
    plan_services.action_progress(
        viewer=viewer_of(world, "wijkagent"),
        access=access_for(world, "wijkagent", pw.case),
        action=pw.police_action,
        status="bezig",
    )


def test_action_update_by_the_casusregisseur(pw: PlanWorld) -> None:
    world = pw.world
    updated = plan_services.action_update(
        viewer=viewer_of(world, "regisseur"),
        access=access_for(world, "regisseur", pw.case),
        action=pw.police_action,
        description="Huisbezoek wijkagent en corporatie",
        owner_organisation=world.orgs["jongerenwerk"],
        owner_user=world.users["jongerenwerker"],
        due_date=in_days(30),
        goal=None,
    )
    assert updated.owner_organisation_id == world.orgs["jongerenwerk"].pk
    last = PlanChange.objects.filter(case=pw.case).order_by("-version").first()
    assert last is not None and last.kind == "action_update"
    assert set(last.changes) == {"description", "owner", "owner_user", "due_date", "goal"}


def test_my_actions_per_persona(pw: PlanWorld) -> None:
    world = pw.world

    def mine(persona: str) -> set[str]:
        return {a.description for a in plan_selectors.my_actions(viewer=viewer_of(world, persona))}

    assert mine("wijkagent") == {"Huisbezoek wijkagent"}
    assert mine("jongerenwerker") == {"Jongeren aanspreken op het plein"}
    assert mine("regisseur") == set()  # gemeente owns no action
    assert mine("analist") == set()  # pseudonymised: no operational actions
    assert mine("corporatie") == set()
    assert mine("outsider") == set()
    # Removing the participant ends it on the next request.
    from wijkregie.cases.models import Participant

    row = Participant.objects.get(case=pw.case, user=world.users["jongerenwerker"])
    services.participant_remove(
        viewer=viewer_of(world, "regisseur"),
        access=access_for(world, "regisseur", pw.case),
        participant=row,
        reason=REASON,
    )
    assert mine("jongerenwerker") == set()


def test_overdue_and_stalled_queries(pw: PlanWorld) -> None:
    later = timezone.localdate() + dt.timedelta(days=10)
    overdue = set(
        Action.objects.filter(plan_selectors.overdue_actions_q(later)).values_list("pk", flat=True)
    )
    assert overdue == {pw.youth_action.pk}
    assert not Action.objects.filter(plan_selectors.overdue_actions_q()).exists()
    Action.objects.filter(pk=pw.police_action.pk).update(
        updated_at=timezone.now() - dt.timedelta(days=30)
    )
    stalled = set(
        Action.objects.filter(plan_selectors.stalled_actions_q(21)).values_list("pk", flat=True)
    )
    assert stalled == {pw.police_action.pk}

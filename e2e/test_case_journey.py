"""The whole casusregie journey in the browser, as the personas who do each step:

wijkagent nominates a signal for screening -> regisseur decides and starts the case ->
regisseur convenes a case meeting whose agenda shows the case, and a decision adds an action
for the politie -> regisseur adds a goal to the plan and asks for the printable plan ->
wijkagent updates the action from "mijn acties" -> regisseur closes the case with a result and
an evaluation. axe-core finds no WCAG 2.1 A/AA violations on any page on the way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from wijkregie.cases import services
from wijkregie.cases.models import Action, Case, CaseEvaluation, Goal, Meeting, Screening

REASONING = "Overlast en zorgen op meerdere leefgebieden; politie en gemeente nodig"
RESULT = "De overlast is gestopt en de betrokkene heeft weer hulp"


def test_screening_case_meeting_plan_action_closure(
    world: Any, new_page: Callable[..., Any], assert_accessible: Callable[[Any], None]
) -> None:
    services.ensure_default_case_types(municipality=world.gm)
    signal = world.signals["police_shared"]
    politie, wijkagent = world.orgs["politie"], world.users["wijkagent"]

    # 1. The wijkagent (professional, politie) nominates their signal.
    agent = new_page(wijkagent, bypass_csp=True)
    agent.goto(f"/casussen/screening/nieuw/?signaal={signal.uuid}")
    assert_accessible(agent)
    agent.select_option("#id_type", "persoon")
    agent.get_by_role("button", name="Verder").click()
    agent.wait_for_selector("#id_organisation")
    assert_accessible(agent)
    agent.get_by_label("Meer dan één leefgebied").check()
    agent.get_by_label("Meer dan één organisatie nodig").check()
    agent.get_by_role("button", name="Screening vastleggen").click()
    agent.wait_for_selector("#screening-criteria")
    assert_accessible(agent)
    screening = Screening.objects.get()
    assert screening.nominating_organisation == politie

    # 2. The regisseur finds it on the screening list, decides and starts the case.
    regie = new_page(world.users["regisseur"], bypass_csp=True)
    regie.goto("/casussen/screening/")
    assert_accessible(regie)
    regie.get_by_role("link", name="Persoon").first.click()
    regie.wait_for_selector("#screening-criteria")
    assert_accessible(regie)
    regie.get_by_label("Casus starten").check()
    regie.fill("#id_reasoning", REASONING)
    regie.get_by_role("button", name="Besluit vastleggen").click()
    regie.wait_for_url(f"**/casussen/screening/{screening.uuid}/casus/")
    assert_accessible(regie)
    regie.fill("#id_title", "Overlast portiek Noord")
    regie.get_by_role("button", name="Casus starten").click()
    regie.wait_for_selector("#case-phase")
    assert_accessible(regie)
    case = Case.objects.get()
    # The nominating wijkagent takes part for the politie.
    assert "Politie basisteam Demodam" in regie.inner_text("#participants")

    # 3. A case meeting on the phase's due date: the agenda shows the case; a decision adds
    #    an action for the politie to the plan.
    meeting_date = case.phase_due or timezone.localdate() + dt.timedelta(days=7)
    regie.goto("/casussen/overleggen/")
    assert_accessible(regie)
    regie.fill("#id_title", "Casusoverleg Noord")
    regie.fill("#id_date", meeting_date.isoformat())
    regie.get_by_role("button", name="Overleg aanmaken").click()
    regie.wait_for_selector("#meeting-heading")
    assert_accessible(regie)
    regie.select_option("#id_attendee-membership", f"{wijkagent.pk}:{politie.pk}")
    regie.get_by_role("button", name="Aanwezige toevoegen").click()
    regie.wait_for_selector("#attendees:has-text('Wijkagent')")
    regie.get_by_role("button", name="Agenda opstellen").click()
    regie.wait_for_selector("#agenda")
    assert_accessible(regie)
    assert case.reference in regie.inner_text("#item-1")
    regie.fill("#item-1 textarea[name$='-text']", "Wijkagent legt een huisbezoek af")
    regie.select_option(
        "#item-1 select[name$='-decided_by']",
        f"{world.users['regisseur'].pk}:{world.orgs['gemeente'].pk}",
    )
    regie.fill("#item-1 textarea[name$='-action_description']", "Huisbezoek wijkagent")
    regie.select_option("#item-1 select[name$='-action_owner']", f"{politie.pk}:{wijkagent.pk}")
    regie.fill(
        "#item-1 input[name$='-action_due_date']",
        (timezone.localdate() + dt.timedelta(days=10)).isoformat(),
    )
    regie.get_by_role("button", name="Besluit vastleggen").click()
    regie.wait_for_selector("#decisions-1")
    assert_accessible(regie)
    action = Action.objects.get()
    assert action.owner_organisation == politie and action.origin_decision is not None
    meeting = Meeting.objects.get()

    # 4. The plan: the action from the meeting is there; the regisseur adds a goal and asks
    #    for the printable plan (made in the background, listed under Rapportages).
    regie.goto(f"/casussen/{case.uuid}/plan/")
    assert_accessible(regie)
    assert "Huisbezoek wijkagent" in regie.inner_text("#actions")
    regie.select_option("#id_goal-life_domain", "veiligheid")
    regie.fill("#id_goal-description", "Geen overlast meer in de portiek")
    regie.get_by_role("button", name="Doel toevoegen").click()
    regie.wait_for_selector("#goals")
    assert_accessible(regie)
    goal = Goal.objects.get()
    regie.get_by_role("button", name="Plan afdrukken (PDF)").click()
    regie.wait_for_url("**/rapportages/")
    assert_accessible(regie)
    assert case.reference in regie.inner_text("main")

    # 5. The wijkagent finishes the action from "mijn acties".
    agent.goto("/casussen/mijn-acties/")
    assert_accessible(agent)
    prefix = f"#id_a{action.pk}"
    agent.select_option(f"{prefix}-status", "afgerond")
    agent.fill(f"{prefix}-note", "Huisbezoek afgelegd, afspraken gemaakt")
    with agent.expect_navigation():
        agent.get_by_role("button", name="Bijwerken").click()
    assert_accessible(agent)
    assert Action.objects.get().status == "afgerond"
    agent.goto(f"/casussen/overleggen/{meeting.uuid}/")
    assert_accessible(agent)

    # 6. The regisseur closes the case: refused without the evaluation, then with it.
    regie.goto(f"/casussen/{case.uuid}/")
    regie.get_by_role("link", name="Casus afsluiten met resultaat en evaluatie").click()
    regie.wait_for_selector("#close-heading")
    assert_accessible(regie)
    regie.get_by_label("Doelen bereikt").check()
    regie.fill("#id_result", RESULT)
    regie.get_by_role("button", name="Casus afsluiten").click()
    regie.wait_for_selector("#form-errors")
    assert_accessible(regie)
    assert Case.objects.get(pk=case.pk).phase != "afgesloten"
    regie.get_by_label("Doelen bereikt").check()
    regie.fill("#id_result", RESULT)
    regie.locator(f"#id_goal_{goal.uuid}_0").check()
    regie.get_by_role("button", name="Casus afsluiten").click()
    regie.wait_for_selector("#read-only")
    assert_accessible(regie)
    closed = Case.objects.get(pk=case.pk)
    assert closed.phase == "afgesloten" and closed.retain_until is not None
    assert "Veiligheid" in regie.inner_text("#evaluation")
    evaluation = CaseEvaluation.objects.get()
    assert evaluation.goal_outcomes[0]["outcome"] == "bereikt"

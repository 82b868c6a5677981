"""Case management in the browser: from a signal to a screening, its decision, a new case,
a phase change and closure with a result; a plan of action updated from "mijn acties" and a
case meeting with its agenda and a decision; axe-core finds no WCAG 2.1 A/AA violations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from wijkregie.cases import meeting_services, services
from wijkregie.cases.access import CaseAccess, participation
from wijkregie.cases.models import Action, Case, Meeting, MeetingDecision, Screening
from wijkregie.cases.tests.conftest import start_case
from wijkregie.tenants.access import viewer_for

REASON = "Meerdere leefgebieden en partners nodig volgens het wijkteam"
RESULT = "Alle doelen uit het plan van aanpak zijn bereikt"


def test_screening_to_case_to_closure(
    world: Any, new_page: Callable[..., Any], assert_accessible: Callable[[Any], None]
) -> None:
    services.ensure_default_case_types(municipality=world.gm)
    signal = world.signals["gemeente_own"]
    page = new_page(world.users["regisseur"], bypass_csp=True)

    page.goto(f"/casussen/screening/nieuw/?signaal={signal.uuid}")
    assert_accessible(page)
    page.select_option("#id_type", "persoon")
    page.get_by_role("button", name="Verder").click()
    page.wait_for_selector("#id_organisation")
    assert_accessible(page)
    page.get_by_label("Meer dan één leefgebied").check()
    page.get_by_role("button", name="Screening vastleggen").click()
    page.wait_for_selector("#screening-criteria")
    assert_accessible(page)
    screening = Screening.objects.get()

    # Decide without all criteria: refused with an error summary.
    page.get_by_label("Casus starten").check()
    page.fill("#id_reasoning", REASON)
    page.get_by_role("button", name="Besluit vastleggen").click()
    page.wait_for_selector("#form-errors")
    assert_accessible(page)
    page.get_by_label("Meer dan één organisatie nodig").check()
    page.get_by_label("Casus starten").check()
    page.fill("#id_reasoning", REASON)
    page.get_by_role("button", name="Besluit vastleggen").click()
    page.wait_for_url(f"**/casussen/screening/{screening.uuid}/casus/")
    assert_accessible(page)
    page.fill("#id_title", "Portiek Noord")
    page.get_by_role("button", name="Casus starten").click()
    page.wait_for_selector("#case-phase")
    assert_accessible(page)
    case = Case.objects.get()
    assert page.inner_text("#case-phase") == "Aanmelding"

    page.select_option("#id_phase", "analyse")
    page.get_by_role("button", name="Fase wijzigen").click()
    page.wait_for_selector("#case-phase:has-text('Analyse')")

    # Closing is not in the phase list; it has its own page, with the evaluation.
    assert page.locator("#id_phase option[value='afgesloten']").count() == 0
    page.click("#close-link")
    page.wait_for_selector("#close-heading")
    # Closing without a result: refused, on the page, accessibly.
    page.get_by_role("button", name="Casus afsluiten").click()
    page.wait_for_selector("#form-errors")
    assert_accessible(page)
    assert Case.objects.get().phase == "analyse"
    page.get_by_label("Doelen bereikt").check()
    page.fill("#id_result", RESULT)
    page.get_by_role("button", name="Casus afsluiten").click()
    page.wait_for_selector("#read-only")
    assert_accessible(page)
    assert page.inner_text("#case-phase") == "Afgesloten"
    assert Case.objects.get(pk=case.pk).result == RESULT

    page.goto("/casussen/")
    assert_accessible(page)
    assert case.reference in page.inner_text("#case-table")


def test_partner_without_need_to_know_gets_404_in_the_browser(
    world: Any, new_page: Callable[..., Any], assert_accessible: Callable[[Any], None]
) -> None:
    services.ensure_default_case_types(municipality=world.gm)
    case = start_case(world)
    page = new_page(world.users["corporatie"], bypass_csp=True)
    response = page.goto(f"/casussen/{case.uuid}/")
    assert response is not None and response.status == 404
    page.goto("/casussen/")
    assert_accessible(page)
    assert page.locator("#case-empty").count() == 1


def test_plan_my_actions_and_meeting(
    world: Any, new_page: Callable[..., Any], assert_accessible: Callable[[Any], None]
) -> None:
    """Plan with a goal and an action -> the owner organisation's partner updates it from
    'mijn acties' -> the meeting agenda shows the case -> a decision is recorded."""
    services.ensure_default_case_types(municipality=world.gm)
    case = start_case(world)
    regisseur = viewer_for(world.users["regisseur"])
    assert regisseur is not None
    services.participant_add(
        viewer=regisseur,
        access=CaseAccess(case=case, participant=participation(regisseur, case), break_glass=None),
        user=world.users["wijkagent"],
        organisation=world.orgs["politie"],
        role="deelnemer",
    )
    due = timezone.localdate() + dt.timedelta(days=14)
    Case.objects.filter(pk=case.pk).update(phase_due=timezone.localdate() + dt.timedelta(days=2))

    page = new_page(world.users["regisseur"], bypass_csp=True)
    page.goto(f"/casussen/{case.uuid}/")
    page.get_by_role("link", name="Plan van aanpak: doelen en acties").click()
    page.wait_for_selector("#plan-heading")
    assert_accessible(page)
    page.select_option("#id_goal-life_domain", "veiligheid")
    page.fill("#id_goal-description", "Geen overlast meer in de portiek")
    page.get_by_role("button", name="Doel toevoegen").click()
    page.wait_for_selector("#goals")
    assert_accessible(page)
    # An action without an owner or date: refused with an error summary.
    page.fill("#id_action-description", "Huisbezoek wijkagent")
    page.get_by_role("button", name="Actie toevoegen").click()
    page.wait_for_selector("#form-errors")
    assert_accessible(page)
    page.fill("#id_action-description", "Huisbezoek wijkagent")
    owner = f"{world.orgs['politie'].pk}:{world.users['wijkagent'].pk}"
    page.select_option("#id_action-owner", owner)
    page.fill("#id_action-due_date", due.isoformat())
    page.get_by_role("button", name="Actie toevoegen").click()
    page.wait_for_selector("#actions")
    assert_accessible(page)
    action = Action.objects.get()
    assert page.inner_text("#plan-version") == "2"

    partner = new_page(world.users["wijkagent"], bypass_csp=True)
    partner.goto("/casussen/mijn-acties/")
    assert_accessible(partner)
    prefix = f"#id_a{action.pk}"
    partner.select_option(f"{prefix}-status", "bezig")
    partner.fill(f"{prefix}-note", "Afspraak gemaakt voor volgende week")
    partner.get_by_role("button", name="Bijwerken").click()
    partner.wait_for_selector(f"#action-{action.uuid} [data-action-status='bezig']")
    assert_accessible(partner)
    assert Action.objects.get().status == "bezig"
    partner.goto(f"/casussen/acties/{action.uuid}/")
    partner.wait_for_selector("#action-notes")
    assert_accessible(partner)

    page.goto("/casussen/overleggen/")
    assert_accessible(page)
    page.fill("#id_title", "Casusoverleg Noord")
    page.fill("#id_date", (timezone.localdate() + dt.timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Overleg aanmaken").click()
    page.wait_for_selector("#meeting-heading")
    assert_accessible(page)
    page.select_option(
        "#id_attendee-membership", f"{world.users['wijkagent'].pk}:{world.orgs['politie'].pk}"
    )
    page.get_by_role("button", name="Aanwezige toevoegen").click()
    page.wait_for_selector("#attendees:has-text('Wijkagent')")
    meeting = Meeting.objects.get()
    meeting_services.attendee_add(
        viewer=regisseur,
        meeting=meeting,
        user=world.users["corporatie"],
        organisation=world.orgs["corporatie"],
    )
    page.get_by_role("button", name="Agenda opstellen").click()
    page.wait_for_selector("#agenda")
    assert_accessible(page)
    assert case.reference in page.inner_text("#item-1")
    page.fill("#item-1 textarea[name$='-text']", "Huisbezoek samen met jongerenwerk")
    page.select_option(
        "#item-1 select[name$='-decided_by']",
        f"{world.users['wijkagent'].pk}:{world.orgs['politie'].pk}",
    )
    page.get_by_role("button", name="Besluit vastleggen").click()
    page.wait_for_selector("#decisions-1")
    assert_accessible(page)
    assert "besloten door Wijkagent" in page.inner_text("#decisions-1")
    decision = MeetingDecision.objects.get()
    assert decision.decided_by == world.users["wijkagent"]
    page.get_by_role("button", name="Besluitenlijst vaststellen").click()
    page.wait_for_selector("#minutes-state:has-text('vastgesteld')")
    assert_accessible(page)

    partner.goto(f"/casussen/overleggen/{decision.meeting.uuid}/")
    assert_accessible(partner)
    assert "Huisbezoek samen met jongerenwerk" in partner.inner_text("#decisions-1")

    # An attendee who does not take part in the case sees the item as 'besloten'.
    outsider_page = new_page(world.users["corporatie"], bypass_csp=True)
    outsider_page.goto(f"/casussen/overleggen/{meeting.uuid}/")
    assert_accessible(outsider_page)
    assert "besloten" in outsider_page.inner_text("#item-1")
    assert case.reference not in outsider_page.inner_text("#agenda")

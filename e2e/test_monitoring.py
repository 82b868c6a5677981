"""Monitoring and escalation in the browser (ADR 0019): the regisseur's dashboard, a reminder
in the partner's notifications, opening it (mark as read, then the action page with its
escalation history); axe-core finds no WCAG 2.1 A/AA violations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from wijkregie.cases import plan_services, services
from wijkregie.cases.access import CaseAccess, participation
from wijkregie.cases.escalation import run_escalation
from wijkregie.cases.models import Action, Case
from wijkregie.cases.tests.conftest import start_case
from wijkregie.tenants.access import viewer_for


def overdue_case(world: Any) -> tuple[Case, Action]:
    services.ensure_default_case_types(municipality=world.gm)
    case = start_case(world)
    regisseur = viewer_for(world.users["regisseur"])
    assert regisseur is not None

    def access() -> CaseAccess:
        fresh = Case.objects.select_related("case_type").get(pk=case.pk)
        return CaseAccess(case=fresh, participant=participation(regisseur, fresh), break_glass=None)

    services.participant_add(
        viewer=regisseur,
        access=access(),
        user=world.users["wijkagent"],
        organisation=world.orgs["politie"],
        role="deelnemer",
    )
    action = plan_services.action_add(
        viewer=regisseur,
        access=access(),
        description="Huisbezoek wijkagent",
        owner_organisation=world.orgs["politie"],
        owner_user=world.users["wijkagent"],
        due_date=timezone.localdate() + dt.timedelta(days=1),
        goal=None,
    )
    Action.objects.filter(pk=action.pk).update(due_date=timezone.localdate() - dt.timedelta(days=8))
    run_escalation()
    return case, action


def test_dashboard_notification_and_action_history(
    world: Any, new_page: Callable[..., Any], assert_accessible: Callable[[Any], None]
) -> None:
    case, action = overdue_case(world)

    page = new_page(world.users["regisseur"], bypass_csp=True)
    page.goto("/casussen/regie/")
    page.wait_for_selector("#overdue-table")
    assert case.reference in page.inner_text("#overdue-table")
    assert "Casusregisseur" in page.inner_text("#overdue-table")
    assert page.locator("#municipality-phases").count() == 1
    assert_accessible(page)
    page.fill("#id_dagen", "1")
    page.get_by_role("button", name="Toepassen").click()
    page.wait_for_selector("#overdue-table")
    assert "dagen=1" in page.url

    page = new_page(world.users["wijkagent"], bypass_csp=True)
    page.goto("/meldingen/")
    assert page.inner_text("#nav-notifications").startswith("Meldingen 1")
    assert "1 dag(en)" not in page.inner_text("#notifications")  # 8 days over
    assert case.reference in page.inner_text("#notifications")
    assert_accessible(page)
    page.get_by_role("button", name="Openen").click()
    page.wait_for_selector("#action-escalations")
    assert f"/casussen/acties/{action.uuid}/" in page.url
    assert "Herinnering aan de eigenaar" in page.inner_text("#action-escalations")
    assert_accessible(page)
    assert "wr-badge" not in page.inner_html("#nav-notifications")

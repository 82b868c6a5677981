"""Case management in the browser: from a signal to a screening, its decision, a new case,
a phase change and closure with a result; axe-core finds no WCAG 2.1 A/AA violations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wijkregie.cases import services
from wijkregie.cases.models import Case, Screening

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

    # Closing without a result: refused, on the page, accessibly.
    page.select_option("#id_phase", "afgesloten")
    page.get_by_role("button", name="Fase wijzigen").click()
    page.wait_for_selector("#form-errors")
    assert_accessible(page)
    assert Case.objects.get().phase == "analyse"
    page.select_option("#id_phase", "afgesloten")
    page.select_option("#id_result_code", "doel_bereikt")
    page.fill("#id_result", RESULT)
    page.get_by_role("button", name="Fase wijzigen").click()
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
    from wijkregie.cases.tests.conftest import start_case

    case = start_case(world)
    page = new_page(world.users["corporatie"], bypass_csp=True)
    response = page.goto(f"/casussen/{case.uuid}/")
    assert response is not None and response.status == 404
    page.goto("/casussen/")
    assert_accessible(page)
    assert page.locator("#case-empty").count() == 1

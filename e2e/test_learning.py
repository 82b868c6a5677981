"""The practice library in the browser: search, a card, the review step, the meeting record
and the effect page; axe-core finds no WCAG 2.1 A/AA violations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wijkregie.learning.demo import create_demo_learning
from wijkregie.learning.models import Participation, PracticeCard


def test_practice_library(
    world: Any, new_page: Callable[..., Any], assert_accessible: Callable[[Any], None]
) -> None:
    Participation.objects.create(municipality=world.gm)
    meeting = create_demo_learning(municipality=world.gm)
    page = new_page(world.users["regisseur"], bypass_csp=True)

    page.goto("/leerkring/")
    assert_accessible(page)
    assert "Portiekaanpak met buurtconciërge" in page.inner_text("#card-table")

    page.get_by_role("link", name="Nieuwe praktijkkaart").click()
    page.wait_for_selector("#id_title")
    assert_accessible(page)
    page.get_by_role("button", name="Opslaan als concept").click()
    page.wait_for_selector("#form-errors")
    assert_accessible(page)
    page.fill("#id_title", "Straatcoaches op het plein")
    page.fill("#id_problem", "Jeugdoverlast in de avond")
    page.fill("#id_approach", "Straatcoaches spreken jongeren aan")
    page.select_option("#id_area_type", "centrum")
    page.fill("#id_contact_organisation", "Gemeente Demodam")
    page.get_by_label("Noord").check()
    page.get_by_role("button", name="Opslaan als concept").click()
    page.wait_for_selector("#card-status")
    assert_accessible(page)
    page.get_by_role("button", name="Aanbieden ter beoordeling").click()
    page.wait_for_selector("#four-eyes")
    assert_accessible(page)
    card = PracticeCard.objects.get(title="Straatcoaches op het plein")
    assert card.status == "ter_beoordeling"

    page.goto("/leerkring/?q=straatcoaches")
    assert_accessible(page)
    assert page.locator("#card-table tbody tr").count() == 1

    reviewer = new_page(world.users["beheerder"], bypass_csp=True)
    reviewer.goto(f"/leerkring/kaarten/{card.uuid}/")
    assert_accessible(reviewer)
    reviewer.get_by_label("Publiceren").check()
    reviewer.get_by_role("button", name="Beoordeling vastleggen").click()
    reviewer.wait_for_selector("#card-status:has-text('Gepubliceerd')")
    assert_accessible(reviewer)

    page.goto(f"/leerkring/bijeenkomsten/{meeting.uuid}/")
    assert_accessible(page)
    assert "23 september 2020" in page.inner_text("#meeting-date")
    assert page.locator("#sessions > li").count() == 5

    page.goto(
        f"/leerkring/effectmeting/?focus_area={world.focus.uuid}&categories=overlast-jeugd"
        "&start=2025-01"
    )
    page.wait_for_selector("#effect-statement")
    assert_accessible(page)
    assert "kunnen het niet zeggen" in page.inner_text("#effect-statement")


def test_outsider_gets_404_in_the_browser(
    world: Any, new_page: Callable[..., Any], assert_accessible: Callable[[Any], None]
) -> None:
    Participation.objects.create(municipality=world.gm)
    page = new_page(world.users["outsider"], bypass_csp=True)
    response = page.goto("/leerkring/")
    assert response is not None and response.status == 404
    assert_accessible(page)


def test_recording_a_meeting_in_the_browser(
    world: Any, new_page: Callable[..., Any], assert_accessible: Callable[[Any], None]
) -> None:
    from wijkregie.learning.models import Meeting

    Participation.objects.create(municipality=world.gm)
    page = new_page(world.users["regisseur"], bypass_csp=True)
    page.goto("/leerkring/bijeenkomsten/")
    page.click("#meeting-create")
    page.wait_for_selector("#id_theme")
    assert_accessible(page)
    # Nothing filled in: every missing part is named in the summary, accessibly.
    page.get_by_role("button", name="Bijeenkomst opslaan").click()
    page.wait_for_selector("#form-errors")
    assert_accessible(page)
    assert not Meeting.objects.exists()
    page.fill("#id_circle", "Leerkring leefbaarheid en veiligheid")
    page.fill("#id_date", "2026-11-26")
    page.fill("#id_theme", "Bewonerskracht in de wijk")
    page.fill("#id_sessions-0-title", "Opening en terugblik")
    page.select_option("#id_sessions-0-kind", "plenair")
    rows = page.locator("fieldset[id^='session-']").count()
    # More rows without JavaScript: the page comes back with what was typed, nothing saved.
    page.get_by_role("button", name="Meer sessierijen").click()
    page.wait_for_function(
        f"document.querySelectorAll(\"fieldset[id^='session-']\").length > {rows}"
    )
    assert page.input_value("#id_sessions-0-title") == "Opening en terugblik"
    assert not Meeting.objects.exists()
    page.fill(f"#id_sessions-{rows}-title", "Subsessie buurtconciërges")
    page.get_by_role("button", name="Bijeenkomst opslaan").click()
    page.wait_for_selector("#meeting-date")
    assert_accessible(page)
    meeting = Meeting.objects.get()
    assert meeting.theme == "Bewonerskracht in de wijk"
    assert page.locator("#sessions > li").count() == 2

"""axe-core (WCAG 2.1 A and AA) finds no violations on any page, in Dutch and in English."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

# name -> (persona or None, path built from the world, what to wait for)
PAGES: dict[str, tuple[str | None, Callable[[Any], str], str]] = {
    "login": (None, lambda w: "/inloggen/", "#id_username"),
    "home": ("regisseur", lambda w: "/", "h1"),
    "signal list": ("regisseur", lambda w: "/signalen/", "#signal-table"),
    "signal list, filtered": (
        "regisseur",
        lambda w: "/signalen/?status=open&domain=veiligheid&from=2020-01-01&area=BU99990101",
        "#signal-table",
    ),
    "signal list, bad filter": ("regisseur", lambda w: "/signalen/?from=gisteren", "#f-from"),
    "signal list, nothing found": ("regisseur", lambda w: "/signalen/?domain=wonen", "h1"),
    "signal detail": (
        "regisseur",
        lambda w: f"/signalen/{w.signals['gemeente_own'].uuid}/",
        "#id_status",
    ),
    "signal detail, pseudonymised": (
        "analist",
        lambda w: f"/signalen/{w.signals['gemeente_own'].uuid}/",
        "h1",
    ),
    "new signal": ("regisseur", lambda w: "/signalen/nieuw/", "#location-map[data-state=ready]"),
    "area list": ("regisseur", lambda w: "/gebieden/", "h1"),
    "area detail with map": (
        "regisseur",
        lambda w: f"/gebieden/{w.focus.uuid}/",
        "#area-map[data-state=ready] path",
    ),
    "accessibility": (None, lambda w: "/toegankelijkheid/", "h1"),
    "not found": ("regisseur", lambda w: "/signalen/00000000-0000-4000-8000-000000000000/", "h1"),
    "admin index": ("beheerder", lambda w: "/beheer/", "#content"),
    "admin changelist": ("beheerder", lambda w: "/beheer/signals/category/", "#result_list"),
    "admin change form": (
        "beheerder",
        lambda w: f"/beheer/signals/category/{w.categories['overlast-jeugd'].pk}/change/",
        "#category_form",
    ),
}


@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_axe_violations(
    name: str, world: Any, new_page: Any, assert_accessible: Any
) -> None:
    persona, path, ready = PAGES[name]
    page = new_page(world.users[persona] if persona else None, bypass_csp=True)
    response = page.goto(path(world))
    assert response is not None
    assert response.status == (404 if name == "not found" else 200)
    page.wait_for_selector(ready, state="attached")
    assert_accessible(page)


def test_new_signal_form_with_errors_has_no_axe_violations(
    world: Any, new_page: Any, assert_accessible: Any
) -> None:
    page = new_page(world.users["regisseur"], bypass_csp=True)
    page.goto("/signalen/nieuw/")
    page.fill("#id_lat", "48,85")
    page.fill("#id_lon", "abc")
    page.fill("#id_observed_at", "2999-01-01T10:00")
    page.get_by_role("button", name="Signaal registreren").click()
    page.wait_for_selector("#form-errors")
    assert page.locator("#form-errors li").count() >= 3
    # the error summary takes focus, so that it is read out first
    assert page.evaluate("document.activeElement.id") == "form-errors"
    assert_accessible(page)


def test_english_pages_have_no_axe_violations(
    world: Any, new_page: Any, assert_accessible: Any
) -> None:
    page = new_page(world.users["regisseur"], bypass_csp=True)
    page.goto("/signalen/")
    page.get_by_role("button", name="English").click()
    page.wait_for_selector("html[lang=en]")
    assert page.locator("h1").inner_text() == "Signals"
    assert_accessible(page)
    page.goto(f"/gebieden/{world.focus.uuid}/")
    page.wait_for_selector("#area-map[data-state=ready] path")
    assert_accessible(page)


def test_the_axe_check_reports_a_violation(world: Any, new_page: Any, axe: Any) -> None:
    """Guards the check itself: a page with a known problem must not pass."""
    page = new_page(None, bypass_csp=True)
    page.goto("/inloggen/")
    page.evaluate(
        """() => {
            const img = document.createElement("img");
            img.src = "/static/web/favicon.svg";
            document.querySelector("main").appendChild(img);
        }"""
    )
    assert "image-alt" in {v["id"] for v in axe(page)}

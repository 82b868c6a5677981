"""Keyboard use (skip link, a whole form without a mouse) and the two maps."""

from __future__ import annotations

import re
from typing import Any

import pytest

from wijkregie.signals.models import Signal
from wijkregie.testing.personas import totp_code

pytestmark = pytest.mark.e2e

ACTIVE = """() => {
    const el = document.activeElement;
    return {tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute("name") || "",
            text: (el.innerText || "").trim().slice(0, 80), role: el.getAttribute("role") || ""};
}"""


def tab_until(page: Any, predicate: Any, limit: int = 80) -> dict[str, str]:
    """Press Tab until the focused element matches; fail if it is never reached."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        active = page.evaluate(ACTIVE)
        if predicate(active):
            return dict(active)
        seen.append(active["id"] or active["name"] or active["text"] or active["tag"])
    raise AssertionError(f"not reached with Tab; focus went through: {seen}")


def test_skip_link_is_the_first_stop_and_leads_to_main(world: Any, new_page: Any) -> None:
    page = new_page(world.users["regisseur"])
    page.goto("/signalen/")
    page.keyboard.press("Tab")
    active = page.evaluate(ACTIVE)
    assert (active["tag"], active["text"]) == ("a", "Naar de hoofdinhoud")
    box = page.locator(".utrecht-skip-link").bounding_box()
    assert box is not None and box["width"] > 20 and box["y"] >= 0  # visible when focused
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"#main$"))
    assert page.evaluate(ACTIVE)["id"] == "main"
    # the next Tab continues inside main, not in the header
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_focus_is_visible(world: Any, new_page: Any) -> None:
    page = new_page(world.users["regisseur"])
    page.goto("/")
    tab_until(page, lambda a: a["text"] == "Signalen")
    outline = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"
    )
    assert outline[0] != "none" and outline[1] >= 2


def test_login_with_the_keyboard(world: Any, new_page: Any) -> None:
    page = new_page(None)
    page.goto("/inloggen/")
    # the username field has autofocus
    assert page.evaluate(ACTIVE)["id"] == "id_username"
    page.keyboard.type("regisseur")
    page.keyboard.press("Tab")
    page.keyboard.type("correct-horse-battery-staple")
    page.keyboard.press("Enter")
    # the second step (ADR 0015): the code field has autofocus too
    page.wait_for_url("**/inloggen/code/")
    assert page.evaluate(ACTIVE)["id"] == "id_code"
    page.keyboard.type(totp_code("regisseur"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/$"))
    assert page.locator("h1").inner_text() == "Welkom, Regisseur"


def test_new_signal_with_the_keyboard_only(world: Any, new_page: Any) -> None:
    page = new_page(world.users["regisseur"])
    page.goto("/signalen/nieuw/")
    page.wait_for_selector("#location-map[data-state=ready] path")
    tab_until(page, lambda a: a["id"] == "id_category")
    page.keyboard.press("ArrowDown")  # the first category after the empty choice
    assert page.input_value("#id_category") != ""
    tab_until(page, lambda a: a["id"] == "id_description")
    page.keyboard.type("Jongeren op het speelveld, alleen met toetsenbord gemeld")
    # the map: pan one step with an arrow key, then Enter picks the centre
    tab_until(page, lambda a: a["id"] == "location-map")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    assert page.input_value("#id_lat") != ""
    assert page.input_value("#id_lon") != ""
    assert "Gekozen locatie:" in page.locator("#location-map-status").inner_text()
    tab_until(page, lambda a: a["text"] == "Signaal registreren")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/signalen/[0-9a-f-]{36}/$"))
    assert "Het signaal is geregistreerd." in page.locator(".wr-messages").inner_text()
    signal = Signal.objects.get(description__startswith="Jongeren op het speelveld")
    assert signal.location_kind == "point"
    assert signal.registered_by == world.users["regisseur"]
    assert str(signal.uuid) in page.url


def test_clicking_the_map_fills_latitude_and_longitude(world: Any, new_page: Any) -> None:
    page = new_page(world.users["regisseur"])
    page.goto("/signalen/nieuw/")
    page.wait_for_selector("#location-map[data-state=ready] path")
    data = page.evaluate(
        "() => fetch(document.getElementById('location-map').dataset.geojsonUrl)"
        ".then(r => r.json())"
    )
    # Leaflet draws the buurten in the order of the GeoJSON; click in the middle of the first
    paths = page.locator("#location-map path")
    assert paths.count() == len(data["features"]) == 4
    page.locator("#location-map").scroll_into_view_if_needed()
    box = paths.nth(0).bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    lat = float(page.input_value("#id_lat"))
    lon = float(page.input_value("#id_lon"))
    ring = data["features"][0]["geometry"]["coordinates"][0]
    lons = [p[0] for p in ring]
    lats = [p[1] for p in ring]
    assert min(lats) < lat < max(lats)
    assert min(lons) < lon < max(lons)
    assert page.locator("#location-map path").count() == 5  # the buurten and the marker
    # and that point is taken over when the form is sent
    page.select_option("#id_category", str(world.categories["woonfraude"].pk))
    page.get_by_role("button", name="Signaal registreren").click()
    page.wait_for_url(re.compile(r"/signalen/[0-9a-f-]{36}/$"))
    signal = Signal.objects.latest("id")
    assert signal.neighbourhood is not None
    assert signal.neighbourhood.code == data["features"][0]["properties"]["code"]


def test_area_map_draws_every_buurt_with_the_counts_of_the_table(world: Any, new_page: Any) -> None:
    page = new_page(world.users["wijkagent"])  # sees three police signals, two in Noord
    page.goto(f"/gebieden/{world.focus.uuid}/")
    page.wait_for_selector("#area-map[data-state=ready] path")
    geojson = page.evaluate(
        "() => fetch(document.getElementById('area-map').dataset.geojsonUrl).then(r => r.json())"
    )
    from_geojson = {
        f["properties"]["code"]: f["properties"]["signalCount"] for f in geojson["features"]
    }
    from_paths = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll("#area-map path[data-code]")]
            .map(p => [p.dataset.code, Number(p.dataset.count)]))"""
    )
    from_table = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll("#counts-table tbody tr")]
            .map(r => [r.dataset.code, Number(r.cells[r.cells.length - 1].innerText)]))"""
    )
    assert page.locator("#area-map path").count() == len(geojson["features"]) == 2
    assert from_paths == from_geojson == from_table
    assert from_table == {"BU99990101": 1, "BU99990102": 1}
    # the darker colour goes to the buurt with more signals; equal counts, equal colours
    fills = page.evaluate(
        "() => [...document.querySelectorAll('#area-map path')].map(p => p.getAttribute('fill'))"
    )
    assert len(set(fills)) == 1
    assert page.locator("#area-map-legend span.wr-legend__swatch").count() >= 1


def test_area_map_follows_the_filters(world: Any, new_page: Any) -> None:
    page = new_page(world.users["wijkagent"])
    page.goto(f"/gebieden/{world.focus.uuid}/")
    page.select_option("#f-domain", "wonen")
    page.get_by_role("button", name="Filter toepassen").click()
    page.wait_for_url(re.compile(r"domain=wonen"))
    page.wait_for_selector("#area-map[data-state=ready] path")
    counts = page.evaluate(
        "() => [...document.querySelectorAll('#area-map path[data-code]')]"
        ".map(p => Number(p.dataset.count))"
    )
    assert counts == [0, 0]
    assert page.locator("#counts-table tfoot td").inner_text() == "0"

"""The public resident form end to end in a real browser, with axe on every page."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

OVERFLOW = """() => ({
    page: document.documentElement.scrollWidth,
    viewport: document.documentElement.clientWidth,
})"""


def _jpeg() -> bytes:
    from wijkregie.residents.tests.helpers import jpeg_with_gps

    return jpeg_with_gps()


def test_resident_report_end_to_end(world: Any, new_page: Any, assert_accessible: Any) -> None:
    from wijkregie.residents.models import ResidentReport

    page = new_page(None, bypass_csp=True)
    page.goto("/melden/GM9999/")
    assert page.url.endswith("/melden/GM9999/categorie/")

    # step 1: an empty submit shows the error summary, which takes focus
    page.get_by_role("button", name="Volgende stap").click()
    page.wait_for_selector("#form-errors")
    assert page.evaluate("document.activeElement.id") == "form-errors"
    assert_accessible(page)
    page.get_by_label("Jeugdoverlast").check()
    assert_accessible(page)
    page.get_by_role("button", name="Volgende stap").click()

    # step 2: tap the map in the third buurt (BU99990201)
    page.wait_for_url(re.compile(r"/locatie/$"))
    page.wait_for_selector("#report-map[data-state=ready] path")
    assert_accessible(page)
    paths = page.locator("#report-map path")
    assert paths.count() == 4
    page.locator("#report-map").scroll_into_view_if_needed()
    box = paths.nth(2).bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert page.input_value("#id_lat") != "" and page.input_value("#id_lon") != ""
    assert "Gekozen plek" in page.inner_text("#report-map-status")
    # with JavaScript the address part is hidden until chosen
    assert page.locator("[data-mode-section=adres]").is_hidden()
    page.get_by_role("button", name="Volgende stap").click()

    # step 3: description and a photo with GPS in its EXIF
    page.wait_for_url(re.compile(r"/omschrijving/$"))
    assert_accessible(page)
    page.fill("#id_description", "Elke avond staat er een groep bij het speelveld.")
    page.set_input_files(
        "#id_photo", files=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}]
    )
    page.get_by_role("button", name="Volgende stap").click()

    # step 4: e-mail with the privacy notice; a wrong address first
    page.wait_for_url(re.compile(r"/contact/$"))
    assert page.get_by_text("Wat doen wij met uw e-mailadres?").is_visible()
    page.fill("#id_email", "geen adres")
    page.get_by_role("button", name="Volgende stap").click()
    page.wait_for_selector("#form-errors")
    assert_accessible(page)
    page.fill("#id_email", "bewoner@example.org")
    page.get_by_role("button", name="Volgende stap").click()

    # step 5: review, with the honeypot out of sight, then submit
    page.wait_for_url(re.compile(r"/controleren/$"))
    assert_accessible(page)
    honeypot = page.locator("#id_website").bounding_box()
    assert honeypot is not None and honeypot["x"] + honeypot["width"] <= 0  # off screen
    assert page.get_attribute("#id_website", "tabindex") == "-1"
    assert "Eén foto, zonder locatiegegevens" in page.inner_text("main")
    page.get_by_role("button", name="Melding versturen").click()

    page.wait_for_url(re.compile(r"/bedankt/$"))
    assert_accessible(page)
    code = page.inner_text("#tracking-code").strip()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}", code)
    report = ResidentReport.objects.get()
    assert report.signal.neighbourhood is not None
    assert report.signal.neighbourhood.code == "BU99990201"
    assert report.signal.attachments.count() == 1

    page.get_by_role("link", name="Bekijk de status van uw melding").click()
    page.wait_for_url(re.compile(r"/status/[0-9A-Z-]+/$"))
    assert page.inner_text("#status-code") == code
    assert "Ontvangen" in page.inner_text("#current-status")
    assert "speelveld" not in page.inner_text("main")
    assert_accessible(page)

    # the lookup form, with a typing error, and an unknown code
    page.goto("/melden/GM9999/status/")
    assert_accessible(page)
    page.fill("#id_code", code.lower().replace("-", " "))
    page.get_by_role("button", name="Status bekijken").click()
    page.wait_for_url(re.compile(r"/status/[0-9A-Z-]+/$"))
    response = page.goto("/melden/GM9999/status/ABCD-EFGH-JK/")
    assert response is not None and response.status == 404
    assert_accessible(page)


def test_my_location_and_address_without_map(world: Any, new_page: Any) -> None:
    from wijkregie.residents.tests.helpers import POINT

    page = new_page(
        None,
        geolocation={"latitude": POINT.lat, "longitude": POINT.lon},
        permissions=["geolocation"],
    )
    page.goto("/melden/GM9999/categorie/")
    page.get_by_label("Jeugdoverlast").check()
    page.get_by_role("button", name="Volgende stap").click()
    page.wait_for_selector("#report-map[data-state=ready]")
    page.get_by_role("button", name="Mijn huidige locatie gebruiken").click()
    # (no wait_for_function: evaluating a string is eval, which the strict CSP forbids)
    page.wait_for_selector("#report-map-status:has-text('Uw huidige locatie is gekozen')")
    assert float(page.input_value("#id_lat")) == pytest.approx(POINT.lat, abs=1e-5)
    assert float(page.input_value("#id_lon")) == pytest.approx(POINT.lon, abs=1e-5)
    # choosing "address" shows the address fields and hides the map
    page.get_by_label("Met een adres").check()
    assert page.locator("#id_postcode").is_visible()
    assert page.locator("#report-map").is_hidden()


def test_form_works_without_javascript_on_a_narrow_screen(world: Any, new_page: Any) -> None:
    from wijkregie.residents.tests.helpers import POINT

    page = new_page(None, java_script_enabled=False, viewport={"width": 320, "height": 800})
    page.goto("/melden/GM9999/categorie/")
    page.get_by_label("Jeugdoverlast").check()
    page.get_by_role("button", name="Volgende stap").click()
    assert page.locator("#report-map").is_hidden()  # no empty map box without JavaScript
    page.get_by_label("Op de kaart of met mijn huidige locatie").check()
    page.fill("#id_lat", f"{POINT.lat:.6f}".replace(".", ","))
    page.fill("#id_lon", f"{POINT.lon:.6f}")
    too_wide = {}
    size = page.evaluate(OVERFLOW)
    if size["page"] > size["viewport"]:
        too_wide["locatie"] = size
    page.get_by_role("button", name="Volgende stap").click()
    page.fill("#id_description", "Zonder JavaScript gemeld.")
    page.get_by_role("button", name="Volgende stap").click()
    page.get_by_role("button", name="Volgende stap").click()
    for name in ("controleren",):
        size = page.evaluate(OVERFLOW)
        if size["page"] > size["viewport"]:
            too_wide[name] = size
    page.get_by_role("button", name="Melding versturen").click()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}", page.inner_text("#tracking-code"))
    size = page.evaluate(OVERFLOW)
    if size["page"] > size["viewport"]:
        too_wide["bedankt"] = size
    assert not too_wide, too_wide


def test_public_pages_keep_the_strict_csp_and_stay_on_the_server(
    world: Any, new_page: Any, live_server: Any
) -> None:
    from urllib.parse import urlsplit

    page = new_page(None)  # the real CSP: no bypass
    violations: list[str] = []
    hosts: set[str] = set()
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    page.add_init_script(
        """document.addEventListener("securitypolicyviolation", (e) => {
            window.__cspViolations = (window.__cspViolations || []).concat(
                [e.violatedDirective + " " + (e.blockedURI || "inline")]);
        });"""
    )
    page.goto("/melden/GM9999/categorie/")
    page.get_by_label("Jeugdoverlast").check()
    page.get_by_role("button", name="Volgende stap").click()
    page.wait_for_selector("#report-map[data-state=ready] path")
    page.locator("#report-map").click()  # draws the marker (element.style, allowed)
    page.get_by_label("Met een adres").check()  # hides a section (hidden attribute)
    page.get_by_label("Op de kaart of met mijn huidige locatie").check()
    violations += page.evaluate("window.__cspViolations || []")
    page.goto("/melden/GM9999/status/")
    violations += page.evaluate("window.__cspViolations || []")
    assert not violations, violations
    assert hosts == {urlsplit(live_server.url).netloc}

"""The strict CSP holds in a real browser, and every request stays on the server's own host."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from wijkregie.testing.personas import totp_code

pytestmark = pytest.mark.e2e


def tour(world: Any) -> list[tuple[str, str]]:
    """(path, selector that shows the page is fully drawn), maps included."""
    signal = world.signals["gemeente_own"]
    return [
        ("/", "h1"),
        ("/signalen/?status=open", "#signal-table"),
        (f"/signalen/{signal.uuid}/", "#id_status"),
        ("/signalen/nieuw/", "#location-map[data-state=ready] path"),
        ("/gebieden/", "h1"),
        (f"/gebieden/{world.focus.uuid}/", "#area-map[data-state=ready] path"),
        ("/toegankelijkheid/", "h1"),
        ("/signalen/00000000-0000-4000-8000-000000000000/", "h1"),
    ]


def test_no_content_security_policy_violations(world: Any, new_page: Any) -> None:
    page = new_page(None)  # the real CSP: no bypass
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    # The browser also fires an event for each violation; collect those as well.
    page.add_init_script(
        """document.addEventListener("securitypolicyviolation", (e) => {
            window.__cspViolations = (window.__cspViolations || []).concat(
                [e.violatedDirective + " " + (e.blockedURI || "inline")]);
        });"""
    )
    page.goto("/inloggen/")
    page.fill("#id_username", "regisseur")
    page.fill("#id_password", "correct-horse-battery-staple")
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url("**/inloggen/code/")  # the second step (ADR 0015)
    page.fill("#id_code", totp_code("regisseur"))
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url("**/")
    for path, ready in tour(world):
        page.goto(path)
        page.wait_for_selector(ready, state="attached")
        violations += page.evaluate("window.__cspViolations || []")
    # the map click and the marker it draws (element.style is allowed, style="" is not)
    page.goto("/signalen/nieuw/")
    page.wait_for_selector("#location-map[data-state=ready] path")
    page.locator("#location-map").click()
    assert page.input_value("#id_lat") != ""
    violations += page.evaluate("window.__cspViolations || []")
    assert "script-src 'self'" in _csp_header(page, "/")
    assert not violations, violations


def _csp_header(page: Any, path: str) -> str:
    response = page.request.get(path)
    return str(response.headers.get("content-security-policy", ""))


def test_the_csp_check_notices_inline_script(world: Any, new_page: Any) -> None:
    """Guards the check above: an inline script is refused and reported."""
    page = new_page(None)
    messages: list[str] = []
    page.on("console", lambda msg: messages.append(msg.text))
    page.goto("/inloggen/")
    page.evaluate(
        """() => {
            const s = document.createElement("script");
            s.textContent = "window.__ran = true";
            document.body.appendChild(s);
        }"""
    )
    page.wait_for_timeout(100)
    assert page.evaluate("window.__ran === undefined")
    assert any("Content Security Policy" in m for m in messages)


def test_every_request_goes_to_the_live_server(world: Any, new_page: Any, live_server: Any) -> None:
    page = new_page(world.users["regisseur"])
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    for path, ready in tour(world):
        page.goto(path)
        page.wait_for_selector(ready, state="attached")
    page.goto("/signalen/nieuw/")
    page.wait_for_selector("#location-map[data-state=ready] path")
    page.locator("#location-map").click()  # draws a marker
    admin = new_page(world.users["beheerder"])
    admin.on("request", lambda request: requests.append(request.url))
    for path in (
        "/beheer/",
        "/beheer/areas/focusarea/",
        f"/beheer/areas/focusarea/{world.focus.pk}/change/",
    ):
        admin.goto(path)
        admin.wait_for_selector("#content")
    server = urlsplit(live_server.url)
    # data: URLs (inline SVG icons in the component CSS) are not network requests.
    network = [url for url in requests if not url.startswith("data:")]
    assert any("/static/vendor/leaflet/leaflet.js" in url for url in network)
    assert any(url.endswith("/kaart.json") for url in network)
    elsewhere = [url for url in network if urlsplit(url).netloc != server.netloc]
    assert not elsewhere, elsewhere

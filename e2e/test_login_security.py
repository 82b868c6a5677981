"""Login hardening in the browser (ADR 0015): the code step, setting up an app, lockout,
login through the municipality's OIDC provider, framing refused, all under the real CSP."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from wijkregie.tenants import oidc, totp
from wijkregie.tenants.models import TotpDevice
from wijkregie.tenants.tests.oidc_provider import LocalProvider
from wijkregie.testing.personas import PASSWORD, totp_code

pytestmark = pytest.mark.e2e


def password_step(page: Any, username: str, password: str = PASSWORD) -> None:
    page.goto("/inloggen/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.get_by_role("button", name="Inloggen").click()


def test_login_with_password_and_code(world: Any, new_page: Any, assert_accessible: Any) -> None:
    page = new_page(None, bypass_csp=True)
    page.goto("/signalen/")
    assert "/inloggen/" in page.url
    page.fill("#id_username", "regisseur")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url("**/inloggen/code/")
    assert page.locator("h1").inner_text() == "Code invoeren"
    assert page.get_attribute("#id_code", "autocomplete") == "one-time-code"
    assert page.locator("nav[aria-label=Hoofdmenu]").count() == 0
    assert_accessible(page)
    # a wrong code: a Dutch error, still on the code page
    page.fill("#id_code", f"{(int(totp_code('regisseur')) + 1) % 1_000_000:06d}")
    page.get_by_role("button", name="Inloggen").click()
    assert "Deze code klopt niet." in page.locator("#form-errors").inner_text()
    assert_accessible(page)
    page.fill("#id_code", totp_code("regisseur"))
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(re.compile(r"/signalen/$"))
    assert page.locator("h1").count() == 1
    assert page.locator("nav[aria-label=Hoofdmenu]").count() == 1


def test_setting_up_an_authenticator_app(world: Any, new_page: Any, assert_accessible: Any) -> None:
    TotpDevice.objects.filter(user=world.users["analist"]).delete()
    page = new_page(None, bypass_csp=True)
    password_step(page, "analist")
    page.wait_for_url("**/inloggen/app-koppelen/")
    assert_accessible(page)
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    uri = page.get_attribute("#totp-uri", "href")
    assert uri is not None and uri.startswith("otpauth://totp/") and f"secret={secret}" in uri
    page.fill("#id_code", totp.code_at(secret, time.time()))
    page.get_by_role("button", name="Koppelen en inloggen").click()
    page.wait_for_url(re.compile(r"/$"))
    assert page.locator("h1").inner_text() == "Welkom, Analist"
    assert TotpDevice.objects.get(user=world.users["analist"]).confirmed_at is not None


def test_the_lockout_message(world: Any, new_page: Any) -> None:
    page = new_page(None)
    for _ in range(5):
        password_step(page, "wijkagent", "niet-het-wachtwoord")
    assert "Te veel mislukte pogingen om in te loggen." in page.locator("#form-errors").inner_text()
    password_step(page, "wijkagent")
    assert "/inloggen/" in page.url and "/code/" not in page.url
    assert "Probeer het over 15 minuten opnieuw." in page.locator("#form-errors").inner_text()


def test_login_through_the_municipality_provider(world: Any, new_page: Any, settings: Any) -> None:
    with LocalProvider() as provider:
        settings.OIDC_ISSUER = provider.issuer
        settings.OIDC_CLIENT_ID = provider.client_id
        settings.OIDC_CLIENT_SECRET = provider.client_secret
        settings.OIDC_MUNICIPALITY = "GM9999"
        settings.OIDC_LABEL = ""
        oidc._discovery.clear()
        provider.next_claims = {"sub": "1", "preferred_username": "wijkagent", "amr": ["pwd"]}
        page = new_page(None)
        page.goto("/inloggen/?next=/signalen/")
        page.get_by_role("link", name="Inloggen via uw gemeente-account").click()
        # the provider answers at once and sends the browser back; the code step follows
        page.wait_for_url("**/inloggen/code/")
        page.fill("#id_code", totp_code("wijkagent"))
        page.get_by_role("button", name="Inloggen").click()
        page.wait_for_url(re.compile(r"/signalen/$"))
        assert provider.token_requests[0]["code_verifier"]
    oidc._discovery.clear()


def test_pages_cannot_be_framed(world: Any, new_page: Any) -> None:
    page = new_page(None)
    headers = page.request.get("/inloggen/").headers
    assert headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    # even a page of the site itself cannot show the login page in a frame
    messages: list[str] = []
    page.on("console", lambda msg: messages.append(msg.text))
    page.goto("/toegankelijkheid/")
    page.evaluate(
        """() => { const f = document.createElement("iframe"); f.src = "/inloggen/";
                   f.title = "test"; document.body.appendChild(f); }"""
    )
    page.wait_for_timeout(500)
    texts = []
    for frame in page.frames[1:]:
        try:
            texts.append(frame.evaluate("() => document.body ? document.body.innerText : ''"))
        except Exception:  # a blocked frame may not be scriptable at all
            texts.append("")
    assert len(page.frames) == 2
    assert not any("Gebruikersnaam" in t for t in texts)
    assert any("frame-ancestors" in m for m in messages), messages

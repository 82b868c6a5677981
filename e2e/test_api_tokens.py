"""The beheerder's API token pages in Chromium: create, copy the secret once, revoke; axe clean."""

from __future__ import annotations

from typing import Any

import pytest

from wijkregie.tenants.models import ApiToken

pytestmark = pytest.mark.e2e


def test_create_copy_and_revoke_a_token(world: Any, new_page: Any) -> None:
    page = new_page(world.users["beheerder"])  # the real CSP: copy.js must work under it
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto("/")
    page.get_by_role("link", name="API-tokens").click()
    page.wait_for_selector("h1")
    assert page.locator("h1").inner_text() == "API-tokens van organisaties"
    page.get_by_role("link", name="Nieuw token voor Politie basisteam Demodam").click()
    page.get_by_role("button", name="Token aanmaken").click()  # no name: an error first
    page.wait_for_selector("#form-errors")
    assert page.evaluate("document.activeElement.id") == "form-errors"
    page.get_by_label("Naam").fill("BVH-koppeling")
    page.get_by_role("button", name="Token aanmaken").click()
    secret_field = page.locator("#token-secret")
    secret = secret_field.input_value()
    assert secret.startswith("wr_")
    copy = page.get_by_role("button", name="Kopieer het geheim")
    copy.click()
    page.wait_for_function(
        "() => document.getElementById('token-copy-status').textContent.length > 0"
    )
    assert page.evaluate("navigator.clipboard.readText()") == secret
    token = ApiToken.objects.get()
    assert token.prefix == secret[:8]

    page.get_by_role("link", name="Klaar: terug naar API-tokens").click()
    row = page.locator(f"#token-{token.uuid}")
    assert "BVH-koppeling" in row.inner_text()
    assert secret not in page.content()
    row.get_by_role("link", name="Intrekken").click()
    page.get_by_role("button", name="Ja, trek dit token in").click()
    page.wait_for_selector(".utrecht-alert--ok")
    assert "Ingetrokken op" in page.locator(f"#token-{token.uuid}").inner_text()
    token.refresh_from_db()
    assert token.revoked_at is not None


@pytest.mark.parametrize("step", ["list", "form with errors", "created", "revoke"])
def test_token_pages_have_no_axe_violations(
    world: Any, new_page: Any, assert_accessible: Any, step: str
) -> None:
    from wijkregie.tenants.services import organisation_token_create

    token, _ = organisation_token_create(
        actor=world.users["beheerder"], organisation=world.orgs["politie"], name="Bestaand"
    )
    page = new_page(world.users["beheerder"], bypass_csp=True)
    if step == "list":
        page.goto("/api-tokens/")
    elif step == "revoke":
        page.goto(f"/api-tokens/{token.uuid}/intrekken/")
    else:
        page.goto(f"/api-tokens/nieuw/{world.orgs['politie'].uuid}/")
        if step == "created":
            page.get_by_label("Naam").fill("Nieuw systeem")
        page.get_by_role("button", name="Token aanmaken").click()
        page.wait_for_selector("#token-secret" if step == "created" else "#form-errors")
    page.wait_for_selector("h1")
    assert_accessible(page)

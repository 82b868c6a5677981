"""Login through an OpenID Connect provider (authorization code + PKCE), against a local one."""

from __future__ import annotations

import html
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from pytest_django import Settings

from wijkregie.privacy.models import AuditEvent
from wijkregie.tenants import oidc
from wijkregie.tenants.tests.oidc_provider import LocalProvider
from wijkregie.testing.personas import World, totp_code


@pytest.fixture
def provider(settings: Settings) -> Iterator[LocalProvider]:
    with LocalProvider() as local:
        settings.OIDC_ISSUER = local.issuer
        settings.OIDC_CLIENT_ID = local.client_id
        settings.OIDC_CLIENT_SECRET = local.client_secret
        settings.OIDC_MUNICIPALITY = "GM9999"
        settings.OIDC_USERNAME_CLAIM = "preferred_username"
        settings.OIDC_TRUST_MFA = False
        oidc._discovery.clear()
        yield local
    oidc._discovery.clear()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def provider_redirect(url: str) -> str:
    """What the browser does at the provider: follow its authorize URL to the redirect back."""
    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(url)
    except urllib.error.HTTPError as exc:
        assert exc.code == 302
        return str(exc.headers["Location"])
    raise AssertionError("the provider did not redirect")


def login_via_provider(
    client: Client, claims: dict[str, Any], provider: LocalProvider, **q: str
) -> Any:
    provider.next_claims = claims
    start = client.get("/inloggen/gemeente/", q)
    assert start.status_code == 302
    back = urllib.parse.urlsplit(provider_redirect(start["Location"]))
    assert back.path == "/inloggen/gemeente/terug/"
    return client.get(back.path, dict(urllib.parse.parse_qsl(back.query)))


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def test_the_authorization_request_uses_pkce_state_and_nonce(
    world: World, provider: LocalProvider
) -> None:
    client = Client()
    response = client.get("/inloggen/gemeente/")
    url = urllib.parse.urlsplit(response["Location"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{provider.issuer}/authorize"
    query = dict(urllib.parse.parse_qsl(url.query))
    assert query["response_type"] == "code"
    assert query["client_id"] == "wijkregie"
    assert query["redirect_uri"] == "http://testserver/inloggen/gemeente/terug/"
    assert query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) == 43  # base64url of SHA-256, no padding
    assert query["scope"] == "openid profile email"
    flow = client.session[oidc.SESSION_KEY]
    assert flow["state"] == query["state"] and flow["nonce"] == query["nonce"]
    assert flow["verifier"] not in response["Location"]  # only the challenge leaves


def test_a_provider_login_with_mfa_logs_the_user_in(world: World, provider: LocalProvider) -> None:
    client = Client()
    response = login_via_provider(
        client,
        {"sub": "abc-1", "preferred_username": "regisseur", "amr": ["pwd", "otp"]},
        provider,
        next="/signalen/",
    )
    assert response.status_code == 302
    assert response["Location"] == "/signalen/"
    assert client.session["_auth_user_id"] == str(world.users["regisseur"].pk)
    token_request = provider.token_requests[0]
    assert token_request["grant_type"] == "authorization_code"
    assert len(token_request["code_verifier"]) >= 43
    assert AuditEvent.objects.get(action="login").changes == {"method": "oidc"}
    assert oidc.SESSION_KEY not in client.session


def test_without_mfa_at_the_provider_the_code_step_follows(
    world: World, provider: LocalProvider
) -> None:
    client = Client()
    response = login_via_provider(
        client, {"sub": "abc-1", "preferred_username": "regisseur", "amr": ["pwd"]}, provider
    )
    assert response["Location"] == "/inloggen/code/"
    assert "_auth_user_id" not in client.session
    done = client.post("/inloggen/code/", {"code": totp_code("regisseur")})
    assert done["Location"] == "/"
    assert AuditEvent.objects.get(action="login").changes == {"method": "oidc+totp"}


def test_trusting_the_provider_skips_the_code_step(
    world: World, provider: LocalProvider, settings: Settings
) -> None:
    settings.OIDC_TRUST_MFA = True
    client = Client()
    response = login_via_provider(client, {"sub": "x", "preferred_username": "wijkagent"}, provider)
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(world.users["wijkagent"].pk)


def test_users_are_matched_within_the_configured_municipality_only(
    world: World, provider: LocalProvider
) -> None:
    # "outsider" exists, but in the other municipality: no login, the same message as unknown
    messages = []
    for username in ("outsider", "onbekend"):
        client = Client()
        response = login_via_provider(
            client, {"sub": "o", "preferred_username": username, "amr": ["mfa"]}, provider
        )
        assert response["Location"] == "/inloggen/"
        assert "_auth_user_id" not in client.session
        messages.append(text(client.get("/inloggen/")))
    for body in messages:
        assert "Bij dit gemeente-account hoort geen Wijkregie-account." in body


def test_matching_by_email_claim(world: World, provider: LocalProvider, settings: Settings) -> None:
    settings.OIDC_USERNAME_CLAIM = "email"
    world.users["analist"].email = "Analist@Demodam.example"
    world.users["analist"].save()
    world.users["outsider"].email = "regisseur@demodam.example"  # another municipality
    world.users["outsider"].save()
    client = Client()
    claims = {
        "sub": "a",
        "email": "analist@demodam.example",
        "email_verified": True,
        "amr": ["mfa"],
    }
    assert login_via_provider(client, claims, provider)["Location"] == "/"
    assert client.session["_auth_user_id"] == str(world.users["analist"].pk)
    other = Client()
    claims = {"sub": "b", "email": "regisseur@demodam.example", "amr": ["mfa"]}
    assert login_via_provider(other, claims, provider)["Location"] == "/inloggen/"
    unverified = Client()
    claims = {
        "sub": "a",
        "email": "analist@demodam.example",
        "email_verified": False,
        "amr": ["mfa"],
    }
    assert login_via_provider(unverified, claims, provider)["Location"] == "/inloggen/"
    assert "_auth_user_id" not in unverified.session


def test_system_and_inactive_accounts_are_never_matched(
    world: World, provider: LocalProvider
) -> None:
    user = world.users["corporatie"]
    user.is_active = False
    user.save()
    client = Client()
    claims = {"sub": "c", "preferred_username": "corporatie", "amr": ["mfa"]}
    assert login_via_provider(client, claims, provider)["Location"] == "/inloggen/"
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("tamper", ["nonce", "audience", "issuer", "expired", "signature"])
def test_a_bad_id_token_is_refused(world: World, provider: LocalProvider, tamper: str) -> None:
    provider.tamper = tamper
    client = Client()
    response = login_via_provider(
        client, {"sub": "r", "preferred_username": "regisseur", "amr": ["mfa"]}, provider
    )
    assert response["Location"] == "/inloggen/"
    assert "_auth_user_id" not in client.session
    assert "Inloggen via de gemeente is niet gelukt." in text(client.get("/inloggen/"))


def test_a_forged_state_or_replayed_callback_is_refused(
    world: World, provider: LocalProvider
) -> None:
    client = Client()
    provider.next_claims = {"sub": "r", "preferred_username": "regisseur", "amr": ["mfa"]}
    start = client.get("/inloggen/gemeente/")
    back = urllib.parse.urlsplit(provider_redirect(start["Location"]))
    params = dict(urllib.parse.parse_qsl(back.query))
    forged = client.get(back.path, {**params, "state": "forged"})
    assert forged["Location"] == "/inloggen/"
    assert "_auth_user_id" not in client.session
    # the flow is used up: the genuine callback afterwards is refused as well
    assert client.get(back.path, params)["Location"] == "/inloggen/"
    assert "_auth_user_id" not in client.session
    # and a callback in another browser (no flow in its session) too
    assert Client().get(back.path, params)["Location"] == "/inloggen/"


def test_a_wrong_pkce_verifier_is_refused_by_the_provider(
    world: World, provider: LocalProvider
) -> None:
    client = Client()
    provider.next_claims = {"sub": "r", "preferred_username": "regisseur", "amr": ["mfa"]}
    start = client.get("/inloggen/gemeente/")
    back = urllib.parse.urlsplit(provider_redirect(start["Location"]))
    session = client.session
    session[oidc.SESSION_KEY]["verifier"] = "x" * 64
    session.save()
    response = client.get(back.path, dict(urllib.parse.parse_qsl(back.query)))
    assert response["Location"] == "/inloggen/"
    assert "_auth_user_id" not in client.session


def test_the_login_page_offers_the_provider_only_when_configured(
    world: World, provider: LocalProvider, settings: Settings
) -> None:
    assert "/inloggen/gemeente/" in Client().get("/inloggen/").content.decode()
    settings.OIDC_ISSUER = ""
    assert "/inloggen/gemeente/" not in Client().get("/inloggen/").content.decode()
    assert Client().get("/inloggen/gemeente/").status_code == 404
    assert Client().get("/inloggen/gemeente/terug/").status_code == 404


def test_an_unreachable_provider_gives_a_dutch_message(world: World, settings: Settings) -> None:
    settings.OIDC_ISSUER = "http://127.0.0.1:9/realm"
    settings.OIDC_CLIENT_ID = "wijkregie"
    settings.OIDC_MUNICIPALITY = "GM9999"
    settings.OIDC_TIMEOUT = 2
    oidc._discovery.clear()
    client = Client()
    response = client.get("/inloggen/gemeente/")
    assert response["Location"] == "/inloggen/"
    assert "Inloggen via de gemeente is nu niet mogelijk." in text(client.get("/inloggen/"))

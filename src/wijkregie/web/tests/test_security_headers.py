"""Security headers and cookie flags (ADR 0015), and the API rate limit."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.test import Client
from pytest_django import Settings

from wijkregie.tenants.services import api_token_create
from wijkregie.testing.personas import PASSWORD, World, totp_code


def test_the_production_defaults(settings: Settings) -> None:
    assert settings.DEBUG is False
    assert settings.SECURE_HSTS_SECONDS == 365 * 24 * 3600
    assert settings.SESSION_COOKIE_SECURE is True
    assert settings.CSRF_COOKIE_SECURE is True
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.CSRF_COOKIE_HTTPONLY is True
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert settings.MFA_REQUIRED is True


@pytest.mark.parametrize(
    "path", ["/inloggen/", "/melden/", "/api/v1/openapi.json", "/bestaat-niet/"]
)
def test_every_response_carries_the_security_headers(db: None, path: str) -> None:
    response = Client().get(path, secure=True)
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Strict-Transport-Security"] == "max-age=31536000"
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "default-src 'self'" in csp and "object-src 'none'" in csp


def test_no_hsts_over_plain_http_or_in_debug(db: None, settings: Settings) -> None:
    assert "Strict-Transport-Security" not in Client().get("/inloggen/")
    settings.SECURE_HSTS_SECONDS = 0  # what DEBUG=1 gives
    assert "Strict-Transport-Security" not in Client().get("/inloggen/", secure=True)


def test_cookies_are_secure_httponly_and_samesite(world: World) -> None:
    client = Client()
    page = client.get("/inloggen/", secure=True)
    csrf = page.cookies[django_settings.CSRF_COOKIE_NAME]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"
    client.post("/inloggen/", {"username": "regisseur", "password": PASSWORD}, secure=True)
    done = client.post("/inloggen/code/", {"code": totp_code("regisseur")}, secure=True)
    session = done.cookies[django_settings.SESSION_COOKIE_NAME]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    language = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, secure=True)
    chosen = language.cookies[django_settings.LANGUAGE_COOKIE_NAME]
    assert chosen["secure"] and chosen["httponly"] and chosen["samesite"] == "Lax"


def test_login_pages_are_not_cached(world: World) -> None:
    client = Client()
    assert "no-store" in client.get("/inloggen/")["Cache-Control"]
    client.post("/inloggen/", {"username": "regisseur", "password": PASSWORD})
    assert "no-store" in client.get("/inloggen/code/")["Cache-Control"]


# --- API rate limit -----------------------------------------------------------------------


def _rates(settings: Settings, user: str, anonymous: str) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api": user, "api_anonymous": anonymous},
    }


def test_the_api_limits_calls_per_token(world: World, settings: Settings) -> None:
    _rates(settings, "3/minute", "2/minute")
    _, secret = api_token_create(actor=None, user=world.users["regisseur"], name="a")
    _, other_secret = api_token_create(actor=None, user=world.users["regisseur"], name="b")
    client = Client(HTTP_AUTHORIZATION=f"Token {secret}")
    for _ in range(3):
        assert client.get("/api/v1/signals").status_code == 200
    refused = client.get("/api/v1/signals")
    assert refused.status_code == 429
    assert refused["Content-Type"].startswith("application/problem+json")
    assert int(refused["Retry-After"]) > 0
    assert refused.json()["status"] == 429
    # another token of the same user has its own budget
    assert (
        Client(HTTP_AUTHORIZATION=f"Token {other_secret}").get("/api/v1/signals").status_code == 200
    )


def test_the_api_limits_token_guessing_per_client(world: World, settings: Settings) -> None:
    _rates(settings, "100/minute", "2/minute")
    _, secret = api_token_create(actor=None, user=world.users["regisseur"], name="a")
    guesser = Client(REMOTE_ADDR="203.0.113.5", HTTP_AUTHORIZATION="Token wr_guess")
    assert [guesser.get("/api/v1/signals").status_code for _ in range(2)] == [401, 401]
    refused = guesser.get("/api/v1/signals")
    assert refused.status_code == 429
    assert refused["Content-Type"].startswith("application/problem+json")
    # from that client even a real token waits now; from another client it works
    real = {"HTTP_AUTHORIZATION": f"Token {secret}"}
    assert Client(REMOTE_ADDR="203.0.113.5", **real).get("/api/v1/signals").status_code == 429
    assert Client(REMOTE_ADDR="203.0.113.6", **real).get("/api/v1/signals").status_code == 200


def test_the_default_api_limits(settings: Settings) -> None:
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert rates == {"api": "1200/minute", "api_anonymous": "60/minute"}

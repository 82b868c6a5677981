"""Optional login through the municipality's OpenID Connect provider (ADR 0015).

Authorization code flow with PKCE (S256), `state` and `nonce`, all kept in the server-side
session. The ID token is checked with PyJWT against the provider's published keys (JWKS):
signature, issuer, audience, expiry and nonce. The user is an existing, active staff account
of settings.OIDC_MUNICIPALITY whose username (or e-mail address) equals the configured claim;
nobody is created and no other municipality's accounts are looked at.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
import urllib.parse
import urllib.request
from typing import Any

import jwt
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from wijkregie.tenants.models import User

SESSION_KEY = "wr_oidc_flow"
FLOW_SECONDS = 600
DISCOVERY_SECONDS = 3600
ALGORITHMS = ["RS256", "PS256", "ES256"]
# RFC 8176 authentication method references that mean more than a password.
MFA_AMR = frozenset({"mfa", "otp", "hwk", "swk", "sms", "fido", "sc", "face", "fpt"})

_discovery: dict[str, tuple[float, dict[str, Any]]] = {}
_jwks_clients: dict[str, jwt.PyJWKClient] = {}


class OidcError(Exception):
    """The login through the provider failed; `reason` is for the log, never for the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def enabled() -> bool:
    return bool(settings.OIDC_ISSUER and settings.OIDC_CLIENT_ID and settings.OIDC_MUNICIPALITY)


def _get_json(url: str, data: dict[str, str] | None = None) -> dict[str, Any]:
    if not url.startswith(("https://", "http://")):
        raise OidcError(f"unsupported URL scheme: {url[:40]}")
    headers = {"Accept": "application/json"}
    body = None
    if data is not None:
        body = urllib.parse.urlencode(data).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        if settings.OIDC_CLIENT_SECRET:  # client_secret_basic (RFC 6749 2.3.1)
            pair = (
                f"{urllib.parse.quote(settings.OIDC_CLIENT_ID, safe='')}:"
                f"{urllib.parse.quote(settings.OIDC_CLIENT_SECRET, safe='')}"
            )
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
    request = urllib.request.Request(url, data=body, headers=headers)  # noqa: S310 - scheme checked
    try:
        with urllib.request.urlopen(request, timeout=settings.OIDC_TIMEOUT) as response:  # noqa: S310
            result = json.loads(response.read(1_000_000))
    except (OSError, ValueError) as exc:
        raise OidcError(f"request to the provider failed: {type(exc).__name__}") from exc
    if not isinstance(result, dict):
        raise OidcError("provider answered with something else than a JSON object")
    return result


def discovery() -> dict[str, Any]:
    """The provider's metadata (cached for an hour), checked to belong to the issuer."""
    issuer = settings.OIDC_ISSUER
    cached = _discovery.get(issuer)
    if cached and time.monotonic() - cached[0] < DISCOVERY_SECONDS:
        return cached[1]
    document = _get_json(f"{issuer}/.well-known/openid-configuration")
    if str(document.get("issuer", "")).rstrip("/") != issuer:
        raise OidcError("issuer in the metadata differs from OIDC_ISSUER")
    for field in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(document.get(field), str):
            raise OidcError(f"metadata lacks {field}")
    _discovery[issuer] = (time.monotonic(), document)
    return document


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def redirect_uri(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("tenants:oidc-callback"))


def authorization_url(request: HttpRequest, *, next_url: str) -> str:
    """Start a login: remember state, nonce and PKCE verifier; the provider's URL to go to."""
    meta = discovery()
    state = secrets.token_urlsafe(32)
    nonce = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)
    request.session[SESSION_KEY] = {
        "state": state,
        "nonce": nonce,
        "verifier": verifier,
        "next": next_url,
        "at": time.time(),
    }
    params = {
        "response_type": "code",
        "client_id": settings.OIDC_CLIENT_ID,
        "redirect_uri": redirect_uri(request),
        "scope": settings.OIDC_SCOPES,
        "state": state,
        "nonce": nonce,
        "code_challenge": _b64url(hashlib.sha256(verifier.encode()).digest()),
        "code_challenge_method": "S256",
    }
    endpoint = meta["authorization_endpoint"]
    joiner = "&" if "?" in endpoint else "?"
    return f"{endpoint}{joiner}{urllib.parse.urlencode(params)}"


def _jwks_client(uri: str) -> jwt.PyJWKClient:
    client = _jwks_clients.get(uri)
    if client is None:
        client = jwt.PyJWKClient(uri, cache_keys=True, lifespan=3600, timeout=settings.OIDC_TIMEOUT)
        _jwks_clients[uri] = client
    return client


def finish(request: HttpRequest) -> tuple[dict[str, Any], str]:
    """The callback: exchange the code and verify the ID token. Returns (claims, next URL)."""
    flow = request.session.pop(SESSION_KEY, None)
    if not isinstance(flow, dict) or time.time() - float(flow.get("at", 0)) > FLOW_SECONDS:
        raise OidcError("no login in progress (or it expired)")
    if not hmac.compare_digest(str(request.GET.get("state", "")), str(flow["state"])):
        raise OidcError("state does not match")
    if request.GET.get("error"):
        raise OidcError(f"provider returned error {str(request.GET['error'])[:60]}")
    code = str(request.GET.get("code", ""))
    if not code:
        raise OidcError("no code in the callback")
    meta = discovery()
    tokens = _get_json(
        meta["token_endpoint"],
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri(request),
            "client_id": settings.OIDC_CLIENT_ID,
            "code_verifier": str(flow["verifier"]),
        },
    )
    id_token = tokens.get("id_token")
    if not isinstance(id_token, str):
        raise OidcError("token response has no id_token")
    try:
        key = _jwks_client(meta["jwks_uri"]).get_signing_key_from_jwt(id_token)
        claims = jwt.decode(
            id_token,
            key.key,
            algorithms=ALGORITHMS,
            audience=settings.OIDC_CLIENT_ID,
            issuer=settings.OIDC_ISSUER,
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            leeway=60,
        )
    except jwt.PyJWTError as exc:
        raise OidcError(f"ID token refused: {type(exc).__name__}") from exc
    if not hmac.compare_digest(str(claims.get("nonce", "")), str(flow["nonce"])):
        raise OidcError("nonce does not match")
    return claims, str(flow.get("next", ""))


def user_for_claims(claims: dict[str, Any]) -> User | None:
    """The one active staff account of the configured municipality the claims name, or None."""
    claim = settings.OIDC_USERNAME_CLAIM
    value = claims.get(claim)
    if not isinstance(value, str) or not value.strip():
        return None
    users = User.objects.filter(
        municipality__cbs_code=settings.OIDC_MUNICIPALITY,
        is_active=True,
        service_for__isnull=True,
    )
    if claim == "email":
        if claims.get("email_verified") is False:
            return None
        users = users.filter(email__iexact=value.strip())
    else:
        users = users.filter(username=value.strip())
    found = list(users[:2])
    return found[0] if len(found) == 1 else None


def provider_did_mfa(claims: dict[str, Any]) -> bool:
    amr = claims.get("amr")
    return bool(settings.OIDC_TRUST_MFA) or (
        isinstance(amr, list) and bool(MFA_AMR.intersection(str(a) for a in amr))
    )

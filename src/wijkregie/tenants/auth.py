"""API token authentication: `Authorization: Token <secret>`; only hashes are stored."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from wijkregie.tenants.models import ApiToken, User

TOKEN_PREFIX_LEN = 8


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_token_secret() -> str:
    return "wr_" + secrets.token_urlsafe(32)


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Ongeldige tokenheader.")
        try:
            secret = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed("Ongeldige tokenheader.") from exc
        from wijkregie.tenants.throttling import count_bad_token, refuse_if_guessing

        refuse_if_guessing(request)
        token = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=hash_token(secret), revoked_at__isnull=True)
            .first()
        )
        if (
            token is None
            or not token.user.is_active
            or token.user.municipality_id != token.municipality_id
            # An organisation token acts only as that organisation's own system account.
            or (
                token.organisation_id is not None
                and token.user.service_for_id != token.organisation_id
            )
        ):
            # One answer for unknown, revoked, deactivated and moved: nothing to probe.
            count_bad_token(request)
            raise exceptions.AuthenticationFailed("Ongeldig of ingetrokken token.")
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword

    def __repr__(self) -> Any:  # pragma: no cover - debugging aid
        return "ApiTokenAuthentication()"

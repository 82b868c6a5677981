"""Rate limit of the API (/api/v1/), per token or user, else per client (ADR 0015).

DRF's throttle over Django's cache: the default cache is per process, so with several worker
processes the effective limit is that many times the setting; configure a shared cache
(CACHES) where that matters. Keys are the token's or user's UUID, or an HMAC of the client's IP
address, never the address itself. A refused call gets 429 with Retry-After, as problem+json.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from wijkregie.tenants.lockout import client_key
from wijkregie.tenants.models import ApiToken


class ApiRateThrottle(SimpleRateThrottle):
    scope = "api"

    def allow_request(self, request: Request, view: Any) -> bool:
        authenticated = bool(request.user and request.user.is_authenticated)
        self.scope = "api" if authenticated else "api_anonymous"
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_rate(self) -> str | None:
        # Read on every call (not the class attribute DRF binds at import), so that a changed
        # setting takes effect, also in tests.
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
        return str(rate) if rate else None

    def get_cache_key(self, request: Request, view: Any) -> str:
        if isinstance(request.auth, ApiToken):
            ident = f"token:{request.auth.uuid}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{getattr(request.user, 'uuid', request.user.pk)}"
        else:
            ident = "client:" + client_key(str(request.META.get("REMOTE_ADDR", "")))
        return self.cache_format % {"scope": self.scope, "ident": ident}


def _bad_token_key(request: Any) -> str:
    return "throttle_bad_token_" + client_key(str(request.META.get("REMOTE_ADDR", "")))


def _anonymous_rate() -> tuple[int, int]:
    rate = api_settings.DEFAULT_THROTTLE_RATES.get("api_anonymous") or "60/minute"
    number, period = str(rate).split("/")
    return int(number), {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[0]]


def refuse_if_guessing(request: Any) -> None:
    """Before a token is looked up: 429 for a client that sent too many unknown tokens.

    Unauthenticated calls never reach the throttle above (DRF checks permissions first), so
    guessing tokens is limited here, per client, at the anonymous rate.
    """
    limit, _ = _anonymous_rate()
    if int(cache.get(_bad_token_key(request), 0)) >= limit:
        raise exceptions.Throttled(wait=_anonymous_rate()[1])


def count_bad_token(request: Any) -> None:
    key = _bad_token_key(request)
    _, duration = _anonymous_rate()
    if not cache.add(key, 1, timeout=duration):
        try:
            cache.incr(key)
        except ValueError:  # expired in between
            cache.set(key, 1, timeout=duration)

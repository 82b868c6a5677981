"""Lockout after repeated failed logins, per account and per client (ADR 0015).

Database-backed like the residents' rate limit (works across processes): one `LoginFailure`
row per failed step, keyed by an HMAC of the lower-cased username or of the client's IP
address. When an account (or a client) has LOGIN_MAX_FAILURES_* failures within
LOGIN_FAILURE_WINDOW seconds, logins are refused until LOGIN_LOCKOUT_SECONDS after the last of
them. A refused attempt is not counted and the password is not checked. Unknown usernames are
counted the same way, so the answers tell nothing about which accounts exist.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import math

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from wijkregie.privacy.services import audit
from wijkregie.tenants.models import LoginFailure, User

logger = logging.getLogger(__name__)

ACCOUNT = "account"
CLIENT = "client"


def _hmac(purpose: str, value: str) -> str:
    key = settings.PSEUDONYM_KEY.encode()
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def account_key(username: str) -> str:
    return _hmac("login-account", username.strip().lower())


def client_key(ip: str) -> str:
    return _hmac("login-client", ip)


def _limit(kind: str) -> int:
    if kind == ACCOUNT:
        return int(settings.LOGIN_MAX_FAILURES_ACCOUNT)
    return int(settings.LOGIN_MAX_FAILURES_CLIENT)


def _locked_for(kind: str, key: str, now: dt.datetime) -> int:
    """Seconds this key is still locked (0: not locked)."""
    limit = _limit(kind)
    window = dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW)
    lockout = dt.timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    times = list(
        LoginFailure.objects.filter(kind=kind, key=key, at__gt=now - window - lockout)
        .order_by("-at")
        .values_list("at", flat=True)[:limit]
    )
    if limit <= 0 or len(times) < limit:
        return 0
    newest, oldest = times[0], times[-1]
    if newest - oldest > window:  # the last `limit` failures were not within one window
        return 0
    remaining = (newest + lockout - now).total_seconds()
    return max(0, math.ceil(remaining))


def locked_seconds(*, username: str, ip: str, now: dt.datetime | None = None) -> int:
    """Seconds until this account may try again from this client; 0 when it may now."""
    now = now or timezone.now()
    return max(
        _locked_for(ACCOUNT, account_key(username), now),
        _locked_for(CLIENT, client_key(ip), now),
    )


@transaction.atomic
def record_failure(*, username: str, ip: str, step: str, now: dt.datetime | None = None) -> int:
    """Count a failed step ("password" or "code"); returns the lockout it causes (seconds).

    A lockout that starts here is written to the audit log of the account's municipality (or
    the system log when the username does not exist).
    """
    now = now or timezone.now()
    keys = {ACCOUNT: account_key(username), CLIENT: client_key(ip)}
    LoginFailure.objects.bulk_create(
        [LoginFailure(kind=kind, key=key, at=now) for kind, key in keys.items()]
    )
    horizon = dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW + settings.LOGIN_LOCKOUT_SECONDS)
    LoginFailure.objects.filter(at__lt=now - horizon).delete()
    locked = {kind: _locked_for(kind, key, now) for kind, key in keys.items()}
    if any(locked.values()):
        user = User.objects.filter(username__iexact=username.strip()).first()
        audit(
            actor=None,
            municipality_id=user.municipality_id if user else None,
            action="login_lockout",
            object_type="tenants.user",
            object_id=str(user.uuid) if user else "",
            changes={
                "step": step,
                "account_locked": bool(locked[ACCOUNT]),
                "client_locked": bool(locked[CLIENT]),
                "seconds": max(locked.values()),
                "client": keys[CLIENT][:12],
            },
        )
        logger.warning("login lockout (%s step, client %s)", step, keys[CLIENT][:12])
    return max(locked.values())


def clear_account(username: str) -> None:
    """After a complete login: the account's earlier failures no longer count."""
    LoginFailure.objects.filter(kind=ACCOUNT, key=account_key(username)).delete()

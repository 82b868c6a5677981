"""Writes for tenants, organisations, users and tokens."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from wijkregie.privacy.services import audit
from wijkregie.tenants.auth import TOKEN_PREFIX_LEN, hash_token, new_token_secret
from wijkregie.tenants.models import ApiToken, User


class TokenError(ValueError):
    """A token cannot be created or revoked; the message is for the person at the console."""


@transaction.atomic
def api_token_create(*, actor: User | None, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for `user`; returns the token row and the secret, shown once.

    `actor` is who hands out the token (None: the system, e.g. the command line). Only the
    SHA-256 hash of the secret and its first characters (to recognise it) are stored.
    """
    if user.municipality_id is None:
        raise TokenError("Een API-token hoort bij een gebruiker van een gemeente.")
    if not user.is_active:
        raise TokenError("Deze gebruiker is gedeactiveerd.")
    secret = new_token_secret()
    token = ApiToken(
        municipality_id=user.municipality_id,
        user=user,
        name=name,
        prefix=secret[:TOKEN_PREFIX_LEN],
        key_hash=hash_token(secret),
    )
    token.full_clean()
    token.save()
    audit(
        actor=actor,
        municipality_id=user.municipality_id,
        action="create",
        obj=token,
        changes={"name": name, "user": str(user.uuid), "prefix": token.prefix},
    )
    return token, secret


def active_tokens_with_prefix(prefix: str) -> list[ApiToken]:
    return list(
        ApiToken.objects.filter(prefix=prefix, revoked_at__isnull=True)
        .select_related("user")
        .order_by("created_at")
    )


@transaction.atomic
def api_token_revoke(*, actor: User | None, token: ApiToken) -> ApiToken:
    """Revoke a token at once; it keeps its row (and its hash) for the audit trail."""
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked_at is not None:
        raise TokenError("Dit token is al ingetrokken.")
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at"])
    audit(
        actor=actor,
        municipality_id=locked.municipality_id,
        action="revoke",
        obj=locked,
        changes={"name": locked.name, "user": str(locked.user.uuid), "prefix": locked.prefix},
    )
    return locked

"""Writes for tenants, organisations, users and tokens."""

from __future__ import annotations

from django.db import transaction

from wijkregie.privacy.services import audit
from wijkregie.tenants.auth import TOKEN_PREFIX_LEN, hash_token, new_token_secret
from wijkregie.tenants.models import ApiToken, User


@transaction.atomic
def api_token_create(*, actor: User, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for `user`; returns the token row and the secret, shown once."""
    if user.municipality_id is None:
        raise ValueError("A token needs a user of a municipality.")
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
        changes={"name": name, "user": str(user.uuid)},
    )
    return token, secret

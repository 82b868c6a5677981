"""Writes for tenants, organisations, users and tokens."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wijkregie.privacy.services import audit
from wijkregie.tenants.auth import TOKEN_PREFIX_LEN, hash_token, new_token_secret
from wijkregie.tenants.models import ApiToken, Membership, Organisation, Role, User

TOKEN_NAME_MAX = 100


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
        created_by=actor if getattr(actor, "pk", None) else None,
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


def service_username(organisation: Organisation) -> str:
    """The system account's name, as audit and access logs show it: `api-gm9999-politie`."""
    return f"api-{organisation.municipality.cbs_code.lower()}-{organisation.slug}"


def _service_user_for(*, actor: User | None, organisation: Organisation) -> User:
    """The organisation's system account, made on first use (inside the caller's transaction).

    It holds only the professional role in its own organisation and has no usable password:
    it exists to be the actor of what the organisation's tokens do.
    """
    existing = User.objects.filter(service_for=organisation).first()
    if existing is not None:
        return existing
    user = User(
        username=service_username(organisation),
        first_name=str(_("Systeemkoppeling")),
        last_name=organisation.name[:150],
        municipality_id=organisation.municipality_id,
        service_for=organisation,
    )
    user.set_unusable_password()
    try:
        with transaction.atomic():  # a savepoint: a concurrent first token may win the race
            user.save()
    except IntegrityError:
        found = User.objects.filter(service_for=organisation).first()
        if found is None:  # the username is taken by someone else: never reuse that account
            raise TokenError(
                str(_("De gebruikersnaam %(name)s is al in gebruik.") % {"name": user.username})
            ) from None
        return found
    Membership.objects.create(
        municipality_id=organisation.municipality_id,
        user=user,
        organisation=organisation,
        role=Role.PROFESSIONAL,
    )
    audit(
        actor=actor,
        municipality_id=organisation.municipality_id,
        action="create",
        obj=user,
        changes={
            "username": user.username,
            "service_for": organisation.slug,
            "role": Role.PROFESSIONAL.value,
        },
    )
    return user


@transaction.atomic
def organisation_token_create(
    *, actor: User | None, organisation: Organisation, name: str
) -> tuple[ApiToken, str]:
    """A token that acts as `organisation`'s system; returns the row and the secret (shown once).

    The caller has checked that `actor` may manage tokens of this organisation's municipality.
    """
    name = name.strip()
    if not name:
        raise TokenError(str(_("Geef het token een naam.")))
    if len(name) > TOKEN_NAME_MAX:
        raise TokenError(
            str(_("De naam is te lang: maximaal %(limit)d tekens.") % {"limit": TOKEN_NAME_MAX})
        )
    service_user = _service_user_for(actor=actor, organisation=organisation)
    if not service_user.is_active:
        raise TokenError(str(_("Het systeemaccount van deze organisatie is gedeactiveerd.")))
    secret = new_token_secret()
    token = ApiToken(
        municipality_id=organisation.municipality_id,
        user=service_user,
        organisation=organisation,
        name=name,
        prefix=secret[:TOKEN_PREFIX_LEN],
        key_hash=hash_token(secret),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    token.full_clean()
    token.save()
    audit(
        actor=actor,
        municipality_id=organisation.municipality_id,
        action="create",
        obj=token,
        changes={
            "name": name,
            "organisation": organisation.slug,
            "user": str(service_user.uuid),
            "prefix": token.prefix,
        },
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
        raise TokenError(str(_("Dit token is al ingetrokken.")))
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at"])
    audit(
        actor=actor,
        municipality_id=locked.municipality_id,
        action="revoke",
        obj=locked,
        changes={
            "name": locked.name,
            "user": str(locked.user.uuid),
            "prefix": locked.prefix,
            **({"organisation": locked.organisation.slug} if locked.organisation else {}),
        },
    )
    return locked

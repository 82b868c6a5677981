"""Second login step: a TOTP authenticator app per staff user (ADR 0015).

Secrets are stored encrypted with Fernet (AES-128-CBC + HMAC-SHA-256, from `cryptography`),
keyed by settings.MFA_ENCRYPTION_KEY or, when that is empty, by SECRET_KEY. The codes
themselves are computed by `tenants.totp` (RFC 6238).
"""

from __future__ import annotations

import base64
import hashlib
import time

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from wijkregie.privacy.services import audit
from wijkregie.tenants import totp
from wijkregie.tenants.models import TotpDevice, User


class MfaError(ValueError):
    """The secret cannot be read (the encryption key changed): the app must be set up again."""


def _fernet() -> Fernet:
    material = settings.MFA_ENCRYPTION_KEY or settings.SECRET_KEY
    key = hashlib.sha256(b"wijkregie-totp-secret:" + material.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_secret(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def decrypt_secret(device: TotpDevice) -> str:
    try:
        return _fernet().decrypt(device.secret_encrypted.encode()).decode()
    except InvalidToken as exc:
        raise MfaError("TOTP secret unreadable with the current key") from exc


def confirmed_device(user: User) -> TotpDevice | None:
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).first()


def has_confirmed_device(user: User) -> bool:
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def needs_second_step(user: User) -> bool:
    """Whether logging in takes a code: always with an app set up, else when MFA is required."""
    return bool(settings.MFA_REQUIRED) or has_confirmed_device(user)


def pending_device(user: User) -> tuple[TotpDevice, str]:
    """The unconfirmed device being set up (made on first call) and its secret, to show.

    Never for a user with a confirmed device: a password alone must not reveal a new secret.
    """
    with transaction.atomic():
        device = TotpDevice.objects.select_for_update().filter(user=user).first()
        if device is not None and device.confirmed_at is not None:
            raise MfaError("already confirmed")
        if device is not None:
            try:
                return device, decrypt_secret(device)
            except MfaError:
                device.delete()
        secret = totp.new_secret()
        device = TotpDevice.objects.create(user=user, secret_encrypted=encrypt_secret(secret))
        return device, secret


def set_known_secret(user: User, secret: str) -> TotpDevice:
    """Give `user` a confirmed app with this secret (test personas; never a view)."""
    device, _ = TotpDevice.objects.update_or_create(
        user=user,
        defaults={
            "secret_encrypted": encrypt_secret(secret),
            "confirmed_at": timezone.now(),
            "last_step": -1,
        },
    )
    return device


@transaction.atomic
def check_code(
    user: User, code: str, *, confirming: bool = False, now: float | None = None
) -> bool:
    """True when `code` is the current code of the user's app (and not used before).

    `confirming`: the first code that confirms a newly set-up app. The accepted time step is
    stored, so the same code cannot be used a second time (replay).
    """
    device = TotpDevice.objects.select_for_update().filter(user=user).first()
    if device is None or (device.confirmed_at is None) != confirming:
        return False
    try:
        secret = decrypt_secret(device)
    except MfaError:
        return False
    step = totp.match(
        secret, code, time.time() if now is None else now, after_step=device.last_step
    )
    if step < 0:
        return False
    device.last_step = step
    fields = ["last_step"]
    if confirming:
        device.confirmed_at = timezone.now()
        fields.append("confirmed_at")
    device.save(update_fields=fields)
    if confirming:
        audit(
            actor=user,
            municipality_id=user.municipality_id,
            action="mfa_enrol",
            obj=device,
            changes={"user": str(user.uuid)},
        )
    return True


@transaction.atomic
def reset_device(*, actor: User | None, user: User) -> bool:
    """Remove the user's app (lost phone): the next login sets up a new one. Audited."""
    deleted, _ = TotpDevice.objects.filter(user=user).delete()
    if deleted:
        audit(
            actor=actor,
            municipality_id=user.municipality_id,
            action="mfa_reset",
            object_type="tenants.totpdevice",
            object_id=str(user.uuid),
            changes={"user": str(user.uuid), "username": user.username},
        )
    return bool(deleted)


def provisioning(user: User, secret: str) -> dict[str, str]:
    """What the set-up page shows: the secret in groups and the otpauth:// URI."""
    return {
        "secret": totp.group(secret),
        "uri": totp.otpauth_uri(secret, account=user.username, issuer=settings.MFA_ISSUER),
    }

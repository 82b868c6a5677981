"""RFC 6238 time-based one-time passwords (TOTP), the codes of authenticator apps.

Pure computation, no ORM and no Django: about thirty lines with `hmac`, so no dependency for
something this small (ADR 0015). HMAC-SHA-1, 6 digits and 30-second steps: the defaults every
authenticator app (FreeOTP, Google/Microsoft Authenticator, 1Password, KeePassXC) supports.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
from urllib.parse import quote, urlencode

DIGITS = 6
STEP_SECONDS = 30
SECRET_BYTES = 20  # 160 bits, the size RFC 4226 recommends for HMAC-SHA-1


def new_secret() -> str:
    """A random shared secret in base32 without padding (as authenticator apps expect it)."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode().rstrip("=")


def _key(secret: str) -> bytes:
    clean = secret.replace(" ", "").upper()
    return base64.b32decode(clean + "=" * (-len(clean) % 8))


def hotp(key: bytes, counter: int, digits: int = DIGITS) -> str:
    """RFC 4226: HMAC of the 8-byte counter, dynamically truncated to `digits` digits."""
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def time_step(unix_time: float) -> int:
    return int(unix_time // STEP_SECONDS)


def code_at(secret: str, unix_time: float) -> str:
    """The code an authenticator app shows at `unix_time` for this base32 secret."""
    return hotp(_key(secret), time_step(unix_time))


def match(secret: str, code: str, unix_time: float, *, after_step: int = -1, drift: int = 1) -> int:
    """The time step `code` belongs to (within ±`drift` steps of now), or -1 for no match.

    A step at or before `after_step` (the last one used) never matches: a code works once.
    Comparison is constant-time per candidate.
    """
    code = code.replace(" ", "").strip()
    if len(code) != DIGITS or not code.isdigit():
        return -1
    key = _key(secret)
    now = time_step(unix_time)
    for step in range(now - drift, now + drift + 1):
        if step > after_step and hmac.compare_digest(hotp(key, step), code):
            return step
    return -1


def otpauth_uri(secret: str, *, account: str, issuer: str) -> str:
    """The `otpauth://totp/...` URI (Key Uri Format) that apps read from a QR code or link."""
    label = quote(f"{issuer}:{account}", safe="")
    query = urlencode(
        {"secret": secret, "issuer": issuer, "algorithm": "SHA1", "digits": DIGITS, "period": 30}
    )
    return f"otpauth://totp/{label}?{query}"


def group(secret: str) -> str:
    """The secret in groups of four characters, easier to type over from the screen."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))

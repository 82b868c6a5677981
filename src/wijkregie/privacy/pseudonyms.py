"""Keyed pseudonyms for the BSN (burgerservicenummer).

A BSN never enters the database, the logs or the person linker in clear: only its keyed
pseudonym, ``HMAC-SHA-256(key, "bsn:" + nine digits)`` as 64 hex characters. The key is
separate per municipality, so the same BSN has unrelated pseudonyms in two municipalities and a
table leaked from one cannot be joined with another's.

Key handling (no key is ever stored in the database or written to a log):

* ``PSEUDONYM_KEY_<CBS code>`` (e.g. ``PSEUDONYM_KEY_GM0363``) in the environment: that
  municipality's own key, used as is;
* otherwise the per-municipality key is derived from the master key ``PSEUDONYM_KEY``
  (settings.PSEUDONYM_KEY, read from the environment) with
  ``HMAC-SHA-256(master, "wijkregie/bsn-pseudonym/v1/" + code)``, a one-step HKDF-expand.

This module is pure (no ORM); Django settings are read only when no master key is passed.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from operator import mul

__all__ = [
    "bsn_is_valid",
    "clean_bsn",
    "municipality_key",
    "pseudonymise_bsn",
    "pseudonymise_many",
]

_DERIVATION_LABEL = b"wijkregie/bsn-pseudonym/v1/"
_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)
_OFFSET = 48 * sum(_WEIGHTS)  # the weights applied to the ASCII codes of "0"


def clean_bsn(value: object) -> str:
    """Nine digits, or '' when the value cannot be a BSN (wrong length, letters, 11-proof).

    Spaces, dots and hyphens are ignored; eight digits get the leading zero back (spreadsheets
    drop it).
    """
    if isinstance(value, str) and len(value) == 9 and value.isdigit() and value.isascii():
        return value if bsn_is_valid(value) else ""  # the common case, fast
    if value is None:
        return ""
    text = str(value).strip()
    if not text:
        return ""
    digits = text.replace(" ", "").replace(".", "").replace("-", "")
    if not digits.isdigit() or not digits.isascii():
        return ""
    if len(digits) == 8:
        digits = "0" + digits
    if len(digits) != 9:
        return ""
    return digits if bsn_is_valid(digits) else ""


def bsn_is_valid(digits: str) -> bool:
    """The 11-proof of a nine-digit string (weights 9..2 and -1); 000000000 is not valid."""
    if len(digits) != 9 or not digits.isdigit() or not digits.isascii():
        return False
    total = sum(map(mul, _WEIGHTS, digits.encode())) - _OFFSET
    return total % 11 == 0 and digits != "000000000"


def municipality_key(municipality_code: str, master: bytes | str | None = None) -> bytes:
    """The pseudonym key of one municipality (CBS code such as ``GM0363``). Never log it."""
    code = municipality_code.strip().upper()
    if not code:
        raise ValueError("municipality code required for a BSN pseudonym key")
    own = os.environ.get(f"PSEUDONYM_KEY_{code}", "")
    if own:
        return own.encode()
    if master is None:
        from django.conf import settings

        master = str(settings.PSEUDONYM_KEY)
    if isinstance(master, str):
        master = master.encode()
    if not master:
        raise ValueError("PSEUDONYM_KEY is empty")
    return hmac.digest(master, _DERIVATION_LABEL + code.encode(), hashlib.sha256)


def pseudonymise_bsn(bsn: object, key: bytes) -> str:
    """HMAC-SHA-256 pseudonym (64 hex) of a valid BSN; '' when missing or not 11-proof."""
    digits = clean_bsn(bsn)
    if not digits:
        return ""
    return hmac.digest(key, b"bsn:" + digits.encode(), hashlib.sha256).hex()


def pseudonymise_many(values: list[str], key: bytes) -> list[str]:
    """pseudonymise_bsn for many values at once (the 11-proof of plain nine digits in numpy)."""
    import numpy as np

    plain = [i for i, v in enumerate(values) if len(v) == 9 and v.isascii() and v.isdigit()]
    result = [""] * len(values)
    if plain:
        raw = np.frombuffer("".join(values[i] for i in plain).encode(), dtype=np.uint8)
        digits = raw.reshape(-1, 9).astype(np.int64) - 48
        proof = digits @ np.asarray(_WEIGHTS, dtype=np.int64)
        valid = (proof % 11 == 0) & (digits.sum(axis=1) > 0)
        for i, ok in zip(plain, valid.tolist(), strict=True):
            if ok:
                result[i] = hmac.digest(key, b"bsn:" + values[i].encode(), hashlib.sha256).hex()
    plain_set = set(plain)
    for i, value in enumerate(values):
        if i not in plain_set and value:
            result[i] = pseudonymise_bsn(value, key)
    return result

"""Tracking codes: unguessable, easy to read aloud and type (pure, no Django models).

30 symbols without look-alikes (no 0, O, 1, I, L or U), 10 of them: 30**10 ≈ 5.9e14
possibilities (49 bits), so guessing one of even a million codes takes ~10**8 tries.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 10
_CLEAN = re.compile(r"[\s\-–.]")


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def grouped(code: str) -> str:
    """'K7QM4RXP2W' -> 'K7QM-4RXP-2W'."""
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


def normalise(text: str) -> str | None:
    """What a resident typed -> the stored form, or None if it cannot be a code."""
    code = _CLEAN.sub("", text or "").upper()
    if len(code) != LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code

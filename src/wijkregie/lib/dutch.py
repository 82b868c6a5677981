"""Dutch formats: postcode, house number parts, BSN 11-proof."""

from __future__ import annotations

import re

POSTCODE_RE = re.compile(r"^\s*([1-9][0-9]{3})\s*([A-Za-z]{2})\s*$")
# Letter combinations PostNL never issues.
_POSTCODE_EXCLUDED_LETTERS = {"SA", "SD", "SS"}


def normalise_postcode(value: str) -> str | None:
    """'1234 ab' -> '1234AB'; None when it is not a valid Dutch postcode."""
    match = POSTCODE_RE.match(value or "")
    if not match:
        return None
    letters = match.group(2).upper()
    if letters in _POSTCODE_EXCLUDED_LETTERS:
        return None
    return f"{match.group(1)}{letters}"


def is_valid_bsn(value: str) -> bool:
    """BSN: 9 digits (8 with a leading zero dropped), passing the 11-proof, not all zeros."""
    digits = (value or "").strip()
    if len(digits) == 8:
        digits = "0" + digits
    if len(digits) != 9 or not digits.isdigit() or digits == "000000000":
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True))
    total -= int(digits[8])
    return total % 11 == 0


HUISLETTER_RE = re.compile(r"^[A-Za-z]$")
TOEVOEGING_RE = re.compile(r"^[A-Za-z0-9]{1,4}$")

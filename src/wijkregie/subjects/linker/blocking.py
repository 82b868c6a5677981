"""Blocking: candidate pairs from several keys, sort-based and vectorised.

Two records are compared only when they share at least one key:

====  ==========================================  ===========================================
key   parts                                       catches
====  ==========================================  ===========================================
b     BSN token                                   everything with a BSN
nd    surname core + birth date                   first-name variants, moves
vd    first-name initial + birth date             surname variants (marriage, typo, joined)
a     postcode + house number + initial           birth-date variants at the same address
nj    surname core + initial + birth year         day/month swap, day or month typo, moves
nm    surname core + initial + {day, month}       year typo, moves
====  ==========================================  ===========================================

A key shared by more than ``max_block_size`` records is skipped for that key (guard against
giant blocks: such values say little, and the other keys still apply).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from wijkregie.subjects.linker.normalise import (
    Features,
    given_names,
    house_number,
    parse_date,
    postcode,
    surname_forms,
)

if TYPE_CHECKING:
    from wijkregie.subjects.linker.api import PersonRecord

KEY_NAMES: tuple[str, ...] = ("b", "nd", "vd", "a", "nj", "nm")


def _mix(*parts: np.ndarray) -> np.ndarray:
    """One int64 per record for a tuple of non-negative int codes; -1 where any part is 0."""
    out = np.zeros(parts[0].size, dtype=np.int64)
    valid = np.ones(parts[0].size, dtype=bool)
    for part in parts:
        width = int(part.max()) + 1 if part.size else 1
        out = out * width + part
        valid &= part > 0
    out[~valid] = -1
    return out


def _day_month(dob: np.ndarray) -> np.ndarray:
    day = dob % 100
    month = (dob // 100) % 100
    low, high = np.minimum(day, month), np.maximum(day, month)
    return np.where(dob > 0, low * 100 + high, 0)


def key_arrays(f: Features) -> dict[str, np.ndarray]:
    year = np.where(f.dob > 0, f.dob // 10000, 0)
    return {
        "b": np.where(f.bsn > 0, f.bsn, -1),
        "nd": _mix(f.sur_core, f.dob),
        "vd": _mix(f.fn_initial, f.dob),
        "a": _mix(f.addr_pc, f.fn_initial + 1),
        "nj": _mix(f.sur_core, f.fn_initial, year),
        "nm": _mix(f.sur_core, f.fn_initial, _day_month(f.dob)),
    }


def record_keys(record: PersonRecord) -> list[str]:
    """The keys of one record as strings (for storage and lookup in the database).

    Built from the same normalised values as :func:`key_arrays`, so two records share a string
    key exactly when the batch linker would put them in the same block.
    """
    keys: list[str] = []
    token = str(record.bsn_token or "").strip().lower()
    dob = parse_date(record.geboortedatum)
    core, _ = surname_forms(record.tussenvoegsel or "", record.achternaam or "")
    initial = given_names(record.voornamen or "").initials[:1]
    code = postcode(record.postcode or "")
    number, _ = house_number(record.huisnummer, record.toevoeging or "")
    if token:
        keys.append(f"b:{token[:32]}")
    if core and dob:
        keys.append(f"nd:{core}|{dob}")
    if initial and dob:
        keys.append(f"vd:{initial}|{dob}")
    if code and number:
        keys.append(f"a:{code}{number}|{initial}")
    if core and initial and dob:
        day, month = dob % 100, (dob // 100) % 100
        keys.append(f"nj:{core}|{initial}|{dob // 10000}")
        keys.append(f"nm:{core}|{initial}|{min(day, month):02d}{max(day, month):02d}")
    return keys


def pairs_from_key(key: np.ndarray, max_block_size: int) -> tuple[np.ndarray, np.ndarray]:
    """All pairs (i < j) of records with the same key value, skipping blocks that are too big."""
    valid = np.flatnonzero(key >= 0)
    if valid.size < 2:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    order = valid[np.argsort(key[valid], kind="stable")]
    sorted_keys = key[order]
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    sizes = np.diff(np.r_[starts, sorted_keys.size])
    keep_block = (sizes >= 2) & (sizes <= max_block_size)
    if not keep_block.any():
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    block_of = np.repeat(np.arange(starts.size), sizes)
    member = keep_block[block_of]
    order, block_of = order[member], block_of[member]
    left_parts, right_parts = [], []
    largest = int(sizes[keep_block].max())
    for step in range(1, largest):
        same = np.flatnonzero(block_of[step:] == block_of[:-step])
        if same.size == 0:
            break
        left_parts.append(order[same])
        right_parts.append(order[same + step])
    left = np.concatenate(left_parts)
    right = np.concatenate(right_parts)
    return np.minimum(left, right), np.maximum(left, right)


def candidate_pairs(
    f: Features, max_block_size: int, keys: dict[str, np.ndarray] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Distinct candidate pairs (i < j) over all keys, sorted."""
    keys = key_arrays(f) if keys is None else keys
    codes = []
    n = np.int64(max(f.n, 1))
    for name in KEY_NAMES:
        left, right = pairs_from_key(keys[name], max_block_size)
        if left.size:
            codes.append(left * n + right)
    if not codes:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    unique = np.unique(np.concatenate(codes))
    return unique // n, unique % n

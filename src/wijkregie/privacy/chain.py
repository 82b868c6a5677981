"""The hash chain over the log tables (pure: no ORM, no Django).

Each log row carries ``chain_seq`` (1, 2, 3 … per chain), ``prev_hash`` (the previous row's
hash, 64 zeros for the first) and ``row_hash``::

    row_hash = SHA-256(canonical JSON of {table, version, the hashed fields, chain_seq, prev_hash})

A chain is one log table within one municipality (audit rows without a municipality form the
chain of municipality 0). Canonical JSON: sorted keys, no spaces, UTF-8; times as UTC ISO 8601
with microseconds; floats that are whole numbers as integers (PostgreSQL's jsonb gives 1e20
back as an integer). ADR 0012 explains the design.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ACCESS_FIELDS",
    "AUDIT_FIELDS",
    "GENESIS",
    "VERSION",
    "ChainRow",
    "Problem",
    "canonical_json",
    "row_hash",
    "verify_chain",
]

VERSION = 1
GENESIS = "0" * 64
# The fields each table's hash covers. Review columns (reviewed_at, reviewed_by) are not hashed:
# they are written once, later, and each review leaves its own (chained) audit row.
ACCESS_FIELDS = (
    "at",
    "municipality_id",
    "user_id",
    "username",
    "on_behalf_of",
    "organisation_id",
    "action",
    "object_type",
    "object_id",
    "subject_pseudonym",
    "purpose",
    "outcome",
    "access_point",
    "detail",
    "flagged",
)
AUDIT_FIELDS = (
    "at",
    "municipality_id",
    "user_id",
    "username",
    "action",
    "object_type",
    "object_id",
    "changes",
)


def _normalise(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError("Log times must be timezone-aware.")
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    if isinstance(value, bool) or value is None or isinstance(value, int | str):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, Mapping):
        return {str(k): _normalise(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_normalise(v) for v in value]
    raise TypeError(f"Cannot hash a value of type {type(value).__name__}.")


def canonical_json(data: Mapping[str, Any]) -> bytes:
    return json.dumps(
        _normalise(data), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def row_hash(
    table: str, fields: Iterable[str], values: Mapping[str, Any], *, seq: int, prev_hash: str
) -> str:
    """The hash of one row: its hashed fields, its place in the chain and the previous hash."""
    body = {name: values[name] for name in fields}
    body["_table"] = table
    body["_version"] = VERSION
    body["chain_seq"] = seq
    body["prev_hash"] = prev_hash
    return hashlib.sha256(canonical_json(body)).hexdigest()


@dataclass(frozen=True)
class ChainRow:
    id: int
    seq: int | None
    prev_hash: str
    row_hash: str
    values: Mapping[str, Any]


@dataclass(frozen=True)
class Problem:
    """The first broken row of a chain (row_id None: the chain's end is missing)."""

    table: str
    chain: int
    row_id: int | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.table} id={self.row_id}" if self.row_id is not None else self.table
        return f"{where} (gemeente-id {self.chain}): {self.reason}"


@dataclass
class ChainResult:
    rows: int = 0
    last_seq: int = 0
    last_hash: str = GENESIS
    problem: Problem | None = None


def verify_chain(
    table: str,
    fields: Iterable[str],
    chain: int,
    rows: Iterator[ChainRow],
    *,
    head_seq: int,
    head_hash: str,
    anchor_seq: int = 0,
    anchor_hash: str = GENESIS,
) -> ChainResult:
    """Walk one chain in (chain_seq, id) order; stop at the first broken row.

    Rows without a sequence number must come last (they were inserted outside the chain).
    ``head_seq``/``head_hash`` are what the chain head says was written last; the anchor is
    where the chain starts after a purge of older rows (0 and the genesis hash without one).
    """
    fields = tuple(fields)
    result = ChainResult(last_seq=anchor_seq, last_hash=anchor_hash)
    last_id: int | None = None

    def fail(row_id: int | None, reason: str) -> ChainResult:
        result.problem = Problem(table, chain, row_id, reason)
        return result

    for row in rows:
        if row.seq is None:
            return fail(row.id, "rij staat buiten de keten (geen volgnummer)")
        expected = result.last_seq + 1
        if row.seq < expected:
            return fail(row.id, f"volgnummer {row.seq} komt dubbel voor (ingevoegde rij)")
        if row.seq > expected:
            missing = (
                f"volgnummer {expected}"
                if row.seq == expected + 1
                else f"volgnummers {expected}-{row.seq - 1}"
            )
            return fail(row.id, f"{missing} ontbreekt vóór deze rij (verwijderde rij)")
        if row.prev_hash != result.last_hash:
            return fail(row.id, "vorige hash klopt niet (rij ingevoegd of keten herschreven)")
        if row_hash(table, fields, row.values, seq=row.seq, prev_hash=row.prev_hash) != (
            row.row_hash
        ):
            return fail(row.id, "hash klopt niet met de inhoud (rij gewijzigd)")
        result.rows += 1
        result.last_seq = row.seq
        result.last_hash = row.row_hash
        last_id = row.id
    if result.last_seq < head_seq:
        after = f" na id={last_id}" if last_id is not None else ""
        return fail(
            last_id,
            f"de keten eindigt bij volgnummer {result.last_seq}, maar er zijn er {head_seq} "
            f"geschreven: de laatste rijen{after} ontbreken (verwijderde rij)",
        )
    if result.last_seq > head_seq or (head_seq and result.last_hash != head_hash):
        return fail(last_id, "de laatste rij komt niet overeen met de kop van de keten")
    return result

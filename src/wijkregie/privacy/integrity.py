"""Checking the hash chains of the log tables (`wijkregie verify-logs`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import F

from wijkregie.privacy import chain
from wijkregie.privacy.models import AccessEvent, AuditEvent, ChainedLogModel, ChainHead

LOG_MODELS: dict[str, type[ChainedLogModel]] = {"access": AccessEvent, "audit": AuditEvent}


@dataclass(frozen=True)
class ChainReport:
    table: str
    municipality_id: int
    rows: int
    head_hash: str
    problem: chain.Problem | None


def _rows(model: type[ChainedLogModel], key: int) -> Iterator[chain.ChainRow]:
    fields = model.HASHED_FIELDS
    in_chain: dict[str, Any] = {"municipality_id": key or None}
    qs = model._base_manager.filter(**in_chain).order_by(F("chain_seq").asc(nulls_last=True), "id")
    for values in qs.values("id", "chain_seq", "prev_hash", "row_hash", *fields).iterator(
        chunk_size=5_000
    ):
        yield chain.ChainRow(
            id=values["id"],
            seq=values["chain_seq"],
            prev_hash=values["prev_hash"],
            row_hash=values["row_hash"],
            values={name: values[name] for name in fields},
        )


def verify_logs(
    *, tables: tuple[str, ...] = ("access", "audit"), municipality_id: int | None = None
) -> list[ChainReport]:
    """One report per chain (per table and municipality); each stops at its first broken row."""
    reports = []
    for name in tables:
        model: Any = LOG_MODELS[name]
        table = model._meta.db_table
        heads = {h.municipality_id: h for h in ChainHead.objects.filter(table=table)}
        keys = set(heads) | {
            m or 0 for m in model._base_manager.values_list("municipality_id", flat=True).distinct()
        }
        if municipality_id is not None:
            keys &= {municipality_id}
        for key in sorted(keys):
            head = heads.get(key)
            result = chain.verify_chain(
                table,
                model.HASHED_FIELDS,
                key,
                _rows(model, key),
                head_seq=head.seq if head else 0,
                head_hash=head.last_hash if head else chain.GENESIS,
                anchor_seq=head.anchor_seq if head else 0,
                anchor_hash=head.anchor_hash if head else chain.GENESIS,
            )
            if head is None and result.problem is None and result.rows:
                result.problem = chain.Problem(table, key, None, "de keten heeft geen kop")
            reports.append(ChainReport(table, key, result.rows, result.last_hash, result.problem))
    return reports

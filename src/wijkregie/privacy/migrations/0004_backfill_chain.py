"""Put the rows written before the hash chain into it: per table and municipality, in id order."""

from __future__ import annotations

from typing import Any

from django.db import migrations

from wijkregie.privacy import chain

TABLES = (("accessevent", chain.ACCESS_FIELDS), ("auditevent", chain.AUDIT_FIELDS))
BATCH = 2_000


def backfill(apps: Any, schema_editor: Any) -> None:
    alias = schema_editor.connection.alias
    ChainHead = apps.get_model("privacy", "ChainHead")
    for model_name, fields in TABLES:
        model = apps.get_model("privacy", model_name)
        table = model._meta.db_table
        rows = model._base_manager.using(alias).filter(chain_seq__isnull=True)
        keys = sorted({m or 0 for m in rows.values_list("municipality_id", flat=True).distinct()})
        for key in keys:
            head, _ = ChainHead.objects.using(alias).get_or_create(table=table, municipality_id=key)
            seq, last = head.seq, head.last_hash
            chain_rows = rows.filter(municipality_id=key or None).order_by("id")
            batch: list[Any] = []
            for row in chain_rows.iterator(chunk_size=BATCH):
                values = {name: getattr(row, name) for name in fields}
                seq += 1
                row.chain_seq, row.prev_hash = seq, last
                row.row_hash = last = chain.row_hash(table, fields, values, seq=seq, prev_hash=last)
                batch.append(row)
                if len(batch) >= BATCH:
                    model._base_manager.using(alias).bulk_update(
                        batch, ["chain_seq", "prev_hash", "row_hash"]
                    )
                    batch = []
            if batch:
                model._base_manager.using(alias).bulk_update(
                    batch, ["chain_seq", "prev_hash", "row_hash"]
                )
            ChainHead.objects.using(alias).filter(pk=head.pk).update(seq=seq, last_hash=last)


class Migration(migrations.Migration):
    dependencies = [("privacy", "0003_chain_and_review")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]

"""PostgreSQL: refuse UPDATE and DELETE of log rows in the database itself (ADR 0012).

Allowed: setting the review columns of an access row once (nothing else may change with them),
and DELETE inside a transaction that ran ``SET LOCAL wijkregie.allow_log_purge = 'on'`` (the
retention purge). TRUNCATE is not covered by row triggers: revoke it from the application role
(docs/privacy.md). On SQLite this migration does nothing; the models refuse changes there.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION wijkregie_log_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF current_setting('wijkregie.allow_log_purge', true) = 'on' THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'wijkregie: % rows are append-only (DELETE refused)', TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_TABLE_NAME = 'privacy_accessevent' THEN
        -- (nested: PL/pgSQL does not promise to short-circuit AND, and the audit table has
        -- no review columns)
        IF OLD.reviewed_at IS NULL AND OLD.flagged
            AND NEW.reviewed_at IS NOT NULL AND NEW.reviewed_by_id IS NOT NULL
            AND (to_jsonb(NEW) - 'reviewed_at' - 'reviewed_by_id')
                = (to_jsonb(OLD) - 'reviewed_at' - 'reviewed_by_id') THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'wijkregie: % rows are append-only (UPDATE refused)', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
"""
TABLES = ("privacy_accessevent", "privacy_auditevent")


def install(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION wijkregie_log_append_only()"
        )


def remove(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS wijkregie_log_append_only()")


class Migration(migrations.Migration):
    dependencies = [("privacy", "0004_backfill_chain")]

    operations = [migrations.RunPython(install, remove)]

"""The hash chain over the audit and access logs, `wijkregie verify-logs`, and the PostgreSQL
trigger that refuses UPDATE and DELETE of log rows."""

from __future__ import annotations

import datetime as dt
import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from wijkregie.privacy import chain
from wijkregie.privacy.integrity import verify_logs
from wijkregie.privacy.models import AccessEvent, AppendOnlyError, AuditEvent, ChainHead
from wijkregie.privacy.services import audit, log_access, review_access_event
from wijkregie.tenants.access import viewer_for
from wijkregie.testing.personas import World

LOG_TABLES = ("privacy_accessevent", "privacy_auditevent")


@contextmanager
def tampering() -> Iterator[None]:
    """Raw SQL as someone who owns the tables (on PostgreSQL: with the trigger switched off)."""
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgres:
            for table in LOG_TABLES:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
        try:
            yield
        finally:
            if postgres:
                for table in LOG_TABLES:
                    cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")


def assert_refused(*statements: tuple[str, list[object]]) -> None:
    """The statements, run in one transaction, are refused by the database trigger."""
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        for sql, params in statements:
            cursor.execute(sql, params)


def run_verify(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify-logs", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def write_some(world: World, n: int = 5) -> list[AuditEvent]:
    user = world.users["regisseur"]
    rows = []
    for i in range(n):
        rows.append(
            audit(
                actor=user,
                municipality_id=world.gm.pk,
                action="update",
                object_type="test.thing",
                object_id=str(i),
                changes={"n": i, "ratio": 0.1 * i, "big": 1e20, "naam": "Ærø", "list": [1, 2.0]},
            )
        )
    return rows


def test_canonical_json_is_stable() -> None:
    values = {"b": 1, "a": [1.0, 2.5], "t": dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)}
    assert chain.canonical_json(values) == (
        b'{"a":[1,2.5],"b":1,"t":"2026-01-01T12:00:00.000000+00:00"}'
    )
    first = chain.row_hash("t", ["b"], {"b": 1}, seq=1, prev_hash=chain.GENESIS)
    assert first == chain.row_hash("t", ["b"], {"b": 1}, seq=1, prev_hash=chain.GENESIS)
    assert first != chain.row_hash("t", ["b"], {"b": 2}, seq=1, prev_hash=chain.GENESIS)
    assert first != chain.row_hash("t", ["b"], {"b": 1}, seq=2, prev_hash=chain.GENESIS)
    assert first != chain.row_hash("u", ["b"], {"b": 1}, seq=1, prev_hash=chain.GENESIS)


def test_rows_are_chained_per_municipality(world: World) -> None:
    rows = write_some(world, 3)
    system = audit(actor=None, municipality_id=None, action="x", object_type="y", object_id="1")
    assert [r.chain_seq for r in rows] == [1, 2, 3]
    assert rows[0].prev_hash == chain.GENESIS
    assert rows[1].prev_hash == rows[0].row_hash
    assert system.chain_seq == 1  # its own chain (municipality 0)
    head = ChainHead.objects.get(table="privacy_auditevent", municipality_id=world.gm.pk)
    assert (head.seq, head.last_hash) == (3, rows[2].row_hash)
    # Read back from the database, every row hashes to what was stored.
    for row in AuditEvent.objects.filter(pk__in=[r.pk for r in rows]):
        assert row.row_hash == chain.row_hash(
            "privacy_auditevent",
            chain.AUDIT_FIELDS,
            row.hashed_values(),
            seq=row.chain_seq,
            prev_hash=row.prev_hash,
        )


def test_verify_logs_passes_on_untouched_logs(world: World) -> None:
    write_some(world)
    viewer = viewer_for(world.users["regisseur"])
    assert viewer is not None
    from wijkregie.signals.access import access_signal

    access_signal(viewer, world.signals["police_shared"].uuid)
    code, out, err = run_verify()
    assert code == 0, err
    assert "broken=0" in out
    assert "ok privacy_auditevent" in out and "ok privacy_accessevent" in out


def test_a_changed_row_fails_and_is_named(world: World) -> None:
    rows = write_some(world)
    victim = rows[2]
    with tampering(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE privacy_auditevent SET username = %s WHERE id = %s", ["iemand", victim.pk]
        )
    code, _, err = run_verify()
    assert code == 1
    assert f"privacy_auditevent id={victim.pk} " in err
    assert "rij gewijzigd" in err
    # Changing the JSON of another row is found the same way; the first broken row is named.
    with tampering(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE privacy_auditevent SET changes = %s WHERE id = %s", ['{"n": 9}', rows[1].pk]
        )
    code, _, err = run_verify("--table", "audit")
    assert code == 1
    assert f"privacy_auditevent id={rows[1].pk} " in err


def test_a_deleted_row_fails_and_the_next_row_is_named(world: World) -> None:
    rows = write_some(world)
    with tampering(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM privacy_auditevent WHERE id = %s", [rows[1].pk])
    code, _, err = run_verify()
    assert code == 1
    assert f"privacy_auditevent id={rows[2].pk} " in err
    assert "volgnummer 2 ontbreekt" in err


def test_deleting_the_last_rows_is_found_through_the_head(world: World) -> None:
    rows = write_some(world)
    with tampering(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM privacy_auditevent WHERE id >= %s", [rows[3].pk])
    code, _, err = run_verify()
    assert code == 1
    assert f"privacy_auditevent id={rows[2].pk} " in err
    assert "ontbreken" in err


def test_rows_inserted_out_of_chain_fail_and_are_named(world: World) -> None:
    rows = write_some(world)
    columns = "at, municipality_id, username, action, object_type, object_id, changes, prev_hash"
    with tampering(), connection.cursor() as cursor:
        # A row inserted without the chain (as a plain INSERT would).
        cursor.execute(
            f"INSERT INTO privacy_auditevent ({columns}, row_hash) "
            "VALUES (%s, %s, 'x', 'create', 't', '1', '{}', '', '')",
            [rows[0].at, world.gm.pk],
        )
    code, _, err = run_verify()
    assert code == 1
    stray = AuditEvent.objects.get(chain_seq__isnull=True)
    assert f"privacy_auditevent id={stray.pk} " in err
    assert "buiten de keten" in err

    with tampering(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM privacy_auditevent WHERE id = %s", [stray.pk])
        # A copy of a chained row slipped in with its own sequence number and hashes.
        cursor.execute(
            f"INSERT INTO privacy_auditevent ({columns}, chain_seq, row_hash) "
            "SELECT at, municipality_id, 'x', action, object_type, object_id, changes, "
            "prev_hash, chain_seq, row_hash FROM privacy_auditevent WHERE id = %s",
            [rows[1].pk],
        )
    code, _, err = run_verify()
    assert code == 1
    copy = AuditEvent.objects.exclude(pk__in=[r.pk for r in rows]).get(municipality_id=world.gm.pk)
    assert f"privacy_auditevent id={copy.pk} " in err
    assert "dubbel" in err


def test_a_rewritten_tail_is_found_through_the_head(world: World) -> None:
    """Rewriting the last row and its hash consistently still disagrees with the head."""
    rows = write_some(world)
    last = rows[-1]
    values = last.hashed_values() | {"username": "iemand"}
    forged = chain.row_hash(
        "privacy_auditevent", chain.AUDIT_FIELDS, values, seq=5, prev_hash=last.prev_hash
    )
    with tampering(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE privacy_auditevent SET username = 'iemand', row_hash = %s WHERE id = %s",
            [forged, last.pk],
        )
    code, _, err = run_verify()
    assert code == 1
    assert f"privacy_auditevent id={last.pk} " in err
    assert "kop van de keten" in err


def test_verify_logs_limits_to_a_municipality(world: World) -> None:
    write_some(world)
    code, out, _ = run_verify("--municipality", "gm9999", "--table", "audit")
    assert code == 0
    assert "chains=1 broken=0" in out
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Onbekende gemeente"):
        run_verify("--municipality", "GM0000")


def test_backfill_puts_old_rows_into_the_chain(world: World) -> None:
    """Rows from before the chain (no sequence number) get one, in id order, by migration 0004."""
    from importlib import import_module

    backfill = import_module("wijkregie.privacy.migrations.0004_backfill_chain").backfill
    with tampering(), connection.cursor() as cursor:
        for i in range(3):
            cursor.execute(
                "INSERT INTO privacy_accessevent (at, municipality_id, username, on_behalf_of, "
                "action, object_type, object_id, subject_pseudonym, purpose, outcome, "
                "access_point, detail, flagged, prev_hash, row_hash) VALUES "
                "(%s, %s, 'oud', '', 'R', 'signal', %s, '', 'x', 'granted', 'web', '', "
                "false, '', '')",
                [dt.datetime(2025, 1, 1, tzinfo=dt.UTC), world.gm.pk, str(i)],
            )

        class Editor:
            pass

        editor = Editor()
        editor.connection = connection  # type: ignore[attr-defined]
        backfill(apps, editor)
    old = list(AccessEvent.objects.filter(username="oud").order_by("id"))
    assert [e.chain_seq for e in old] == [1, 2, 3]
    assert old[1].prev_hash == old[0].row_hash
    code, _, err = run_verify()
    assert code == 0, err
    # New rows continue the backfilled chain.
    viewer = viewer_for(world.users["regisseur"])
    assert viewer is not None
    event = log_access(
        viewer=viewer, action="R", object_type="signal", object_id="x", granted=True, purpose="p"
    )
    assert event.chain_seq == 4
    assert run_verify()[0] == 0


def test_bulk_writes_are_refused(world: World) -> None:
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_create([AuditEvent(username="x", action="y")])
    rows = write_some(world, 1)
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_update(rows, ["username"])


def test_database_refuses_update_and_delete(world: World) -> None:
    """PostgreSQL: the trigger refuses raw UPDATE and DELETE. SQLite has no such trigger (the
    models refuse, and verify-logs finds what raw SQL changed: see the tests above)."""
    rows = write_some(world, 2)
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name LIKE 'privacy_%'"
            )
            assert cursor.fetchone()[0] == 0
        return
    purge = ("SET LOCAL wijkregie.allow_log_purge = 'on'", [])
    update = ("UPDATE privacy_auditevent SET username = 'x' WHERE id = %s", [rows[0].pk])
    delete = ("DELETE FROM privacy_auditevent WHERE id = %s", [rows[0].pk])
    assert_refused(update)
    assert_refused(delete)
    # The retention purge's escape: DELETE (never UPDATE) in a transaction that asks for it.
    assert_refused(purge, update)

    class Rollback(Exception):
        pass

    with pytest.raises(Rollback), transaction.atomic():
        with connection.cursor() as cursor:
            for sql, params in (purge, delete):
                cursor.execute(sql, params)
        assert not AuditEvent.objects.filter(pk=rows[0].pk).exists()
        raise Rollback
    # The setting ends with its transaction (here: the savepoint rolled back).
    assert AuditEvent.objects.filter(pk=rows[0].pk).exists()
    assert_refused(delete)


def test_review_is_the_only_change_and_only_once(world: World) -> None:
    officer = viewer_for(world.users["privacy"])
    reader = viewer_for(world.users["regisseur"])
    assert officer is not None and reader is not None
    event = log_access(
        viewer=reader,
        action="R",
        object_type="case",
        object_id="abc",
        granted=True,
        purpose="doorbraak",
        flagged=True,
    )
    reviewed = review_access_event(viewer=officer, event_id=event.pk)
    assert reviewed.reviewed_by == world.users["privacy"]
    assert reviewed.reviewed_at is not None
    assert reviewed.row_hash == event.row_hash  # the review is not part of the hash
    note = AuditEvent.objects.get(action="access_review")
    assert note.object_id == str(event.pk) and note.user == world.users["privacy"]
    from django.http import Http404

    with pytest.raises(Http404):
        review_access_event(viewer=officer, event_id=event.pk)
    assert run_verify()[0] == 0
    if connection.vendor == "postgresql":
        # Reviewing again in SQL, or changing anything along with the review, is refused.
        assert_refused(
            ("UPDATE privacy_accessevent SET reviewed_at = now() WHERE id = %s", [event.pk])
        )
        other = log_access(
            viewer=reader,
            action="R",
            object_type="case",
            object_id="def",
            granted=True,
            purpose="doorbraak",
            flagged=True,
        )
        assert_refused(
            (
                "UPDATE privacy_accessevent SET reviewed_at = now(), reviewed_by_id = %s, "
                "purpose = 'x' WHERE id = %s",
                [world.users["privacy"].pk, other.pk],
            )
        )


def test_deleting_a_user_leaves_the_log_alone(world: World) -> None:
    rows = write_some(world, 2)
    user = world.users["regisseur"]
    from wijkregie.tenants.models import Membership

    Membership.objects.filter(user=user).delete()
    from wijkregie.areas.models import FocusArea

    FocusArea.objects.filter(project_leader=user).update(project_leader=None)
    user_id = user.pk
    user.delete()
    assert AuditEvent.objects.filter(pk=rows[0].pk, user_id=user_id).exists()
    assert run_verify()[0] == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_linear_chain() -> None:
    from wijkregie.testing.personas import build_world

    world = build_world()
    users = [world.users[name] for name in ("regisseur", "wijkagent", "corporatie", "analist")]
    errors: list[BaseException] = []
    per_thread = 15
    # PostgreSQL runs the writers truly at once (the head row lock orders them). The SQLite test
    # database is in memory with a shared cache, whose table locks do not wait; on a real SQLite
    # file, IMMEDIATE transactions serialise writers, which this lock stands in for.
    serialise = threading.Lock() if connection.vendor == "sqlite" else None

    def work(user: object) -> None:
        from django.db import connections

        try:
            viewer = viewer_for(user)
            assert viewer is not None
            for i in range(per_thread):
                if serialise:
                    serialise.acquire()
                try:
                    write_both(viewer, user, i)
                finally:
                    if serialise:
                        serialise.release()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    def write_both(viewer: object, user: object, i: int) -> None:
        with transaction.atomic():
            log_access(
                viewer=viewer,  # type: ignore[arg-type]
                action="R",
                object_type="signal",
                object_id=str(i),
                granted=True,
                purpose="p",
            )
            audit(actor=user, municipality_id=world.gm.pk, action="t", object_id=str(i))

    threads = [threading.Thread(target=work, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    seqs = sorted(
        AccessEvent.objects.filter(municipality_id=world.gm.pk).values_list("chain_seq", flat=True)
    )
    assert seqs == list(range(1, len(users) * per_thread + 1))
    reports = verify_logs()
    assert all(r.problem is None for r in reports), [str(r.problem) for r in reports]

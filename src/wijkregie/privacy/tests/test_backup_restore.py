"""A backup restored into a new database keeps every signal and passes verify-logs.

The steps are those of docs/operations.md: on PostgreSQL `pg_dump --format=custom` and
`pg_restore --no-owner` into a new database (the triggers of the logs and of the signal
tallies come along); on SQLite the online backup API (what `sqlite3 db ".backup file"` does).
The restored copy is then checked by the real commands in a separate process.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from wijkregie.privacy.models import AccessAction, AccessEvent, AuditEvent
from wijkregie.privacy.services import audit, log_access
from wijkregie.signals.models import Signal
from wijkregie.tenants.access import viewer_for
from wijkregie.testing.personas import World, make_signal

WIJKREGIE = Path(sys.executable).with_name("wijkregie")


def _run(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """The project's own command line on another database."""
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run(  # noqa: S603 - our own executable, fixed arguments
        [str(WIJKREGIE), *args], env=env, capture_output=True, text=True, check=False
    )


def _tool(*args: str) -> None:
    """A PostgreSQL client tool (pg_dump, pg_restore, psql) from PATH."""
    subprocess.run(list(args), check=True)  # noqa: S603 - fixed tools, test-made arguments


def _pg_url(name: str) -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


@pytest.fixture
def restored(tmp_path: Path) -> Iterator[str]:
    """The current test database, backed up and restored into a new database: its URL."""
    if connection.vendor == "postgresql":
        source = connection.settings_dict["NAME"]
        target = f"wr_restore_{uuid.uuid4().hex[:8]}"
        dump = tmp_path / "backup.dump"
        _tool("pg_dump", "--format=custom", f"--file={dump}", _pg_url(source))
        admin = _pg_url("postgres")
        _tool("psql", admin, "-qc", f'CREATE DATABASE "{target}"')
        try:
            _tool(
                "pg_restore",
                "--no-owner",
                "--exit-on-error",
                f"--dbname={_pg_url(target)}",
                str(dump),
            )
            yield _pg_url(target)
        finally:
            _tool("psql", admin, "-qc", f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
    else:
        copy = tmp_path / "backup.sqlite3"
        connection.ensure_connection()
        destination = sqlite3.connect(copy)
        try:
            connection.connection.backup(destination)
        finally:
            destination.close()
        yield f"sqlite:///{copy}"


def _signal_count(database_url: str) -> int:
    done = _run(
        database_url,
        "shell",
        "-c",
        "from wijkregie.signals.models import Signal; print(Signal.objects.count())",
    )
    assert done.returncode == 0, done.stderr
    return int(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def history(world: World) -> int:
    """Signals plus entries in both logs, committed (the backup reads committed rows)."""
    for i, buurt in enumerate(["01", "02", "03", "04"] * 3):
        make_signal(world, owner="politie", category="overlast-jeugd", buurt=buurt, days_ago=i)
    viewer = viewer_for(world.users["regisseur"])
    assert viewer is not None
    for signal in Signal.objects.all()[:5]:
        log_access(
            viewer=viewer,
            action=AccessAction.READ,
            object_type="signal",
            object_id=str(signal.uuid),
            granted=True,
            purpose="signaalbehandeling",
        )
        audit(
            actor=world.users["regisseur"],
            municipality_id=world.gm.pk,
            action="signal_note",
            obj=signal,
        )
    return Signal.objects.count()


@pytest.mark.django_db(transaction=True)
def test_a_restored_backup_keeps_every_signal_and_verifies(history: int, restored: str) -> None:
    assert AccessEvent.objects.count() >= 5 and AuditEvent.objects.count() >= 5
    assert _signal_count(restored) == history
    verify = _run(restored, "verify-logs")
    assert verify.returncode == 0, verify.stderr
    assert "broken=0" in verify.stdout
    tallies = _run(restored, "check-tallies")
    assert tallies.returncode == 0, tallies.stdout + tallies.stderr


@pytest.mark.django_db(transaction=True)
def test_a_restored_backup_with_a_changed_log_row_fails_verification(
    history: int, restored: str
) -> None:
    """The restored copy is checked for real: a changed row in it is found."""
    if restored.startswith("sqlite"):
        db = sqlite3.connect(restored.removeprefix("sqlite:///"))
        db.execute(
            "UPDATE privacy_auditevent SET action = 'x' WHERE id = (SELECT min(id) FROM privacy_auditevent)"
        )
        db.commit()
        db.close()
    else:
        _tool(
            "psql",
            restored,
            "-qc",
            "ALTER TABLE privacy_auditevent DISABLE TRIGGER USER; "
            "UPDATE privacy_auditevent SET action = 'x' "
            "WHERE id = (SELECT min(id) FROM privacy_auditevent)",
        )
    verify = _run(restored, "verify-logs")
    assert verify.returncode == 1
    assert "privacy_auditevent id=" in verify.stderr

"""A real `wijkregie import-signals` process, killed with SIGKILL at several moments and run
again, ends with exactly the rows of one clean run: nothing lost, nothing doubled.

The processes need a database they can reach, so this test makes its own: a SQLite file, or
(when DATABASE_URL names PostgreSQL) a fresh PostgreSQL database next to the test database.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from wijkregie.intake.tests.helpers import BUURT_POINTS_RD, dutch_number, wgs84_of, write_csv

ROWS = 3000
BATCH = 100
WIJKREGIE = [sys.executable, "-m", "wijkregie.cli"]

DUMP = """
import json, django
django.setup()
from wijkregie.signals.models import Signal
fields = ["external_id", "observed_at", "category__code", "life_domain__code", "description",
          "location_kind", "lat", "lon", "rd_x", "rd_y", "postcode", "huisnummer", "huisletter",
          "huisnummertoevoeging", "neighbourhood__code", "cell_x", "cell_y", "source_reliability",
          "info_reliability", "handling_code", "confidentiality", "status", "source_channel",
          "municipality__cbs_code"]
out = {}
for slug in ("politie", "corporatie"):
    rows = Signal.objects.filter(owner_organisation__slug=slug,
                                 municipality__cbs_code="GM9999").exclude(external_id="")
    out[slug] = [[str(v) for v in r] for r in rows.order_by("external_id").values_list(*fields)]
print(json.dumps(out))
"""

SEED = """
import django
django.setup()
from wijkregie.testing.personas import build_world
build_world()
"""


def _postgres_url(base: str, name: str) -> str:
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{tmp_path / 'kill.sqlite3'}"
        return
    import psycopg

    name = f"{urlsplit(base).path.lstrip('/') or 'wijkregie'}_kill_{os.getpid()}"
    admin_url = _postgres_url(base, "postgres")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _postgres_url(base, name)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _env(database_url: str, tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="wijkregie.settings",
        MEDIA_ROOT=str(tmp_path / "media"),
        PYTHONUNBUFFERED="1",
    )
    return env


def _export(path: Path) -> Path:
    """3000 rows: points as WGS84 and RD, some refused, some extern ids repeated."""
    lat, lon = wgs84_of("01")
    x, y = BUURT_POINTS_RD["03"]
    rows: list[list[str]] = [
        ["extern_id", "waargenomen_op", "categorie", "omschrijving", "lat", "lon", "x", "y"]
    ]
    for i in range(ROWS):
        day = f"{1 + i % 28:02d}-{1 + i % 12:02d}-2025 {i % 24:02d}:{i % 60:02d}"
        category = ("overlast", "woonfraude", "Jeugdoverlast", "zorgmelding")[i % 4]
        external_id = f"R-{i:05d}"
        if i % 97 == 5:
            external_id = f"R-{i - 5:05d}"  # repeats an earlier row: refused
        if i % 53 == 7:
            category = "onbekend"  # refused
        if i % 2:
            location = [dutch_number(lat + i * 1e-6), dutch_number(lon), "", ""]
        else:
            location = ["", "", dutch_number(x + i % 400, 2), dutch_number(y, 2)]
        rows.append([external_id, day, category, f"Rij {i} — ë", *location])
    return write_csv(path, rows, encoding="cp1252")


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own command line
        [*WIJKREGIE, *args], env=env, capture_output=True, text=True, timeout=600, check=True
    )


def _kill_after(args: list[str], env: dict[str, str], rows_seen: int | None) -> None:
    """Start an import; SIGKILL it at once (None) or once it reports `rows_seen` rows."""
    process = subprocess.Popen(  # noqa: S603 - our own command line
        [*WIJKREGIE, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        if rows_seen is None:
            time.sleep(0.05)
        else:
            assert process.stderr is not None
            for line in process.stderr:
                if line.startswith("verwerkt=") and int(line.split("=")[1]) >= rows_seen:
                    break
            else:
                pytest.fail("the import ended before it could be killed")
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=60)
        if process.stdout:
            process.stdout.close()
        if process.stderr:
            process.stderr.close()
    assert process.returncode == -signal.SIGKILL


def test_killed_import_rerun_equals_one_clean_run(database_url: str, tmp_path: Path) -> None:
    env = _env(database_url, tmp_path)
    _run(["migrate", "--noinput"], env)
    subprocess.run([sys.executable, "-c", SEED], env=env, check=True, timeout=300)  # noqa: S603
    export = _export(tmp_path / "export.csv")

    clean = _run(
        [
            "import-signals",
            str(export),
            "--organisation",
            "corporatie",
            "--rejects",
            str(tmp_path / "clean.rejects.csv"),
        ],
        env,
    )
    clean_counts = dict(item.split("=") for item in clean.stdout.strip().splitlines()[-1].split())
    assert clean_counts["updated"] == clean_counts["unchanged"] == "0"
    rejected = int(clean_counts["rejected"])
    assert int(clean_counts["imported"]) + rejected == ROWS
    assert rejected > 60

    args = ["import-signals", str(export), "--organisation", "politie", "--progress"]
    args += ["--batch-size", str(BATCH)]
    _kill_after(args, env, None)  # right at the start
    _kill_after(args, env, 500)
    _kill_after(args, env, 500)  # again at the same place: the rerun sees its own rows
    _kill_after(args, env, 2200)
    final = _run(args, env)
    last = final.stdout.strip().splitlines()[-1]
    counts = dict(item.split("=") for item in last.split())
    assert int(counts["unchanged"]) >= 2200 - rejected  # the killed runs did write
    assert int(counts["imported"]) + int(counts["unchanged"]) == int(clean_counts["imported"])
    assert counts["updated"] == "0"
    assert counts["rejected"] == clean_counts["rejected"]

    dumped = json.loads(
        subprocess.run(  # noqa: S603 - our own command line
            [sys.executable, "-c", DUMP], env=env, capture_output=True, text=True, check=True
        ).stdout
    )
    assert len(dumped["politie"]) == int(clean_counts["imported"])
    assert dumped["politie"] == dumped["corporatie"]
    assert len({row[0] for row in dumped["politie"]}) == len(dumped["politie"])  # no doubles

    # The rejects file was rewritten completely, and no temporary file is left behind.
    rejects = Path(f"{export}.rejects.csv")
    assert rejects.read_bytes() == (tmp_path / "clean.rejects.csv").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []

    # And one more run changes nothing.
    again = _run(args, env).stdout.strip().splitlines()[-1]
    assert again == f"imported=0 updated=0 unchanged={clean_counts['imported']} rejected={rejected}"

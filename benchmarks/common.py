"""What the benchmark scripts share: their databases and how a child process is started.

Each benchmark works on its own database (a SQLite file under benchmarks/out/, or its own
database on the PostgreSQL server), dropped and recreated per run, never the configured one.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"


@dataclass(frozen=True)
class Target:
    name: str  # "sqlite" or "postgres"
    url: str


def log(message: str = "") -> None:
    print(message, flush=True)


def postgres_reachable(host: str = "127.0.0.1", port: int = 5432) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def targets(wanted: list[str], *, sqlite_file: str, postgres_url: str | None) -> list[Target]:
    """SQLite always (unless not wanted); PostgreSQL when a URL is known."""
    result = []
    if not wanted or "sqlite" in wanted:
        result.append(Target("sqlite", f"sqlite:///{OUT / sqlite_file}"))
    if not wanted or "postgres" in wanted:
        if postgres_url:
            result.append(Target("postgres", postgres_url))
        elif "postgres" in wanted:
            raise SystemExit("PostgreSQL requested but not configured or not reachable.")
    return result


def sqlite_path(target: Target) -> Path:
    return Path(urlsplit(target.url).path)


def fresh_database(target: Target) -> None:
    """An empty database: the SQLite file removed, or the PostgreSQL database recreated."""
    if target.name == "sqlite":
        path = sqlite_path(target)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    import psycopg

    parts = urlsplit(target.url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres", scheme="postgresql"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def child_env(target: Target) -> dict[str, str]:
    env = dict(os.environ)
    env["DATABASE_URL"] = target.url
    env.setdefault("DJANGO_SETTINGS_MODULE", "wijkregie.settings")
    env.pop("DEBUG", None)  # DEBUG keeps every query in memory
    return env

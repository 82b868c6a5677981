"""Shared plumbing for the attack runs: a throwaway PostgreSQL database with the demo
municipality, a real server process on it, and direct SQL checks afterwards.

Nothing here is imported by the application; the runs talk to the server over HTTP only.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WIJKREGIE = ROOT / ".venv" / "bin" / "wijkregie"
PG = os.environ.get("ATTACK_PG", "postgres://postgres@127.0.0.1:5432")
OUT = ROOT / "var" / "attacks"
# A nine-digit number standing on its own: not part of a longer number, nor a fragment of a
# hex or base64 token (UUIDs, hash digests, session data), which are random characters.
BSN_LIKE = re.compile(rb"(?<![0-9A-Za-z])[0-9]{9}(?![0-9A-Za-z])")


def elf_proof(digits: bytes) -> bool:
    """The BSN 11-proof: 9*d1 + 8*d2 + ... + 2*d8 - 1*d9 divisible by 11 (and not 0)."""
    numbers = [int(chr(c)) for c in digits]
    total = sum(w * d for w, d in zip(range(9, 1, -1), numbers[:8], strict=True)) - numbers[8]
    return total % 11 == 0 and int(digits) != 0


def log(message: str) -> None:
    print(message, flush=True)


@dataclass
class Target:
    name: str
    url: str  # DATABASE_URL

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            DATABASE_URL=self.url,
            WIJKREGIE_MFA_REQUIRED="0",
            SECURE_COOKIES="0",
            DEBUG="0",
            ALLOWED_HOSTS="127.0.0.1,localhost",
            # One client address for every simulated resident: lift the per-address limit.
            RESIDENT_RATE_LIMITS="1000000/60",
            API_RATE_LIMIT="1000000/minute",
            API_RATE_LIMIT_ANONYMOUS="1000000/minute",
            # Django's development server starts a thread per request; persistent connections
            # would outlive their threads and exhaust PostgreSQL's max_connections. A
            # production server has a fixed pool of workers instead.
            DB_CONN_MAX_AGE="0",
        )
        env.update(extra)
        return env


def psql(database: str, sql: str) -> list[list[str]]:
    completed = subprocess.run(
        ["psql", f"{PG}/{database}", "-At", "-F", "\t", "-c", sql],
        check=True,
        capture_output=True,
        text=True,
    )
    return [line.split("\t") for line in completed.stdout.splitlines() if line]


def fresh_database(name: str, *, signals: int = 2000) -> Target:
    """Drop and create `name`, migrate, and load the demo municipality."""
    subprocess.run(
        ["psql", f"{PG}/postgres", "-qc", f'DROP DATABASE IF EXISTS "{name}"'], check=True
    )
    subprocess.run(["psql", f"{PG}/postgres", "-qc", f'CREATE DATABASE "{name}"'], check=True)
    target = Target(name, f"{PG}/{name}")
    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / f"{name}-setup.log", "w") as out:
        subprocess.run(
            [str(WIJKREGIE), "migrate", "--noinput"], env=target.env(), check=True, stdout=out
        )
        subprocess.run(
            [str(WIJKREGIE), "demo-data", "--seed", "1", "--signals", str(signals)],
            env=target.env(),
            check=True,
            stdout=out,
        )
    return target


@contextmanager
def server(target: Target, port: int, log_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """The application on 127.0.0.1:port (Django's threaded server), stopped afterwards."""
    with open(log_path, "ab") as out:
        process = subprocess.Popen(
            [str(WIJKREGIE), "runserver", f"127.0.0.1:{port}", "--noreload", "--insecure"],
            env=target.env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_ready(f"http://127.0.0.1:{port}/open311/v2/discovery.json")
            yield process
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=20)


def wait_ready(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - localhost
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise SystemExit(f"the server did not answer {url} within {timeout:.0f} s")


def public_service(port: int) -> str:
    url = f"http://127.0.0.1:{port}/open311/v2/services.json?jurisdiction_id=GM9999"
    with urllib.request.urlopen(url, timeout=10) as response:
        services = json.loads(response.read())
    if not services:
        raise SystemExit("the demo municipality offers no public services")
    return str(services[0]["service_code"])


def report_points(database: str, n: int = 50) -> list[tuple[float, float]]:
    rows = psql(
        database,
        "SELECT lat, lon FROM signals_signal WHERE lat IS NOT NULL AND neighbourhood_id IS NOT NULL "
        f"ORDER BY id LIMIT {n}",
    )
    return [(float(lat), float(lon)) for lat, lon in rows]


def wijkregie(target: Target, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(WIJKREGIE), *args], env=target.env(), capture_output=True, text=True, check=False
    )


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def main_guard() -> None:
    if not WIJKREGIE.exists():
        sys.exit("Run `make install` first.")

"""Residents' reports under attack, against a real server on PostgreSQL.

1. Concurrency: 50 clients post Open311 service requests for 60 seconds, each with its own
   Idempotency-Key; a request whose connection is lost is sent again with the same key, and
   every tenth is sent twice at the same moment. Every request must end answered 201 and
   stored exactly once (by its tracking code and its unique description), nothing else may
   be stored, and both copies of a doubled request get the same tracking code; p50/p95.
2. A killed process: 20 clients post while the server is killed with SIGKILL mid-run, then
   restarted, and every request left without an answer is sent again with its key: each is
   then stored exactly once (none lost, none twice). No partial rows: every signal posted
   has its report and its audit entry (and no audit entry lacks its signal), the
   hash-chained logs verify, the monthly tallies agree with the signals.
3. Logs: the server's output during both runs holds none of the personal data posted (a
   valid-looking BSN, a name, an e-mail address) and no 11-proof nine-digit number.

    .venv/bin/python attacks/reports.py [--clients 50] [--seconds 60]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field

from common import (
    BSN_LIKE,
    OUT,
    elf_proof,
    fresh_database,
    log,
    main_guard,
    percentile,
    psql,
    public_service,
    report_points,
    server,
    wijkregie,
)

PORT = 8791
# Personal data a resident might type; it must never reach a log. 111222333 passes the
# 11-proof (a test number, not a real person's).
PARTS = (
    "signals_without_report",
    "signals_without_audit",
    "audit_without_signal",
    "verify_logs_exit",
    "check_tallies_exit",
)
PERSONAL = ("111222333", "Jannetje Vleugelhof", "jannetje.vleugelhof@example.org")


@dataclass
class Outcome:
    created: dict[str, str] = field(default_factory=dict)  # description -> tracking code
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    failures: int = 0  # connection errors (a killed server)
    replayed: int = 0  # answers marked Idempotent-Replayed: a retry found its first report
    pairs: int = 0  # the same request sent twice at the same moment
    pairs_split: int = 0  # ... and answered with two different tracking codes
    # Requests that got no answer at all, kept with their key to be sent again later.
    pending: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def send(port: int, key: str, body: bytes) -> tuple[int, object, bool]:
    """One POST with an Idempotency-Key; raises OSError when no answer arrives."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/open311/v2/requests.json",
        data=body,
        headers={"Idempotency-Key": key},
    )
    try:
        # The URL is always http://127.0.0.1 (built above), never a caller's scheme.
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            replayed = response.headers.get("Idempotent-Replayed") == "true"
            return response.status, json.loads(response.read()), replayed
    except urllib.error.HTTPError as exc:
        return exc.code, None, False
    except urllib.error.URLError as exc:
        raise OSError(str(exc.reason)) from None


def record(
    outcome: Outcome, description: str, answer: tuple[int, object, bool], elapsed: float
) -> str | None:
    status, payload, replayed = answer
    with outcome.lock:
        outcome.pending.pop(description, None)
        outcome.statuses[status] = outcome.statuses.get(status, 0) + 1
        outcome.replayed += replayed
        if status == 201 and isinstance(payload, list) and payload:
            code = str(payload[0]["service_request_id"]).replace("-", "")
            outcome.created[description] = code
            outcome.latencies.append(elapsed)
            return code
    return None


def send_with_retries(
    port: int, description: str, key: str, body: bytes, outcome: Outcome, attempts: int = 3
) -> None:
    """Send, and on a lost connection send the very same request (same key) again, the way a
    careful client does; what still has no answer stays pending for `retry_pending`."""
    for _ in range(attempts):
        started = time.perf_counter()
        try:
            answer = send(port, key, body)
        except (ConnectionError, TimeoutError, OSError):
            with outcome.lock:
                outcome.failures += 1
                outcome.pending[description] = (key, body)
            time.sleep(0.2)
            continue
        record(outcome, description, answer, (time.perf_counter() - started) * 1000)
        return


def send_twice_at_once(
    port: int, description: str, key: str, body: bytes, outcome: Outcome
) -> None:
    """Two copies of one request released together: one report, one tracking code."""
    barrier = threading.Barrier(2)
    codes: list[str | None] = []

    def one() -> None:
        barrier.wait()
        started = time.perf_counter()
        try:
            answer = send(port, key, body)
        except (ConnectionError, TimeoutError, OSError):
            with outcome.lock:
                outcome.failures += 1
                outcome.pending[description] = (key, body)
            return
        codes.append(record(outcome, description, answer, (time.perf_counter() - started) * 1000))

    twins = [threading.Thread(target=one) for _ in range(2)]
    for twin in twins:
        twin.start()
    for twin in twins:
        twin.join()
    with outcome.lock:
        outcome.pairs += 1
        outcome.pairs_split += len(set(codes)) > 1


def retry_pending(port: int, outcome: Outcome) -> int:
    """Send every request that never got an answer once more, with its own key."""
    waiting = list(outcome.pending.items())
    for description, (key, body) in waiting:
        send_with_retries(port, description, key, body, outcome)
    return len(waiting)


def post_reports(
    port: int,
    service: str,
    points: list[tuple[float, float]],
    client: int,
    stop: float,
    outcome: Outcome,
    tag: str,
) -> None:
    i = 0
    while time.monotonic() < stop:
        i += 1
        lat, lon = points[(client * 7 + i) % len(points)]
        description = (
            f"{tag} {client}-{i}: troep bij de portiek, gemeld door {PERSONAL[1]} "
            f"(BSN {PERSONAL[0]}, {PERSONAL[2]})"
        )
        body = urllib.parse.urlencode(
            {
                "jurisdiction_id": "GM9999",
                "service_code": service,
                "lat": f"{lat:.6f}",
                "long": f"{lon:.6f}",
                "description": description,
            }
        ).encode()
        key = str(uuid.uuid4())
        if i % 10 == 0:
            send_twice_at_once(port, description, key, body, outcome)
        else:
            send_with_retries(port, description, key, body, outcome)


def run_clients(
    port: int,
    service: str,
    points: list[tuple[float, float]],
    clients: int,
    seconds: float,
    tag: str,
) -> Outcome:
    outcome = Outcome()
    stop = time.monotonic() + seconds
    threads = [
        threading.Thread(target=post_reports, args=(port, service, points, c, stop, outcome, tag))
        for c in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcome


def stored(database: str, tag: str) -> list[tuple[str, str]]:
    rows = psql(
        database,
        "SELECT r.tracking_code, s.description FROM residents_residentreport r "
        "JOIN signals_signal s ON s.id = r.signal_id "
        f"WHERE s.description LIKE '{tag} %'",
    )
    return [(code, description) for code, description in rows]


def check_stored(database: str, tag: str, outcome: Outcome) -> dict[str, int]:
    rows = stored(database, tag)
    by_description: dict[str, list[str]] = {}
    for code, description in rows:
        by_description.setdefault(description, []).append(code)
    missing = [d for d, code in outcome.created.items() if code not in by_description.get(d, [])]
    twice = [d for d, codes in by_description.items() if len(codes) > 1]
    unanswered = [d for d in by_description if d not in outcome.created]
    return {
        "still_without_answer": len(outcome.pending),
        "answered_201": len(outcome.created),
        "stored": len(rows),
        "missing": len(missing),
        "stored_twice": len(twice),
        "stored_without_201": len(unanswered),
    }


def partial_rows(database: str, tag: str) -> dict[str, int]:
    """Rows of the attack's own reports (by their description) that lack a part."""

    def one(sql: str) -> int:
        return int(psql(database, sql)[0][0])

    ours = f"s.description LIKE '{tag} %'"
    return {
        "signals_without_report": one(
            "SELECT count(*) FROM signals_signal s LEFT JOIN residents_residentreport r "
            f"ON r.signal_id = s.id WHERE {ours} AND r.id IS NULL"
        ),
        "signals_without_audit": one(
            f"SELECT count(*) FROM signals_signal s WHERE {ours} AND NOT EXISTS "
            "(SELECT 1 FROM privacy_auditevent a WHERE a.object_type = 'signals.signal' "
            "AND a.object_id = s.uuid::text AND a.action = 'create')"
        ),
        "audit_without_signal": one(
            "SELECT count(*) FROM privacy_auditevent a WHERE a.object_type = 'signals.signal' "
            "AND a.action = 'create' AND NOT EXISTS "
            "(SELECT 1 FROM signals_signal s WHERE s.uuid::text = a.object_id)"
        ),
    }


def scan_log(path: os.PathLike[str]) -> dict[str, int]:
    with open(path, "rb") as handle:
        data = handle.read()
    return {
        "bytes": len(data),
        "personal_strings": sum(data.count(p.encode()) for p in PERSONAL),
        "elf_proof_numbers": sum(1 for m in BSN_LIKE.findall(data) if elf_proof(m)),
    }


def main() -> None:
    main_guard()
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    target = fresh_database("wr_attack_reports")
    points = report_points(target.name)
    server_log = OUT / "reports-server.log"
    server_log.unlink(missing_ok=True)
    result: dict[str, object] = {}

    log(f"[reports] {args.clients} clients for {args.seconds:.0f} s ...")
    with server(target, PORT, server_log):
        service = public_service(PORT)
        outcome = run_clients(PORT, service, points, args.clients, args.seconds, "CONC")
        retried = retry_pending(PORT, outcome)
    result["concurrency"] = {
        **check_stored(target.name, "CONC", outcome),
        "statuses": outcome.statuses,
        "connection_errors": outcome.failures,
        "retried_after_the_run": retried,
        "replayed": outcome.replayed,
        "same_request_twice_at_once": outcome.pairs,
        "twice_at_once_split": outcome.pairs_split,
        "p50_ms": round(percentile(outcome.latencies, 0.5), 1),
        "p95_ms": round(percentile(outcome.latencies, 0.95), 1),
        "per_second": round(len(outcome.created) / args.seconds, 1),
    }
    log(f"[reports] concurrency: {json.dumps(result['concurrency'])}")

    log("[reports] killing the server with SIGKILL while 20 clients post ...")
    kill_outcome = Outcome()
    with server(target, PORT, server_log) as process:
        stop = time.monotonic() + 12
        threads = [
            threading.Thread(
                target=post_reports, args=(PORT, service, points, c, stop, kill_outcome, "KILL")
            )
            for c in range(20)
        ]
        for thread in threads:
            thread.start()
        time.sleep(4)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        for thread in threads:
            thread.join()
    with server(target, PORT, server_log):
        # Every request the kill left without an answer is sent again with its own key.
        kill_retried = retry_pending(PORT, kill_outcome)
        after = run_clients(PORT, service, points, 5, 3, "AFTER")
    result["kill"] = {
        **check_stored(target.name, "KILL", kill_outcome),
        "connection_errors": kill_outcome.failures,
        "retried_after_restart": kill_retried,
        "replayed": kill_outcome.replayed,
        **partial_rows(target.name, "KILL"),
        "verify_logs_exit": wijkregie(target, "verify-logs").returncode,
        "check_tallies_exit": wijkregie(target, "check-tallies").returncode,
        "reports_after_restart": len(after.created),
    }
    log(f"[reports] kill: {json.dumps(result['kill'])}")
    result["server_log"] = scan_log(server_log)
    log(f"[reports] server log: {json.dumps(result['server_log'])}")
    (OUT / "reports.json").write_text(json.dumps(result, indent=2))
    concurrency, kill, logs = result["concurrency"], result["kill"], result["server_log"]
    assert isinstance(concurrency, dict) and isinstance(kill, dict) and isinstance(logs, dict)
    failed = bool(
        concurrency["missing"]
        or concurrency["stored_twice"]
        or concurrency["stored_without_201"]
        or concurrency["still_without_answer"]
        or concurrency["twice_at_once_split"]
        or any(int(code) >= 500 for code in concurrency["statuses"])
        or kill["missing"]
        or kill["stored_twice"]
        or kill["stored_without_201"]
        or kill["still_without_answer"]
        or any(kill[k] for k in PARTS)
        or logs["personal_strings"]
        or logs["elf_proof_numbers"]
    )
    log("[reports] " + ("FAILED" if failed else "all checks passed"))
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()

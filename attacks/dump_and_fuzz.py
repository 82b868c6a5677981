"""A database dump and the whole API under attack, against a real server on PostgreSQL.

1. Dump: `pg_dump` of a demo database with persons (the bundling demo links person records
   with BSN pseudonyms) must contain no nine-digit number that passes the 11-proof: BSNs are
   never stored in clear, not even in logs, search or derived tables.
2. Fuzzing: schemathesis generates requests for every operation of the OpenAPI document
   (property-based, positive and negative data) with a regisseur's API token; the check is
   `not_a_server_error`: 0 answers 5xx. The server's output is scanned for personal data too.

Schemathesis lives in its own virtualenv (`.venv-attacks`, `pip install -e .[attacks]`), so
that its pytest plugin never loads in the project's own test run.

    .venv/bin/python attacks/dump_and_fuzz.py [--max-examples 25]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import time
from xml.etree import ElementTree

from common import (
    BSN_LIKE,
    OUT,
    PG,
    ROOT,
    Target,
    elf_proof,
    fresh_database,
    log,
    main_guard,
    psql,
    server,
    wijkregie,
)

PORT = 8792
SCHEMATHESIS = ROOT / ".venv-attacks" / "bin" / "schemathesis"


def scan_dump(database: str) -> dict[str, int]:
    dump = subprocess.run(
        ["pg_dump", "--no-owner", f"{PG}/{database}"], check=True, capture_output=True
    ).stdout
    nine = BSN_LIKE.findall(dump)
    return {
        "dump_bytes": len(dump),
        "person_records": int(psql(database, "SELECT count(*) FROM subjects_personrecord")[0][0]),
        "nine_digit_numbers": len(nine),
        "elf_proof_numbers": sum(1 for m in nine if elf_proof(m)),
    }


def token_for(target: Target) -> str:
    done = wijkregie(target, "create-token", "regisseur", "--name", "fuzz")
    match = re.search(r"wr_[A-Za-z0-9_\-]{20,}", done.stdout + done.stderr)
    if match is None:
        raise SystemExit(f"no token in create-token output: {done.stdout} {done.stderr}")
    return match.group(0)


def main() -> None:
    main_guard()
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-examples", type=int, default=25)
    parser.add_argument("--signals", type=int, default=20_000)
    args = parser.parse_args()
    if not SCHEMATHESIS.exists():
        raise SystemExit("Run `make attacks` (it installs schemathesis into .venv-attacks).")
    target = fresh_database("wr_attack_dump", signals=args.signals)
    result: dict[str, object] = {"dump": scan_dump(target.name)}
    log(f"[dump] {json.dumps(result['dump'])}")

    token = token_for(target)
    server_log = OUT / "fuzz-server.log"
    server_log.unlink(missing_ok=True)
    started = time.monotonic()
    with server(target, PORT, server_log):
        run = subprocess.run(
            [
                str(SCHEMATHESIS),
                "run",
                f"http://127.0.0.1:{PORT}/api/v1/openapi.json",
                "--url",
                f"http://127.0.0.1:{PORT}",
                "-H",
                f"Authorization: Token {token}",
                "--checks",
                "not_a_server_error",
                "--max-examples",
                str(args.max_examples),
                "--seed",
                "1",
                "--workers",
                "2",
                "--request-timeout",
                "30",
                "--report",
                "junit",
                "--report-dir",
                str(OUT / "schemathesis"),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    (OUT / "schemathesis.txt").write_text(run.stdout + run.stderr)
    summary = [line for line in run.stdout.splitlines() if line.strip()][-12:]
    # Schemathesis also exits non-zero on warnings (operations it could not reach with valid
    # ids); the verdict is the JUnit report's failures and errors, and the server's 5xx.
    junit = max((OUT / "schemathesis").glob("junit-*.xml"), key=lambda p: p.stat().st_mtime)
    suite = ElementTree.parse(junit).getroot()  # noqa: S314 - written by our own run
    failures = int(suite.get("failures", "0")) + int(suite.get("errors", "0"))
    generated = re.search(r"(\d+) generated, (\d+) passed", run.stdout)
    server_errors = len(re.findall(r'" 5\d\d ', server_log.read_text(errors="replace")))
    log_bytes = server_log.read_bytes()
    result["fuzz"] = {
        "exit_code": run.returncode,
        "operations": int(suite.get("tests", "0")),
        "test_cases": int(generated.group(1)) if generated else None,
        "failures": failures,
        "seconds": round(time.monotonic() - started),
        "server_5xx_in_log": server_errors,
        "summary": summary,
    }
    result["server_log"] = {
        "elf_proof_numbers": sum(1 for m in BSN_LIKE.findall(log_bytes) if elf_proof(m)),
    }
    log(f"[fuzz] {json.dumps(result['fuzz'], indent=1)}")
    (OUT / "dump_and_fuzz.json").write_text(json.dumps(result, indent=2))
    failed = (
        result["dump"]["elf_proof_numbers"]  # type: ignore[index]
        or failures
        or not generated
        or server_errors
        or result["server_log"]["elf_proof_numbers"]  # type: ignore[index]
    )
    log("[dump+fuzz] " + ("FAILED" if failed else "all checks passed"))
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()

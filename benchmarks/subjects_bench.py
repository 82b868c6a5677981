"""Incremental person linking on the database (issue 4): one new record against N stored ones.

For each database (SQLite under benchmarks/out/ always; PostgreSQL when configured or reachable):

1. a fresh database, migrated, with the personas world (wijkregie.testing.personas);
2. N generated person records (wijkregie.testing.persons, seed 1, 30 % duplicates) stored as
   they would be (PersonRecord, one person per true person, keyed-hash BlockingKey rows);
3. for P further generated records: `subjects.services.attach_person` end to end (validation,
   BSN pseudonym, indexed candidate lookup, `match_one`, the veto check against the chosen
   person, the writes and the audit rows), p50/p95;
4. the reference, in the same run on the same database: the writes alone for the same records
   (PersonRecord + its BlockingKey rows, no linking), p50/p95.

Goal: a new record is linked in well under a second (p95 < 0.5 s at 100,000 records).

    .venv/bin/python benchmarks/subjects_bench.py [--records 100000] [--probes 200]

Environment: BENCH_SUBJECT_RECORDS, BENCH_DATABASES (sqlite,postgres), BENCH_DATABASE_URL.
Output: a table on stdout and benchmarks/out/subjects-results.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from common import OUT, ROOT, child_env, fresh_database, log, postgres_reachable
from common import targets as common_targets

BIN = Path(sys.executable).parent
WIJKREGIE = BIN / "wijkregie"
GOAL_P95_SECONDS = 0.5  # "well under a second" (issue 4)
BENCH_DB_NAME = "wijkregie_subjects_bench"
MONTHS = [
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
]  # fmt: skip


def postgres_url() -> str | None:
    explicit = os.environ.get("BENCH_DATABASE_URL")
    if explicit:
        return explicit
    configured = os.environ.get("DATABASE_URL", "")
    if configured.startswith(("postgres://", "postgresql://")):
        return urlunsplit(urlsplit(configured)._replace(path=f"/{BENCH_DB_NAME}"))
    if postgres_reachable():
        return f"postgres://postgres@127.0.0.1:5432/{BENCH_DB_NAME}"
    return None


def parse_date(text: str) -> dt.date | None:
    """The generator's date formats (ISO, Dutch, compact, with month names, slashes)."""
    text = text.strip().lower()
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%d-%m-%Y", "%Y%m%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            pass
    match = re.fullmatch(r"(\d{1,2}) ([a-z]+) (\d{4})", text)
    if match and match.group(2) in MONTHS:
        try:
            return dt.date(
                int(match.group(3)), MONTHS.index(match.group(2)) + 1, int(match.group(1))
            )
        except ValueError:
            return None
    return None


def house_number(text: str) -> int | None:
    match = re.match(r"\s*(\d{1,5})", text or "")
    return int(match.group(1)) if match else None


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def child(records: int, probes: int, out_path: Path) -> None:
    """Runs inside a child process whose DATABASE_URL is the benchmark database."""
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wijkregie.settings")
    import django

    django.setup()
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from wijkregie.privacy.pseudonyms import municipality_key, pseudonymise_bsn
    from wijkregie.subjects import linking, services
    from wijkregie.subjects.linker import api as linker
    from wijkregie.subjects.models import BlockingKey, PersonRecord, Subject
    from wijkregie.tenants.access import viewer_for
    from wijkregie.testing.personas import build_world
    from wijkregie.testing.persons import generate

    world = build_world()
    signal = world.signals["police_shared"]
    viewer = viewer_for(world.users["wijkagent"])
    assert viewer is not None
    data = generate(records + probes, seed=1)
    key = municipality_key(world.gm.cbs_code)
    started = time.perf_counter()
    persons: dict[int, int] = {}
    with transaction.atomic():
        truth = data.truth.tolist()
        subjects = [
            Subject(
                municipality=world.gm,
                kind="person",
                pseudonym=f"P-B{index:06X}"[:12],
            )
            for index in sorted(set(truth[:records]))
        ]
        Subject.objects.bulk_create(subjects, batch_size=5000)
        persons = {
            int(p.pseudonym[3:], 16): p.pk
            for p in Subject.objects.filter(municipality=world.gm, pseudonym__startswith="P-B")
        }
        batch: list[PersonRecord] = []
        for row, person in zip(data.rows[:records], truth[:records], strict=True):
            _rid, _src, bsn, given, prefix, surname, birth, _street, house, _suffix, code, _town = (
                row
            )
            record = PersonRecord(
                municipality=world.gm,
                owner_organisation=world.orgs["politie"],
                person_id=persons[person],
                given_names=given[:200],
                surname_prefix=prefix[:20],
                surname=surname[:200],
                birth_date=parse_date(birth),
                postcode=(code or "").replace(" ", "").upper()[:6],
                huisnummer=house_number(house),
                bsn_token=pseudonymise_bsn(bsn, key),
            )
            record.thin = linking.is_thin(record)
            batch.append(record)
        PersonRecord.objects.bulk_create(batch, batch_size=5000)
        keys: list[BlockingKey] = []
        for record in PersonRecord.objects.filter(municipality=world.gm).iterator(chunk_size=5000):
            keys.extend(
                BlockingKey(municipality_id=world.gm.pk, record_id=record.pk, key=k)
                for k in linking.blocking_keys_for(record)
            )
            if len(keys) >= 20_000:
                BlockingKey.objects.bulk_create(keys, batch_size=5000)
                keys = []
        BlockingKey.objects.bulk_create(keys, batch_size=5000)
    load_seconds = time.perf_counter() - started

    probe_rows = data.rows[records : records + probes]
    linked_times: list[float] = []
    write_times: list[float] = []
    candidates: list[int] = []
    methods: dict[str, int] = {}
    for row in probe_rows:
        _rid, _src, bsn, given, prefix, surname, birth, _street, house, _suffix, code, _town = row
        person = services.PersonInput(
            bsn=bsn if linker.clean_bsn(bsn) else "",
            given_names=given[:200],
            surname_prefix=prefix[:20],
            surname=surname[:200],
            birth_date=parse_date(birth),
            address=services.AddressInput(
                postcode=code if code else "", huisnummer=house_number(house) if code else None
            ),
        )
        # The reference: the same record's writes without linking.
        t0 = time.perf_counter()
        with transaction.atomic():
            bare = PersonRecord(
                municipality=world.gm,
                owner_organisation=world.orgs["politie"],
                person_id=next(iter(persons.values())),
                given_names=person.given_names,
                surname=person.surname,
                birth_date=person.birth_date,
                bsn_token=pseudonymise_bsn(person.bsn, key),
            )
            bare.save()
            BlockingKey.objects.bulk_create(
                BlockingKey(municipality_id=world.gm.pk, record=bare, key=k)
                for k in linking.blocking_keys_for(bare)
            )
            transaction.set_rollback(True)
        write_times.append(time.perf_counter() - t0)
        probe = PersonRecord(
            municipality=world.gm,
            given_names=person.given_names,
            surname_prefix=person.surname_prefix,
            surname=person.surname,
            birth_date=person.birth_date,
            postcode=(code or "").replace(" ", "").upper()[:6],
            huisnummer=house_number(house) if code else None,
            bsn_token=pseudonymise_bsn(person.bsn, key),
        )
        candidates.append(len(linking.candidate_records(probe, linking.blocking_keys_for(probe))))
        t0 = time.perf_counter()
        try:
            _subject, record = services.attach_person(viewer=viewer, signal=signal, person=person)
        except ValidationError as exc:  # a refused record (e.g. a bad postcode) is skipped
            log(f"    skipped: {type(exc).__name__}")
            continue
        linked_times.append(time.perf_counter() - t0)
        method = record.explanation.method
        methods[method] = methods.get(method, 0) + 1
    result = {
        "records": records,
        "probes": len(linked_times),
        "load_seconds": round(load_seconds, 1),
        "attach_p50_s": round(statistics.median(linked_times), 4),
        "attach_p95_s": round(percentile(linked_times, 0.95), 4),
        "writes_p50_s": round(statistics.median(write_times), 4),
        "writes_p95_s": round(percentile(write_times, 0.95), 4),
        "candidates_p50": int(statistics.median(candidates)),
        "candidates_max": max(candidates),
        "methods": methods,
    }
    out_path.write_text(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--records", type=int, default=int(os.environ.get("BENCH_SUBJECT_RECORDS", "100000"))
    )
    parser.add_argument("--probes", type=int, default=200)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.records, args.probes, Path(args.child))
        return
    OUT.mkdir(parents=True, exist_ok=True)
    wanted = [w.strip() for w in os.environ.get("BENCH_DATABASES", "").split(",") if w.strip()]
    results: dict[str, Any] = {}
    for target in common_targets(
        wanted, sqlite_file="subjects.sqlite3", postgres_url=postgres_url()
    ):
        log(f"{target.name}: {args.records:,} stored records, {args.probes} new ones")
        fresh_database(target)
        env = child_env(target)
        subprocess.run(  # noqa: S603
            [str(WIJKREGIE), "migrate", "--no-input"],
            env=env,
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        out_path = OUT / f"subjects-{target.name}.json"
        subprocess.run(  # noqa: S603
            [sys.executable, __file__, "--records", str(args.records), "--probes",
             str(args.probes), "--child", str(out_path)],
            env=env, cwd=ROOT, check=True,
        )  # fmt: skip
        found = json.loads(out_path.read_text())
        ratio = found["attach_p95_s"] / max(found["writes_p95_s"], 1e-9)
        found["ratio_p95"] = round(ratio, 1)
        found["goal_met"] = found["attach_p95_s"] < GOAL_P95_SECONDS
        results[target.name] = found
        log(
            f"  attach_person p50 {found['attach_p50_s'] * 1000:.1f} ms, "
            f"p95 {found['attach_p95_s'] * 1000:.1f} ms; writes alone p95 "
            f"{found['writes_p95_s'] * 1000:.1f} ms (ratio {ratio:.1f}); candidates p50 "
            f"{found['candidates_p50']}, max {found['candidates_max']}; {found['methods']}; "
            f"goal p95 < {GOAL_P95_SECONDS * 1000:.0f} ms: "
            f"{'met' if found['goal_met'] else 'NOT met'}"
        )
    (OUT / "subjects-results.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

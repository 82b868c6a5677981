"""Incremental person linking on the database: the bridge to the pure linker.

A new person record is compared only with the records that share a blocking key with it (an
indexed lookup in `BlockingKey`), using the link model of the last full relink (or the
linker's documented defaults before the first one). The best linked candidate is accepted only
when the new record has no veto (another BSN, another birth date, another first name) with any
record of that candidate's person, so a person never holds records that contradict each other.
Thin records (no BSN token and not both a first name and a birth date) never link.
A record that staff split off a person ("do not link", `LinkConstraint`) is never matched to
that person's cluster again.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from wijkregie.privacy import restrictions
from wijkregie.privacy.pseudonyms import municipality_key
from wijkregie.subjects.access import cluster_ids, root_of
from wijkregie.subjects.linker import api as linker
from wijkregie.subjects.models import (
    BlockingKey,
    LinkConstraint,
    LinkRun,
    PersonRecord,
    Subject,
)
from wijkregie.tenants.models import Municipality

# At most this many candidates are compared (a block larger than this is not informative).
MAX_CANDIDATES = 500


@dataclass(frozen=True)
class Match:
    """How a new record found (or did not find) its person. No personal values inside."""

    method: str  # "bsn", "score", "nieuw", "dun"
    person_id: int | None = None
    record_id: int | None = None
    probability: float | None = None
    match_weight: float | None = None
    comparisons: list[dict[str, Any]] = field(default_factory=list)


def to_linker(record: PersonRecord) -> linker.PersonRecord:
    return linker.PersonRecord(
        record_id=str(record.uuid),
        source=str(record.owner_organisation_id),
        bsn_token=record.bsn_token,
        voornamen=record.given_names,
        tussenvoegsel=record.surname_prefix,
        achternaam=record.surname,
        geboortedatum=record.birth_date,
        huisnummer=(
            f"{record.huisnummer}{record.huisletter}" if record.huisnummer is not None else ""
        ),
        toevoeging=record.huisnummertoevoeging,
        postcode=record.postcode,
    )


def is_thin(record: PersonRecord) -> bool:
    """Too little to recognise anyone by: the linker's own rule (`linker.is_thin`: no BSN, no
    first name and no birth date), so incremental linking and a full relink agree."""
    return linker.is_thin(to_linker(record))


@lru_cache(maxsize=64)
def _secret_for_code(code: str) -> bytes:
    return hmac.digest(municipality_key(code), b"wijkregie/blocking-keys/v1", hashlib.sha256)


def _key_secret(municipality_id: int) -> bytes:
    code = Municipality.objects.values_list("cbs_code", flat=True).get(pk=municipality_id)
    return _secret_for_code(code)


def blocking_keys_for(record: PersonRecord) -> list[str]:
    """The record's blocking keys as keyed hashes: equal keys still meet in the index, but the
    table holds no names, birth dates or postcodes (the linker's keys are built from them)."""
    cached: list[str] | None = getattr(record, "_wr_blocking_keys", None)
    if cached is not None:
        return cached
    secret = _key_secret(record.municipality_id)
    keys = sorted(
        {
            hmac.digest(secret, key.encode(), hashlib.sha256).hex()[:40]
            for key in linker.blocking_keys(to_linker(record))
        }
    )
    record._wr_blocking_keys = keys  # type: ignore[attr-defined]  # the record's fields are set
    return keys


_model_cache: dict[int, tuple[int, linker.LinkModel]] = {}


def current_model(municipality_id: int) -> linker.LinkModel:
    """The model of the municipality's last finished full relink, else the defaults."""
    run = (
        LinkRun.objects.filter(municipality_id=municipality_id, finished_at__isnull=False)
        .exclude(model="")
        .order_by("-finished_at", "-id")
        .values_list("id", "model")
        .first()
    )
    if run is None:
        return linker.LinkModel.default()
    cached = _model_cache.get(municipality_id)
    if cached is not None and cached[0] == run[0]:
        return cached[1]
    model = linker.LinkModel.from_json(run[1])
    _model_cache[municipality_id] = (run[0], model)
    return model


def candidate_records(record: PersonRecord, keys: list[str]) -> list[PersonRecord]:
    ids = (
        BlockingKey.objects.filter(municipality_id=record.municipality_id, key__in=keys)
        .values_list("record_id", flat=True)
        .distinct()
    )
    return list(
        PersonRecord.objects.filter(pk__in=ids, thin=False)
        .exclude(pk=record.pk)
        .order_by("-id")[:MAX_CANDIDATES]
    )


def comparisons(explanation: linker.Explanation) -> list[dict[str, Any]]:
    data = explanation.as_dict()
    rows: list[dict[str, Any]] = list(data["fields"])
    rows.append({"field": "regel", "level": data["rule"], "weight": data["score"]})
    if data["veto"]:
        rows.append({"field": "veto", "level": data["veto"], "weight": 0.0})
    rows.append({"field": "drempel", "level": "", "weight": data["threshold"]})
    return rows


def match_record(record: PersonRecord) -> Match:
    """The person a new (unsaved or saved) record belongs to, or none (a new person)."""
    if record.thin:
        return Match(method="dun")
    model = current_model(record.municipality_id)
    new = to_linker(record)
    candidates = candidate_records(record, blocking_keys_for(record))
    if not candidates:
        return Match(method="nieuw")
    by_uuid = {str(c.uuid): c for c in candidates}
    matches = linker.match_one(new, [to_linker(c) for c in candidates], model)
    compared = {m.candidate_id: m for m in matches}
    checked: set[int] = set()
    forbidden = forbidden_persons(record)
    for found in matches:
        if not found.linked:
            continue
        candidate = by_uuid[found.candidate_id]
        person = root_of(Subject.objects.get(pk=candidate.person_id))
        if person.pk in checked:
            continue
        checked.add(person.pk)
        cluster = cluster_ids(person)
        if forbidden.intersection(cluster):
            continue  # staff decided this record is not this person
        if restrictions.any_restricted(cluster):
            continue  # processing of the person is restricted (AVG art. 18, ADR 0017)
        members = list(PersonRecord.objects.filter(person_id__in=cluster))
        # Records already compared as candidates need no second comparison.
        unseen = [r for r in members if str(r.uuid) not in compared]
        vetoed = any(compared[str(r.uuid)].veto for r in members if str(r.uuid) in compared)
        if not vetoed and unseen:
            found_unseen = linker.match_one(new, [to_linker(r) for r in unseen], model)
            vetoed = any(m.veto for m in found_unseen)
        if vetoed:
            continue  # the person holds a record that contradicts this one
        return Match(
            method=found.explanation.rule,
            person_id=person.pk,
            record_id=candidate.pk,
            probability=found.probability,
            match_weight=found.score,
            comparisons=comparisons(found.explanation),
        )
    best = matches[0] if matches else None
    if best is None:
        return Match(method="nieuw")
    # Not linked: keep the closest comparison, so that staff can see why not.
    return Match(
        method="nieuw",
        probability=best.probability,
        match_weight=best.score,
        comparisons=comparisons(best.explanation),
    )


# --- "do not link" decisions --------------------------------------------------------------


def active_constraints(municipality_id: int) -> list[tuple[int, int, int]]:
    """(record id, current person id of the record, person it may not join) per active
    "do not link" decision of the municipality (few: one per split)."""
    return [
        (record_id, record_person_id, person_id)
        for record_id, record_person_id, person_id in LinkConstraint.objects.filter(
            municipality_id=municipality_id, lifted_at=None
        ).values_list("record_id", "record__person_id", "person_id")
    ]


def forbidden_persons(record: PersonRecord) -> set[int]:
    """The subjects the record may not be linked to (their clusters included)."""
    if record.pk is None:
        return set()
    return set(
        LinkConstraint.objects.filter(record_id=record.pk, lifted_at=None).values_list(
            "person_id", flat=True
        )
    )


def constraint_between(ids_a: list[int], ids_b: list[int]) -> bool:
    """Whether a "do not link" decision keeps a record of one cluster from the other."""
    return (
        LinkConstraint.objects.filter(
            lifted_at=None, record__person_id__in=ids_a, person_id__in=ids_b
        ).exists()
        or LinkConstraint.objects.filter(
            lifted_at=None, record__person_id__in=ids_b, person_id__in=ids_a
        ).exists()
    )

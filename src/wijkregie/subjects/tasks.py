"""Full relink of a municipality's person records, as a background task (django-tasks).

The run estimates the link model from all records (m/u per field level from the data itself)
and stores it; incremental linking uses it from then on. It then links every record with the
pure linker and compares the result with the persons as they are. It does not move records or
merge persons by itself: differences are stored as proposals (`LinkProposal`) for a regisseur,
who accepts them (a merge or split through the services) or rejects them, with a reason. So a
person's state only changes through a reviewed, logged act; a rejected proposal is not made
again, and a record staff split off a person ("do not link") is never proposed back to it.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from wijkregie.privacy.services import audit
from wijkregie.subjects.linker import api as linker
from wijkregie.subjects.linking import active_constraints, comparisons, to_linker
from wijkregie.subjects.models import (
    LinkProposal,
    LinkRun,
    PersonRecord,
    ProposalKind,
    ProposalStatus,
    Subject,
)
from wijkregie.tenants.access import Viewer

logger = logging.getLogger(__name__)
MAX_PROPOSALS = 500


def relink_request(*, viewer: Viewer) -> LinkRun:
    """Create a run and start it after the transaction commits."""
    with transaction.atomic():
        run = LinkRun.objects.create(
            municipality_id=viewer.municipality_id, requested_by=viewer.user
        )
        audit(
            actor=viewer.user,
            municipality_id=viewer.municipality_id,
            action="relink_request",
            obj=run,
            object_id=str(run.pk),
        )
        transaction.on_commit(lambda: relink_persons.enqueue(run.pk))
    return run


def _roots(municipality_id: int) -> dict[int, int]:
    parents = dict(
        Subject.objects.filter(municipality_id=municipality_id)
        .exclude(merged_into=None)
        .values_list("pk", "merged_into_id")
    )
    roots: dict[int, int] = {}
    for start in parents:
        pk, hops = start, 0
        while pk in parents and hops < 100:
            pk, hops = parents[pk], hops + 1
        roots[start] = pk
    return roots


def _partition(persons: list[int], forbidden: set[frozenset[int]]) -> list[list[int]]:
    """Split a merge group so that no part holds a pair staff kept apart ("do not link")."""
    parts: list[list[int]] = []
    for person in persons:
        for part in parts:
            if all(frozenset((person, other)) not in forbidden for other in part):
                part.append(person)
                break
        else:
            parts.append([person])
    return [part for part in parts if len(part) > 1]


def _signature(kind: str, canonical: str) -> str:
    return f"{kind}:" + hashlib.sha256(canonical.encode()).hexdigest()


def _explain(
    record: PersonRecord, others: list[PersonRecord], model: linker.LinkModel
) -> dict[str, Any]:
    """The closest comparison of `record` with `others` (levels and weights, no values)."""
    if not others:
        return {}
    matches = linker.match_one(to_linker(record), [to_linker(o) for o in others], model)
    if not matches:
        return {}
    best = matches[0]
    return {
        "rule": best.explanation.rule,
        "probability": best.probability,
        "match_weight": best.score,
        "comparisons": comparisons(best.explanation),
    }


def relink_run(run: LinkRun) -> LinkRun:
    """Do the work of one run (the task body; callable directly in tests and commands).

    Per linker cluster and per current person (the root of its merges): a person belongs to
    the cluster holding most of its records (its main cluster). Persons sharing a main
    cluster are proposed for a merge; a person's records in another cluster are proposed to
    split off, to the person whose main cluster that is, or to a new person. A "do not link"
    decision keeps its two persons out of one merge proposal and pins its record where staff
    put it (never proposed to move); proposals rejected before are not made again."""
    records = list(
        PersonRecord.objects.filter(municipality_id=run.municipality_id, thin=False).iterator(
            chunk_size=5000
        )
    )
    inputs = [to_linker(r) for r in records]
    model = linker.estimate_model(inputs)
    result = linker.link_all(inputs, model)
    roots = _roots(run.municipality_id)
    by_uuid = {str(r.uuid): r for r in records}
    person_of = {str(r.uuid): roots.get(r.person_id, r.person_id) for r in records}
    records_of: dict[int, list[PersonRecord]] = defaultdict(list)
    for r in records:
        records_of[person_of[str(r.uuid)]].append(r)
    clusters: dict[str, set[int]] = defaultdict(set)
    parts: dict[int, dict[str, list[PersonRecord]]] = defaultdict(lambda: defaultdict(list))
    for record_id, cluster in result.as_dict().items():
        person = person_of[record_id]
        clusters[cluster].add(person)
        parts[person][cluster].append(by_uuid[record_id])
    # "do not link": pairs of persons kept apart. A record staff split off a person is pinned
    # where they put it: never proposed to move, and it does not decide its person's cluster.
    forbidden: set[frozenset[int]] = set()
    pinned: set[int] = set()
    for constrained, record_person, kept_from in active_constraints(run.municipality_id):
        a, b = roots.get(record_person, record_person), roots.get(kept_from, kept_from)
        forbidden.add(frozenset((a, b)))
        pinned.add(constrained)

    def weight(found: list[PersonRecord]) -> tuple[int, int]:
        return (-sum(r.pk not in pinned for r in found), -len(found))

    main = {
        person: min(found, key=lambda c: (*weight(found[c]), c)) for person, found in parts.items()
    }
    by_main: dict[str, list[int]] = defaultdict(list)
    for person, cluster in main.items():
        by_main[cluster].append(person)
    rejected = set(
        LinkProposal.objects.filter(
            municipality_id=run.municipality_id, status=ProposalStatus.REJECTED
        ).values_list("signature", flat=True)
    )
    proposals: list[LinkProposal] = []
    skipped = 0

    def size(person: int) -> tuple[int, int]:
        return (-len(records_of[person]), person)

    for cluster in sorted(by_main):
        for group in _partition(sorted(by_main[cluster], key=size), forbidden):
            signature = _signature("merge", ",".join(str(p) for p in sorted(group)))
            if signature in rejected:
                skipped += 1
                continue
            explained = _explain(records_of[group[1]][0], records_of[group[0]], model)
            proposals.append(
                LinkProposal(
                    kind=ProposalKind.MERGE, persons=group, signature=signature, **explained
                )
            )
    for person in sorted(parts):
        if len(parts[person]) < 2:
            continue
        for cluster, moving in sorted(parts[person].items()):
            if cluster == main[person]:
                continue
            hosts = sorted((p for p in by_main.get(cluster, []) if p != person), key=size)
            target = hosts[0] if hosts else None
            ids = sorted(r.pk for r in moving if r.pk not in pinned)
            if not ids:
                continue
            canonical = f"{person}:{','.join(map(str, ids))}:{target or 'nieuw'}"
            signature = _signature("split", canonical)
            if signature in rejected:
                skipped += 1
                continue
            first = next(r for r in moving if r.pk == ids[0])
            explained = _explain(
                first,
                records_of[target] if target is not None else parts[person][main[person]],
                model,
            )
            proposals.append(
                LinkProposal(
                    kind=ProposalKind.SPLIT,
                    persons=[person],
                    records=ids,
                    target_id=target,
                    signature=signature,
                    **explained,
                )
            )
    merges = [p for p in proposals if p.kind == ProposalKind.MERGE][:MAX_PROPOSALS]
    splits = [p for p in proposals if p.kind == ProposalKind.SPLIT][:MAX_PROPOSALS]
    pseudonyms = dict(
        Subject.objects.filter(
            pk__in={p for proposal in merges + splits for p in proposal.persons}
        ).values_list("pk", "pseudonym")
    )
    with transaction.atomic():
        for proposal in merges + splits:
            proposal.run = run
            proposal.municipality_id = run.municipality_id
        LinkProposal.objects.bulk_create(merges + splits)
        run.model = model.to_json()
        run.stats = {
            "records": len(records),
            "persons_now": len(parts),
            "persons_linker": len(clusters),
            "join": [[pseudonyms[p] for p in m.persons] for m in merges],
            "split": [pseudonyms[s.persons[0]] for s in splits],
            "skipped_rejected": skipped,
        }
        run.finished_at = timezone.now()
        run.save(update_fields=["model", "stats", "finished_at"])
    return run


@task()
def relink_persons(run_id: int) -> None:
    run = LinkRun.objects.get(pk=run_id)
    try:
        relink_run(run)
    except Exception as exc:  # the run row says what happened; the worker logs the trace
        logger.exception("relink %s failed", run_id)
        run.error = str(exc)[:500]
        run.finished_at = timezone.now()
        run.save(update_fields=["error", "finished_at"])
        raise

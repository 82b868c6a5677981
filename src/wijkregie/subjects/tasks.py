"""Full relink of a municipality's person records, as a background task (django-tasks).

The run estimates the link model from all records (m/u per field level from the data itself)
and stores it; incremental linking uses it from then on. It then links every record with the
pure linker and compares the result with the persons as they are. It does not move records or
merge persons by itself: differences are stored as proposals (pseudonyms only) for staff, who
merge with a reason. So a person's state only changes through a reviewed, logged act, and a
merge that staff undid is never silently redone.
"""

from __future__ import annotations

import logging
from collections import defaultdict

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from wijkregie.privacy.services import audit
from wijkregie.subjects.linker import api as linker
from wijkregie.subjects.linking import to_linker
from wijkregie.subjects.models import LinkRun, PersonRecord, Subject
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


def relink_run(run: LinkRun) -> LinkRun:
    """Do the work of one run (the task body; callable directly in tests and commands)."""
    records = list(
        PersonRecord.objects.filter(municipality_id=run.municipality_id, thin=False).iterator(
            chunk_size=5000
        )
    )
    inputs = [to_linker(r) for r in records]
    model = linker.estimate_model(inputs)
    result = linker.link_all(inputs, model)
    roots = _roots(run.municipality_id)
    person_of = {str(r.uuid): roots.get(r.person_id, r.person_id) for r in records}
    clusters: dict[str, set[int]] = defaultdict(set)
    for record_id, cluster in result.as_dict().items():
        clusters[cluster].add(person_of[record_id])
    by_person: dict[int, set[str]] = defaultdict(set)
    for cluster, persons in clusters.items():
        for person in persons:
            by_person[person].add(cluster)
    join = [sorted(p) for p in clusters.values() if len(p) > 1]
    split = sorted(p for p, found in by_person.items() if len(found) > 1)
    pseudonyms = dict(
        Subject.objects.filter(
            pk__in={p for group in join for p in group} | set(split)
        ).values_list("pk", "pseudonym")
    )
    run.model = model.to_json()
    run.stats = {
        "records": len(records),
        "persons_now": len(by_person),
        "persons_linker": len(clusters),
        "join": [[pseudonyms[p] for p in group] for group in join[:MAX_PROPOSALS]],
        "split": [pseudonyms[p] for p in split[:MAX_PROPOSALS]],
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

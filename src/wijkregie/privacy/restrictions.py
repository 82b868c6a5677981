"""Restriction of processing (AVG art. 18): the check other apps call.

A restriction is recorded for every subject of the merge cluster at the time (`Restriction`),
so a check by subject id needs no walk up the cluster. While it holds: the linker links no new
record to the subject, the screening queue leaves it out, and its page says so (ADR 0017).
This module imports no other app, so that subjects can call it.
"""

from __future__ import annotations

from collections.abc import Iterable

from wijkregie.privacy.models import Restriction


def restricted_ids(municipality_id: int) -> set[int]:
    """The subjects of the municipality whose processing is restricted."""
    return set(
        Restriction.objects.filter(
            municipality_id=municipality_id, lifted_at__isnull=True
        ).values_list("subject_id", flat=True)
    )


def any_restricted(subject_ids: Iterable[int]) -> bool:
    ids = list(subject_ids)
    return (
        bool(ids)
        and Restriction.objects.filter(subject_id__in=ids, lifted_at__isnull=True).exists()
    )

"""The monthly signal tallies: what they should hold, drift, rebuild (ADR 0013).

The triggers of migration 0004 keep `SignalTally` exact on every write. This module
recomputes the same numbers with the ORM (an independent route: TruncMonth in
Europe/Amsterdam), so that tests and `wijkregie check-tallies` can prove the triggers right,
and so that an operator can rebuild the table after restoring a dump made without triggers.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count
from django.db.models.functions import TruncMonth

from wijkregie.signals.models import TALLY_KEY, TALLY_TIME_ZONE, Signal, SignalTally

LOCAL = ZoneInfo(TALLY_TIME_ZONE)
TallyKey = tuple[int, int, int, int, int, str, dt.date]
_SIGNAL_COLUMNS = (
    "municipality_id",
    "neighbourhood_id",
    "owner_organisation_id",
    "category_id",
    "life_domain_id",
    "confidentiality",
)


def expected_tallies(municipality_id: int | None = None) -> Counter[TallyKey]:
    """The tallies recomputed from the signals themselves."""
    qs = Signal.objects.order_by()
    if municipality_id is not None:
        qs = qs.filter(municipality_id=municipality_id)
    rows = (
        qs.annotate(local_month=TruncMonth("observed_at", tzinfo=LOCAL))
        .values(*_SIGNAL_COLUMNS, "local_month")
        .annotate(n=Count("id"))
        .values_list(*_SIGNAL_COLUMNS, "local_month", "n")
    )
    result: Counter[TallyKey] = Counter()
    for *key, month, n in rows:
        day = month.astimezone(LOCAL).date() if isinstance(month, dt.datetime) else month
        key[1] = key[1] or 0
        result[(*key, day)] += n
    return result


def stored_tallies(municipality_id: int | None = None) -> Counter[TallyKey]:
    qs = SignalTally.objects.order_by()
    if municipality_id is not None:
        qs = qs.filter(municipality_id=municipality_id)
    result: Counter[TallyKey] = Counter()
    for *key, n in qs.values_list(*TALLY_KEY, "n"):
        if n:
            result[tuple(key)] += n
    return result


def tally_drift(municipality_id: int | None = None) -> dict[TallyKey, tuple[int, int]]:
    """Keys whose stored count differs from the signals: key -> (stored, expected)."""
    stored, expected = stored_tallies(municipality_id), expected_tallies(municipality_id)
    return {
        key: (stored.get(key, 0), expected.get(key, 0))
        for key in stored.keys() | expected.keys()
        if stored.get(key, 0) != expected.get(key, 0)
    }


@transaction.atomic
def rebuild_tallies() -> int:
    """Replace every tally with the recomputed numbers; returns the number of rows."""
    SignalTally.objects.all().delete()
    rows = [
        SignalTally(**dict(zip(TALLY_KEY, key, strict=True)), n=n)
        for key, n in expected_tallies().items()
    ]
    SignalTally.objects.bulk_create(rows, batch_size=5_000)
    return len(rows)

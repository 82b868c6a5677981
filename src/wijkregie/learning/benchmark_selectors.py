"""Reads of the published benchmark snapshots (the comparison page, its CSV, the own list).

The comparison reads nothing but `BenchmarkSnapshot` / `BenchmarkValue` rows of municipalities
that take part in the circle: no signal, tally, person or address is touched, so nothing below
aggregate level can cross to another municipality. As a second line, a count 0 < n < the
threshold (the stored or today's, whichever is higher) is shown as suppressed on read.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet

from wijkregie.learning import benchmark_definitions as bd
from wijkregie.learning.models import AreaType, BenchmarkSnapshot, BenchmarkValue
from wijkregie.tenants.access import Viewer


@dataclass(frozen=True)
class ComparisonRow:
    municipality: str
    municipality_code: str
    area_label: str
    area_type: str
    area_type_label: str
    count: int | None
    value: float | None
    suppressed: bool
    own: bool


def _participating() -> QuerySet[BenchmarkSnapshot]:
    return BenchmarkSnapshot.objects.filter(municipality__learning_participation__active=True)


def comparison_periods(*, viewer: Viewer) -> list[str]:
    """Periods for which at least one participating municipality published, newest first."""
    periods = set(_participating().values_list("period", flat=True))
    return sorted(periods, reverse=True)


def comparison(*, viewer: Viewer, definition: str, period: str) -> list[ComparisonRow]:
    """The definition's published figures of every participating municipality in the period,
    grouped by area type (in the order of `AreaType`), then municipality and area."""
    if definition not in bd.BY_CODE:
        return []
    order = {value: i for i, value in enumerate(AreaType.values)}
    labels = dict(AreaType.choices)
    rows = (
        BenchmarkValue.objects.filter(
            snapshot__in=_participating().filter(period=period), definition=definition
        )
        .values_list(
            "snapshot__municipality_id",
            "snapshot__municipality__name",
            "snapshot__municipality__cbs_code",
            "snapshot__threshold",
            "area_label",
            "area_type",
            "count",
            "value",
            "suppressed",
        )
        .order_by()
    )
    floor = int(settings.SMALL_COUNT_THRESHOLD)
    out = []
    for gm_id, name, code, threshold, label, kind, count, value, suppressed in rows:
        hide = suppressed or bd.is_small(count, max(int(threshold), floor))
        out.append(
            ComparisonRow(
                municipality=name,
                municipality_code=code,
                area_label=label,
                area_type=kind,
                area_type_label=str(labels.get(kind, kind)),
                count=None if hide else count,
                value=None if hide else value,
                suppressed=hide,
                own=gm_id == viewer.municipality_id,
            )
        )
    out.sort(key=lambda r: (order.get(r.area_type, 99), r.municipality, r.area_label))
    return out


def own_snapshots(*, viewer: Viewer) -> QuerySet[BenchmarkSnapshot]:
    return BenchmarkSnapshot.objects.filter(municipality_id=viewer.municipality_id).order_by(
        "-period_start", "period"
    )


def own_snapshot(*, viewer: Viewer, snapshot_uuid: object) -> BenchmarkSnapshot | None:
    import uuid as uuidlib

    try:
        parsed = uuidlib.UUID(str(snapshot_uuid))
    except ValueError:
        return None
    return own_snapshots(viewer=viewer).filter(uuid=parsed).first()

"""Reads of CBS neighbourhood statistics, the denominators of the analysis pages.

The figures are CBS open data without personal data and without a tenant, so these
selectors take no viewer (like `addresses.selectors`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max

from wijkregie.analysis.models import AreaStatistic

_CHUNK = 500


@dataclass(frozen=True)
class AreaStats:
    code: str
    kind: str
    year: int
    residents: int | None
    households: int | None
    values: dict[str, Any] = field(default_factory=dict)


def area_statistics(codes: Iterable[str], year: int) -> dict[str, AreaStats]:
    """Code -> figures of that year; codes without figures are absent. Codes as in the file."""
    wanted = sorted({c.strip().upper() for c in codes if c and c.strip()})
    found: dict[str, AreaStats] = {}
    for start in range(0, len(wanted), _CHUNK):
        rows = AreaStatistic.objects.filter(code__in=wanted[start : start + _CHUNK], year=year)
        for row in rows:
            found[row.code] = AreaStats(
                code=row.code,
                kind=row.kind,
                year=row.year,
                residents=row.residents,
                households=row.households,
                values=dict(row.values or {}),
            )
    return found


def latest_year(kind: str | None = None) -> int | None:
    """The most recent year with figures (of that region kind), or None when there are none."""
    rows = AreaStatistic.objects.all()
    if kind is not None:
        rows = rows.filter(kind=kind)
    year = rows.aggregate(latest=Max("year"))["latest"]
    return int(year) if year is not None else None

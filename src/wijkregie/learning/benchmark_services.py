"""Publishing a municipality's benchmark figures into the learning circle (ADR 0016).

`publish_benchmark` is run by a regisseur or beheerder of the municipality (page) or by the
command `wijkregie publish-benchmarks`. It computes, per focus area that takes part
(`BenchmarkArea`), the shared definitions over ALL signals of the municipality in the period:
a municipality-level aggregate computed by the system, not through one viewer's visibility
(the figures are the municipality's own statistics, and a viewer-shaped number would differ
per publisher). The system counts as a pseudonymised reader of every organisation
(`system_viewer`), so the monthly tallies (`signals.selectors.grouped_counts`) and the area
index (`analysis.index_selectors.area_index`, which then suppresses small indicator counts)
are reused unchanged. Every number is suppressed below `settings.SMALL_COUNT_THRESHOLD`, with
the secondary suppression of `benchmark_definitions.suppress`. Only numbers are stored:
area label, area type, period, definition, count, rate or score, suppressed flag.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from wijkregie.analysis.index_selectors import area_index
from wijkregie.analysis.models import AreaStatistic
from wijkregie.areas.models import FocusArea, Neighbourhood, NeighbourhoodKind
from wijkregie.learning import benchmark_definitions as bd
from wijkregie.learning.models import (
    BenchmarkArea,
    BenchmarkGroupMapping,
    BenchmarkSnapshot,
    BenchmarkValue,
)
from wijkregie.privacy.services import audit
from wijkregie.signals.models import Category, LifeDomain
from wijkregie.signals.selectors import TALLY_ZONE, grouped_counts
from wijkregie.tenants.access import Viewer
from wijkregie.tenants.models import Municipality, Organisation, Role, User


def system_viewer(municipality_id: int, user: Any = None) -> Viewer:
    """The system computing municipality-level aggregates: a pseudonymised reader of every
    organisation of the municipality (so small counts are suppressed in what it reads)."""
    orgs = frozenset(
        Organisation.objects.filter(municipality_id=municipality_id).values_list("id", flat=True)
    )
    role = frozenset({Role.ANALIST})
    return Viewer(
        user=user if user is not None else User(username="systeem"),
        municipality_id=municipality_id,
        organisation_ids=orgs,
        roles=role,
        roles_by_organisation=dict.fromkeys(orgs, role),
        access_point="system",
    )


@dataclass(frozen=True)
class _Area:
    focus_area: FocusArea
    area_type: str
    hood_ids: frozenset[int]
    buurt_codes: tuple[str, ...]


def _areas(municipality_id: int) -> list[_Area]:
    rows = list(
        BenchmarkArea.objects.filter(
            municipality_id=municipality_id, focus_area__municipality_id=municipality_id
        ).select_related("focus_area")
    )
    links = FocusArea.neighbourhoods.through.objects.filter(
        focusarea_id__in=[r.focus_area_id for r in rows]
    ).values_list("focusarea_id", "neighbourhood_id", "neighbourhood__code", "neighbourhood__kind")
    hoods: dict[int, set[int]] = defaultdict(set)
    codes: dict[int, set[str]] = defaultdict(set)
    wijk_ids: dict[int, set[int]] = defaultdict(set)
    for area_id, hood_id, code, kind in links:
        hoods[area_id].add(hood_id)
        if kind == NeighbourhoodKind.BUURT:
            codes[area_id].add(code)
        else:
            wijk_ids[area_id].add(hood_id)
    if wijk_ids:  # a wijk in a focus area brings its buurten
        for area_id, ids in wijk_ids.items():
            for pk, code in Neighbourhood.objects.filter(parent_id__in=ids).values_list(
                "id", "code"
            ):
                hoods[area_id].add(pk)
                codes[area_id].add(code)
    return [
        _Area(
            r.focus_area,
            r.area_type,
            frozenset(hoods[r.focus_area_id]),
            tuple(sorted(codes[r.focus_area_id])),
        )
        for r in sorted(rows, key=lambda r: (r.focus_area.name, r.focus_area_id))
    ]


def _residents(buurt_codes: set[str], year: int) -> dict[str, int]:
    """Residents per buurt from CBS: the latest year up to `year`, else the first after it."""
    rows = AreaStatistic.objects.filter(code__in=sorted(buurt_codes), residents__isnull=False)
    best: dict[str, tuple[tuple[int, int], int]] = {}
    for code, row_year, residents in rows.values_list("code", "year", "residents"):
        rank = (0, -row_year) if row_year <= year else (1, row_year)
        if code not in best or rank < best[code][0]:
            best[code] = (rank, int(residents or 0))
    return {code: value for code, (_rank, value) in best.items()}


def _group_of_category(municipality_id: int) -> dict[int, str]:
    """Category id -> shared group: a category's own mapping, else its main category's."""
    mapped = dict(
        BenchmarkGroupMapping.objects.filter(
            municipality_id=municipality_id, group__in=sorted(bd.GROUP_CODES)
        ).values_list("category_id", "group")
    )
    out: dict[int, str] = {}
    for pk, parent in Category.objects.filter(municipality_id=municipality_id).values_list(
        "id", "parent_id"
    ):
        group = mapped.get(pk) or (mapped.get(parent) if parent else None)
        if group:
            out[pk] = group
    return out


def _aware(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=TALLY_ZONE)


@dataclass(frozen=True)
class ComputedRow:
    area_label: str
    area_type: str
    definition: str
    count: int | None
    value: float | None
    suppressed: bool


@dataclass(frozen=True)
class Computed:
    rows: list[ComputedRow]
    counts: dict[tuple[int, str], int]  # (focus area id, definition) -> true count (tests)
    families: list[bd.Family]
    nested: list[tuple[Any, Any]]
    complete: bool


def compute_benchmark(
    *, municipality: Municipality, period: bd.Period, threshold: int | None = None
) -> Computed:
    """The snapshot's numbers (not stored): counts, rates per 1,000 and index scores."""
    threshold = int(settings.SMALL_COUNT_THRESHOLD if threshold is None else threshold)
    now = timezone.now()
    start, end = _aware(period.start), _aware(period.end)
    if start >= now:
        raise ValidationError(_("Deze periode is nog niet begonnen."))
    complete = end <= now
    areas = _areas(municipality.pk)
    viewer = system_viewer(municipality.pk)
    all_hoods = sorted({h for a in areas for h in a.hood_ids})
    raw = (
        grouped_counts(
            viewer,
            None,
            {"p": (start, min(end, now))},
            ("neighbourhood_id", "life_domain_id", "category_id"),
            within=Q(neighbourhood_id__in=all_hoods),
        )
        if all_hoods
        else {}
    )
    domain_code = dict(
        LifeDomain.objects.filter(municipality=municipality).values_list("id", "code")
    )
    group_of = _group_of_category(municipality.pk)
    shared_domains = {d.life_domain for d in bd.DOMAIN_DEFINITIONS}
    counts: dict[tuple[int, str], int] = {}
    hidden: list[tuple[int, str]] = []
    families: list[bd.Family] = []
    for area in areas:
        key = area.focus_area.pk
        for definition in bd.DEFINITIONS:
            if definition.kind == bd.KIND_RATE:
                counts[(key, definition.code)] = 0
        counts[(key, "_other_domains")] = 0
        hidden.append((key, "_other_domains"))
        for (hood, domain, category), counter in raw.items():
            if hood not in area.hood_ids:
                continue
            n = int(counter.get("p", 0))
            counts[(key, bd.TOTAL)] += n
            code = domain_code.get(domain, "")
            if code in shared_domains:
                counts[(key, f"leefgebied-{code}")] += n
            else:
                counts[(key, "_other_domains")] += n
            group = group_of.get(category)
            if group:
                counts[(key, f"groep-{group}")] += n
        families.append(
            bd.Family(
                (key, bd.TOTAL),
                (*((key, d.code) for d in bd.DOMAIN_DEFINITIONS), (key, "_other_domains")),
            )
        )
    nested: list[tuple[Any, Any]] = []
    for inner in areas:
        for outer in areas:
            if inner is not outer and inner.hood_ids <= outer.hood_ids:
                if inner.hood_ids == outer.hood_ids and inner.focus_area.pk > outer.focus_area.pk:
                    continue
                for definition in bd.DEFINITIONS:
                    if definition.kind == bd.KIND_RATE:
                        nested.append(
                            (
                                (inner.focus_area.pk, definition.code),
                                (outer.focus_area.pk, definition.code),
                            )
                        )
    # Within an area, a group lies within the total, and within a life domain when all its
    # categories belong to that domain: their difference is a count as well.
    domains_of_group: dict[str, set[str]] = defaultdict(set)
    for pk, domain in Category.objects.filter(municipality=municipality).values_list(
        "id", "life_domain_id"
    ):
        if pk in group_of:
            domains_of_group[group_of[pk]].add(domain_code.get(domain, ""))
    for area in areas:
        key = area.focus_area.pk
        for group, domains in sorted(domains_of_group.items()):
            nested.append(((key, f"groep-{group}"), (key, bd.TOTAL)))
            only = next(iter(domains)) if len(domains) == 1 else ""
            if only in shared_domains:
                nested.append(((key, f"groep-{group}"), (key, f"leefgebied-{only}")))
    suppressed = bd.suppress(counts, threshold, families=families, nested=nested, hidden=hidden)
    residents = _residents({c for a in areas for c in a.buurt_codes}, period.year)
    scores = {}
    if period.is_year and areas:
        found = area_index(
            viewer=viewer, codes=[str(a.focus_area.uuid) for a in areas], year=period.year
        )
        scores = {k: v.score for k, v in found.items()}
    rows: list[ComputedRow] = []
    for area in areas:
        key = area.focus_area.pk
        area_residents: int | None = None
        if area.buurt_codes and all(c in residents for c in area.buurt_codes):
            area_residents = sum(residents[c] for c in area.buurt_codes)
        for definition in bd.DEFINITIONS:
            if definition.kind == bd.KIND_INDEX:
                if period.is_year:
                    score = scores.get(str(area.focus_area.uuid))
                    rows.append(
                        ComputedRow(
                            area.focus_area.name,
                            area.area_type,
                            definition.code,
                            None,
                            None if score is None else round(float(score), 1),
                            False,
                        )
                    )
                continue
            n = counts[(key, definition.code)]
            hide = (key, definition.code) in suppressed
            rows.append(
                ComputedRow(
                    area.focus_area.name,
                    area.area_type,
                    definition.code,
                    None if hide else n,
                    None if hide else bd.rate_per_1000(n, area_residents),
                    hide,
                )
            )
    return Computed(rows, counts, families, nested, complete)


def _nesting_conflict(municipality: Municipality, period: bd.Period) -> bool:
    """A year and its quarters are never both published: year = sum of quarters would let a
    suppressed quarter be recovered."""
    year = str(period.year)
    others = BenchmarkSnapshot.objects.filter(municipality=municipality)
    if period.is_year:
        return others.filter(period__startswith=f"{year}-Q").exists()
    return others.filter(period=year).exists()


@transaction.atomic
def publish_benchmark(
    *, municipality: Municipality, period: bd.Period, actor: Any = None
) -> BenchmarkSnapshot:
    """Compute and store (or replace) the municipality's snapshot for the period."""
    if _nesting_conflict(municipality, period):
        raise ValidationError(
            _(
                "Voor dit jaar zijn al cijfers per %(other)s gepubliceerd. Een jaar en zijn "
                "kwartalen worden niet allebei gepubliceerd, omdat een afgeschermd cijfer dan "
                "terug te rekenen is."
            )
            % {"other": _("kwartaal") if period.is_year else _("jaar")}
        )
    threshold = int(settings.SMALL_COUNT_THRESHOLD)
    computed = compute_benchmark(municipality=municipality, period=period, threshold=threshold)
    if not computed.rows:
        raise ValidationError(
            _("Er zijn geen focusgebieden aangewezen voor de benchmark (zie beheer).")
        )
    BenchmarkSnapshot.objects.filter(municipality=municipality, period=period.code).delete()
    snapshot = BenchmarkSnapshot.objects.create(
        municipality=municipality,
        period=period.code,
        period_start=period.start,
        period_end=period.end,
        complete=computed.complete,
        threshold=threshold,
        published_by=actor if getattr(actor, "pk", None) else None,
    )
    BenchmarkValue.objects.bulk_create(
        BenchmarkValue(
            snapshot=snapshot,
            area_label=row.area_label,
            area_type=row.area_type,
            definition=row.definition,
            count=row.count,
            value=row.value,
            suppressed=row.suppressed,
        )
        for row in computed.rows
    )
    audit(
        actor=actor,
        municipality_id=municipality.pk,
        action="benchmark_publish",
        obj=snapshot,
        changes={"period": period.code, "rows": len(computed.rows)},
    )
    return snapshot


@transaction.atomic
def withdraw_benchmark(*, snapshot: BenchmarkSnapshot, actor: Any) -> None:
    audit(
        actor=actor,
        municipality_id=snapshot.municipality_id,
        action="benchmark_withdraw",
        obj=snapshot,
        changes={"period": snapshot.period},
    )
    snapshot.delete()

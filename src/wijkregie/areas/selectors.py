"""Reads of areas, always within the viewer's municipality."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from django.db.models import Count, Max, Q, QuerySet
from shapely.geometry import shape

from wijkregie.areas.models import FocusArea, Neighbourhood, NeighbourhoodKind
from wijkregie.tenants.access import Viewer


def focus_area_list(*, viewer: Viewer) -> QuerySet[FocusArea]:
    return (
        FocusArea.objects.filter(municipality_id=viewer.municipality_id)
        .select_related("project_leader")
        .prefetch_related("neighbourhoods")
    )


def neighbourhood_list(
    *, viewer: Viewer, kind: str | None = NeighbourhoodKind.BUURT
) -> QuerySet[Neighbourhood]:
    qs = Neighbourhood.objects.filter(municipality_id=viewer.municipality_id)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("code")


def my_focus_areas(*, viewer: Viewer) -> QuerySet[FocusArea]:
    """Focus areas the viewer leads, or where one of their organisations is a partner."""
    return (
        focus_area_list(viewer=viewer)
        .filter(
            Q(project_leader=viewer.user) | Q(partners__organisation_id__in=viewer.organisation_ids)
        )
        .distinct()
        .order_by("name")
    )


@dataclass(frozen=True)
class _Index:
    version: tuple[int, str]
    ids: np.ndarray
    geometries: list[Any]
    tree: shapely.STRtree


_cache: dict[int, _Index] = {}
_lock = threading.Lock()


def _buurt_index(municipality_id: int) -> _Index | None:
    qs = Neighbourhood.objects.filter(
        municipality_id=municipality_id, kind=NeighbourhoodKind.BUURT, boundary__isnull=False
    )
    # One query tells whether the cached index is still current (count and latest change).
    stats = qs.aggregate(n=Count("id"), latest=Max("updated_at"))
    latest = stats["latest"]
    version = (stats["n"], latest.isoformat() if latest else "")
    cached = _cache.get(municipality_id)
    if cached is not None and cached.version == version:
        return cached
    rows = list(qs.values_list("id", "boundary"))
    if not rows:
        return None
    geometries = [shape(boundary) for _, boundary in rows if boundary is not None]
    for geometry in geometries:
        shapely.prepare(geometry)
    index = _Index(
        version=version,
        ids=np.array([pk for pk, _ in rows], dtype=np.int64),
        geometries=geometries,
        tree=shapely.STRtree(geometries),
    )
    with _lock:
        _cache[municipality_id] = index
    return index


def buurt_ids_at(municipality_id: int, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    """Vectorised point-in-polygon: the buurt id for each point, or 0 outside every buurt."""
    result = np.zeros(len(lons), dtype=np.int64)
    index = _buurt_index(municipality_id)
    if index is None or len(lons) == 0:
        return result
    points = shapely.points(lons, lats)
    point_idx, geom_idx = index.tree.query(points, predicate="within")
    result[point_idx] = index.ids[geom_idx]
    return result


def has_buurt_boundaries(municipality_id: int) -> bool:
    return _buurt_index(municipality_id) is not None


def buurt_at(municipality_id: int, lon: float, lat: float) -> Neighbourhood | None:
    pk = int(buurt_ids_at(municipality_id, np.array([lon]), np.array([lat]))[0])
    return Neighbourhood.objects.filter(pk=pk).first() if pk else None

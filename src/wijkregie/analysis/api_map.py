"""REST API for the layers of the analysis map (/api/v1/analysis/map/...), scoped to the viewer.

The hot spot cells are `GET /api/v1/analysis/hotspots` (analysis/api.py); these endpoints give
the other layers. All take the signal list filters; an `area` that is not a focus area or
wijk/buurt of your municipality is a 404, like on the page.
"""

from __future__ import annotations

import math
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from wijkregie.analysis import map_selectors as ms
from wijkregie.analysis.map_views import check_area, map_reader
from wijkregie.api.renderers import PreCamelized
from wijkregie.api.schema import problem_responses
from wijkregie.api.views import ApiView
from wijkregie.lib import geo
from wijkregie.signals.api import FILTER_PARAMETERS
from wijkregie.signals.selectors import SignalFilters

DEFAULT_ZOOM = 12


def _error(message: Any, code: str) -> ErrorDetail:
    return ErrorDetail(str(message), code=code)


def parse_zoom(params: Any) -> tuple[int, dict[str, Any]]:
    raw = (params.get("zoom") or "").strip()
    if not raw:
        return DEFAULT_ZOOM, {}
    try:
        zoom = int(raw)
    except ValueError:
        zoom = -1
    if not ms.MIN_ZOOM <= zoom <= ms.MAX_ZOOM:
        message = _("Geef zoom als geheel getal van %(min)s tot en met %(max)s.") % {
            "min": ms.MIN_ZOOM,
            "max": ms.MAX_ZOOM,
        }
        return DEFAULT_ZOOM, {"zoom": _error(message, "invalid_zoom")}
    return zoom, {}


def parse_bbox(params: Any) -> tuple[ms.BBox | None, dict[str, Any]]:
    """`bbox=lonMin,latMin,lonMax,latMax` (WGS84), clipped to the Netherlands."""
    raw = (params.get("bbox") or "").strip()
    if not raw:
        return None, {}
    try:
        values = [float(part) for part in raw.split(",")]
    except ValueError:
        values = []
    ok = len(values) == 4 and all(math.isfinite(v) for v in values)
    if ok and values[0] < values[2] and values[1] < values[3]:
        lon_min, lat_min, lon_max, lat_max = geo.NL_WGS84
        clipped = ms.BBox(
            max(values[0], lon_min),
            max(values[1], lat_min),
            min(values[2], lon_max),
            min(values[3], lat_max),
        )
        if clipped.lon_min < clipped.lon_max and clipped.lat_min < clipped.lat_max:
            return clipped, {}
        return None, {"bbox": _error(_("Het kaartvenster ligt buiten Nederland."), "outside")}
    message = _(
        "Geef bbox als vier getallen lonMin,latMin,lonMax,latMax (WGS84), min kleiner dan max."
    )
    return None, {"bbox": _error(message, "invalid_bbox")}


def _filters(request: Request, extra_errors: dict[str, Any] | None = None) -> SignalFilters:
    """The list filters; every invalid parameter at once (400), a foreign area 404."""
    filters = SignalFilters.from_query(request.query_params)
    errors = {**filters.errors, **(extra_errors or {})}
    if errors:
        raise ValidationError(errors)
    return filters


def _viewer_and_area(request: Request) -> Any:
    viewer = map_reader(request.user, access_point="api")
    check_area(viewer, (request.query_params.get("area") or "").strip()[:40])
    return viewer


def _count(count: int, suppressed: bool) -> int | None:
    return None if suppressed else count


# ------------------------------------------------------------------------------- clusters


def cluster_features(result: ms.Clusters) -> dict[str, Any]:
    size_m = result.size * geo.CELL_SIZE_M
    features: list[dict[str, Any]] = [
        {
            "type": "Feature",
            "id": f"C{c.cell_x}-{c.cell_y}-{result.size}",
            "geometry": {"type": "Point", "coordinates": [c.lon, c.lat]},
            "properties": {
                "kind": "cluster",
                "count": _count(c.count, c.suppressed),
                "cellX": c.cell_x,
                "cellY": c.cell_y,
                "sizeM": size_m,
                "uuid": None,
                "category": None,
            },
        }
        for c in result.clusters
    ]
    features += [
        {
            "type": "Feature",
            "id": p.uuid,
            "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
            "properties": {
                "kind": "signal",
                "count": 1,
                "cellX": None,
                "cellY": None,
                "sizeM": None,
                "uuid": p.uuid,
                "category": p.category,
            },
        }
        for p in result.points
    ]
    return {
        "type": "FeatureCollection",
        "features": features,
        "meta": {
            "zoom": result.zoom,
            "clusterSizeM": size_m,
            "points": bool(result.points),
            "signals": result.signals,
            "signalsWithoutLocation": result.without_location,
            "suppressionThreshold": result.threshold or None,
        },
    }


class ClusterPropertiesSerializer(serializers.Serializer):
    kind = serializers.CharField(
        help_text="`cluster` (signals on a grid of 100 m cells) or `signal` (one signal, close "
        "zoom, need-to-know only)",
    )
    count = serializers.IntegerField(
        allow_null=True, help_text="Signals in the cluster; null when suppressed for you"
    )
    cell_x = serializers.IntegerField(
        allow_null=True, help_text="Lower-left 100 m cell of the cluster's square (RD x / 100)"
    )
    cell_y = serializers.IntegerField(allow_null=True, help_text="Idem, RD y / 100")
    size_m = serializers.IntegerField(allow_null=True, help_text="Side of the square (m)")
    uuid = serializers.UUIDField(allow_null=True, help_text="The signal (kind `signal` only)")
    category = serializers.CharField(allow_null=True, help_text="Category (kind `signal` only)")


class ClusterFeatureSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="`Feature`")
    id = serializers.CharField()
    geometry = serializers.JSONField(
        help_text="GeoJSON Point (WGS84): a cluster at the count-weighted mean of its cells' "
        "centres, a signal at its point"
    )
    properties = ClusterPropertiesSerializer()


class ClusterMetaSerializer(serializers.Serializer):
    zoom = serializers.IntegerField()
    cluster_size_m = serializers.IntegerField(help_text="Side of a cluster's square (m)")
    points = serializers.BooleanField(help_text="Features are single signals, not clusters")
    signals = serializers.IntegerField(help_text="Visible signals on the map (in bbox if given)")
    signals_without_location = serializers.IntegerField(
        help_text="Visible signals (same filters) without a 100 m cell: on no map"
    )
    suppression_threshold = serializers.IntegerField(
        allow_null=True, help_text="Counts below this (and above 0) are null for you"
    )


class ClusterCollectionSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="`FeatureCollection`")
    features = ClusterFeatureSerializer(many=True)
    meta = ClusterMetaSerializer()


class MapClustersView(ApiView):
    @extend_schema(
        parameters=[
            *FILTER_PARAMETERS,
            OpenApiParameter(
                "zoom",
                OpenApiTypes.INT,
                description=f"Map zoom {ms.MIN_ZOOM}-{ms.MAX_ZOOM} (default {DEFAULT_ZOOM}); a "
                f"cluster is one 100 m cell from zoom {ms.CELL_ZOOM}, doubling per step out",
            ),
            OpenApiParameter(
                "bbox",
                OpenApiTypes.STR,
                description="lonMin,latMin,lonMax,latMax (WGS84): only signals in this box",
            ),
        ],
        responses={
            (200, "application/json"): ClusterCollectionSerializer,
            **problem_responses(400, 401, 404),
        },
        operation_id="analysis_map_clusters",
        summary="The signals visible to you, clustered on a zoom-dependent grid",
        description=(
            "Signals are counted in the database per square of whole 100 m cells (1 cell at "
            f"zoom {ms.CELL_ZOOM} and closer, twice as wide per zoom step out). From zoom "
            f"{ms.POINT_ZOOM}, with a `bbox` and at most {ms.MAX_POINTS} signals in it, viewers "
            "with need-to-know get single signals (logged as a read); pseudonymised analysts "
            "never do. Counts below the suppression threshold are null for analysts."
        ),
    )
    def get(self, request: Request) -> Response:
        viewer = _viewer_and_area(request)
        zoom, zoom_errors = parse_zoom(request.query_params)
        bbox, bbox_errors = parse_bbox(request.query_params)
        filters = _filters(request, {**zoom_errors, **bbox_errors})
        result = ms.signal_clusters(viewer=viewer, filters=filters, zoom=zoom, bbox=bbox)
        return Response(PreCamelized(cluster_features(result)))


# ----------------------------------------------------------------------------- choropleth


def choropleth_features(choropleth: ms.Choropleth) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": b.code,
                "geometry": b.boundary,
                "properties": {
                    "code": b.code,
                    "name": b.name,
                    "count": _count(b.count, b.suppressed),
                    "suppressed": b.suppressed,
                    "residents": b.residents,
                    "ratePer1000": b.rate,
                    "class": b.klass,
                },
            }
            for b in choropleth.buurten
        ],
        "meta": {
            "measure": choropleth.measure,
            "breaks": choropleth.breaks,
            "year": choropleth.year,
            "signals": choropleth.signals,
            "suppressionThreshold": choropleth.threshold or None,
        },
    }


class ChoroplethPropertiesSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="CBS buurt code")
    name = serializers.CharField()
    count = serializers.IntegerField(
        allow_null=True, help_text="Signals visible to you; null when suppressed"
    )
    suppressed = serializers.BooleanField()
    residents = serializers.IntegerField(allow_null=True, help_text="CBS residents (year in meta)")
    rate_per1000 = serializers.FloatField(
        allow_null=True,
        help_text="Signals per 1,000 residents (1 decimal); null when suppressed or unknown",
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        fields: dict[str, serializers.Field] = super().get_fields()
        fields["class"] = serializers.IntegerField(
            allow_null=True,
            help_text="0: no signals; 1..n: the quantile class of `meta.breaks`; null when "
            "suppressed or (measure `rate`) without residents",
        )
        return fields


class ChoroplethFeatureSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="`Feature`")
    id = serializers.CharField()
    geometry = serializers.JSONField(allow_null=True, help_text="GeoJSON Polygon (WGS84)")
    properties = ChoroplethPropertiesSerializer()


class ChoroplethMetaSerializer(serializers.Serializer):
    measure = serializers.CharField(
        help_text="`rate` (per 1,000 residents) or `count` (no CBS figures available)",
    )
    breaks = serializers.ListField(
        child=serializers.FloatField(),
        help_text="Upper bounds (inclusive) of classes 1..n, in the measure",
    )
    year = serializers.IntegerField(allow_null=True, help_text="CBS year of the residents")
    signals = serializers.IntegerField(help_text="Visible signals in the buurten")
    suppression_threshold = serializers.IntegerField(allow_null=True)


class ChoroplethCollectionSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="`FeatureCollection`")
    features = ChoroplethFeatureSerializer(many=True)
    meta = ChoroplethMetaSerializer()


class MapChoroplethView(ApiView):
    @extend_schema(
        parameters=FILTER_PARAMETERS,
        responses={
            (200, "application/json"): ChoroplethCollectionSerializer,
            **problem_responses(400, 401, 404),
        },
        operation_id="analysis_map_choropleth",
        summary="Every buurt with visible signals, residents, rate per 1,000 and class",
    )
    def get(self, request: Request) -> Response:
        viewer = _viewer_and_area(request)
        filters = _filters(request)
        return Response(
            PreCamelized(choropleth_features(ms.buurt_choropleth(viewer=viewer, filters=filters)))
        )


# ---------------------------------------------------------------------------- focus areas


def focus_area_features(figures: list[ms.FocusAreaFigure], threshold: int) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": f.uuid,
                "geometry": f.outline,
                "properties": {
                    "uuid": f.uuid,
                    "name": f.name,
                    "neighbourhoods": f.buurt_codes,
                    "count": _count(f.count, f.suppressed),
                    "suppressed": f.suppressed,
                },
            }
            for f in figures
        ],
        "meta": {"suppressionThreshold": threshold or None},
    }


class FocusOutlinePropertiesSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    name = serializers.CharField()
    neighbourhoods = serializers.ListField(
        child=serializers.CharField(), help_text="CBS codes of its buurten"
    )
    count = serializers.IntegerField(
        allow_null=True, help_text="Signals visible to you in its buurten; null when suppressed"
    )
    suppressed = serializers.BooleanField()


class FocusOutlineFeatureSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="`Feature`")
    id = serializers.CharField()
    geometry = serializers.JSONField(
        allow_null=True, help_text="GeoJSON (Multi)Polygon: the union of its buurten (WGS84)"
    )
    properties = FocusOutlinePropertiesSerializer()


class FocusOutlineMetaSerializer(serializers.Serializer):
    suppression_threshold = serializers.IntegerField(allow_null=True)


class FocusOutlineCollectionSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="`FeatureCollection`")
    features = FocusOutlineFeatureSerializer(many=True)
    meta = FocusOutlineMetaSerializer()


class MapFocusAreasView(ApiView):
    @extend_schema(
        parameters=FILTER_PARAMETERS,
        responses={
            (200, "application/json"): FocusOutlineCollectionSerializer,
            **problem_responses(400, 401, 404),
        },
        operation_id="analysis_map_focus_areas",
        summary="Outlines of the focus areas with the signals visible to you in them",
    )
    def get(self, request: Request) -> Response:
        viewer = _viewer_and_area(request)
        filters = _filters(request)
        figures = ms.focus_area_figures(viewer=viewer, filters=filters)
        return Response(
            PreCamelized(focus_area_features(figures, ms.suppression_threshold(viewer)))
        )

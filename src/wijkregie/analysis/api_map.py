"""REST API for the layers of the analysis map (/api/v1/analysis/map/...), scoped to the viewer.

Every study-area cell with Gi* is `GET /api/v1/analysis/hotspots` (analysis/api.py); the map
asks `/analysis/map/hotspots`, the same Gi* (computed on the whole study area) trimmed to the
hot and cold cells in the map's box, with FDR or, on request, uncorrected. All take the signal
list filters; an `area` that is not a focus area or wijk/buurt of your municipality is a 404,
like on the page.
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
from wijkregie.analysis.api import DEFAULT_ALPHA, cell_rings, parse_alpha
from wijkregie.analysis.gistar import COLD, HOT, NONE
from wijkregie.analysis.map_views import check_area, map_reader
from wijkregie.analysis.selectors import HotspotCells
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


BBOX_CRS = ("wgs84", "rd")


def parse_bbox(params: Any) -> tuple[ms.BBox | ms.RDBox | None, dict[str, Any]]:
    """`bbox=lonMin,latMin,lonMax,latMax` (WGS84), or with `bboxCrs=rd`
    `bbox=xMin,yMin,xMax,yMax` (RD New, metres); clipped to the Netherlands."""
    crs = (params.get("bboxCrs") or "").strip().lower() or "wgs84"
    if crs not in BBOX_CRS:
        message = _("Geef bboxCrs als wgs84 of rd.")
        return None, {"bbox_crs": _error(message, "invalid_crs")}
    raw = (params.get("bbox") or "").strip()
    if not raw:
        return None, {}
    try:
        values = [float(part) for part in raw.split(",")]
    except ValueError:
        values = []
    ok = len(values) == 4 and all(math.isfinite(v) for v in values)
    if ok and values[0] < values[2] and values[1] < values[3]:
        x_min, y_min, x_max, y_max = geo.NL_RD if crs == "rd" else geo.NL_WGS84
        box = (
            max(values[0], x_min),
            max(values[1], y_min),
            min(values[2], x_max),
            min(values[3], y_max),
        )
        if box[0] < box[2] and box[1] < box[3]:
            return (ms.RDBox(*box) if crs == "rd" else ms.BBox(*box)), {}
        return None, {"bbox": _error(_("Het kaartvenster ligt buiten Nederland."), "outside")}
    if crs == "rd":
        message = _(
            "Geef bbox als vier getallen xMin,yMin,xMax,yMax (RD New, meters), min kleiner dan max."
        )
    else:
        message = _(
            "Geef bbox als vier getallen lonMin,latMin,lonMax,latMax (WGS84), min kleiner dan max."
        )
    return None, {"bbox": _error(message, "invalid_bbox")}


BBOX_PARAMETERS = [
    OpenApiParameter(
        "bbox",
        OpenApiTypes.STR,
        description="lonMin,latMin,lonMax,latMax (WGS84), or with `bboxCrs=rd` "
        "xMin,yMin,xMax,yMax (RD New, metres): only what lies in this box",
    ),
    OpenApiParameter(
        "bboxCrs",
        OpenApiTypes.STR,
        enum=list(BBOX_CRS),
        description="Coordinate system of `bbox`: `wgs84` (default) or `rd` (EPSG:28992)",
    ),
]


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
            *BBOX_PARAMETERS,
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


# ------------------------------------------------------------------------------- hot spots

CELLS_CHOICES = ("classified", "all")


def parse_hotspot_options(params: Any) -> tuple[bool, bool, dict[str, Any]]:
    """(fdr, classified_only, errors) from `fdr=on|off` and `cells=classified|all`."""
    errors: dict[str, Any] = {}
    fdr = (params.get("fdr") or "").strip().lower() or ms.DEFAULT_FDR
    if fdr not in ms.FDR_CHOICES:
        errors["fdr"] = _error(_("Geef fdr als on of off."), "invalid_fdr")
        fdr = ms.DEFAULT_FDR
    cells = (params.get("cells") or "").strip().lower() or CELLS_CHOICES[0]
    if cells not in CELLS_CHOICES:
        errors["cells"] = _error(_("Geef cells als classified of all."), "invalid_cells")
        cells = CELLS_CHOICES[0]
    return fdr == ms.FDR_ON, cells == "classified", errors


def map_hotspot_features(
    cells: HotspotCells, selected: Any, *, fdr: bool, classified_only: bool, bbox: bool
) -> dict[str, Any]:
    """GeoJSON of the selected cells (indices into `cells`); meta about the whole study area."""
    result = cells.result
    rings = cell_rings(cells.ix[selected], cells.iy[selected])
    features = []
    for ring, i in zip(rings, selected.tolist(), strict=True):
        x, y = int(cells.ix[i]), int(cells.iy[i])
        z, p = float(result.z[i]), float(result.p_value[i])
        features.append(
            {
                "type": "Feature",
                "id": f"E{x:04d}N{y:04d}",
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": {
                    "cellX": x,
                    "cellY": y,
                    "count": None if bool(cells.suppressed[i]) else int(cells.count[i]),
                    "giZ": z if math.isfinite(z) else None,
                    "pValue": p if math.isfinite(p) else None,
                    "significant": bool(result.significant[i]),
                    "class": str(result.classes[i]),
                },
            }
        )
    return {
        "type": "FeatureCollection",
        "features": features,
        "meta": {
            "studyAreaCells": int(cells.ix.size),
            "cells": len(features),
            "hot": int((result.classes == HOT).sum()),
            "cold": int((result.classes == COLD).sum()),
            "signals": cells.signals,
            "signalsOutsideStudyArea": cells.outside,
            "alpha": result.alpha,
            "fdr": fdr,
            "correction": "benjamini-hochberg" if fdr else "none",
            "classifiedOnly": classified_only,
            "bbox": bbox,
            "suppressionThreshold": cells.threshold or None,
        },
    }


class MapHotspotPropertiesSerializer(serializers.Serializer):
    cell_x = serializers.IntegerField(help_text="RD New x of the lower-left corner / 100")
    cell_y = serializers.IntegerField(help_text="RD New y of the lower-left corner / 100")
    count = serializers.IntegerField(
        allow_null=True, help_text="Signals visible to you in the cell; null when suppressed"
    )
    gi_z = serializers.FloatField(allow_null=True, help_text="Getis-Ord Gi* z")
    p_value = serializers.FloatField(allow_null=True, help_text="Two-sided analytic p-value")
    significant = serializers.BooleanField(
        help_text="With `fdr=on` the Benjamini-Hochberg decision at alpha; with `fdr=off` "
        "p < alpha for this cell alone (uncorrected)"
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        fields: dict[str, serializers.Field] = super().get_fields()
        fields["class"] = serializers.ChoiceField(
            choices=[(HOT, HOT), (COLD, COLD), (NONE, NONE)],
            help_text="`hot` (significant, z > 0), `cold` (significant, z < 0) or `none`",
        )
        return fields


class MapHotspotFeatureSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="`Feature`")
    id = serializers.CharField(help_text="Cell name E<cellX>N<cellY>")
    geometry = serializers.JSONField(help_text="GeoJSON Polygon of the cell (WGS84)")
    properties = MapHotspotPropertiesSerializer()


class MapHotspotMetaSerializer(serializers.Serializer):
    study_area_cells = serializers.IntegerField(
        help_text="Cells in the study area (centre in a buurt): Gi* is computed on all of them"
    )
    cells = serializers.IntegerField(help_text="Cells in this response")
    hot = serializers.IntegerField(help_text="Hot cells in the whole study area")
    cold = serializers.IntegerField(help_text="Cold cells in the whole study area")
    signals = serializers.IntegerField(help_text="Visible signals counted in the study area")
    signals_outside_study_area = serializers.IntegerField()
    alpha = serializers.FloatField(help_text="Significance level (FDR level with `fdr=on`)")
    fdr = serializers.BooleanField(help_text="Benjamini-Hochberg correction applied")
    correction = serializers.CharField(help_text="`benjamini-hochberg` or `none` (uncorrected)")
    classified_only = serializers.BooleanField(help_text="Only hot and cold cells are listed")
    bbox = serializers.BooleanField(help_text="The cells are limited to `bbox`")
    suppression_threshold = serializers.IntegerField(allow_null=True)


class MapHotspotCollectionSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="`FeatureCollection`")
    features = MapHotspotFeatureSerializer(many=True)
    meta = MapHotspotMetaSerializer()


class MapHotspotsView(ApiView):
    @extend_schema(
        parameters=[
            *FILTER_PARAMETERS,
            OpenApiParameter(
                "alpha",
                OpenApiTypes.DOUBLE,
                description=f"Significance level, 0 < alpha < 1 (default {DEFAULT_ALPHA})",
            ),
            OpenApiParameter(
                "fdr",
                OpenApiTypes.STR,
                enum=list(ms.FDR_CHOICES),
                description="`on` (default): Benjamini-Hochberg false discovery rate at alpha; "
                "`off`: every cell on its own at p < alpha, UNCORRECTED for multiple testing "
                "(expect about alpha x cells false hot/cold spots)",
            ),
            OpenApiParameter(
                "cells",
                OpenApiTypes.STR,
                enum=list(CELLS_CHOICES),
                description="`classified` (default): only hot and cold cells; `all`: every "
                "study-area cell (in `bbox` if given)",
            ),
            *BBOX_PARAMETERS,
        ],
        responses={
            (200, "application/json"): MapHotspotCollectionSerializer,
            **problem_responses(400, 401, 404),
        },
        operation_id="analysis_map_hotspots",
        summary="Gi* hot and cold cells for the map, trimmed to a box",
        description=(
            "Getis-Ord Gi* on the 100 m grid as `/analysis/hotspots`, always computed on every "
            "cell of the study area (neighbours and the FDR depend on all of them); only the "
            "response is trimmed to the cells in `bbox` and, by default, to the hot and cold "
            "ones. A cell is the same in every trimmed response as in the full one. Counts "
            "below the suppression threshold are null for analysts."
        ),
    )
    def get(self, request: Request) -> Response:
        viewer = _viewer_and_area(request)
        alpha, alpha_errors = parse_alpha(request.query_params)
        fdr, classified_only, option_errors = parse_hotspot_options(request.query_params)
        bbox, bbox_errors = parse_bbox(request.query_params)
        filters = _filters(request, {**alpha_errors, **option_errors, **bbox_errors})
        cells = ms.map_hotspots(viewer=viewer, filters=filters, alpha=alpha, fdr=fdr)
        selected = ms.hotspot_selection(
            cells,
            cell_range=bbox.cell_range() if bbox is not None else None,
            classified_only=classified_only,
        )
        return Response(
            PreCamelized(
                map_hotspot_features(
                    cells,
                    selected,
                    fdr=fdr,
                    classified_only=classified_only,
                    bbox=bbox is not None,
                )
            )
        )

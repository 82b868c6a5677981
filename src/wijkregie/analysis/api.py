"""REST API for the analysis figures (/api/v1/analysis/...), each scoped to the viewer."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from wijkregie.analysis import selectors
from wijkregie.analysis.gistar import COLD, HOT, NONE
from wijkregie.api.renderers import PreCamelized
from wijkregie.api.schema import problem_responses
from wijkregie.api.views import ApiView
from wijkregie.lib import geo
from wijkregie.signals.api import FILTER_PARAMETERS, api_viewer
from wijkregie.signals.selectors import SignalFilters

DEFAULT_ALPHA = 0.05


def parse_alpha(params: Any) -> tuple[float, dict[str, Any]]:
    """The FDR level from `alpha` (default 0.05): a number strictly between 0 and 1."""
    raw = (params.get("alpha") or "").strip()
    if not raw:
        return DEFAULT_ALPHA, {}
    try:
        alpha = float(raw)
    except ValueError:
        alpha = math.nan
    if not 0 < alpha < 1:  # also false for NaN
        return DEFAULT_ALPHA, {
            "alpha": _("Geef alpha als getal groter dan 0 en kleiner dan 1, bijvoorbeeld 0.05.")
        }
    return alpha, {}


def cell_rings(ix: np.ndarray, iy: np.ndarray) -> list[list[list[float]]]:
    """The 100 m cells (lower-left corner (100 ix, 100 iy) in RD New) as closed GeoJSON rings
    of [lon, lat] in WGS84, counter-clockwise (RFC 7946), 6 decimals. One vectorised
    transformation for all corners."""
    size = geo.CELL_SIZE_M
    dx = np.array([0, 1, 1, 0, 0])
    dy = np.array([0, 0, 1, 1, 0])
    xs = ((ix[:, None] + dx[None, :]) * size).astype(np.float64)
    ys = ((iy[:, None] + dy[None, :]) * size).astype(np.float64)
    lat, lon = geo.rd_to_wgs84_arrays(xs.ravel(), ys.ravel())
    lons = np.round(lon, 6).reshape(xs.shape).tolist()
    lats = np.round(lat, 6).reshape(xs.shape).tolist()
    return [
        [[a, b] for a, b in zip(lon_row, lat_row, strict=True)]
        for lon_row, lat_row in zip(lons, lats, strict=True)
    ]


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def hotspot_features(cells: selectors.HotspotCells) -> dict[str, Any]:
    """GeoJSON FeatureCollection (RFC 7946) of the study-area cells with Gi*, plus `meta`."""
    result = cells.result
    rings = cell_rings(cells.ix, cells.iy)
    features = [
        {
            "type": "Feature",
            "id": f"E{x:04d}N{y:04d}",
            "geometry": {"type": "Polygon", "coordinates": [ring]},
            "properties": {
                "cellX": x,
                "cellY": y,
                "count": None if hidden else n,
                "giZ": _finite(z),
                "pValue": _finite(p),
                "significantFdr": significant,
                "class": kind,
            },
        }
        for x, y, n, hidden, z, p, significant, kind, ring in zip(
            cells.ix.tolist(),
            cells.iy.tolist(),
            cells.count.tolist(),
            cells.suppressed.tolist(),
            result.z.tolist(),
            result.p_value.tolist(),
            result.significant.tolist(),
            result.classes.tolist(),
            rings,
            strict=True,
        )
    ]
    return {
        "type": "FeatureCollection",
        "features": features,
        "meta": {
            "cells": int(cells.ix.size),
            "signals": cells.signals,
            "signalsOutsideStudyArea": cells.outside,
            "alpha": result.alpha,
            "suppressionThreshold": cells.threshold or None,
        },
    }


class HotspotPropertiesSerializer(serializers.Serializer):
    cell_x = serializers.IntegerField(
        help_text="Cell index: RD New x of the lower-left corner / 100 (as a signal's cell)"
    )
    cell_y = serializers.IntegerField(
        help_text="Cell index: RD New y of the lower-left corner / 100"
    )
    count = serializers.IntegerField(
        allow_null=True,
        help_text="Signals visible to you in the cell; null when suppressed (a small count "
        "shown to a viewer without need-to-know)",
    )
    gi_z = serializers.FloatField(
        allow_null=True, help_text="Getis-Ord Gi* z (null when undefined, e.g. all counts equal)"
    )
    p_value = serializers.FloatField(allow_null=True, help_text="Two-sided analytic p-value")
    significant_fdr = serializers.BooleanField(help_text="Benjamini-Hochberg decision at alpha")

    def get_fields(self) -> dict[str, serializers.Field]:
        fields: dict[str, serializers.Field] = super().get_fields()
        # `class` is a Python keyword, so it cannot be a class attribute.
        fields["class"] = serializers.ChoiceField(
            choices=[(HOT, HOT), (COLD, COLD), (NONE, NONE)],
            help_text="`hot` (significant, z > 0), `cold` (significant, z < 0) or `none`; kept "
            "when the count is suppressed",
        )
        return fields


class HotspotCellSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="`Feature`")
    id = serializers.CharField(help_text="Cell name as CBS writes it, E<cellX>N<cellY>")
    geometry = serializers.JSONField(help_text="GeoJSON Polygon of the cell (WGS84)")
    properties = HotspotPropertiesSerializer()


class HotspotMetaSerializer(serializers.Serializer):
    cells = serializers.IntegerField(help_text="Cells in the study area (centre in a buurt)")
    signals = serializers.IntegerField(help_text="Visible signals counted in those cells")
    signals_outside_study_area = serializers.IntegerField(
        help_text="Visible signals with a cell outside the study area (not in the analysis)"
    )
    alpha = serializers.FloatField(help_text="False discovery rate")
    suppression_threshold = serializers.IntegerField(
        allow_null=True,
        help_text="Counts below this (and above 0) are suppressed for you; null: none are",
    )


class HotspotCollectionSerializer(serializers.Serializer):
    """RFC 7946 GeoJSON with a foreign member `meta`."""

    type = serializers.CharField(help_text="`FeatureCollection`")
    features = HotspotCellSerializer(many=True)
    meta = HotspotMetaSerializer()


class HotspotView(ApiView):
    @extend_schema(
        parameters=[
            *FILTER_PARAMETERS,
            OpenApiParameter(
                "alpha",
                OpenApiTypes.DOUBLE,
                description=f"False discovery rate, 0 < alpha < 1 (default {DEFAULT_ALPHA})",
            ),
        ],
        responses={
            (200, "application/json"): HotspotCollectionSerializer,
            **problem_responses(400, 401, 404),
        },
        operation_id="analysis_hotspots",
        summary="Gi* hot and cold spots of the signals visible to you on the 100 m grid",
        description=(
            "Every 100 m cell whose centre lies in a buurt of your municipality, zero counts "
            "included, with the count of the signals visible to you (same filters as the "
            "signal list) and Getis-Ord Gi* (queen contiguity including the cell itself, "
            "analytic p-values, Benjamini-Hochberg FDR at `alpha`). For viewers without "
            "need-to-know, counts from 1 to the suppression threshold minus 1 are null; the "
            "class is computed on the true counts and kept. Only for roles that read signals."
        ),
    )
    def get(self, request: Request) -> Response:
        viewer = api_viewer(request)
        if not viewer.reads_signals:
            raise Http404
        filters = SignalFilters.from_query(request.query_params)
        alpha, alpha_errors = parse_alpha(request.query_params)
        errors = {**filters.errors, **alpha_errors}
        if errors:
            raise ValidationError(errors)
        cells = selectors.hotspot_cells(viewer=viewer, filters=filters, alpha=alpha)
        return Response(PreCamelized(hotspot_features(cells)))

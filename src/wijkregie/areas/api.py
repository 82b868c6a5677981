"""REST API for focus areas and neighbourhoods, with signal counts as GeoJSON."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from wijkregie.api.schema import problem_responses
from wijkregie.api.views import ApiView
from wijkregie.areas import selectors
from wijkregie.areas.access import access_focus_area
from wijkregie.areas.models import FocusArea, Neighbourhood
from wijkregie.signals.api import FILTER_PARAMETERS, api_viewer
from wijkregie.signals.selectors import SignalFilters, signal_counts_by_neighbourhood

# The map endpoints take the list filters, so that their counts equal what the list shows.
AREA_MAP_PARAMETERS = [p for p in FILTER_PARAMETERS if p.name != "area"]


class NeighbourhoodRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class FocusAreaSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    url = serializers.SerializerMethodField()
    name = serializers.CharField()
    description = serializers.CharField()
    administrative_owner = serializers.CharField()
    project_leader = serializers.SerializerMethodField()
    neighbourhoods = NeighbourhoodRefSerializer(many=True)

    def get_url(self, obj: FocusArea) -> str:
        return f"/api/v1/areas/{obj.uuid}"

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_project_leader(self, obj: FocusArea) -> str | None:
        return str(obj.project_leader) if obj.project_leader else None


class FeaturePropertiesSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="CBS buurt code")
    name = serializers.CharField()
    signal_count = serializers.IntegerField(
        allow_null=True,
        help_text="Signals visible to you, as in the list; null when suppressed (a small count "
        "shown to a viewer without need-to-know)",
    )
    suppressed = serializers.BooleanField(
        help_text="True when signalCount is withheld because it is below the threshold"
    )


class FeatureSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=[("Feature", "Feature")])
    id = serializers.CharField()
    geometry = serializers.JSONField(allow_null=True, help_text="GeoJSON Polygon (WGS84)")
    properties = FeaturePropertiesSerializer()


class FeatureCollectionSerializer(serializers.Serializer):
    """RFC 7946 GeoJSON."""

    type = serializers.ChoiceField(choices=[("FeatureCollection", "FeatureCollection")])
    features = FeatureSerializer(many=True)


def _map_filters(request: Request) -> SignalFilters:
    filters = SignalFilters.from_query(request.query_params)
    if filters.errors:
        raise ValidationError(filters.errors)
    return filters


def neighbourhood_features(
    hoods: list[Neighbourhood], counts: dict[int, int], *, threshold: int = 0
) -> dict[str, Any]:
    """GeoJSON FeatureCollection (RFC 7946, WGS84) of buurten with their signal counts.

    Counts from 1 up to `threshold` (exclusive) are null with `suppressed: true`, for viewers
    without need-to-know (`Viewer.small_count_threshold`).
    """

    def shown(hood: Neighbourhood) -> tuple[int | None, bool]:
        n = counts.get(hood.pk, 0)
        hidden = 0 < n < threshold
        return (None if hidden else n), hidden

    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": hood.code,
                "geometry": hood.boundary,
                "properties": {
                    "code": hood.code,
                    "name": hood.name,
                    "signalCount": shown(hood)[0],
                    "suppressed": shown(hood)[1],
                },
            }
            for hood in hoods
        ],
    }


class FocusAreaListView(ApiView):
    @extend_schema(
        responses={200: FocusAreaSerializer(many=True), **problem_responses(401, 404)},
        operation_id="area_list",
        summary="Focus areas of your municipality",
    )
    def get(self, request: Request) -> Response:
        viewer = api_viewer(request)
        return Response(
            FocusAreaSerializer(selectors.focus_area_list(viewer=viewer), many=True).data
        )


class FocusAreaDetailView(ApiView):
    @extend_schema(
        responses={200: FocusAreaSerializer, **problem_responses(401, 404)},
        operation_id="area_read",
        summary="One focus area",
    )
    def get(self, request: Request, uuid: str) -> Response:
        viewer = api_viewer(request)
        area = access_focus_area(viewer, uuid)
        return Response(FocusAreaSerializer(area).data)


class FocusAreaMapView(ApiView):
    @extend_schema(
        parameters=AREA_MAP_PARAMETERS,
        responses={
            (200, "application/json"): FeatureCollectionSerializer,
            **problem_responses(400, 401, 404),
        },
        operation_id="area_map",
        summary="Buurten of a focus area with signal counts (GeoJSON)",
    )
    def get(self, request: Request, uuid: str) -> Response:
        viewer = api_viewer(request)
        area = access_focus_area(viewer, uuid)
        filters = _map_filters(request)
        filters.area = str(area.uuid)
        counts = signal_counts_by_neighbourhood(viewer=viewer, filters=filters)
        hoods = list(area.neighbourhoods.order_by("code"))
        return Response(
            neighbourhood_features(hoods, counts, threshold=viewer.small_count_threshold)
        )


class NeighbourhoodMapView(ApiView):
    @extend_schema(
        parameters=FILTER_PARAMETERS,
        responses={
            (200, "application/json"): FeatureCollectionSerializer,
            **problem_responses(400, 401, 404),
        },
        operation_id="neighbourhood_map",
        summary="All buurten of your municipality with signal counts (GeoJSON)",
    )
    def get(self, request: Request) -> Response:
        viewer = api_viewer(request)
        filters = _map_filters(request)
        counts = signal_counts_by_neighbourhood(viewer=viewer, filters=filters)
        hoods = list(selectors.neighbourhood_list(viewer=viewer))
        return Response(
            neighbourhood_features(hoods, counts, threshold=viewer.small_count_threshold)
        )

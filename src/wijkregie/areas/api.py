"""REST API for focus areas and neighbourhoods, with signal counts as GeoJSON."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from wijkregie.areas import selectors
from wijkregie.areas.access import access_focus_area
from wijkregie.areas.models import FocusArea, Neighbourhood
from wijkregie.signals.api import FILTER_PARAMETERS, api_viewer
from wijkregie.signals.selectors import SignalFilters, signal_counts_by_neighbourhood


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

    def get_project_leader(self, obj: FocusArea) -> str | None:
        return str(obj.project_leader) if obj.project_leader else None


def neighbourhood_features(hoods: list[Neighbourhood], counts: dict[int, int]) -> dict[str, Any]:
    """GeoJSON FeatureCollection (RFC 7946, WGS84) of buurten with their signal counts."""
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
                    "signalCount": counts.get(hood.pk, 0),
                },
            }
            for hood in hoods
        ],
    }


class FocusAreaListView(APIView):
    @extend_schema(responses=FocusAreaSerializer(many=True), operation_id="area_list")
    def get(self, request: Request) -> Response:
        viewer = api_viewer(request)
        return Response(
            FocusAreaSerializer(selectors.focus_area_list(viewer=viewer), many=True).data
        )


class FocusAreaDetailView(APIView):
    @extend_schema(responses=FocusAreaSerializer, operation_id="area_read")
    def get(self, request: Request, uuid: str) -> Response:
        viewer = api_viewer(request)
        area = access_focus_area(viewer, uuid)
        return Response(FocusAreaSerializer(area).data)


class FocusAreaMapView(APIView):
    @extend_schema(
        parameters=FILTER_PARAMETERS[:-3], responses={200: dict}, operation_id="area_map"
    )
    def get(self, request: Request, uuid: str) -> Response:
        viewer = api_viewer(request)
        area = access_focus_area(viewer, uuid)
        filters = SignalFilters.from_query(request.query_params)
        filters.area = str(area.uuid)
        if filters.errors:
            raise serializers.ValidationError(filters.errors)
        counts = signal_counts_by_neighbourhood(viewer=viewer, filters=filters)
        return Response(neighbourhood_features(list(area.neighbourhoods.order_by("code")), counts))


class NeighbourhoodMapView(APIView):
    @extend_schema(
        parameters=FILTER_PARAMETERS[:-3], responses={200: dict}, operation_id="neighbourhood_map"
    )
    def get(self, request: Request) -> Response:
        viewer = api_viewer(request)
        filters = SignalFilters.from_query(request.query_params)
        if filters.errors:
            raise serializers.ValidationError(filters.errors)
        counts = signal_counts_by_neighbourhood(viewer=viewer, filters=filters)
        return Response(
            neighbourhood_features(list(selectors.neighbourhood_list(viewer=viewer)), counts)
        )

"""/api/v1 — no trailing slashes (NL API Design Rules)."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.views import SpectacularJSONAPIView

from wijkregie.analysis import api as analysis_api
from wijkregie.analysis import api_index as analysis_api_index
from wijkregie.analysis import api_map as analysis_api_map
from wijkregie.analysis import api_profile as profile_api
from wijkregie.areas import api as areas_api
from wijkregie.signals import api as signals_api
from wijkregie.subjects import api as subjects_api

app_name = "api"

urlpatterns = [
    path("openapi.json", SpectacularJSONAPIView.as_view(permission_classes=[]), name="openapi"),
    path("signals", signals_api.SignalListView.as_view(), name="signal-list"),
    path("signals/batch", signals_api.SignalBatchView.as_view(), name="signal-batch"),
    path("signals/<str:uuid>", signals_api.SignalDetailView.as_view(), name="signal-detail"),
    path("signals/<str:uuid>/status", signals_api.SignalStatusView.as_view(), name="signal-status"),
    path(
        "signals/<str:uuid>/subjects",
        subjects_api.SignalSubjectsView.as_view(),
        name="signal-subjects",
    ),
    path("subjects/<str:uuid>", subjects_api.SubjectDetailView.as_view(), name="subject-detail"),
    path("categories", signals_api.CategoryListView.as_view(), name="category-list"),
    path("life-domains", signals_api.LifeDomainListView.as_view(), name="life-domain-list"),
    path("areas", areas_api.FocusAreaListView.as_view(), name="area-list"),
    path("areas/<str:uuid>", areas_api.FocusAreaDetailView.as_view(), name="area-detail"),
    path("areas/<str:uuid>/map", areas_api.FocusAreaMapView.as_view(), name="area-map"),
    path("neighbourhoods/map", areas_api.NeighbourhoodMapView.as_view(), name="neighbourhood-map"),
    path("analysis/hotspots", analysis_api.HotspotView.as_view(), name="analysis-hotspots"),
    path(
        "analysis/profiles/compare",
        profile_api.AreaComparisonView.as_view(),
        name="analysis-profile-compare",
    ),
    path(
        "analysis/profiles/<str:area>",
        profile_api.AreaProfileView.as_view(),
        name="analysis-profile",
    ),
    path("analysis/index", analysis_api_index.AreaIndexView.as_view(), name="analysis-index"),
    path(
        "analysis/map/clusters",
        analysis_api_map.MapClustersView.as_view(),
        name="analysis-map-clusters",
    ),
    path(
        "analysis/map/choropleth",
        analysis_api_map.MapChoroplethView.as_view(),
        name="analysis-map-choropleth",
    ),
    path(
        "analysis/map/focus-areas",
        analysis_api_map.MapFocusAreasView.as_view(),
        name="analysis-map-focus-areas",
    ),
]

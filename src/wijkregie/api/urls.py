"""/api/v1 — no trailing slashes (NL API Design Rules)."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.views import SpectacularJSONAPIView

from wijkregie.analysis import api as analysis_api
from wijkregie.areas import api as areas_api
from wijkregie.signals import api as signals_api

app_name = "api"

urlpatterns = [
    path("openapi.json", SpectacularJSONAPIView.as_view(permission_classes=[]), name="openapi"),
    path("signals", signals_api.SignalListView.as_view(), name="signal-list"),
    path("signals/batch", signals_api.SignalBatchView.as_view(), name="signal-batch"),
    path("signals/<str:uuid>", signals_api.SignalDetailView.as_view(), name="signal-detail"),
    path("signals/<str:uuid>/status", signals_api.SignalStatusView.as_view(), name="signal-status"),
    path("categories", signals_api.CategoryListView.as_view(), name="category-list"),
    path("life-domains", signals_api.LifeDomainListView.as_view(), name="life-domain-list"),
    path("areas", areas_api.FocusAreaListView.as_view(), name="area-list"),
    path("areas/<str:uuid>", areas_api.FocusAreaDetailView.as_view(), name="area-detail"),
    path("areas/<str:uuid>/map", areas_api.FocusAreaMapView.as_view(), name="area-map"),
    path("neighbourhoods/map", areas_api.NeighbourhoodMapView.as_view(), name="neighbourhood-map"),
    path("analysis/hotspots", analysis_api.HotspotView.as_view(), name="analysis-hotspots"),
]

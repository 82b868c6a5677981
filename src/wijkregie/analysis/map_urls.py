"""/kaart/: the analysis map page and its CSV downloads."""

from __future__ import annotations

from django.urls import path

from wijkregie.analysis import map_views

app_name = "map"

urlpatterns = [
    path("", map_views.map_page, name="page"),
    path("buurten.csv", map_views.buurten_csv, name="buurten-csv"),
    path("hotspots.csv", map_views.hotspots_csv, name="hotspots-csv"),
    path("focusgebieden.csv", map_views.focus_areas_csv, name="focus-areas-csv"),
]

"""Area profile pages under /gebieden/ (included before web.urls, whose `gebieden/<uuid>/`
would otherwise take `gebieden/vergelijken/`)."""

from __future__ import annotations

from django.urls import path

from wijkregie.analysis import views

app_name = "analysis"

urlpatterns = [
    path("profiel/", views.profile_index, name="profile-index"),
    path("profiel/<str:code>/", views.profile_detail, name="profile"),
    path("profiel/<str:code>/<slug:chart>.csv", views.profile_csv, name="profile-csv"),
    path("vergelijken/", views.compare, name="compare"),
    path("vergelijken/<slug:chart>.csv", views.compare_csv, name="compare-csv"),
]

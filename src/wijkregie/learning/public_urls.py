"""Public neighbourhood pages (included from wijkregie.urls under /wijk/; no login)."""

from __future__ import annotations

from django.urls import path

from wijkregie.learning import public_views

app_name = "public_area"

urlpatterns = [
    path("<str:cbs>/", public_views.municipality_page, name="municipality"),
    path("<str:cbs>/<str:buurt>/", public_views.area_page, name="area"),
]

from __future__ import annotations

from django.urls import path

from wijkregie.areas import views as area_views
from wijkregie.signals import views as signal_views
from wijkregie.tenants.login_views import LoginView
from wijkregie.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("inloggen/", LoginView.as_view(), name="login"),
    path("uitloggen/", views.logout_view, name="logout"),
    path("signalen/", signal_views.signal_list, name="signal-list"),
    path("signalen/export.csv", signal_views.signal_export, name="signal-export"),
    path("signalen/nieuw/", signal_views.signal_create_view, name="signal-create"),
    path(
        "signalen/waarneming/",
        signal_views.street_observation_view,
        name="street-observation",
    ),
    path(
        "signalen/waarneming/<str:uuid>/opgeslagen/",
        signal_views.street_observation_saved,
        name="street-observation-saved",
    ),
    path("signalen/<str:uuid>/", signal_views.signal_detail, name="signal-detail"),
    path("signalen/<str:uuid>/status/", signal_views.signal_status_view, name="signal-status"),
    path(
        "signalen/<str:uuid>/bijlagen/<str:attachment_uuid>",
        signal_views.signal_attachment_view,
        name="signal-attachment",
    ),
    path(
        "signalen/<str:uuid>/dubbel/",
        signal_views.signal_mark_duplicate_view,
        name="signal-mark-duplicate",
    ),
    path(
        "signalen/<str:uuid>/dubbel/ongedaan/",
        signal_views.signal_unmark_duplicate_view,
        name="signal-unmark-duplicate",
    ),
    path("gebieden/", area_views.area_list, name="area-list"),
    path(
        "gebieden/buurten.json",
        area_views.neighbourhood_map_data,
        name="neighbourhood-map-data",
    ),
    path("gebieden/<str:uuid>/", area_views.area_detail, name="area-detail"),
    path("gebieden/<str:uuid>/kaart.json", area_views.area_map_data, name="area-map-data"),
    path("toegankelijkheid/", views.accessibility, name="accessibility"),
]

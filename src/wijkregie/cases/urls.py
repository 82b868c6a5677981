"""Dutch URLs for case management (included from wijkregie.urls under /casussen/)."""

from __future__ import annotations

from django.urls import path

from wijkregie.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("export.csv", views.case_export, name="export"),
    path("screening/", views.screening_list, name="screening-list"),
    path("screening/nieuw/", views.screening_new, name="screening-new"),
    path("screening/<str:uuid>/", views.screening_detail, name="screening-detail"),
    path("screening/<str:uuid>/casus/", views.case_new, name="case-new"),
    path("doorbreken/", views.break_glass_view, name="break-glass"),
    path("doorbraken/", views.break_glass_log, name="break-glass-log"),
    path("<str:uuid>/", views.case_detail, name="detail"),
    path("<str:uuid>/fase/", views.case_transition_view, name="transition"),
    path("<str:uuid>/heropenen/", views.case_reopen_view, name="reopen"),
    path("<str:uuid>/deelnemers/", views.participant_add_view, name="participant-add"),
    path(
        "<str:uuid>/deelnemers/<str:participant>/verwijderen/",
        views.participant_remove_view,
        name="participant-remove",
    ),
]

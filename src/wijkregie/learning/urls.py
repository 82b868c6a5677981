"""Dutch URLs of the learning circle (included from wijkregie.urls under /leerkring/)."""

from __future__ import annotations

from django.urls import path

from wijkregie.learning import benchmark_views, survey_views, views

app_name = "learning"

urlpatterns = [
    path("", views.card_list, name="card-list"),
    path("export.json", views.cards_export, name="export"),
    path("importeren/", views.cards_import, name="import"),
    path("kaarten/nieuw/", views.card_create, name="card-create"),
    path("kaarten/<str:uuid>/", views.card_detail, name="card-detail"),
    path("kaarten/<str:uuid>/bewerken/", views.card_edit, name="card-edit"),
    path("kaarten/<str:uuid>/indienen/", views.card_submit_view, name="card-submit"),
    path("kaarten/<str:uuid>/beoordelen/", views.card_review_view, name="card-review"),
    path("kaarten/<str:uuid>/intrekken/", views.card_withdraw_view, name="card-withdraw"),
    path("kaarten/<str:uuid>/export.json", views.card_export, name="card-export"),
    path("effectmeting/", views.effect_page, name="effect"),
    path("bijeenkomsten/", views.meeting_list, name="meeting-list"),
    path("bijeenkomsten/nieuw/", views.meeting_create, name="meeting-create"),
    path("bijeenkomsten/<str:uuid>/", views.meeting_detail, name="meeting-detail"),
    path("bijeenkomsten/<str:uuid>/bewerken/", views.meeting_edit, name="meeting-edit"),
]

urlpatterns += [
    path("vergelijken/", benchmark_views.benchmark_compare, name="benchmark-compare"),
    path("vergelijken/export.csv", benchmark_views.benchmark_compare_csv, name="benchmark-csv"),
    path("benchmarks/", benchmark_views.benchmark_publish, name="benchmark-publish"),
    path(
        "benchmarks/<str:uuid>/intrekken/",
        benchmark_views.benchmark_withdraw,
        name="benchmark-withdraw",
    ),
    path("enquete/", survey_views.survey_upload, name="survey-upload"),
]

urlpatterns += [
    path("wijkacties/", views.action_list, name="action-list"),
    path("wijkacties/nieuw/", views.action_create, name="action-create"),
    path("wijkacties/<str:uuid>/bewerken/", views.action_edit, name="action-edit"),
    path("wijkacties/<str:uuid>/publiceren/", views.action_publish_view, name="action-publish"),
    path("wijkacties/<str:uuid>/intrekken/", views.action_withdraw_view, name="action-withdraw"),
]

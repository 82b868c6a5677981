"""The privacy officer's pages (included from wijkregie.urls under /privacy/)."""

from __future__ import annotations

from django.urls import path

from wijkregie.privacy import views

app_name = "privacy"

urlpatterns = [
    path("inzagelog/", views.access_log, name="access-log"),
    path("signaleringen/", views.alerts, name="alerts"),
    path("inzagelog/<int:event_id>/beoordelen/", views.review, name="review"),
]

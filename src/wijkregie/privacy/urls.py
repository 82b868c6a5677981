"""The privacy officer's pages (included from wijkregie.urls under /privacy/)."""

from __future__ import annotations

from django.urls import path

from wijkregie.privacy import views

app_name = "privacy"

urlpatterns = [
    path("inzagelog/", views.access_log, name="access-log"),
    path("signaleringen/", views.alerts, name="alerts"),
    path("inzagelog/<int:event_id>/beoordelen/", views.review, name="review"),
    path("verzoeken/", views.request_list, name="requests"),
    path("verzoeken/<str:uuid>/", views.request_detail, name="request"),
    path("verzoeken/<str:uuid>/besluit/", views.request_decide, name="request-decide"),
    path("verzoeken/<str:uuid>/uitvoeren/", views.request_carry_out, name="request-carry-out"),
    path("verzoeken/<str:uuid>/opheffen/", views.request_lift, name="request-lift"),
    path("verzoeken/<str:uuid>/rectificatie/", views.request_rectify, name="request-rectify"),
    path("verzoeken/<str:uuid>/inzage.json", views.request_export, name="request-export"),
    path("vernietigingslijst/", views.destruction_list, name="destruction-list"),
]

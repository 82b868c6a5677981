"""Dutch URLs of the notifications (included from wijkregie.urls under /meldingen/)."""

from __future__ import annotations

from django.urls import path

from wijkregie.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("alles-gelezen/", views.notification_read_all, name="read-all"),
    path("<str:uuid>/gelezen/", views.notification_read, name="read"),
]

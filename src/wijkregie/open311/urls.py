from __future__ import annotations

from django.urls import URLPattern, path, re_path

from wijkregie.open311 import views

app_name = "open311"

FMT = r"\.(?P<fmt>[A-Za-z0-9]+)$"

urlpatterns: list[URLPattern] = [
    path("", views.not_found, name="root"),
    re_path(r"^discovery" + FMT, views.discovery, name="discovery"),
    re_path(r"^services" + FMT, views.service_list, name="services"),
    re_path(r"^services/(?P<code>[^/]+?)" + FMT, views.service_definition, name="service"),
    re_path(r"^requests" + FMT, views.request_collection, name="requests"),
    re_path(r"^requests/(?P<request_id>[^/]+?)" + FMT, views.request_detail, name="request"),
    re_path(r"^(?P<rest>.*)$", views.not_found, name="not-found"),
]

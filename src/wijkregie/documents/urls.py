from __future__ import annotations

from django.urls import URLPattern, path

from wijkregie.documents import views

app_name = "documents"

urlpatterns: list[URLPattern] = [
    path("", views.document_list, name="list"),
    path("nieuw/", views.area_report_new, name="area-report-new"),
    path("<uuid:document_uuid>/download/", views.download, name="download"),
    path("<uuid:document_uuid>/opnieuw/", views.retry, name="retry"),
]

from __future__ import annotations

from django.urls import URLPattern, path

from wijkregie.intake import views

app_name = "intake"

urlpatterns: list[URLPattern] = [
    path("", views.upload, name="upload"),
    path("<uuid:job_uuid>/voorbeeld/", views.preview, name="preview"),
    path("<uuid:job_uuid>/starten/", views.start, name="start"),
    path("<uuid:job_uuid>/annuleren/", views.cancel, name="cancel"),
    path("<uuid:job_uuid>/hervatten/", views.resume, name="resume"),
    path("<uuid:job_uuid>/voortgang/", views.progress, name="progress"),
    path("<uuid:job_uuid>/status.json", views.status_json, name="status"),
    path("<uuid:job_uuid>/resultaat/", views.result, name="result"),
    path("<uuid:job_uuid>/afgewezen.csv", views.rejects_download, name="rejects"),
]

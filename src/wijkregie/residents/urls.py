from __future__ import annotations

from django.urls import URLPattern, path, register_converter

from wijkregie.residents import views


class CbsCodeConverter:
    regex = "GM[0-9]{4}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(CbsCodeConverter, "cbs")

app_name = "residents"

urlpatterns: list[URLPattern] = [
    path("", views.start_default, name="start-default"),
    path("status/", views.status_default, name="status-default"),
    path("status/<str:code>/", views.status_default, name="status-default-detail"),
    path("<cbs:cbs>/", views.start, name="start"),
    path("<cbs:cbs>/buurten.json", views.buurten, name="buurten"),
    path("<cbs:cbs>/bedankt/", views.done, name="done"),
    path("<cbs:cbs>/status/", views.status_lookup, name="status"),
    path("<cbs:cbs>/status/<str:code>/", views.status_detail, name="status-detail"),
    path("<cbs:cbs>/<slug:step>/", views.step, name="step"),
]

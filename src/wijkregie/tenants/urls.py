from __future__ import annotations

from django.urls import path

from wijkregie.tenants import views

app_name = "tenants"

urlpatterns = [
    path("api-tokens/", views.token_list, name="token-list"),
    path("api-tokens/nieuw/<str:organisation_uuid>/", views.token_create, name="token-create"),
    path("api-tokens/<str:token_uuid>/intrekken/", views.token_revoke, name="token-revoke"),
]

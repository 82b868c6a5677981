from __future__ import annotations

from django.urls import path

from wijkregie.tenants import login_views, views

app_name = "tenants"

urlpatterns = [
    # The login steps after /inloggen/ (web:login, served by login_views.LoginView).
    path("inloggen/code/", login_views.login_code, name="login-code"),
    path("inloggen/app-koppelen/", login_views.login_setup, name="login-setup"),
    path("inloggen/gemeente/", login_views.oidc_start, name="oidc-start"),
    path("inloggen/gemeente/terug/", login_views.oidc_callback, name="oidc-callback"),
    path("api-tokens/", views.token_list, name="token-list"),
    path("api-tokens/nieuw/<str:organisation_uuid>/", views.token_create, name="token-create"),
    path("api-tokens/<str:token_uuid>/intrekken/", views.token_revoke, name="token-revoke"),
]

"""Beheer: the screening thresholds (N, M, W) of the beheerder's municipality. Subjects and
person records are not in the admin: they hold personal data the beheerder has no need for."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from wijkregie.admin_site import TenantScopedAdmin, is_beheerder
from wijkregie.subjects.models import ScreeningSettings


@admin.register(ScreeningSettings)
class ScreeningSettingsAdmin(TenantScopedAdmin):
    list_display = ("min_domains", "min_organisations", "window_months", "updated_at")

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        # One row per municipality (without one, the defaults 3/2/12 apply).
        return is_beheerder(request) and not self.get_queryset(request).exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

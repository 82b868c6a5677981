from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import admin
from django.http import HttpRequest

from wijkregie.admin_site import TenantScopedAdmin
from wijkregie.intake.models import ImportJob, MappingProfile


@admin.register(MappingProfile)
class MappingProfileAdmin(TenantScopedAdmin):
    list_display = ("name", "organisation", "date_format", "created_at")
    list_filter = ("organisation",)
    search_fields = ("name",)


@admin.register(ImportJob)
class ImportJobAdmin(TenantScopedAdmin):
    """Jobs are written by the import itself; the beheerder can look, not edit."""

    list_display = (
        "original_name",
        "organisation",
        "status",
        "imported",
        "updated",
        "unchanged",
        "rejected",
        "created_at",
    )
    list_filter = ("status", "organisation")
    exclude: ClassVar[tuple[str, ...]] = ("municipality", "stored_path", "rejects_path")

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

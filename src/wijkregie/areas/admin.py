from __future__ import annotations

from typing import ClassVar

from django.contrib import admin

from wijkregie.admin_site import TenantScopedAdmin
from wijkregie.areas.models import FocusArea, FocusAreaPartner, Neighbourhood, SharingAgreement


@admin.register(Neighbourhood)
class NeighbourhoodAdmin(TenantScopedAdmin):
    list_display = ("code", "name", "kind", "parent")
    list_filter = ("kind",)
    search_fields = ("code", "name")
    exclude: ClassVar[tuple[str, ...]] = (
        "municipality",
        "boundary",
        "rd_min_x",
        "rd_min_y",
        "rd_max_x",
        "rd_max_y",
    )


@admin.register(FocusArea)
class FocusAreaAdmin(TenantScopedAdmin):
    list_display = ("name", "project_leader", "administrative_owner")
    filter_horizontal = ("neighbourhoods",)


@admin.register(SharingAgreement)
class SharingAgreementAdmin(TenantScopedAdmin):
    list_display = ("title", "purpose", "valid_from", "valid_until", "retention_days")
    filter_horizontal = ("parties", "categories", "focus_areas")


@admin.register(FocusAreaPartner)
class FocusAreaPartnerAdmin(TenantScopedAdmin):
    list_display = ("focus_area", "organisation", "role")

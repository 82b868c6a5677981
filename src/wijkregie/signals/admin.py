from __future__ import annotations

from django.contrib import admin

from wijkregie.admin_site import TenantScopedAdmin
from wijkregie.signals.models import Category, LifeDomain


@admin.register(LifeDomain)
class LifeDomainAdmin(TenantScopedAdmin):
    list_display = ("name", "code", "order")


@admin.register(Category)
class CategoryAdmin(TenantScopedAdmin):
    list_display = (
        "name",
        "code",
        "parent",
        "life_domain",
        "is_public",
        "default_confidentiality",
        "active",
    )
    list_filter = ("life_domain", "is_public", "active")
    search_fields = ("name", "code")

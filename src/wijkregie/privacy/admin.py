"""Retention terms, set by the functioneel beheerder of the municipality (ADR 0017)."""

from __future__ import annotations

from django.contrib import admin

from wijkregie.admin_site import TenantScopedAdmin
from wijkregie.privacy.models import RetentionTerm


@admin.register(RetentionTerm)
class RetentionTermAdmin(TenantScopedAdmin):
    list_display = ("kind", "category", "days", "legal_basis")
    list_filter = ("kind",)

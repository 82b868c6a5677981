"""Beheer: the meetings recorded by the beheerder's municipality (with their sessions).
Participation in the circle is set by the platform's superuser (it opens the municipality's
published cards to all others); cards are written through the pages (review step)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import admin
from django.http import HttpRequest

from wijkregie.admin_site import TenantScopedAdmin, is_beheerder
from wijkregie.learning import benchmark_definitions as bd
from wijkregie.learning.models import (
    BenchmarkArea,
    BenchmarkGroupMapping,
    Meeting,
    MeetingSession,
)


class MeetingSessionInline(admin.TabularInline):  # type: ignore[type-arg,unused-ignore]
    model = MeetingSession
    extra = 1
    fields = ("order", "kind", "title", "facilitators", "summary", "takeaways")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_beheerder(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_beheerder(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_beheerder(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_beheerder(request)


@admin.register(Meeting)
class MeetingAdmin(TenantScopedAdmin):
    list_display = ("date", "theme", "circle")
    inlines: ClassVar[list[Any]] = [MeetingSessionInline]
    exclude: ClassVar[tuple[str, ...]] = ("municipality", "cards")


@admin.register(BenchmarkGroupMapping)
class BenchmarkGroupMappingAdmin(TenantScopedAdmin):
    """Which of the municipality's categories count in which shared benchmark group."""

    list_display = ("category", "group")

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "group":
            from django import forms

            return forms.ChoiceField(
                label=db_field.verbose_name, choices=list(bd.CATEGORY_GROUPS), required=True
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(BenchmarkArea)
class BenchmarkAreaAdmin(TenantScopedAdmin):
    """The focus areas the municipality publishes benchmark figures for, with their type."""

    list_display = ("focus_area", "area_type")

"""Beheer admin for the area index: definition with bands and themes, indicators per theme,
survey scores (read only; they come from `wijkregie import-survey`). All scoped to the
beheerder's municipality like the other apps (`admin_site.TenantScopedAdmin`)."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from wijkregie.admin_site import TenantScopedAdmin, is_beheerder
from wijkregie.analysis.models import (
    IndexBand,
    IndexDefinition,
    IndexIndicator,
    IndexTheme,
    IndicatorKind,
    SurveyScore,
)
from wijkregie.tenants.access import viewer_for


def _municipality_id(request: HttpRequest) -> int | None:
    viewer = viewer_for(request.user)
    return viewer.municipality_id if viewer else None


class TenantScopedInline(admin.TabularInline):  # type: ignore[type-arg,unused-ignore]
    """Inline rows get the beheerder's municipality before validation; choices are scoped."""

    extra = 0
    exclude: ClassVar[tuple[str, ...]] = ("municipality",)

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset_class = super().get_formset(request, obj, **kwargs)
        municipality_id = _municipality_id(request)

        class TenantFormSet(formset_class):  # type: ignore[misc,valid-type]
            def _construct_form(self, i: int, **kw: Any) -> Any:
                form = super()._construct_form(i, **kw)
                if form.instance.pk is None:
                    form.instance.municipality_id = municipality_id
                return form

        return TenantFormSet

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        _scope(db_field, field, request)
        return field

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        _scope(db_field, field, request)
        return field

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_beheerder(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_beheerder(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_beheerder(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_beheerder(request)


def _scope(db_field: Any, field: Any, request: HttpRequest) -> None:
    if field is None or not hasattr(field, "queryset"):
        return
    names = {f.name for f in db_field.remote_field.model._meta.get_fields()}
    if "municipality" in names:
        field.queryset = field.queryset.filter(municipality_id=_municipality_id(request))


class IndexBandInline(TenantScopedInline):
    model = IndexBand
    extra = 0


class IndexThemeInline(TenantScopedInline):
    model = IndexTheme
    fields = ("code", "label", "weight", "order")
    show_change_link = True


class IndexIndicatorForm(forms.ModelForm):
    class Meta:
        model = IndexIndicator
        fields = (
            "code",
            "label",
            "kind",
            "life_domain",
            "categories",
            "question",
            "direction",
            "weight",
            "order",
        )

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if data.get("kind") == IndicatorKind.SUBJECTIVE and data.get("categories"):
            self.add_error("categories", _("Een subjectieve indicator telt geen signalen."))
        return data


class IndexIndicatorInline(TenantScopedInline):
    model = IndexIndicator
    form = IndexIndicatorForm
    fields = (
        "code",
        "label",
        "kind",
        "life_domain",
        "categories",
        "question",
        "direction",
        "weight",
        "order",
    )


class _SavesInlines(TenantScopedAdmin):
    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        municipality_id = _municipality_id(request)
        for inline_form in formset.forms:
            if inline_form.instance.pk is None:
                inline_form.instance.municipality_id = municipality_id
        super().save_formset(request, form, formset, change)


@admin.register(IndexDefinition)
class IndexDefinitionAdmin(_SavesInlines):
    list_display = ("name", "base_year", "objective_weight", "subjective_weight")
    inlines: ClassVar[list[Any]] = [IndexBandInline, IndexThemeInline]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        # One index per municipality.
        return (
            super().has_add_permission(request)
            and not IndexDefinition.objects.filter(
                municipality_id=_municipality_id(request) or 0
            ).exists()
        )


@admin.register(IndexTheme)
class IndexThemeAdmin(_SavesInlines):
    list_display = ("label", "code", "definition", "weight", "order")
    inlines: ClassVar[list[Any]] = [IndexIndicatorInline]


@admin.register(SurveyScore)
class SurveyScoreAdmin(TenantScopedAdmin):
    """Imported with `wijkregie import-survey`; the beheerder looks, and may remove rows."""

    list_display = ("area_code", "year", "question", "score", "respondents", "updated_at")
    list_filter = ("year", "question")
    search_fields = ("area_code", "question")

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

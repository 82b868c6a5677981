"""Django admin for the functioneel beheerder only, scoped to their municipality."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import admin
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from wijkregie.tenants.access import viewer_for
from wijkregie.tenants.models import Role


def is_beheerder(request: HttpRequest) -> bool:
    viewer = viewer_for(request.user)
    return bool(viewer and viewer.has_role(Role.BEHEERDER))


class WijkregieAdminSite(admin.AdminSite):
    site_header = _("Wijkregie — functioneel beheer")
    site_title = _("Wijkregie beheer")
    index_title = _("Beheer")
    login_template = None

    def has_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and is_beheerder(request))

    def admin_view(self, view: Any, cacheable: bool = False) -> Any:
        inner = super().admin_view(view, cacheable)

        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            # Logged-in users without the beheerder role: the admin does not exist for them.
            if request.user.is_authenticated and not is_beheerder(request):
                raise Http404
            return inner(request, *args, **kwargs)

        return wrapper

    def login(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        from django.shortcuts import redirect
        from django.urls import reverse

        if request.user.is_authenticated and not is_beheerder(request):
            raise Http404
        return redirect(f"{reverse('web:login')}?next={request.get_full_path()}")


class TenantScopedAdmin(admin.ModelAdmin):  # type: ignore[type-arg,unused-ignore]
    """Rows of the beheerder's own municipality only; new rows get that municipality."""

    tenant_field = "municipality"
    exclude: ClassVar[tuple[str, ...]] = ("municipality",)

    def _municipality_id(self, request: HttpRequest) -> int | None:
        viewer = viewer_for(request.user)
        return viewer.municipality_id if viewer else None

    def get_queryset(self, request: HttpRequest) -> Any:
        return (
            super()
            .get_queryset(request)
            .filter(**{f"{self.tenant_field}_id": self._municipality_id(request)})
        )

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form_class = super().get_form(request, obj, change=change, **kwargs)
        municipality_id = self._municipality_id(request)
        tenant_attr = f"{self.tenant_field}_id"

        class TenantForm(form_class):  # type: ignore[misc,valid-type]
            def __init__(self, *args: Any, **kw: Any) -> None:
                super().__init__(*args, **kw)
                # A new row belongs to the beheerder's municipality before it is validated, so
                # that the model's clean() can check its references against that tenant.
                if self.instance.pk is None:
                    setattr(self.instance, tenant_attr, municipality_id)

        return TenantForm

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            setattr(obj, f"{self.tenant_field}_id", self._municipality_id(request))
        super().save_model(request, obj, form, change)
        from wijkregie.privacy.services import audit

        audit(
            actor=request.user,
            municipality_id=self._municipality_id(request),
            action="update" if change else "create",
            obj=obj,
            changes={"fields": list(form.changed_data)},
        )

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        self._scope_field(db_field, field, request)
        return field

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        self._scope_field(db_field, field, request)
        return field

    def _scope_field(self, db_field: Any, field: Any, request: HttpRequest) -> None:
        model = db_field.remote_field.model
        if field is None or not hasattr(field, "queryset"):
            return
        names = {f.name for f in model._meta.get_fields()}
        if "municipality" in names:
            field.queryset = field.queryset.filter(municipality_id=self._municipality_id(request))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_beheerder(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_beheerder(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return is_beheerder(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_beheerder(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_beheerder(request)

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from wijkregie.admin_site import TenantScopedAdmin
from wijkregie.tenants.mfa import reset_device
from wijkregie.tenants.models import ApiToken, Membership, Organisation, TotpDevice, User


@admin.register(Organisation)
class OrganisationAdmin(TenantScopedAdmin):
    list_display = ("name", "slug", "kind")
    list_filter = ("kind",)
    search_fields = ("name", "slug")


@admin.register(Membership)
class MembershipAdmin(TenantScopedAdmin):
    list_display = ("user", "organisation", "role")
    list_filter = ("role", "organisation")


@admin.register(User)
class UserAdmin(TenantScopedAdmin):
    list_display = (
        "username",
        "first_name",
        "last_name",
        "email",
        "is_active",
        "has_authenticator",
        "last_login",
    )
    search_fields = ("username", "first_name", "last_name", "email")
    fields = ("username", "first_name", "last_name", "email", "is_active")
    exclude: ClassVar[tuple[str, ...]] = ()
    actions = ("reset_authenticator",)

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).filter(is_superuser=False)

    @admin.display(description=_("authenticator-app"), boolean=True)
    def has_authenticator(self, obj: User) -> bool:
        return TotpDevice.objects.filter(user=obj, confirmed_at__isnull=False).exists()

    @admin.action(description=_("Authenticator-app ontkoppelen (bij inloggen een nieuwe koppelen)"))
    def reset_authenticator(self, request: HttpRequest, queryset: Any) -> None:
        actor = request.user if isinstance(request.user, User) else None
        done = sum(reset_device(actor=actor, user=user) for user in queryset)
        self.message_user(
            request,
            ngettext(
                "Bij %(count)d gebruiker is de authenticator-app ontkoppeld.",
                "Bij %(count)d gebruikers is de authenticator-app ontkoppeld.",
                done,
            )
            % {"count": done},
        )


@admin.register(ApiToken)
class ApiTokenAdmin(TenantScopedAdmin):
    list_display = (
        "name",
        "organisation",
        "user",
        "prefix",
        "created_at",
        "created_by",
        "last_used_at",
        "revoked_at",
    )
    readonly_fields = ("prefix", "organisation", "created_at", "created_by", "last_used_at")
    fields = (
        "name",
        "organisation",
        "prefix",
        "created_at",
        "created_by",
        "last_used_at",
        "revoked_at",
    )
    exclude: ClassVar[tuple[str, ...]] = ()

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return (
            False  # tokens are made on the token page or by `create-token`: the secret shown once
        )

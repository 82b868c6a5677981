"""Beheer: the case types of the beheerder's municipality. Cases themselves are not in the
admin: they hold personal data the beheerder has no need for."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from wijkregie.admin_site import TenantScopedAdmin
from wijkregie.cases.models import CaseType, EscalationLadder


@admin.register(CaseType)
class CaseTypeAdmin(TenantScopedAdmin):
    list_display = ("name", "code", "subject_kind", "retention_years", "active")
    list_filter = ("subject_kind", "active")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Types with cases are kept (PROTECT); switch them off with `active` instead.
        return False


@admin.register(EscalationLadder)
class EscalationLadderAdmin(TenantScopedAdmin):
    """When overdue actions are escalated and to whom (ADR 0019): one default ladder per
    municipality (no case type) and optionally one per case type."""

    list_display = (
        "__str__",
        "reminder_days",
        "case_regisseur_days",
        "project_leader_days",
        "administrative_days",
        "stalled_days",
    )

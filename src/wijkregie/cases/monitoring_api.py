"""GET /api/v1/cases/dashboard: the regisseur's dashboard as JSON (ADR 0019)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from wijkregie.api.schema import problem_responses
from wijkregie.api.views import ApiView
from wijkregie.cases import monitoring_selectors
from wijkregie.cases.access import log_case_reads
from wijkregie.cases.monitoring_views import MAX_DAYS, parse_days
from wijkregie.signals.api import api_viewer, iso_datetime


class DashboardPhaseCountSerializer(serializers.Serializer):
    phase = serializers.CharField()
    count = serializers.IntegerField(allow_null=True, help_text="null: a small count")


class DashboardPartnerSerializer(serializers.Serializer):
    organisation = serializers.CharField()
    active = serializers.IntegerField(allow_null=True)
    overdue = serializers.IntegerField(allow_null=True)
    stalled = serializers.IntegerField(allow_null=True)


class DashboardOverviewSerializer(serializers.Serializer):
    open_cases = serializers.IntegerField(allow_null=True)
    overdue_actions = serializers.IntegerField(allow_null=True)
    stalled_cases = serializers.IntegerField(allow_null=True)
    phases = DashboardPhaseCountSerializer(many=True)
    partners = DashboardPartnerSerializer(many=True)


class DashboardOverdueSerializer(serializers.Serializer):
    action = serializers.UUIDField()
    case = serializers.UUIDField()
    reference = serializers.CharField()
    description = serializers.CharField(allow_null=True, help_text="Not for pseudonymised viewers")
    owner = serializers.CharField(help_text="Owner organisation slug")
    due_date = serializers.DateField()
    days_overdue = serializers.IntegerField()
    escalation = serializers.CharField(allow_blank=True, help_text="Highest step recorded")


class DashboardStalledSerializer(serializers.Serializer):
    case = serializers.UUIDField()
    reference = serializers.CharField()
    title = serializers.CharField(allow_null=True, help_text="Not for pseudonymised viewers")
    phase = serializers.CharField()
    last_activity = serializers.DateTimeField()
    active_actions = serializers.IntegerField()


class DashboardSerializer(serializers.Serializer):
    stalled_days = serializers.IntegerField()
    own = DashboardOverviewSerializer(help_text="Cases you take part in")
    overdue = DashboardOverdueSerializer(many=True, help_text="Oldest due date first, at most 50")
    stalled = DashboardStalledSerializer(
        many=True, help_text="Longest without progress first, at most 50"
    )
    municipality = DashboardOverviewSerializer(
        allow_null=True,
        help_text="Counts over every non-confidential case of the municipality (regisseur of "
        "the gemeente only); small counts are null",
    )


def _overview(o: monitoring_selectors.Overview | None) -> dict[str, Any] | None:
    if o is None:
        return None
    return {
        "open_cases": o.open_cases,
        "overdue_actions": o.overdue,
        "stalled_cases": o.stalled_cases,
        "phases": [{"phase": p, "count": n} for p, _label, n in o.phases],
        "partners": [
            {
                "organisation": r.organisation,
                "active": r.active,
                "overdue": r.overdue,
                "stalled": r.stalled,
            }
            for r in o.partners
        ],
    }


class DashboardView(ApiView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "stalledDays",
                OpenApiTypes.INT,
                description=f"1-{MAX_DAYS}; default per municipality",
            )
        ],
        responses={200: DashboardSerializer, **problem_responses(400, 401, 404)},
        operation_id="case_dashboard",
        summary="The regisseur's dashboard: phases, overdue actions, stalled cases, per partner",
    )
    def get(self, request: Request) -> Response:
        viewer = api_viewer(request)
        if not monitoring_selectors.may_see_dashboard(viewer):
            raise Http404
        raw = request.query_params.get("stalledDays")
        days = parse_days(raw)
        if raw is not None and days is None:
            raise ValidationError(
                {
                    "stalledDays": [
                        serializers.ErrorDetail(
                            f"Geef een aantal dagen van 1 tot en met {MAX_DAYS}.", "invalid"
                        )
                    ]
                }
            )
        d = monitoring_selectors.dashboard(viewer=viewer, stalled_days=days)
        log_case_reads(viewer, d.shown_case_uuids, detail="regiedashboard")
        return Response(
            {
                "stalled_days": d.stalled_days,
                "own": _overview(d.own),
                "overdue": [
                    {
                        "action": str(r.action.uuid),
                        "case": str(r.action.case.uuid),
                        "reference": r.action.case.reference,
                        "description": r.action.description if d.show_texts else None,
                        "owner": r.action.owner_organisation.slug,
                        "due_date": r.action.due_date.isoformat(),
                        "days_overdue": r.days_overdue,
                        "escalation": r.escalation,
                    }
                    for r in d.overdue
                ],
                "stalled": [
                    {
                        "case": str(r.case.uuid),
                        "reference": r.case.reference,
                        "title": r.case.title if d.show_texts else None,
                        "phase": r.case.phase,
                        "last_activity": iso_datetime(r.last_activity),
                        "active_actions": r.active_actions,
                    }
                    for r in d.stalled
                ],
                "municipality": _overview(d.municipality),
            }
        )

"""REST API of the area profile: every figure of the profile and comparison pages.

`GET /api/v1/analysis/profiles/{area}` and `GET /api/v1/analysis/profiles/compare?areas=a,b`
serialise the same `AreaProfile` the pages and the PDF report use (`profile_selectors`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from wijkregie.analysis.profile import AreaProfile, Chart
from wijkregie.analysis.profile_selectors import (
    MAX_COMPARE,
    MIN_COMPARE,
    ProfileQuery,
    access_profile_area,
    compare_profiles,
    comparison_charts,
)
from wijkregie.api.schema import problem_responses
from wijkregie.api.views import ApiView
from wijkregie.signals.api import api_viewer
from wijkregie.signals.models import SourceChannel
from wijkregie.signals.states import Status

PROFILE_PARAMETERS = [
    OpenApiParameter(
        "from",
        OpenApiTypes.DATE,
        description="First day of the period (YYYY-MM-DD); default: the first day of the "
        "month eleven months ago",
    ),
    OpenApiParameter(
        "to",
        OpenApiTypes.DATE,
        description="Last day of the period, inclusive (default today); at most three years",
    ),
    OpenApiParameter(
        "category", OpenApiTypes.STR, description="Category code (main includes subs)"
    ),
    OpenApiParameter("domain", OpenApiTypes.STR, description="Life domain code"),
    OpenApiParameter("source", OpenApiTypes.STR, enum=SourceChannel.values),
    OpenApiParameter("status", OpenApiTypes.STR, enum=[s.value for s in Status]),
]


class ProfileLabelledSerializer(serializers.Serializer):
    """Adds the field `label`, a name DRF's Field class uses for an attribute of its own."""

    def get_fields(self) -> dict[str, serializers.Field]:
        fields: dict[str, serializers.Field] = super().get_fields()
        fields["label"] = serializers.CharField(help_text="Shown to people (Dutch)")
        return fields


class ProfileKeyFigureSerializer(ProfileLabelledSerializer):
    key = serializers.CharField(
        help_text="Stable code: `signals`, `per_1000` or `domain:<life domain code>`"
    )
    value = serializers.FloatField(allow_null=True, help_text="null: unknown or suppressed")
    suppressed = serializers.BooleanField(
        help_text="The value is a small count (or derived from one) hidden from you"
    )
    unit = serializers.CharField()
    previous = serializers.FloatField(
        allow_null=True, help_text="The same period a year earlier (null: no data or hidden)"
    )
    change_pct = serializers.FloatField(allow_null=True, help_text="(value - previous) / previous")
    municipality = serializers.FloatField(
        allow_null=True, help_text="The same figure for the whole municipality (your signals)"
    )
    rank = serializers.IntegerField(
        allow_null=True, help_text="1 = highest among the municipality's areas of this kind"
    )
    rank_of = serializers.IntegerField(allow_null=True, help_text="Areas ranked")
    p_value = serializers.FloatField(
        allow_null=True,
        help_text="Exact two-sided test of the change (two Poisson counts, equal exposure)",
    )


class ProfileSeriesSerializer(serializers.Serializer):
    name = serializers.CharField()
    values = serializers.ListField(
        child=serializers.FloatField(allow_null=True), help_text="One per x label; null: hidden"
    )
    suppressed = serializers.ListField(
        child=serializers.BooleanField(),
        help_text="Per value: suppressed small count; empty when nothing is suppressed",
    )


class ProfileChartSerializer(serializers.Serializer):
    key = serializers.CharField(
        help_text="`trend`, `domains`, `categories`, `hour` or `weekday` (as on the page)"
    )
    title = serializers.CharField()
    caption = serializers.CharField()
    kind = serializers.CharField(help_text="`line`, `bar` (vertical) or `hbar` (horizontal)")
    x_label = serializers.CharField()
    y_label = serializers.CharField()
    x_labels = serializers.ListField(child=serializers.CharField())
    series = ProfileSeriesSerializer(many=True)


class ProfileBandSerializer(ProfileLabelledSerializer):
    lower = serializers.FloatField()


class ProfileThemeScoreSerializer(ProfileLabelledSerializer):
    key = serializers.CharField()
    objective = serializers.FloatField(allow_null=True)
    subjective = serializers.FloatField(allow_null=True)
    score = serializers.FloatField(allow_null=True)
    band = serializers.CharField(allow_null=True)


class ProfileIndexSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    base_year = serializers.IntegerField()
    score = serializers.FloatField(allow_null=True)
    band = serializers.CharField(allow_null=True)
    themes = ProfileThemeScoreSerializer(many=True)
    bands = ProfileBandSerializer(many=True)
    objective_weight = serializers.FloatField()
    subjective_weight = serializers.FloatField()
    notes = serializers.ListField(child=serializers.CharField())


class AreaProfileSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="CBS buurt/wijk code, or the focus area's uuid")
    name = serializers.CharField()
    kind = serializers.CharField(help_text="`buurt`, `wijk` or `focusgebied`")
    period_start = serializers.DateField(help_text="First day of the period")
    period_end = serializers.DateField(help_text="Day after the last day (exclusive)")
    residents = serializers.IntegerField(allow_null=True, help_text="CBS, year `statsYear`")
    households = serializers.IntegerField(allow_null=True)
    stats_year = serializers.IntegerField(allow_null=True)
    suppression_threshold = serializers.IntegerField(
        help_text="Counts from 1 to this minus 1 are hidden from you; 0: none are"
    )
    key_figures = ProfileKeyFigureSerializer(many=True)
    charts = ProfileChartSerializer(many=True)
    index = ProfileIndexSerializer(allow_null=True, help_text="null: no index available")
    notes = serializers.ListField(child=serializers.CharField())


class ProfileComparisonSerializer(serializers.Serializer):
    profiles = AreaProfileSerializer(many=True)
    charts = ProfileChartSerializer(
        many=True, help_text="Per chart key one chart with one series per area (the page's)"
    )


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def profile_data(profile: AreaProfile) -> dict[str, Any]:
    """The profile as JSON-ready data with snake_case keys (the renderer camelises them)."""
    data: dict[str, Any] = _plain(dataclasses.asdict(profile))
    return data


def chart_data(chart: Chart) -> dict[str, Any]:
    data: dict[str, Any] = _plain(dataclasses.asdict(chart))
    return data


def _parse(request: Request) -> ProfileQuery:
    return ProfileQuery.from_query(request.query_params)


def _problems(errors: dict[str, Any]) -> ValidationError:
    """Every invalid parameter at once (problem+json `invalidParams`, code `invalid`)."""
    return ValidationError(
        {key: [ErrorDetail(str(message), code="invalid")] for key, message in errors.items()}
    )


class AreaProfileView(ApiView):
    @extend_schema(
        parameters=PROFILE_PARAMETERS,
        responses={
            (200, "application/json"): AreaProfileSerializer,
            **problem_responses(400, 401, 404),
        },
        operation_id="analysis_profile",
        summary="The profile of a buurt, wijk or focus area",
        description=(
            "Key figures (visible signals in the period, per 1,000 residents, per life "
            "domain; each with the same period a year earlier, the change, the municipality's "
            "figure and the rank among the municipality's areas of the same kind), the charts "
            "of the profile page with their data, and the area index. Counts only the signals "
            "visible to you. For viewers without need-to-know, counts from 1 to "
            "`suppressionThreshold` - 1 are null with `suppressed` true, and so is every "
            "figure derived from them. `{area}` is a CBS buurt or wijk code or a focus area "
            "uuid of your municipality (404 otherwise). Only for roles that read signals."
        ),
    )
    def get(self, request: Request, area: str) -> Response:
        viewer = api_viewer(request)
        if not viewer.reads_signals:
            raise Http404
        access_profile_area(viewer, area)
        query = _parse(request)
        if query.errors:
            raise _problems(query.errors)
        (profile,) = compare_profiles(
            viewer=viewer, areas=[area], start=query.start, end=query.end, filters=query.filters
        )
        return Response(profile_data(profile))


COUNT_MESSAGE = _("Geef %(min)s tot %(max)s verschillende gebieden, gescheiden door komma's.")


class AreaComparisonView(ApiView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "areas",
                OpenApiTypes.STR,
                required=True,
                description=f"{MIN_COMPARE} to {MAX_COMPARE} areas separated by commas: CBS "
                "buurt or wijk codes or focus area uuids (any unknown one: 404)",
            ),
            *PROFILE_PARAMETERS,
        ],
        responses={
            (200, "application/json"): ProfileComparisonSerializer,
            **problem_responses(400, 401, 404),
        },
        operation_id="analysis_profile_compare",
        summary="Profiles of 2-4 areas over the same period, side by side",
        description=(
            "The profiles (as `/analysis/profiles/{area}`) in the order given, and the charts "
            "of the comparison page: per chart one series per area."
        ),
    )
    def get(self, request: Request) -> Response:
        viewer = api_viewer(request)
        if not viewer.reads_signals:
            raise Http404
        raw = request.query_params.get("areas") or ""
        codes = list(dict.fromkeys(c.strip() for c in raw.split(",") if c.strip()))
        query = _parse(request)
        errors: dict[str, ErrorDetail] = {
            key: ErrorDetail(str(message), code="invalid") for key, message in query.errors.items()
        }
        if not MIN_COMPARE <= len(codes) <= MAX_COMPARE:
            errors["areas"] = ErrorDetail(
                str(COUNT_MESSAGE % {"min": MIN_COMPARE, "max": MAX_COMPARE}),
                code="required" if not codes else "count",
            )
        if errors:
            raise ValidationError({key: [detail] for key, detail in errors.items()})
        for code in codes:
            access_profile_area(viewer, code)
        profiles = compare_profiles(
            viewer=viewer, areas=codes, start=query.start, end=query.end, filters=query.filters
        )
        return Response(
            {
                "profiles": [profile_data(p) for p in profiles],
                "charts": [chart_data(c) for c in comparison_charts(profiles)],
            }
        )

"""REST API for signals, categories and life domains (/api/v1)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from wijkregie.api.pagination import SignalCursorPagination
from wijkregie.lib import geo
from wijkregie.signals import selectors, services
from wijkregie.signals.access import access_signal, may_see_personal_details
from wijkregie.signals.models import (
    DESCRIPTION_MAX,
    Category,
    Confidentiality,
    HandlingCode,
    InfoReliability,
    Signal,
    SourceChannel,
    SourceReliability,
)
from wijkregie.signals.states import Status
from wijkregie.tenants.access import Viewer, require_viewer
from wijkregie.tenants.models import Organisation


def api_viewer(request: Request) -> Viewer:
    return require_viewer(request.user, access_point="api")


class SignalSummarySerializer(serializers.Serializer):
    """List representation: no free text, no address, location as a 100 m cell."""

    uuid = serializers.UUIDField()
    url = serializers.SerializerMethodField()
    observed_at = serializers.DateTimeField()
    category = serializers.CharField(source="category.code")
    category_name = serializers.CharField(source="category.name")
    life_domain = serializers.CharField(source="life_domain.code")
    source_channel = serializers.CharField()
    owner_organisation = serializers.CharField(source="owner_organisation.slug")
    neighbourhood = serializers.CharField(
        source="neighbourhood.code", allow_null=True, default=None
    )
    cell = serializers.SerializerMethodField()
    status = serializers.CharField()
    source_reliability = serializers.CharField()
    info_reliability = serializers.CharField()
    handling_code = serializers.CharField()

    def get_url(self, obj: Signal) -> str:
        return f"/api/v1/signals/{obj.uuid}"

    def get_cell(self, obj: Signal) -> dict[str, int] | None:
        if obj.cell_x is None or obj.cell_y is None:
            return None
        return {
            "x": obj.cell_x * geo.CELL_SIZE_M,
            "y": obj.cell_y * geo.CELL_SIZE_M,
            "size": geo.CELL_SIZE_M,
        }


class SignalDetailSerializer(SignalSummarySerializer):
    registered_at = serializers.DateTimeField()
    description = serializers.SerializerMethodField()
    location = serializers.SerializerMethodField()
    confidentiality = serializers.CharField()
    external_id = serializers.CharField()
    status_history = serializers.SerializerMethodField()
    pseudonymised = serializers.SerializerMethodField()

    def _personal(self, obj: Signal) -> bool:
        return may_see_personal_details(self.context["viewer"], obj)

    def get_pseudonymised(self, obj: Signal) -> bool:
        return not self._personal(obj)

    def get_description(self, obj: Signal) -> str | None:
        return obj.description if self._personal(obj) else None

    def get_location(self, obj: Signal) -> dict[str, Any]:
        if not self._personal(obj):
            return {
                "kind": "cell",
                "neighbourhood": obj.neighbourhood.code if obj.neighbourhood else None,
            }
        loc: dict[str, Any] = {"kind": obj.location_kind}
        if obj.lat is not None:
            loc["point"] = {"type": "Point", "coordinates": [obj.lon, obj.lat]}
            loc["rd"] = {"x": obj.rd_x, "y": obj.rd_y}
        if obj.postcode:
            loc["address"] = {
                "postcode": obj.postcode,
                "huisnummer": obj.huisnummer,
                "huisletter": obj.huisletter,
                "huisnummertoevoeging": obj.huisnummertoevoeging,
            }
        return loc

    def get_status_history(self, obj: Signal) -> list[dict[str, Any]]:
        personal = self._personal(obj)
        return [
            {
                "from": change.from_status or None,
                "to": change.to_status,
                "at": change.at.isoformat(),
                "by": change.username if personal else None,
                "note": change.note if personal else None,
            }
            for change in selectors.signal_status_history(signal=obj)
        ]


class SignalCreateSerializer(serializers.Serializer):
    owner_organisation = serializers.SlugField(
        required=False, help_text="Slug; default: your organisation"
    )
    category = serializers.SlugField(help_text="Category code")
    observed_at = serializers.DateTimeField()
    description = serializers.CharField(
        allow_blank=True, max_length=DESCRIPTION_MAX, required=False, default=""
    )
    lat = serializers.FloatField(required=False, allow_null=True, default=None)
    lon = serializers.FloatField(required=False, allow_null=True, default=None)
    x = serializers.FloatField(required=False, allow_null=True, default=None)
    y = serializers.FloatField(required=False, allow_null=True, default=None)
    postcode = serializers.CharField(required=False, allow_blank=True, max_length=7, default="")
    huisnummer = serializers.IntegerField(required=False, allow_null=True, default=None)
    huisletter = serializers.CharField(required=False, allow_blank=True, max_length=1, default="")
    huisnummertoevoeging = serializers.CharField(
        required=False, allow_blank=True, max_length=4, default=""
    )
    neighbourhood = serializers.CharField(
        required=False, allow_blank=True, max_length=10, default="", help_text="CBS buurt code"
    )
    source_channel = serializers.ChoiceField(
        choices=SourceChannel.choices, default=SourceChannel.PARTNER
    )
    source_reliability = serializers.ChoiceField(
        choices=SourceReliability.choices, default=SourceReliability.X
    )
    info_reliability = serializers.ChoiceField(
        choices=InfoReliability.choices, default=InfoReliability.I4
    )
    handling_code = serializers.ChoiceField(choices=HandlingCode.choices, default=HandlingCode.H1)
    confidentiality = serializers.ChoiceField(
        choices=Confidentiality.choices, required=False, allow_null=True, default=None
    )


class StatusChangeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[(s.value, s.value) for s in Status])
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


FILTER_PARAMETERS = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="Observed on or after (YYYY-MM-DD)"),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Observed on or before (YYYY-MM-DD)"),
    OpenApiParameter(
        "category", OpenApiTypes.STR, description="Category code (main includes subs)"
    ),
    OpenApiParameter("domain", OpenApiTypes.STR, description="Life domain code"),
    OpenApiParameter("source", OpenApiTypes.STR, enum=SourceChannel.values),
    OpenApiParameter("status", OpenApiTypes.STR, enum=[s.value for s in Status]),
    OpenApiParameter(
        "area", OpenApiTypes.STR, description="Focus area uuid or CBS wijk/buurt code"
    ),
    OpenApiParameter(
        "q", OpenApiTypes.STR, description="Text search (not for pseudonymised viewers)"
    ),
    OpenApiParameter("cursor", OpenApiTypes.STR),
    OpenApiParameter("pageSize", OpenApiTypes.INT),
]


class SignalListView(APIView):
    @extend_schema(
        parameters=FILTER_PARAMETERS,
        responses=SignalSummarySerializer(many=True),
        operation_id="signal_list",
    )
    def get(self, request: Request) -> Response:
        viewer = api_viewer(request)
        filters = selectors.SignalFilters.from_query(request.query_params)
        if filters.errors:
            from rest_framework.exceptions import ValidationError

            raise ValidationError(filters.errors)
        qs = selectors.signal_list(viewer=viewer, filters=filters)
        paginator = SignalCursorPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        data = SignalSummarySerializer(page, many=True).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        request=SignalCreateSerializer,
        responses={201: SignalDetailSerializer},
        operation_id="signal_create",
    )
    def post(self, request: Request) -> Response:
        viewer = api_viewer(request)
        serializer = SignalCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        errors: dict[str, str] = {}
        owners = services.writer_organisations(viewer)
        owner: Organisation | None = None
        if data.get("owner_organisation"):
            owner = next((o for o in owners if o.slug == data["owner_organisation"]), None)
            if owner is None:
                errors["owner_organisation"] = (
                    "U kunt alleen signalen registreren voor uw eigen organisatie."
                )
        elif len(owners) == 1:
            owner = owners[0]
        else:
            errors["owner_organisation"] = "Geef de organisatie op waarvoor u registreert."
        category = Category.objects.filter(
            municipality_id=viewer.municipality_id, code=data["category"], active=True
        ).first()
        if category is None:
            errors["category"] = "Onbekende categorie."
        if errors or owner is None or category is None:
            from rest_framework.exceptions import ValidationError

            raise ValidationError(errors)
        with transaction.atomic():
            signal = services.signal_create(
                viewer=viewer,
                owner_organisation=owner,
                category=category,
                observed_at=data["observed_at"],
                description=data["description"],
                location=services.as_location_input(data),
                source_channel=data["source_channel"],
                source_reliability=data["source_reliability"],
                info_reliability=data["info_reliability"],
                handling_code=data["handling_code"],
                confidentiality=data["confidentiality"],
            )
        signal = access_signal(viewer, signal.uuid, purpose="registratie")
        body = SignalDetailSerializer(signal, context={"viewer": viewer}).data
        return Response(
            body,
            status=status.HTTP_201_CREATED,
            headers={"Location": f"/api/v1/signals/{signal.uuid}"},
        )


class SignalDetailView(APIView):
    @extend_schema(responses=SignalDetailSerializer, operation_id="signal_read")
    def get(self, request: Request, uuid: str) -> Response:
        viewer = api_viewer(request)
        signal = access_signal(viewer, uuid)
        return Response(SignalDetailSerializer(signal, context={"viewer": viewer}).data)


class SignalStatusView(APIView):
    @extend_schema(
        request=StatusChangeSerializer,
        responses=SignalDetailSerializer,
        operation_id="signal_status_change",
    )
    def post(self, request: Request, uuid: str) -> Response:
        viewer = api_viewer(request)
        signal = access_signal(viewer, uuid, purpose="signaalbehandeling")
        serializer = StatusChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.signal_change_status(
            viewer=viewer,
            signal=signal,
            to_status=serializer.validated_data["status"],
            note=serializer.validated_data["note"],
        )
        signal.refresh_from_db()
        return Response(SignalDetailSerializer(signal, context={"viewer": viewer}).data)


class CategorySerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    code = serializers.CharField()
    name = serializers.CharField()
    parent = serializers.CharField(  # type: ignore[assignment]
        source="parent.code", allow_null=True, default=None
    )
    life_domain = serializers.CharField(source="life_domain.code")
    is_public = serializers.BooleanField()
    default_confidentiality = serializers.CharField()


class CategoryListView(APIView):
    @extend_schema(responses=CategorySerializer(many=True), operation_id="category_list")
    def get(self, request: Request) -> Response:
        viewer = api_viewer(request)
        return Response(CategorySerializer(selectors.category_list(viewer=viewer), many=True).data)


class LifeDomainSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    code = serializers.CharField()
    name = serializers.CharField()


class LifeDomainListView(APIView):
    @extend_schema(responses=LifeDomainSerializer(many=True), operation_id="life_domain_list")
    def get(self, request: Request) -> Response:
        viewer = api_viewer(request)
        return Response(
            LifeDomainSerializer(selectors.life_domain_list(viewer=viewer), many=True).data
        )

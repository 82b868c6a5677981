"""REST API of the area report (/api/v1/reports): request, follow, download.

`POST /api/v1/reports` queues the same background task as /rapportages/nieuw/ and answers 202
with a `Location`; `GET /api/v1/reports/{uuid}` is its status; `GET /api/v1/reports/{uuid}/file`
streams the PDF once it is done, logged as an export like the download on the web page. Only
the requester sees a report: everyone else (a colleague, another municipality, a role without
signals) gets the same 404 problem.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response

from wijkregie.analysis.profile_selectors import access_profile_area
from wijkregie.api.schema import problem_responses
from wijkregie.api.views import ApiView
from wijkregie.documents import services, tasks
from wijkregie.documents.access import access_document, require_document_viewer
from wijkregie.documents.forms import default_period
from wijkregie.documents.models import DocumentStatus, GeneratedDocument
from wijkregie.documents.views import download_filename
from wijkregie.privacy.models import AccessAction
from wijkregie.signals.api import api_viewer, iso_datetime
from wijkregie.tenants.access import Viewer

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

REPORTS_PATH = "/api/v1/reports/"
DOWNLOAD_PURPOSE = "rapportage-downloaden"  # as the web page logs it
# A polite polling interval for a report that is still being made (seconds).
RETRY_AFTER = 5
# Service field names -> API names (the period is `from`/`to`, inclusive, as elsewhere).
SERVICE_FIELDS = {"start": "from", "end": "to"}


class ReportRequestSerializer(serializers.Serializer):
    area = serializers.CharField(
        max_length=64,
        help_text="CBS buurt or wijk code (BU…, WK…) or the uuid of a focus area of your "
        "municipality (another municipality's or an unknown area: 404)",
        error_messages={
            "required": "Kies een gebied.",
            "blank": "Kies een gebied.",
            "invalid": "Geef het gebied als tekst.",
        },
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        fields: dict[str, serializers.Field] = super().get_fields()
        messages: dict[str, StrOrPromise] = {
            "invalid": "Gebruik een datum als JJJJ-MM-DD.",
            "null": "Geef een datum.",
        }
        # `from` is a Python keyword, so the period cannot be class attributes.
        fields["from"] = serializers.DateField(
            required=False,
            input_formats=["%Y-%m-%d"],
            help_text="First day of the period (YYYY-MM-DD). Without `from` and `to`: the last "
            "twelve whole calendar months",
            error_messages=messages,
        )
        fields["to"] = serializers.DateField(
            required=False,
            input_formats=["%Y-%m-%d"],
            help_text="Last day of the period, inclusive; at most three years after `from`",
            error_messages=messages,
        )
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        has_from, has_to = "from" in attrs, "to" in attrs
        if has_from != has_to:
            missing = "to" if has_from else "from"
            raise ValidationError(
                {missing: [serializers.ErrorDetail("Geef beide datums of geen.", "required")]}
            )
        return attrs


class ReportAreaSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="CBS code or focus area uuid, as requested")
    name = serializers.CharField(help_text="The area's name when the report was requested")


class ReportPeriodSerializer(serializers.Serializer):
    def get_fields(self) -> dict[str, serializers.Field]:
        fields: dict[str, serializers.Field] = super().get_fields()
        fields["from"] = serializers.DateField(allow_null=True, help_text="First day")
        fields["to"] = serializers.DateField(allow_null=True, help_text="Last day, inclusive")
        return fields


class ReportFileSerializer(serializers.Serializer):
    href = serializers.CharField(help_text="Where to download the PDF (this API)")
    content_type = serializers.CharField(help_text="`application/pdf`")
    size = serializers.IntegerField(help_text="Bytes")
    sha256 = serializers.CharField(help_text="SHA-256 of the file, hex")
    pages = serializers.IntegerField()


class ReportSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    kind = serializers.CharField(help_text="`area_report`")
    area = ReportAreaSerializer()
    period = ReportPeriodSerializer()
    status = serializers.CharField(help_text="`queued` → `running` → `done` or `failed`")
    stalled = serializers.BooleanField(
        help_text="Running, but its worker stopped reporting: ask again on the web page"
    )
    error = serializers.CharField(allow_null=True, help_text="Why it failed (Dutch)")
    requested_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    file = ReportFileSerializer(allow_null=True, help_text="Set once the status is `done`")


def _date(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def report_body(document: GeneratedDocument) -> dict[str, Any]:
    end = _date(document.parameters.get("end"))
    done = document.status == DocumentStatus.DONE and bool(document.file_path)
    return {
        "uuid": str(document.uuid),
        "kind": document.kind,
        "area": {"code": document.area_code, "name": document.area_name},
        "period": {
            "from": document.parameters.get("start"),
            "to": (end - dt.timedelta(days=1)).isoformat() if end else None,
        },
        "status": document.status,
        "stalled": tasks.is_stale(document),
        "error": document.error or None,
        "requested_at": iso_datetime(document.created_at),
        "finished_at": iso_datetime(document.finished_at),
        "file": (
            {
                "href": f"{REPORTS_PATH}{document.uuid}/file",
                "content_type": "application/pdf",
                "size": document.size,
                "sha256": document.sha256,
                "pages": document.pages,
            }
            if done
            else None
        ),
    }


def _busy_headers(document: GeneratedDocument) -> dict[str, str]:
    if document.status in (DocumentStatus.QUEUED, DocumentStatus.RUNNING):
        return {"Retry-After": str(RETRY_AFTER)}
    return {}


def _report_viewer(request: Request) -> Viewer:
    return require_document_viewer(api_viewer(request))


def _service_errors(exc: DjangoValidationError) -> ValidationError:
    """The service's Dutch errors under the API's names (`start`/`end` -> `from`/`to`)."""
    if not hasattr(exc, "error_dict"):
        return ValidationError(
            {
                "non_field_errors": [
                    serializers.ErrorDetail(message, error.code or "invalid")
                    for error in exc.error_list
                    for message in error.messages
                ]
            }
        )
    detail: dict[str, list[serializers.ErrorDetail]] = {}
    for field, errors in exc.error_dict.items():
        name = SERVICE_FIELDS.get(field, field)
        for error in errors:
            for message in error.messages:
                detail.setdefault(name, []).append(
                    serializers.ErrorDetail(message, error.code or "invalid")
                )
    return ValidationError(detail)


class ReportListView(ApiView):
    @extend_schema(
        request=ReportRequestSerializer,
        responses={
            202: OpenApiResponse(
                ReportSerializer,
                description="Queued (or the identical report you asked for earlier and that "
                "is still queued or running); the `Location` header names it",
            ),
            **problem_responses(400, 401, 404, 415),
        },
        parameters=[
            OpenApiParameter(
                "Location",
                OpenApiTypes.URI,
                OpenApiParameter.HEADER,
                response=[202],
                description="Path of the report's status",
            )
        ],
        operation_id="report_create",
        summary="Request a PDF area report (made in the background)",
        description=(
            "The same report as the page Rapportages: key figures, charts with their data, the "
            "area index, notes and sources, with small counts suppressed as you see them. "
            "Follow the `Location` until `status` is `done`, then download `file.href`. Only "
            "you can read or download it. Roles that do not read signals get 404."
        ),
    )
    def post(self, request: Request) -> Response:
        viewer = _report_viewer(request)
        data = request.data if isinstance(request.data, Mapping) else {}
        serializer = ReportRequestSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        area = access_profile_area(viewer, values["area"])  # 404 for foreign and unknown
        if "from" in values:
            start, last = values["from"], values["to"]
        else:
            start, last = default_period()
        try:
            document, created = services.request_area_report(
                viewer=viewer, area=area, start=start, end=last + dt.timedelta(days=1)
            )
        except DjangoValidationError as exc:
            raise _service_errors(exc) from exc
        body = {**report_body(document), "reused": not created}
        return Response(
            body,
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": f"{REPORTS_PATH}{document.uuid}", **_busy_headers(document)},
        )


class ReportDetailView(ApiView):
    @extend_schema(
        responses={200: ReportSerializer, **problem_responses(401, 404)},
        operation_id="report_detail",
        summary="Status of one of your reports",
        description="`Retry-After` is set while the report is queued or running. Another "
        "user's report is a 404, exactly like a missing one.",
    )
    def get(self, request: Request, uuid: str) -> Response:
        viewer = api_viewer(request)  # access_document checks the role and logs refusals
        document = access_document(viewer, uuid)
        return Response(report_body(document), headers=_busy_headers(document))


class NotReady(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "De rapportage is nog niet klaar; vraag de status op en probeer het later."
    default_code = "not_ready"


class AnyAccept(BaseContentNegotiation):
    """The file endpoint answers a PDF or a problem+json, whatever `Accept` says."""

    def select_parser(self, request: Any, parsers: Any) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(
        self, request: Any, renderers: Any, format_suffix: str | None = None
    ) -> tuple[Any, str]:
        return renderers[0], renderers[0].media_type


class ReportFileView(ApiView):
    content_negotiation_class = AnyAccept

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The PDF, as an attachment"
            ),
            **problem_responses(401, 404),
            (409, "application/problem+json"): OpenApiResponse(
                description="Queued, running or failed: there is no file (yet)"
            ),
        },
        operation_id="report_file",
        summary="Download the PDF of one of your reports",
        description="Logged as an export of the report, like the download on the web page.",
    )
    def get(self, request: Request, uuid: str) -> FileResponse:
        viewer = api_viewer(request)
        document = access_document(viewer, uuid)  # 404 (logged) for everyone but the requester
        if document.status != DocumentStatus.DONE:
            raise NotReady()
        path = tasks.document_file(document)
        if path is None:  # purged, or lost
            raise Http404
        document = access_document(
            viewer, uuid, purpose=DOWNLOAD_PURPOSE, action=AccessAction.EXPORT
        )
        response = FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=download_filename(document),
            content_type="application/pdf",
        )
        response["Cache-Control"] = "private, no-store"
        return response

"""Case exports in the API (ADR 0020): the ZGW-style JSON and the printable plan of action.

- `GET  /api/v1/cases/{uuid}/zgw`                  the case in the Zaken API shape
- `POST /api/v1/cases/{uuid}/plan-pdf`             queue the plan PDF (202 + Location)
- `GET  /api/v1/cases/{uuid}/plan-pdf/{document}`  its status
- `GET  /api/v1/cases/{uuid}/plan-pdf/{document}/file`  the PDF once done

Active, non-pseudonymised participants only; everyone else (non-participant, break-the-glass
reader, analyst, another municipality) gets the 404 problem of a missing case. The document
endpoints also need the requester to still take part (checked in `access_document`).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from wijkregie.api.schema import problem_responses
from wijkregie.api.views import ApiView
from wijkregie.cases import exports, plan_pdf
from wijkregie.documents import tasks
from wijkregie.documents.access import access_document
from wijkregie.documents.api import RETRY_AFTER, AnyAccept, NotReady
from wijkregie.documents.models import DocumentKind, DocumentStatus, GeneratedDocument
from wijkregie.documents.views import download_filename
from wijkregie.privacy.models import AccessAction
from wijkregie.signals.api import api_viewer, iso_datetime

CASES_PATH = "/api/v1/cases/"


class ZgwZaakSerializer(serializers.Serializer):
    identificatie = serializers.CharField(help_text="The case reference")
    omschrijving = serializers.CharField(help_text="Working title, at most 80 characters")
    zaaktype = serializers.CharField(help_text="urn:wijkregie:<cbs>:zaaktype:<case type code>")
    registratiedatum = serializers.DateField()
    startdatum = serializers.DateField()
    einddatum = serializers.DateField(allow_null=True)
    einddatumGepland = serializers.DateField(allow_null=True, help_text="Due date of the phase")
    vertrouwelijkheidaanduiding = serializers.CharField(
        help_text="`vertrouwelijk` (normaal) or `zeer_geheim` (vertrouwelijk)"
    )
    archiefnominatie = serializers.CharField(help_text="`vernietigen`")
    archiefactiedatum = serializers.DateField(
        allow_null=True, help_text="End of the retention term, set on closing"
    )
    uuid = serializers.UUIDField()
    url = serializers.CharField()


class ZgwStatusSerializer(serializers.Serializer):
    zaak = serializers.CharField()
    statustype = serializers.CharField()
    datumStatusGezet = serializers.DateTimeField()
    statustoelichting = serializers.CharField()


class ZgwIdentificatieSerializer(serializers.Serializer):
    identificatie = serializers.CharField(required=False)
    naam = serializers.CharField(required=False)


class ZgwRolSerializer(serializers.Serializer):
    zaak = serializers.CharField()
    betrokkene = serializers.CharField(
        help_text="Organisation reference, or a subject's pseudonym reference"
    )
    betrokkeneType = serializers.CharField(
        help_text="`organisatorische_eenheid` or `natuurlijk_persoon`"
    )
    roltype = serializers.CharField()
    roltoelichting = serializers.CharField()
    betrokkeneIdentificatie = ZgwIdentificatieSerializer(
        help_text="Organisation slug and name; empty for persons (pseudonym only)"
    )


class ZgwResultaatSerializer(serializers.Serializer):
    zaak = serializers.CharField()
    resultaattype = serializers.CharField()
    toelichting = serializers.CharField()
    doelen = serializers.ListField(
        child=serializers.DictField(), required=False, help_text="Outcome per goal (extension)"
    )
    overdrachtAan = serializers.CharField(required=False, help_text="Hand-over (extension)")


class ZgwCaseSerializer(serializers.Serializer):
    zaak = ZgwZaakSerializer()
    statussen = ZgwStatusSerializer(many=True)
    rollen = ZgwRolSerializer(many=True)
    resultaat = ZgwResultaatSerializer(allow_null=True)


class ZgwCaseView(ApiView):
    @extend_schema(
        responses={200: ZgwCaseSerializer, **problem_responses(401, 404)},
        operation_id="case_zgw_export",
        summary="A case you take part in, in the ZGW Zaken API shape (zaak, statussen, rollen, "
        "resultaat)",
        description="For a later hand-over to a Zaken API. Participants appear as their "
        "organisation and role, persons only as pseudonym references. Not for analysts or "
        "break-the-glass readers (404). Logged as an export of the case.",
    )
    def get(self, request: Request, uuid: str) -> Response:
        viewer = api_viewer(request)
        access = exports.access_case_export(viewer, uuid, purpose=exports.EXPORT_PURPOSE)
        body = exports.zgw_case(access.case)
        exports.log_export(viewer, access, purpose=exports.EXPORT_PURPOSE, detail="zgw")
        return Response(body)


class PlanPdfFileSerializer(serializers.Serializer):
    href = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    pages = serializers.IntegerField()


class PlanPdfSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    kind = serializers.CharField(help_text="`case_plan`")
    case = serializers.UUIDField()
    reference = serializers.CharField()
    status = serializers.CharField(help_text="`queued` → `running` → `done` or `failed`")
    error = serializers.CharField(allow_null=True)
    requested_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    file = PlanPdfFileSerializer(allow_null=True)


def _path(document: GeneratedDocument) -> str:
    return f"{CASES_PATH}{document.area_code}/plan-pdf/{document.uuid}"


def plan_pdf_body(document: GeneratedDocument) -> dict[str, Any]:
    done = document.status == DocumentStatus.DONE and bool(document.file_path)
    return {
        "uuid": str(document.uuid),
        "kind": document.kind,
        "case": document.area_code,
        "reference": document.area_name,
        "status": document.status,
        "error": document.error or None,
        "requested_at": iso_datetime(document.created_at),
        "finished_at": iso_datetime(document.finished_at),
        "file": (
            {
                "href": f"{_path(document)}/file",
                "content_type": "application/pdf",
                "size": document.size,
                "sha256": document.sha256,
                "pages": document.pages,
            }
            if done
            else None
        ),
    }


def _busy(document: GeneratedDocument) -> dict[str, str]:
    if document.status in (DocumentStatus.QUEUED, DocumentStatus.RUNNING):
        return {"Retry-After": str(RETRY_AFTER)}
    return {}


def _plan_document(request: Request, uuid: str, document: str, **kwargs: Any) -> GeneratedDocument:
    viewer = api_viewer(request)
    found = access_document(viewer, document, **kwargs)  # requester + still a participant
    if found.kind != DocumentKind.CASE_PLAN or found.area_code != str(uuid).lower():
        raise Http404
    return found


class PlanPdfCreateView(ApiView):
    @extend_schema(
        request=None,
        responses={
            202: OpenApiResponse(PlanPdfSerializer, description="Queued (or reused)"),
            **problem_responses(401, 404),
        },
        operation_id="case_plan_pdf_create",
        summary="Request the printable plan of action (PDF, made in the background)",
        description="Participants only (not analysts). Follow the `Location` until `status` "
        "is `done`, then download `file.href`. Only you can download it, and only while you "
        "take part in the case.",
    )
    def post(self, request: Request, uuid: str) -> Response:
        viewer = api_viewer(request)
        access = exports.access_case_export(viewer, uuid, purpose=plan_pdf.PDF_PURPOSE)
        try:
            document, created = plan_pdf.request_plan_pdf(viewer=viewer, access=access)
        except DjangoValidationError as exc:
            raise PermissionDenied(exc.messages[0]) from exc
        return Response(
            {**plan_pdf_body(document), "reused": not created},
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": _path(document), **_busy(document)},
        )


class PlanPdfDetailView(ApiView):
    @extend_schema(
        responses={200: PlanPdfSerializer, **problem_responses(401, 404)},
        operation_id="case_plan_pdf_read",
        summary="Status of your plan PDF",
    )
    def get(self, request: Request, uuid: str, document: str) -> Response:
        found = _plan_document(request, uuid, document)
        return Response(plan_pdf_body(found), headers=_busy(found))


class PlanPdfFileView(ApiView):
    content_negotiation_class = AnyAccept

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY),
            **problem_responses(401, 404),
            (409, "application/problem+json"): OpenApiResponse(description="No file (yet)"),
        },
        operation_id="case_plan_pdf_file",
        summary="Download your plan PDF (while you take part in the case); logged as an export",
    )
    def get(self, request: Request, uuid: str, document: str) -> FileResponse:
        found = _plan_document(request, uuid, document)
        if found.status != DocumentStatus.DONE:
            raise NotReady()
        path = tasks.document_file(found)
        if path is None:
            raise Http404
        found = _plan_document(
            request, uuid, document, purpose=plan_pdf.PDF_PURPOSE, action=AccessAction.EXPORT
        )
        response = FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=download_filename(found),
            content_type="application/pdf",
        )
        response["Cache-Control"] = "private, no-store"
        return response

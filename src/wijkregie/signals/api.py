"""REST API for signals, categories and life domains (/api/v1)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers, status
from rest_framework.exceptions import ErrorDetail, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from wijkregie.api.fields import (
    StrictCharField,
    StrictFloatField,
    StrictIntegerField,
    StrictSlugField,
)
from wijkregie.api.pagination import SignalCursorPagination, page_size_errors
from wijkregie.api.renderers import PreCamelized, to_camel
from wijkregie.api.schema import problem_responses
from wijkregie.api.validation import merge_errors, parse_leniently
from wijkregie.api.views import ApiView
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

SIGNALS_PATH = "/api/v1/signals/"


def api_viewer(request: Request) -> Viewer:
    return require_viewer(request.user, access_point="api")


def iso_datetime(value: dt.datetime | None) -> str | None:
    """As DRF's DateTimeField renders it: ISO 8601 in the current time zone."""
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def cell_of(cell_x: int | None, cell_y: int | None) -> dict[str, int] | None:
    """The 100 m cell (RD New, lower-left corner in metres) of a signal."""
    if cell_x is None or cell_y is None:
        return None
    return {"x": cell_x * geo.CELL_SIZE_M, "y": cell_y * geo.CELL_SIZE_M, "size": geo.CELL_SIZE_M}


class CellSerializer(serializers.Serializer):
    x = serializers.IntegerField(help_text="RD New x of the lower-left corner (m)")
    y = serializers.IntegerField(help_text="RD New y of the lower-left corner (m)")
    size = serializers.IntegerField(help_text="Cell size (m)")


class SignalSummarySerializer(serializers.Serializer):
    """List representation: no free text, no address, location as a 100 m cell.

    The list endpoint renders rows with `signal_summary` (no model instances, no per-field
    serializer overhead); this serializer documents that shape and is checked against it.
    """

    uuid = serializers.UUIDField()
    url = serializers.SerializerMethodField()
    observed_at = serializers.DateTimeField()
    category = serializers.CharField(source="category.code")
    category_name = serializers.CharField(source="category.name")
    life_domain = serializers.CharField(source="life_domain.code")
    source_channel = serializers.ChoiceField(choices=SourceChannel.choices)
    owner_organisation = serializers.CharField(source="owner_organisation.slug")
    neighbourhood = serializers.CharField(
        source="neighbourhood.code", allow_null=True, default=None, help_text="CBS buurt code"
    )
    cell = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=[(s.value, s.value) for s in Status])
    source_reliability = serializers.ChoiceField(choices=SourceReliability.choices)
    info_reliability = serializers.ChoiceField(choices=InfoReliability.choices)
    handling_code = serializers.ChoiceField(choices=HandlingCode.choices)

    def get_url(self, obj: Signal) -> str:
        return f"{SIGNALS_PATH}{obj.uuid}"

    @extend_schema_field(CellSerializer(allow_null=True))
    def get_cell(self, obj: Signal) -> dict[str, int] | None:
        return cell_of(obj.cell_x, obj.cell_y)


# Columns read for one list row; `signal_summary` turns such a row into the documented shape.
SUMMARY_COLUMNS = (
    "id",
    "uuid",
    "observed_at",
    "category__code",
    "category__name",
    "life_domain__code",
    "source_channel",
    "owner_organisation__slug",
    "neighbourhood__code",
    "cell_x",
    "cell_y",
    "status",
    "source_reliability",
    "info_reliability",
    "handling_code",
)


def signal_summary(row: Mapping[str, Any]) -> dict[str, Any]:
    """One list item from a `.values(*SUMMARY_COLUMNS)` row, with camelCase keys.

    The same output as SignalSummarySerializer + the camelCase renderer (a test holds them
    together), at a fraction of the cost: no model instances, no per-field dispatch.
    """
    uuid = str(row["uuid"])
    return {
        "uuid": uuid,
        "url": f"{SIGNALS_PATH}{uuid}",
        "observedAt": iso_datetime(row["observed_at"]),
        "category": row["category__code"],
        "categoryName": row["category__name"],
        "lifeDomain": row["life_domain__code"],
        "sourceChannel": row["source_channel"],
        "ownerOrganisation": row["owner_organisation__slug"],
        "neighbourhood": row["neighbourhood__code"],
        "cell": cell_of(row["cell_x"], row["cell_y"]),
        "status": row["status"],
        "sourceReliability": row["source_reliability"],
        "infoReliability": row["info_reliability"],
        "handlingCode": row["handling_code"],
    }


class SignalPageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True, help_text="Link to the next page, if any")
    previous = serializers.URLField(allow_null=True, help_text="Link to the previous page")
    results = SignalSummarySerializer(many=True)


class PointSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=[("Point", "Point")])
    coordinates = serializers.ListField(
        child=serializers.FloatField(), min_length=2, max_length=2, help_text="[lon, lat] WGS84"
    )


class RdSerializer(serializers.Serializer):
    x = serializers.FloatField()
    y = serializers.FloatField()


class AddressSerializer(serializers.Serializer):
    postcode = serializers.CharField()
    huisnummer = serializers.IntegerField()
    huisletter = serializers.CharField()
    huisnummertoevoeging = serializers.CharField()


class LocationSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["point", "address", "area"])
    point = PointSerializer(allow_null=True, help_text="GeoJSON Point; null when pseudonymised")
    rd = RdSerializer(allow_null=True, help_text="RD New (EPSG:28992); null when pseudonymised")
    address = AddressSerializer(allow_null=True, help_text="Null when pseudonymised")


class StatusHistorySerializer(serializers.Serializer):
    from_status = serializers.CharField(allow_null=True)
    to_status = serializers.CharField()
    at = serializers.DateTimeField()
    by = serializers.CharField(allow_null=True, help_text="Username; null when pseudonymised")
    note = serializers.CharField(allow_null=True, help_text="Null when pseudonymised")


class SignalDetailSerializer(SignalSummarySerializer):
    registered_at = serializers.DateTimeField()
    description = serializers.SerializerMethodField()
    location = serializers.SerializerMethodField()
    confidentiality = serializers.ChoiceField(choices=Confidentiality.choices)
    external_id = serializers.CharField()
    status_history = serializers.SerializerMethodField()
    pseudonymised = serializers.SerializerMethodField()

    def _personal(self, obj: Signal) -> bool:
        return may_see_personal_details(self.context["viewer"], obj)

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_pseudonymised(self, obj: Signal) -> bool:
        return not self._personal(obj)

    @extend_schema_field(
        serializers.CharField(allow_null=True, help_text="Plain text; null when pseudonymised")
    )
    def get_description(self, obj: Signal) -> str | None:
        return obj.description if self._personal(obj) else None

    @extend_schema_field(LocationSerializer)
    def get_location(self, obj: Signal) -> dict[str, Any]:
        personal = self._personal(obj)
        has_point = personal and obj.lat is not None and obj.lon is not None
        return {
            "kind": obj.location_kind,
            "point": {"type": "Point", "coordinates": [obj.lon, obj.lat]} if has_point else None,
            "rd": {"x": obj.rd_x, "y": obj.rd_y} if has_point else None,
            "address": {
                "postcode": obj.postcode,
                "huisnummer": obj.huisnummer,
                "huisletter": obj.huisletter,
                "huisnummertoevoeging": obj.huisnummertoevoeging,
            }
            if personal and obj.postcode
            else None,
        }

    @extend_schema_field(StatusHistorySerializer(many=True))
    def get_status_history(self, obj: Signal) -> list[dict[str, Any]]:
        personal = self._personal(obj)
        return [
            {
                "from_status": change.from_status or None,
                "to_status": change.to_status,
                "at": iso_datetime(change.at),
                "by": change.username if personal else None,
                "note": change.note if personal else None,
            }
            for change in selectors.signal_status_history(signal=obj)
        ]


class SignalCreateSerializer(serializers.Serializer):
    owner_organisation = StrictSlugField(
        required=False, help_text="Organisation slug; default: your only organisation"
    )
    category = StrictSlugField(max_length=50, help_text="Category code (see /categories)")
    observed_at = serializers.DateTimeField(help_text="When it was observed (ISO 8601)")
    description = StrictCharField(
        allow_blank=True,
        max_length=DESCRIPTION_MAX,
        required=False,
        default="",
        help_text="Plain text; never interpreted as HTML",
    )
    lat = StrictFloatField(required=False, allow_null=True, default=None, help_text="WGS84")
    lon = StrictFloatField(required=False, allow_null=True, default=None, help_text="WGS84")
    x = StrictFloatField(required=False, allow_null=True, default=None, help_text="RD New x")
    y = StrictFloatField(required=False, allow_null=True, default=None, help_text="RD New y")
    postcode = StrictCharField(required=False, allow_blank=True, max_length=7, default="")
    huisnummer = StrictIntegerField(required=False, allow_null=True, default=None)
    huisletter = StrictCharField(required=False, allow_blank=True, max_length=1, default="")
    huisnummertoevoeging = StrictCharField(
        required=False, allow_blank=True, max_length=4, default=""
    )
    neighbourhood = StrictCharField(
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
        choices=Confidentiality.choices,
        required=False,
        allow_null=True,
        default=None,
        help_text="Default: the category's default",
    )
    external_id = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=100,
        default="",
        help_text="Your system's id of this signal. A repeat with the same externalId for the "
        "same owner organisation updates that signal (never its status or owner) instead of "
        "creating another one.",
    )


# Order of invalidParams: as the fields are declared, the combined location check before lat.
_CREATE_FIELDS = list(SignalCreateSerializer._declared_fields)
CREATE_ERROR_ORDER = (
    "non_field_errors",
    *_CREATE_FIELDS[: _CREATE_FIELDS.index("lat")],
    "location",
    *_CREATE_FIELDS[_CREATE_FIELDS.index("lat") :],
)


class SignalWriteResultSerializer(SignalDetailSerializer):
    result = serializers.ChoiceField(
        choices=[(outcome, outcome) for outcome in services.UPSERT_OUTCOMES],
        help_text="`created` (201), or for a known externalId `updated` or `unchanged` (200)",
    )


MAX_BATCH = 1000


class SignalBatchSerializer(serializers.Serializer):
    """Documents the batch body; items are parsed one by one to report every error."""

    signals = serializers.ListField(
        child=SignalCreateSerializer(),
        min_length=1,
        max_length=MAX_BATCH,
        help_text=f"1 to {MAX_BATCH} signals, each as in POST /signals",
    )


class SignalBatchItemResultSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="Position in `signals`, from 0")
    uuid = serializers.UUIDField()
    url = serializers.CharField()
    external_id = serializers.CharField()
    result = serializers.ChoiceField(
        choices=[(outcome, outcome) for outcome in services.UPSERT_OUTCOMES]
    )


class SignalBatchResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    results = SignalBatchItemResultSerializer(many=True, help_text="In the order of `signals`")


@dataclass
class IntakeLookups:
    """Owner and category lookups, once per distinct value: a batch repeats the same few."""

    viewer: Viewer
    owners: dict[str | None, tuple[Organisation | None, services.Errors]] = field(
        default_factory=dict
    )
    categories: dict[str, tuple[Category | None, services.Errors]] = field(default_factory=dict)

    def owner(self, slug: str | None) -> tuple[Organisation | None, services.Errors]:
        if slug not in self.owners:
            self.owners[slug] = services.owner_for(self.viewer, slug)
        return self.owners[slug]

    def category(self, code: str) -> tuple[Category | None, services.Errors]:
        if code not in self.categories:
            self.categories[code] = services.category_for(self.viewer, code)
        return self.categories[code]


@dataclass(frozen=True)
class ParsedSignal:
    values: dict[str, Any]
    owner: Organisation | None
    errors: dict[str, Any]
    intake: services.SignalIntake | None


def parse_signal(
    viewer: Viewer, data: Any, lookups: IntakeLookups, *, check_domain: bool = True
) -> ParsedSignal:
    """One signal of a create or batch request: every serializer and domain error at once.

    With `check_domain=False` the domain rules are checked only when the item has other errors
    (to report them together); a clean item is left to the service, which checks it anyway.
    """
    values, field_errors = parse_leniently(SignalCreateSerializer(data=data))
    if not isinstance(data, Mapping):
        return ParsedSignal(values, None, field_errors, None)
    unparsed = set(field_errors)
    owner: Organisation | None = None
    owner_errors: services.Errors = {}
    if "owner_organisation" not in unparsed:
        owner, owner_errors = lookups.owner(values.get("owner_organisation"))
    category: Category | None = None
    category_errors: services.Errors = {}
    if "category" not in unparsed:
        category, category_errors = lookups.category(values["category"])
    location = services.as_location_input(values)
    clean = not (field_errors or owner_errors or category_errors)
    if clean and not check_domain and owner is not None and category is not None:
        return ParsedSignal(values, owner, {}, _intake(values, owner, category, location))
    domain_errors, _ = services.check_new_signal(
        viewer=viewer,
        owner_organisation=owner,
        category=category,
        observed_at=values.get("observed_at"),
        description=values.get("description"),
        location=location,
        source_channel=values.get("source_channel"),
        source_reliability=values.get("source_reliability"),
        info_reliability=values.get("info_reliability"),
        handling_code=values.get("handling_code"),
        confidentiality=values.get("confidentiality"),
        unparsed=frozenset(unparsed | set(owner_errors) | set(category_errors)),
    )
    errors = merge_errors(
        field_errors, {**owner_errors, **category_errors, **domain_errors}, CREATE_ERROR_ORDER
    )
    if errors or owner is None or category is None:
        return ParsedSignal(values, owner, errors, None)
    return ParsedSignal(values, owner, {}, _intake(values, owner, category, location))


def _intake(
    values: Mapping[str, Any],
    owner: Organisation,
    category: Category,
    location: services.LocationInput,
) -> services.SignalIntake:
    return services.SignalIntake(
        owner_organisation=owner,
        category=category,
        observed_at=values["observed_at"],
        description=values["description"],
        location=location,
        source_channel=values["source_channel"],
        source_reliability=values["source_reliability"],
        info_reliability=values["info_reliability"],
        handling_code=values["handling_code"],
        confidentiality=values["confidentiality"],
        external_id=values["external_id"],
    )


def batch_item_errors(index: int, errors: Mapping[str, Any]) -> dict[str, Any]:
    """Errors of item `index` under `signals[index].fieldName` (camelCase)."""
    return {
        f"signals[{index}]."
        + ("nonFieldErrors" if name == "non_field_errors" else to_camel(name)): detail
        for name, detail in errors.items()
    }


class StatusChangeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[(s.value, s.value) for s in Status])
    note = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=services.NOTE_MAX,
        default="",
        help_text="Required when reopening",
    )


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
        "q", OpenApiTypes.STR, description="Text search (ignored for pseudonymised viewers)"
    ),
]
PAGE_PARAMETERS = [
    OpenApiParameter("cursor", OpenApiTypes.STR, description="From the `next`/`previous` link"),
    OpenApiParameter(
        "pageSize",
        OpenApiTypes.INT,
        description=f"Signals per page (default {SignalCursorPagination.page_size}, "
        f"at most {SignalCursorPagination.max_page_size})",
    ),
]


class SignalListView(ApiView):
    @extend_schema(
        parameters=FILTER_PARAMETERS + PAGE_PARAMETERS,
        responses={200: SignalPageSerializer, **problem_responses(400, 401, 404)},
        operation_id="signal_list",
        summary="Signals visible to you, newest first",
    )
    def get(self, request: Request) -> Response:
        viewer = api_viewer(request)
        filters = selectors.SignalFilters.from_query(request.query_params)
        errors = {**filters.errors, **page_size_errors(request)}
        if errors:
            raise ValidationError(errors)
        # Two steps (see selectors.signal_page): the page's keys from the signal table alone,
        # then the list columns for those ids.
        keys = selectors.signal_list(viewer=viewer, filters=filters).values("id", "observed_at")
        paginator = SignalCursorPagination()
        page_keys: list[dict[str, Any]] = (
            paginator.paginate_queryset(keys, request, view=self)  # type: ignore[arg-type]
            or []
        )
        page = selectors.signal_values_in_order([key["id"] for key in page_keys], SUMMARY_COLUMNS)
        return Response(
            PreCamelized(
                next=paginator.get_next_link(),
                previous=paginator.get_previous_link(),
                results=[signal_summary(row) for row in page],
            )
        )

    @extend_schema(
        request=SignalCreateSerializer,
        responses={
            201: OpenApiResponse(
                SignalWriteResultSerializer,
                description="Created (`result`: `created`); the `Location` header names it",
            ),
            200: OpenApiResponse(
                SignalWriteResultSerializer,
                description="A signal with this externalId existed for the owner organisation: "
                "`result` says whether it was `updated` or `unchanged`",
            ),
            **problem_responses(400, 401, 403, 415),
        },
        parameters=[
            OpenApiParameter(
                "Location",
                OpenApiTypes.URI,
                OpenApiParameter.HEADER,
                response=[201],
                description="Path of the new signal",
            )
        ],
        operation_id="signal_create",
        summary="Register a signal (idempotent by owner organisation and externalId)",
    )
    def post(self, request: Request) -> Response:
        viewer = api_viewer(request)
        if not viewer.writes_signals:
            raise PermissionDenied("U heeft geen rol waarmee u signalen mag registreren.")
        parsed = parse_signal(viewer, request.data, IntakeLookups(viewer))
        if parsed.errors or parsed.intake is None:
            raise ValidationError(parsed.errors)
        signal, outcome = services.signal_upsert(viewer=viewer, intake=parsed.intake)
        signal = access_signal(viewer, signal.uuid, purpose="registratie")
        body = {
            **SignalDetailSerializer(signal, context={"viewer": viewer}).data,
            "result": outcome,
        }
        if outcome != services.CREATED:
            return Response(body, status=status.HTTP_200_OK)
        return Response(
            body,
            status=status.HTTP_201_CREATED,
            headers={"Location": f"{SIGNALS_PATH}{signal.uuid}"},
        )


def _batch_items(data: Any) -> list[Any]:
    """The `signals` list of a batch body, or a 400 problem that says what is wrong with it."""
    items = data.get("signals") if isinstance(data, Mapping) else None
    if not isinstance(items, list):
        raise ValidationError(
            {
                "signals": [
                    ErrorDetail(
                        "Geef de signalen als lijst in het veld signals: "
                        '{"signals": [{...}, {...}]}.',
                        code="required",
                    )
                ]
            }
        )
    if not items:
        raise ValidationError(
            {"signals": [ErrorDetail("De batch bevat geen signalen.", code="min_items")]}
        )
    if len(items) > MAX_BATCH:
        raise ValidationError(
            {
                "signals": [
                    ErrorDetail(
                        f"Een batch bevat hoogstens {MAX_BATCH} signalen; deze bevat er "
                        f"{len(items)}. Verdeel ze over meerdere verzoeken.",
                        code="max_items",
                    )
                ]
            }
        )
    return items


class SignalBatchView(ApiView):
    @extend_schema(
        request=SignalBatchSerializer,
        responses={
            200: OpenApiResponse(
                SignalBatchResultSerializer,
                description="Every signal was created, updated or left unchanged",
            ),
            **problem_responses(400, 401, 403, 413, 415),
        },
        operation_id="signal_batch",
        summary=f"Register up to {MAX_BATCH} signals at once, all or nothing",
        description=(
            "Each item has the shape of POST /signals and is idempotent by owner organisation "
            "and externalId in the same way. When any item is invalid nothing is written and "
            "the 400 problem lists every error of every item, named `signals[<index>].<field>`. "
            "An externalId that occurs twice for the same owner organisation is an error of "
            "the later item."
        ),
    )
    def post(self, request: Request) -> Response:
        viewer = api_viewer(request)
        if not viewer.writes_signals:
            raise PermissionDenied("U heeft geen rol waarmee u signalen mag registreren.")
        items = _batch_items(request.data)
        lookups = IntakeLookups(viewer)
        errors: dict[int, dict[str, Any]] = {}
        intakes: list[services.SignalIntake] = []
        positions: list[int] = []  # index in `items` of each intake
        first_index: dict[tuple[object, str], int] = {}
        for index, item in enumerate(items):
            parsed = parse_signal(viewer, item, lookups, check_domain=False)
            item_errors = dict(parsed.errors)
            external_id = parsed.values.get("external_id") or ""
            if external_id and "external_id" not in item_errors:
                owner_key: object = (
                    parsed.owner.pk
                    if parsed.owner is not None
                    else parsed.values.get("owner_organisation")
                )
                key = (owner_key, external_id)
                if key in first_index:
                    duplicate = services.duplicate_in_batch_error(first_index[key])
                    item_errors = merge_errors(
                        item_errors, {"external_id": duplicate}, CREATE_ERROR_ORDER
                    )
                else:
                    first_index[key] = index
            if item_errors:
                errors[index] = item_errors
            elif parsed.intake is not None:
                intakes.append(parsed.intake)
                positions.append(index)
        try:
            if errors:
                # Report the domain errors of the items that parsed cleanly too.
                domain_errors, _ = services.check_intakes(viewer=viewer, intakes=intakes)
                raise services.BatchInvalid(domain_errors)
            results = services.signal_upsert_many(viewer=viewer, intakes=intakes)
        except services.BatchInvalid as exc:
            for position, item_errors in exc.errors.items():
                errors[positions[position]] = merge_errors({}, item_errors, CREATE_ERROR_ORDER)
            raise ValidationError(
                {
                    name: detail
                    for index in sorted(errors)
                    for name, detail in batch_item_errors(index, errors[index]).items()
                }
            ) from exc
        counts = dict.fromkeys(services.UPSERT_OUTCOMES, 0)
        rows = []
        for index, (signal, outcome) in enumerate(results):
            counts[outcome] += 1
            uuid = str(signal.uuid)
            rows.append(
                {
                    "index": index,
                    "uuid": uuid,
                    "url": f"{SIGNALS_PATH}{uuid}",
                    "externalId": signal.external_id,
                    "result": outcome,
                }
            )
        return Response(PreCamelized(**counts, results=rows))


class SignalDetailView(ApiView):
    @extend_schema(
        responses={200: SignalDetailSerializer, **problem_responses(401, 404)},
        operation_id="signal_read",
        summary="One signal (pseudonymised for analysts); every read is logged",
    )
    def get(self, request: Request, uuid: str) -> Response:
        viewer = api_viewer(request)
        signal = access_signal(viewer, uuid)
        return Response(SignalDetailSerializer(signal, context={"viewer": viewer}).data)


class SignalStatusView(ApiView):
    @extend_schema(
        request=StatusChangeSerializer,
        responses={200: SignalDetailSerializer, **problem_responses(400, 401, 404, 415)},
        operation_id="signal_status_change",
        summary="Move a signal to another status (owner organisation only)",
    )
    def post(self, request: Request, uuid: str) -> Response:
        viewer = api_viewer(request)
        signal = access_signal(viewer, uuid, purpose="signaalbehandeling")
        values, field_errors = parse_leniently(StatusChangeSerializer(data=request.data))
        domain_errors = {}
        if "status" in values:
            domain_errors = services.check_status_change(
                viewer=viewer,
                signal=signal,
                to_status=values["status"],
                note=values.get("note", ""),
            )
        errors = merge_errors(field_errors, domain_errors, ("non_field_errors", "status", "note"))
        if errors:
            raise ValidationError(errors)
        services.signal_change_status(
            viewer=viewer, signal=signal, to_status=values["status"], note=values["note"]
        )
        signal.refresh_from_db()
        return Response(SignalDetailSerializer(signal, context={"viewer": viewer}).data)


class CategorySerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    code = serializers.CharField()
    name = serializers.CharField()
    parent = serializers.CharField(  # type: ignore[assignment]
        source="parent.code", allow_null=True, default=None, help_text="Main category code"
    )
    life_domain = serializers.CharField(source="life_domain.code")
    is_public = serializers.BooleanField()
    # A plain string here: the same enum under a second field name would make drf-spectacular
    # invent a second component for it.
    default_confidentiality = serializers.CharField(
        help_text="`normaal` or `vertrouwelijk`, as `confidentiality` of a signal"
    )


class CategoryListView(ApiView):
    @extend_schema(
        responses={200: CategorySerializer(many=True), **problem_responses(401, 404)},
        operation_id="category_list",
        summary="Active categories of your municipality",
    )
    def get(self, request: Request) -> Response:
        viewer = api_viewer(request)
        return Response(CategorySerializer(selectors.category_list(viewer=viewer), many=True).data)


class LifeDomainSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    code = serializers.CharField()
    name = serializers.CharField()


class LifeDomainListView(ApiView):
    @extend_schema(
        responses={200: LifeDomainSerializer(many=True), **problem_responses(401, 404)},
        operation_id="life_domain_list",
        summary="Life domains of your municipality",
    )
    def get(self, request: Request) -> Response:
        viewer = api_viewer(request)
        return Response(
            LifeDomainSerializer(selectors.life_domain_list(viewer=viewer), many=True).data
        )

"""REST API for subjects: read one (`GET /api/v1/subjects/{uuid}`) and attach one to a signal
(`POST /api/v1/signals/{uuid}/subjects`). Same access rules as the web pages."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from wijkregie.api.fields import StrictCharField, StrictFloatField, StrictIntegerField
from wijkregie.api.schema import problem_responses
from wijkregie.api.validation import merge_errors, parse_leniently
from wijkregie.api.views import ApiView
from wijkregie.signals.access import access_signal
from wijkregie.signals.api import api_viewer, iso_datetime
from wijkregie.subjects import selectors, services
from wijkregie.subjects.access import (
    PURPOSES,
    access_subject,
    may_see_place_details,
    personal_detail_scope,
    reveal_records,
)
from wijkregie.subjects.models import PersonRecord, PlaceKind, SignalRole, Subject, SubjectKind

# --- read --------------------------------------------------------------------------------


class TimelineSignalSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    observed_at = serializers.DateTimeField()
    category = serializers.CharField(help_text="Category code")
    life_domain = serializers.CharField(help_text="Life domain code")
    organisation = serializers.CharField(help_text="Owner organisation (slug)")
    role = serializers.ChoiceField(choices=SignalRole.choices)


class PersonDetailsSerializer(serializers.Serializer):
    given_names = serializers.CharField()
    surname_prefix = serializers.CharField()
    surname = serializers.CharField()
    birth_date = serializers.DateField(allow_null=True)


class LinkExplanationSerializer(serializers.Serializer):
    method = serializers.CharField(help_text="bsn, score, nieuw (new person) or dun (thin)")
    probability = serializers.FloatField(allow_null=True)
    match_weight = serializers.FloatField(allow_null=True)
    comparisons = serializers.JSONField(help_text="Per field: comparison level and weight")


class PersonRecordSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    organisation = serializers.CharField(help_text="Organisation that supplied it (slug)")
    created_at = serializers.DateTimeField()
    thin = serializers.BooleanField(help_text="Too little data: never linked automatically")
    link = LinkExplanationSerializer(allow_null=True)
    person = PersonDetailsSerializer(
        allow_null=True,
        help_text="Names and birth date: only with `purpose` and need-to-know; logged",
    )


class SubjectSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    pseudonym = serializers.CharField()
    kind = serializers.ChoiceField(choices=SubjectKind.choices)
    requested = serializers.CharField(help_text="Pseudonym asked for (merged into this one)")
    address = serializers.CharField(allow_null=True, help_text="Not for pseudonymised viewers")
    name = serializers.CharField(allow_null=True, help_text="Group or location name")
    place_kind = serializers.CharField(allow_null=True)
    merged = serializers.ListField(child=serializers.CharField(), help_text="Pseudonyms")
    signals = TimelineSignalSerializer(many=True)
    records = PersonRecordSerializer(many=True)


def _record(record: PersonRecord, explanation: Any, shown: bool) -> dict[str, Any]:
    return {
        "uuid": str(record.uuid),
        "organisation": record.owner_organisation.slug,
        "created_at": iso_datetime(record.created_at),
        "thin": record.thin,
        "link": (
            {
                "method": explanation.method,
                "probability": explanation.probability,
                "match_weight": explanation.match_weight,
                "comparisons": explanation.comparisons,
            }
            if explanation is not None
            else None
        ),
        "person": (
            {
                "given_names": record.given_names,
                "surname_prefix": record.surname_prefix,
                "surname": record.surname,
                "birth_date": record.birth_date.isoformat() if record.birth_date else None,
            }
            if shown
            else None
        ),
    }


def _address(subject: Subject) -> str | None:
    if subject.kind == SubjectKind.ADDRESS:
        return subject.address_text
    if subject.kind == SubjectKind.HOUSEHOLD and subject.dwelling is not None:
        return subject.dwelling.address_text
    return None


class SubjectDetailView(ApiView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "purpose",
                OpenApiTypes.STR,
                enum=list(PURPOSES),
                description="Give a purpose to see names and birth dates where you have "
                "need-to-know; every record shown is logged with it",
            )
        ],
        responses={200: SubjectSerializer, **problem_responses(400, 401, 404)},
        operation_id="subject_read",
        summary="One subject with the signals about it that you may see; every read is logged",
    )
    def get(self, request: Request, uuid: str) -> Response:
        viewer = api_viewer(request)
        purpose = request.query_params.get("purpose", "")
        if purpose and purpose not in PURPOSES:
            raise ValidationError({"purpose": ["Kies een geldig doel."]})
        subject = access_subject(viewer, uuid, purpose=purpose or "signaalbehandeling")
        page = selectors.subject_page(viewer=viewer, subject=subject)
        root = page.subject
        shown: set[int] = set()
        if purpose and personal_detail_scope(viewer, root).any:
            shown = {r.pk for r in reveal_records(viewer, root, page.records, purpose=purpose)}
        places = may_see_place_details(viewer)
        body = {
            "uuid": str(root.uuid),
            "pseudonym": root.pseudonym,
            "kind": root.kind,
            "requested": page.requested.pseudonym,
            "address": _address(root) if places else None,
            "name": (
                root.name
                if root.kind == SubjectKind.LOCATION or (root.kind == SubjectKind.GROUP and places)
                else None
            ),
            "place_kind": root.place_kind or None,
            "merged": [m.pseudonym for m in page.merged],
            "signals": [
                {
                    "uuid": str(item.signal.uuid),
                    "observed_at": iso_datetime(item.signal.observed_at),
                    "category": item.signal.category.code,
                    "life_domain": item.signal.life_domain.code,
                    "organisation": item.signal.owner_organisation.slug,
                    "role": item.role,
                }
                for item in page.timeline
            ],
            "records": [
                _record(r, page.explanations.get(r.pk), r.pk in shown) for r in page.records
            ],
        }
        return Response(body)


# --- attach ------------------------------------------------------------------------------


class AddressInputSerializer(serializers.Serializer):
    postcode = StrictCharField(max_length=7)
    huisnummer = StrictIntegerField()
    huisletter = StrictCharField(required=False, allow_blank=True, max_length=1, default="")
    huisnummertoevoeging = StrictCharField(
        required=False, allow_blank=True, max_length=4, default=""
    )


class PersonInputSerializer(serializers.Serializer):
    bsn = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=11,
        default="",
        help_text="Kept only as a keyed pseudonym (HMAC-SHA-256), never in clear",
    )
    given_names = StrictCharField(required=False, allow_blank=True, max_length=200, default="")
    surname_prefix = StrictCharField(required=False, allow_blank=True, max_length=20, default="")
    surname = StrictCharField(required=False, allow_blank=True, max_length=200, default="")
    birth_date = serializers.DateField(required=False, allow_null=True, default=None)
    address = AddressInputSerializer(required=False, allow_null=True, default=None)


class GroupInputSerializer(serializers.Serializer):
    name = StrictCharField(max_length=200)


class LocationInputSerializer(serializers.Serializer):
    name = StrictCharField(max_length=200)
    place_kind = serializers.ChoiceField(choices=PlaceKind.values, default=PlaceKind.OTHER)
    lat = StrictFloatField(required=False, allow_null=True, default=None)
    lon = StrictFloatField(required=False, allow_null=True, default=None)


class AttachSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SubjectKind.choices)
    role = serializers.ChoiceField(choices=SignalRole.choices, required=False)
    address = AddressInputSerializer(required=False, help_text="For address and household")
    person = PersonInputSerializer(required=False)
    group = GroupInputSerializer(required=False)
    location = LocationInputSerializer(required=False)


class AttachResultSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    pseudonym = serializers.CharField()
    kind = serializers.ChoiceField(choices=SubjectKind.choices)
    role = serializers.ChoiceField(choices=SignalRole.choices)


def _address_input(data: dict[str, Any] | None) -> services.AddressInput:
    if not data:
        return services.AddressInput()
    return services.AddressInput(
        postcode=data.get("postcode", ""),
        huisnummer=data.get("huisnummer"),
        huisletter=data.get("huisletter", ""),
        huisnummertoevoeging=data.get("huisnummertoevoeging", ""),
    )


class SignalSubjectsView(ApiView):
    @extend_schema(
        request=AttachSerializer,
        responses={201: AttachResultSerializer, **problem_responses(400, 401, 404, 415)},
        operation_id="signal_subject_attach",
        summary="Link an address, household, person, group or location to a signal "
        "(owner organisation only)",
    )
    def post(self, request: Request, uuid: str) -> Response:
        viewer = api_viewer(request)
        signal = access_signal(viewer, uuid, purpose="signaalbehandeling")
        values, errors = parse_leniently(AttachSerializer(data=request.data))
        kind = values.get("kind")
        if kind is not None and "kind" not in errors:
            part = {"household": "address"}.get(kind, kind)
            if part not in values and part not in errors:
                errors[part] = [
                    serializers.ErrorDetail("Dit veld is verplicht bij deze soort.", "required")
                ]
        if errors:
            raise ValidationError(merge_errors(errors, {}))
        role = values.get("role") or (
            SignalRole.PLACE if kind == "location" else SignalRole.CONCERNS
        )
        subject: Subject
        if kind in ("address", "household"):
            subject = services.attach_address(
                viewer=viewer,
                signal=signal,
                address=_address_input(values["address"]),
                household=kind == "household",
                role=role,
            )
        elif kind == "person":
            p = values["person"]
            subject, _record = services.attach_person(
                viewer=viewer,
                signal=signal,
                person=services.PersonInput(
                    bsn=p["bsn"],
                    given_names=p["given_names"],
                    surname_prefix=p["surname_prefix"],
                    surname=p["surname"],
                    birth_date=p["birth_date"],
                    address=_address_input(p.get("address")),
                ),
                role=role,
            )
        elif kind == "group":
            subject = services.attach_group(
                viewer=viewer,
                signal=signal,
                group=services.GroupInput(name=values["group"]["name"]),
                role=role,
            )
        else:
            loc = values["location"]
            subject = services.attach_location(
                viewer=viewer,
                signal=signal,
                place=services.PlaceInput(
                    name=loc["name"], place_kind=loc["place_kind"], lat=loc["lat"], lon=loc["lon"]
                ),
                role=role,
            )
        return Response(
            {
                "uuid": str(subject.uuid),
                "pseudonym": subject.pseudonym,
                "kind": subject.kind,
                "role": role,
            },
            status=status.HTTP_201_CREATED,
            headers={"Location": f"/api/v1/subjects/{subject.uuid}"},
        )

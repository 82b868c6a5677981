"""REST API for subjects: read one (`GET /api/v1/subjects/{uuid}`), attach one to a signal
(`POST /api/v1/signals/{uuid}/subjects`), split a record off a person
(`POST /api/v1/subjects/{uuid}/split`) and a group's members
(`GET/POST /api/v1/subjects/{uuid}/members`, `DELETE .../members/{person}`). Same access rules
as the web pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
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
    may_merge,
    may_see_place_details,
    may_see_subject,
    personal_detail_scope,
    reveal_records,
    root_of,
)
from wijkregie.subjects.models import PersonRecord, PlaceKind, SignalRole, Subject, SubjectKind
from wijkregie.tenants.access import Viewer

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


# --- split a record ----------------------------------------------------------------------


def _merger(request: Request) -> Viewer:
    """Staff who may merge (the same rule as the web forms); everyone else gets 404."""
    viewer = api_viewer(request)
    if not may_merge(viewer):
        raise Http404
    return viewer


def _reason_field() -> StrictCharField:
    message = "Geef een reden van ten minste 10 tekens."
    return StrictCharField(
        min_length=services.REASON_MIN,
        max_length=services.REASON_MAX,
        help_text="10 to 500 characters; kept in the subject's history",
        error_messages={"required": message, "blank": message, "min_length": message},
    )


class SplitInputSerializer(serializers.Serializer):
    record = serializers.UUIDField(help_text="The person record to move (uuid)")
    into = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The person to move it to (uuid); null or absent for a new person",
    )
    reason = _reason_field()


class SubjectRefSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    pseudonym = serializers.CharField()


class SplitResultSerializer(serializers.Serializer):
    record = serializers.UUIDField()
    from_person = SubjectRefSerializer(help_text="The person the record was split off")
    to_person = SubjectRefSerializer(help_text="The person the record belongs to now")


class SubjectSplitView(ApiView):
    @extend_schema(
        request=SplitInputSerializer,
        responses={200: SplitResultSerializer, **problem_responses(400, 401, 404, 415)},
        operation_id="subject_split",
        summary="Move one person record (with its signal link) off this person, to another "
        "person or a new one; a 'do not link' decision keeps it from being linked back",
    )
    def post(self, request: Request, uuid: str) -> Response:
        viewer = _merger(request)
        subject = access_subject(viewer, uuid)
        values, errors = parse_leniently(SplitInputSerializer(data=request.data))
        domain: dict[str, DjangoValidationError] = {}
        record = None
        if "record" in values:
            record = selectors.record_of(
                viewer=viewer, subject=subject, record_uuid=values["record"]
            )
            if record is None:
                domain["record"] = DjangoValidationError(
                    "Deze registratie hoort niet bij deze persoon of u kunt haar niet inzien.",
                    code="unknown",
                )
        into = None
        if values.get("into") is not None:
            into = selectors.subject_by_uuid(viewer=viewer, subject_uuid=values["into"])
            if into is None:
                domain["into"] = DjangoValidationError(
                    "Deze betrokkene bestaat niet of u kunt haar niet inzien.", code="unknown"
                )
        if record is not None and "reason" in values and not domain and not errors:
            source = root_of(record.person)
            target = services.record_split(
                viewer=viewer, record=record, into=into, reason=values["reason"]
            )
            return Response(
                {
                    "record": str(record.uuid),
                    "from_person": {"uuid": str(source.uuid), "pseudonym": source.pseudonym},
                    "to_person": {"uuid": str(target.uuid), "pseudonym": target.pseudonym},
                }
            )
        if record is not None:
            # Report the service's own rules together with the input errors.
            for name, error in services.check_split(
                viewer=viewer, record=record, into=into, reason=values.get("reason", "")
            ).items():
                if name != "reason" or "reason" not in errors:
                    domain.setdefault(name, error)
        raise ValidationError(merge_errors(errors, domain, ("record", "into", "reason")))


# --- group members -----------------------------------------------------------------------


class MemberSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    pseudonym = serializers.CharField()
    kind = serializers.ChoiceField(choices=SubjectKind.choices)


class MemberListSerializer(serializers.Serializer):
    subject = serializers.CharField(help_text="Pseudonym of the group (or household)")
    members = MemberSerializer(many=True, help_text="Only the members you may see")


class MemberAddSerializer(serializers.Serializer):
    person = serializers.UUIDField(help_text="The person to add (uuid)")


class MemberRemoveSerializer(serializers.Serializer):
    reason = _reason_field()


def _members_body(viewer: Viewer, subject: Subject) -> dict[str, Any]:
    page = selectors.subject_page(viewer=viewer, subject=subject)
    return {
        "subject": page.subject.pseudonym,
        "members": [
            {"uuid": str(m.uuid), "pseudonym": m.pseudonym, "kind": m.kind} for m in page.members
        ],
    }


class SubjectMembersView(ApiView):
    @extend_schema(
        responses={200: MemberListSerializer, **problem_responses(401, 404)},
        operation_id="subject_members",
        summary="The members of a group (or household) that you may see",
    )
    def get(self, request: Request, uuid: str) -> Response:
        viewer = api_viewer(request)
        subject = access_subject(viewer, uuid)
        return Response(_members_body(viewer, subject))

    @extend_schema(
        request=MemberAddSerializer,
        responses={201: MemberListSerializer, **problem_responses(400, 401, 404, 415)},
        operation_id="subject_member_add",
        summary="Add a person you may see to a group (staff with an operational role)",
    )
    def post(self, request: Request, uuid: str) -> Response:
        viewer = _merger(request)
        group = access_subject(viewer, uuid)
        values, errors = parse_leniently(MemberAddSerializer(data=request.data))
        if errors:
            raise ValidationError(merge_errors(errors, {}))
        person = selectors.subject_by_uuid(viewer=viewer, subject_uuid=values["person"])
        if person is None:
            raise ValidationError(
                {
                    "person": [
                        serializers.ErrorDetail(
                            "Deze betrokkene bestaat niet of u kunt haar niet inzien.", "unknown"
                        )
                    ]
                }
            )
        services.group_add_member(viewer=viewer, group=group, person=person)
        return Response(_members_body(viewer, group), status=status.HTTP_201_CREATED)


class SubjectMemberView(ApiView):
    @extend_schema(
        request=MemberRemoveSerializer,
        responses={204: None, **problem_responses(400, 401, 404, 415)},
        operation_id="subject_member_remove",
        summary="Remove a person from a group, with a reason in the JSON body",
    )
    def delete(self, request: Request, uuid: str, person: str) -> Response:
        viewer = _merger(request)
        group = access_subject(viewer, uuid)
        member = selectors.subject_by_uuid(viewer=viewer, subject_uuid=person)
        if member is None or not may_see_subject(viewer, member):
            raise Http404
        values, errors = parse_leniently(MemberRemoveSerializer(data=request.data))
        if errors:
            raise ValidationError(merge_errors(errors, {}))
        services.group_remove_member(
            viewer=viewer, group=group, person=member, reason=values["reason"]
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

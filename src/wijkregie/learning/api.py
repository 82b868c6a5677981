"""REST API of the learning circle (/api/v1/learning/...). Same rules as the web pages: only
participating municipalities, readers only; published cards of others, every card of one's own
municipality; the effect study for one's own focus areas (signal readers)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from wijkregie.analysis import effect
from wijkregie.api.fields import StrictCharField
from wijkregie.api.schema import problem_responses
from wijkregie.api.validation import merge_errors, parse_leniently
from wijkregie.api.views import ApiView
from wijkregie.areas.access import access_focus_area
from wijkregie.learning import selectors, services
from wijkregie.learning.access import (
    access_card,
    access_meeting,
    is_owner,
    learning_viewer,
    may_record_meeting,
)
from wijkregie.learning.models import AreaType, CardStatus, Meeting, PracticeCard, SessionKind
from wijkregie.tenants.access import Viewer

LIST_LIMIT = 500


class LearningMunicipalitySerializer(serializers.Serializer):
    name = serializers.CharField()
    code = serializers.CharField(allow_blank=True)


class LearningCardSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    municipality = LearningMunicipalitySerializer(help_text="The municipality of the practice")
    title = serializers.CharField()
    problem = serializers.CharField()
    approach = serializers.CharField()
    life_domains = serializers.ListField(child=serializers.CharField())
    partners = serializers.CharField(allow_blank=True)
    effort = serializers.CharField(allow_blank=True)
    cost_eur = serializers.IntegerField(allow_null=True)
    area_type = serializers.CharField(help_text="Area type code")
    area_figures = serializers.DictField(help_text="CBS figures (open data) of the area")
    period_start = serializers.DateField(allow_null=True)
    period_end = serializers.DateField(allow_null=True)
    measured_effect = serializers.DictField(
        allow_null=True, help_text="Aggregates only; counts below the threshold are null"
    )
    lessons = serializers.CharField(allow_blank=True)
    contact_organisation = serializers.CharField()
    published_at = serializers.DateTimeField(allow_null=True)
    status = serializers.CharField(help_text="`concept`, `ter_beoordeling` or `gepubliceerd`")
    origin = serializers.CharField(help_text="`lokaal` or `geimporteerd`")
    own = serializers.BooleanField(help_text="Card of your own municipality")


class LearningCardListSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = LearningCardSerializer(many=True, help_text=f"At most {LIST_LIMIT}")


class LearningSessionSerializer(serializers.Serializer):
    kind = serializers.CharField()
    title = serializers.CharField()
    facilitators = serializers.CharField(allow_blank=True)
    summary = serializers.CharField(allow_blank=True)
    takeaways = serializers.CharField(allow_blank=True)


class LearningMeetingSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    circle = serializers.CharField()
    number = serializers.IntegerField(allow_null=True)
    date = serializers.DateField()
    theme = serializers.CharField()
    plenary = serializers.CharField(allow_blank=True)
    participants = serializers.ListField(child=serializers.CharField())
    questions = serializers.CharField(allow_blank=True)
    agreements = serializers.CharField(allow_blank=True)
    takeaways = serializers.CharField(allow_blank=True)
    sessions = LearningSessionSerializer(many=True)
    cards = serializers.ListField(child=serializers.UUIDField(), help_text="Cards you may see")


class LearningSessionWriteSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SessionKind.values, help_text="`plenair` or `subsessie`")
    title = StrictCharField(required=False, allow_blank=True, default="", help_text="Required")
    facilitators = StrictCharField(required=False, allow_blank=True, default="")
    summary = StrictCharField(required=False, allow_blank=True, default="")
    takeaways = StrictCharField(required=False, allow_blank=True, default="")
    order = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="Empty: the list order"
    )


class LearningMeetingWriteSerializer(serializers.Serializer):
    circle = StrictCharField(
        required=False, allow_blank=True, default="", help_text="Name of the learning circle"
    )
    number = serializers.IntegerField(required=False, allow_null=True, default=None)
    date = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Required"
    )
    theme = StrictCharField(required=False, allow_blank=True, default="", help_text="Required")
    plenary = StrictCharField(required=False, allow_blank=True, default="")
    participants = serializers.ListField(
        child=StrictCharField(allow_blank=True),
        required=False,
        default=list,
        help_text="Names of the participating municipalities",
    )
    questions = StrictCharField(required=False, allow_blank=True, default="")
    agreements = StrictCharField(required=False, allow_blank=True, default="")
    takeaways = StrictCharField(required=False, allow_blank=True, default="")
    cards = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        default=list,
        help_text="Practice cards discussed (cards you may see)",
    )
    sessions = LearningSessionWriteSerializer(
        many=True, required=False, default=list, help_text="Replaces all sessions"
    )


class LearningEffectSerializer(serializers.Serializer):
    effect = serializers.FloatField(allow_null=True, help_text="Relative change, e.g. -0.2")
    ci_low = serializers.FloatField(allow_null=True)
    ci_high = serializers.FloatField(allow_null=True)
    p_value = serializers.FloatField(allow_null=True)
    n_treated = serializers.IntegerField()
    n_control = serializers.IntegerField()
    method = serializers.CharField()
    conclusion = serializers.CharField(
        help_text="`decrease`, `increase`, `no_effect_detected` or `cannot_tell`"
    )
    reasons = serializers.ListField(child=serializers.CharField())
    trend = serializers.ListField(
        child=serializers.DictField(), help_text="Rates per month; small counts are null"
    )


def _card(viewer: Any, card: PracticeCard) -> dict[str, Any]:
    return {
        **services.card_to_json(card),
        "status": card.status,
        "origin": card.origin,
        "own": is_owner(viewer, card),
    }


def _meeting(viewer: Any, meeting: Meeting) -> dict[str, Any]:
    return {
        "uuid": str(meeting.uuid),
        "circle": meeting.circle,
        "number": meeting.number,
        "date": meeting.date.isoformat(),
        "theme": meeting.theme,
        "plenary": meeting.plenary,
        "participants": list(meeting.participants or []),
        "questions": meeting.questions,
        "agreements": meeting.agreements,
        "takeaways": meeting.takeaways,
        "sessions": [
            {
                "kind": s.kind,
                "title": s.title,
                "facilitators": s.facilitators,
                "summary": s.summary,
                "takeaways": s.takeaways,
            }
            for s in selectors.meeting_sessions(meeting=meeting)
        ],
        "cards": [str(c.uuid) for c in selectors.meeting_cards(viewer=viewer, meeting=meeting)],
    }


class CardListView(ApiView):
    @extend_schema(
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description="Text search"),
            OpenApiParameter("domain", OpenApiTypes.STR, description="Life domain name"),
            OpenApiParameter("areaType", OpenApiTypes.STR, enum=AreaType.values),
            OpenApiParameter("status", OpenApiTypes.STR, enum=CardStatus.values),
        ],
        responses={200: LearningCardListSerializer, **problem_responses(400, 401, 404)},
        operation_id="learning_card_list",
        summary="Practice cards you may see: published ones of the circle and your own",
    )
    def get(self, request: Request) -> Response:
        viewer = learning_viewer(request.user, "api")
        params = request.query_params
        errors: dict[str, list[serializers.ErrorDetail]] = {}
        if params.get("areaType") and params["areaType"] not in AreaType.values:
            errors["areaType"] = [serializers.ErrorDetail("Onbekend soort gebied.", "invalid")]
        if params.get("status") and params["status"] not in CardStatus.values:
            errors["status"] = [serializers.ErrorDetail("Onbekende status.", "invalid")]
        if errors:
            raise ValidationError(errors)
        filters = selectors.CardFilters(
            q=params.get("q", "")[:100],
            domain=params.get("domain", "")[:100],
            area_type=params.get("areaType", ""),
            status=params.get("status", ""),
        )
        qs = selectors.card_list(viewer=viewer, filters=filters)
        return Response(
            {"count": qs.count(), "results": [_card(viewer, c) for c in qs[:LIST_LIMIT]]}
        )


class CardDetailView(ApiView):
    @extend_schema(
        responses={200: LearningCardSerializer, **problem_responses(401, 404)},
        operation_id="learning_card_read",
        summary="One practice card (404 for another municipality's draft)",
    )
    def get(self, request: Request, uuid: str) -> Response:
        viewer = learning_viewer(request.user, "api")
        return Response(_card(viewer, access_card(viewer, uuid)))


def _meeting_write(viewer: Viewer, request: Request, meeting: Meeting | None) -> Meeting:
    """Parse, check (every error at once, problem+json 400) and save a meeting."""
    values, errors = parse_leniently(LearningMeetingWriteSerializer(data=request.data))
    wanted = [str(u) for u in values.get("cards") or []]
    cards = list(selectors.meeting_card_choices(viewer=viewer).filter(uuid__in=wanted))
    domain: dict[str, DjangoValidationError] = {}
    if len({str(c.uuid) for c in cards}) != len(set(wanted)):
        domain["cards"] = DjangoValidationError(
            gettext("Kies praktijkkaarten die u mag zien."), code="invalid"
        )
    data = services.MeetingData(
        circle=values.get("circle", ""),
        number=values.get("number"),
        date=values.get("date"),
        theme=values.get("theme", ""),
        plenary=values.get("plenary", ""),
        participants=list(values.get("participants") or []),
        questions=values.get("questions", ""),
        agreements=values.get("agreements", ""),
        takeaways=values.get("takeaways", ""),
        cards=cards,
        sessions=[services.SessionData(**dict(row)) for row in values.get("sessions") or []],
    )
    for name, error in services.check_meeting(viewer=viewer, data=data).items():
        if name.startswith("sessions[") and "sessions" in errors:
            continue  # the sessions could not be read; their serializer errors say why
        # `sessions[0].title` -> `sessions.0.title`, as the serializer's nested errors read.
        domain.setdefault(name.replace("[", ".").replace("]", ""), error)
    merged = merge_errors(errors, domain, ("circle", "date", "theme", "sessions"))
    if merged:
        raise ValidationError(merged)
    try:
        return services.meeting_save(viewer=viewer, data=data, meeting=meeting)
    except DjangoValidationError as exc:
        if exc.code == "forbidden":
            raise Http404 from None
        raise ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        ) from None


class MeetingListView(ApiView):
    @extend_schema(
        responses={200: LearningMeetingSerializer(many=True), **problem_responses(401, 404)},
        operation_id="learning_meeting_list",
        summary="Meetings of the learning circle, newest first",
    )
    def get(self, request: Request) -> Response:
        viewer = learning_viewer(request.user, "api")
        return Response([_meeting(viewer, m) for m in selectors.meeting_list(viewer=viewer)])

    @extend_schema(
        request=LearningMeetingWriteSerializer,
        responses={201: LearningMeetingSerializer, **problem_responses(400, 401, 404, 415)},
        operation_id="learning_meeting_create",
        summary="Record a meeting of the learning circle with its sessions (editors)",
    )
    def post(self, request: Request) -> Response:
        viewer = learning_viewer(request.user, "api")
        if not may_record_meeting(viewer):
            raise Http404
        meeting = _meeting_write(viewer, request, None)
        return Response(_meeting(viewer, meeting), status=status.HTTP_201_CREATED)


class MeetingDetailView(ApiView):
    @extend_schema(
        responses={200: LearningMeetingSerializer, **problem_responses(401, 404)},
        operation_id="learning_meeting_read",
        summary="One meeting with its sessions",
    )
    def get(self, request: Request, uuid: str) -> Response:
        viewer = learning_viewer(request.user, "api")
        return Response(_meeting(viewer, access_meeting(viewer, uuid)))

    @extend_schema(
        request=LearningMeetingWriteSerializer,
        responses={200: LearningMeetingSerializer, **problem_responses(400, 401, 404, 415)},
        operation_id="learning_meeting_update",
        summary="Replace a meeting and its sessions (editors of the recording municipality)",
    )
    def put(self, request: Request, uuid: str) -> Response:
        viewer = learning_viewer(request.user, "api")
        meeting = access_meeting(viewer, uuid, write=True)
        meeting = _meeting_write(viewer, request, meeting)
        return Response(_meeting(viewer, meeting))


class EffectView(ApiView):
    @extend_schema(
        parameters=[
            OpenApiParameter("focusArea", OpenApiTypes.UUID, required=True),
            OpenApiParameter(
                "categories", OpenApiTypes.STR, required=True, description="Codes, comma-separated"
            ),
            OpenApiParameter("start", OpenApiTypes.STR, required=True, description="YYYY-MM"),
        ],
        responses={200: LearningEffectSerializer, **problem_responses(400, 401, 404)},
        operation_id="learning_effect",
        summary="Effect of an intervention in one of your focus areas (DiD, placebo test)",
    )
    def get(self, request: Request) -> Response:
        viewer = learning_viewer(request.user, "api")
        if not viewer.reads_signals:
            raise Http404
        params = request.query_params
        area = access_focus_area(viewer, params.get("focusArea", ""))
        errors: dict[str, list[serializers.ErrorDetail]] = {}
        codes = [c.strip() for c in params.get("categories", "").split(",") if c.strip()]
        if not codes:
            errors["categories"] = [serializers.ErrorDetail("Kies een categorie.", "required")]
        start: dt.date | None = None
        try:
            kind, ordinal = effect.parse_period(params.get("start", ""))
            if kind != "month":
                raise effect.PeriodError
            start = dt.date(ordinal // 12, ordinal % 12 + 1, 1)
        except effect.PeriodError:
            errors["start"] = [serializers.ErrorDetail("Gebruik een maand als JJJJ-MM.", "invalid")]
        if errors or start is None:
            raise ValidationError(errors)
        measurement = selectors.focus_area_effect(
            viewer=viewer, focus_area=area, category_codes=codes, start=start
        )
        threshold = viewer.small_count_threshold
        payload = measurement.result.as_dict()
        payload["trend"] = [
            {
                "period": effect.period_label("month", p.period),
                "treated_rate": None if 0 < p.treated_count < threshold else p.treated_rate,
                "control_rate": None if 0 < p.control_count < threshold else p.control_rate,
            }
            for p in measurement.result.trend
        ]
        return Response(payload)

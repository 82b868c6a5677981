"""REST API for case management (/api/v1). Same access rules as the web pages: a case exists
only for its participants (404 for everyone else, also in the list and its counts)."""

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

from wijkregie.api.fields import StrictCharField
from wijkregie.api.schema import problem_responses
from wijkregie.api.validation import merge_errors, parse_leniently
from wijkregie.api.views import ApiView
from wijkregie.cases import closure, selectors, services, states
from wijkregie.cases.access import (
    CaseAccess,
    access_case,
    access_screening,
    may_nominate_any,
    reader_organisation_ids,
)
from wijkregie.cases.models import (
    Case,
    Confidentiality,
    Decision,
    ParticipantRole,
    ResultCode,
    Screening,
    ScreeningSource,
)
from wijkregie.signals.access import access_signal
from wijkregie.signals.api import api_viewer, iso_datetime
from wijkregie.subjects.access import access_subject
from wijkregie.tenants.access import Viewer
from wijkregie.tenants.models import Organisation

LIST_LIMIT = 500
PHASES = [p.value for p in states.Phase]


class CaseSummarySerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    reference = serializers.CharField()
    title = serializers.CharField()
    case_type = serializers.CharField(help_text="Case type code")
    phase = serializers.ChoiceField(choices=PHASES)
    phase_due = serializers.DateField(allow_null=True)
    # A plain string: a second enum named `confidentiality` (signals have one) would make
    # drf-spectacular invent a component name for it.
    confidentiality = serializers.CharField(help_text="`normaal` or `vertrouwelijk`")
    created_at = serializers.DateTimeField()


class PhaseCountSerializer(serializers.Serializer):
    phase = serializers.ChoiceField(choices=PHASES)
    count = serializers.IntegerField()


class CaseListSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Cases you take part in that match the filters")
    phase_counts = PhaseCountSerializer(many=True)
    results = CaseSummarySerializer(many=True, help_text=f"At most {LIST_LIMIT}, newest first")


class ParticipantSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    organisation = serializers.CharField(help_text="Organisation slug")
    role = serializers.ChoiceField(choices=ParticipantRole.values)


class PhaseChangeSerializer(serializers.Serializer):
    from_phase = serializers.CharField(allow_blank=True)
    to_phase = serializers.CharField()
    at = serializers.DateTimeField()
    username = serializers.CharField(allow_null=True, help_text="Not for pseudonymised viewers")


class CaseSubjectSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    pseudonym = serializers.CharField()
    kind = serializers.CharField()


class CaseDetailSerializer(CaseSummarySerializer):
    result_code = serializers.CharField(allow_blank=True)
    result = serializers.CharField(allow_null=True, help_text="Not for pseudonymised viewers")
    closed_at = serializers.DateTimeField(allow_null=True)
    retain_until = serializers.DateField(allow_null=True)
    break_the_glass = serializers.BooleanField(help_text="Read without taking part (logged)")
    subjects = CaseSubjectSerializer(many=True, help_text="Pseudonyms only")
    signals = serializers.ListField(
        child=serializers.UUIDField(), help_text="Linked signals that you may see"
    )
    participants = ParticipantSerializer(many=True)
    history = PhaseChangeSerializer(many=True)


def _summary(case: Case) -> dict[str, Any]:
    return {
        "uuid": str(case.uuid),
        "reference": case.reference,
        "title": case.title,
        "case_type": case.case_type.code,
        "phase": case.phase,
        "phase_due": case.phase_due.isoformat() if case.phase_due else None,
        "confidentiality": case.confidentiality,
        "created_at": iso_datetime(case.created_at),
    }


def _detail(viewer: Viewer, access: CaseAccess) -> dict[str, Any]:
    page = selectors.case_page(viewer=viewer, access=access)
    case = access.case
    hide = viewer.pseudonymised
    return {
        **_summary(case),
        "result_code": case.result_code,
        "result": None if hide else case.result,
        "closed_at": iso_datetime(case.closed_at),
        "retain_until": case.retain_until.isoformat() if case.retain_until else None,
        "break_the_glass": access.via_break_glass,
        "subjects": [
            {"uuid": str(s.uuid), "pseudonym": s.pseudonym, "kind": s.kind} for s in page.subjects
        ],
        "signals": [str(s.uuid) for s in page.signals],
        "participants": [
            {
                "id": p.pk,
                "username": p.user.username,
                "organisation": p.organisation.slug,
                "role": p.role,
            }
            for p in page.participants
        ],
        "history": [
            {
                "from_phase": h.from_phase,
                "to_phase": h.to_phase,
                "at": iso_datetime(h.at),
                "username": None if hide else h.username,
            }
            for h in page.history
        ],
    }


def _case_reader(request: Request) -> Viewer:
    viewer = api_viewer(request)
    if not reader_organisation_ids(viewer):
        raise Http404
    return viewer


class CaseListView(ApiView):
    @extend_schema(
        parameters=[
            OpenApiParameter("phase", OpenApiTypes.STR, enum=PHASES),
            OpenApiParameter("type", OpenApiTypes.STR, description="Case type code"),
            OpenApiParameter("q", OpenApiTypes.STR, description="Reference or working title"),
        ],
        responses={200: CaseListSerializer, **problem_responses(400, 401, 404)},
        operation_id="case_list",
        summary="Cases you take part in, newest first, with counts per phase",
    )
    def get(self, request: Request) -> Response:
        viewer = _case_reader(request)
        params = request.query_params
        phase = params.get("phase", "")
        if phase and phase not in PHASES:
            raise ValidationError(
                {"phase": [serializers.ErrorDetail("Onbekende fase.", "invalid_phase")]}
            )
        filters = selectors.CaseFilters(
            phase=phase, case_type=params.get("type", ""), q=params.get("q", "")[:100]
        )
        qs = selectors.visible_cases(viewer=viewer, filters=filters)
        counts = selectors.phase_counts(viewer=viewer, filters=filters)
        return Response(
            {
                "count": qs.count(),
                "phase_counts": [{"phase": p, "count": n} for p, _label, n in counts],
                "results": [_summary(c) for c in qs[:LIST_LIMIT]],
            }
        )


class CaseDetailView(ApiView):
    @extend_schema(
        responses={200: CaseDetailSerializer, **problem_responses(401, 404)},
        operation_id="case_read",
        summary="One case you take part in (or broke the glass for); every read is logged",
    )
    def get(self, request: Request, uuid: str) -> Response:
        viewer = api_viewer(request)
        access = access_case(viewer, uuid)
        return Response(_detail(viewer, access))


class TransitionSerializer(serializers.Serializer):
    phase = serializers.ChoiceField(choices=PHASES)
    note = StrictCharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=services.REASON_MAX,
        help_text="Required when moving back or reopening",
    )
    result_code = serializers.ChoiceField(
        choices=ResultCode.values, required=False, allow_blank=True, default=""
    )
    result = StrictCharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=services.TEXT_MAX,
        help_text="Not used: close with POST /cases/{uuid}/close",
    )


class CaseTransitionView(ApiView):
    @extend_schema(
        request=TransitionSerializer,
        responses={200: CaseDetailSerializer, **problem_responses(400, 401, 404, 415)},
        operation_id="case_transition",
        summary="Move a case to another phase (casusregisseur); reopening needs the right and "
        "a reason. Closing is POST /cases/{uuid}/close, with the evaluation",
    )
    def post(self, request: Request, uuid: str) -> Response:
        viewer = api_viewer(request)
        access = access_case(viewer, uuid, write=True)
        values, field_errors = parse_leniently(TransitionSerializer(data=request.data))
        domain_errors = {}
        if "phase" in values:
            domain_errors = services.check_transition(
                viewer=viewer,
                access=access,
                to_phase=values["phase"],
                note=values.get("note", ""),
                result_code=values.get("result_code", ""),
                result=values.get("result", ""),
            )
        errors = merge_errors(field_errors, domain_errors, ("case", "phase", "note"))
        if errors:
            raise ValidationError(errors)
        services.case_transition(
            viewer=viewer,
            access=access,
            to_phase=values["phase"],
            note=values["note"],
            result_code=values["result_code"],
            result=values["result"],
        )
        access.case.refresh_from_db()
        return Response(_detail(viewer, access))


class GoalOutcomeSerializer(serializers.Serializer):
    goal = serializers.UUIDField(help_text="A goal of the case's plan")
    outcome = serializers.ChoiceField(choices=list(closure.OUTCOMES))


class CloseSerializer(serializers.Serializer):
    result_code = serializers.ChoiceField(choices=ResultCode.values)
    result = StrictCharField(max_length=services.TEXT_MAX, help_text="At least 10 characters")
    goal_outcomes = GoalOutcomeSerializer(
        many=True,
        required=False,
        default=list,
        help_text="An outcome for every goal of the plan that is not yet decided",
    )
    handover_organisation = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=100,
        help_text="Organisation slug; required with result `overgedragen`",
    )
    handover = StrictCharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=closure.HANDOVER_MAX,
        help_text="What is handed over; required with result `overgedragen`",
    )


def _close_errors(
    errors: dict[str, DjangoValidationError],
) -> dict[str, DjangoValidationError]:
    """The closing rules' per-goal errors (`goal_<uuid>`) as one `goal_outcomes` field."""
    merged: dict[str, DjangoValidationError] = {}
    goals: list[DjangoValidationError] = []
    for name, error in errors.items():
        if name.startswith("goal_"):
            goal = name.removeprefix("goal_")
            goals.extend(
                DjangoValidationError(f"{goal}: {message}", code=e.code)
                for e in error.error_list
                for message in e.messages
            )
        else:
            merged[name] = error
    if goals:
        merged["goal_outcomes"] = DjangoValidationError(goals)
    return merged


class CaseCloseView(ApiView):
    @extend_schema(
        request=CloseSerializer,
        responses={200: CaseDetailSerializer, **problem_responses(400, 401, 404, 415)},
        operation_id="case_close",
        summary="Close a case with its result and evaluation (casusregisseur): an outcome per "
        "goal and, when handed over, to whom; the retention term starts",
    )
    def post(self, request: Request, uuid: str) -> Response:
        viewer = api_viewer(request)
        access = access_case(viewer, uuid, write=True)
        values, field_errors = parse_leniently(CloseSerializer(data=request.data))
        domain_errors: dict[str, DjangoValidationError] = {}
        organisations = {o.slug: o for o in closure.handover_organisations(access.case)}
        slug = values.get("handover_organisation", "")
        organisation = organisations.get(slug) if slug else None
        if slug and organisation is None:
            domain_errors["handover_organisation"] = DjangoValidationError(
                "Kies een organisatie van deze gemeente.", code="invalid_choice"
            )
        outcomes = {str(o["goal"]): o["outcome"] for o in values.get("goal_outcomes", [])}
        arguments: dict[str, Any] = {
            "viewer": viewer,
            "access": access,
            "result_code": values.get("result_code", ""),
            "result": values.get("result", ""),
            "goal_outcomes": outcomes,
            "handover_organisation": organisation,
            "handover": values.get("handover", ""),
        }
        domain_errors = {**_close_errors(closure.check_close(**arguments)), **domain_errors}
        errors = merge_errors(
            field_errors,
            domain_errors,
            ("case", "phase", "result_code", "result", "goal_outcomes", "handover_organisation"),
        )
        if errors:
            raise ValidationError(errors)
        closure.case_close(**arguments)
        access.case.refresh_from_db()
        return Response(_detail(viewer, access))


class CriteriaField(serializers.ListField):
    """The codes of the criteria that are met (codes are values, so they keep their form)."""

    child = StrictCharField(max_length=50)


class CriterionSerializer(serializers.Serializer):
    code = serializers.CharField()
    met = serializers.BooleanField()


def _criteria(codes: list[str] | None) -> dict[str, bool] | None:
    return None if codes is None else dict.fromkeys(codes, True)


class ScreeningCreateSerializer(serializers.Serializer):
    case_type = StrictCharField(max_length=50, help_text="Case type code")
    organisation = StrictCharField(max_length=50, help_text="Nominating organisation (slug)")
    subject = serializers.UUIDField(required=False, allow_null=True, default=None)
    signal = serializers.UUIDField(required=False, allow_null=True, default=None)
    from_queue = serializers.BooleanField(required=False, default=False)
    criteria = CriteriaField(required=False, default=list)


class ScreeningSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    case_type = serializers.CharField()
    source = serializers.ChoiceField(choices=ScreeningSource.values)  # type: ignore[assignment]
    subject = serializers.CharField(allow_null=True, help_text="Pseudonym")
    signal = serializers.UUIDField(allow_null=True)
    organisation = serializers.CharField()
    criteria = CriterionSerializer(many=True)
    decision = serializers.CharField(allow_blank=True)
    reasoning = serializers.CharField(allow_blank=True)
    case = serializers.UUIDField(allow_null=True)


def _screening(screening: Screening) -> dict[str, Any]:
    case = Case.objects.filter(screening=screening).only("uuid").first()
    return {
        "uuid": str(screening.uuid),
        "case_type": screening.case_type.code,
        "source": screening.source,
        "subject": screening.subject.pseudonym if screening.subject else None,
        "signal": str(screening.signal.uuid) if screening.signal else None,
        "organisation": screening.nominating_organisation.slug,
        "criteria": [
            {"code": code, "met": bool(met)} for code, met in screening.criteria_met.items()
        ],
        "decision": screening.decision,
        "reasoning": screening.reasoning,
        "case": str(case.uuid) if case else None,
    }


class ScreeningCreateView(ApiView):
    @extend_schema(
        request=ScreeningCreateSerializer,
        responses={201: ScreeningSerializer, **problem_responses(400, 401, 404, 415)},
        operation_id="screening_create",
        summary="Nominate a subject or signal for screening against a case type",
    )
    def post(self, request: Request) -> Response:
        viewer = api_viewer(request)
        if not may_nominate_any(viewer):
            raise Http404
        values, errors = parse_leniently(ScreeningCreateSerializer(data=request.data))
        subject = signal = None
        if values.get("subject"):
            subject = access_subject(viewer, values["subject"], purpose="screening")
        elif values.get("signal"):
            signal = access_signal(viewer, values["signal"], purpose="screening")
        case_type = (
            selectors.case_type_by_code(viewer=viewer, code=values["case_type"])
            if values.get("case_type")
            else None
        )
        organisation = (
            Organisation.objects.filter(
                municipality_id=viewer.municipality_id, slug=values["organisation"]
            ).first()
            if values.get("organisation")
            else None
        )
        domain = services.check_screening(
            viewer=viewer,
            case_type=case_type,
            organisation=organisation,
            subject=subject,
            signal=signal,
            criteria_met=_criteria(values.get("criteria", [])) or {},
        )
        merged = merge_errors(errors, domain, ("case_type", "organisation", "source"))
        if merged:
            raise ValidationError(merged)
        source = (
            ScreeningSource.SIGNAL
            if signal is not None
            else (ScreeningSource.QUEUE if values["from_queue"] else ScreeningSource.SUBJECT)
        )
        screening = services.screening_create(
            viewer=viewer,
            case_type=case_type,
            organisation=organisation,
            source=source,
            subject=subject,
            signal=signal,
            criteria_met=_criteria(values["criteria"]),
        )
        return Response(_screening(screening), status=status.HTTP_201_CREATED)


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.values)
    reasoning = StrictCharField(max_length=services.TEXT_MAX)
    criteria = CriteriaField(required=False, allow_null=True, default=None)


class ScreeningDecisionView(ApiView):
    @extend_schema(
        request=DecisionSerializer,
        responses={200: ScreeningSerializer, **problem_responses(400, 401, 404, 415)},
        operation_id="screening_decide",
        summary="Decide a screening (regisseur): case, back to regular care, or no action",
    )
    def post(self, request: Request, uuid: str) -> Response:
        viewer = api_viewer(request)
        screening = access_screening(viewer, uuid)
        values, errors = parse_leniently(DecisionSerializer(data=request.data))
        criteria = _criteria(values.get("criteria"))
        if criteria is None:
            criteria = dict(screening.criteria_met)
        if "decision" in values or "reasoning" in values:
            domain = services.check_decision(
                viewer=viewer,
                screening=screening,
                decision=values.get("decision", ""),
                reasoning=values.get("reasoning", ""),
                criteria_met=criteria,
            )
            errors = merge_errors(errors, domain, ("decision", "reasoning", "criteria"))
        if errors:
            raise ValidationError(errors)
        screening = services.screening_decide(
            viewer=viewer,
            screening=screening,
            decision=values["decision"],
            reasoning=values["reasoning"],
            criteria_met=criteria,
        )
        return Response(_screening(screening))


class CaseCreateSerializer(serializers.Serializer):
    title = StrictCharField(max_length=services.TITLE_MAX)
    confidentiality = StrictCharField(
        max_length=20,
        default=Confidentiality.NORMAAL,
        help_text="`normaal` (break the glass possible) or `vertrouwelijk`",
    )


class ScreeningCaseView(ApiView):
    @extend_schema(
        request=CaseCreateSerializer,
        responses={201: CaseDetailSerializer, **problem_responses(400, 401, 404, 415)},
        operation_id="case_create",
        summary="Start the case of a screening decided 'casus' (regisseur)",
    )
    def post(self, request: Request, uuid: str) -> Response:
        viewer = api_viewer(request)
        screening = access_screening(viewer, uuid)
        values, errors = parse_leniently(CaseCreateSerializer(data=request.data))
        domain = services.check_case_from_screening(
            viewer=viewer,
            screening=screening,
            title=values.get("title", "xxx"),
            confidentiality=values.get("confidentiality", Confidentiality.NORMAAL),
        )
        merged = merge_errors(errors, domain, ("screening", "title"))
        if merged:
            raise ValidationError(merged)
        case = services.case_create_from_screening(
            viewer=viewer,
            screening=screening,
            title=values["title"],
            confidentiality=values["confidentiality"],
        )
        access = access_case(viewer, case.uuid)
        return Response(
            _detail(viewer, access),
            status=status.HTTP_201_CREATED,
            headers={"Location": f"/api/v1/cases/{case.uuid}"},
        )

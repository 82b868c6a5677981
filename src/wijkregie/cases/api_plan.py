"""REST API for plans of action, "my actions" and case meetings (/api/v1).

Same rules as the web pages: a plan exists only for the case's participants (404 for everyone
else, logged); pseudonymised viewers get no free text and no person names; an agenda item of
a case the viewer does not take part in is `closed` (besloten) with no content.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import timezone
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
from wijkregie.cases import meeting_services, plan_selectors, plan_services
from wijkregie.cases.access import (
    CaseAccess,
    access_action,
    access_case,
    access_meeting,
    is_chair,
    log_case_reads,
    may_update_action,
    reader_organisation_ids,
)
from wijkregie.cases.action_states import ActionStatus, GoalStatus
from wijkregie.cases.models import Action, Case, Goal, Meeting
from wijkregie.signals.api import api_viewer, iso_datetime
from wijkregie.tenants.access import Viewer
from wijkregie.tenants.models import Organisation, User

ACTION_STATUSES = [s.value for s in ActionStatus]
GOAL_STATUSES = [s.value for s in GoalStatus]


def _problem(exc: DjangoValidationError) -> ValidationError:
    """A service's ValidationError (every error at once) as the API's 400 problem."""
    found = exc.error_dict if hasattr(exc, "error_dict") else {"__all__": exc.error_list}
    return ValidationError(
        merge_errors({}, {name: DjangoValidationError(errors) for name, errors in found.items()})
    )


# --- serializers (schema) -----------------------------------------------------------------


class CaseGoalSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    life_domain = serializers.CharField(help_text="Life domain code")
    description = serializers.CharField(allow_null=True, help_text="Not for pseudonymised viewers")
    goal_status = serializers.ChoiceField(choices=GOAL_STATUSES)
    updated_at = serializers.DateTimeField()


class CaseActionNoteSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    username = serializers.CharField(allow_null=True, help_text="Not for pseudonymised viewers")
    organisation = serializers.CharField(allow_null=True, help_text="Organisation slug")
    from_status = serializers.CharField(allow_blank=True)
    to_status = serializers.CharField(allow_blank=True)
    text = serializers.CharField(allow_null=True, help_text="Not for pseudonymised viewers")


class CaseActionSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    case = serializers.UUIDField()
    case_reference = serializers.CharField()
    goal = serializers.UUIDField(allow_null=True)
    description = serializers.CharField(allow_null=True, help_text="Not for pseudonymised viewers")
    owner_organisation = serializers.CharField(help_text="Organisation slug")
    owner_user = serializers.CharField(
        allow_null=True, help_text="Username; not for pseudonymised viewers"
    )
    due_date = serializers.DateField()
    action_status = serializers.ChoiceField(choices=ACTION_STATUSES)
    overdue = serializers.BooleanField()
    may_update = serializers.BooleanField(help_text="Whether you may change status or add notes")
    updated_at = serializers.DateTimeField(help_text="Last change or note")
    notes = CaseActionNoteSerializer(many=True)


class CasePlanChangeSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    at = serializers.DateTimeField()
    kind = serializers.CharField()
    username = serializers.CharField(allow_null=True)


class CasePlanSerializer(serializers.Serializer):
    case = serializers.UUIDField()
    version = serializers.IntegerField(help_text="Number of changes so far")
    closed = serializers.BooleanField(help_text="Closed case: the plan is read-only")
    goals = CaseGoalSerializer(many=True)
    actions = CaseActionSerializer(many=True)
    history = CasePlanChangeSerializer(many=True)


class CaseMyActionsSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = CaseActionSerializer(many=True)


def _goal(goal: Goal, hide: bool) -> dict[str, Any]:
    return {
        "uuid": str(goal.uuid),
        "life_domain": goal.life_domain.code,
        "description": None if hide else goal.description,
        "goal_status": goal.status,
        "updated_at": iso_datetime(goal.updated_at),
    }


def _action(action: Action, hide: bool, may_update: bool) -> dict[str, Any]:
    return {
        "uuid": str(action.uuid),
        "case": str(action.case.uuid),
        "case_reference": action.case.reference,
        "goal": str(action.goal.uuid) if action.goal else None,
        "description": None if hide else action.description,
        "owner_organisation": action.owner_organisation.slug,
        "owner_user": None if hide or not action.owner_user else action.owner_user.username,
        "due_date": action.due_date.isoformat(),
        "action_status": action.status,
        "overdue": action.is_overdue(),
        "may_update": may_update,
        "updated_at": iso_datetime(action.updated_at),
        "notes": [
            {
                "at": iso_datetime(n.at),
                "username": None if hide else n.username,
                "organisation": n.organisation.slug if n.organisation else None,
                "from_status": n.from_status,
                "to_status": n.to_status,
                "text": None if hide else n.text,
            }
            for n in action.notes.all()
        ],
    }


def _plan(viewer: Viewer, access: CaseAccess) -> dict[str, Any]:
    page = plan_selectors.plan_page(viewer=viewer, access=access)
    hide = viewer.pseudonymised
    return {
        "case": str(access.case.uuid),
        "version": page.version,
        "closed": access.case.is_closed,
        "goals": [_goal(g, hide) for g in page.goals],
        "actions": [_action(r.action, hide, r.may_update) for r in page.actions],
        "history": [
            {
                "version": h.version,
                "at": iso_datetime(h.at),
                "kind": h.kind,
                "username": None if hide else h.username,
            }
            for h in page.history
        ],
    }


def _action_response(viewer: Viewer, access: CaseAccess, action: Action) -> dict[str, Any]:
    fresh = Action.objects.select_related("case", "owner_organisation", "owner_user", "goal").get(
        pk=action.pk
    )
    return _action(
        fresh,
        viewer.pseudonymised,
        may_update_action(viewer, access, fresh.owner_organisation_id),
    )


# --- plan ---------------------------------------------------------------------------------


class PlanView(ApiView):
    @extend_schema(
        responses={200: CasePlanSerializer, **problem_responses(401, 404)},
        operation_id="case_plan_read",
        summary="The plan of action of a case you take part in: goals, actions, history",
    )
    def get(self, request: Request, uuid: str) -> Response:
        viewer = api_viewer(request)
        access = access_case(viewer, uuid)
        return Response(_plan(viewer, access))


class CaseGoalCreateSerializer(serializers.Serializer):
    life_domain = StrictCharField(max_length=30, help_text="Life domain code")
    description = StrictCharField(max_length=plan_services.DESCRIPTION_MAX)


class GoalCreateView(ApiView):
    @extend_schema(
        request=CaseGoalCreateSerializer,
        responses={201: CaseGoalSerializer, **problem_responses(400, 401, 404, 415)},
        operation_id="case_goal_create",
        summary="Add a goal in a life domain (casusregisseur)",
    )
    def post(self, request: Request, uuid: str) -> Response:
        viewer = api_viewer(request)
        access = access_case(viewer, uuid, write=True)
        values, errors = parse_leniently(CaseGoalCreateSerializer(data=request.data))
        domain = (
            plan_selectors.life_domain_by_code(case=access.case, code=values["life_domain"])
            if values.get("life_domain")
            else None
        )
        found = plan_services.check_goal(
            access=access, life_domain=domain, description=values.get("description", "xxx")
        )
        merged = merge_errors(errors, found, ("case", "life_domain", "description"))
        if merged:
            raise ValidationError(merged)
        goal = plan_services.goal_add(
            viewer=viewer, access=access, life_domain=domain, description=values["description"]
        )
        return Response(_goal(goal, viewer.pseudonymised), status=status.HTTP_201_CREATED)


class CaseGoalUpdateSerializer(serializers.Serializer):
    goal_status = serializers.ChoiceField(choices=GOAL_STATUSES)
    description = StrictCharField(
        max_length=plan_services.DESCRIPTION_MAX, required=False, default=None
    )


class GoalUpdateView(ApiView):
    @extend_schema(
        request=CaseGoalUpdateSerializer,
        responses={200: CaseGoalSerializer, **problem_responses(400, 401, 404, 415)},
        operation_id="case_goal_update",
        summary="Change a goal's status or text (casusregisseur)",
    )
    def patch(self, request: Request, uuid: str, goal: str) -> Response:
        viewer = api_viewer(request)
        access = access_case(viewer, uuid, write=True)
        row = plan_selectors.goal_in_case(case=access.case, goal_uuid=goal)
        if row is None:
            raise Http404
        values, errors = parse_leniently(CaseGoalUpdateSerializer(data=request.data))
        found = plan_services.check_goal(
            access=access,
            life_domain=row.life_domain,
            description=values.get("description") or row.description,
            status=values.get("goal_status", row.status),
        )
        merged = merge_errors(errors, found, ("case", "goal_status", "description"))
        if merged:
            raise ValidationError(merged)
        updated = plan_services.goal_update(
            viewer=viewer,
            access=access,
            goal=row,
            status=values["goal_status"],
            description=values.get("description"),
        )
        return Response(_goal(updated, viewer.pseudonymised))


class CaseActionWriteSerializer(serializers.Serializer):
    description = StrictCharField(max_length=plan_services.DESCRIPTION_MAX)
    owner_organisation = StrictCharField(max_length=50, help_text="Organisation slug")
    owner_user = StrictCharField(
        max_length=150, required=False, allow_null=True, default=None, help_text="Username"
    )
    due_date = serializers.DateField()
    goal = serializers.UUIDField(required=False, allow_null=True, default=None)


def _action_inputs(
    case: Case, values: dict[str, Any]
) -> tuple[Organisation | None, User | None, Goal | None, dict[str, Any]]:
    errors: dict[str, Any] = {}
    org = (
        Organisation.objects.filter(
            municipality_id=case.municipality_id, slug=values["owner_organisation"]
        ).first()
        if values.get("owner_organisation")
        else None
    )
    user = None
    if values.get("owner_user"):
        user = User.objects.filter(
            municipality_id=case.municipality_id, username=values["owner_user"]
        ).first()
        if user is None:
            errors["owner_user"] = [
                serializers.ErrorDetail(
                    "De uitvoerder moet namens de eigenaar aan de casus deelnemen.",
                    "not_participant",
                )
            ]
    goal = None
    if values.get("goal"):
        goal = plan_selectors.goal_in_case(case=case, goal_uuid=values["goal"])
        if goal is None:
            errors["goal"] = [serializers.ErrorDetail("Kies een doel van deze casus.", "invalid")]
    return org, user, goal, errors


ACTION_ORDER = ("case", "description", "owner_organisation", "owner_user", "due_date", "goal")


class ActionCreateView(ApiView):
    @extend_schema(
        request=CaseActionWriteSerializer,
        responses={201: CaseActionSerializer, **problem_responses(400, 401, 404, 415)},
        operation_id="case_action_create",
        summary="Add an action to the plan (casusregisseur); the owner organisation must take "
        "part in the case",
    )
    def post(self, request: Request, uuid: str) -> Response:
        viewer = api_viewer(request)
        access = access_case(viewer, uuid, write=True)
        values, errors = parse_leniently(CaseActionWriteSerializer(data=request.data))
        org, user, goal, lookup_errors = _action_inputs(access.case, values)
        found = plan_services.check_action(
            access=access,
            description=values.get("description", "xxx"),
            owner_organisation=org,
            owner_user=user,
            due_date=values.get("due_date", dt.date.max),
            goal=goal,
        )
        merged = merge_errors({**lookup_errors, **errors}, found, ACTION_ORDER)
        if merged:
            raise ValidationError(merged)
        action = plan_services.action_add(
            viewer=viewer,
            access=access,
            description=values["description"],
            owner_organisation=org,
            owner_user=user,
            due_date=values["due_date"],
            goal=goal,
        )
        return Response(
            _action_response(viewer, access, action),
            status=status.HTTP_201_CREATED,
            headers={"Location": f"/api/v1/actions/{action.uuid}"},
        )


class ActionDetailView(ApiView):
    @extend_schema(
        responses={200: CaseActionSerializer, **problem_responses(401, 404)},
        operation_id="action_read",
        summary="One action of a case you take part in, with its progress notes",
    )
    def get(self, request: Request, uuid: str) -> Response:
        viewer = api_viewer(request)
        access, action = access_action(viewer, uuid)
        return Response(_action_response(viewer, access, action))

    @extend_schema(
        request=CaseActionWriteSerializer,
        responses={200: CaseActionSerializer, **problem_responses(400, 401, 404, 415)},
        operation_id="action_update",
        summary="Edit an action: text, owner, person, due date, goal (casusregisseur)",
    )
    def patch(self, request: Request, uuid: str) -> Response:
        viewer = api_viewer(request)
        access, action = access_action(viewer, uuid, write=True)
        current = {
            "description": action.description,
            "owner_organisation": action.owner_organisation.slug,
            "owner_user": action.owner_user.username if action.owner_user else None,
            "due_date": action.due_date.isoformat(),
            "goal": str(action.goal.uuid) if action.goal else None,
        }
        data = request.data if isinstance(request.data, dict) else {}
        values, errors = parse_leniently(CaseActionWriteSerializer(data={**current, **data}))
        org, user, goal, lookup_errors = _action_inputs(access.case, values)
        found = plan_services.check_action(
            access=access,
            description=values.get("description", "xxx"),
            owner_organisation=org,
            owner_user=user,
            due_date=values.get("due_date", dt.date.max),
            goal=goal,
            due_unchanged=values.get("due_date") == action.due_date,
        )
        merged = merge_errors({**lookup_errors, **errors}, found, ACTION_ORDER)
        if merged:
            raise ValidationError(merged)
        plan_services.action_update(
            viewer=viewer,
            access=access,
            action=action,
            description=values["description"],
            owner_organisation=org,
            owner_user=user,
            due_date=values["due_date"],
            goal=goal,
        )
        return Response(_action_response(viewer, access, action))


class CaseProgressSerializer(serializers.Serializer):
    action_status = serializers.ChoiceField(
        choices=ACTION_STATUSES, required=False, allow_blank=True, default=""
    )
    note = StrictCharField(
        max_length=plan_services.NOTE_MAX, required=False, allow_blank=True, default=""
    )


class ActionProgressView(ApiView):
    @extend_schema(
        request=CaseProgressSerializer,
        responses={200: CaseActionSerializer, **problem_responses(400, 401, 404, 415)},
        operation_id="action_progress",
        summary="Change an action's status and/or add a progress note (owner organisation's "
        "participants, also observers, or the casusregisseur)",
    )
    def post(self, request: Request, uuid: str) -> Response:
        viewer = api_viewer(request)
        access, action = access_action(viewer, uuid, write=True)
        values, errors = parse_leniently(CaseProgressSerializer(data=request.data))
        found = plan_services.check_progress(
            viewer=viewer,
            access=access,
            action=action,
            status=values.get("action_status", ""),
            note=values.get("note", ""),
        )
        found = {("action_status" if k == "status" else k): v for k, v in found.items()}
        merged = merge_errors(errors, found, ("case", "action", "action_status", "note"))
        if merged:
            raise ValidationError(merged)
        plan_services.action_progress(
            viewer=viewer,
            access=access,
            action=action,
            status=values["action_status"],
            note=values["note"],
        )
        return Response(_action_response(viewer, access, action))


class MyActionsView(ApiView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "all", OpenApiTypes.BOOL, description="Also done and cancelled actions"
            )
        ],
        responses={200: CaseMyActionsSerializer, **problem_responses(401, 404)},
        operation_id="my_actions",
        summary="Actions of your organisation in cases you take part in for it (open cases)",
    )
    def get(self, request: Request) -> Response:
        viewer = api_viewer(request)
        if not reader_organisation_ids(viewer):
            raise Http404
        show_all = request.query_params.get("all") in ("1", "true")
        actions = plan_selectors.my_actions(viewer=viewer, active_only=not show_all)
        log_case_reads(viewer, [str(a.case.uuid) for a in actions], detail="mijn-acties")
        return Response(
            {"count": len(actions), "results": [_action(a, False, True) for a in actions]}
        )


# --- meetings -----------------------------------------------------------------------------


class CaseMeetingSummarySerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    title = serializers.CharField()
    date = serializers.DateField()
    chair = serializers.CharField()
    minutes_approved_at = serializers.DateTimeField(allow_null=True)


class CaseMeetingDecisionEntrySerializer(serializers.Serializer):
    text = serializers.CharField(allow_null=True, help_text="Not for pseudonymised viewers")
    decided_by = serializers.CharField(allow_null=True)
    decided_by_organisation = serializers.CharField()
    recorded_by = serializers.CharField(allow_null=True)
    recorded_at = serializers.DateTimeField()
    addendum = serializers.BooleanField()
    action = serializers.UUIDField(allow_null=True)


class CaseAgendaItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    closed = serializers.BooleanField(help_text="Besloten: you do not take part; no content")
    case = serializers.UUIDField(allow_null=True)
    case_reference = serializers.CharField(allow_null=True)
    screening = serializers.UUIDField(allow_null=True)
    reasons = serializers.ListField(child=serializers.CharField())
    decisions = CaseMeetingDecisionEntrySerializer(many=True)


class CaseAttendeeSerializer(serializers.Serializer):
    username = serializers.CharField()
    organisation = serializers.CharField()


class CaseMeetingSerializer(CaseMeetingSummarySerializer):
    attendees = CaseAttendeeSerializer(many=True)
    agenda = CaseAgendaItemSerializer(many=True)


class CaseMeetingListSerializer(serializers.Serializer):
    results = CaseMeetingSummarySerializer(many=True)


def _meeting_summary(meeting: Meeting) -> dict[str, Any]:
    return {
        "uuid": str(meeting.uuid),
        "title": meeting.title,
        "date": meeting.date.isoformat(),
        "chair": meeting.chair.username,
        "minutes_approved_at": iso_datetime(meeting.minutes_approved_at),
    }


def _meeting(viewer: Viewer, meeting: Meeting) -> dict[str, Any]:
    page = plan_selectors.meeting_page(viewer=viewer, meeting=meeting)
    log_case_reads(viewer, page.shown_case_uuids, detail="agenda")
    hide = viewer.pseudonymised
    origins = dict(
        Action.objects.filter(
            origin_decision__in=[d.pk for e in page.entries for d in e.decisions]
        ).values_list("origin_decision_id", "uuid")
    )
    agenda = []
    for e in page.entries:
        agenda.append(
            {
                "id": e.item.pk,
                "position": e.item.position,
                "closed": not e.visible,
                "case": str(e.case.uuid) if e.case else None,
                "case_reference": e.case.reference if e.case else None,
                "screening": str(e.screening.uuid) if e.screening else None,
                "reasons": list(e.item.reasons) if e.visible else [],
                "decisions": [
                    {
                        "text": None if hide else d.text,
                        "decided_by": None if hide else d.decided_by_name,
                        "decided_by_organisation": d.decided_by_organisation.slug,
                        "recorded_by": None if hide else d.recorded_by_name,
                        "recorded_at": iso_datetime(d.recorded_at),
                        "addendum": d.is_addendum,
                        "action": str(origins[d.pk]) if d.pk in origins else None,
                    }
                    for d in e.decisions
                ],
            }
        )
    return {
        **_meeting_summary(meeting),
        "attendees": [
            {"username": a.user.username, "organisation": a.organisation.slug}
            for a in page.attendees
        ],
        "agenda": agenda,
    }


class CaseMeetingCreateSerializer(serializers.Serializer):
    title = StrictCharField(max_length=meeting_services.TITLE_MAX)
    date = serializers.DateField()


class MeetingListView(ApiView):
    @extend_schema(
        responses={200: CaseMeetingListSerializer, **problem_responses(401, 404)},
        operation_id="meeting_list",
        summary="Case meetings you chair or attend, newest first",
    )
    def get(self, request: Request) -> Response:
        viewer = api_viewer(request)
        if not reader_organisation_ids(viewer):
            raise Http404
        meetings = plan_selectors.visible_meetings(viewer=viewer)[:200]
        return Response({"results": [_meeting_summary(m) for m in meetings]})

    @extend_schema(
        request=CaseMeetingCreateSerializer,
        responses={201: CaseMeetingSerializer, **problem_responses(400, 401, 404, 415)},
        operation_id="meeting_create",
        summary="Convene a case meeting (regisseur; you chair it)",
    )
    def post(self, request: Request) -> Response:
        viewer = api_viewer(request)
        if not reader_organisation_ids(viewer):
            raise Http404
        values, errors = parse_leniently(CaseMeetingCreateSerializer(data=request.data))
        found = meeting_services.check_meeting(
            viewer=viewer,
            title=values.get("title", "xxx"),
            date=values.get("date", timezone.localdate()),
        )
        merged = merge_errors(errors, found, ("meeting", "title", "date"))
        if merged:
            raise ValidationError(merged)
        meeting = meeting_services.meeting_create(
            viewer=viewer, title=values["title"], date=values["date"]
        )
        return Response(
            _meeting(viewer, meeting),
            status=status.HTTP_201_CREATED,
            headers={"Location": f"/api/v1/meetings/{meeting.uuid}"},
        )


class MeetingDetailView(ApiView):
    @extend_schema(
        responses={200: CaseMeetingSerializer, **problem_responses(401, 404)},
        operation_id="meeting_read",
        summary="A meeting with attendees, agenda and minutes; items of cases you do not take "
        "part in are closed (besloten)",
    )
    def get(self, request: Request, uuid: str) -> Response:
        viewer = api_viewer(request)
        return Response(_meeting(viewer, access_meeting(viewer, uuid)))


def _chair(request: Request, uuid: str) -> tuple[Viewer, Meeting]:
    viewer = api_viewer(request)
    meeting = access_meeting(viewer, uuid)
    if not is_chair(viewer, meeting):
        raise Http404
    return viewer, meeting


class CaseAttendeeCreateSerializer(serializers.Serializer):
    username = StrictCharField(max_length=150)
    organisation = StrictCharField(max_length=50, help_text="Organisation slug")


class MeetingAttendeesView(ApiView):
    @extend_schema(
        request=CaseAttendeeCreateSerializer,
        responses={200: CaseMeetingSerializer, **problem_responses(400, 401, 404, 415)},
        operation_id="meeting_attendee_add",
        summary="Add an attendee (chair)",
    )
    def post(self, request: Request, uuid: str) -> Response:
        viewer, meeting = _chair(request, uuid)
        values = CaseAttendeeCreateSerializer(data=request.data)
        values.is_valid(raise_exception=True)
        data = values.validated_data
        try:
            meeting_services.attendee_add(
                viewer=viewer,
                meeting=meeting,
                user=User.objects.filter(
                    municipality_id=viewer.municipality_id, username=data["username"]
                ).first(),
                organisation=Organisation.objects.filter(
                    municipality_id=viewer.municipality_id, slug=data["organisation"]
                ).first(),
            )
        except DjangoValidationError as exc:
            raise _problem(exc) from None
        return Response(_meeting(viewer, meeting))


class MeetingAgendaView(ApiView):
    @extend_schema(
        request=None,
        responses={200: CaseMeetingSerializer, **problem_responses(400, 401, 404)},
        operation_id="meeting_agenda_generate",
        summary="Generate or refresh the agenda (chair): cases due, cases with overdue actions, "
        "screenings awaiting a decision",
    )
    def post(self, request: Request, uuid: str) -> Response:
        viewer, meeting = _chair(request, uuid)
        try:
            meeting_services.agenda_generate(viewer=viewer, meeting=meeting)
        except DjangoValidationError as exc:
            raise _problem(exc) from None
        return Response(_meeting(viewer, meeting))


class CaseNewActionSerializer(serializers.Serializer):
    description = StrictCharField(max_length=plan_services.DESCRIPTION_MAX)
    owner_organisation = StrictCharField(max_length=50, help_text="Organisation slug")
    owner_user = StrictCharField(max_length=150, required=False, allow_null=True, default=None)
    due_date = serializers.DateField()


class CaseMeetingDecisionCreateSerializer(serializers.Serializer):
    text = StrictCharField(max_length=2000)
    decided_by = StrictCharField(max_length=150, help_text="Username of the chair or an attendee")
    decided_by_organisation = StrictCharField(max_length=50, help_text="Their organisation (slug)")
    action = CaseNewActionSerializer(required=False, allow_null=True, default=None)


class MeetingDecisionView(ApiView):
    @extend_schema(
        request=CaseMeetingDecisionCreateSerializer,
        responses={201: CaseMeetingSerializer, **problem_responses(400, 401, 404, 415)},
        operation_id="meeting_decision_create",
        summary="Record a decision on an agenda item (chair), optionally with a new action in "
        "the case's plan; after approval only addenda",
    )
    def post(self, request: Request, uuid: str, item: str) -> Response:
        viewer, meeting = _chair(request, uuid)
        row = plan_selectors.agenda_item_in_meeting(meeting=meeting, item_id=item)
        page = plan_selectors.meeting_page(viewer=viewer, meeting=meeting)
        if row is None or not any(e.item.pk == row.pk and e.visible for e in page.entries):
            raise Http404
        values, errors = parse_leniently(CaseMeetingDecisionCreateSerializer(data=request.data))
        deciders = {v for v, _label in meeting_services.decider_choices(meeting)}
        user = User.objects.filter(
            municipality_id=viewer.municipality_id, username=values.get("decided_by", "")
        ).first()
        org = Organisation.objects.filter(
            municipality_id=viewer.municipality_id,
            slug=values.get("decided_by_organisation", ""),
        ).first()
        decided_by = f"{user.pk}:{org.pk}" if user and org else ""
        decided_by = decided_by if decided_by in deciders else ""
        new_action = None
        lookup: dict[str, Any] = {}
        if values.get("action") and row.case is not None:
            a = values["action"]
            a_org, a_user, _goal, found_lookup = _action_inputs(row.case, {**a, "goal": None})
            lookup = {f"action_{k}": v for k, v in found_lookup.items()}
            new_action = meeting_services.NewAction(
                description=a["description"],
                owner_organisation=a_org,
                owner_user=a_user,
                due_date=a["due_date"],
            )
        found = meeting_services.check_decision(
            viewer=viewer,
            meeting=meeting,
            item=row,
            text=values.get("text", "xxx"),
            decided_by=decided_by,
            new_action=new_action,
            addendum=meeting.is_approved,
        )
        merged = merge_errors({**lookup, **errors}, found, ("meeting", "text", "decided_by"))
        if merged:
            raise ValidationError(merged)
        meeting_services.decision_record(
            viewer=viewer,
            meeting=meeting,
            item=row,
            text=values["text"],
            decided_by=decided_by,
            new_action=new_action,
            addendum=meeting.is_approved,
        )
        return Response(_meeting(viewer, meeting), status=status.HTTP_201_CREATED)


class MeetingApprovalView(ApiView):
    @extend_schema(
        request=None,
        responses={200: CaseMeetingSerializer, **problem_responses(400, 401, 404)},
        operation_id="meeting_minutes_approve",
        summary="Approve the minutes (chair); afterwards they are final, only addenda follow",
    )
    def post(self, request: Request, uuid: str) -> Response:
        viewer, meeting = _chair(request, uuid)
        try:
            meeting = meeting_services.minutes_approve(viewer=viewer, meeting=meeting)
        except DjangoValidationError as exc:
            raise _problem(exc) from None
        return Response(_meeting(viewer, meeting))

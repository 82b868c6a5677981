"""REST API of the notifications (/api/v1/notifications): the caller's own only."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from wijkregie.api.schema import problem_responses
from wijkregie.api.views import ApiView
from wijkregie.notifications import selectors, services
from wijkregie.notifications.models import Notification
from wijkregie.signals.api import api_viewer, iso_datetime


class NotificationSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    kind = serializers.CharField()
    message = serializers.CharField(help_text="Never the content of a case (a case number at most)")
    link = serializers.CharField(help_text="Web page; it applies its own access check")
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)


class NotificationListSerializer(serializers.Serializer):
    unread = serializers.IntegerField()
    results = NotificationSerializer(many=True, help_text=f"At most {selectors.LIST_LIMIT}")


class ReadAllSerializer(serializers.Serializer):
    marked = serializers.IntegerField()


def _row(n: Notification) -> dict[str, Any]:
    return {
        "uuid": str(n.uuid),
        "kind": n.kind,
        "message": n.message,
        "link": n.link,
        "created_at": iso_datetime(n.created_at),
        "read_at": iso_datetime(n.read_at),
    }


class NotificationListView(ApiView):
    @extend_schema(
        parameters=[OpenApiParameter("unread", OpenApiTypes.BOOL, description="Unread only")],
        responses={200: NotificationListSerializer, **problem_responses(401, 404)},
        operation_id="notification_list",
        summary="Your own notifications, newest first",
    )
    def get(self, request: Request) -> Response:
        viewer = api_viewer(request)
        unread_only = request.query_params.get("unread", "") in {"1", "true"}
        rows = selectors.my_notifications(user=viewer.user, unread_only=unread_only)
        return Response(
            {
                "unread": selectors.unread_count(user=viewer.user),
                "results": [_row(n) for n in rows[: selectors.LIST_LIMIT]],
            }
        )


class NotificationReadView(ApiView):
    @extend_schema(
        request=None,
        responses={200: NotificationSerializer, **problem_responses(401, 404)},
        operation_id="notification_read",
        summary="Mark one of your notifications as read (idempotent)",
    )
    def post(self, request: Request, uuid: str) -> Response:
        viewer = api_viewer(request)
        row = selectors.access_notification(user=viewer.user, uuid=uuid)
        services.mark_read(user=viewer.user, notification=row)
        row.refresh_from_db()
        return Response(_row(row))


class NotificationReadAllView(ApiView):
    @extend_schema(
        request=None,
        responses={200: ReadAllSerializer, **problem_responses(401, 404)},
        operation_id="notification_read_all",
        summary="Mark all your notifications as read",
    )
    def post(self, request: Request) -> Response:
        viewer = api_viewer(request)
        return Response({"marked": services.mark_all_read(user=viewer.user)})

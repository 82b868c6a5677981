"""Reads of notifications: always the viewer's own."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from wijkregie.notifications.models import Notification

LIST_LIMIT = 200


def my_notifications(*, user: Any, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(user_id=user.pk)
    if unread_only:
        qs = qs.filter(read_at=None)
    return qs.order_by("-created_at", "-id")


def unread_count(*, user: Any) -> int:
    return Notification.objects.filter(user_id=user.pk, read_at=None).count()


def access_notification(*, user: Any, uuid: object) -> Notification:
    """The user's own notification, else 404 (someone else's and missing alike)."""
    import uuid as uuidlib

    try:
        parsed = uuidlib.UUID(str(uuid))
    except ValueError:
        raise Http404 from None
    row = Notification.objects.filter(uuid=parsed, user_id=user.pk).first()
    if row is None:
        raise Http404
    return row

"""Writes for notifications: create (in-app row + e-mail on commit) and mark as read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from wijkregie.notifications.models import Notification

MESSAGE_MAX = 300


def notify(
    *,
    users: Iterable[Any],
    municipality_id: int,
    kind: str,
    message: str,
    link: str = "",
    email: bool = True,
    now: dt.datetime | None = None,
) -> list[Notification]:
    """One notification per distinct active user; e-mails are queued once the transaction
    commits (django-tasks), so a rolled-back job sends nothing."""
    at = now or timezone.now()
    seen: set[int] = set()
    rows: list[Notification] = []
    for user in users:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        rows.append(
            Notification.objects.create(
                municipality_id=municipality_id,
                user=user,
                kind=kind,
                message=message[:MESSAGE_MAX],
                link=link,
                created_at=at,
            )
        )
    if email:
        ids = [n.pk for n in rows if n.user.email]
        if ids:
            from wijkregie.notifications.tasks import send_notification_emails

            transaction.on_commit(lambda: send_notification_emails.enqueue(ids))
    return rows


def mark_read(*, user: Any, notification: Notification, now: dt.datetime | None = None) -> None:
    if notification.user_id != user.pk:  # the access check found it; defend anyway
        return
    Notification.objects.filter(pk=notification.pk, read_at=None).update(
        read_at=now or timezone.now()
    )


def mark_all_read(*, user: Any, now: dt.datetime | None = None) -> int:
    return Notification.objects.filter(user_id=user.pk, read_at=None).update(
        read_at=now or timezone.now()
    )

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from wijkregie.notifications.selectors import unread_count


def unread(request: HttpRequest) -> dict[str, Any]:
    """The number of unread notifications for the navigation (one indexed COUNT)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.municipality_id is None:
        return {"unread_notifications": 0}
    return {"unread_notifications": unread_count(user=user)}

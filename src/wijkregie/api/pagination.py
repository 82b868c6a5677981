from __future__ import annotations

from django.conf import settings
from rest_framework.pagination import CursorPagination


class SignalCursorPagination(CursorPagination):
    """Keyset pagination: constant cost per page, no COUNT over a million rows."""

    ordering = ("-observed_at", "-id")
    page_size = settings.SIGNAL_PAGE_SIZE
    page_size_query_param = "pageSize"
    max_page_size = 200

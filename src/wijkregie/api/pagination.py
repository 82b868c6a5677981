from __future__ import annotations

import base64

from django.conf import settings
from django.utils.dateparse import parse_datetime
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.request import Request

INVALID_CURSOR = "Ongeldige cursor: gebruik de link uit `next` of `previous`."


def _positive_int(raw: str | None) -> int | None:
    if raw and raw.isascii() and raw.isdigit() and int(raw) >= 1:
        return int(raw)
    return None


def page_size_errors(request: Request, param: str = "pageSize") -> dict[str, str]:
    """pageSize must be a positive integer; above the maximum it is capped, not refused."""
    raw = request.query_params.get(param)
    if raw is None or raw == "" or _positive_int(raw) is not None:
        return {}
    return {param: "Geef als paginagrootte een geheel getal van 1 of meer op."}


class SignalCursorPagination(CursorPagination):
    """Keyset pagination: constant cost per page, no COUNT over a million rows."""

    ordering = ("-observed_at", "-id")
    page_size = settings.SIGNAL_PAGE_SIZE
    page_size_query_param = "pageSize"
    max_page_size = 200
    invalid_cursor_message = INVALID_CURSOR

    def get_page_size(self, request: Request) -> int:
        size = _positive_int(request.query_params.get(self.page_size_query_param or ""))
        return min(size, self.max_page_size) if size is not None else self.page_size

    def decode_cursor(self, request: Request) -> Cursor | None:
        """A broken or forged cursor is invalid input (400), not a missing page (404)."""
        encoded = request.query_params.get(self.cursor_query_param)
        try:
            if encoded is not None:
                # DRF's decoder skips characters outside the alphabet; garbage must not pass.
                base64.b64decode(encoded.encode("ascii"), validate=True)
            cursor = super().decode_cursor(request)
        except (NotFound, ValueError) as exc:
            raise ValidationError({"cursor": [INVALID_CURSOR]}) from exc
        position = cursor.position if cursor is not None else None
        if position is not None and parse_datetime(str(position)) is None:
            raise ValidationError({"cursor": [INVALID_CURSOR]})
        return cursor

"""RFC 9457 problem details for every API error, with all validation errors at once."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.fields import get_error_detail
from rest_framework.response import Response
from rest_framework.views import exception_handler

from wijkregie.api.renderers import to_camel

PROBLEM_CONTENT_TYPE = "application/problem+json"

TITLES = {
    400: "Ongeldige invoer.",
    401: "Niet geauthenticeerd.",
    403: "Geen toegang.",
    404: "Niet gevonden.",
    405: "Methode niet toegestaan.",
    406: "Niet acceptabel.",
    413: "Verzoek te groot.",
    415: "Mediatype niet ondersteund.",
    429: "Te veel verzoeken.",
    500: "Interne fout.",
}

NOT_FOUND_DETAIL = "De gevraagde resource bestaat niet of is niet voor u beschikbaar."
INVALID_DETAIL = "De invoer is ongeldig; zie invalidParams voor alle fouten."
# For error responses that Django (not DRF) produced under /api: a fixed Dutch text per status.
DEFAULT_DETAILS = {
    400: "Het verzoek is ongeldig.",
    403: "U heeft geen toegang tot deze resource.",
    404: NOT_FOUND_DETAIL,
    405: "Deze methode is niet toegestaan voor deze resource.",
    413: "Het verzoek is te groot.",
    500: "Er is een interne fout opgetreden. De fout is gelogd.",
}


def _flatten(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    """DRF error detail -> [{name, code, reason}] with camelCase dotted names."""
    params: list[dict[str, str]] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = to_camel(str(key)) if key != "non_field_errors" else "nonFieldErrors"
            params.extend(_flatten(value, f"{prefix}.{name}" if prefix else name))
    elif isinstance(detail, list):
        if all(not isinstance(v, dict | list) for v in detail):
            for value in detail:
                params.append(
                    {
                        "name": prefix or "nonFieldErrors",
                        "code": getattr(value, "code", "invalid"),
                        "reason": str(value),
                    }
                )
        else:
            for index, value in enumerate(detail):
                params.extend(_flatten(value, f"{prefix}.{index}" if prefix else str(index)))
    else:
        params.append(
            {
                "name": prefix or "nonFieldErrors",
                "code": getattr(detail, "code", "invalid"),
                "reason": str(detail),
            }
        )
    return params


def problem(status_code: int, detail: str, instance: str = "", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": f"https://datatracker.ietf.org/doc/html/rfc9110#status.{status_code}",
        "title": TITLES.get(status_code, "Fout."),
        "status": status_code,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update(extra)
    return body


def _as_drf(exc: Exception) -> Exception:
    if isinstance(exc, DjangoValidationError):
        detail = get_error_detail(exc)
        return exceptions.ValidationError(
            detail if isinstance(detail, dict) else {"non_field_errors": detail}
        )
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, exceptions.PermissionDenied) and str(exc.detail).startswith("CSRF Failed"):
        # DRF's session authentication words this in English.
        return exceptions.PermissionDenied(
            "CSRF-controle mislukt: stuur het X-CSRFToken-header mee of gebruik een API-token."
        )
    return exc


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    exc = _as_drf(exc)
    response = exception_handler(exc, context)
    if response is None:
        return None
    request = context.get("request")
    instance = request.path if request is not None else ""
    code = response.status_code
    if isinstance(exc, exceptions.ValidationError):
        body = problem(code, INVALID_DETAIL, instance, invalidParams=_flatten(exc.detail))
    elif code == status.HTTP_404_NOT_FOUND:
        # Missing and forbidden look the same: nothing in the body tells them apart.
        body = problem(code, NOT_FOUND_DETAIL, instance)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        body = problem(code, str(detail), instance)
    response.data = body
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


def problem_response(request: HttpRequest, status_code: int, detail: str = "") -> JsonResponse:
    """For responses made outside DRF under /api (unknown paths, unhandled errors)."""
    return JsonResponse(
        problem(
            status_code,
            detail or DEFAULT_DETAILS.get(status_code, TITLES.get(status_code, "Fout.")),
            request.path,
        ),
        status=status_code,
        content_type=PROBLEM_CONTENT_TYPE,
    )

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core import signals
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from django.utils.log import log_response

from wijkregie.api.problems import PROBLEM_CONTENT_TYPE, problem_response

API_LANGUAGE = "nl"


def is_api_path(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


class ApiVersionMiddleware:
    """Under /api: `API-Version` on every response, Dutch texts, and every error as problem+json.

    Must stay the innermost middleware, so that it sees the 404 of an unknown path (including
    trailing-slash variants of API URLs: there is no redirect) before Django renders HTML.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_api_path(request.path):
            return self.get_response(request)
        # One language for the whole API: domain messages are Dutch, so framework ones are too.
        with translation.override(API_LANGUAGE):
            response = self.get_response(request)
            content_type = response.get("Content-Type", "")
            if response.status_code >= 400 and not content_type.startswith(
                (PROBLEM_CONTENT_TYPE, "application/json")
            ):
                response = problem_response(request, response.status_code)
        response["API-Version"] = settings.API_VERSION
        response["Content-Language"] = API_LANGUAGE
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """An unhandled error in an API view: logged like Django does, answered as a problem."""
        if not is_api_path(request.path) or isinstance(
            exception, Http404 | PermissionDenied | BadRequest | SuspiciousOperation
        ):
            # Django answers these with a 4xx page, which __call__ turns into a problem.
            return None
        response = problem_response(request, 500)
        # Same hooks as Django's own 500 handling (error reporting; the test client re-raises).
        signals.got_request_exception.send(sender=None, request=request)
        log_response(
            "%s: %s",
            "Internal Server Error",
            request.path,
            response=response,
            request=request,
            exception=exception,
        )
        return response

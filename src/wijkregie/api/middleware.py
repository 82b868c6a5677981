from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from wijkregie.api.problems import problem_response


class ApiVersionMiddleware:
    """Adds `API-Version` to every /api response; unknown API paths answer problem+json 404."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith("/api/"):
            if response.status_code == 404 and not response.get("Content-Type", "").startswith(
                ("application/problem+json", "application/json")
            ):
                response = problem_response(
                    request,
                    404,
                    "De gevraagde resource bestaat niet of is niet voor u beschikbaar.",
                )
            response["API-Version"] = settings.API_VERSION
        return response

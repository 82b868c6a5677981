"""A view that fails while handling personal data (for the log filter tests only)."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from wijkregie import urls

logger = logging.getLogger("wijkregie.tests.raising")


@csrf_exempt
def failing_intake(request: HttpRequest) -> HttpResponse:
    data = request.POST.dict()
    surname = data["achternaam"]
    # Careless code: an unlabelled name and a BSN in a log line, and all input in an error.
    logger.warning("Verwerken van %s (%s) mislukt", surname, data["bsn"])
    raise ValueError(f"Kan melding niet verwerken: {data}")


urlpatterns = [path("kapot/", failing_intake), *urls.urlpatterns]

"""The base class of every /api/v1 view."""

from __future__ import annotations

from rest_framework.views import APIView

from wijkregie.api.parsers import StrictCamelCaseJSONParser
from wijkregie.api.renderers import CamelCaseJSONRenderer


class ApiView(APIView):
    """JSON only (no forms, no browsable HTML); errors are rendered as problem+json."""

    parser_classes = [StrictCamelCaseJSONParser]
    renderer_classes = [CamelCaseJSONRenderer]

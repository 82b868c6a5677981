"""OpenAPI: our token authentication as a security scheme, and the problem+json responses."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from wijkregie.api.problems import PROBLEM_CONTENT_TYPE, TITLES


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "wijkregie.tenants.auth.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "`Token <secret>`. A partner system uses an organisation token, made and revoked "
                "by the functioneel beheerder on the page API-tokens (or `wijkregie create-token "
                "--organisation SLUG`); a personal token comes from `wijkregie create-token "
                "USERNAME`."
            ),
        }


class InvalidParamSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="Field or query parameter, camelCase, dotted if nested")
    code = serializers.CharField(help_text="Stable machine-readable code, e.g. `required`")
    reason = serializers.CharField(help_text="Explanation in Dutch")


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details."""

    type = serializers.URLField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    instance = serializers.CharField(required=False)
    invalid_params = InvalidParamSerializer(
        many=True, required=False, help_text="Every validation error at once (400 only)"
    )


def problem_responses(*codes: int) -> dict[Any, Any]:
    """`responses` entries for extend_schema: the given statuses as application/problem+json."""
    return {
        (code, PROBLEM_CONTENT_TYPE): OpenApiResponse(
            ProblemSerializer, description=TITLES.get(code, "")
        )
        for code in codes
    }

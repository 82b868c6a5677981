"""The published OpenAPI document: valid OpenAPI 3, complete, and true to the conventions."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import URLPattern
from openapi_spec_validator import validate
from rest_framework.test import APIClient

from wijkregie.api import urls as api_urls
from wijkregie.api.tests.helpers import body

SCHEMA_URL = "/api/v1/openapi.json"


@pytest.fixture
def schema(db: None) -> dict[str, Any]:
    # Public: a client can read the contract before it has a token.
    response = APIClient().get(SCHEMA_URL)
    assert response.status_code == 200
    assert response["API-Version"]
    data: dict[str, Any] = body(response)
    return data


def test_schema_is_valid_openapi_3(schema: dict[str, Any]) -> None:
    assert schema["openapi"].startswith("3.")
    validate(schema)  # raises on any violation of the OpenAPI 3 specification


def api_paths() -> list[str]:
    """Every route in api/urls.py as an OpenAPI path template."""
    paths = []
    for pattern in api_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        route = str(pattern.pattern)
        paths.append("/api/v1/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route))
    return paths


def test_every_url_is_documented(schema: dict[str, Any]) -> None:
    documented = set(schema["paths"])
    expected = {path for path in api_paths() if path != SCHEMA_URL}
    assert expected <= documented
    assert documented <= expected


def test_no_trailing_slashes(schema: dict[str, Any]) -> None:
    assert schema["paths"]
    assert not [path for path in schema["paths"] if path.endswith("/")]


def test_token_and_session_security_schemes(schema: dict[str, Any]) -> None:
    schemes = schema["components"]["securitySchemes"]
    assert schemes["tokenAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": schemes["tokenAuth"]["description"],
    }
    assert "Token <secret>" in schemes["tokenAuth"]["description"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert {"tokenAuth": []} in operation["security"], (path, method)


def test_schema_uses_camel_case_names(schema: dict[str, Any]) -> None:
    create = schema["components"]["schemas"]["SignalCreate"]["properties"]
    assert {"ownerOrganisation", "observedAt", "sourceChannel"} <= set(create)
    assert "invalidParams" in schema["components"]["schemas"]["Problem"]["properties"]


def test_errors_are_documented_as_problem_json(schema: dict[str, Any]) -> None:
    create = schema["paths"]["/api/v1/signals"]["post"]["responses"]
    assert set(create["400"]["content"]) == {"application/problem+json"}
    assert create["400"]["content"]["application/problem+json"]["schema"] == {
        "$ref": "#/components/schemas/Problem"
    }
    detail = schema["paths"]["/api/v1/signals/{uuid}"]["get"]["responses"]
    assert "404" in detail


def test_list_parameters_include_every_filter(schema: dict[str, Any]) -> None:
    operation = schema["paths"]["/api/v1/signals"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    expected = {"from", "to", "category", "domain", "source", "status", "area", "q"}
    assert expected | {"cursor", "pageSize"} <= names
    page = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert page == {"$ref": "#/components/schemas/SignalPage"}


def test_schema_generation_has_no_warnings(tmp_path: Path) -> None:
    # drf-spectacular guesses (and warns) where views or serializers leave it in doubt.
    target = tmp_path / "openapi.json"
    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--format",
        "openapi-json",
        "--file",
        str(target),
    )
    assert json.loads(target.read_text())["paths"]

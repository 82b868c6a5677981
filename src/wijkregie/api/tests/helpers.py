"""Shared helpers for API tests: clients that authenticate with a real API token."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse
from rest_framework.test import APIClient

from wijkregie.tenants.models import User
from wijkregie.tenants.services import api_token_create

PROBLEM = "application/problem+json"


def token_client(user: User) -> APIClient:
    """An API client sending `Authorization: Token <secret>` for a fresh token of `user`."""
    _, secret = api_token_create(actor=None, user=user, name="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def body(response: HttpResponse) -> Any:
    return json.loads(response.content)


def post_json(client: APIClient, url: str, data: Any) -> HttpResponse:
    return client.post(url, data=json.dumps(data), content_type="application/json")


def invalid_names(response: HttpResponse) -> list[str]:
    """The `name` of each invalidParams entry of a 400 problem, in order."""
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == PROBLEM
    return [p["name"] for p in body(response)["invalidParams"]]


def invalid_param(response: HttpResponse, name: str) -> dict[str, str]:
    params = [p for p in body(response)["invalidParams"] if p["name"] == name]
    assert len(params) == 1, body(response)
    return params[0]


def assert_problem(response: HttpResponse, status: int) -> dict[str, Any]:
    """An RFC 9457 body with the required members, the API-Version header, and the status."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    assert response["API-Version"]
    data = body(response)
    assert data["status"] == status
    assert data["type"].startswith("https://")
    assert data["title"] and isinstance(data["title"], str)
    assert data["detail"] and isinstance(data["detail"], str)
    assert data["instance"] == response.wsgi_request.path  # type: ignore[attr-defined]
    return data

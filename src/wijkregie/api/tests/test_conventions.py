"""NL API Design Rules: API-Version header, no trailing slashes, RFC 9457 problems, camelCase."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from wijkregie.api.tests.helpers import (
    assert_problem,
    body,
    invalid_names,
    post_json,
    token_client,
)
from wijkregie.signals.api import SignalListView
from wijkregie.testing.personas import World

API = "/api/v1"


@pytest.fixture
def client(world: World) -> APIClient:
    return token_client(world.users["regisseur"])


@pytest.mark.parametrize(
    "path",
    [
        "/signals",
        "/categories",
        "/life-domains",
        "/areas",
        "/neighbourhoods/map",
        "/openapi.json",
    ],
)
def test_success_has_api_version_and_json(client: APIClient, path: str) -> None:
    response = client.get(API + path)
    assert response.status_code == 200
    assert response["API-Version"] == settings.API_VERSION
    assert response["Content-Type"].startswith(
        ("application/json", "application/vnd.oai.openapi+json")
    )


@pytest.mark.parametrize(
    "path",
    [
        "/signals/",
        "/categories/",
        "/areas/",
        "/openapi.json/",
        "/nope",
        "/",
        "",
        "/signals/00000000-0000-0000-0000-000000000000/status/",
    ],
)
def test_unknown_and_trailing_slash_paths_are_problem_404(client: APIClient, path: str) -> None:
    response = client.get(API + path)
    data = assert_problem(response, 404)
    assert response["API-Version"] == settings.API_VERSION
    assert "Location" not in response  # never a redirect to the slashless URL
    assert data["title"] == "Niet gevonden."


@pytest.mark.parametrize("path", ["/api", "/api/", "/api/v2/signals"])
def test_everything_under_api_is_problem_json(client: APIClient, path: str) -> None:
    response = client.get(path)
    assert_problem(response, 404)
    assert response["API-Version"] == settings.API_VERSION


def test_trailing_slash_post_is_not_redirected(client: APIClient) -> None:
    response = post_json(client, f"{API}/signals/", {})
    assert_problem(response, 404)


def test_web_pages_do_not_get_the_api_header(world: World) -> None:
    response = Client().get("/inloggen/")
    assert response.status_code == 200
    assert "API-Version" not in response


def test_unauthenticated_is_401_with_token_challenge(world: World) -> None:
    response = APIClient().get(f"{API}/signals")
    data = assert_problem(response, 401)
    assert response["WWW-Authenticate"] == "Token"
    assert "Authenticatiegegevens" in data["detail"]


def test_method_not_allowed_is_405_problem(client: APIClient) -> None:
    response = client.delete(f"{API}/signals")
    assert_problem(response, 405)
    assert "POST" in response["Allow"]


def test_malformed_json_is_400_problem(client: APIClient) -> None:
    response = client.post(f"{API}/signals", data="{bad json", content_type="application/json")
    data = assert_problem(response, 400)
    assert data["detail"] == "De inhoud van het verzoek is geen geldige JSON."


@pytest.mark.parametrize("raw", ['{"lat": NaN}', '{"lat": Infinity}', b'{"q": "\xff"}'])
def test_non_standard_json_is_400_problem(client: APIClient, raw: str | bytes) -> None:
    response = client.post(f"{API}/signals", data=raw, content_type="application/json")
    assert_problem(response, 400)


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"]
)
def test_unsupported_media_type_is_415_problem(client: APIClient, content_type: str) -> None:
    response = client.post(f"{API}/signals", data="a=b", content_type=content_type)
    data = assert_problem(response, 415)
    assert content_type in data["detail"]


def test_not_acceptable_is_406_problem_never_html(client: APIClient) -> None:
    response = client.get(f"{API}/signals", HTTP_ACCEPT="text/html")
    assert_problem(response, 406)


def test_error_texts_are_dutch_whatever_the_accept_language(world: World) -> None:
    response = APIClient().get(f"{API}/signals", HTTP_ACCEPT_LANGUAGE="en")
    data = assert_problem(response, 401)
    assert data["detail"] == "Authenticatiegegevens zijn niet opgegeven."
    assert response["Content-Language"] == "nl"


def test_validation_problem_lists_invalid_params(client: APIClient) -> None:
    response = client.get(f"{API}/signals?from=gisteren&to=morgen&status=x&pageSize=nul")
    data = assert_problem(response, 400)
    assert data["detail"] == "De invoer is ongeldig; zie invalidParams voor alle fouten."
    assert sorted(invalid_names(response)) == ["from", "pageSize", "status", "to"]
    for param in data["invalidParams"]:
        assert set(param) == {"name", "code", "reason"}
        assert param["reason"]


def test_session_auth_requires_csrf_with_a_dutch_problem(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["wijkagent"])
    assert client.get(f"{API}/signals").status_code == 200
    response = client.post(f"{API}/signals", data="{}", content_type="application/json")
    data = assert_problem(response, 403)
    assert data["detail"].startswith("CSRF-controle mislukt")


def test_session_auth_with_csrf_token_works(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["wijkagent"])
    token = "k" * 32  # a CSRF secret as the cookie would carry it
    client.cookies["csrftoken"] = token
    response = client.post(
        f"{API}/signals",
        data=json.dumps({"category": "overlast-jeugd"}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    # Past authentication and CSRF: now it is about the missing fields.
    assert "observedAt" in invalid_names(response)


def test_unhandled_error_is_500_problem(client: APIClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(SignalListView, "get", broken)
    client.raise_request_exception = False
    response = client.get(f"{API}/signals")
    data = assert_problem(response, 500)
    assert "boom" not in response.content.decode()
    assert data["title"] == "Interne fout."


def test_responses_use_camel_case_keys(client: APIClient, world: World) -> None:
    listing = body(client.get(f"{API}/signals"))
    item = listing["results"][0]
    assert {"observedAt", "categoryName", "lifeDomain", "ownerOrganisation"} <= set(item)
    assert not [key for key in item if "_" in key]
    detail = body(client.get(item["url"]))
    assert {"registeredAt", "statusHistory", "externalId"} <= set(detail)
    assert not [key for key in detail if "_" in key]
    category = body(client.get(f"{API}/categories"))[0]
    assert {"lifeDomain", "isPublic", "defaultConfidentiality"} <= set(category)

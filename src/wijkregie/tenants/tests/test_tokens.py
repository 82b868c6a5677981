"""API tokens: hashed at rest, `Authorization: Token <secret>`, revocation, management commands."""

from __future__ import annotations

import hashlib
import importlib
from io import StringIO

import pytest
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError
from django.db import connection
from rest_framework.test import APIClient

from wijkregie.api.tests.helpers import assert_problem, body
from wijkregie.privacy.models import AuditEvent
from wijkregie.tenants.models import ApiToken, User
from wijkregie.tenants.services import TokenError, api_token_create, api_token_revoke
from wijkregie.testing.personas import EXPECTED_VISIBLE, World

SIGNALS = "/api/v1/signals"


def with_token(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def test_only_the_hash_is_stored(world: World) -> None:
    token, secret = api_token_create(actor=None, user=world.users["wijkagent"], name="koppeling")
    assert secret.startswith("wr_")
    assert len(secret) >= 40
    token.refresh_from_db()
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:8]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM tenants_apitoken")
        stored = [str(value) for row in cursor.fetchall() for value in row]
    assert not [value for value in stored if secret in value]
    audit = AuditEvent.objects.get(object_id=str(token.uuid), action="create")
    assert audit.username == "system"
    assert secret not in str(audit.changes)


def test_a_valid_token_authenticates_its_user(world: World) -> None:
    _, secret = api_token_create(actor=None, user=world.users["wijkagent"], name="t")
    response = with_token(secret).get(SIGNALS)
    assert response.status_code == 200
    found = {item["uuid"] for item in body(response)["results"]}
    assert found == {str(world.signals[k].uuid) for k in EXPECTED_VISIBLE["wijkagent"]}


def test_last_used_at_is_stamped(world: World) -> None:
    token, secret = api_token_create(actor=None, user=world.users["wijkagent"], name="t")
    assert token.last_used_at is None
    assert with_token(secret).get(SIGNALS).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize(
    "header",
    [
        "Token wr_onbekend",
        "Token",
        "Token een twee",
        "token wr_onbekend",
    ],
)
def test_bad_token_headers_are_401(world: World, header: str) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(SIGNALS)
    assert_problem(response, 401)
    assert response["WWW-Authenticate"] == "Token"


def test_other_schemes_are_not_authenticated(world: World) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer wr_iets")
    assert_problem(client.get(SIGNALS), 401)


def test_revoked_token_is_401(world: World) -> None:
    token, secret = api_token_create(actor=None, user=world.users["wijkagent"], name="t")
    assert with_token(secret).get(SIGNALS).status_code == 200
    api_token_revoke(actor=world.users["beheerder"], token=token)
    response = with_token(secret).get(SIGNALS)
    data = assert_problem(response, 401)
    assert data["detail"] == "Ongeldig of ingetrokken token."
    audit = AuditEvent.objects.get(object_id=str(token.uuid), action="revoke")
    assert audit.user == world.users["beheerder"]
    with pytest.raises(TokenError):
        api_token_revoke(actor=None, token=token)


def test_token_of_a_deactivated_user_is_401(world: World) -> None:
    user = world.users["wijkagent"]
    _, secret = api_token_create(actor=None, user=user, name="t")
    user.is_active = False
    user.save()
    assert_problem(with_token(secret).get(SIGNALS), 401)


def test_token_of_a_user_moved_to_another_municipality_is_401(world: World) -> None:
    user = world.users["wijkagent"]
    _, secret = api_token_create(actor=None, user=user, name="t")
    user.municipality = world.other_gm
    user.save()
    assert_problem(with_token(secret).get(SIGNALS), 401)


def test_no_tokens_for_users_without_municipality_or_inactive(world: World) -> None:
    admin = User.objects.create_user(username="root", password="x" * 20)
    with pytest.raises(TokenError):
        api_token_create(actor=None, user=admin, name="t")
    inactive = world.users["privacy"]
    inactive.is_active = False
    inactive.save()
    with pytest.raises(TokenError):
        api_token_create(actor=None, user=inactive, name="t")
    assert not ApiToken.objects.exists()


# --- management commands ------------------------------------------------------------------


def test_commands_are_found_by_their_hyphenated_names() -> None:
    commands = get_commands()
    assert commands["create-token"] == "wijkregie.tenants"
    assert commands["revoke-token"] == "wijkregie.tenants"
    module = importlib.import_module("wijkregie.tenants.management.commands.create-token")
    assert module.Command.help


def test_create_token_prints_the_secret_once_and_it_works(world: World) -> None:
    out = StringIO()
    call_command("create-token", "wijkagent", "--name", "koppeling BI", stdout=out)
    lines = out.getvalue().strip().splitlines()
    secret = lines[-1]
    token = ApiToken.objects.get()
    assert token.name == "koppeling BI"
    assert token.user == world.users["wijkagent"]
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert f"revoke-token {token.prefix}" in out.getvalue()
    assert out.getvalue().count(secret) == 1
    assert with_token(secret).get(SIGNALS).status_code == 200


def test_create_token_quiet_prints_only_the_secret(world: World) -> None:
    out = StringIO()
    call_command("create-token", "analist", verbosity=0, stdout=out)
    secret = out.getvalue().strip()
    assert secret.startswith("wr_")
    assert "\n" not in secret
    assert ApiToken.objects.get().name == "API-token"


@pytest.mark.parametrize("username", ["bestaat-niet", "root"])
def test_create_token_refuses_unknown_and_tenantless_users(world: World, username: str) -> None:
    User.objects.create_user(username="root", password="x" * 20)
    with pytest.raises(CommandError):
        call_command("create-token", username, stdout=StringIO())
    assert not ApiToken.objects.exists()


def test_revoke_token_by_prefix(world: World) -> None:
    token, secret = api_token_create(actor=None, user=world.users["wijkagent"], name="t")
    out = StringIO()
    call_command("revoke-token", token.prefix, stdout=out)
    assert "ingetrokken" in out.getvalue()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert_problem(with_token(secret).get(SIGNALS), 401)
    with pytest.raises(CommandError):  # already revoked: no active token with that prefix
        call_command("revoke-token", token.prefix, stdout=StringIO())


def test_revoke_token_unknown_prefix(world: World) -> None:
    with pytest.raises(CommandError):
        call_command("revoke-token", "wr_niets", stdout=StringIO())


def test_revoke_token_with_an_ambiguous_prefix_needs_user(world: World) -> None:
    one, one_secret = api_token_create(actor=None, user=world.users["wijkagent"], name="a")
    two, two_secret = api_token_create(actor=None, user=world.users["analist"], name="b")
    ApiToken.objects.filter(pk=two.pk).update(prefix=one.prefix)
    with pytest.raises(CommandError, match="--user"):
        call_command("revoke-token", one.prefix, stdout=StringIO())
    assert not ApiToken.objects.filter(revoked_at__isnull=False).exists()
    call_command("revoke-token", one.prefix, "--user", "analist", stdout=StringIO())
    assert_problem(with_token(two_secret).get(SIGNALS), 401)
    assert with_token(one_secret).get(SIGNALS).status_code == 200

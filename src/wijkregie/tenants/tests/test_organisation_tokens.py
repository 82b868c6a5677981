"""Organisation API tokens: the system account, the API as that organisation, the beheer pages."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from wijkregie.api.tests.helpers import assert_problem, body, post_json
from wijkregie.privacy.models import AuditEvent
from wijkregie.signals.models import Signal
from wijkregie.tenants.access import viewer_for
from wijkregie.tenants.models import ApiToken, Membership, Organisation, Role, User
from wijkregie.tenants.services import (
    TokenError,
    api_token_create,
    api_token_revoke,
    organisation_token_create,
)
from wijkregie.testing.personas import EXPECTED_VISIBLE, PASSWORD, World

SIGNALS = "/api/v1/signals"
LIST = "/api-tokens/"


def with_token(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def new_signal(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "category": "overlast-jeugd",
        "observedAt": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
        "description": "Melding uit het bronsysteem",
        "neighbourhood": "BU99990101",
    }
    data.update(changes)
    return data


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def other_beheerder(world: World) -> User:
    """The functioneel beheerder of the other municipality (Elders, GM9998)."""
    org = Organisation.objects.get(municipality=world.other_gm)
    user = User.objects.create_user(
        username="beheerder-elders", password=PASSWORD, municipality=world.other_gm
    )
    Membership.objects.create(
        municipality=world.other_gm, user=user, organisation=org, role=Role.BEHEERDER
    )
    return user


# --- the service and the system account -------------------------------------------------------


def test_first_token_creates_a_system_account_with_only_the_professional_role(
    world: World,
) -> None:
    politie = world.orgs["politie"]
    actor = world.users["beheerder"]
    token, secret = organisation_token_create(actor=actor, organisation=politie, name="BVH")
    service = token.user
    assert service.service_for == politie
    assert service.username == "api-gm9999-politie"
    assert service.municipality == world.gm
    assert not service.has_usable_password()
    assert list(Membership.objects.filter(user=service).values_list("organisation", "role")) == [
        (politie.pk, Role.PROFESSIONAL)
    ]
    assert (token.organisation, token.created_by, token.municipality) == (politie, actor, world.gm)
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:8]
    # A second token reuses the account.
    second, _ = organisation_token_create(actor=actor, organisation=politie, name="Tweede")
    assert second.user == service
    assert User.objects.filter(service_for=politie).count() == 1
    # Audited: the account once, each token once, by the beheerder, without the secret.
    account_audit = AuditEvent.objects.get(object_id=str(service.uuid), action="create")
    assert account_audit.user == actor
    token_audit = AuditEvent.objects.get(object_id=str(token.uuid), action="create")
    assert token_audit.user == actor
    assert token_audit.changes["organisation"] == "politie"
    assert secret not in str(token_audit.changes)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM tenants_apitoken")
        stored = [str(value) for row in cursor.fetchall() for value in row]
    assert not [value for value in stored if secret in value]


def test_the_system_account_cannot_log_in(world: World) -> None:
    token, _ = organisation_token_create(
        actor=world.users["beheerder"], organisation=world.orgs["politie"], name="t"
    )
    assert not Client().login(username=token.user.username, password="")
    client = Client()
    response = client.post("/inloggen/", {"username": token.user.username, "password": ""})
    assert response.status_code == 200  # the form again, with an error
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_token_name_is_required_and_bounded(world: World, name: str) -> None:
    with pytest.raises(TokenError):
        organisation_token_create(
            actor=world.users["beheerder"], organisation=world.orgs["politie"], name=name
        )
    assert not ApiToken.objects.exists()
    assert not User.objects.filter(service_for__isnull=False).exists()


def test_a_taken_username_is_never_reused_as_system_account(world: World) -> None:
    User.objects.create_user(username="api-gm9999-politie", municipality=world.gm)
    with pytest.raises(TokenError):
        organisation_token_create(actor=None, organisation=world.orgs["politie"], name="t")
    assert not ApiToken.objects.exists()


# --- the API with an organisation token ------------------------------------------------------


def test_organisation_token_sees_what_a_professional_of_that_organisation_sees(
    world: World,
) -> None:
    _, secret = organisation_token_create(
        actor=world.users["beheerder"], organisation=world.orgs["politie"], name="t"
    )
    response = with_token(secret).get(SIGNALS)
    assert response.status_code == 200
    found = {item["uuid"] for item in body(response)["results"]}
    # Same as the police officer persona: own organisation plus the convenant.
    assert found == {str(world.signals[k].uuid) for k in EXPECTED_VISIBLE["wijkagent"]}


def test_organisation_token_creates_signals_for_its_organisation(world: World) -> None:
    token, secret = organisation_token_create(
        actor=world.users["beheerder"], organisation=world.orgs["politie"], name="t"
    )
    response = post_json(with_token(secret), SIGNALS, new_signal())
    assert response.status_code == 201, response.content
    signal = Signal.objects.get(uuid=body(response)["uuid"])
    assert signal.owner_organisation == world.orgs["politie"]
    assert signal.registered_by == token.user
    audit = AuditEvent.objects.get(object_id=str(signal.uuid), action="create")
    assert audit.username == "api-gm9999-politie"


@pytest.mark.parametrize("slug", ["gemeente", "corporatie", "bestaat-niet"])
def test_organisation_token_cannot_create_for_another_organisation(world: World, slug: str) -> None:
    _, secret = organisation_token_create(
        actor=world.users["beheerder"], organisation=world.orgs["politie"], name="t"
    )
    before = Signal.objects.count()
    response = post_json(with_token(secret), SIGNALS, new_signal(ownerOrganisation=slug))
    data = assert_problem(response, 400)
    assert [(p["name"], p["code"]) for p in data["invalidParams"]] == [
        ("ownerOrganisation", "forbidden")
    ]
    assert Signal.objects.count() == before


def test_organisation_token_of_another_municipality_sees_nothing_of_demodam(
    world: World,
) -> None:
    other_org = Organisation.objects.get(municipality=world.other_gm)
    _, secret = organisation_token_create(actor=None, organisation=other_org, name="t")
    client = with_token(secret)
    found = {item["uuid"] for item in body(client.get(SIGNALS))["results"]}
    assert found == {str(world.signals["outsider_own"].uuid)}
    assert_problem(client.get(f"{SIGNALS}/{world.signals['police_shared'].uuid}"), 404)
    # Demodam's categories do not exist for it, nor does Demodam's police.
    response = post_json(client, SIGNALS, new_signal(ownerOrganisation="politie"))
    names = {p["name"] for p in assert_problem(response, 400)["invalidParams"]}
    assert {"ownerOrganisation", "category"} <= names


def test_revoked_organisation_token_is_401(world: World) -> None:
    token, secret = organisation_token_create(
        actor=world.users["beheerder"], organisation=world.orgs["politie"], name="t"
    )
    assert with_token(secret).get(SIGNALS).status_code == 200
    api_token_revoke(actor=world.users["beheerder"], token=token)
    for response in (
        with_token(secret).get(SIGNALS),
        post_json(with_token(secret), SIGNALS, new_signal()),
        post_json(with_token(secret), f"{SIGNALS}/batch", {"signals": [new_signal()]}),
    ):
        data = assert_problem(response, 401)
        assert data["detail"] == "Ongeldig of ingetrokken token."
    audit = AuditEvent.objects.get(object_id=str(token.uuid), action="revoke")
    assert audit.changes["organisation"] == "politie"


def test_token_of_a_deactivated_system_account_is_401(world: World) -> None:
    token, secret = organisation_token_create(
        actor=None, organisation=world.orgs["politie"], name="t"
    )
    User.objects.filter(pk=token.user.pk).update(is_active=False)
    assert_problem(with_token(secret).get(SIGNALS), 401)
    with pytest.raises(TokenError):  # and no new tokens for it until it is active again
        organisation_token_create(actor=None, organisation=world.orgs["politie"], name="t2")


def test_organisation_token_only_acts_as_its_own_system_account(world: World) -> None:
    """A token row pointing at another user (edited in the database) does not authenticate."""
    token, secret = organisation_token_create(
        actor=None, organisation=world.orgs["politie"], name="t"
    )
    ApiToken.objects.filter(pk=token.pk).update(user=world.users["regisseur"])
    assert_problem(with_token(secret).get(SIGNALS), 401)


def test_last_used_at_is_stamped_and_shown(world: World) -> None:
    token, secret = organisation_token_create(
        actor=world.users["beheerder"], organisation=world.orgs["politie"], name="BVH-koppeling"
    )
    page = client_for(world.users["beheerder"]).get(LIST).content.decode()
    row = re.search(rf'<tr[^>]*id="token-{token.uuid}".*?</tr>', page, re.S)
    assert row is not None
    assert "Nog nooit" in row.group(0)
    assert post_json(with_token(secret), SIGNALS, new_signal()).status_code == 201
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert timezone.now() - token.last_used_at < dt.timedelta(minutes=1)
    page = client_for(world.users["beheerder"]).get(LIST).content.decode()
    row = re.search(rf'<tr[^>]*id="token-{token.uuid}".*?</tr>', page, re.S)
    assert row is not None
    shown = timezone.localtime(token.last_used_at).strftime("%d-%m-%Y %H:%M")
    assert shown in row.group(0)
    assert "Nog nooit" not in row.group(0)


def test_personal_tokens_keep_working_beside_organisation_tokens(world: World) -> None:
    personal, personal_secret = api_token_create(
        actor=None, user=world.users["wijkagent"], name="persoonlijk"
    )
    _, org_secret = organisation_token_create(
        actor=None, organisation=world.orgs["politie"], name="systeem"
    )
    assert personal.organisation is None
    created = post_json(with_token(personal_secret), SIGNALS, new_signal())
    assert created.status_code == 201
    signal = Signal.objects.get(uuid=body(created)["uuid"])
    assert signal.registered_by == world.users["wijkagent"]
    assert with_token(org_secret).get(SIGNALS).status_code == 200


def test_viewer_of_the_system_account(world: World) -> None:
    token, _ = organisation_token_create(
        actor=None, organisation=world.orgs["corporatie"], name="t"
    )
    viewer = viewer_for(token.user, access_point="api")
    assert viewer is not None
    assert viewer.roles == {Role.PROFESSIONAL}
    assert viewer.writer_organisation_ids == {world.orgs["corporatie"].pk}


# --- the beheer pages ----------------------------------------------------------------------


def test_beheerder_lists_every_organisation_with_its_tokens(world: World) -> None:
    beheerder = world.users["beheerder"]
    token, _ = organisation_token_create(
        actor=beheerder, organisation=world.orgs["politie"], name="BVH-koppeling"
    )
    revoked, _ = organisation_token_create(
        actor=None, organisation=world.orgs["corporatie"], name="Oud systeem"
    )
    api_token_revoke(actor=beheerder, token=revoked)
    personal, _ = api_token_create(actor=None, user=world.users["analist"], name="Persoonlijk")
    response = client_for(beheerder).get(LIST)
    assert response.status_code == 200
    page = response.content.decode()
    for org in world.orgs.values():
        assert org.name in page
    assert "Gemeente Elders" not in page
    row = re.search(rf'<tr[^>]*id="token-{token.uuid}".*?</tr>', page, re.S)
    assert row is not None
    cells = row.group(0)
    assert "BVH-koppeling" in cells
    assert token.prefix in cells
    assert timezone.localtime(token.created_at).strftime("%d-%m-%Y %H:%M") in cells
    assert str(beheerder) in cells
    assert "Actief" in cells
    assert f"/api-tokens/{token.uuid}/intrekken/" in cells
    revoked_row = re.search(rf'<tr[^>]*id="token-{revoked.uuid}".*?</tr>', page, re.S)
    assert revoked_row is not None
    assert "Ingetrokken op" in revoked_row.group(0)
    assert "Systeem (opdrachtregel)" in revoked_row.group(0)
    assert "/intrekken/" not in revoked_row.group(0)
    assert str(personal.uuid) not in page  # personal tokens are not managed here
    assert 'href="/api-tokens/"' in page  # the menu item


def test_create_shows_the_secret_once(world: World) -> None:
    client = client_for(world.users["beheerder"])
    politie = world.orgs["politie"]
    url = f"/api-tokens/nieuw/{politie.uuid}/"
    form = client.get(url)
    assert form.status_code == 200
    assert "Politie basisteam Demodam" in form.content.decode()
    response = client.post(url, {"name": "BVH-koppeling"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    match = re.search(r'id="token-secret"[^>]*value="(wr_[^"]+)"', page)
    assert match is not None
    secret = match.group(1)
    token = ApiToken.objects.get()
    assert (token.organisation, token.name) == (politie, "BVH-koppeling")
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.created_by == world.users["beheerder"]
    assert page.count(secret) == 1
    assert "readonly" in page
    # The secret works, and nowhere else shows it again.
    assert with_token(secret).get(SIGNALS).status_code == 200
    assert secret not in client.get(LIST).content.decode()
    assert secret not in client.get(url).content.decode()


@pytest.mark.parametrize("name", ["", "x" * 101])
def test_create_with_a_bad_name_shows_errors_and_saves_nothing(world: World, name: str) -> None:
    client = client_for(world.users["beheerder"])
    response = client.post(f"/api-tokens/nieuw/{world.orgs['politie'].uuid}/", {"name": name})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="form-errors"' in page
    assert "token-secret" not in page
    assert not ApiToken.objects.exists()
    assert not User.objects.filter(service_for__isnull=False).exists()


def test_revoke_asks_for_confirmation_then_revokes(world: World) -> None:
    beheerder = world.users["beheerder"]
    token, secret = organisation_token_create(
        actor=beheerder, organisation=world.orgs["politie"], name="BVH"
    )
    client = client_for(beheerder)
    url = f"/api-tokens/{token.uuid}/intrekken/"
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Ja, trek dit token in" in confirm.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None  # a GET changes nothing
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == LIST
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.get(object_id=str(token.uuid), action="revoke").user == beheerder
    assert_problem(with_token(secret).get(SIGNALS), 401)
    again = client.post(url, follow=True)
    assert "al ingetrokken" in again.content.decode()
    assert AuditEvent.objects.filter(object_id=str(token.uuid), action="revoke").count() == 1


NOT_BEHEERDER = sorted(set(EXPECTED_VISIBLE) - {"beheerder"})


@pytest.mark.parametrize("persona", NOT_BEHEERDER)
def test_everyone_else_gets_404_everywhere(world: World, persona: str) -> None:
    token, _ = organisation_token_create(
        actor=world.users["beheerder"], organisation=world.orgs["politie"], name="t"
    )
    client = client_for(world.users[persona])
    create = f"/api-tokens/nieuw/{world.orgs['politie'].uuid}/"
    revoke = f"/api-tokens/{token.uuid}/intrekken/"
    responses = [
        client.get(LIST),
        client.get(create),
        client.post(create, {"name": "indringer"}),
        client.get(revoke),
        client.post(revoke),
    ]
    assert [r.status_code for r in responses] == [404] * 5
    assert ApiToken.objects.count() == 1
    token.refresh_from_db()
    assert token.revoked_at is None
    assert 'href="/api-tokens/"' not in client.get("/").content.decode()


def test_beheerder_of_another_municipality_gets_404_for_demodam(
    world: World, other_beheerder: User
) -> None:
    token, _ = organisation_token_create(
        actor=world.users["beheerder"], organisation=world.orgs["politie"], name="Demodam"
    )
    client = client_for(other_beheerder)
    page = client.get(LIST)
    assert page.status_code == 200  # their own municipality's page
    assert "Gemeente Elders" in page.content.decode()
    for org in world.orgs.values():
        assert org.name not in page.content.decode()
    assert "Demodam" not in page.content.decode()
    create = f"/api-tokens/nieuw/{world.orgs['politie'].uuid}/"
    revoke = f"/api-tokens/{token.uuid}/intrekken/"
    responses = [
        client.get(create),
        client.post(create, {"name": "indringer"}),
        client.get(revoke),
        client.post(revoke),
    ]
    assert [r.status_code for r in responses] == [404] * 4
    token.refresh_from_db()
    assert token.revoked_at is None
    assert ApiToken.objects.count() == 1


def test_demodam_beheerder_gets_404_for_the_other_municipality(
    world: World, other_beheerder: User
) -> None:
    other_org = Organisation.objects.get(municipality=world.other_gm)
    token, _ = organisation_token_create(
        actor=other_beheerder, organisation=other_org, name="Elders"
    )
    client = client_for(world.users["beheerder"])
    assert client.get(f"/api-tokens/nieuw/{other_org.uuid}/").status_code == 404
    assert client.post(f"/api-tokens/nieuw/{other_org.uuid}/", {"name": "x"}).status_code == 404
    assert client.get(f"/api-tokens/{token.uuid}/intrekken/").status_code == 404
    assert client.post(f"/api-tokens/{token.uuid}/intrekken/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_missing_and_malformed_ids_are_404(world: World) -> None:
    client = client_for(world.users["beheerder"])
    personal, _ = api_token_create(actor=None, user=world.users["analist"], name="p")
    for url in [
        "/api-tokens/nieuw/00000000-0000-4000-8000-000000000000/",
        "/api-tokens/nieuw/geen-uuid/",
        "/api-tokens/00000000-0000-4000-8000-000000000000/intrekken/",
        "/api-tokens/geen-uuid/intrekken/",
        f"/api-tokens/{personal.uuid}/intrekken/",  # personal tokens are not managed here
    ]:
        assert client.get(url).status_code == 404, url


def test_anonymous_users_are_sent_to_the_login_page(world: World) -> None:
    response = Client().get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith("/inloggen/")


# --- the command line ---------------------------------------------------------------------


def test_create_token_for_an_organisation_on_the_command_line(world: World) -> None:
    out = StringIO()
    call_command(
        "create-token",
        "--organisation",
        "politie",
        "--municipality",
        "gm9999",
        "--name",
        "BVH",
        stdout=out,
    )
    secret = out.getvalue().strip().splitlines()[-1]
    token = ApiToken.objects.get()
    assert (token.organisation, token.name, token.created_by) == (
        world.orgs["politie"],
        "BVH",
        None,
    )
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert "api-gm9999-politie" in out.getvalue()
    assert with_token(secret).get(SIGNALS).status_code == 200
    call_command("revoke-token", token.prefix, stdout=StringIO())
    assert_problem(with_token(secret).get(SIGNALS), 401)


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["wijkagent", "--organisation", "politie", "--municipality", "GM9999"],
        ["--organisation", "politie"],
        ["--organisation", "politie", "--municipality", "GM9998"],
    ],
)
def test_create_token_needs_a_user_or_a_known_organisation(world: World, args: list[str]) -> None:
    with pytest.raises(CommandError):
        call_command("create-token", *args, stdout=StringIO())
    assert not ApiToken.objects.exists()

"""Login hardening (ADR 0015): TOTP as second step, set-up, lockout, idle timeout, passwords."""

from __future__ import annotations

import datetime as dt
import html
import io
import time
import urllib.parse

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.utils import translation
from pytest_django import Settings

from wijkregie.privacy.models import AuditEvent
from wijkregie.tenants import mfa, totp
from wijkregie.tenants.models import LoginFailure, TotpDevice, User
from wijkregie.testing.personas import PASSWORD, World, totp_code, totp_secret

CODE_URL = "/inloggen/code/"
SETUP_URL = "/inloggen/app-koppelen/"
LOCKED_TEXT = "Te veel mislukte pogingen om in te loggen."


def text(response: object) -> str:
    return html.unescape(response.content.decode())  # type: ignore[attr-defined]


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def password_step(client: Client, username: str, password: str = PASSWORD, **extra: str) -> object:
    return client.post("/inloggen/", {"username": username, "password": password, **extra})


def other_code(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


# --- the second step is enforced ---------------------------------------------------------


def test_a_password_alone_logs_nobody_in(world: World) -> None:
    client = Client()
    response = password_step(client, "regisseur", next="/signalen/")
    assert response.status_code == 302
    assert response["Location"] == CODE_URL
    assert not logged_in(client)
    # every page still wants a login; the API does not know the session either
    assert client.get("/signalen/")["Location"].startswith("/inloggen/")
    assert client.get("/api/v1/signals").status_code in (401, 403)
    page = client.get(CODE_URL)
    assert page.status_code == 200
    assert "Code uit de authenticator-app" in text(page)
    assert 'autocomplete="one-time-code"' in page.content.decode()
    assert "Hoofdmenu" not in text(page)  # no navigation before the second step


def test_the_right_code_completes_the_login_and_is_audited(world: World) -> None:
    client = Client()
    password_step(client, "regisseur", next="/signalen/")
    response = client.post(CODE_URL, {"code": totp_code("regisseur")})
    assert response.status_code == 302
    assert response["Location"] == "/signalen/"
    assert logged_in(client)
    assert client.get("/signalen/").status_code == 200
    event = AuditEvent.objects.get(action="login", user=world.users["regisseur"])
    assert event.changes == {"method": "password+totp"}
    assert event.municipality_id == world.gm.pk


def test_a_wrong_code_is_refused_in_dutch_and_counted(world: World) -> None:
    client = Client()
    password_step(client, "regisseur")
    response = client.post(CODE_URL, {"code": other_code(totp_code("regisseur"))})
    assert response.status_code == 200
    assert "Deze code klopt niet." in text(response)
    assert not logged_in(client)
    assert LoginFailure.objects.filter(kind="account").count() == 1
    malformed = client.post(CODE_URL, {"code": "12ab"})
    assert "Een code bestaat uit zes cijfers." in text(malformed)
    assert LoginFailure.objects.filter(kind="account").count() == 2


def test_a_code_works_only_once(world: World) -> None:
    code = totp_code("regisseur")
    first = Client()
    password_step(first, "regisseur")
    first.post(CODE_URL, {"code": code})
    assert logged_in(first)
    second = Client()  # someone who watched the code being typed, with the password
    password_step(second, "regisseur")
    response = second.post(CODE_URL, {"code": code})
    assert not logged_in(second)
    assert "Deze code klopt niet." in text(response)


def test_the_code_step_needs_a_fresh_password_step(world: World, settings: Settings) -> None:
    assert Client().get(CODE_URL)["Location"] == "/inloggen/"
    assert Client().post(CODE_URL, {"code": "123456"})["Location"] == "/inloggen/"
    assert Client().get(SETUP_URL)["Location"] == "/inloggen/"
    client = Client()
    password_step(client, "regisseur")
    session = client.session
    session["wr_login_pending"]["at"] = time.time() - settings.MFA_PENDING_SECONDS - 1
    session.save()
    response = client.post(CODE_URL, {"code": totp_code("regisseur")})
    assert response["Location"] == "/inloggen/"
    assert not logged_in(client)


def test_the_next_url_stays_on_this_site(world: World) -> None:
    client = Client()
    password_step(client, "regisseur", next="https://evil.example/")
    response = client.post(CODE_URL, {"code": totp_code("regisseur")})
    assert response["Location"] == "/"


def test_without_the_requirement_an_app_is_still_asked_for(
    world: World, settings: Settings
) -> None:
    settings.MFA_REQUIRED = False
    # A user with an app set up gets the code step all the same.
    client = Client()
    assert password_step(client, "regisseur")["Location"] == CODE_URL
    # A user without one logs in with the password (demo set-ups only).
    TotpDevice.objects.filter(user=world.users["analist"]).delete()
    plain = Client()
    assert password_step(plain, "analist")["Location"] == "/"
    assert logged_in(plain)
    assert AuditEvent.objects.get(action="login").changes == {"method": "password"}


# --- setting up an app --------------------------------------------------------------------


def test_a_user_without_an_app_must_set_one_up(world: World) -> None:
    user = world.users["analist"]
    TotpDevice.objects.filter(user=user).delete()
    client = Client()
    response = password_step(client, "analist")
    assert response["Location"] == SETUP_URL
    assert not logged_in(client)
    assert client.get("/").status_code == 302  # nothing opens before the app is confirmed
    page = client.get(SETUP_URL)
    body = text(page)
    assert page.status_code == 200
    assert "Authenticator-app koppelen" in body
    uri = page.content.decode().split('id="totp-uri"')[0].rsplit('href="', 1)[1].split('"')[0]
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(html.unescape(uri)).query))
    secret = query["secret"]
    assert totp.group(secret) in body  # the secret as text, in groups of four
    # stored encrypted, not as the secret itself
    device = TotpDevice.objects.get(user=user)
    assert device.confirmed_at is None
    assert secret not in device.secret_encrypted
    # reloading shows the same secret (the app may already hold it)
    assert totp.group(secret) in text(client.get(SETUP_URL))
    wrong = client.post(SETUP_URL, {"code": other_code(totp.code_at(secret, time.time()))})
    assert "Deze code klopt niet." in text(wrong)
    assert not logged_in(client)
    done = client.post(SETUP_URL, {"code": totp.code_at(secret, time.time())})
    assert done["Location"] == "/"
    assert logged_in(client)
    device.refresh_from_db()
    assert device.confirmed_at is not None
    assert AuditEvent.objects.filter(action="mfa_enrol", user=user).count() == 1


def test_a_password_alone_never_shows_a_confirmed_secret(world: World) -> None:
    client = Client()
    password_step(client, "regisseur")
    response = client.get(SETUP_URL)
    assert response["Location"] == CODE_URL
    assert totp_secret("regisseur") not in response.content.decode()


def test_reset_by_the_beheerder_means_setting_up_again(world: World) -> None:
    out = io.StringIO()
    call_command("reset-mfa", "regisseur", stdout=out)
    assert "regisseur" in out.getvalue()
    assert not TotpDevice.objects.filter(user=world.users["regisseur"]).exists()
    event = AuditEvent.objects.get(action="mfa_reset")
    assert event.changes["username"] == "regisseur"
    client = Client()
    assert password_step(client, "regisseur")["Location"] == SETUP_URL


def test_a_secret_unreadable_after_a_key_change_needs_a_new_set_up(
    world: World, settings: Settings
) -> None:
    settings.MFA_ENCRYPTION_KEY = "another-key"
    user = world.users["regisseur"]
    assert not mfa.check_code(user, totp_code("regisseur"))


# --- lockout ---------------------------------------------------------------------------


def test_repeated_wrong_passwords_lock_the_account(world: World, settings: Settings) -> None:
    limit = settings.LOGIN_MAX_FAILURES_ACCOUNT
    assert limit == 5 and settings.LOGIN_LOCKOUT_SECONDS == 900
    client = Client()
    for attempt in range(limit - 1):
        response = password_step(client, "regisseur", "wrong password")
        assert "Gebruikersnaam of wachtwoord is onjuist." in text(response), attempt
    fifth = password_step(client, "regisseur", "wrong password")
    assert LOCKED_TEXT in text(fifth)
    assert "over 15 minuten opnieuw" in text(fifth)
    # now even the right password is refused, without being checked
    refused = password_step(client, "regisseur")
    assert refused.status_code == 429
    assert LOCKED_TEXT in text(refused)
    assert not logged_in(client)
    assert "wr_login_pending" not in client.session
    event = AuditEvent.objects.get(action="login_lockout")
    assert event.municipality_id == world.gm.pk
    assert event.object_id == str(world.users["regisseur"].uuid)
    assert event.changes["account_locked"] is True and event.changes["step"] == "password"
    # other accounts from another client are not affected
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert password_step(other, "wijkagent")["Location"] == CODE_URL
    # after the lockout the account may try again
    LoginFailure.objects.update(at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16))
    assert password_step(Client(), "regisseur")["Location"] == CODE_URL


def test_wrong_codes_count_towards_the_lockout(world: World) -> None:
    client = Client()
    password_step(client, "regisseur")
    wrong = other_code(totp_code("regisseur"))
    for _ in range(4):
        client.post(CODE_URL, {"code": wrong})
    locked = client.post(CODE_URL, {"code": wrong})
    assert locked.status_code == 429
    assert LOCKED_TEXT in text(locked)
    assert "wr_login_pending" not in client.session  # start over after the lockout
    assert AuditEvent.objects.get(action="login_lockout").changes["step"] == "code"
    # the right code is no help now: the password step is refused too
    assert password_step(Client(), "regisseur").status_code == 429


def test_one_client_trying_many_accounts_is_locked(world: World, settings: Settings) -> None:
    settings.LOGIN_MAX_FAILURES_CLIENT = 6
    attacker = Client(REMOTE_ADDR="192.0.2.7")
    for i in range(6):
        password_step(attacker, f"gok{i}", "wrong password")
    refused = password_step(attacker, "regisseur")
    assert refused.status_code == 429
    assert LOCKED_TEXT in text(refused)
    # the same accounts from another address work
    assert password_step(Client(REMOTE_ADDR="192.0.2.8"), "regisseur")["Location"] == CODE_URL
    event = AuditEvent.objects.get(action="login_lockout")
    assert event.changes["client_locked"] is True
    assert event.municipality_id is None  # the username "gok5" does not exist
    # neither the address nor the usernames are stored in the clear
    keys = set(LoginFailure.objects.values_list("key", flat=True))
    assert all(len(key) == 64 and "192.0.2.7" not in key for key in keys)


def test_unknown_and_known_usernames_get_the_same_answers(world: World) -> None:
    for username in ("regisseur", "bestaat-niet"):
        client = Client(REMOTE_ADDR=f"198.51.100.{len(username)}")
        for _ in range(4):
            response = password_step(client, username, "wrong password")
            assert "Gebruikersnaam of wachtwoord is onjuist." in text(response)
        assert LOCKED_TEXT in text(password_step(client, username, "wrong password"))


def test_a_complete_login_clears_the_account_failures(world: World) -> None:
    client = Client()
    for _ in range(3):
        password_step(client, "regisseur", "wrong password")
    password_step(client, "regisseur")
    client.post(CODE_URL, {"code": totp_code("regisseur")})
    assert logged_in(client)
    assert not LoginFailure.objects.filter(kind="account").exists()
    assert LoginFailure.objects.filter(kind="client").count() == 3


def test_system_accounts_cannot_log_in(world: World) -> None:
    from wijkregie.tenants.services import organisation_token_create

    token, _ = organisation_token_create(
        actor=world.users["beheerder"], organisation=world.orgs["politie"], name="x"
    )
    client = Client()
    response = password_step(client, token.user.username, "")
    assert not logged_in(client)
    assert response.status_code == 200


# --- idle timeout --------------------------------------------------------------------------


def test_an_idle_session_is_logged_out(world: World, settings: Settings) -> None:
    assert settings.SESSION_IDLE_TIMEOUT == 30 * 60
    client = Client()
    client.force_login(world.users["regisseur"])
    assert client.get("/signalen/").status_code == 200
    assert isinstance(client.session.get("wr_last_seen"), int)
    session = client.session
    session["wr_last_seen"] = int(time.time()) - 31 * 60
    session.save()
    response = client.get("/signalen/?status=open")
    assert response.status_code == 302
    assert response["Location"] == "/inloggen/?next=/signalen/%3Fstatus%3Dopen"
    assert not logged_in(client)
    page = client.get(response["Location"])
    assert "U bent uitgelogd omdat u 30 minuten niets hebt gedaan." in text(page)


def test_an_active_session_stays(world: World) -> None:
    client = Client()
    client.force_login(world.users["regisseur"])
    client.get("/")
    session = client.session
    session["wr_last_seen"] = int(time.time()) - 29 * 60
    session.save()
    assert client.get("/signalen/").status_code == 200
    assert client.session["wr_last_seen"] >= int(time.time()) - 5  # renewed


def test_an_idle_api_session_gets_no_data(world: World) -> None:
    client = Client()
    client.force_login(world.users["regisseur"])
    client.get("/api/v1/signals")
    session = client.session
    session["wr_last_seen"] = int(time.time()) - 3600
    session.save()
    assert client.get("/api/v1/signals").status_code in (401, 403)


def test_the_idle_timeout_can_be_switched_off(world: World, settings: Settings) -> None:
    settings.SESSION_IDLE_TIMEOUT = 0
    client = Client()
    client.force_login(world.users["regisseur"])
    session = client.session
    session["wr_last_seen"] = 0
    session.save()
    assert client.get("/signalen/").status_code == 200


# --- password rules --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("kort-1a", "te kort"),
        ("password1234", "te algemeen"),
        ("839201746352", "alleen cijfers"),
        ("regisseur-wijk", "lijkt te veel op"),
    ],
)
def test_weak_passwords_are_refused_in_dutch(world: World, password: str, fragment: str) -> None:
    with translation.override("nl"), pytest.raises(ValidationError) as caught:
        validate_password(password, user=world.users["regisseur"])
    assert any(fragment in message for message in caught.value.messages), caught.value.messages


def test_a_long_uncommon_password_is_accepted(world: World) -> None:
    validate_password("vier-willekeurige-woorden-zomer", user=world.users["regisseur"])


def test_an_outsider_logs_in_to_their_own_municipality_only(world: World) -> None:
    client = Client()
    password_step(client, "outsider")
    client.post(CODE_URL, {"code": totp_code("outsider")})
    assert logged_in(client)
    user = User.objects.get(pk=client.session["_auth_user_id"])
    assert user.municipality_id == world.other_gm.pk
    assert client.get(f"/signalen/{world.signals['gemeente_own'].uuid}/").status_code == 404


# --- the beheerder unlinks a lost app -----------------------------------------------------


def test_the_beheerder_unlinks_an_app_in_their_municipality_only(world: World) -> None:
    client = Client()
    client.force_login(world.users["beheerder"])
    changelist = client.get("/beheer/tenants/user/")
    assert changelist.status_code == 200
    assert "Authenticator-app ontkoppelen" in text(changelist)
    targets = [world.users["regisseur"].pk, world.users["outsider"].pk]
    response = client.post(
        "/beheer/tenants/user/",
        {"action": "reset_authenticator", "_selected_action": targets},
        follow=True,
    )
    assert "Bij 1 gebruiker is de authenticator-app ontkoppeld." in text(response)
    assert not TotpDevice.objects.filter(user=world.users["regisseur"]).exists()
    assert TotpDevice.objects.filter(user=world.users["outsider"]).exists()  # other municipality
    event = AuditEvent.objects.get(action="mfa_reset")
    assert event.user == world.users["beheerder"]
    assert event.municipality_id == world.gm.pk


def test_only_the_beheerder_can_unlink_apps(world: World) -> None:
    for persona in ("regisseur", "privacy", "outsider"):
        client = Client()
        client.force_login(world.users[persona])
        response = client.post(
            "/beheer/tenants/user/",
            {"action": "reset_authenticator", "_selected_action": [world.users["analist"].pk]},
        )
        assert response.status_code == 404, persona
    assert TotpDevice.objects.filter(user=world.users["analist"]).exists()

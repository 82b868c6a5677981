"""Notifications per user (ADR 0019): the list at /meldingen/, mark as read, the unread count
in the navigation, the API - always the user's own; someone else's is 404."""

from __future__ import annotations

import pytest
from django.test import Client

from wijkregie.notifications.models import Notification
from wijkregie.notifications.services import notify
from wijkregie.testing.personas import World

pytestmark = pytest.mark.django_db


def client_for(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


def note(world: World, persona: str, message: str = "Herinnering: casus C-1") -> Notification:
    [row] = notify(
        users=[world.users[persona]],
        municipality_id=world.users[persona].municipality_id,
        kind="escalatie",
        message=message,
        link="/casussen/acties/00000000-0000-0000-0000-000000000000/",
        email=False,
    )
    return row


def test_list_unread_count_and_mark_read(world: World) -> None:
    first = note(world, "wijkagent", "Herinnering A")
    note(world, "wijkagent", "Herinnering B")
    note(world, "regisseur", "Niet voor de wijkagent")
    client = client_for(world, "wijkagent")
    html = client.get("/meldingen/").content.decode()
    assert "Herinnering A" in html and "Herinnering B" in html
    assert "Niet voor de wijkagent" not in html
    assert '<span class="wr-badge">2<' in html
    response = client.post(f"/meldingen/{first.uuid}/gelezen/")
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.read_at is not None
    html = client.get("/meldingen/?ongelezen=1").content.decode()
    assert "Herinnering A" not in html and "Herinnering B" in html
    assert '<span class="wr-badge">1<' in html
    # Opening follows the link; the linked page does its own access check.
    other = Notification.objects.get(message="Herinnering B")
    opened = client.post(f"/meldingen/{other.uuid}/gelezen/", {"open": "1"})
    assert opened["Location"] == other.link
    assert client.get(other.link).status_code == 404
    assert client.post("/meldingen/alles-gelezen/").status_code == 302
    assert 'class="wr-badge"' not in client.get("/meldingen/").content.decode()


def test_someone_elses_notification_is_404(world: World) -> None:
    row = note(world, "regisseur")
    for persona in ("wijkagent", "outsider"):
        client = client_for(world, persona)
        assert client.post(f"/meldingen/{row.uuid}/gelezen/").status_code == 404
        assert client.post(f"/api/v1/notifications/{row.uuid}/read").status_code == 404
        assert row.message not in client.get("/meldingen/").content.decode()
        assert client.get("/api/v1/notifications").json()["results"] == []
    assert (
        client_for(world, "wijkagent").post("/meldingen/bestaat-niet/gelezen/").status_code == 404
    )
    row.refresh_from_db()
    assert row.read_at is None


def test_get_is_not_allowed_for_marking(world: World) -> None:
    row = note(world, "wijkagent")
    assert client_for(world, "wijkagent").get(f"/meldingen/{row.uuid}/gelezen/").status_code == 405


def test_api_list_and_mark_read(world: World) -> None:
    row = note(world, "wijkagent")
    note(world, "wijkagent", "Tweede")
    client = client_for(world, "wijkagent")
    body = client.get("/api/v1/notifications").json()
    assert body["unread"] == 2 and {r["message"] for r in body["results"]} == {
        row.message,
        "Tweede",
    }
    assert set(body["results"][0]) == {"uuid", "kind", "message", "link", "createdAt", "readAt"}
    read = client.post(f"/api/v1/notifications/{row.uuid}/read")
    assert read.status_code == 200 and read.json()["readAt"] is not None
    assert client.get("/api/v1/notifications?unread=1").json()["results"][0]["message"] == "Tweede"
    assert client.post("/api/v1/notifications/read").json() == {"marked": 1}
    assert client.get("/api/v1/notifications").json()["unread"] == 0


def test_persona_without_case_role_has_notifications_too(world: World) -> None:
    note(world, "privacy", "Escalatie (Bestuurlijk niveau): casus C-9")
    html = client_for(world, "privacy").get("/meldingen/").content.decode()
    assert "Escalatie (Bestuurlijk niveau)" in html


def test_anonymous(world: World) -> None:
    assert Client().get("/meldingen/").status_code == 302
    assert Client().get("/api/v1/notifications").status_code in (401, 403)


def test_inactive_users_and_duplicates_get_nothing(world: World) -> None:
    user = world.users["corporatie"]
    rows = notify(
        users=[user, user, None],
        municipality_id=world.gm.pk,
        kind="x",
        message="y",
        email=False,
    )
    assert len(rows) == 1
    user.is_active = False
    user.save()
    assert notify(users=[user], municipality_id=world.gm.pk, kind="x", message="y") == []

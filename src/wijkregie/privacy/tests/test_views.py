"""The privacy officer's access log, search and alerts; everyone else gets 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from wijkregie.privacy.models import AccessEvent, AuditEvent, Outcome
from wijkregie.privacy.services import log_access
from wijkregie.tenants.access import Viewer, viewer_for
from wijkregie.tenants.models import Organisation, Role, User
from wijkregie.testing.personas import World, make_user

ACCESS_LOG = reverse("privacy:access-log")
ALERTS = reverse("privacy:alerts")
OTHERS = ["regisseur", "analist", "wijkagent", "jongerenwerker", "beheerder", "outsider"]


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def viewer(world: World, name: str) -> Viewer:
    v = viewer_for(world.users[name])
    assert v is not None
    return v


def read(v: Viewer, pseudonym: str = "", *, flagged: bool = False, at: dt.datetime | None = None):
    """One granted read by the viewer (at a given time when `at` is set)."""
    if at is None:
        return log_access(
            viewer=v,
            action="R",
            object_type="subject",
            object_id=pseudonym or "x",
            granted=True,
            purpose="signaalbehandeling",
            subject_pseudonym=pseudonym,
            flagged=flagged,
        )
    return AccessEvent.objects.create(
        at=at,
        municipality_id=v.municipality_id,
        user=v.user,
        username=v.user.username,
        action="R",
        object_type="subject",
        object_id=pseudonym or "x",
        subject_pseudonym=pseudonym,
        purpose="signaalbehandeling",
        outcome=Outcome.GRANTED,
        access_point="web",
        flagged=flagged,
    )


def elders_officer(world: World) -> User:
    org = Organisation.objects.get(municipality=world.other_gm)
    return make_user("fg-elders", world.other_gm, [(org, Role.PRIVACY_OFFICER)])


@pytest.mark.parametrize("persona", OTHERS)
def test_pages_are_404_for_everyone_but_the_privacy_officer(world: World, persona: str) -> None:
    event = read(viewer(world, "regisseur"), "P-AAAAAA", flagged=True)
    client = client_for(world.users[persona])
    assert client.get(ACCESS_LOG).status_code == 404
    assert client.get(ACCESS_LOG, {"user": "regisseur"}).status_code == 404
    assert client.get(ALERTS).status_code == 404
    assert client.post(reverse("privacy:review", args=[event.pk])).status_code == 404
    event.refresh_from_db()
    assert event.reviewed_at is None
    # Nobody else's attempt leaves a read of the log behind.
    assert not AccessEvent.objects.filter(object_type="accesslog").exists()


def test_anonymous_is_sent_to_login(world: World) -> None:
    response = Client().get(ACCESS_LOG)
    assert response.status_code == 302
    assert reverse("web:login") in response["Location"]


def test_officer_sees_only_their_municipality(world: World) -> None:
    read(viewer(world, "regisseur"), "P-GM9999")
    outsider = viewer(world, "outsider")
    read(outsider, "P-ELDERS")
    page = client_for(world.users["privacy"]).get(ACCESS_LOG)
    assert page.status_code == 200
    body = page.content.decode()
    assert "P-GM9999" in body and "P-ELDERS" not in body
    assert 'aria-current="page"' in body and "Inzagelog" in body  # the menu link
    body = client_for(elders_officer(world)).get(ACCESS_LOG).content.decode()
    assert "P-ELDERS" in body and "P-GM9999" not in body


def test_search_by_pseudonym_user_and_period(world: World) -> None:
    reg, agent = viewer(world, "regisseur"), viewer(world, "wijkagent")
    now = timezone.now()
    read(reg, "P-111111", at=now - dt.timedelta(days=10))
    read(reg, "P-222222", at=now - dt.timedelta(days=1))
    read(agent, "P-111111")
    client = client_for(world.users["privacy"])

    def rows(**params: str) -> list[tuple[str, str]]:
        response = client.get(ACCESS_LOG, params)
        assert response.status_code == 200
        return sorted(
            (e.username, e.subject_pseudonym)
            for e in response.context["page"].object_list
            if e.object_type != "accesslog"
        )

    assert rows(pseudonym="p-111111") == [("regisseur", "P-111111"), ("wijkagent", "P-111111")]
    assert rows(user="REGISSEUR") == [("regisseur", "P-111111"), ("regisseur", "P-222222")]
    day = timezone.localdate(now - dt.timedelta(days=10)).isoformat()
    assert rows(start=day, end=day) == [("regisseur", "P-111111")]
    since = timezone.localdate(now - dt.timedelta(days=2)).isoformat()
    assert rows(start=since, user="regisseur") == [("regisseur", "P-222222")]
    assert rows(pseudonym="P-999999") == []
    # The search itself is logged, with what was searched.
    searched = AccessEvent.objects.filter(object_type="accesslog", username="privacy")
    assert searched.filter(detail__startswith="pseudoniem=P-111111").exists()
    assert searched.filter(purpose="toezicht", outcome="granted").count() == 5


def test_invalid_period_gives_dutch_errors_and_no_results(world: World) -> None:
    client = client_for(world.users["privacy"])
    response = client.get(ACCESS_LOG, {"start": "2026-05-02", "end": "2026-05-01"})
    assert response.status_code == 200
    assert response.context["page"] is None
    assert "De einddatum ligt voor de begindatum." in response.content.decode()
    response = client.get(ACCESS_LOG, {"start": "morgen"})
    assert "Vul een geldige datum in." in response.content.decode()


def test_pagination(world: World) -> None:
    reg = viewer(world, "regisseur")
    for i in range(60):
        read(reg, f"P-{i:06d}")
    client = client_for(world.users["privacy"])
    first = client.get(ACCESS_LOG, {"user": "regisseur"})
    assert len(first.context["page"].object_list) == 50
    assert first.context["page"].paginator.num_pages == 2
    assert "page=2" in first.content.decode()
    second = client.get(ACCESS_LOG, {"user": "regisseur", "page": "2"})
    assert len(second.context["page"].object_list) == 10
    assert list(second.context["page"].object_list)[-1].subject_pseudonym == "P-000000"


@override_settings(ACCESS_ALERT_SUBJECTS_PER_DAY=2)
def test_alert_for_a_user_reading_many_subjects_in_a_day(world: World) -> None:
    reg, agent = viewer(world, "regisseur"), viewer(world, "wijkagent")
    for p in ("P-000001", "P-000002", "P-000003", "P-000003"):
        read(reg, p)
    for p in ("P-000001", "P-000002"):
        read(agent, p)  # at the threshold, not above it
    # Spread over two days, the same three reads are no alert.
    old = timezone.now() - dt.timedelta(days=5)
    read(agent, "P-000003", at=old)
    read(agent, "P-000004", at=old)
    read(viewer(world, "outsider"), "P-000009")
    response = client_for(world.users["privacy"]).get(ALERTS)
    assert response.status_code == 200
    readers = response.context["readers"]
    assert [(r.username, r.subjects) for r in readers] == [("regisseur", 3)]
    assert readers[0].day == timezone.localdate()
    assert AccessEvent.objects.filter(object_type="accesslog", object_id="signaleringen").exists()


def test_flagged_reads_await_review_and_are_reviewed_once(world: World) -> None:
    reg = viewer(world, "regisseur")
    flagged = read(reg, "P-000001", flagged=True)
    read(reg, "P-000002")  # not flagged
    elders = read(viewer(world, "outsider"), "P-000003", flagged=True)
    client = client_for(world.users["privacy"])
    response = client.get(ALERTS)
    assert [e.pk for e in response.context["flagged"]] == [flagged.pk]
    assert f'id="flagged-{flagged.pk}"' in response.content.decode()

    review = reverse("privacy:review", args=[flagged.pk])
    assert client.get(review).status_code == 405
    response = client.post(review)
    assert response.status_code == 302 and response["Location"] == ALERTS
    flagged.refresh_from_db()
    assert flagged.reviewed_by == world.users["privacy"]
    assert AuditEvent.objects.filter(action="access_review", object_id=str(flagged.pk)).exists()
    assert client.get(ALERTS).context["flagged"] == []
    assert client.post(review).status_code == 404  # once
    # Another municipality's flagged read is not theirs to review.
    assert client.post(reverse("privacy:review", args=[elders.pk])).status_code == 404
    elders.refresh_from_db()
    assert elders.reviewed_at is None
    body = client.get(ACCESS_LOG, {"flagged": "on"}).content.decode()
    assert "Beoordeeld op" in body

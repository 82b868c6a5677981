"""Beheer of meetings: own municipality only, with sessions inline; others get no access."""

from __future__ import annotations

from django.test import Client

from wijkregie.learning.demo import create_demo_learning
from wijkregie.learning.models import Meeting
from wijkregie.testing.personas import World


def test_beheerder_records_a_meeting_with_sessions(circle: World) -> None:
    demo = create_demo_learning(municipality=circle.gm)
    client = Client()
    client.force_login(circle.users["beheerder"])
    listing = client.get("/beheer/learning/meeting/")
    assert listing.status_code == 200
    assert demo.theme[:40] in listing.content.decode()
    form = client.get("/beheer/learning/meeting/add/")
    assert form.status_code == 200
    assert 'name="municipality"' not in form.content.decode()
    response = client.post(
        "/beheer/learning/meeting/add/",
        {
            "circle": "Leerkring leefbaarheid en veiligheid",
            "number": "3",
            "date": "2020-11-25",
            "theme": "Derde bijeenkomst",
            "participants": '["Demodam"]',
            "sessions-TOTAL_FORMS": "1",
            "sessions-INITIAL_FORMS": "0",
            "sessions-MIN_NUM_FORMS": "0",
            "sessions-MAX_NUM_FORMS": "1000",
            "sessions-0-order": "0",
            "sessions-0-kind": "subsessie",
            "sessions-0-title": "Wijkaanpak",
            "sessions-0-facilitators": "Gemeente Demodam",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    meeting = Meeting.objects.get(theme="Derde bijeenkomst")
    assert meeting.municipality_id == circle.gm.pk
    assert [s.title for s in meeting.sessions.all()] == ["Wijkaanpak"]


def test_others_have_no_meeting_admin(circle: World) -> None:
    demo = create_demo_learning(municipality=circle.gm)
    for persona in ("regisseur", "outsider"):
        client = Client()
        client.force_login(circle.users[persona])
        response = client.get(f"/beheer/learning/meeting/{demo.pk}/change/")
        assert response.status_code in (302, 404), persona

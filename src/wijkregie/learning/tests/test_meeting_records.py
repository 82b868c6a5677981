"""Recording meetings of the learning circle in the app (web formset and API): editors of a
participating municipality record, only the recording municipality's editors change, Dutch
validation, everyone else 404."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from wijkregie.learning import services
from wijkregie.learning.models import Meeting, Participation, PracticeCard
from wijkregie.learning.tests.test_learning import client_for, make_card, publish
from wijkregie.privacy.models import AuditEvent
from wijkregie.tenants.access import viewer_for
from wijkregie.tenants.models import Organisation, Role
from wijkregie.testing.personas import World, make_user

CREATE = "/leerkring/bijeenkomsten/nieuw/"


def session_rows(rows: list[dict[str, Any]], *, initial: int = 0, total: int = 4) -> dict[str, Any]:
    data: dict[str, Any] = {
        "sessions-TOTAL_FORMS": str(max(total, len(rows))),
        "sessions-INITIAL_FORMS": str(initial),
        "sessions-MIN_NUM_FORMS": "0",
        "sessions-MAX_NUM_FORMS": "50",
    }
    for i in range(max(total, len(rows))):
        row = {"kind": "subsessie", "title": "", "facilitators": "", "summary": ""}
        row.update({"takeaways": "", "order": ""})
        if i < len(rows):
            row.update(rows[i])
        for key, value in row.items():
            if key == "DELETE":
                if value:
                    data[f"sessions-{i}-DELETE"] = "on"
                continue
            data[f"sessions-{i}-{key}"] = value
    return data


def meeting_post(rows: list[dict[str, Any]] | None = None, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "circle": "Leerkring leefbaarheid en veiligheid",
        "number": "3",
        "date": "2026-10-14",
        "theme": "Ondermijning in de wijk",
        "plenary": "Opening en stand van zaken",
        "participants": "Demodam\nElders\n\nDemodam",
        "questions": "Hoe betrekken we bewoners?",
        "agreements": "Volgende keer in Elders",
        "takeaways": "Samen optrekken werkt",
    }
    data.update(fields)
    data.update(
        session_rows(
            rows
            if rows is not None
            else [
                {"kind": "plenair", "title": "Opening", "facilitators": "Voorzitter"},
                {"title": "Burgers betrekken", "summary": "Ervaringen", "takeaways": "Luister"},
            ]
        )
    )
    return data


def meeting_of(world: World, persona: str = "regisseur", **extra: Any) -> Meeting:
    viewer = viewer_for(world.users[persona])
    assert viewer is not None
    import datetime as dt

    data = services.MeetingData(
        circle="Leerkring leefbaarheid en veiligheid",
        date=dt.date(2026, 9, 1),
        theme="Jeugd en veiligheid",
        participants=["Demodam"],
        sessions=[
            services.SessionData(kind="plenair", title="Opening"),
            services.SessionData(kind="subsessie", title="Hangplekken", summary="Aanpak"),
        ],
        **extra,
    )
    return services.meeting_save(viewer=viewer, data=data)


def test_record_a_meeting_in_the_browser_without_javascript(circle: World) -> None:
    card = make_card(circle)
    client = client_for(circle, "regisseur")
    listing = client.get("/leerkring/bijeenkomsten/").content.decode()
    assert 'id="meeting-create"' in listing and "Bijeenkomst vastleggen" in listing
    page = client.get(CREATE)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="sessions-TOTAL_FORMS"' in html and "<script>" not in html
    assert 'style="' not in html and "Demodam" in html  # participants filled in by default
    response = client.post(CREATE, meeting_post(cards=[str(card.uuid)]))
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert response["Location"] == f"/leerkring/bijeenkomsten/{meeting.uuid}/"
    assert meeting.municipality_id == circle.gm.pk
    assert meeting.number == 3 and meeting.theme == "Ondermijning in de wijk"
    assert meeting.participants == ["Demodam", "Elders"]
    sessions = list(meeting.sessions.order_by("order", "id"))
    assert [(s.kind, s.title) for s in sessions] == [
        ("plenair", "Opening"),
        ("subsessie", "Burgers betrekken"),
    ]  # the two empty extra rows were skipped
    assert list(meeting.cards.all()) == [card]
    event = AuditEvent.objects.get(action="meeting_create")
    assert event.object_id == str(meeting.uuid) and event.changes["sessions"] == 2
    detail = client.get(f"/leerkring/bijeenkomsten/{meeting.uuid}/").content.decode()
    assert "Burgers betrekken" in detail and 'id="meeting-edit"' in detail


def test_more_rows_keeps_the_input_and_saves_nothing(circle: World) -> None:
    client = client_for(circle, "regisseur")
    data = meeting_post(
        [{"title": "Opening"}, {}, {"title": "Derde", "summary": "Tekst"}], theme=""
    )
    data["more_rows"] = "1"
    response = client.post(CREATE, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert not Meeting.objects.exists()
    # the four rows posted (two filled, shown first) and three more
    assert 'name="sessions-TOTAL_FORMS" value="7"' in html
    assert 'value="Opening"' in html and 'value="Derde"' in html
    assert 'id="form-errors"' not in html  # not checked yet: the theme is still empty
    assert "Samen optrekken werkt" in html
    # Saving from there works as usual.
    data = meeting_post([{"title": "Opening"}, {"title": "Derde"}])
    data["sessions-INITIAL_FORMS"] = "2"
    assert client.post(CREATE, data).status_code == 302
    assert [s.title for s in Meeting.objects.get().sessions.order_by("order")] == [
        "Opening",
        "Derde",
    ]


def test_dutch_validation_and_nothing_saved(circle: World) -> None:
    client = client_for(circle, "regisseur")
    response = client.post(
        CREATE,
        meeting_post(
            [{"title": "Opening"}, {"summary": "Een rij zonder titel"}],
            date="",
            theme="",
        ),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Vul de datum van de bijeenkomst in." in html
    assert "Vul het thema van de bijeenkomst in." in html
    assert "Sessie 2, Titel: Geef de sessie een titel." in html
    assert not Meeting.objects.exists()
    # A post without the formset's management fields is a Dutch form error, not a crash.
    tampered = {k: v for k, v in meeting_post().items() if not k.startswith("sessions-")}
    response = client.post(CREATE, tampered)
    assert response.status_code == 400 and not Meeting.objects.exists()
    # Contact details in a shared report are refused by the service.
    response = client.post(
        CREATE, meeting_post([{"title": "Opening", "facilitators": "jan@example.org"}])
    )
    assert response.status_code == 400
    assert "Sessie 1, Begeleiding: Deze tekst lijkt persoonsgegevens te bevatten" in (
        response.content.decode()
    )
    assert not Meeting.objects.exists()


def test_a_card_the_viewer_may_not_see_cannot_be_linked(circle: World) -> None:
    Participation.objects.create(municipality=circle.other_gm)
    other_draft = elders_card(circle)
    client = client_for(circle, "regisseur")
    page = client.get(CREATE).content.decode()
    assert str(other_draft.uuid) not in page
    response = client.post(CREATE, meeting_post(cards=[str(other_draft.uuid)]))
    assert response.status_code == 400
    assert "Kies praktijkkaarten die u mag zien." in response.content.decode()
    assert not Meeting.objects.exists()
    viewer = viewer_for(circle.users["regisseur"])
    assert viewer is not None
    with pytest.raises(services.ValidationError) as caught:
        meeting_of(circle, cards=[other_draft])
    assert caught.value.message_dict["cards"] == ["Kies praktijkkaarten die u mag zien."]


def test_edit_changes_fields_and_deletes_a_session(circle: World) -> None:
    meeting = meeting_of(circle)
    client = client_for(circle, "beheerder")  # another editor of the recording municipality
    page = client.get(f"/leerkring/bijeenkomsten/{meeting.uuid}/bewerken/")
    assert page.status_code == 200
    assert "Hangplekken" in page.content.decode()
    data = meeting_post(
        [
            {"kind": "plenair", "title": "Opening", "DELETE": True},
            {"title": "Hangplekken", "summary": "Aanpak met jongerenwerk"},
            {"title": "Nieuwe sessie", "order": "1"},
        ],
        theme="Jeugd en veiligheid (bijgewerkt)",
    )
    data["sessions-INITIAL_FORMS"] = "2"
    response = client.post(f"/leerkring/bijeenkomsten/{meeting.uuid}/bewerken/", data)
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.theme == "Jeugd en veiligheid (bijgewerkt)"
    assert [s.title for s in meeting.sessions.order_by("order", "id")] == [
        "Nieuwe sessie",
        "Hangplekken",
    ]
    assert meeting.sessions.get(title="Hangplekken").summary == "Aanpak met jongerenwerk"
    event = AuditEvent.objects.get(action="meeting_update")
    assert event.changes["sessions"] == 2 and event.changes["sessions_replaced"] == 2


def test_links_to_cards_the_editor_cannot_see_are_kept(circle: World) -> None:
    Participation.objects.create(municipality=circle.other_gm)
    elders = viewer_for(circle.users["outsider"])
    assert elders is not None
    foreign = elders_card(circle)
    services.card_submit(viewer=elders, card=foreign)
    reviewer = make_user("elders2", circle.other_gm, [(org_of(circle), Role.BEHEERDER)])
    reviewer_viewer = viewer_for(reviewer)
    assert reviewer_viewer is not None
    services.card_review(viewer=reviewer_viewer, card=foreign, approve=True, note="")
    own = make_card(circle)
    meeting = meeting_of(circle, cards=[foreign, own])
    services.card_withdraw(viewer=elders, card=foreign)  # back to draft: Demodam cannot see it
    client = client_for(circle, "regisseur")
    response = client.post(f"/leerkring/bijeenkomsten/{meeting.uuid}/bewerken/", meeting_post())
    assert response.status_code == 302
    assert set(meeting.cards.all()) == {foreign}  # own card unticked, the hidden one kept


def elders_card(world: World) -> PracticeCard:
    viewer = viewer_for(world.users["outsider"])
    assert viewer is not None
    data = services.CardData(
        title="Eldersaanpak",
        problem="Overlast",
        approach="Buurtteam",
        area_type="dorp",
        contact_organisation="Gemeente Elders",
    )
    return services.card_save(viewer=viewer, data=data)


def org_of(world: World) -> Organisation:
    return Organisation.objects.get(municipality=world.other_gm, slug="gemeente")


@pytest.mark.parametrize(
    "persona", ["analist", "wijkagent", "corporatie", "privacy", "outsider", "outsider_in_circle"]
)
def test_wrong_role_and_outsiders_get_404(circle: World, persona: str) -> None:
    meeting = meeting_of(circle)
    if persona == "outsider_in_circle":
        Participation.objects.create(municipality=circle.other_gm)
        persona = "outsider"
        may_create = True  # an editor of another participating municipality records its own
    else:
        may_create = False
    client: Client = client_for(circle, persona)
    edit = f"/leerkring/bijeenkomsten/{meeting.uuid}/bewerken/"
    assert client.get(edit).status_code == 404
    assert client.post(edit, meeting_post(theme="Gekaapt")).status_code == 404
    assert client.get(CREATE).status_code == (200 if may_create else 404)
    if not may_create:
        assert client.post(CREATE, meeting_post()).status_code == 404
        assert Meeting.objects.count() == 1
    detail = client.get(f"/leerkring/bijeenkomsten/{meeting.uuid}/")
    if detail.status_code == 200:
        assert 'id="meeting-edit"' not in detail.content.decode()
        listing = client.get("/leerkring/bijeenkomsten/").content.decode()
        assert ('id="meeting-create"' in listing) == may_create
    api = APIClient()
    api.force_authenticate(circle.users[persona])
    put = api.put(f"/api/v1/learning/meetings/{meeting.uuid}", api_body(), format="json")
    assert put.status_code == 404
    assert put["Content-Type"].startswith("application/problem+json")
    created = api.post("/api/v1/learning/meetings", api_body(), format="json")
    assert created.status_code == (201 if may_create else 404)
    meeting.refresh_from_db()
    assert meeting.theme == "Jeugd en veiligheid"


def api_body(**extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "circle": "Leerkring leefbaarheid en veiligheid",
        "number": 4,
        "date": "2026-11-20",
        "theme": "Bewonersparticipatie",
        "plenary": "Opening",
        "participants": ["Demodam", "Elders"],
        "questions": "",
        "agreements": "",
        "takeaways": "Kleine stappen",
        "cards": [],
        "sessions": [
            {"kind": "plenair", "title": "Opening", "facilitators": "Voorzitter"},
            {"kind": "subsessie", "title": "Buurtbudget", "summary": "Wat werkt", "order": 5},
        ],
    }
    body.update(extra)
    return body


def test_api_create_and_replace(circle: World) -> None:
    card = publish(circle, make_card(circle))
    api = APIClient()
    api.force_authenticate(circle.users["regisseur"])
    created = api.post("/api/v1/learning/meetings", api_body(cards=[str(card.uuid)]), format="json")
    assert created.status_code == 201
    body = created.json()
    assert body["theme"] == "Bewonersparticipatie" and body["number"] == 4
    assert body["cards"] == [str(card.uuid)]
    assert [s["title"] for s in body["sessions"]] == ["Buurtbudget", "Opening"]  # by order
    read = api.get(f"/api/v1/learning/meetings/{body['uuid']}").json()
    assert read == body  # the same shape as the read endpoint
    replaced = api.put(
        f"/api/v1/learning/meetings/{body['uuid']}",
        api_body(theme="Bewoners (verslag)", sessions=[{"kind": "subsessie", "title": "Enige"}]),
        format="json",
    )
    assert replaced.status_code == 200
    assert replaced.json()["theme"] == "Bewoners (verslag)"
    assert [s["title"] for s in replaced.json()["sessions"]] == ["Enige"]
    assert replaced.json()["cards"] == []
    assert AuditEvent.objects.filter(action__in=["meeting_create", "meeting_update"]).count() == 2


def test_api_problem_details_in_dutch(circle: World) -> None:
    api = APIClient()
    api.force_authenticate(circle.users["regisseur"])
    response = api.post(
        "/api/v1/learning/meetings",
        api_body(
            date=None,
            theme="",
            sessions=[{"kind": "subsessie", "title": ""}, {"kind": "onbekend", "title": "X"}],
            cards=["0b7f0000-0000-4000-8000-000000000009"],
        ),
        format="json",
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    reasons = {p["name"]: p["reason"] for p in response.json()["invalidParams"]}
    assert reasons["theme"] == "Vul het thema van de bijeenkomst in."
    assert reasons["date"] == "Vul de datum van de bijeenkomst in."
    assert reasons["cards"] == "Kies praktijkkaarten die u mag zien."
    assert "sessions.1.kind" in reasons
    assert not Meeting.objects.exists()
    missing = api.post("/api/v1/learning/meetings", {"circle": "Leerkring"}, format="json")
    assert missing.status_code == 400
    reasons = {p["name"]: p["reason"] for p in missing.json()["invalidParams"]}
    assert reasons == {
        "date": "Vul de datum van de bijeenkomst in.",
        "theme": "Vul het thema van de bijeenkomst in.",
    }
    # With readable sessions the per-row domain errors come through with their index.
    response = api.post(
        "/api/v1/learning/meetings",
        api_body(
            sessions=[{"kind": "plenair", "title": "Opening"}, {"kind": "subsessie", "title": " "}]
        ),
        format="json",
    )
    assert response.status_code == 400
    reasons = {p["name"]: p["reason"] for p in response.json()["invalidParams"]}
    assert reasons == {"sessions.1.title": "Geef de sessie een titel."}
    assert not Meeting.objects.exists()
    assert api.post("/api/v1/learning/meetings", "x", content_type="text/plain").status_code == 415


def test_api_schema_documents_the_write_endpoints(world: World) -> None:
    schema = APIClient().get("/api/v1/openapi.json").json()
    create = schema["paths"]["/api/v1/learning/meetings"]["post"]
    update = schema["paths"]["/api/v1/learning/meetings/{uuid}"]["put"]
    assert create["operationId"] == "learningMeetingCreate" and create["summary"]
    assert update["operationId"] == "learningMeetingUpdate" and update["summary"]
    assert set(create["responses"]) >= {"201", "400", "404"}
    assert set(update["responses"]) >= {"200", "400", "404"}


def test_service_refuses_non_editors(circle: World) -> None:
    meeting = meeting_of(circle)
    analist = viewer_for(circle.users["analist"])
    assert analist is not None
    with pytest.raises(services.ValidationError):
        services.meeting_save(viewer=analist, data=services.MeetingData(), meeting=meeting)
    with pytest.raises(services.ValidationError):
        services.meeting_save(viewer=analist, data=services.MeetingData())
    assert PracticeCard.objects.count() == 0

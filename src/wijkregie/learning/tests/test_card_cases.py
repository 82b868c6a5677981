"""Linking a practice card to cases with need-to-know: only cases the author takes part in,
shown only to the case's participants (and logged as a case read), kept when another editor
changes the card, never exported, never shown to other municipalities."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from wijkregie.cases.models import Case, Participant, ParticipantRole
from wijkregie.cases.services import ensure_default_case_types
from wijkregie.learning import services
from wijkregie.learning.models import Participation, PracticeCard
from wijkregie.learning.tests.test_learning import client_for, make_card, publish
from wijkregie.privacy.models import AccessEvent, AuditEvent
from wijkregie.tenants.access import viewer_for
from wijkregie.tenants.models import Role
from wijkregie.testing.personas import World, make_user


def make_case(world: World, reference: str, title: str, *participants: str) -> Case:
    case_type = ensure_default_case_types(municipality=world.gm)[0]
    case = Case.objects.create(
        municipality=world.gm,
        reference=reference,
        case_type=case_type,
        title=title,
        phase="analyse",
    )
    for persona in participants:
        Participant.objects.create(
            case=case,
            municipality_id=world.gm.pk,
            organisation=world.orgs["gemeente"],
            user=world.users[persona],
            role=ParticipantRole.PARTICIPANT,
        )
    return case


@pytest.fixture
def linked(circle: World) -> World:
    """A second regisseur, and two cases: one of the regisseur, one of the second one."""
    circle.users["regisseur2"] = make_user(
        "regisseur2", circle.gm, [(circle.orgs["gemeente"], Role.REGISSEUR)]
    )
    make_case(circle, "C-0001", "Portiek Noordstraat", "regisseur")
    make_case(circle, "C-0002", "Hangplek speeltuin", "regisseur2")
    make_case(circle, "C-0003", "Overlast winkelcentrum", "regisseur", "regisseur2")
    return circle


def case(reference: str) -> Case:
    return Case.objects.get(reference=reference)


def form_data(**extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "Portiekaanpak",
        "problem": "Overlast in portieken",
        "approach": "Buurtconciërge",
        "area_type": "naoorlogs",
        "contact_organisation": "Gemeente Demodam",
    }
    data.update(extra)
    return data


def linked_references(card: PracticeCard) -> set[str]:
    return set(card.cases.values_list("reference", flat=True))


def test_the_form_offers_only_the_authors_own_cases(linked: World) -> None:
    page = client_for(linked, "regisseur").get("/leerkring/kaarten/nieuw/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "C-0001" in html and "Portiek Noordstraat" in html and "C-0003" in html
    assert "C-0002" not in html and "Hangplek speeltuin" not in html
    # Not a case reader (beheerder) or pseudonymised (analist: no editor either): no field.
    beheerder = client_for(linked, "beheerder").get("/leerkring/kaarten/nieuw/").content.decode()
    assert 'name="cases"' not in beheerder and "C-0001" not in beheerder


def test_create_with_own_cases_and_the_detail_shows_them_to_participants(linked: World) -> None:
    client = client_for(linked, "regisseur")
    response = client.post(
        "/leerkring/kaarten/nieuw/",
        form_data(cases=[str(case("C-0001").uuid), str(case("C-0003").uuid)]),
    )
    assert response.status_code == 302
    card = PracticeCard.objects.get()
    assert linked_references(card) == {"C-0001", "C-0003"}
    created = AuditEvent.objects.filter(action="create", object_id=str(card.uuid)).get()
    assert sorted(created.changes["cases"]["added"]) == sorted(
        [str(case("C-0001").uuid), str(case("C-0003").uuid)]
    )

    before = AccessEvent.objects.filter(object_type="case").count()
    html = client.get(f"/leerkring/kaarten/{card.uuid}/").content.decode()
    assert "C-0001 — Portiek Noordstraat" in html and "C-0003 — Overlast winkelcentrum" in html
    assert reverse("cases:detail", args=[case("C-0001").uuid]) in html
    reads = AccessEvent.objects.filter(object_type="case").order_by("id")[before:]
    assert {e.object_id for e in reads} == {str(case("C-0001").uuid), str(case("C-0003").uuid)}
    assert {e.detail for e in reads} == {"praktijkkaart"}

    # The second regisseur takes part in C-0003 only: sees that one, nothing about C-0001.
    before = AccessEvent.objects.filter(object_type="case").count()
    other = client_for(linked, "regisseur2").get(f"/leerkring/kaarten/{card.uuid}/")
    other_html = other.content.decode()
    assert "C-0003" in other_html
    assert "C-0001" not in other_html and "Portiek Noordstraat" not in other_html
    reads = AccessEvent.objects.filter(object_type="case").order_by("id")[before:]
    assert [e.object_id for e in reads] == [str(case("C-0003").uuid)]

    # Same municipality without taking part (beheerder, analist): nothing, and nothing logged.
    for persona in ("beheerder", "analist"):
        before = AccessEvent.objects.filter(object_type="case").count()
        page = client_for(linked, persona).get(f"/leerkring/kaarten/{card.uuid}/")
        assert page.status_code == 200
        text = page.content.decode()
        assert "C-000" not in text and "Portiek Noordstraat" not in text
        assert "Overlast winkelcentrum" not in text
        assert AccessEvent.objects.filter(object_type="case").count() == before


def test_a_forged_case_uuid_is_refused_in_dutch_and_nothing_is_saved(linked: World) -> None:
    client = client_for(linked, "regisseur")
    forged = str(case("C-0002").uuid)  # a case the regisseur does not take part in
    response = client.post("/leerkring/kaarten/nieuw/", form_data(cases=[forged]))
    assert response.status_code == 400
    assert "Kies alleen casussen waaraan u deelneemt." in response.content.decode()
    assert not PracticeCard.objects.exists()

    card = make_card(linked)
    response = client.post(
        f"/leerkring/kaarten/{card.uuid}/bewerken/",
        form_data(title="Gewijzigd", cases=[str(case("C-0001").uuid), forged]),
    )
    assert response.status_code == 400
    assert "Kies alleen casussen waaraan u deelneemt." in response.content.decode()
    card.refresh_from_db()
    assert card.title == "Portiekaanpak" and linked_references(card) == set()

    # The service refuses it as well (a second line of defence).
    viewer = viewer_for(linked.users["regisseur"])
    assert viewer is not None
    with pytest.raises(ValidationError) as caught:
        services.card_save(
            viewer=viewer,
            data=services.CardData(**form_data(), cases=[case("C-0002")]),  # type: ignore[arg-type]
        )
    assert caught.value.message_dict["cases"] == ["Kies alleen casussen waaraan u deelneemt."]


def test_editing_keeps_links_the_editor_cannot_see(linked: World) -> None:
    author = client_for(linked, "regisseur")
    author.post(
        "/leerkring/kaarten/nieuw/",
        form_data(cases=[str(case("C-0001").uuid), str(case("C-0003").uuid)]),
    )
    card = PracticeCard.objects.get()
    second = client_for(linked, "regisseur2")
    edit = second.get(f"/leerkring/kaarten/{card.uuid}/bewerken/").content.decode()
    assert "C-0001" not in edit and "C-0002" in edit
    # The second regisseur links C-0002 and unticks C-0003 (which they can see).
    response = second.post(
        f"/leerkring/kaarten/{card.uuid}/bewerken/", form_data(cases=[str(case("C-0002").uuid)])
    )
    assert response.status_code == 302
    assert linked_references(card) == {"C-0001", "C-0002"}
    # A beheerder (no case field at all) edits: every link stays.
    response = client_for(linked, "beheerder").post(
        f"/leerkring/kaarten/{card.uuid}/bewerken/", form_data(title="Andere titel")
    )
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.title == "Andere titel" and linked_references(card) == {"C-0001", "C-0002"}
    # The author clears their own links: the second regisseur's C-0002 stays.
    author.post(f"/leerkring/kaarten/{card.uuid}/bewerken/", form_data())
    assert linked_references(card) == {"C-0002"}


def test_removed_participation_hides_the_link(linked: World) -> None:
    client = client_for(linked, "regisseur")
    client.post("/leerkring/kaarten/nieuw/", form_data(cases=[str(case("C-0001").uuid)]))
    card = PracticeCard.objects.get()
    Participant.objects.filter(case=case("C-0001")).update(removed_at="2026-01-01T00:00:00Z")
    html = client.get(f"/leerkring/kaarten/{card.uuid}/").content.decode()
    assert "C-0001" not in html and "Portiek Noordstraat" not in html


def test_case_references_never_leave_the_municipality(linked: World) -> None:
    """Export, import and what other municipalities see never hold a case reference."""
    Participation.objects.create(municipality=linked.other_gm)
    client = client_for(linked, "regisseur")
    client.post(
        "/leerkring/kaarten/nieuw/",
        form_data(cases=[str(case("C-0001").uuid), str(case("C-0003").uuid)]),
    )
    card = publish(linked, PracticeCard.objects.get())
    assert linked_references(card) == {"C-0001", "C-0003"}
    secrets = [
        "C-0001",
        "C-0003",
        "Portiek Noordstraat",
        "Overlast winkelcentrum",
        str(case("C-0001").uuid),
        str(case("C-0003").uuid),
    ]

    def assert_clean(text: str) -> None:
        for secret in secrets:
            assert secret not in text

    # Exports, even by a participant of the cases.
    for url in ("/leerkring/export.json", f"/leerkring/kaarten/{card.uuid}/export.json"):
        response = client.get(url)
        assert response.status_code == 200
        body = response.content.decode()
        assert_clean(body)
        assert all("cases" not in c for c in json.loads(body)["cards"])
    exported = client.get("/leerkring/export.json").json()

    # The other municipality's reader (API and page).
    api = APIClient()
    api.force_authenticate(linked.users["outsider"])
    for url in ("/api/v1/learning/cards", f"/api/v1/learning/cards/{card.uuid}"):
        response = api.get(url)
        assert response.status_code == 200
        assert_clean(response.content.decode())
    page = client_for(linked, "outsider").get(f"/leerkring/kaarten/{card.uuid}/")
    assert page.status_code == 200
    assert_clean(page.content.decode())
    assert "Koppelingen in uw gemeente" not in page.content.decode()

    # An import carrying case links is refused as a whole (unknown field).
    exported["cards"][0]["uuid"] = "0b7f0000-0000-4000-8000-000000000001"
    exported["cards"][0]["cases"] = [str(case("C-0001").uuid)]
    importer = viewer_for(linked.users["outsider"])
    assert importer is not None
    with pytest.raises(ValidationError) as caught:
        services.import_cards(viewer=importer, payload=exported)
    assert "cards[0]" in caught.value.message_dict
    assert not PracticeCard.objects.filter(municipality=linked.other_gm).exists()


@pytest.mark.parametrize("persona", ["outsider", "wijkagent", "privacy", "analist"])
def test_no_case_field_or_links_for_others(linked: World, persona: str) -> None:
    card = make_card(linked, cases=[case("C-0001")])
    client: Client = client_for(linked, persona)
    create = client.get("/leerkring/kaarten/nieuw/")
    edit = client.get(f"/leerkring/kaarten/{card.uuid}/bewerken/")
    assert create.status_code == 404 and edit.status_code == 404
    detail = client.get(f"/leerkring/kaarten/{card.uuid}/")
    assert detail.status_code == (200 if persona == "analist" else 404)
    assert "C-0001" not in detail.content.decode()


def test_a_pseudonymised_editor_never_changes_case_links(linked: World) -> None:
    """An analist who is also beheerder edits cards but is pseudonymised: no case field, and
    even an empty list through the service leaves the links alone."""
    user = make_user(
        "analist_beheerder",
        linked.gm,
        [(linked.orgs["gemeente"], Role.ANALIST), (linked.orgs["gemeente"], Role.BEHEERDER)],
    )
    Participant.objects.create(
        case=case("C-0001"),
        municipality_id=linked.gm.pk,
        organisation=linked.orgs["gemeente"],
        user=user,
        role=ParticipantRole.OBSERVER,
    )
    card = make_card(linked, cases=[case("C-0001")])
    client = Client()
    client.force_login(user)
    edit = client.get(f"/leerkring/kaarten/{card.uuid}/bewerken/").content.decode()
    assert edit and 'name="cases"' not in edit and "C-0001" not in edit
    viewer = viewer_for(user)
    assert viewer is not None and viewer.pseudonymised
    services.card_save(viewer=viewer, data=services.CardData(**form_data(), cases=[]), card=card)  # type: ignore[arg-type]
    assert linked_references(card) == {"C-0001"}
    with pytest.raises(ValidationError):
        services.card_save(
            viewer=viewer,
            data=services.CardData(**form_data(), cases=[case("C-0001")]),  # type: ignore[arg-type]
            card=card,
        )

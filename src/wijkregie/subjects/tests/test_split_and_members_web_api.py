"""The split form on the subject page, `POST /api/v1/subjects/{uuid}/split` and the group
members API, tried by every persona."""

from __future__ import annotations

import json

import pytest

from wijkregie.subjects import services
from wijkregie.subjects.models import LinkConstraint, PersonRecord, Subject, SubjectEvent
from wijkregie.subjects.tests.helpers import attach_person, client_for, viewer
from wijkregie.testing.personas import EXPECTED_VISIBLE, World

PERSONAS = sorted(EXPECTED_VISIBLE)
REASON = "Andere persoon volgens het dossier van de wijkagent"
# Who sees the person of the police_shared signal (and so may reach its forms at all).
SEES_PERSON = {"wijkagent", "regisseur", "analist", "corporatie"}


@pytest.fixture
def records(world: World) -> tuple[Subject, PersonRecord, PersonRecord]:
    person, first = attach_person(world, "wijkagent", world.signals["police_shared"])
    again, second = attach_person(world, "wijkagent", world.signals["police_shared"])
    assert again.pk == person.pk
    return person, first, second


def test_split_form_on_the_subject_page(
    world: World, records: tuple[Subject, PersonRecord, PersonRecord]
) -> None:
    person, _first, second = records
    client = client_for(world, "wijkagent")
    page = client.get(f"/betrokkenen/{person.uuid}/").content.decode()
    assert 'id="split-form"' in page and str(second.uuid)[:8] in page
    # Dutch validation messages, nothing moved.
    response = client.post(
        f"/betrokkenen/{person.uuid}/afsplitsen/",
        {"record": "onbekend", "into": "", "reason": "kort"},
        follow=True,
    )
    body = response.content.decode()
    assert "Kies een registratie van deze persoon." in body
    assert "Geef een reden van ten minste 10 tekens." in body
    response = client.post(
        f"/betrokkenen/{person.uuid}/afsplitsen/",
        {"record": str(second.uuid), "into": "P-000000", "reason": REASON},
        follow=True,
    )
    assert "bestaat niet of u kunt haar niet inzien" in response.content.decode()
    assert PersonRecord.objects.get(pk=second.pk).person_id == person.pk
    response = client.post(
        f"/betrokkenen/{person.uuid}/afsplitsen/",
        {"record": str(second.uuid), "into": "", "reason": REASON},
        follow=True,
    )
    second.refresh_from_db()
    new = second.person
    assert new.pk != person.pk
    body = response.content.decode()
    assert f"De registratie is afgesplitst naar {new.pseudonym}." in body
    assert "Registratie afgesplitst" in body and REASON in body
    # Moving back from the new person's page works the same way.
    client.post(
        f"/betrokkenen/{new.uuid}/afsplitsen/",
        {"record": str(second.uuid), "into": person.pseudonym.lower(), "reason": REASON},
    )
    assert PersonRecord.objects.get(pk=second.pk).person_id == person.pk
    assert SubjectEvent.objects.filter(kind="record_received", subject=person).exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_split_form_matrix(
    world: World, records: tuple[Subject, PersonRecord, PersonRecord], persona: str
) -> None:
    person, _first, second = records
    response = client_for(world, persona).post(
        f"/betrokkenen/{person.uuid}/afsplitsen/",
        {"record": str(second.uuid), "into": "", "reason": REASON},
    )
    moved = PersonRecord.objects.get(pk=second.pk).person_id != person.pk
    if persona == "analist" or persona not in SEES_PERSON:
        assert response.status_code == 404
        assert not moved
        return
    assert response.status_code == 302
    # The corporation and the regisseur see the shared signal, so the person and its records
    # (supplied with that signal): the same rule as merging.
    assert moved


@pytest.mark.parametrize("persona", PERSONAS)
def test_split_api_matrix(
    world: World, records: tuple[Subject, PersonRecord, PersonRecord], persona: str
) -> None:
    person, _first, second = records
    response = client_for(world, persona).post(
        f"/api/v1/subjects/{person.uuid}/split",
        data=json.dumps({"record": str(second.uuid), "reason": REASON}),
        content_type="application/json",
    )
    if persona == "analist" or persona not in SEES_PERSON:
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/problem+json")
        assert PersonRecord.objects.get(pk=second.pk).person_id == person.pk
        return
    assert response.status_code == 200
    data = response.json()
    assert data["record"] == str(second.uuid)
    assert data["fromPerson"]["pseudonym"] == person.pseudonym
    new = Subject.objects.get(uuid=data["toPerson"]["uuid"])
    assert PersonRecord.objects.get(pk=second.pk).person_id == new.pk
    assert LinkConstraint.objects.filter(record=second, person=person).exists()


def test_split_api_reports_every_error(
    world: World, records: tuple[Subject, PersonRecord, PersonRecord]
) -> None:
    person, _first, second = records
    client = client_for(world, "wijkagent")
    response = client.post(
        f"/api/v1/subjects/{person.uuid}/split",
        data=json.dumps({"record": "nope", "into": None, "reason": "kort"}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    names = {p["name"] for p in response.json()["invalidParams"]}
    assert names == {"record", "reason"}
    response = client.post(
        f"/api/v1/subjects/{person.uuid}/split",
        data=json.dumps({"record": str(second.uuid), "into": str(person.uuid), "reason": "kort"}),
        content_type="application/json",
    )
    params = {p["name"]: p["code"] for p in response.json()["invalidParams"]}
    assert response.status_code == 400 and params == {"into": "same", "reason": "min_length"}
    assert PersonRecord.objects.get(pk=second.pk).person_id == person.pk


@pytest.fixture
def group(world: World) -> tuple[Subject, Subject]:
    police = viewer(world, "wijkagent")
    member, _ = attach_person(world, "wijkagent", world.signals["police_shared"])
    group = services.attach_group(
        viewer=police,
        signal=world.signals["police_shared"],
        group=services.GroupInput(name="Jeugdgroep Plein"),
    )
    return group, member


@pytest.mark.parametrize("persona", PERSONAS)
def test_members_api_matrix(world: World, group: tuple[Subject, Subject], persona: str) -> None:
    subject, member = group
    client = client_for(world, persona)
    listed = client.get(f"/api/v1/subjects/{subject.uuid}/members")
    added = client.post(
        f"/api/v1/subjects/{subject.uuid}/members",
        data=json.dumps({"person": str(member.uuid)}),
        content_type="application/json",
    )
    if persona not in SEES_PERSON:
        assert listed.status_code == 404 and added.status_code == 404
        assert not subject.members.exists()
        return
    assert listed.status_code == 200 and listed.json()["members"] == []
    if persona == "analist":
        assert added.status_code == 404 and not subject.members.exists()
        return
    assert added.status_code == 201
    assert added.json()["members"] == [
        {"uuid": str(member.uuid), "pseudonym": member.pseudonym, "kind": "person"}
    ]


def test_members_api_add_and_remove(world: World, group: tuple[Subject, Subject]) -> None:
    subject, member = group
    client = client_for(world, "wijkagent")
    client.post(
        f"/api/v1/subjects/{subject.uuid}/members",
        data=json.dumps({"person": str(member.uuid)}),
        content_type="application/json",
    )
    assert client.get(f"/api/v1/subjects/{subject.uuid}/members").json()["subject"] == (
        subject.pseudonym
    )
    # Not a person, or a person one may not see: refused like the form.
    place = services.attach_location(
        viewer=viewer(world, "wijkagent"),
        signal=world.signals["police_shared"],
        place=services.PlaceInput(name="Marktplein"),
    )
    refused = client.post(
        f"/api/v1/subjects/{subject.uuid}/members",
        data=json.dumps({"person": str(place.uuid)}),
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert refused.json()["invalidParams"][0]["name"] == "person"
    hidden, _ = attach_person(
        world, "jongerenwerker", world.signals["jongerenwerk_own"], given_names="Kees"
    )
    refused = client.post(
        f"/api/v1/subjects/{subject.uuid}/members",
        data=json.dumps({"person": str(hidden.uuid)}),
        content_type="application/json",
    )
    assert refused.status_code == 400
    short = client.delete(
        f"/api/v1/subjects/{subject.uuid}/members/{member.uuid}",
        data=json.dumps({"reason": "kort"}),
        content_type="application/json",
    )
    assert short.status_code == 400
    assert short.json()["invalidParams"][0]["code"] == "min_length"
    assert subject.members.count() == 1
    # Removing needs the same right: the analyst and the outsider get 404.
    for persona in ("analist", "outsider", "jongerenwerker"):
        response = client_for(world, persona).delete(
            f"/api/v1/subjects/{subject.uuid}/members/{member.uuid}",
            data=json.dumps({"reason": REASON}),
            content_type="application/json",
        )
        assert response.status_code == 404
    removed = client.delete(
        f"/api/v1/subjects/{subject.uuid}/members/{member.uuid}",
        data=json.dumps({"reason": REASON}),
        content_type="application/json",
    )
    assert removed.status_code == 204 and not subject.members.exists()
    kinds = list(SubjectEvent.objects.filter(subject=subject).values_list("kind", flat=True))
    assert kinds == ["created", "member_added", "member_removed"]

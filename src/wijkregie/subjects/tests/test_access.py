"""Every persona against the subject page and API: who sees a subject, who sees names.

The police attach a person to their signal shared in focus area Noord (police_shared). By the
policy: the police (owner organisation) and the regisseur (project leader of Noord) may see the
person's names; the corporation and the analyst see the signal, so the subject, but only its
pseudonym; youth work (no convenant), the privacy officer, the beheerder and the outsider get
404. Every read, granted or denied, is in the access log; every reveal of names too.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from wijkregie.privacy.models import AccessEvent
from wijkregie.subjects.models import Subject
from wijkregie.subjects.tests.helpers import BSN_A, attach_person, client_for
from wijkregie.testing.personas import EXPECTED_VISIBLE, World

PERSONAS = sorted(EXPECTED_VISIBLE)
SEES_SUBJECT = {"wijkagent", "regisseur", "analist", "corporatie"}
SEES_NAMES = {"wijkagent", "regisseur"}
NAME = "Jantje"
SURNAME = "Klaassen"
BIRTH = dt.date(1990, 5, 17)
BIRTH_TEXTS = ("17-05-1990", "1990-05-17")


@pytest.fixture
def person(world: World) -> Subject:
    subject, _record = attach_person(
        world,
        "wijkagent",
        world.signals["police_shared"],
        bsn=BSN_A,
        given_names=NAME,
        surname=SURNAME,
        birth_date=BIRTH,
    )
    return subject


def _no_personal_data(text: str) -> None:
    assert NAME not in text and SURNAME not in text
    for birth in BIRTH_TEXTS:
        assert birth not in text
    assert BSN_A not in text


@pytest.mark.parametrize("persona", PERSONAS)
def test_subject_page(world: World, person: Subject, persona: str) -> None:
    client = client_for(world, persona)
    before = AccessEvent.objects.count()
    response = client.get(f"/betrokkenen/{person.uuid}/")
    visible = persona in SEES_SUBJECT
    assert response.status_code == (200 if visible else 404)
    event = AccessEvent.objects.order_by("-id").first()
    assert AccessEvent.objects.count() == before + 1
    assert event is not None and event.object_type == "subject"
    assert event.outcome == ("granted" if visible else "denied")
    body = response.content.decode()
    # Without asking (no purpose given) nobody sees names.
    _no_personal_data(body)
    if visible:
        assert person.pseudonym in body
        assert str(world.signals["police_shared"].uuid) in body
        assert event.subject_pseudonym == person.pseudonym


@pytest.mark.parametrize("persona", PERSONAS)
def test_reveal_names_is_need_to_know_and_logged(
    world: World, person: Subject, persona: str
) -> None:
    client = client_for(world, persona)
    before = AccessEvent.objects.filter(object_type="person_record").count()
    response = client.get(f"/betrokkenen/{person.uuid}/", {"doel": "signaalbehandeling"})
    body = response.content.decode()
    reveals = AccessEvent.objects.filter(object_type="person_record").order_by("id")
    if persona in SEES_NAMES:
        assert response.status_code == 200
        assert NAME in body and SURNAME in body and "17-05-1990" in body
        assert BSN_A not in body
        assert reveals.count() == before + 1
        event = reveals.last()
        assert event is not None
        assert event.purpose == "signaalbehandeling"
        assert event.subject_pseudonym == person.pseudonym
        assert event.user_id == world.users[persona].pk
    else:
        assert response.status_code == (200 if persona in SEES_SUBJECT else 404)
        _no_personal_data(body)
        assert reveals.count() == before


def test_a_bad_purpose_reveals_nothing(world: World, person: Subject) -> None:
    response = client_for(world, "wijkagent").get(
        f"/betrokkenen/{person.uuid}/", {"doel": "nieuwsgierigheid"}
    )
    assert response.status_code == 200
    _no_personal_data(response.content.decode())
    assert not AccessEvent.objects.filter(object_type="person_record").exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_subject_api(world: World, person: Subject, persona: str) -> None:
    client = client_for(world, persona)
    response = client.get(f"/api/v1/subjects/{person.uuid}", {"purpose": "casusregie"})
    visible = persona in SEES_SUBJECT
    assert response.status_code == (200 if visible else 404)
    text = response.content.decode()
    if not visible:
        assert response["Content-Type"] == "application/problem+json"
        _no_personal_data(text)
        return
    data = json.loads(text)
    assert data["pseudonym"] == person.pseudonym and data["kind"] == "person"
    assert [s["uuid"] for s in data["signals"]] == [str(world.signals["police_shared"].uuid)]
    assert "bsnToken" not in text and BSN_A not in text
    (record,) = data["records"]
    if persona in SEES_NAMES:
        assert record["person"] == {
            "givenNames": NAME,
            "surnamePrefix": "",
            "surname": SURNAME,
            "birthDate": "1990-05-17",
        }
        event = AccessEvent.objects.filter(object_type="person_record").get()
        assert event.purpose == "casusregie" and event.access_point == "api"
    else:
        assert record["person"] is None
        _no_personal_data(text)
        assert not AccessEvent.objects.filter(object_type="person_record").exists()


def test_api_without_purpose_shows_no_names(world: World, person: Subject) -> None:
    response = client_for(world, "wijkagent").get(f"/api/v1/subjects/{person.uuid}")
    assert response.status_code == 200
    assert response.json()["records"][0]["person"] is None
    bad = client_for(world, "wijkagent").get(f"/api/v1/subjects/{person.uuid}", {"purpose": "x"})
    assert bad.status_code == 400
    assert bad.json()["invalidParams"][0]["name"] == "purpose"


def test_missing_and_forbidden_look_the_same(world: World, person: Subject) -> None:
    client = client_for(world, "jongerenwerker")
    forbidden = client.get(f"/betrokkenen/{person.uuid}/")
    missing = client.get("/betrokkenen/00000000-0000-4000-8000-000000000000/")
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.content == missing.content
    api_forbidden = client.get(f"/api/v1/subjects/{person.uuid}")
    api_missing = client.get("/api/v1/subjects/00000000-0000-4000-8000-000000000000")
    assert api_forbidden.status_code == api_missing.status_code == 404
    assert api_forbidden.json()["detail"] == api_missing.json()["detail"]
    assert client.get("/betrokkenen/not-a-uuid/").status_code == 404


def test_corporation_record_is_visible_to_the_corporation_only(world: World) -> None:
    """A person supplied by the corporation with its own (unshared) signal: the police do not
    even see that the person exists; the corporation sees its own record's names."""
    subject, _ = attach_person(world, "corporatie", world.signals["corporatie_own"])
    assert client_for(world, "wijkagent").get(f"/betrokkenen/{subject.uuid}/").status_code == 404
    assert client_for(world, "regisseur").get(f"/betrokkenen/{subject.uuid}/").status_code == 404
    own = client_for(world, "corporatie").get(
        f"/betrokkenen/{subject.uuid}/", {"doel": "signaalbehandeling"}
    )
    assert own.status_code == 200 and NAME in own.content.decode()


def test_shared_person_shows_only_the_records_one_may_see(world: World, person: Subject) -> None:
    """The corporation links the same person (same BSN) to its own signal: the police see the
    person's police record names, not the corporation's; the corporation the reverse."""
    same, _ = attach_person(
        world,
        "corporatie",
        world.signals["corporatie_own"],
        bsn=BSN_A,
        given_names="J.",
        surname="Bos-Klaassen",
    )
    assert same.pk == person.pk
    police = client_for(world, "wijkagent").get(
        f"/betrokkenen/{person.uuid}/", {"doel": "signaalbehandeling"}
    )
    police_body = police.content.decode()
    assert NAME in police_body and "Bos-Klaassen" not in police_body
    # The corporation's signal stays hidden from the police on the timeline.
    assert str(world.signals["corporatie_own"].uuid) not in police_body
    corporation = client_for(world, "corporatie").get(
        f"/betrokkenen/{person.uuid}/", {"doel": "signaalbehandeling"}
    )
    corporation_body = corporation.content.decode()
    assert "Bos-Klaassen" in corporation_body and NAME not in corporation_body
    assert str(world.signals["corporatie_own"].uuid) in corporation_body
    assert str(world.signals["police_shared"].uuid) in corporation_body


@pytest.mark.parametrize("persona", PERSONAS)
def test_signal_page_lists_subjects_by_pseudonym(
    world: World, person: Subject, persona: str
) -> None:
    signal = world.signals["police_shared"]
    response = client_for(world, persona).get(f"/signalen/{signal.uuid}/")
    if "police_shared" not in EXPECTED_VISIBLE[persona]:
        assert response.status_code == 404
        return
    body = response.content.decode()
    assert person.pseudonym in body
    _no_personal_data(body)
    # Only the owner organisation's writers get the form to add a subject.
    assert ("Betrokkene toevoegen" in body) is (persona == "wijkagent")


def test_records_of_organisations_one_cannot_see_are_not_listed(
    world: World, person: Subject
) -> None:
    """Youth work (no convenant) registers the same person: it sees its own record only, not
    that the police registered the person too; the police do not see youth work's record."""
    same, _ = attach_person(
        world,
        "jongerenwerker",
        world.signals["jongerenwerk_own"],
        bsn=BSN_A,
        given_names=NAME,
        surname=SURNAME,
        birth_date=BIRTH,
    )
    assert same.pk == person.pk
    youth = client_for(world, "jongerenwerker").get(f"/betrokkenen/{person.uuid}/")
    body = youth.content.decode()
    assert youth.status_code == 200
    assert "Jongerenwerk Demodam" in body and "Politie basisteam Demodam" not in body
    api = client_for(world, "jongerenwerker").get(f"/api/v1/subjects/{person.uuid}").json()
    assert [r["organisation"] for r in api["records"]] == ["jongerenwerk"]
    assert [s["organisation"] for s in api["signals"]] == ["jongerenwerk"]
    police = client_for(world, "wijkagent").get(f"/api/v1/subjects/{person.uuid}").json()
    assert [r["organisation"] for r in police["records"]] == ["politie"]


def test_household_and_dwelling_follow_their_members(world: World) -> None:
    person, _ = attach_person(
        world,
        "wijkagent",
        world.signals["police_confidential"],
        postcode="1234AB",
        huisnummer=7,
    )
    household = Subject.objects.get(kind="household")
    dwelling = Subject.objects.get(kind="address")
    police = client_for(world, "wijkagent")
    page = police.get(f"/betrokkenen/{household.uuid}/").content.decode()
    assert person.pseudonym in page and "1234 AB 7" in page
    assert police.get(f"/betrokkenen/{dwelling.uuid}/").status_code == 200
    # The member's only signal is confidential: nobody else sees the household or dwelling.
    for persona in ("regisseur", "corporatie", "analist", "jongerenwerker", "outsider"):
        client = client_for(world, persona)
        assert client.get(f"/betrokkenen/{household.uuid}/").status_code == 404, persona
        assert client.get(f"/betrokkenen/{dwelling.uuid}/").status_code == 404, persona

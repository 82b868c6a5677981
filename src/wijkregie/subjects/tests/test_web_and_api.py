"""Attaching subjects from the signal page and the API; merge and unmerge on the subject page."""

from __future__ import annotations

import json

import pytest

from wijkregie.subjects.models import PersonRecord, SignalSubject, Subject, SubjectEvent
from wijkregie.subjects.tests.helpers import BSN_A, attach_person, client_for
from wijkregie.testing.personas import EXPECTED_VISIBLE, World

PERSONAS = sorted(EXPECTED_VISIBLE)
REASON = "Zelfde portiek, twee namen in gebruik"


def test_signal_form_attaches_a_person(world: World) -> None:
    signal = world.signals["police_shared"]
    client = client_for(world, "wijkagent")
    response = client.post(
        f"/signalen/{signal.uuid}/betrokkenen/",
        {
            "kind": "person",
            "role": "betreft",
            "bsn": BSN_A,
            "given_names": "Jantje",
            "surname": "Klaassen",
            "birth_date": "17-05-1990",
            "postcode": "1234 ab",
            "huisnummer": "12",
        },
    )
    assert response.status_code == 302
    record = PersonRecord.objects.get()
    assert record.bsn_token and record.postcode == "1234AB"
    assert record.owner_organisation_id == world.orgs["politie"].pk
    page = client.get(f"/signalen/{signal.uuid}/", follow=True).content.decode()
    assert record.person.pseudonym in page


def test_signal_form_errors_save_nothing(world: World) -> None:
    signal = world.signals["police_shared"]
    response = client_for(world, "wijkagent").post(
        f"/signalen/{signal.uuid}/betrokkenen/",
        {"kind": "person", "role": "betreft", "bsn": "123456789", "birth_date": "31-02-1990"},
        follow=True,
    )
    body = response.content.decode()
    assert "Vul een datum in als dd-mm-jjjj." in body
    assert not Subject.objects.exists()
    response = client_for(world, "wijkagent").post(
        f"/signalen/{signal.uuid}/betrokkenen/",
        {"kind": "person", "role": "betreft", "bsn": "123456789"},
        follow=True,
    )
    assert "Dit is geen geldig BSN" in response.content.decode()
    assert not Subject.objects.exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_signal_form_is_for_the_owner_only(world: World, persona: str) -> None:
    signal = world.signals["police_shared"]
    response = client_for(world, persona).post(
        f"/signalen/{signal.uuid}/betrokkenen/",
        {"kind": "location", "role": "plaats", "name": "Marktplein", "place_kind": "plein"},
    )
    if "police_shared" not in EXPECTED_VISIBLE[persona]:
        assert response.status_code == 404
    else:
        assert response.status_code == 302
    assert SignalSubject.objects.exists() is (persona == "wijkagent")


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_attach(world: World, persona: str) -> None:
    signal = world.signals["police_shared"]
    response = client_for(world, persona).post(
        f"/api/v1/signals/{signal.uuid}/subjects",
        data=json.dumps(
            {
                "kind": "person",
                "person": {"bsn": BSN_A, "givenNames": "Jantje", "birthDate": "1990-05-17"},
            }
        ),
        content_type="application/json",
    )
    if "police_shared" not in EXPECTED_VISIBLE[persona]:
        assert response.status_code == 404
        assert not PersonRecord.objects.exists()
    elif persona == "wijkagent":
        assert response.status_code == 201
        data = response.json()
        assert data["kind"] == "person" and data["pseudonym"].startswith("P-")
        assert response["Location"] == f"/api/v1/subjects/{data['uuid']}"
        assert BSN_A not in response.content.decode()
    else:
        assert response.status_code == 400
        assert response.json()["invalidParams"][0]["code"] == "not_owner"
        assert not PersonRecord.objects.exists()


def test_api_attach_reports_every_error(world: World) -> None:
    signal = world.signals["police_shared"]
    client = client_for(world, "wijkagent")
    missing = client.post(
        f"/api/v1/signals/{signal.uuid}/subjects",
        data=json.dumps({"kind": "household", "role": "x"}),
        content_type="application/json",
    )
    assert missing.status_code == 400
    names = {p["name"] for p in missing.json()["invalidParams"]}
    assert names == {"role", "address"}
    bad = client.post(
        f"/api/v1/signals/{signal.uuid}/subjects",
        data=json.dumps({"kind": "address", "address": {"postcode": "12", "huisnummer": 0}}),
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert {p["name"] for p in bad.json()["invalidParams"]} == {"postcode", "huisnummer"}
    assert not Subject.objects.exists()
    ok = client.post(
        f"/api/v1/signals/{signal.uuid}/subjects",
        data=json.dumps({"kind": "group", "group": {"name": "Jeugdgroep Plein"}}),
        content_type="application/json",
    )
    assert ok.status_code == 201 and ok.json()["role"] == "betreft"


def test_merge_and_unmerge_on_the_subject_page(world: World) -> None:
    a, _ = attach_person(world, "wijkagent", world.signals["police_shared"], given_names="Ab")
    b, _ = attach_person(
        world, "wijkagent", world.signals["police_outside"], given_names="Bo", surname="Visser"
    )
    client = client_for(world, "wijkagent")
    short = client.post(f"/betrokkenen/{b.uuid}/samenvoegen/", {"into": a.pseudonym, "reason": ""})
    assert short.status_code == 302
    assert Subject.objects.get(pk=b.pk).merged_into_id is None
    merged = client.post(
        f"/betrokkenen/{b.uuid}/samenvoegen/", {"into": a.pseudonym.lower(), "reason": REASON}
    )
    assert merged.status_code == 302 and merged["Location"] == f"/betrokkenen/{a.uuid}/"
    assert Subject.objects.get(pk=b.pk).merged_into_id == a.pk
    page = client.get(f"/betrokkenen/{b.uuid}/").content.decode()
    assert "is samengevoegd in" in page and REASON in page
    assert str(world.signals["police_outside"].uuid) in page
    unmerged = client.post(f"/betrokkenen/{b.uuid}/ontvlechten/", {"reason": REASON})
    assert unmerged.status_code == 302
    assert Subject.objects.get(pk=b.pk).merged_into_id is None
    assert SubjectEvent.objects.filter(kind="unmerged").count() == 2


def test_analyst_sees_history_without_names_or_reasons(world: World) -> None:
    a, _ = attach_person(world, "regisseur", world.signals["gemeente_own"], given_names="Ab")
    place = client_for(world, "regisseur")
    b, _ = attach_person(
        world, "regisseur", world.signals["gemeente_own"], given_names="Bo", surname="Visser"
    )
    place.post(f"/betrokkenen/{b.uuid}/samenvoegen/", {"into": a.pseudonym, "reason": REASON})
    body = client_for(world, "analist").get(f"/betrokkenen/{a.uuid}/").content.decode()
    assert a.pseudonym in body and b.pseudonym in body
    assert REASON not in body and "Visser" not in body
    # The analyst cannot merge or unmerge.
    response = client_for(world, "analist").post(
        f"/betrokkenen/{b.uuid}/ontvlechten/", {"reason": REASON}
    )
    assert response.status_code == 404
    assert Subject.objects.get(pk=b.pk).merged_into_id == a.pk


def test_outsider_cannot_merge_or_attach(world: World) -> None:
    a, _ = attach_person(world, "wijkagent", world.signals["police_shared"], given_names="Ab")
    client = client_for(world, "outsider")
    assert (
        client.post(f"/betrokkenen/{a.uuid}/samenvoegen/", {"into": "P-000000", "reason": REASON})
    ).status_code == 404
    signal = world.signals["police_shared"]
    assert (
        client.post(f"/signalen/{signal.uuid}/betrokkenen/", {"kind": "group", "role": "betreft"})
    ).status_code == 404


def test_group_members_are_managed_and_shown_on_need_to_know(world: World) -> None:
    police = client_for(world, "wijkagent")
    signal = world.signals["police_shared"]
    police.post(
        f"/signalen/{signal.uuid}/betrokkenen/",
        {"kind": "group", "role": "betreft", "name": "Jeugdgroep Plein"},
    )
    group = Subject.objects.get(kind="group")
    # The same name from another signal is the same group.
    police.post(
        f"/signalen/{world.signals['police_outside'].uuid}/betrokkenen/",
        {"kind": "group", "role": "betreft", "name": "jeugdgroep plein"},
    )
    assert Subject.objects.filter(kind="group").count() == 1
    member, _ = attach_person(world, "wijkagent", world.signals["police_confidential"])
    added = police.post(f"/betrokkenen/{group.uuid}/leden/", {"person": member.pseudonym})
    assert added.status_code == 302
    assert list(group.members.values_list("person_id", flat=True)) == [member.pk]
    assert member.pseudonym in police.get(f"/betrokkenen/{group.uuid}/").content.decode()
    # The corporation sees the group (shared signal) but not the member, whose only signal is
    # the police's confidential one: the member is not listed, not even by pseudonym.
    corporation = client_for(world, "corporatie").get(f"/betrokkenen/{group.uuid}/")
    assert corporation.status_code == 200
    assert member.pseudonym not in corporation.content.decode()
    refused = police.post(
        f"/betrokkenen/{group.uuid}/leden/{member.uuid}/verwijderen/", {"reason": "kort"}
    )
    assert refused.status_code == 302 and group.members.count() == 1
    police.post(
        f"/betrokkenen/{group.uuid}/leden/{member.uuid}/verwijderen/",
        {"reason": "Hoort niet meer bij de groep"},
    )
    assert group.members.count() == 0
    kinds = list(SubjectEvent.objects.filter(subject=group).values_list("kind", flat=True))
    assert kinds == ["created", "member_added", "member_removed"]


def test_attach_an_existing_subject_by_pseudonym(world: World) -> None:
    person, _ = attach_person(world, "wijkagent", world.signals["police_shared"])
    police = client_for(world, "wijkagent")
    target = world.signals["police_outside"]
    police.post(
        f"/signalen/{target.uuid}/betrokkenen/",
        {"kind": "existing", "role": "betrokken", "pseudonym": person.pseudonym.lower()},
    )
    link = SignalSubject.objects.get(signal=target)
    assert link.subject_id == person.pk and link.role == "betrokken"
    # A subject the viewer cannot see cannot be attached, whatever its pseudonym.
    hidden, _ = attach_person(
        world,
        "jongerenwerker",
        world.signals["jongerenwerk_own"],
        given_names="Kees",
        surname="Bos",
    )
    assert hidden.pk != person.pk
    response = police.post(
        f"/signalen/{target.uuid}/betrokkenen/",
        {"kind": "existing", "role": "betreft", "pseudonym": hidden.pseudonym},
        follow=True,
    )
    assert "bestaat niet of u kunt haar niet inzien" in response.content.decode()
    assert not SignalSubject.objects.filter(signal=target, subject=hidden).exists()

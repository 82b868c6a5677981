"""The review of relink proposals: merge and split proposals with their explanation, accepted
or rejected by a regisseur with a reason; audited; only for the regisseur who may see them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from wijkregie.privacy.models import AuditEvent
from wijkregie.subjects import services
from wijkregie.subjects.access import root_of
from wijkregie.subjects.models import (
    LinkConstraint,
    LinkProposal,
    LinkRun,
    PersonRecord,
    SignalSubject,
    Subject,
    SubjectEvent,
)
from wijkregie.subjects.selectors import relink_review
from wijkregie.subjects.tasks import relink_run
from wijkregie.subjects.tests.helpers import client_for, viewer
from wijkregie.testing.personas import EXPECTED_VISIBLE, World

PERSONAS = sorted(EXPECTED_VISIBLE)
REASON = "Besproken in het casusoverleg van dinsdag"
NAME = "Jantje"


def _person(world: World, *records: dict[str, Any]) -> Subject:
    """A person of the municipality's own signal, with records as given (no linking)."""
    person = services._create_subject(viewer=None, municipality_id=world.gm.pk, kind="person")
    signal = world.signals["gemeente_own"]
    SignalSubject.objects.create(municipality=world.gm, signal=signal, subject=person)
    for values in records:
        PersonRecord.objects.create(
            municipality=world.gm,
            owner_organisation=world.orgs["gemeente"],
            signal=signal,
            person=person,
            **{
                "given_names": NAME,
                "surname": "Klaassen",
                "birth_date": dt.date(1990, 5, 17),
                **values,
            },
        )
    return person


def _run(world: World) -> LinkRun:
    return relink_run(LinkRun.objects.create(municipality=world.gm))


@pytest.fixture
def merge(world: World) -> tuple[Subject, Subject, LinkProposal]:
    first, second = _person(world, {}), _person(world, {})
    run = _run(world)
    return first, second, run.proposals.get()


@pytest.fixture
def split(world: World) -> tuple[Subject, LinkProposal]:
    person = _person(
        world,
        {},
        {"given_names": "Mohammed", "surname": "Bakker", "birth_date": dt.date(1951, 2, 3)},
    )
    run = _run(world)
    return person, run.proposals.get()


def test_relink_stores_a_merge_proposal_with_its_explanation(
    world: World, merge: tuple[Subject, Subject, LinkProposal]
) -> None:
    first, second, proposal = merge
    assert proposal.kind == "merge" and sorted(proposal.persons) == sorted([first.pk, second.pk])
    assert proposal.rule == "score" and proposal.probability is not None
    levels = {c["field"]: c for c in proposal.comparisons}
    assert levels["geboortedatum"]["level"] == "gelijk" and "weight" in levels["achternaam"]
    assert NAME not in str(proposal.comparisons) and proposal.status == "open"


def test_accepting_a_merge_merges_with_the_reason(
    world: World, merge: tuple[Subject, Subject, LinkProposal]
) -> None:
    first, second, proposal = merge
    services.proposal_decide(
        viewer=viewer(world, "regisseur"), proposal=proposal, accept=True, reason=REASON
    )
    assert root_of(first).pk == root_of(second).pk
    proposal.refresh_from_db()
    assert proposal.status == "accepted" and proposal.reason == REASON
    assert proposal.decided_by == world.users["regisseur"] and proposal.decided_at is not None
    assert SubjectEvent.objects.filter(kind="merged", reason=REASON).count() == 2
    assert AuditEvent.objects.filter(action="link_proposal_accept").count() == 1
    with pytest.raises(ValidationError) as caught:
        services.proposal_decide(
            viewer=viewer(world, "regisseur"), proposal=proposal, accept=False, reason=REASON
        )
    assert caught.value.error_dict["proposal"][0].code == "decided"


def test_a_rejected_proposal_is_not_made_again(
    world: World, merge: tuple[Subject, Subject, LinkProposal]
) -> None:
    first, second, proposal = merge
    services.proposal_decide(
        viewer=viewer(world, "regisseur"), proposal=proposal, accept=False, reason=REASON
    )
    assert root_of(first).pk != root_of(second).pk
    events = SubjectEvent.objects.filter(kind="proposal_rejected")
    assert sorted(events.values_list("subject_id", flat=True)) == sorted([first.pk, second.pk])
    assert AuditEvent.objects.filter(action="link_proposal_reject").count() == 1
    again = _run(world)
    assert not again.proposals.exists() and again.stats["skipped_rejected"] == 1


def test_accepting_a_split_moves_the_records_to_a_new_person(
    world: World, split: tuple[Subject, LinkProposal]
) -> None:
    person, proposal = split
    assert proposal.kind == "split" and proposal.persons == [person.pk]
    assert proposal.target_id is None and len(proposal.records) == 1
    # The explanation says why the record is not this person: a veto.
    assert proposal.rule == "veto"
    services.proposal_decide(
        viewer=viewer(world, "regisseur"), proposal=proposal, accept=True, reason=REASON
    )
    moved = PersonRecord.objects.get(pk=proposal.records[0])
    assert moved.person_id != person.pk
    assert LinkConstraint.objects.filter(record=moved, person=person, lifted_at=None).exists()
    assert SubjectEvent.objects.filter(subject=person, kind="record_split", reason=REASON).exists()
    assert not _run(world).proposals.exists()


def test_a_stale_split_is_refused(world: World, split: tuple[Subject, LinkProposal]) -> None:
    _person, proposal = split
    record = PersonRecord.objects.get(pk=proposal.records[0])
    services.record_split(
        viewer=viewer(world, "regisseur"), record=record, into=None, reason=REASON
    )
    with pytest.raises(ValidationError) as caught:
        services.proposal_decide(
            viewer=viewer(world, "regisseur"), proposal=proposal, accept=True, reason=REASON
        )
    assert caught.value.error_dict["proposal"][0].code == "stale"
    assert LinkProposal.objects.get(pk=proposal.pk).status == "open"


def test_only_a_regisseur_who_sees_every_subject_gets_the_proposal(
    world: World, merge: tuple[Subject, Subject, LinkProposal]
) -> None:
    assert len(relink_review(viewer=viewer(world, "regisseur")).rows) == 1
    for persona in ("analist", "wijkagent", "corporatie", "outsider"):
        assert relink_review(viewer=viewer(world, persona)).rows == []
    with pytest.raises(ValidationError) as caught:
        services.proposal_decide(
            viewer=viewer(world, "wijkagent"), proposal=merge[2], accept=True, reason=REASON
        )
    assert caught.value.error_dict["proposal"][0].code == "forbidden"


@pytest.mark.parametrize("persona", PERSONAS)
def test_review_page(
    world: World, merge: tuple[Subject, Subject, LinkProposal], persona: str
) -> None:
    first, second, _proposal = merge
    response = client_for(world, persona).get("/herkoppeling/")
    if persona not in {"regisseur", "outsider"}:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    body = response.content.decode()
    assert NAME not in body and "Klaassen" not in body
    # The outsider is a regisseur elsewhere: nothing of Demodam.
    assert (first.pseudonym in body and second.pseudonym in body) is (persona == "regisseur")
    if persona == "regisseur":
        assert "geboortedatum: gelijk" in body


@pytest.mark.parametrize("persona", PERSONAS)
def test_deciding_on_the_page(
    world: World, merge: tuple[Subject, Subject, LinkProposal], persona: str
) -> None:
    first, second, proposal = merge
    client = client_for(world, persona)
    response = client.post(
        f"/herkoppeling/{proposal.uuid}/", {"decision": "accept", "reason": REASON}
    )
    proposal.refresh_from_db()
    if persona != "regisseur":
        assert response.status_code == 404
        assert proposal.status == "open" and root_of(first).pk != root_of(second).pk
        return
    assert response.status_code == 302 and proposal.status == "accepted"
    assert root_of(first).pk == root_of(second).pk


def test_deciding_needs_a_reason_and_a_choice(
    world: World, merge: tuple[Subject, Subject, LinkProposal]
) -> None:
    proposal = merge[2]
    client = client_for(world, "regisseur")
    response = client.post(
        f"/herkoppeling/{proposal.uuid}/", {"decision": "misschien", "reason": "kort"}, follow=True
    )
    body = response.content.decode()
    assert "Kies accepteren of afwijzen." in body
    assert "Geef een reden van ten minste 10 tekens." in body
    response = client.post(
        f"/herkoppeling/{proposal.uuid}/", {"decision": "reject", "reason": REASON}, follow=True
    )
    assert "Het voorstel is afgewezen." in response.content.decode()
    assert LinkProposal.objects.get(pk=proposal.pk).status == "rejected"
    assert client.post("/herkoppeling/niet-een-uuid/", {}).status_code == 404

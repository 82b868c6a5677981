"""Splitting a wrongly linked record off a person: rules, history, moving back, and the
"do not link" decision that incremental linking, merges and the full relink respect."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from wijkregie.privacy.models import AuditEvent
from wijkregie.subjects import linking, services
from wijkregie.subjects.models import (
    LinkConstraint,
    LinkRun,
    PersonRecord,
    SignalSubject,
    Subject,
    SubjectEvent,
)
from wijkregie.subjects.selectors import subject_page
from wijkregie.subjects.tasks import relink_run
from wijkregie.subjects.tests.helpers import BSN_A, BSN_B, attach_person, viewer
from wijkregie.testing.personas import World

REASON = "Andere persoon volgens het dossier van de wijkagent"


def _two_records(world: World) -> tuple[Subject, PersonRecord, PersonRecord]:
    """One person with two records that incremental linking joined by score."""
    person, first = attach_person(world, "wijkagent", world.signals["police_shared"])
    again, second = attach_person(world, "wijkagent", world.signals["police_outside"])
    assert again.pk == person.pk
    return person, first, second


def _state() -> dict[str, object]:
    return {
        "records": sorted(PersonRecord.objects.values_list("pk", "person_id")),
        "links": sorted(SignalSubject.objects.values_list("signal_id", "subject_id", "role")),
        "merged": sorted(Subject.objects.values_list("pk", "merged_into_id")),
    }


def test_split_to_a_new_person_moves_the_record_and_its_signal_link(world: World) -> None:
    person, first, second = _two_records(world)
    police = viewer(world, "wijkagent")
    new = services.record_split(viewer=police, record=second, into=None, reason=REASON)
    second.refresh_from_db()
    assert new.pk != person.pk and new.kind == "person" and second.person_id == new.pk
    assert PersonRecord.objects.get(pk=first.pk).person_id == person.pk
    outside = world.signals["police_outside"]
    assert list(
        SignalSubject.objects.filter(signal=outside).values_list("subject_id", flat=True)
    ) == [new.pk]
    assert SignalSubject.objects.filter(
        signal=world.signals["police_shared"], subject=person
    ).exists()
    # History on both persons: who, when, why.
    out = SubjectEvent.objects.get(subject=person, kind="record_split")
    into = SubjectEvent.objects.get(subject=new, kind="record_received")
    for event in (out, into):
        assert event.reason == REASON and event.username == "wijkagent" and event.at is not None
        assert event.data["record"] == str(second.uuid)
    assert out.other_id == new.pk and into.other_id == person.pk
    assert second.explanation.method == "handmatig"
    constraint = LinkConstraint.objects.get(record=second)
    assert constraint.person_id == person.pk and constraint.lifted_at is None
    assert AuditEvent.objects.filter(action="person_record_split").count() == 1
    # The subject pages show it: the signal left the old person's timeline.
    page = subject_page(viewer=police, subject=person)
    assert [item.signal.pk for item in page.timeline] == [world.signals["police_shared"].pk]
    assert "record_split" in [e.kind for e in page.events]


def test_moving_back_restores_the_state_and_lifts_the_decision(world: World) -> None:
    person, _first, second = _two_records(world)
    police = viewer(world, "wijkagent")
    before = _state()
    new = services.record_split(viewer=police, record=second, into=None, reason=REASON)
    back = services.record_split(
        viewer=police, record=second, into=person, reason="Toch dezelfde persoon, vergissing"
    )
    assert back.pk == person.pk
    after = _state()
    assert after["records"] == before["records"] and after["links"] == before["links"]
    constraint = LinkConstraint.objects.get(record=second, person=person)
    assert constraint.lifted_at is not None and constraint.lifted_by == world.users["wijkagent"]
    # Moving back is itself a split off the new person: it leaves a decision there.
    assert LinkConstraint.objects.filter(record=second, person=new, lifted_at=None).exists()
    kinds = list(
        SubjectEvent.objects.filter(subject__in=[person, new])
        .exclude(kind__in=["created", "linked"])
        .order_by("id")
        .values_list("subject_id", "kind")
    )
    assert kinds == [
        (person.pk, "record_split"),
        (new.pk, "record_received"),
        (new.pk, "record_split"),
        (person.pk, "record_received"),
    ]


def test_incremental_linking_respects_do_not_link(world: World) -> None:
    person, _first, second = _two_records(world)
    # Before the split the linker puts the record with this person.
    assert linking.match_record(second).person_id == person.pk
    services.record_split(
        viewer=viewer(world, "wijkagent"), record=second, into=None, reason=REASON
    )
    second.refresh_from_db()
    found = linking.match_record(second)
    assert found.person_id != person.pk
    # A new record with the same data still finds the person (the decision is about one record).
    third, _ = attach_person(world, "wijkagent", world.signals["police_confidential"])
    assert third.pk in {person.pk, second.person_id}


def test_merge_and_relink_respect_do_not_link(world: World) -> None:
    person, _first, second = _two_records(world)
    police = viewer(world, "wijkagent")
    new = services.record_split(viewer=police, record=second, into=None, reason=REASON)
    with pytest.raises(ValidationError) as caught:
        services.subject_merge(viewer=police, subject=new, into=person, reason=REASON)
    assert caught.value.error_dict["into"][0].code == "do_not_link"
    run = relink_run(LinkRun.objects.create(municipality=world.gm))
    assert run.stats["join"] == [] and run.stats["split"] == []
    assert not run.proposals.exists()
    # Without the decision the same relink would propose to join them again.
    LinkConstraint.objects.update(lifted_at=timezone.now())
    run = relink_run(LinkRun.objects.create(municipality=world.gm))
    assert [sorted(group) for group in run.stats["join"]] == [
        sorted([person.pseudonym, new.pseudonym])
    ]


def test_relink_does_not_propose_moving_a_split_record_back(world: World) -> None:
    """Split into an existing person: the linker still groups the record with its old person,
    but proposes neither to move it back nor to merge."""
    _person, _first, second = _two_records(world)
    other, _ = attach_person(
        world,
        "wijkagent",
        world.signals["police_confidential"],
        given_names="Piet",
        surname="Visser",
        birth_date=dt.date(1961, 3, 3),
    )
    services.record_split(
        viewer=viewer(world, "wijkagent"), record=second, into=other, reason=REASON
    )
    run = relink_run(LinkRun.objects.create(municipality=world.gm))
    assert not run.proposals.exists()


def test_split_rules(world: World) -> None:
    person, first, second = _two_records(world)
    police = viewer(world, "wijkagent")
    with pytest.raises(ValidationError) as caught:
        services.record_split(viewer=police, record=second, into=person, reason="kort")
    assert set(caught.value.error_dict) == {"reason", "into"}
    assert caught.value.error_dict["into"][0].code == "same"
    # An analyst does not split; a partner who cannot see the person neither.
    for persona in ("analist", "jongerenwerker"):
        with pytest.raises(ValidationError) as caught:
            services.record_split(
                viewer=viewer(world, persona), record=second, into=None, reason=REASON
            )
        assert caught.value.error_dict["record"][0].code in {"forbidden", "unknown"}
    # The regisseur sees the person (shared signal), but not the record of the police signal
    # outside the focus area.
    with pytest.raises(ValidationError) as caught:
        services.record_split(
            viewer=viewer(world, "regisseur"), record=second, into=None, reason=REASON
        )
    assert caught.value.error_dict["record"][0].code == "unknown"
    # Into a group, or into a person with another BSN: refused.
    group = services.attach_group(
        viewer=police,
        signal=world.signals["police_confidential"],
        group=services.GroupInput(name="Jeugdgroep"),
    )
    with pytest.raises(ValidationError) as caught:
        services.record_split(viewer=police, record=second, into=group, reason=REASON)
    assert caught.value.error_dict["into"][0].code == "kind"
    bsn_person, bsn_record = attach_person(
        world, "wijkagent", world.signals["police_confidential"], bsn=BSN_A, given_names="Kees"
    )
    other_bsn, _ = attach_person(
        world, "wijkagent", world.signals["police_confidential"], bsn=BSN_B, given_names="Klaas"
    )
    with pytest.raises(ValidationError) as caught:
        services.record_split(viewer=police, record=bsn_record, into=other_bsn, reason=REASON)
    assert caught.value.error_dict["into"][0].code == "bsn_conflict"
    # A person's only record is not split off to a new person.
    with pytest.raises(ValidationError) as caught:
        services.record_split(viewer=police, record=bsn_record, into=None, reason=REASON)
    assert caught.value.error_dict["into"][0].code == "only_record"
    assert bsn_person.pk != other_bsn.pk
    assert PersonRecord.objects.get(pk=second.pk).person_id == person.pk
    assert PersonRecord.objects.get(pk=first.pk).person_id == person.pk
    assert not LinkConstraint.objects.exists()


def test_split_keeps_a_signal_link_that_another_record_still_needs(world: World) -> None:
    person, first = attach_person(world, "wijkagent", world.signals["police_shared"])
    again, second = attach_person(world, "wijkagent", world.signals["police_shared"])
    assert again.pk == person.pk and first.signal_id == second.signal_id
    new = services.record_split(
        viewer=viewer(world, "wijkagent"), record=second, into=None, reason=REASON
    )
    shared = world.signals["police_shared"]
    assert set(
        SignalSubject.objects.filter(signal=shared).values_list("subject_id", flat=True)
    ) == {
        person.pk,
        new.pk,
    }


def test_moving_back_into_a_merged_cluster_restores_exactly(world: World) -> None:
    police = viewer(world, "wijkagent")
    a, _ = attach_person(world, "wijkagent", world.signals["police_shared"])
    b, record = attach_person(
        world,
        "wijkagent",
        world.signals["police_outside"],
        given_names="Piet",
        surname="Visser",
        birth_date=dt.date(1961, 3, 3),
    )
    assert a.pk != b.pk
    services.subject_merge(viewer=police, subject=b, into=a, reason=REASON)
    before = _state()
    new = services.record_split(viewer=police, record=record, into=None, reason=REASON)
    assert PersonRecord.objects.get(pk=record.pk).person_id == new.pk
    services.record_split(viewer=police, record=record, into=a, reason=REASON)
    # The record and its signal link are back on the merged subject, not on the root...
    after = _state()
    assert after["records"] == before["records"] and after["links"] == before["links"]
    # ...so undoing the merge still takes them along.
    services.subject_unmerge(viewer=police, subject=Subject.objects.get(pk=b.pk), reason=REASON)
    assert PersonRecord.objects.get(pk=record.pk).person_id == b.pk
    assert SignalSubject.objects.get(signal=world.signals["police_outside"]).subject_id == b.pk

"""Subjects: address keys, person linking (BSN, score, thin records, vetoes), merge/unmerge."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from wijkregie.addresses.models import Address
from wijkregie.privacy.models import AccessEvent, AppendOnlyError, AuditEvent
from wijkregie.subjects import services
from wijkregie.subjects.access import cluster_ids, root_of
from wijkregie.subjects.models import (
    BlockingKey,
    LinkExplanation,
    PersonRecord,
    SignalSubject,
    Subject,
    SubjectEvent,
    SubjectKind,
    SubjectMember,
)
from wijkregie.subjects.selectors import subject_page
from wijkregie.subjects.tests.helpers import BSN_A, BSN_B, attach_person, viewer
from wijkregie.testing.personas import World, make_signal

REASON = "Zelfde persoon volgens het wijkteamoverleg"


def _address(
    postcode: str, number: int, letter: str = "", addition: str = ""
) -> services.AddressInput:
    return services.AddressInput(
        postcode=postcode, huisnummer=number, huisletter=letter, huisnummertoevoeging=addition
    )


def test_address_is_normalised_and_shared(world: World) -> None:
    police = viewer(world, "wijkagent")
    first = services.attach_address(
        viewer=police, signal=world.signals["police_shared"], address=_address("1234 ab", 12, "a")
    )
    again = services.attach_address(
        viewer=police, signal=world.signals["police_outside"], address=_address("1234AB", 12, "A")
    )
    other = services.attach_address(
        viewer=police,
        signal=world.signals["police_outside"],
        address=_address("1234AB", 12, "A", "2"),
    )
    assert first.pk == again.pk
    assert first.address_key == "pc:1234AB:12:A:"
    assert first.pseudonym.startswith("A-") and len(first.pseudonym) == 8
    assert other.pk != first.pk and other.address_key == "pc:1234AB:12:A:2"
    # Attaching the same subject to the same signal twice leaves one link.
    services.attach_address(
        viewer=police, signal=world.signals["police_shared"], address=_address("1234ab", 12, "a")
    )
    assert SignalSubject.objects.filter(signal=world.signals["police_shared"]).count() == 1


def test_address_in_the_register_is_keyed_by_bag_id(world: World) -> None:
    Address.objects.create(
        postcode="3811AB",
        huisnummer=7,
        rd_x=155100,
        rd_y=463100,
        lat=52.15,
        lon=5.39,
        verblijfsobject_id="0307010000123456",
    )
    subject = services.attach_address(
        viewer=viewer(world, "wijkagent"),
        signal=world.signals["police_shared"],
        address=_address("3811 ab", 7),
    )
    assert subject.address_key == "vbo:0307010000123456"
    assert subject.verblijfsobject_id == "0307010000123456"
    assert subject.cell_x == 1551 and subject.cell_y == 4631


def test_household_lives_at_an_address(world: World) -> None:
    police = viewer(world, "wijkagent")
    household = services.attach_address(
        viewer=police,
        signal=world.signals["police_shared"],
        address=_address("1234AB", 5),
        household=True,
    )
    assert household.kind == SubjectKind.HOUSEHOLD
    assert household.dwelling is not None and household.dwelling.address_key == "pc:1234AB:5::"
    person, _record = attach_person(
        world, "wijkagent", world.signals["police_outside"], postcode="1234 AB", huisnummer=5
    )
    assert SubjectMember.objects.filter(subject=household, person=person).exists()


def test_bad_address_reports_every_field(world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        services.attach_address(
            viewer=viewer(world, "wijkagent"),
            signal=world.signals["police_shared"],
            address=_address("12345", 0, "ab", "toolong"),
            role="onbekend",
        )
    assert set(caught.value.error_dict) == {
        "postcode",
        "huisnummer",
        "huisletter",
        "huisnummertoevoeging",
        "role",
    }
    assert not Subject.objects.exists()


def test_only_the_owner_organisation_attaches(world: World) -> None:
    # The corporation sees the shared police signal, but does not handle it.
    with pytest.raises(ValidationError) as caught:
        services.attach_address(
            viewer=viewer(world, "corporatie"),
            signal=world.signals["police_shared"],
            address=_address("1234AB", 12),
        )
    assert caught.value.error_dict["signal"][0].code == "not_owner"
    assert not Subject.objects.exists()


def test_equal_bsn_links_across_organisations_and_bsn_is_never_stored(world: World) -> None:
    police, record_a = attach_person(
        world, "wijkagent", world.signals["police_shared"], bsn=BSN_A, given_names="Jan"
    )
    corporation, record_b = attach_person(
        world,
        "corporatie",
        world.signals["corporatie_own"],
        bsn=BSN_A,
        given_names="Jan",
        surname="Klaasen",
    )
    assert police.pk == corporation.pk
    assert record_b.explanation.method == "bsn"
    assert record_b.explanation.matched_record_id == record_a.pk
    assert len(record_a.bsn_token) == 64 and record_a.bsn_token == police.bsn_token
    # The clear BSN is nowhere in the database: not in any table, not in the logs.
    with connection.cursor() as cursor:
        for model in (
            PersonRecord,
            Subject,
            BlockingKey,
            LinkExplanation,
            SubjectEvent,
            AuditEvent,
            AccessEvent,
        ):
            cursor.execute(f"SELECT * FROM {model._meta.db_table}")
            for row in cursor.fetchall():
                assert BSN_A not in " ".join(str(v) for v in row), model
    # Nor are names or birth dates in the blocking keys (they are keyed hashes).
    keys = " ".join(BlockingKey.objects.values_list("key", flat=True))
    assert "klaassen" not in keys.lower() and "1990" not in keys


def test_different_bsn_is_never_the_same_person(world: World) -> None:
    first, _ = attach_person(world, "wijkagent", world.signals["police_shared"], bsn=BSN_A)
    second, record = attach_person(world, "wijkagent", world.signals["police_outside"], bsn=BSN_B)
    assert first.pk != second.pk
    assert record.explanation.method == "nieuw"
    with pytest.raises(ValidationError) as caught:
        services.subject_merge(
            viewer=viewer(world, "wijkagent"), subject=second, into=first, reason=REASON
        )
    assert caught.value.error_dict["into"][0].code == "bsn_conflict"


def test_names_and_birth_date_link_by_score_with_an_explanation(world: World) -> None:
    first, _ = attach_person(
        world, "wijkagent", world.signals["police_shared"], given_names="Jantje"
    )
    second, record = attach_person(
        world,
        "corporatie",
        world.signals["corporatie_own"],
        given_names="Jantje",
        surname="Klaasen",
    )
    assert first.pk == second.pk
    explanation = record.explanation
    assert explanation.method == "score"
    assert explanation.probability is not None and explanation.probability > 0.9
    levels = {row["field"]: row["level"] for row in explanation.comparisons}
    assert levels["achternaam"] == "typefout" and levels["geboortedatum"] == "gelijk"


def test_another_birth_date_is_another_person(world: World) -> None:
    first, _ = attach_person(world, "wijkagent", world.signals["police_shared"])
    second, _ = attach_person(
        world, "wijkagent", world.signals["police_outside"], birth_date=dt.date(1971, 11, 2)
    )
    assert first.pk != second.pk


def test_no_link_to_a_person_with_a_contradicting_record(world: World) -> None:
    """The new record matches one record of a person by score, but another record of that
    person (not a candidate: it shares no blocking key) has a different BSN: no link."""
    person, _ = attach_person(
        world,
        "wijkagent",
        world.signals["police_shared"],
        bsn=BSN_A,
        given_names="Piet",
        surname="Visser",
        birth_date=dt.date(1971, 1, 1),
    )
    other, _ = attach_person(
        world, "wijkagent", world.signals["police_outside"], given_names="Piet"
    )
    services.subject_merge(
        viewer=viewer(world, "wijkagent"), subject=other, into=person, reason=REASON
    )
    third, record = attach_person(
        world, "wijkagent", world.signals["police_confidential"], bsn=BSN_B, given_names="Piet"
    )
    assert third.pk not in {person.pk, other.pk}
    assert record.explanation.method == "nieuw"
    # The closest candidate did pass the score rule: only the person's other record stopped it.
    rule = next(c for c in record.explanation.comparisons if c["field"] == "regel")
    assert rule["level"] == "score"


def test_thin_records_never_link(world: World) -> None:
    first, record_a = attach_person(
        world, "wijkagent", world.signals["police_shared"], given_names="", birth_date=None
    )
    second, record_b = attach_person(
        world, "wijkagent", world.signals["police_outside"], given_names="", birth_date=None
    )
    assert record_a.thin and record_b.thin
    assert first.pk != second.pk
    assert record_b.explanation.method == "dun"
    # A full record that matches the thin one's surname is not linked to it either.
    third, record_c = attach_person(world, "wijkagent", world.signals["police_confidential"])
    assert not record_c.thin and third.pk not in {first.pk, second.pk}


def test_person_needs_some_data(world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        services.attach_person(
            viewer=viewer(world, "wijkagent"),
            signal=world.signals["police_shared"],
            person=services.PersonInput(bsn="123456789", birth_date=dt.date(2999, 1, 1)),
        )
    assert set(caught.value.error_dict) == {"bsn", "birth_date"}
    with pytest.raises(ValidationError) as caught:
        services.attach_person(
            viewer=viewer(world, "wijkagent"),
            signal=world.signals["police_shared"],
            person=services.PersonInput(),
        )
    assert caught.value.error_dict["person"][0].code == "required"
    assert not PersonRecord.objects.exists()


def _state() -> dict[str, object]:
    return {
        "subjects": sorted(
            Subject.objects.values_list("pk", "merged_into_id", "pseudonym", "kind")
        ),
        "records": sorted(PersonRecord.objects.values_list("pk", "person_id")),
        "links": sorted(SignalSubject.objects.values_list("signal_id", "subject_id", "role")),
        "members": sorted(SubjectMember.objects.values_list("subject_id", "person_id")),
    }


def test_merge_and_unmerge_restore_exactly_with_full_history(world: World) -> None:
    police = viewer(world, "wijkagent")
    a, _ = attach_person(world, "wijkagent", world.signals["police_shared"], bsn=BSN_A)
    b, _ = attach_person(
        world, "wijkagent", world.signals["police_outside"], given_names="Piet", surname="Boer"
    )
    group = services.attach_group(
        viewer=police,
        signal=world.signals["police_confidential"],
        group=services.GroupInput(name="Groep Plein", members=(b,)),
    )
    before = _state()
    root = services.subject_merge(viewer=police, subject=b, into=a, reason=REASON)
    assert root.pk == a.pk
    assert root_of(Subject.objects.get(pk=b.pk)).pk == a.pk
    page = subject_page(viewer=police, subject=b)
    assert page.subject.pk == a.pk
    assert {item.signal.pk for item in page.timeline} == {
        world.signals["police_shared"].pk,
        world.signals["police_outside"].pk,
    }
    assert [m.pk for m in page.member_of] == [group.pk]
    services.subject_unmerge(viewer=police, subject=b, reason="Toch twee verschillende mensen")
    assert _state() == before
    events = list(SubjectEvent.objects.filter(subject__in=[a, b]).order_by("id"))
    kinds = [(e.subject_id, e.kind) for e in events if e.kind in ("merged", "unmerged")]
    assert kinds == [(b.pk, "merged"), (a.pk, "merged"), (b.pk, "unmerged"), (a.pk, "unmerged")]
    merged = [e for e in events if e.kind == "merged"]
    assert all(e.reason == REASON and e.username == "wijkagent" for e in merged)
    with pytest.raises(AppendOnlyError):
        merged[0].delete()
    assert AuditEvent.objects.filter(action__in=["subject_merge", "subject_unmerge"]).count() == 2


def test_nested_merges_unmerge_one_level(world: World) -> None:
    police = viewer(world, "wijkagent")
    signals = world.signals
    a = services.attach_location(
        viewer=police, signal=signals["police_shared"], place=services.PlaceInput(name="Plein A")
    )
    b = services.attach_location(
        viewer=police, signal=signals["police_outside"], place=services.PlaceInput(name="Plein B")
    )
    c = services.attach_location(
        viewer=police,
        signal=signals["police_confidential"],
        place=services.PlaceInput(name="Plein C"),
    )
    services.subject_merge(viewer=police, subject=b, into=a, reason=REASON)
    services.subject_merge(viewer=police, subject=a, into=c, reason=REASON)
    assert sorted(cluster_ids(Subject.objects.get(pk=c.pk))) == sorted([a.pk, b.pk, c.pk])
    services.subject_unmerge(viewer=police, subject=Subject.objects.get(pk=a.pk), reason=REASON)
    assert sorted(cluster_ids(Subject.objects.get(pk=a.pk))) == sorted([a.pk, b.pk])
    assert cluster_ids(Subject.objects.get(pk=c.pk)) == [c.pk]


def test_merge_rules(world: World) -> None:
    police = viewer(world, "wijkagent")
    person, _ = attach_person(world, "wijkagent", world.signals["police_shared"])
    place = services.attach_location(
        viewer=police,
        signal=world.signals["police_outside"],
        place=services.PlaceInput(name="Park"),
    )
    with pytest.raises(ValidationError) as caught:
        services.subject_merge(viewer=police, subject=place, into=person, reason="kort")
    assert set(caught.value.error_dict) == {"reason", "into"}
    assert caught.value.error_dict["into"][0].code == "kind"
    # An analyst does not merge; nobody merges what they cannot see.
    with pytest.raises(ValidationError):
        services.subject_merge(
            viewer=viewer(world, "analist"), subject=place, into=person, reason=REASON
        )
    other, _ = attach_person(
        world, "jongerenwerker", world.signals["jongerenwerk_own"], given_names="Kees"
    )
    with pytest.raises(ValidationError) as caught:
        services.subject_merge(viewer=police, subject=other, into=person, reason=REASON)
    assert caught.value.error_dict["into"][0].code == "unknown"
    with pytest.raises(ValidationError) as caught:
        services.subject_unmerge(viewer=police, subject=person, reason=REASON)
    assert caught.value.error_dict["subject"][0].code == "not_merged"
    assert Subject.objects.exclude(merged_into=None).count() == 0


def test_locations_meet_by_name(world: World) -> None:
    police = viewer(world, "wijkagent")
    first = services.attach_location(
        viewer=police,
        signal=world.signals["police_shared"],
        place=services.PlaceInput(name="Marktplein", place_kind="plein"),
    )
    second = services.attach_location(
        viewer=police,
        signal=world.signals["police_outside"],
        place=services.PlaceInput(name="marktplein", place_kind="plein"),
    )
    assert first.pk == second.pk and first.pseudonym.startswith("L-")
    with pytest.raises(ValidationError) as caught:
        services.attach_location(
            viewer=police,
            signal=world.signals["police_shared"],
            place=services.PlaceInput(name="", place_kind="kasteel", lat=40.0, lon=5.0),
        )
    assert set(caught.value.error_dict) == {"name", "place_kind", "location"}


def test_group_with_members(world: World) -> None:
    member, _ = attach_person(world, "wijkagent", world.signals["police_shared"])
    group = services.attach_group(
        viewer=viewer(world, "wijkagent"),
        signal=world.signals["police_outside"],
        group=services.GroupInput(name="Jeugdgroep Plein", members=(member,)),
    )
    assert group.kind == SubjectKind.GROUP and group.pseudonym.startswith("G-")
    assert list(group.members.values_list("person_id", flat=True)) == [member.pk]


def test_pseudonym_alphabet_avoids_look_alikes() -> None:
    for _ in range(200):
        code = services.new_pseudonym("person")
        assert code[:2] == "P-" and not set(code[2:]) & set("ILOU")


def test_signal_in_another_municipality_cannot_be_used(world: World) -> None:
    signal = make_signal(world, owner="politie", category="overlast", buurt="01")
    outsider = viewer(world, "outsider")
    with pytest.raises(ValidationError):
        services.attach_address(viewer=outsider, signal=signal, address=_address("1234AB", 1))
    assert not Subject.objects.exists()

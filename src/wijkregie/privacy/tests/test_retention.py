"""Retention: `wijkregie purge` at a frozen clock destroys exactly what is past its term,
leaves tombstones, never touches the logs except their own (longer) term, and the hash chains
still verify afterwards."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from wijkregie.cases.models import Case, CaseSignal, CaseSubject, CaseType, PhaseChange
from wijkregie.cases.states import Phase
from wijkregie.privacy.integrity import verify_logs
from wijkregie.privacy.models import (
    AccessEvent,
    AuditEvent,
    ChainHead,
    Outcome,
    RetentionKind,
    RetentionTerm,
    Tombstone,
)
from wijkregie.privacy.retention import plan_purge, purge
from wijkregie.privacy.services import log_access
from wijkregie.signals.models import Attachment, Category, Signal, SignalTally
from wijkregie.subjects.models import PersonRecord, SignalSubject, Subject
from wijkregie.subjects.services import AddressInput, PersonInput, attach_address, attach_person
from wijkregie.tenants.access import Viewer, viewer_for
from wijkregie.testing.personas import World

DAY = dt.timedelta(days=1)


def viewer(world: World, name: str) -> Viewer:
    v = viewer_for(world.users[name])
    assert v is not None
    return v


def case_type(world: World, years: int = 5) -> CaseType:
    found = CaseType.objects.filter(municipality=world.gm, code=f"type-{years}").first()
    if found is not None:
        return found
    return CaseType.objects.create(
        municipality=world.gm,
        code=f"type-{years}",
        name=f"Type {years}",
        subject_kind="persoon",
        phases=["aanmelding"],
        retention_years=years,
    )


def make_case(world: World, ref: str, *, closed: dt.datetime | None, keep: dt.date | None) -> Case:
    return Case.objects.create(
        municipality=world.gm,
        reference=ref,
        case_type=case_type(world),
        title="Portiek",
        phase=Phase.AFGESLOTEN if closed else Phase.AANMELDING,
        closed_at=closed,
        retain_until=keep,
    )


def tally_total(world: World) -> int:
    return sum(SignalTally.objects.filter(municipality_id=world.gm.pk).values_list("n", flat=True))


@pytest.fixture
def setup(world: World) -> dict[str, object]:
    """Terms: overlast-jeugd 365 days (category), woonfraude: default 730 days.
    A person on the police signal, an address on the youth-work signal, a photo."""
    RetentionTerm.objects.create(
        municipality=world.gm,
        kind=RetentionKind.CATEGORY,
        category=world.categories["overlast"],  # the parent: overlast-jeugd inherits it
        days=365,
        legal_basis="Besluit bewaartermijnen signalen 2026",
    )
    regisseur = viewer(world, "regisseur")
    agent = viewer(world, "wijkagent")
    person, _record = attach_person(
        viewer=agent,
        signal=world.signals["police_shared"],
        person=PersonInput(given_names="Jan", surname="Jansen", birth_date=dt.date(1980, 1, 2)),
    )
    address = attach_address(
        viewer=viewer(world, "jongerenwerker"),
        signal=world.signals["jongerenwerk_own"],
        address=AddressInput("1234AB", 12),
    )
    photo = Attachment.objects.create(
        municipality=world.gm,
        signal=world.signals["police_shared"],
        file=default_storage.save("attachments/test-retention.jpg", ContentFile(b"jpeg")),
        content_type="image/jpeg",
        extension="jpg",
        size=4,
    )
    log_access(
        viewer=regisseur,
        action="R",
        object_type="signal",
        object_id=str(world.signals["police_shared"].uuid),
        granted=True,
        purpose="signaalbehandeling",
    )
    # the gemeente's signal is in an open case: kept with the case
    open_case = make_case(world, "C-1", closed=None, keep=None)
    CaseSignal.objects.create(
        case=open_case, municipality_id=world.gm.pk, signal=world.signals["gemeente_own"]
    )
    # a case closed long ago, past its retain_until, with the person in it
    old_case = make_case(
        world, "C-2", closed=timezone.now() - 6 * 365 * DAY, keep=timezone.localdate() - DAY
    )
    CaseSubject.objects.create(case=old_case, municipality_id=world.gm.pk, subject=person)
    PhaseChange.objects.create(  # append-only history goes with the case
        case=old_case, municipality_id=world.gm.pk, to_phase="afgesloten", username="regisseur"
    )
    # a case closed recently: kept
    make_case(world, "C-3", closed=timezone.now() - DAY, keep=timezone.localdate() + 5 * 365 * DAY)
    return {"person": person, "address": address, "photo": photo, "old_case": old_case}


def test_purge_at_a_frozen_clock_removes_exactly_what_is_past_its_term(
    world: World, setup: dict[str, object], django_capture_on_commit_callbacks: Any
) -> None:
    now = timezone.now() + 400 * DAY
    before_logs = AccessEvent.objects.count()
    plan = plan_purge(now=now, municipality_id=world.gm.pk)
    # overlast(-jeugd) signals are past 365 days, woonfraude (730) and the one in a case are not
    expected = {
        world.signals[k].uuid
        for k in ("police_shared", "police_outside", "police_confidential", "jongerenwerk_own")
    }
    assert {s.uuid for s in plan.signals} == {str(u) for u in expected}
    assert plan.kept_in_case == 1
    assert [c.label.split()[0] for c in plan.cases] == ["C-2"]
    assert {s.uuid for s in plan.subjects} == {
        str(setup["person"].uuid),  # type: ignore[attr-defined]
        str(setup["address"].uuid),  # type: ignore[attr-defined]
    }
    assert plan.logs == []  # five years: nothing yet

    # A dry run changes nothing.
    out = io.StringIO()
    call_command("purge", "--dry-run", "--now", now.isoformat(), stdout=out)
    text = out.getvalue()
    assert "zou vernietigen: signal " + str(world.signals["police_shared"].uuid) in text
    assert "dry-run cases=1 signals=4 subjects=2" in text
    assert Signal.objects.filter(uuid__in=expected).count() == 4
    assert not Tombstone.objects.exists()

    tallies_before = tally_total(world)
    photo_name = setup["photo"].file.name  # type: ignore[attr-defined]
    assert default_storage.exists(photo_name)
    with django_capture_on_commit_callbacks(execute=True):
        result = purge(now=now)
    assert not result.dry_run
    assert not default_storage.exists(photo_name)  # removed after the commit
    assert not Signal.objects.filter(uuid__in=expected).exists()
    kept = {"corporatie_own", "gemeente_own", "outsider_own"}
    for key in kept:
        assert Signal.objects.filter(pk=world.signals[key].pk).exists(), key
    assert tally_total(world) == tallies_before - 4  # kept right by the triggers
    assert not Case.objects.filter(reference="C-2").exists()
    assert not PhaseChange.objects.filter(case_id=setup["old_case"].pk).exists()  # type: ignore[attr-defined]
    assert set(Case.objects.values_list("reference", flat=True)) == {"C-1", "C-3"}
    assert not Subject.objects.filter(pk__in=[setup["person"].pk, setup["address"].pk]).exists()  # type: ignore[attr-defined]
    assert not PersonRecord.objects.exists() and not SignalSubject.objects.exists()
    assert not Attachment.objects.exists()

    stones = {(t.object_type, t.object_uuid): t for t in Tombstone.objects.all()}
    assert len(stones) == 4 + 1 + 2
    police = stones[("signal", str(world.signals["police_shared"].uuid))]
    assert police.municipality_id == world.gm.pk
    assert police.created_at is not None and police.destroyed_at == now
    assert "categorie overlast (365 dagen)" in police.legal_basis
    assert police.derived == {"person_records": 1, "attachments": 1}
    assert "Jansen" not in str(list(Tombstone.objects.values()))
    case_stone = stones[("case", str(setup["old_case"].uuid))]  # type: ignore[attr-defined]
    assert case_stone.closed_at is not None and "5 jaar" in case_stone.legal_basis
    # The logs are untouched (only a new audit row of the purge itself).
    assert AccessEvent.objects.count() == before_logs
    assert AuditEvent.objects.filter(action="retention_purge").count() == 1
    assert all(r.problem is None for r in verify_logs())
    # A second run finds nothing more.
    again = plan_purge(now=now, municipality_id=world.gm.pk)
    assert not again.signals and not again.cases and not again.subjects


def test_nothing_goes_before_its_term(world: World, setup: dict[str, object]) -> None:
    plan = plan_purge(now=timezone.now() + 300 * DAY)
    assert not plan.signals and not plan.subjects and not plan.logs
    assert [c.label for c in plan.cases] == ["C-2 (Type 5)"]  # its retain_until was yesterday


def test_agreement_term_applies_to_shared_categories(world: World) -> None:
    world.agreement.retention_days = 100
    world.agreement.save()
    plan = plan_purge(now=timezone.now() + 200 * DAY, municipality_id=world.gm.pk)
    doomed = {s.uuid for s in plan.signals}
    # parties (gemeente, politie, corporatie) × categories (overlast, overlast-jeugd)
    assert doomed == {
        str(world.signals[k].uuid)
        for k in ("police_shared", "police_outside", "police_confidential", "gemeente_own")
    }
    assert all("convenant Convenant Veilig Noord" in s.legal_basis for s in plan.signals)


def test_logs_keep_their_own_term_and_the_chain_still_verifies(world: World) -> None:
    regisseur = viewer(world, "regisseur")
    now = timezone.now()
    old = now - 6 * 365 * DAY
    for i in range(3):
        AccessEvent.objects.create(
            at=old + i * DAY,
            municipality_id=world.gm.pk,
            user=regisseur.user,
            username="regisseur",
            action="R",
            object_type="signal",
            object_id=f"old-{i}",
            purpose="signaalbehandeling",
            outcome=Outcome.GRANTED,
            access_point="web",
        )
    recent = log_access(
        viewer=regisseur,
        action="R",
        object_type="signal",
        object_id="recent",
        granted=True,
        purpose="signaalbehandeling",
    )
    result = purge(now=now)
    assert result.log_rows == 3
    assert list(AccessEvent.objects.filter(municipality_id=world.gm.pk)) == [recent]
    head = ChainHead.objects.get(table="privacy_accessevent", municipality_id=world.gm.pk)
    assert head.anchor_seq == recent.chain_seq - 1
    reports = verify_logs()
    assert all(r.problem is None for r in reports), [str(r.problem) for r in reports]
    # a municipality's own log term: shorter, so the recent row stays (only 0 days old)
    RetentionTerm.objects.create(
        municipality=world.gm, kind=RetentionKind.ACCESS_LOG, days=10, legal_basis="x"
    )
    assert purge(now=now + 11 * DAY).log_rows >= 1
    assert not AccessEvent.objects.filter(pk=recent.pk).exists()
    assert all(r.problem is None for r in verify_logs())


def test_beheerder_sets_a_category_term_in_beheer(world: World) -> None:
    from django.test import Client

    client = Client()
    client.force_login(world.users["beheerder"])
    url = "/beheer/privacy/retentionterm/add/"
    form = client.get(url)
    assert form.status_code == 200 and 'name="municipality"' not in form.content.decode()
    other_category = Category.objects.get(municipality=world.other_gm)
    response = client.post(
        url,
        {"kind": "category", "category": other_category.pk, "days": "365", "legal_basis": "x"},
    )
    assert response.status_code == 200  # another municipality's category is not offered
    response = client.post(
        url,
        {
            "kind": "category",
            "category": world.categories["woonfraude"].pk,
            "days": "365",
            "legal_basis": "Besluit 2026",
        },
    )
    assert response.status_code == 302, response.content.decode()[:1000]
    term = RetentionTerm.objects.get()
    assert term.municipality_id == world.gm.pk
    assert AuditEvent.objects.filter(object_type="privacy.retentionterm").exists()
    for persona in ("regisseur", "privacy", "outsider"):
        other = Client()
        other.force_login(world.users[persona])
        assert other.get("/beheer/privacy/retentionterm/").status_code in (302, 404), persona


def test_a_term_needs_its_category(world: World) -> None:
    from django.core.exceptions import ValidationError

    term = RetentionTerm(
        municipality=world.gm, kind=RetentionKind.CATEGORY, days=10, legal_basis="x"
    )
    with pytest.raises(ValidationError):
        term.full_clean()
    term.kind = RetentionKind.SIGNALS
    term.category = world.categories["overlast"]
    with pytest.raises(ValidationError):
        term.full_clean()


def test_a_group_and_its_members_go_in_one_run(world: World) -> None:
    from wijkregie.subjects.models import SubjectMember

    agent = viewer(world, "wijkagent")
    person, _record = attach_person(
        viewer=agent,
        signal=world.signals["police_outside"],
        person=PersonInput(given_names="Kees", surname="Groot", birth_date=dt.date(1990, 1, 1)),
    )
    group = Subject.objects.create(municipality=world.gm, kind="group", pseudonym="G-TEST01")
    SignalSubject.objects.create(
        municipality=world.gm, signal=world.signals["police_outside"], subject=group
    )
    SubjectMember.objects.create(municipality=world.gm, subject=group, person=person)
    # a kept group keeps its member: the member of a group on a kept signal stays
    kept_group = Subject.objects.create(municipality=world.gm, kind="group", pseudonym="G-TEST02")
    SignalSubject.objects.create(
        municipality=world.gm, signal=world.signals["corporatie_own"], subject=kept_group
    )
    kept_member = Subject.objects.create(municipality=world.gm, kind="person", pseudonym="P-TEST03")
    SubjectMember.objects.create(municipality=world.gm, subject=kept_group, person=kept_member)
    Subject.objects.filter(pk__in=[group.pk, kept_group.pk, kept_member.pk]).update(
        created_at=timezone.now() - 100 * DAY
    )
    now = timezone.now() + 400 * DAY  # overlast-jeugd default: 730 days via the agreement
    world.agreement.retention_days = 300
    world.agreement.save()
    purge(now=now)
    assert not Subject.objects.filter(pk__in=[person.pk, group.pk]).exists()
    assert Subject.objects.filter(pk__in=[kept_group.pk, kept_member.pk]).count() == 2
    assert not plan_purge(now=now).subjects

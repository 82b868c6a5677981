"""Services: case types, screening, case creation, phases, closing, reopening, participants."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from wijkregie.cases import closure, services
from wijkregie.cases.models import (
    Case,
    CaseSignal,
    CaseType,
    Participant,
    ParticipantRole,
    PhaseChange,
)
from wijkregie.cases.tests.conftest import (
    REASON,
    RESULT,
    CaseWorld,
    access_for,
    close_case,
    start_case,
    viewer_of,
)
from wijkregie.privacy.models import AppendOnlyError, AuditEvent
from wijkregie.testing.personas import World

pytestmark = pytest.mark.django_db


def codes(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return {name: [e.code or "" for e in errors] for name, errors in exc.value.error_dict.items()}


def test_default_case_types_are_created_once_per_municipality(world: World) -> None:
    first = services.ensure_default_case_types(municipality=world.gm)
    again = services.ensure_default_case_types(municipality=world.gm)
    assert [t.pk for t in first] == [t.pk for t in again]
    kinds = set(
        CaseType.objects.filter(municipality=world.gm).values_list("subject_kind", flat=True)
    )
    assert kinds == {"person", "household", "group", "location", "area_theme"}
    top_x = CaseType.objects.get(municipality=world.gm, code="top-x")
    assert top_x.nominating_kinds == ["gemeente", "politie"]
    assert not CaseType.objects.filter(municipality=world.other_gm).exists()


def test_case_type_validation(world: World) -> None:
    bad = CaseType(
        municipality=world.gm,
        code="x",
        name="X",
        subject_kind="person",
        phases=["analyse"],
        nominating_kinds=["bakker"],
        criteria=["onbekend"],
    )
    with pytest.raises(ValidationError) as exc:
        bad.full_clean()
    assert set(exc.value.message_dict) >= {"phases", "nominating_kinds", "criteria"}


def test_only_allowed_organisation_kinds_nominate_for_top_x(
    world: World, types: dict[str, CaseType]
) -> None:
    signal = world.signals["police_shared"]
    with pytest.raises(ValidationError) as exc:
        services.screening_create(
            viewer=viewer_of(world, "corporatie"),
            case_type=types["top-x"],
            organisation=world.orgs["corporatie"],
            source="signaal",
            signal=signal,
        )
    assert codes(exc)["organisation"] == ["not_nominating"]
    screening = services.screening_create(
        viewer=viewer_of(world, "wijkagent"),
        case_type=types["top-x"],
        organisation=world.orgs["politie"],
        source="signaal",
        signal=signal,
        criteria_met={"impact_omgeving": True},
    )
    assert screening.criteria_met == {
        "meerdere_organisaties": False,
        "impact_omgeving": True,
        "high_impact_crime": False,
    }
    # A nominator cannot act for an organisation they do not belong to.
    with pytest.raises(ValidationError):
        services.screening_create(
            viewer=viewer_of(world, "wijkagent"),
            case_type=types["top-x"],
            organisation=world.orgs["gemeente"],
            source="signaal",
            signal=signal,
        )


def test_decision_rules(world: World, types: dict[str, CaseType]) -> None:
    screening = services.screening_create(
        viewer=viewer_of(world, "wijkagent"),
        case_type=types["persoon"],
        organisation=world.orgs["politie"],
        source="signaal",
        signal=world.signals["police_shared"],
        criteria_met={"meerdere_leefgebieden": True},
    )
    with pytest.raises(ValidationError) as exc:
        services.screening_decide(
            viewer=viewer_of(world, "wijkagent"),
            screening=screening,
            decision="casus",
            reasoning=REASON,
        )
    assert codes(exc) == {"decision": ["forbidden"]}
    regisseur = viewer_of(world, "regisseur")
    with pytest.raises(ValidationError) as exc:
        services.screening_decide(
            viewer=regisseur, screening=screening, decision="casus", reasoning="kort"
        )
    assert codes(exc) == {"reasoning": ["required"], "criteria": ["criteria_not_met"]}
    decided = services.screening_decide(
        viewer=regisseur, screening=screening, decision="regulier", reasoning=REASON
    )
    assert decided.decision == "regulier" and decided.decided_by == world.users["regisseur"]
    with pytest.raises(ValidationError) as exc:
        services.screening_decide(
            viewer=regisseur, screening=screening, decision="geen_actie", reasoning=REASON
        )
    assert codes(exc) == {"decision": ["decided"]}
    with pytest.raises(ValidationError) as exc:
        services.case_create_from_screening(viewer=regisseur, screening=screening, title="Casus")
    assert codes(exc) == {"screening": ["not_decided"]}


def test_case_from_screening(world: World, types: dict[str, CaseType]) -> None:
    screening = services.screening_create(
        viewer=viewer_of(world, "wijkagent"),
        case_type=types["persoon"],
        organisation=world.orgs["politie"],
        source="signaal",
        signal=world.signals["police_shared"],
    )
    regisseur = viewer_of(world, "regisseur")
    services.screening_decide(
        viewer=regisseur,
        screening=screening,
        decision="casus",
        reasoning=REASON,
        criteria_met={"meerdere_leefgebieden": True, "meerdere_organisaties": True},
    )
    case = services.case_create_from_screening(
        viewer=regisseur, screening=screening, title="Portiek 12"
    )
    assert case.phase == "aanmelding" and case.phase_due is not None
    assert case.reference.startswith("C-") and len(case.reference) == 8
    roles = {(p.user.username, p.organisation.slug, p.role) for p in case.participants.all()}
    assert roles == {
        ("regisseur", "gemeente", "casusregisseur"),
        ("wijkagent", "politie", "deelnemer"),
    }
    assert list(CaseSignal.objects.filter(case=case).values_list("signal_id", flat=True)) == [
        world.signals["police_shared"].pk
    ]
    assert [(h.from_phase, h.to_phase) for h in case.phase_changes.all()] == [("", "aanmelding")]
    assert AuditEvent.objects.filter(action="create", object_id=str(case.uuid)).exists()
    with pytest.raises(ValidationError) as exc:
        services.case_create_from_screening(viewer=regisseur, screening=screening, title="Nog een")
    assert codes(exc) == {"screening": ["exists"]}


def test_walk_through_the_phases_and_close_with_a_result(cw: CaseWorld) -> None:
    world, case = cw.world, cw.case
    regisseur = viewer_of(world, "regisseur")
    for phase in ["analyse", "plan", "uitvoering", "monitoring"]:
        services.case_transition(
            viewer=regisseur, access=access_for(world, "regisseur", case), to_phase=phase
        )
    # Skipping a phase is not in the table.
    with pytest.raises(ValidationError) as exc:
        services.case_transition(
            viewer=regisseur, access=access_for(world, "regisseur", case), to_phase="plan"
        )
    assert codes(exc) == {"phase": ["invalid_transition"]}
    # A bare phase change to closed is refused: closing goes with the evaluation.
    with pytest.raises(ValidationError) as exc:
        services.case_transition(
            viewer=regisseur,
            access=access_for(world, "regisseur", case),
            to_phase="afgesloten",
            result_code="doel_bereikt",
            result=RESULT,
        )
    assert codes(exc) == {"phase": ["close_with_evaluation"]}
    # Closing without a result is refused.
    with pytest.raises(ValidationError) as exc:
        closure.case_close(
            viewer=regisseur,
            access=access_for(world, "regisseur", case),
            result_code="",
            result="",
            goal_outcomes={},
        )
    assert codes(exc) == {"result_code": ["required"], "result": ["required"]}
    assert Case.objects.get(pk=case.pk).phase == "monitoring"
    closure.case_close(
        viewer=regisseur,
        access=access_for(world, "regisseur", case),
        result_code="doel_bereikt",
        result=RESULT,
        goal_outcomes={},
    )
    closed = Case.objects.get(pk=case.pk)
    assert closed.is_closed and closed.closed_at is not None
    assert closed.retain_until is not None
    closed_on = timezone.localdate(closed.closed_at)  # the retention term counts local days
    assert closed.retain_until == closed_on.replace(
        year=closed_on.year + cw.types["persoon"].retention_years
    )
    history = [(h.from_phase, h.to_phase) for h in PhaseChange.objects.filter(case=case)]
    assert history == [
        ("", "aanmelding"),
        ("aanmelding", "analyse"),
        ("analyse", "plan"),
        ("plan", "uitvoering"),
        ("uitvoering", "monitoring"),
        ("monitoring", "afgesloten"),
    ]
    assert PhaseChange.objects.filter(case=case).last().note == RESULT  # type: ignore[union-attr]


def test_moving_back_needs_a_reason(cw: CaseWorld) -> None:
    world, case = cw.world, cw.case
    regisseur = viewer_of(world, "regisseur")
    services.case_transition(
        viewer=regisseur, access=access_for(world, "regisseur", case), to_phase="analyse"
    )
    with pytest.raises(ValidationError) as exc:
        services.case_transition(
            viewer=regisseur, access=access_for(world, "regisseur", case), to_phase="aanmelding"
        )
    assert codes(exc) == {"note": ["required"]}
    services.case_transition(
        viewer=regisseur,
        access=access_for(world, "regisseur", case),
        to_phase="aanmelding",
        note=REASON,
    )


def test_only_the_casusregisseur_changes_the_phase(cw: CaseWorld) -> None:
    with pytest.raises(ValidationError) as exc:
        services.case_transition(
            viewer=viewer_of(cw.world, "wijkagent"),
            access=access_for(cw.world, "wijkagent", cw.case),
            to_phase="analyse",
        )
    assert codes(exc) == {"phase": ["forbidden"]}


def _close(cw: CaseWorld) -> None:
    close_case(cw.world, cw.case, result_code="overgedragen")


def test_a_closed_case_is_read_only(cw: CaseWorld) -> None:
    _close(cw)
    world, case = cw.world, cw.case
    regisseur = viewer_of(world, "regisseur")
    with pytest.raises(ValidationError) as exc:
        services.case_transition(
            viewer=regisseur,
            access=access_for(world, "regisseur", case),
            to_phase="analyse" if False else "uitvoering",
        )
    assert codes(exc)["case"] == ["closed"]
    with pytest.raises(ValidationError) as exc:
        services.participant_add(
            viewer=regisseur,
            access=access_for(world, "regisseur", case),
            user=world.users["corporatie"],
            organisation=world.orgs["corporatie"],
            role="deelnemer",
        )
    assert codes(exc)["case"] == ["closed"]
    wijkagent = Participant.objects.get(case=case, user=world.users["wijkagent"])
    with pytest.raises(ValidationError) as exc:
        services.participant_remove(
            viewer=regisseur,
            access=access_for(world, "regisseur", case),
            participant=wijkagent,
            reason=REASON,
        )
    assert codes(exc)["case"] == ["closed"]
    assert Case.objects.get(pk=case.pk).phase == "afgesloten"


def test_reopen_needs_the_right_and_a_reason(cw: CaseWorld) -> None:
    world, case = cw.world, cw.case
    regisseur = viewer_of(world, "regisseur")
    # A professional casusregisseur may close, but not reopen.
    services.participant_add(
        viewer=regisseur,
        access=access_for(world, "regisseur", case),
        user=world.users["corporatie"],
        organisation=world.orgs["corporatie"],
        role=ParticipantRole.REGISSEUR,
    )
    _close(cw)
    with pytest.raises(ValidationError) as exc:
        services.case_transition(
            viewer=viewer_of(world, "corporatie"),
            access=access_for(world, "corporatie", case),
            to_phase="analyse",
            note=REASON,
        )
    assert codes(exc) == {"phase": ["reopen_forbidden"]}
    # A participant who is no casusregisseur: no right either.
    with pytest.raises(ValidationError) as exc:
        services.case_transition(
            viewer=viewer_of(world, "wijkagent"),
            access=access_for(world, "wijkagent", case),
            to_phase="analyse",
            note=REASON,
        )
    assert codes(exc) == {"phase": ["forbidden"]}
    with pytest.raises(ValidationError) as exc:
        services.case_transition(
            viewer=regisseur,
            access=access_for(world, "regisseur", case),
            to_phase="analyse",
            note="",
        )
    assert codes(exc) == {"note": ["required"]}
    reopened = services.case_transition(
        viewer=regisseur,
        access=access_for(world, "regisseur", case),
        to_phase="analyse",
        note=REASON,
    )
    assert (
        reopened.phase == "analyse" and reopened.closed_at is None and reopened.retain_until is None
    )
    last = PhaseChange.objects.filter(case=case).last()
    assert last is not None and (last.from_phase, last.to_phase, last.note) == (
        "afgesloten",
        "analyse",
        REASON,
    )
    assert AuditEvent.objects.filter(action="reopen", object_id=str(case.uuid)).count() == 1


def test_phase_history_is_append_only(cw: CaseWorld) -> None:
    row = PhaseChange.objects.filter(case=cw.case).first()
    assert row is not None
    row.note = "changed"
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        PhaseChange.objects.filter(case=cw.case).delete()


def test_participants(cw: CaseWorld) -> None:
    world, case = cw.world, cw.case
    regisseur = viewer_of(world, "regisseur")
    # Only staff with a reading role in that organisation.
    with pytest.raises(ValidationError) as exc:
        services.participant_add(
            viewer=regisseur,
            access=access_for(world, "regisseur", case),
            user=world.users["privacy"],
            organisation=world.orgs["gemeente"],
            role="deelnemer",
        )
    assert codes(exc) == {"user": ["invalid"]}
    with pytest.raises(ValidationError) as exc:
        services.participant_add(
            viewer=regisseur,
            access=access_for(world, "regisseur", case),
            user=world.users["wijkagent"],
            organisation=world.orgs["politie"],
            role="deelnemer",
        )
    assert codes(exc) == {"user": ["exists"]}
    # Only the casusregisseur manages participants.
    with pytest.raises(ValidationError) as exc:
        services.participant_add(
            viewer=viewer_of(world, "wijkagent"),
            access=access_for(world, "wijkagent", case),
            user=world.users["corporatie"],
            organisation=world.orgs["corporatie"],
            role="deelnemer",
        )
    assert codes(exc) == {"case": ["forbidden"]}
    own = Participant.objects.get(case=case, user=world.users["regisseur"])
    with pytest.raises(ValidationError) as exc:
        services.participant_remove(
            viewer=regisseur,
            access=access_for(world, "regisseur", case),
            participant=own,
            reason=REASON,
        )
    assert codes(exc) == {"participant": ["last_regisseur"]}
    agent = Participant.objects.get(case=case, user=world.users["wijkagent"])
    with pytest.raises(ValidationError) as exc:
        services.participant_remove(
            viewer=regisseur,
            access=access_for(world, "regisseur", case),
            participant=agent,
            reason="x",
        )
    assert codes(exc) == {"reason": ["required"]}
    services.participant_remove(
        viewer=regisseur,
        access=access_for(world, "regisseur", case),
        participant=agent,
        reason=REASON,
    )
    agent.refresh_from_db()
    assert agent.removed_at is not None and agent.removal_reason == REASON


def test_reference_is_unique_per_municipality(world: World, types: dict[str, CaseType]) -> None:
    refs = {start_case(world, title=f"Casus {i}").reference for i in range(5)}
    assert len(refs) == 5


def test_the_data_migration_gives_existing_municipalities_the_defaults(world: World) -> None:
    import importlib

    from django.apps import apps

    migration = importlib.import_module("wijkregie.cases.migrations.0002_default_case_types")
    migration.create_defaults(apps, None)
    migration.create_defaults(apps, None)  # idempotent
    for gm in (world.gm, world.other_gm):
        assert CaseType.objects.filter(municipality=gm).count() == 6
    for case_type in CaseType.objects.all():
        case_type.full_clean()

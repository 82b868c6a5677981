from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from wijkregie.cases import services
from wijkregie.cases.access import CaseAccess, participation
from wijkregie.cases.models import Case, CaseType, ParticipantRole
from wijkregie.tenants.access import Viewer, viewer_for
from wijkregie.testing.personas import World

REASON = "Besproken in het casusoverleg van maandag"
RESULT = "Alle doelen uit het plan van aanpak zijn bereikt"


def viewer_of(world: World, persona: str) -> Viewer:
    viewer = viewer_for(world.users[persona])
    assert viewer is not None
    return viewer


def access_for(world: World, persona: str, case: Case) -> CaseAccess:
    viewer = viewer_of(world, persona)
    case = Case.objects.select_related("case_type").get(pk=case.pk)
    return CaseAccess(case=case, participant=participation(viewer, case), break_glass=None)


@dataclass
class CaseWorld:
    world: World
    types: dict[str, CaseType]
    case: Case


def close_case(world: World, case: Case, *, result_code: str = "doel_bereikt") -> Case:
    """Close through the one closing path, with every goal of the plan reached."""
    from wijkregie.cases import closure
    from wijkregie.cases.models import Goal

    closure.case_close(
        viewer=viewer_of(world, "regisseur"),
        access=access_for(world, "regisseur", case),
        result_code=result_code,
        result=RESULT,
        goal_outcomes={str(g.uuid): "bereikt" for g in Goal.objects.filter(case=case)},
        handover_organisation=world.orgs["gemeente"] if result_code == "overgedragen" else None,
        handover="Overgedragen aan het wijkteam." if result_code == "overgedragen" else "",
    )
    return Case.objects.get(pk=case.pk)


def start_case(world: World, *, type_code: str = "persoon", title: str = "Casus portiek") -> Case:
    """A case from a screening of the gemeente's own signal: regisseur is casusregisseur."""
    regisseur = viewer_of(world, "regisseur")
    case_type = CaseType.objects.get(municipality=world.gm, code=type_code)
    screening = services.screening_create(
        viewer=regisseur,
        case_type=case_type,
        organisation=world.orgs["gemeente"],
        source="signaal",
        signal=world.signals["gemeente_own"],
        criteria_met=dict.fromkeys(case_type.criteria, True),
    )
    services.screening_decide(
        viewer=regisseur, screening=screening, decision="casus", reasoning=REASON
    )
    return services.case_create_from_screening(viewer=regisseur, screening=screening, title=title)


@pytest.fixture
def types(world: World) -> dict[str, CaseType]:
    return {t.code: t for t in services.ensure_default_case_types(municipality=world.gm)}


@pytest.fixture
def cw(world: World, types: dict[str, CaseType]) -> CaseWorld:
    """A case with regisseur (casusregisseur), wijkagent (deelnemer), analist (waarnemer)."""
    case = start_case(world)
    access = access_for(world, "regisseur", case)
    regisseur = viewer_of(world, "regisseur")
    services.participant_add(
        viewer=regisseur,
        access=access,
        user=world.users["wijkagent"],
        organisation=world.orgs["politie"],
        role=ParticipantRole.PARTICIPANT,
    )
    services.participant_add(
        viewer=regisseur,
        access=access,
        user=world.users["analist"],
        organisation=world.orgs["gemeente"],
        role=ParticipantRole.OBSERVER,
    )
    return CaseWorld(world=world, types=types, case=case)


@dataclass
class PlanWorld:
    world: World
    case: Case
    goal: Any
    police_action: Any
    youth_action: Any


def in_days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


@pytest.fixture
def pw(cw: CaseWorld) -> PlanWorld:
    """The `cw` case plus jongerenwerker as observer (jongerenwerk), a goal in veiligheid, an
    action owned by politie (person: wijkagent) and one owned by jongerenwerk."""
    from wijkregie.cases import plan_services

    world = cw.world
    regisseur = viewer_of(world, "regisseur")
    services.participant_add(
        viewer=regisseur,
        access=access_for(world, "regisseur", cw.case),
        user=world.users["jongerenwerker"],
        organisation=world.orgs["jongerenwerk"],
        role=ParticipantRole.OBSERVER,
    )
    access = access_for(world, "regisseur", cw.case)
    goal = plan_services.goal_add(
        viewer=regisseur,
        access=access,
        life_domain=world.domains["veiligheid"],
        description="Geen overlast meer in de portiek",
    )
    police = plan_services.action_add(
        viewer=regisseur,
        access=access,
        description="Huisbezoek wijkagent",
        owner_organisation=world.orgs["politie"],
        owner_user=world.users["wijkagent"],
        due_date=in_days(14),
        goal=goal,
    )
    youth = plan_services.action_add(
        viewer=regisseur,
        access=access,
        description="Jongeren aanspreken op het plein",
        owner_organisation=world.orgs["jongerenwerk"],
        due_date=in_days(7),
    )
    return PlanWorld(world=world, case=cw.case, goal=goal, police_action=police, youth_action=youth)

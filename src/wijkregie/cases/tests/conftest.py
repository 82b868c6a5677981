from __future__ import annotations

from dataclasses import dataclass

import pytest

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

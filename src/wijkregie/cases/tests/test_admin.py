"""Case types in the beheer admin: the beheerder's own municipality only."""

from __future__ import annotations

import pytest
from django.test import Client

from wijkregie.cases import services
from wijkregie.cases.models import CaseType
from wijkregie.testing.personas import World

pytestmark = pytest.mark.django_db


def client_for(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


def test_beheerder_manages_own_case_types_only(world: World) -> None:
    services.ensure_default_case_types(municipality=world.gm)
    services.ensure_default_case_types(municipality=world.other_gm)
    foreign = CaseType.objects.get(municipality=world.other_gm, code="top-x")
    client = client_for(world, "beheerder")
    listing = client.get("/beheer/cases/casetype/")
    assert listing.status_code == 200
    assert listing.content.decode().count("Top X-aanpak") == 1
    assert client.get(f"/beheer/cases/casetype/{foreign.pk}/change/").status_code in (302, 404)
    data = {
        "code": "buurt-x",
        "name": "Buurtaanpak",
        "subject_kind": "area_theme",
        "phases": '["aanmelding", "uitvoering"]',
        "phase_due_days": '{"uitvoering": 90}',
        "nominating_kinds": '["gemeente"]',
        "criteria": '["impact_omgeving"]',
        "retention_years": "3",
        "active": "on",
    }
    bad = client.post("/beheer/cases/casetype/add/", {**data, "phases": '["uitvoering"]'})
    assert bad.status_code == 200 and not CaseType.objects.filter(code="buurt-x").exists()
    response = client.post("/beheer/cases/casetype/add/", data)
    assert response.status_code == 302
    created = CaseType.objects.get(code="buurt-x")
    assert created.municipality_id == world.gm.pk


@pytest.mark.parametrize("persona", ["regisseur", "wijkagent", "privacy", "outsider"])
def test_case_type_admin_is_404_for_others(world: World, persona: str) -> None:
    assert client_for(world, persona).get("/beheer/cases/casetype/").status_code == 404

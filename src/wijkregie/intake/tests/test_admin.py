"""Mapping profiles in the beheer admin: per municipality, for the functioneel beheerder only."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from wijkregie.intake.models import ImportJob, MappingProfile
from wijkregie.privacy.models import AuditEvent
from wijkregie.tenants.models import Membership, Organisation, Role, User
from wijkregie.testing.personas import PASSWORD, World

LIST = "/beheer/intake/mappingprofile/"
ADD = "/beheer/intake/mappingprofile/add/"


def client_for(user: User) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def profiles(world: World) -> dict[str, MappingProfile]:
    other_org = Organisation.objects.get(municipality=world.other_gm, slug="gemeente")
    return {
        "own": MappingProfile.objects.create(
            municipality=world.gm,
            organisation=world.orgs["corporatie"],
            name="Woonsysteem Demodam",
            column_map={"Zaak": "extern_id"},
        ),
        "elders": MappingProfile.objects.create(
            municipality=world.other_gm, organisation=other_org, name="Profiel Elders"
        ),
    }


def test_beheerder_manages_own_profiles_only(
    world: World, profiles: dict[str, MappingProfile]
) -> None:
    beheerder = client_for(world.users["beheerder"])
    listing = beheerder.get(LIST)
    assert listing.status_code == 200
    assert "Woonsysteem Demodam" in listing.content.decode()
    assert "Profiel Elders" not in listing.content.decode()
    assert beheerder.get(f"{LIST}{profiles['elders'].pk}/change/").status_code in (302, 404)
    assert beheerder.get(f"{LIST}{profiles['own'].pk}/change/").status_code == 200

    response = beheerder.post(
        ADD,
        {
            "organisation": world.orgs["politie"].pk,
            "name": "BVH-export",
            "column_map": json.dumps({"Registratienummer": "extern_id", "Datum": "waargenomen_op"}),
            "category_map": json.dumps({"Jeugd": "overlast-jeugd"}),
            "date_format": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    created = MappingProfile.objects.get(name="BVH-export")
    assert created.municipality == world.gm
    assert created.column_map["Datum"] == "waargenomen_op"
    assert AuditEvent.objects.filter(action="create", object_id=str(created.uuid)).exists()

    # An organisation of another municipality is not offered and not accepted.
    elders = Organisation.objects.get(municipality=world.other_gm, slug="gemeente")
    refused = beheerder.post(
        ADD, {"organisation": elders.pk, "name": "X", "column_map": "{}", "category_map": "{}"}
    )
    assert refused.status_code == 200
    assert not MappingProfile.objects.filter(name="X").exists()


def test_unknown_standard_columns_are_refused(world: World) -> None:
    profile = MappingProfile(
        municipality=world.gm,
        organisation=world.orgs["politie"],
        name="Fout",
        column_map={"Datum": "datum_melding"},
    )
    with pytest.raises(ValidationError) as raised:
        profile.full_clean()
    assert raised.value.message_dict["column_map"] == ["Onbekende standaardkolom: datum_melding."]


@pytest.mark.parametrize("persona", ["regisseur", "wijkagent", "outsider"])
def test_others_do_not_get_the_admin(
    world: World, profiles: dict[str, MappingProfile], persona: str
) -> None:
    client = client_for(world.users[persona])
    assert client.get(LIST).status_code == 404
    assert client.get(f"{LIST}{profiles['own'].pk}/change/").status_code == 404
    assert client.get("/beheer/intake/importjob/").status_code == 404


def test_a_beheerder_of_another_municipality_sees_nothing_of_demodam(
    world: World, profiles: dict[str, MappingProfile]
) -> None:
    outsider = world.users["outsider"]
    elders = Organisation.objects.get(municipality=world.other_gm, slug="gemeente")
    Membership.objects.create(
        municipality=world.other_gm, user=outsider, organisation=elders, role=Role.BEHEERDER
    )
    ImportJob.objects.create(
        municipality=world.gm,
        organisation=world.orgs["politie"],
        original_name="politie-export.csv",
        stored_path="imports/x.csv",
    )
    client = client_for(outsider)
    listing = client.get(LIST)
    assert listing.status_code == 200
    assert "Profiel Elders" in listing.content.decode()
    assert "Woonsysteem Demodam" not in listing.content.decode()
    assert client.get(f"{LIST}{profiles['own'].pk}/change/").status_code in (302, 404)
    jobs = client.get("/beheer/intake/importjob/")
    assert jobs.status_code == 200
    assert "politie-export.csv" not in jobs.content.decode()

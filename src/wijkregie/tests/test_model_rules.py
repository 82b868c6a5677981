"""Model rules that keep rows inside one tenant and categories at two levels."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from wijkregie.areas.models import FocusAreaPartner, Neighbourhood, SharingAgreement
from wijkregie.signals.models import Category, LifeDomain
from wijkregie.tenants.models import Membership, Organisation
from wijkregie.testing.personas import World


def test_category_has_two_levels(world: World) -> None:
    third = Category(
        municipality=world.gm,
        code="derde",
        name="Derde niveau",
        parent=world.categories["overlast-jeugd"],
        life_domain=world.domains["veiligheid"],
    )
    with pytest.raises(ValidationError) as exc:
        third.full_clean()
    assert "parent" in exc.value.message_dict


def test_category_cannot_use_another_tenants_parent_or_domain(world: World) -> None:
    other_domain = LifeDomain.objects.get(municipality=world.other_gm)
    other_parent = Category.objects.get(municipality=world.other_gm)
    category = Category(
        municipality=world.gm, code="x", name="X", parent=other_parent, life_domain=other_domain
    )
    with pytest.raises(ValidationError) as exc:
        category.full_clean()
    assert set(exc.value.message_dict) == {"parent", "life_domain"}


def test_membership_stays_in_tenant(world: World) -> None:
    other_org = Organisation.objects.get(municipality=world.other_gm)
    membership = Membership(
        municipality=world.gm, user=world.users["regisseur"], organisation=other_org, role="analist"
    )
    with pytest.raises(ValidationError) as exc:
        membership.full_clean()
    assert "organisation" in exc.value.message_dict


def test_focus_area_partner_stays_in_tenant(world: World) -> None:
    other_org = Organisation.objects.get(municipality=world.other_gm)
    partner = FocusAreaPartner(
        municipality=world.gm, focus_area=world.focus, organisation=other_org, role="x"
    )
    with pytest.raises(ValidationError):
        partner.full_clean()


def test_buurt_code_matches_kind(world: World) -> None:
    hood = Neighbourhood(municipality=world.gm, code="WK999909", kind="buurt", name="Fout")
    with pytest.raises(ValidationError) as exc:
        hood.full_clean()
    assert "code" in exc.value.message_dict


def test_agreement_end_after_start(world: World) -> None:
    agreement = SharingAgreement(
        municipality=world.gm,
        title="Omgekeerd",
        purpose="signalering",
        legal_basis="x",
        valid_from=dt.date(2026, 1, 1),
        valid_until=dt.date(2025, 1, 1),
    )
    with pytest.raises(ValidationError) as exc:
        agreement.full_clean()
    assert "valid_until" in exc.value.message_dict

"""Requests of data subjects in Chromium: register, decide, erase, destruction list; axe clean."""

from __future__ import annotations

from typing import Any

import pytest

from wijkregie.privacy.models import DataSubjectRequest, Tombstone
from wijkregie.subjects.models import Subject
from wijkregie.subjects.services import PersonInput, attach_person
from wijkregie.tenants.access import viewer_for

pytestmark = pytest.mark.e2e


def person(world: Any) -> Subject:
    agent = viewer_for(world.users["wijkagent"])
    assert agent is not None
    subject, _record = attach_person(
        viewer=agent,
        signal=world.signals["police_shared"],
        person=PersonInput(bsn="111222333", given_names="Jan", surname="Jansen"),
    )
    return subject


def test_register_decide_and_erase(world: Any, new_page: Any) -> None:
    jan = person(world)
    page = new_page(world.users["privacy"])
    page.goto("/privacy/inzagelog/")
    page.get_by_role("link", name="Verzoeken van betrokkenen").click()
    page.wait_for_selector("h1")
    assert page.locator("h1").inner_text() == "Verzoeken van betrokkenen"
    # a validation error first: nothing filled in to find the person
    page.get_by_label("Soort verzoek").select_option("erasure")
    page.get_by_label("Ontvangen op").fill("2026-11-02")
    page.get_by_role("button", name="Registreren").click()
    page.wait_for_selector("#form-errors")
    assert "precies één" in page.locator("#form-errors").inner_text()
    page.get_by_label("BSN").fill("111222333")
    page.get_by_role("button", name="Registreren").click()
    page.wait_for_selector("#request-facts")
    assert jan.pseudonym in page.locator("#request-facts").inner_text()

    page.locator("#id_status").select_option("granted")
    page.get_by_label("Wijze van wissen (alleen bij wissing)").select_option("delete")
    page.get_by_label("Motivering").fill("Geen grond meer om te bewaren; verzoek toegewezen.")
    page.get_by_role("button", name="Besluit vastleggen").click()
    page.wait_for_selector(".utrecht-alert--ok")
    assert page.locator("#request-status").inner_text() == "Toegewezen"
    page.get_by_role("button", name="Betrokkene wissen").click()
    page.wait_for_selector("#request-carried-out")
    assert not Subject.objects.filter(pk=jan.pk).exists()
    request = DataSubjectRequest.objects.get()
    assert request.carried_out_at is not None

    page.get_by_role("link", name="Vernietigingslijst").click()
    page.wait_for_selector("#destruction-table")
    table = page.locator("#destruction-table").inner_text()
    assert request.reference in table and "Jansen" not in table
    assert Tombstone.objects.filter(request=request).count() == 2  # the person and the signal


def test_others_get_not_found(world: Any, new_page: Any) -> None:
    for persona in ("regisseur", "outsider"):
        page = new_page(world.users[persona])
        response = page.goto("/privacy/verzoeken/")
        assert response is not None and response.status == 404
        response = page.goto("/privacy/vernietigingslijst/")
        assert response is not None and response.status == 404


@pytest.mark.parametrize("step", ["list", "detail", "destruction"])
def test_request_pages_have_no_axe_violations(
    world: Any, new_page: Any, assert_accessible: Any, step: str
) -> None:
    jan = person(world)
    privacy = viewer_for(world.users["privacy"])
    assert privacy is not None
    from wijkregie.privacy import requests

    request = requests.register_request(
        viewer=privacy, kind="access", subject=jan, received_on=jan.created_at.date()
    )
    Tombstone.objects.create(
        municipality_id=world.gm.pk, object_type="signal", object_uuid="x", legal_basis="test"
    )
    page = new_page(world.users["privacy"], bypass_csp=True)
    url = {
        "list": "/privacy/verzoeken/",
        "detail": f"/privacy/verzoeken/{request.uuid}/",
        "destruction": "/privacy/vernietigingslijst/",
    }[step]
    page.goto(url)
    page.wait_for_selector("h1")
    assert_accessible(page)

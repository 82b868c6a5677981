"""The privacy officer's access log and alerts in Chromium: search, review, axe clean."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

from wijkregie.privacy.models import AccessEvent
from wijkregie.privacy.services import log_access
from wijkregie.tenants.access import viewer_for

pytestmark = pytest.mark.e2e


def reads(world: Any) -> AccessEvent:
    """A few reads by the regisseur; the last one flagged (as a break-the-glass read is)."""
    viewer = viewer_for(world.users["regisseur"])
    assert viewer is not None
    event = None
    for pseudonym in ("P-AAAAAA", "P-BBBBBB", "P-CCCCCC"):
        event = log_access(
            viewer=viewer,
            action="R",
            object_type="subject",
            object_id=pseudonym,
            granted=True,
            purpose="signaalbehandeling",
            subject_pseudonym=pseudonym,
            flagged=pseudonym == "P-CCCCCC",
            detail="break-the-glass" if pseudonym == "P-CCCCCC" else "",
        )
    assert event is not None
    return event


@override_settings(ACCESS_ALERT_SUBJECTS_PER_DAY=2)
def test_search_the_log_and_review_a_flagged_read(world: Any, new_page: Any) -> None:
    flagged = reads(world)
    page = new_page(world.users["privacy"])
    page.goto("/")
    page.get_by_role("link", name="Inzagelog").click()
    page.wait_for_selector("h1")
    assert page.locator("h1").inner_text() == "Inzagelog"
    page.get_by_label("Pseudoniem van de betrokkene").fill("p-bbbbbb")
    page.get_by_role("button", name="Zoeken").click()
    page.wait_for_selector("#access-log-table")
    table = page.locator("#access-log-table tbody").inner_text()
    assert "P-BBBBBB" in table and "P-AAAAAA" not in table
    assert "pseudonym=p-bbbbbb" in page.url  # the search is in the URL (works without JS)

    page.get_by_role("link", name="Naar de signaleringen").click()
    page.wait_for_selector("#readers-table")
    assert "regisseur" in page.locator("#readers-table").inner_text()
    row = page.locator(f"#flagged-{flagged.pk}")
    assert "break-the-glass" in row.inner_text()
    row.get_by_role("button", name="Markeer als beoordeeld").click()
    page.wait_for_selector(".utrecht-alert--ok")
    assert page.locator(f"#flagged-{flagged.pk}").count() == 0
    assert "Er zijn geen inzagen te beoordelen." in page.content()
    flagged.refresh_from_db()
    assert flagged.reviewed_by == world.users["privacy"]


def test_other_roles_get_not_found(world: Any, new_page: Any) -> None:
    page = new_page(world.users["regisseur"])
    response = page.goto("/privacy/inzagelog/")
    assert response is not None and response.status == 404
    page.goto("/")
    assert page.get_by_role("link", name="Inzagelog").count() == 0


@pytest.mark.parametrize("step", ["log", "errors", "alerts"])
@override_settings(ACCESS_ALERT_SUBJECTS_PER_DAY=2)
def test_privacy_pages_have_no_axe_violations(
    world: Any, new_page: Any, assert_accessible: Any, step: str
) -> None:
    reads(world)
    page = new_page(world.users["privacy"], bypass_csp=True)
    if step == "log":
        page.goto("/privacy/inzagelog/")
    elif step == "errors":
        page.goto("/privacy/inzagelog/?start=2026-05-02&end=2026-05-01")
        page.wait_for_selector("#form-errors")
    else:
        page.goto("/privacy/signaleringen/")
    page.wait_for_selector("h1")
    assert_accessible(page)

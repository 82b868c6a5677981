"""The area report in a real browser: request page, list, download; axe on every page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from wijkregie.documents.models import DocumentStatus, GeneratedDocument

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def immediate_tasks(settings: Any, tmp_path: Path) -> None:
    # The live server runs in this process: the report is made when it is requested.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"


def test_request_list_and_download_with_no_axe_violations(
    world: Any, new_page: Any, assert_accessible: Any, tmp_path: Path
) -> None:
    page = new_page(world.users["analist"], bypass_csp=True)  # axe is injected inline
    page.goto(f"/rapportages/nieuw/?gebied={world.focus.uuid}")
    assert page.get_by_label("Gebied").input_value() == str(world.focus.uuid)
    assert_accessible(page)

    # An impossible period first: the Dutch error summary, focusable links to the fields.
    page.get_by_label("Van").fill("2026-06-01")
    page.get_by_label("Tot en met").fill("2026-05-01")
    page.get_by_role("button", name="Rapportage aanvragen").click()
    assert "De einddatum moet op of na de begindatum liggen." in page.content()
    assert_accessible(page)

    page.get_by_label("Van").fill("2026-01-01")
    page.get_by_label("Tot en met").fill("2026-06-30")
    page.get_by_role("button", name="Rapportage aanvragen").click()
    page.wait_for_url("**/rapportages/")
    assert "De rapportage over Noord wordt gemaakt." in page.content()
    document = GeneratedDocument.objects.get()
    assert document.status == DocumentStatus.DONE, document.error
    assert_accessible(page)

    with page.expect_download() as info:
        page.get_by_role("link", name="Download PDF van Noord").click()
    download = info.value
    assert download.suggested_filename == "gebiedsrapportage-noord-2026-01-01-2026-06-30.pdf"
    saved = tmp_path / "report.pdf"
    download.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF-") and saved.stat().st_size == document.size


def test_the_list_works_with_the_keyboard(world: Any, new_page: Any) -> None:
    page = new_page(world.users["regisseur"])
    page.goto("/rapportages/")
    assert "U hebt nog geen rapportages aangevraagd." in page.content()
    link = page.get_by_role("link", name="Nieuwe gebiedsrapportage")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/rapportages/nieuw/")
    assert page.get_by_role("heading", level=1).inner_text() == "Gebiedsrapportage aanvragen"

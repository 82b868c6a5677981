"""The web import in a real browser: upload, preview, start, result; axe on every page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from wijkregie.signals.models import Signal

pytestmark = pytest.mark.e2e

# Windows-1252 and semicolons, as Dutch Excel saves; the last row has an unknown category.
CSV_TEXT = (
    "extern_id;waargenomen_op;categorie;omschrijving;x;y\r\n"
    "E2E-1;01-10-2026 10:15;overlast-jeugd;Groep jongeren bij portiek;155250,5;463250,5\r\n"
    "E2E-2;02-10-2026;Jeugdoverlast;Brommers op het pleintje, café;155750;463500\r\n"
    "E2E-3;04-10-2026;bestaat-niet;Onbekende categorie;155500;463500\r\n"
)


@pytest.fixture(autouse=True)
def immediate_tasks(settings: Any, tmp_path: Path) -> None:
    # The live server runs in this process: the job runs when it is started, like a worker would.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"


def test_import_through_the_browser_with_no_axe_violations(
    world: Any, new_page: Any, assert_accessible: Any, tmp_path: Path
) -> None:
    export = tmp_path / "export.csv"
    export.write_bytes(CSV_TEXT.encode("cp1252"))
    page = new_page(world.users["regisseur"], bypass_csp=True)  # axe is injected inline
    page.goto("/importeren/")
    assert_accessible(page)
    page.set_input_files("input[type=file]", str(export))
    page.get_by_role("button", name="Bestand uploaden").click()

    page.wait_for_url("**/voorbeeld/")
    body = page.content()
    assert "Windows-1252" in body and "Brommers op het pleintje, café" in body
    assert_accessible(page)
    page.get_by_role("button", name="Importeren starten").click()

    page.wait_for_url("**/resultaat/")
    assert page.locator("dd").nth(0).inner_text() == "2"  # new
    assert "Onbekende categorie: bestaat-niet." in page.content()
    assert_accessible(page)
    assert sorted(
        Signal.objects.filter(external_id__startswith="E2E-").values_list("external_id", flat=True)
    ) == ["E2E-1", "E2E-2"]

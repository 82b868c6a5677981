"""Dutch is the default whatever the browser says; English only by the user's choice."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client


@pytest.fixture(autouse=True)
def _compiled_catalogue() -> None:
    call_command("compile_translations", verbosity=0)


@pytest.mark.django_db
def test_browser_language_is_ignored() -> None:
    response = Client().get("/inloggen/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert response.status_code == 200
    assert '<html lang="nl"' in response.content.decode()
    assert response["Content-Language"] == "nl"


@pytest.mark.django_db
def test_chosen_language_sticks() -> None:
    client = Client()
    chosen = client.post("/i18n/setlang/", {"language": "en", "next": "/inloggen/"})
    assert chosen.status_code == 302
    page = client.get("/inloggen/")
    assert '<html lang="en"' in page.content.decode()
    assert page["Content-Language"] == "en"
    assert "Cookie" in page["Vary"]


@pytest.mark.django_db
def test_unknown_language_cookie_falls_back_to_dutch() -> None:
    client = Client()
    client.cookies["django_language"] = "xx"
    assert '<html lang="nl"' in client.get("/inloggen/").content.decode()

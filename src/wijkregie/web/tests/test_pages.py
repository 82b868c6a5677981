"""Web pages: error pages, strict CSP-friendly templates, filters in the URL, status history."""

from __future__ import annotations

import html
import json
import re

import pytest
from django.test import Client, RequestFactory
from django.views.defaults import server_error
from pytest_django import Settings

from wijkregie.signals.models import SignalStatusChange
from wijkregie.testing.personas import World
from wijkregie.web.i18n import SRC_ROOT, template_files

MISSING = "/signalen/00000000-0000-4000-8000-000000000000/"


def client_for(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


def text(response: object) -> str:
    return html.unescape(response.content.decode())  # type: ignore[attr-defined]


# --- error pages -------------------------------------------------------------------------


def test_not_found_is_a_dutch_page_in_the_base_layout(world: World) -> None:
    response = client_for(world, "regisseur").get(MISSING)
    assert response.status_code == 404
    body = text(response)
    assert '<html lang="nl"' in body
    assert "<title>Geen toegang of niet gevonden — Wijkregie</title>" in body
    assert "Deze pagina bestaat niet, of u hebt er geen toegang toe." in body
    assert 'aria-label="Hoofdmenu"' in body  # the navigation of the base layout
    assert 'href="/">Naar de startpagina' in body
    assert 'id="main"' in body
    assert "csrfmiddlewaretoken" not in body  # identical for missing and forbidden


def test_forbidden_and_missing_signals_give_the_same_page(world: World) -> None:
    client = client_for(world, "jongerenwerker")
    forbidden = client.get(f"/signalen/{world.signals['police_shared'].uuid}/")
    missing = client.get(MISSING)
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.content == missing.content


def test_unknown_url_for_an_anonymous_visitor(db: None) -> None:
    response = Client().get("/bestaat-niet/")
    assert response.status_code == 404
    body = text(response)
    assert "Geen toegang of niet gevonden" in body
    assert "Hoofdmenu" not in body  # no navigation before logging in


def test_server_error_page_renders_without_a_request_context(db: None) -> None:
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    body = html.unescape(response.content.decode())
    assert "Er ging iets mis" in body
    assert "Foutcode 500" in body
    assert "wijkregie.css" in body  # the base layout with its styles


def test_expired_form_gets_a_dutch_page(db: None) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/inloggen/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    body = text(response)
    assert "Formulier verlopen" in body
    assert "Naar de hoofdinhoud" in body


# --- templates and headers ---------------------------------------------------------------

INLINE_STYLE = re.compile(r"""\sstyle\s*=|<style\b""", re.I)
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"""\son[a-z]+\s*=\s*["']""", re.I)
JS_URL = re.compile(r"javascript:", re.I)


def test_templates_have_no_inline_script_style_or_handlers() -> None:
    problems = []
    files = list(template_files())
    assert len(files) >= 15
    for path in files:
        source = path.read_text(encoding="utf-8")
        for name, pattern in [
            ("style", INLINE_STYLE),
            ("inline script", INLINE_SCRIPT),
            ("event handler", EVENT_HANDLER),
            ("javascript: URL", JS_URL),
        ]:
            if pattern.search(source):
                problems.append(f"{path.relative_to(SRC_ROOT)}: {name}")
    assert not problems, problems


def test_the_checks_catch_inline_code() -> None:
    assert INLINE_STYLE.search('<p style="color: red">')
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/web/app.js" defer></script>')
    assert EVENT_HANDLER.search('<a onclick="x()">')


def test_every_page_sends_a_strict_content_security_policy(world: World) -> None:
    for response in (
        Client().get("/inloggen/"),
        client_for(world, "regisseur").get("/signalen/nieuw/"),
        client_for(world, "regisseur").get(MISSING),
    ):
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp
        assert "style-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert "unsafe-eval" not in csp


# --- signal list: filters stay in the URL ------------------------------------------------


def test_pagination_keeps_the_filters(world: World, settings: Settings) -> None:
    settings.SIGNAL_PAGE_SIZE = 1
    client = client_for(world, "regisseur")
    first = client.get("/signalen/", {"status": "open", "domain": "veiligheid"})
    body = first.content.decode()
    assert "2 signalen gevonden, pagina 1 van 2." in body
    next_link = re.search(r'rel="next" href="\?([^"]+)"', body)
    assert next_link is not None
    query = html.unescape(next_link.group(1))
    assert "status=open" in query and "domain=veiligheid" in query and "page=2" in query
    second = client.get(f"/signalen/?{query}").content.decode()
    assert "pagina 2 van 2" in second
    assert '<option value="open" selected>Open</option>' in second
    assert '<option value="veiligheid" selected>Veiligheid</option>' in second
    first_uuids = set(re.findall(r"/signalen/([0-9a-f-]{36})/", body))
    second_uuids = set(re.findall(r"/signalen/([0-9a-f-]{36})/", second))
    assert len(first_uuids) == len(second_uuids) == 1
    assert first_uuids != second_uuids


def test_the_export_link_carries_the_filters(world: World) -> None:
    body = client_for(world, "regisseur").get("/signalen/", {"source": "partner"}).content
    assert b'href="/signalen/export.csv?source=partner"' in body
    assert "1 filter wissen" in body.decode()


def test_bad_filters_are_explained_in_dutch(world: World) -> None:
    response = client_for(world, "regisseur").get("/signalen/", {"from": "gisteren"})
    body = text(response)
    assert response.status_code == 200
    assert "Gebruik een datum als JJJJ-MM-DD." in body
    assert 'id="f-from" name="from" value="" aria-invalid="true"' in body


def test_analysts_cannot_search_free_text(world: World) -> None:
    body = client_for(world, "analist").get("/signalen/").content.decode()
    assert 'name="q"' not in body
    assert 'name="q"' in client_for(world, "regisseur").get("/signalen/").content.decode()


# --- signal detail -----------------------------------------------------------------------


def test_status_history_shows_labels_not_codes(world: World) -> None:
    signal = world.signals["police_shared"]
    client = client_for(world, "wijkagent")
    response = client.post(
        f"/signalen/{signal.uuid}/status/",
        {"status": "in_behandeling", "note": "<b>opgepakt</b>"},
        follow=True,
    )
    body = response.content.decode()
    assert SignalStatusChange.objects.filter(signal=signal).count() == 1
    assert "De status is gewijzigd." in body
    assert "Open → In behandeling" in body
    assert "in_behandeling →" not in body
    assert "&lt;b&gt;opgepakt&lt;/b&gt;" in body
    assert "door wijkagent" in body


def test_an_invalid_status_is_refused_with_a_message(world: World) -> None:
    signal = world.signals["police_shared"]
    client = client_for(world, "wijkagent")
    response = client.post(f"/signalen/{signal.uuid}/status/", {"status": "weg"}, follow=True)
    assert "Kies een geldige status." in text(response)
    assert SignalStatusChange.objects.filter(signal=signal).count() == 0


def test_pseudonymised_detail_hides_personal_details(world: World) -> None:
    signal = world.signals["gemeente_own"]
    body = text(client_for(world, "analist").get(f"/signalen/{signal.uuid}/"))
    assert "U ziet dit signaal gepseudonimiseerd" in body
    assert signal.description not in body
    assert "1234 AB" not in body
    assert "Cel van 100 bij 100 meter" in body


# --- areas -------------------------------------------------------------------------------


def test_area_page_filters_the_map_and_the_table_alike(world: World) -> None:
    client = client_for(world, "regisseur")
    url = f"/gebieden/{world.focus.uuid}/"
    body = client.get(url).content.decode()
    assert "1 signaal dat u mag zien in dit gebied." in body
    assert f'data-geojson-url="/gebieden/{world.focus.uuid}/kaart.json"' in body
    filtered = client.get(url, {"domain": "wonen"}).content.decode()
    assert "0 signalen die u mag zien in dit gebied." in filtered
    assert f'data-geojson-url="/gebieden/{world.focus.uuid}/kaart.json?domain=wonen"' in filtered
    data = json.loads(client.get(f"{url}kaart.json", {"domain": "wonen"}).content)
    assert [f["properties"]["signalCount"] for f in data["features"]] == [0, 0]


def test_the_location_picker_gets_the_buurten_of_the_own_municipality(world: World) -> None:
    data = json.loads(client_for(world, "regisseur").get("/gebieden/buurten.json").content)
    assert sorted(f["id"] for f in data["features"]) == sorted(
        b.code for b in world.buurten.values()
    )
    outsider = json.loads(client_for(world, "outsider").get("/gebieden/buurten.json").content)
    assert outsider["features"] == []
    assert Client().get("/gebieden/buurten.json").status_code == 302


def test_the_area_list_says_how_many_buurten(world: World) -> None:
    body = client_for(world, "wijkagent").get("/gebieden/").content.decode()
    assert "2 buurten" in body
    assert "projectleider Regisseur" in body


# --- home --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected", "absent"),
    [
        (
            "regisseur",
            ["Nieuw signaal registreren", "Recente signalen", "Noord"],
            ["Functioneel beheer"],
        ),
        ("analist", ["Recente signalen"], ["Nieuw signaal registreren"]),
        ("beheerder", ["Functioneel beheer", 'href="/beheer/"'], ["Recente signalen"]),
        ("privacy", ["U bent nog niet aan een focusgebied gekoppeld."], ["Recente signalen"]),
    ],
)
def test_home_fits_the_role(
    world: World, persona: str, expected: list[str], absent: list[str]
) -> None:
    body = client_for(world, persona).get("/").content.decode()
    for snippet in expected:
        assert snippet in body
    for snippet in absent:
        assert snippet not in body

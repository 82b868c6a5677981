"""Translations: every msgid has an English msgstr, and switching language works."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone, translation
from django.utils.functional import Promise
from pytest_django import Settings

from wijkregie.admin_site import WijkregieAdminSite
from wijkregie.api.tests.helpers import invalid_param, post_json, token_client
from wijkregie.signals import services
from wijkregie.signals.selectors import SignalFilters
from wijkregie.signals.states import STATUS_LABELS
from wijkregie.tenants.access import viewer_for
from wijkregie.testing.personas import World
from wijkregie.web.i18n import (
    PO_PATH,
    Message,
    project_messages,
    python_messages,
    template_messages,
)

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def test_template_extraction_follows_djangos_rules() -> None:
    text = """{% load i18n %}
    {% translate "Dubbel" %} {% trans 'Enkel' %} {% translate "Voor 100% zeker" %}
    {% translate "Met context" context "menu" %}
    {% translate "Als variabele" as label %} {% translate some_variable %}
    {% include "x.html" with caption=_("In een tag") %}
    {% blocktranslate with name=user %}Welkom, {{ name }}{% endblocktranslate %}
    {% blocktranslate count n=total %}{{ n }} buurt{% plural %}{{ n }} buurten{% endblocktranslate %}
    {% blocktrans trimmed %}
      Twee
      regels, 100%
    {% endblocktrans %}
    {% comment %}{% translate "Commentaar" %}{% endcomment %}{# {% translate "Ook niet" %} #}
    _("Gewone tekst, geen tag")
    """
    assert template_messages(text) == {
        Message("Dubbel"),
        Message("Enkel"),
        Message("Voor 100%% zeker"),
        Message("Met context", context="menu"),
        Message("Als variabele"),
        Message("In een tag"),
        Message("Welkom, %(name)s"),
        Message("%(n)s buurt", "%(n)s buurten"),
        Message("Twee regels, 100%%"),
    }


def test_python_extraction_reads_literals_only() -> None:
    source = """
from django.utils.translation import gettext_lazy as _, ngettext, pgettext_lazy, gettext
a = _("Een")
b = _("Twee " "delen")
c = ngettext("%(n)d rij", "%(n)d rijen", 3)
d = pgettext_lazy("kaart", "Legenda")
e = gettext(variable)
f = translation.gettext_noop("Via attribuut")
g = other("Niet vertalen")
"""
    assert python_messages(source) == {
        Message("Een"),
        Message("Twee delen"),
        Message("%(n)d rij", "%(n)d rijen"),
        Message("Legenda", context="kaart"),
        Message("Via attribuut"),
    }


def test_the_project_has_translatable_strings_everywhere() -> None:
    files = {f for found in project_messages().values() for f in found}
    # Guards the extractor itself: templates, forms, models and views all contribute.
    for expected in (
        "wijkregie/web/templates/web/base.html",
        "wijkregie/signals/forms.py",
        "wijkregie/signals/models.py",
        "wijkregie/signals/views.py",
        "wijkregie/tenants/models.py",
    ):
        assert expected in files


def load_catalogue() -> dict[Message, polib.POEntry]:
    po = polib.pofile(str(PO_PATH))
    return {
        Message(e.msgid, e.msgid_plural or "", e.msgctxt or ""): e
        for e in po
        if not e.obsolete and "fuzzy" not in e.flags
    }


def test_every_msgid_has_an_english_translation() -> None:
    catalogue = load_catalogue()
    missing = []
    for message, files in sorted(project_messages().items()):
        entry = catalogue.get(message)
        if entry is None:
            missing.append(f"{message.msgid!r} (not in the .po; from {files[0]})")
        elif message.msgid_plural and not all(entry.msgstr_plural.get(i) for i in (0, 1)):
            missing.append(f"{message.msgid!r} (plural forms untranslated)")
        elif not message.msgid_plural and not entry.msgstr.strip():
            missing.append(f"{message.msgid!r} (empty msgstr)")
    assert not missing, (
        "Untranslated strings; run `wijkregie update_translations` and fill in "
        f"{PO_PATH.relative_to(PO_PATH.parents[3])}:\n  " + "\n  ".join(missing)
    )


def test_translations_keep_the_placeholders() -> None:
    wrong = []
    for message, entry in load_catalogue().items():
        if message.msgid_plural:
            pairs = [
                (message.msgid, entry.msgstr_plural.get(0, "")),
                (message.msgid_plural, entry.msgstr_plural.get(1, "")),
            ]
        else:
            pairs = [(message.msgid, entry.msgstr)]
        for source, target in pairs:
            if target and set(PLACEHOLDER.findall(source)) != set(PLACEHOLDER.findall(target)):
                wrong.append(f"{source!r} -> {target!r}")
    assert not wrong, "\n".join(wrong)


def test_domain_texts_are_marked_at_the_source() -> None:
    """Status labels, service and selector messages and the admin titles are gettext_lazy."""
    found = project_messages()

    def files(msgid: str) -> list[str]:
        return found.get(Message(msgid), [])

    for label in STATUS_LABELS.values():
        assert isinstance(label, Promise)
        assert "wijkregie/signals/states.py" in files(str(label))
    for msgid in (
        "De waarneming kan niet in de toekomst liggen.",
        "De omschrijving is te lang: maximaal %(limit)d tekens.",
        "Van '%(current)s' naar '%(target)s' is geen toegestane statuswijziging.",
        "Deze locatie ligt buiten de gemeente: kies een punt binnen een van de buurten.",
        "Kies een geldige bron.",
    ):
        assert "wijkregie/signals/services.py" in files(msgid), msgid
    assert "wijkregie/signals/selectors.py" in files("Gebruik een datum als JJJJ-MM-DD.")
    for title in ("site_header", "site_title", "index_title"):
        value = getattr(WijkregieAdminSite, title)
        assert isinstance(value, Promise)
        assert "wijkregie/admin_site.py" in files(str(value))


@pytest.fixture
def compiled_catalogue(tmp_path: Path, settings: Settings) -> Path:
    """Compile the .po with the project's own command into a private locale directory."""
    target = tmp_path / "en" / "LC_MESSAGES"
    target.mkdir(parents=True)
    shutil.copy(PO_PATH, target / "django.po")
    settings.LOCALE_PATHS = [tmp_path]  # also resets Django's translation caches
    call_command("compile_translations", stdout=io.StringIO())
    mo = target / "django.mo"
    assert mo.exists()
    return mo


def test_switching_to_english_renders_the_login_page_in_english(
    compiled_catalogue: Path, db: None
) -> None:
    client = Client()
    dutch = client.get("/inloggen/").content.decode()
    assert '<html lang="nl"' in dutch
    assert "Gebruikersnaam" in dutch
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/inloggen/"})
    assert response.status_code == 302
    assert response["Location"] == "/inloggen/"
    english = client.get("/inloggen/").content.decode()
    assert '<html lang="en"' in english
    for text in ("Log in", "Username", "Password", "Skip to main content", "Accessibility"):
        assert text in english
    for text in ("Gebruikersnaam", "Wachtwoord", "Naar de hoofdinhoud"):
        assert text not in english
    assert 'lang="nl">Nederlands</button>' in english  # the way back
    # a literal % in a translate tag: looked up as %%, shown as %
    assert "at 200% zoom." in client.get("/toegankelijkheid/").content.decode()
    client.post("/i18n/setlang/", {"language": "nl", "next": "/inloggen/"})
    assert '<html lang="nl"' in client.get("/inloggen/").content.decode()


def test_form_messages_follow_the_language_of_the_request(
    compiled_catalogue: Path, world: World
) -> None:
    client = Client()
    client.force_login(world.users["regisseur"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "2 signals found" in client.get("/signalen/").content.decode()  # a plural form
    response = client.post("/signalen/nieuw/", {"lat": "48.85", "lon": "2.35"})
    body = response.content.decode()
    assert "Please check your input" in body
    assert "This field is required." in body
    assert "This location lies outside the Netherlands." in body
    assert "Dit veld is verplicht." not in body


def test_status_labels_and_service_messages_are_translated(
    compiled_catalogue: Path, world: World
) -> None:
    client = Client()
    client.force_login(world.users["corporatie"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    signal = world.signals["police_shared"]
    # The corporation sees this police signal but does not handle it: the service refuses.
    response = client.post(
        f"/signalen/{signal.uuid}/status/", {"status": "in_behandeling"}, follow=True
    )
    body = html.unescape(response.content.decode())
    assert "Only the organisation that owns this signal can change its status." in body
    assert "<dt>Status</dt><dd>Open</dd>" in body
    wijkagent = Client()
    wijkagent.force_login(world.users["wijkagent"])
    wijkagent.post("/i18n/setlang/", {"language": "en", "next": "/"})
    form = wijkagent.get(f"/signalen/{signal.uuid}/").content.decode()
    assert '<option value="in_behandeling">In progress</option>' in form


def test_service_messages_take_the_language_in_which_they_are_shown(
    compiled_catalogue: Path, world: World
) -> None:
    viewer = viewer_for(world.users["wijkagent"])
    assert viewer is not None
    # Made with no language active (as in the API before its override, or a test): still lazy.
    errors, _ = services.check_new_signal(
        viewer=viewer,
        owner_organisation=world.orgs["politie"],
        category=world.categories["overlast-jeugd"],
        observed_at=timezone.now() + dt.timedelta(days=1),
        description="x" * 2001,
        location=services.LocationInput(),
        source_channel="fax",
    )
    assert errors["observed_at"].code == "future"
    assert errors["description"].code == "max_length"
    assert errors["source_channel"].code == "invalid_choice"
    with translation.override("en"):
        assert errors["observed_at"].messages == ["The observation cannot be in the future."]
        assert errors["description"].messages == [
            "The description is too long: at most 2000 characters."
        ]
        assert errors["source_channel"].messages == ["Choose a valid source."]
    with translation.override("nl"):
        assert errors["observed_at"].messages == ["De waarneming kan niet in de toekomst liggen."]
        assert errors["description"].messages == [
            "De omschrijving is te lang: maximaal 2000 tekens."
        ]
        assert errors["source_channel"].messages == ["Kies een geldige bron."]
    filters = SignalFilters.from_query({"from": "gisteren", "status": "weg"})
    with translation.override("en"):
        assert str(filters.errors["from"]) == "Use a date like YYYY-MM-DD."
        assert str(filters.errors["status"]) == "Unknown status."
    with translation.override("nl"):
        assert str(filters.errors["from"]) == "Gebruik een datum als JJJJ-MM-DD."


@pytest.mark.parametrize(
    ("language", "current", "refused"),
    [
        ("en", "In progress", "From 'In progress' to 'Open' is not an allowed status change."),
        (
            "nl",
            "In behandeling",
            "Van 'In behandeling' naar 'Open' is geen toegestane statuswijziging.",
        ),
    ],
)
def test_status_labels_and_transition_message_follow_the_language(
    compiled_catalogue: Path, world: World, language: str, current: str, refused: str
) -> None:
    client = Client()
    client.force_login(world.users["wijkagent"])
    client.cookies["django_language"] = language
    signal = world.signals["police_shared"]
    url = f"/signalen/{signal.uuid}/"
    client.post(f"{url}status/", {"status": "in_behandeling"})
    body = html.unescape(client.get(url).content.decode())
    assert f"<dt>Status</dt><dd>{current}</dd>" in body
    assert f"Open → {current}" in body  # the history
    response = client.post(f"{url}status/", {"status": "open"}, follow=True)
    assert refused in html.unescape(response.content.decode())


def test_filter_messages_and_admin_titles_follow_the_language(
    compiled_catalogue: Path, world: World
) -> None:
    client = Client()
    client.force_login(world.users["regisseur"])
    client.cookies["django_language"] = "en"
    body = client.get("/signalen/", {"to": "2024-01-01", "from": "2024-02-01"}).content.decode()
    assert "The end date is before the start date." in body
    client.cookies["django_language"] = "nl"
    body = client.get("/signalen/", {"to": "2024-01-01", "from": "2024-02-01"}).content.decode()
    assert "De einddatum ligt voor de begindatum." in body
    admin = Client()
    admin.force_login(world.users["beheerder"])
    admin.cookies["django_language"] = "en"
    body = html.unescape(admin.get("/beheer/").content.decode())
    assert "Wijkregie — application administration" in body
    admin.cookies["django_language"] = "nl"
    body = html.unescape(admin.get("/beheer/").content.decode())
    assert "Wijkregie — functioneel beheer" in body


def test_the_api_answers_in_dutch_even_for_a_user_who_chose_english(
    compiled_catalogue: Path, world: World
) -> None:
    client = token_client(world.users["wijkagent"])
    client.cookies["django_language"] = "en"
    signal = world.signals["police_shared"]
    response = post_json(client, f"/api/v1/signals/{signal.uuid}/status", {"status": "afgehandeld"})
    assert response["Content-Language"] == "nl"
    assert invalid_param(response, "status") == {
        "name": "status",
        "code": "invalid_transition",
        "reason": "Van 'Open' naar 'Afgehandeld' is geen toegestane statuswijziging.",
    }
    response = client.get("/api/v1/signals?from=gisteren", HTTP_ACCEPT_LANGUAGE="en")
    assert invalid_param(response, "from")["reason"] == "Gebruik een datum als JJJJ-MM-DD."


def test_update_translations_adds_new_msgids_and_keeps_translations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wijkregie.web.management.commands import update_translations

    po_path = tmp_path / "django.po"
    po = polib.pofile(str(PO_PATH))
    kept = po.find("Inloggen")
    assert kept is not None
    po.remove(po.find("Uitloggen"))  # as if "Uitloggen" had just been added to a template
    po.save(str(po_path))
    monkeypatch.setattr(update_translations, "PO_PATH", po_path)
    out = io.StringIO()
    call_command("update_translations", stdout=out)
    assert out.getvalue().startswith("1 new, 0 unused")
    updated = polib.pofile(str(po_path))
    new = updated.find("Uitloggen")
    assert new is not None and new.msgstr == ""
    assert updated.find("Inloggen").msgstr == "Log in"
    assert {Message(e.msgid, e.msgid_plural or "", e.msgctxt or "") for e in updated} == set(
        project_messages()
    )

"""The new-signal form: bad input gets a clear Dutch message and nothing is half-saved."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from wijkregie.privacy.models import AuditEvent
from wijkregie.signals import services
from wijkregie.signals.models import Signal
from wijkregie.testing.personas import World

URL = "/signalen/nieuw/"


def valid_data(world: World, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "owner_organisation": world.orgs["gemeente"].pk,
        "category": world.categories["overlast-jeugd"].pk,
        "observed_at": timezone.localtime(timezone.now() - dt.timedelta(hours=1)).strftime(
            "%Y-%m-%dT%H:%M"
        ),
        "description": "Groep jongeren bij de ingang van de flat",
        "lat": "",
        "lon": "",
        "x": "",
        "y": "",
        "postcode": "",
        "huisnummer": "",
        "huisletter": "",
        "huisnummertoevoeging": "",
        "neighbourhood": world.buurten["01"].code,
        "source_channel": "partner",
        "source_reliability": "X",
        "info_reliability": "4",
        "handling_code": "H1",
        "confidentiality": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def regisseur(world: World) -> Client:
    client = Client()
    client.force_login(world.users["regisseur"])
    return client


def post_rejected(client: Client, data: dict[str, Any]) -> str:
    """POST, assert nothing was stored, and return the page text (HTML entities decoded)."""
    signals, audits = Signal.objects.count(), AuditEvent.objects.count()
    response = client.post(URL, data)
    assert response.status_code == 200, "a rejected form is shown again, not redirected"
    assert Signal.objects.count() == signals
    assert AuditEvent.objects.count() == audits
    body = html.unescape(response.content.decode())
    assert "Controleer de invoer" in body
    assert 'aria-invalid="true"' in body or "utrecht-alert--error" in body
    return body


def midpoint_of_buurt(world: World, key: str) -> tuple[float, float]:
    from wijkregie.lib import geo

    hood = world.buurten[key]
    assert hood.rd_min_x is not None and hood.rd_min_y is not None
    point = geo.point_from_rd(hood.rd_min_x + 500, hood.rd_min_y + 500)
    return point.lat, point.lon


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        # coordinates outside the Netherlands (Paris), in WGS84 and in RD
        ({"lat": "48.8566", "lon": "2.3522"}, "Deze locatie ligt buiten Nederland."),
        ({"x": "900000", "y": "100000"}, "Deze RD-coördinaten liggen buiten Nederland."),
        ({"lat": "52.1"}, "Vul zowel de breedtegraad als de lengtegraad in."),
        ({"x": "155000"}, "Vul zowel X als Y (RD) in."),
        # unknown category: not a number, not existing, a main category with subcategories
        ({"category": "999999"}, "Kies een bestaande categorie uit de lijst."),
        ({"category": "overlast-jeugd"}, "Kies een bestaande categorie uit de lijst."),
        ({"category": ""}, "Dit veld is verplicht."),
        # observed in the future or not a date at all
        (
            {
                "observed_at": timezone.localtime(timezone.now() + dt.timedelta(days=1)).strftime(
                    "%Y-%m-%dT%H:%M"
                )
            },
            "De waarneming kan niet in de toekomst liggen.",
        ),
        ({"observed_at": "gisteren"}, "Vul een datum en tijd in, bijvoorbeeld 31-12-2025 23:15."),
        ({"observed_at": "2025-02-30T10:00"}, "Vul een datum en tijd in"),
        ({"observed_at": ""}, "Dit veld is verplicht."),
        # over-long text
        (
            {"description": "x" * 2001},
            "De omschrijving is te lang: maximaal 2000 tekens (nu 2001).",
        ),
        ({"postcode": "1234 ABCD", "huisnummer": "1"}, "Een postcode is hoogstens 7 tekens."),
        # wrong types
        ({"lat": "abc", "lon": "5.4"}, "Vul een getal in, bijvoorbeeld 52,1551."),
        ({"lat": "nan", "lon": "5.4"}, "Vul een getal in, bijvoorbeeld 52,1551."),
        ({"lat": "52.1", "lon": "inf"}, "Vul een getal in, bijvoorbeeld 52,1551."),
        ({"postcode": "1234AB", "huisnummer": "twaalf"}, "Vul een heel getal in."),
        (
            {"owner_organisation": "gemeente"},
            "Kies een organisatie waarvoor u signalen registreert.",
        ),
        ({"source_channel": "telefoon"}, "Kies een bron uit de lijst."),
        ({"source_reliability": "Z"}, "Kies een betrouwbaarheid uit de lijst."),
        ({"handling_code": "H9"}, "Kies een behandelcode uit de lijst."),
        ({"confidentiality": "geheim"}, "Kies een vertrouwelijkheid uit de lijst."),
        ({"neighbourhood": "BU00000000"}, "Kies een buurt uit de lijst."),
        # incomplete or malformed address, and no location at all
        (
            {"postcode": "12AB34", "huisnummer": "1"},
            "Vul een geldige postcode in, bijvoorbeeld 1234 AB.",
        ),
        ({"postcode": "1234AB", "huisnummer": "0"}, "Vul een huisnummer in tussen 1 en 99999."),
        ({"postcode": "1234AB"}, "Vul ook het huisnummer in."),
        ({"huisnummer": "12"}, "Vul ook de postcode in."),
        (
            {"postcode": "1234AB", "huisnummer": "12", "huisletter": "1"},
            "Een huisletter is één letter.",
        ),
        (
            {"postcode": "1234AB", "huisnummer": "12", "neighbourhood": ""},
            "Kies de buurt van dit adres.",
        ),
        ({"neighbourhood": ""}, "Geef een locatie op: klik op de kaart"),
    ],
)
def test_bad_input_is_refused_with_a_dutch_message(
    world: World, regisseur: Client, overrides: dict[str, Any], message: str
) -> None:
    body = post_rejected(regisseur, valid_data(world, **overrides))
    assert message in body


def test_an_organisation_the_user_does_not_write_for_is_refused(
    world: World, regisseur: Client
) -> None:
    data = valid_data(world, owner_organisation=world.orgs["politie"].pk)
    body = post_rejected(regisseur, data)
    assert "Kies een organisatie waarvoor u signalen registreert." in body


def test_a_category_of_another_municipality_is_refused(world: World, regisseur: Client) -> None:
    other = world.signals["outsider_own"].category
    body = post_rejected(regisseur, valid_data(world, category=other.pk))
    assert "Kies een bestaande categorie uit de lijst." in body


def test_an_empty_post_shows_every_required_field(world: World, regisseur: Client) -> None:
    body = post_rejected(regisseur, {})
    for label in ("Namens organisatie", "Categorie", "Waargenomen op", "Bron"):
        assert f"{label}: Dit veld is verplicht." in body


def test_all_messages_are_shown_at_once(world: World, regisseur: Client) -> None:
    data = valid_data(world, category="999999", description="x" * 2001, lat="48.85", lon="2.35")
    body = post_rejected(regisseur, data)
    assert "Kies een bestaande categorie uit de lijst." in body
    assert "De omschrijving is te lang" in body
    assert "Deze locatie ligt buiten Nederland." in body


def test_the_error_summary_links_to_the_field(world: World, regisseur: Client) -> None:
    response = regisseur.post(URL, valid_data(world, lat="abc", lon="5"))
    body = response.content.decode()
    assert 'href="#id_lat"' in body
    assert 'id="id_lat-error"' in body
    assert 'aria-describedby="id_lat-error"' in body


def test_a_service_refusal_is_shown_and_nothing_is_saved(
    world: World, regisseur: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(**kwargs: Any) -> Signal:
        raise ValidationError(
            {"location": "Onbekende buurt.", "category": "Kies een bestaande categorie."}
        )

    monkeypatch.setattr(services, "signal_create", refuse)
    body = post_rejected(regisseur, valid_data(world))
    assert "Onbekende buurt." in body
    assert "Categorie: Kies een bestaande categorie." in body


def test_html_and_script_are_stored_as_text_and_escaped(world: World, regisseur: Client) -> None:
    text = '<script>alert("x")</script> <img src=x onerror=alert(1)> & "quotes"'
    response = regisseur.post(URL, valid_data(world, description=text))
    assert response.status_code == 302
    signal = Signal.objects.get(description=text)  # stored verbatim, not stripped or escaped
    detail = regisseur.get(response["Location"])
    body = detail.content.decode()
    assert "<script>alert" not in body
    assert "<img src=x" not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body
    assert str(signal.uuid) in response["Location"]


def test_a_valid_signal_is_saved_once_with_one_audit_event(world: World, regisseur: Client) -> None:
    lat, lon = midpoint_of_buurt(world, "01")
    signals, audits = Signal.objects.count(), AuditEvent.objects.count()
    data = valid_data(
        world,
        neighbourhood="",
        lat=f"{lat:.6f}".replace(".", ","),  # Dutch decimal comma
        lon=f"{lon:.6f}",
    )
    response = regisseur.post(URL, data)
    assert response.status_code == 302
    assert Signal.objects.count() == signals + 1
    assert AuditEvent.objects.count() == audits + 1
    signal = Signal.objects.latest("id")
    assert signal.neighbourhood == world.buurten["01"]
    assert signal.location_kind == "point"
    assert signal.registered_by == world.users["regisseur"]
    page = html.unescape(regisseur.get(response["Location"]).content.decode())
    assert "Het signaal is geregistreerd." in page


def test_an_address_with_a_buurt_is_saved(world: World, regisseur: Client) -> None:
    data = valid_data(world, postcode="1234 ab", huisnummer="12", huisletter="b")
    response = regisseur.post(URL, data)
    assert response.status_code == 302
    signal = Signal.objects.latest("id")
    assert (signal.postcode, signal.huisnummer, signal.huisletter) == ("1234AB", 12, "B")
    assert signal.location_kind == "address"


def test_a_main_category_without_subcategories_can_be_chosen(
    world: World, regisseur: Client
) -> None:
    page = regisseur.get(URL).content.decode()
    match = re.search(r'<select name="category".*?</select>', page, re.S)
    assert match is not None
    options = set(re.findall(r'<option value="(\d+)"', match.group(0)))
    expected = {"overlast-jeugd", "woonfraude", "zorgmelding"}  # not "overlast": it has children
    assert options == {str(world.categories[key].pk) for key in expected}


def test_the_form_is_not_for_readers_only(world: World) -> None:
    client = Client()
    client.force_login(world.users["analist"])
    assert client.get(URL).status_code == 404
    assert client.post(URL, valid_data(world)).status_code == 404
    assert not Signal.objects.filter(registered_by=world.users["analist"]).exists()


def test_the_repeated_hour_of_october_is_its_first_pass(world: World, regisseur: Client) -> None:
    # 02:30 on 25 October 2026 happens twice in Amsterdam; the first pass is summer time.
    response = regisseur.post(URL, valid_data(world, observed_at="2026-10-25T02:30"))
    assert response.status_code == 302
    signal = Signal.objects.latest("id")
    assert signal.observed_at == dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)


def test_the_skipped_hour_of_march_is_refused_in_dutch(world: World, regisseur: Client) -> None:
    text = post_rejected(regisseur, valid_data(world, observed_at="29-03-2026 02:30"))
    assert "29-03-2026 02:30 bestaat niet" in text and "zomertijd" in text

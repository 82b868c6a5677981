"""The public report form: every step, its errors, submit, tracking code, status page."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from wijkregie.privacy.models import AuditEvent
from wijkregie.residents import codes
from wijkregie.residents.models import ResidentReport
from wijkregie.residents.tests.helpers import (
    CATEGORY,
    POINT,
    step_url,
    submit,
    walk_to_review,
)
from wijkregie.signals.models import Signal, SourceChannel
from wijkregie.testing.personas import World

pytestmark = pytest.mark.django_db


def _code_from(response_text: str) -> str:
    match = re.search(r'id="tracking-code">([A-Z0-9-]+)<', response_text)
    assert match, response_text[:2000]
    return match.group(1)


def test_no_login_needed_and_melden_opens_the_municipality(client: Client, world: World) -> None:
    # Two municipalities and no default setting: /melden/ lets the resident choose.
    response = client.get("/melden/")
    assert response.status_code == 200
    assert "/melden/GM9999/" in response.content.decode()
    assert "/melden/GM9998/" in response.content.decode()
    response = client.get("/melden/GM9999/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == step_url("categorie")


def test_default_municipality_setting(client: Client, world: World, settings: object) -> None:
    settings.RESIDENT_DEFAULT_MUNICIPALITY = "GM9999"  # type: ignore[attr-defined]
    response = client.get("/melden/")
    assert response.status_code == 302
    assert response["Location"] == step_url("categorie")
    assert client.get("/melden/status/")["Location"] == "/melden/GM9999/status/"


def test_category_step_shows_only_public_active_categories_grouped(
    client: Client, world: World
) -> None:
    world.categories["woonfraude"].is_public = True
    world.categories["woonfraude"].active = False
    world.categories["woonfraude"].save()
    html = client.get(step_url("categorie")).content.decode()
    assert 'value="overlast-jeugd"' in html
    assert "Jeugdoverlast" in html
    assert "<legend" in html and "Veiligheid" in html  # grouped by life domain
    for hidden in ("woonfraude", "zorgmelding", 'value="overlast"'):
        assert hidden not in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Kies waar uw melding over gaat."),
        ({"category": "woonfraude"}, "Kies een van de onderwerpen uit de lijst."),
        ({"category": "bestaat-niet"}, "Kies een van de onderwerpen uit de lijst."),
    ],
)
def test_category_errors(client: Client, world: World, data: dict[str, str], message: str) -> None:
    response = client.post(step_url("categorie"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="form-errors"' in html and message in html
    assert 'href="#id_category"' in html and 'id="id_category"' in html


def test_later_steps_redirect_to_the_first_missing_one(client: Client, world: World) -> None:
    assert client.get(step_url("controleren"))["Location"] == step_url("categorie")
    client.post(step_url("categorie"), {"category": CATEGORY})
    assert client.get(step_url("omschrijving"))["Location"] == step_url("locatie")
    assert client.get(step_url("onbekend")).status_code == 404


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "mode", "Kies hoe u de plek wilt aangeven."),
        ({"mode": "kaart"}, "lat", "Wijs de plek aan op de kaart"),
        ({"mode": "kaart", "lat": "abc", "lon": "5,3"}, "lat", "Vul een getal in"),
        ({"mode": "kaart", "lat": "48.85", "lon": "2.35"}, "lat", "buiten Nederland"),
        # inside NL but outside the municipality's buurten
        ({"mode": "kaart", "lat": "52.37", "lon": "4.89"}, "lat", "buiten de gemeente"),
        ({"mode": "adres"}, "postcode", "Vul de postcode in."),
        ({"mode": "adres", "postcode": "12", "huisnummer": "3"}, "postcode", "geldige postcode"),
        (
            {"mode": "adres", "postcode": "1234AB", "huisnummer": "x"},
            "huisnummer",
            "alleen het nummer",
        ),
        (
            {"mode": "adres", "postcode": "1234AB", "huisnummer": "3", "huisletter": "7"},
            "huisletter",
            "Een huisletter is één letter.",
        ),
    ],
)
def test_location_errors(
    client: Client, world: World, data: dict[str, str], field: str, message: str
) -> None:
    client.post(step_url("categorie"), {"category": CATEGORY})
    response = client.post(step_url("locatie"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="form-errors"' in html
    assert message in html
    assert f'href="#id_{field}"' in html


def test_location_by_map_point_and_no_js_fallback_fields(client: Client, world: World) -> None:
    client.post(step_url("categorie"), {"category": CATEGORY})
    html = client.get(step_url("locatie")).content.decode()
    # The map needs JavaScript; the coordinate and address fields work without it.
    assert 'id="report-map"' in html and 'id="id_lat"' in html and 'id="id_postcode"' in html
    assert "<script>" not in html and "style=" not in html
    response = client.post(
        step_url("locatie"),
        {"mode": "kaart", "lat": f"{POINT.lat:.6f}".replace(".", ","), "lon": f"{POINT.lon:.6f}"},
    )
    assert response["Location"] == step_url("omschrijving")


def test_description_errors(client: Client, world: World) -> None:
    walk_to_review(client)
    response = client.post(step_url("omschrijving"), {"description": "   "})
    assert "Beschrijf wat er aan de hand is." in response.content.decode()
    response = client.post(step_url("omschrijving"), {"description": "x" * 2001})
    assert "te lang" in response.content.decode()


def test_contact_errors(client: Client, world: World) -> None:
    walk_to_review(client)
    response = client.post(step_url("contact"), {"email": "geen-adres"})
    html = response.content.decode()
    assert "Vul een geldig e-mailadres in" in html and 'href="#id_email"' in html
    assert "Wat doen wij met uw e-mailadres?" in html


def test_full_report_creates_signal_with_tracking_code_and_status_page(
    client: Client, world: World
) -> None:
    walk_to_review(client, email="bewoner@example.org")
    review = client.get(step_url("controleren")).content.decode()
    assert "Jeugdoverlast" in review and "bewoner@example.org" in review
    assert 'class="wr-hp" aria-hidden="true"' in review
    assert 'tabindex="-1"' in review and 'autocomplete="off"' in review
    response = submit(client)
    assert response.status_code == 302 and response["Location"] == "/melden/GM9999/bedankt/"
    code = _code_from(client.get("/melden/GM9999/bedankt/").content.decode())
    assert re.fullmatch(r"[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{2}", code)

    report = ResidentReport.objects.get()
    signal = report.signal
    assert report.tracking_code == codes.normalise(code)
    assert report.email == "bewoner@example.org"
    assert signal.source_channel == SourceChannel.RESIDENT
    assert signal.registered_by is None
    assert signal.owner_organisation == world.orgs["gemeente"]
    assert signal.neighbourhood == world.buurten["03"]
    assert signal.category.code == CATEGORY and signal.status == "open"
    assert signal.cell_x is not None
    assert AuditEvent.objects.filter(action="create", object_id=str(signal.uuid)).exists()
    # the answers are gone from the session: a new report starts empty
    assert client.get(step_url("controleren"))["Location"] == step_url("categorie")

    status = client.get(f"/melden/GM9999/status/{code}/")
    html = status.content.decode()
    assert status.status_code == 200
    assert "Jeugdoverlast" in html and "Ontvangen" in html
    assert signal.description not in html and "bewoner@example.org" not in html
    # typed loosely: lower case, spaces
    loose = code.lower().replace("-", " ")
    assert client.get("/melden/GM9999/status/", {"code": loose})["Location"] == (
        f"/melden/GM9999/status/{code}/"
    )


def test_status_page_shows_status_changes_in_plain_dutch(client: Client, world: World) -> None:
    from wijkregie.signals.services import signal_change_status
    from wijkregie.tenants.access import require_viewer

    walk_to_review(client)
    submit(client)
    report = ResidentReport.objects.get()
    viewer = require_viewer(world.users["regisseur"])
    signal_change_status(
        viewer=viewer, signal=report.signal, to_status="in_behandeling", note="Jan belt"
    )
    html = client.get(
        f"/melden/GM9999/status/{codes.grouped(report.tracking_code)}/"
    ).content.decode()
    assert "In behandeling: er wordt aan uw melding gewerkt" in html
    assert "Jan belt" not in html and "regisseur" not in html.lower()


def test_status_lookup_errors_and_unknown_code_is_a_dutch_404(client: Client, world: World) -> None:
    response = client.get("/melden/GM9999/status/", {"code": "kort"})
    assert response.status_code == 200
    assert "Een volgcode heeft 10 letters en cijfers" in response.content.decode()
    response = client.get("/melden/GM9999/status/ABCD-EFGH-JK/")
    assert response.status_code == 404
    assert "Niet gevonden" in response.content.decode()
    assert client.get("/melden/GM0001/status/ABCD-EFGH-JK/").status_code == 404


def test_outsider_code_of_another_municipality_is_shown_under_its_own_only(
    client: Client, world: World
) -> None:
    from wijkregie.tenants.models import Organisation

    # Elders (GM9998) gets a public category and a report of its own.
    other_cat = world.signals["outsider_own"].category
    other_cat.is_public = True
    other_cat.save()
    assert Organisation.objects.filter(municipality=world.other_gm, kind="gemeente").exists()
    from wijkregie.residents.models import ResidentReport as R

    walk_to_review(client, category="overlast", cbs="GM9998", lat=POINT.lat, lon=POINT.lon)
    assert submit(client, cbs="GM9998").status_code == 302
    report = R.objects.get()
    assert report.municipality == world.other_gm
    code = codes.grouped(report.tracking_code)
    assert client.get(f"/melden/GM9998/status/{code}/").status_code == 200
    response = client.get(f"/melden/GM9999/status/{code}/")
    assert response.status_code == 404
    assert "Overlast" not in response.content.decode().split("<main")[1]
    # A Demodam user logged in changes nothing: the public pages have no viewer.
    client.force_login(world.users["outsider"])
    assert client.get(f"/melden/GM9999/status/{code}/").status_code == 404


def test_honeypot_pretends_success_and_stores_nothing(client: Client, world: World) -> None:
    walk_to_review(client)
    response = submit(client, website="http://spam.example")
    assert response.status_code == 302
    page = client.get("/melden/GM9999/bedankt/").content.decode()
    code = _code_from(page)
    assert not ResidentReport.objects.exists()
    assert not Signal.objects.filter(source_channel=SourceChannel.RESIDENT).exists()
    assert client.get(f"/melden/GM9999/status/{code}/").status_code == 404


def test_submitting_the_summary_twice_stores_one_report(client: Client, world: World) -> None:
    # A double click, or the browser resending the form after a lost answer.
    walk_to_review(client)
    first = submit(client)
    assert first.status_code == 302 and first["Location"].endswith("/bedankt/")
    again = submit(client)
    assert again.status_code == 302 and "/bedankt/" not in again["Location"]
    assert ResidentReport.objects.count() == 1
    assert Signal.objects.filter(source_channel=SourceChannel.RESIDENT).count() == 1


def test_change_link_returns_to_review(client: Client, world: World) -> None:
    walk_to_review(client)
    response = client.post(step_url("omschrijving"), {"description": "Andere tekst"})
    assert response["Location"] == step_url("controleren")
    assert "Andere tekst" in client.get(step_url("controleren")).content.decode()


def test_pages_have_no_inline_script_or_style(client: Client, world: World) -> None:
    walk_to_review(client)
    for step in ("categorie", "locatie", "omschrijving", "contact", "controleren"):
        html = client.get(step_url(step)).content.decode()
        assert "<script>" not in html and "style=" not in html and "<style" not in html
        assert 'aria-current="step"' in html


def test_location_by_address_through_the_address_register(client: Client, world: World) -> None:
    from wijkregie.residents.tests.helpers import make_address

    make_address(huisletter="A")
    client.post(step_url("categorie"), {"category": CATEGORY})
    unknown = client.post(
        step_url("locatie"), {"mode": "adres", "postcode": "1234 AB", "huisnummer": "13"}
    )
    assert unknown.status_code == 200
    assert "Wij kunnen dit adres niet vinden" in unknown.content.decode()
    assert "kies de buurt" not in unknown.content.decode().lower()
    response = client.post(
        step_url("locatie"),
        {"mode": "adres", "postcode": "1234 ab", "huisnummer": "12", "huisletter": "a"},
    )
    assert response["Location"] == step_url("omschrijving")
    client.post(step_url("omschrijving"), {"description": "Kapotte lantaarnpaal"})
    client.post(step_url("contact"), {"email": ""})
    review = client.get(step_url("controleren")).content.decode()
    assert "1234 AB 12A" in review and "Buurt 3" in review
    assert submit(client).status_code == 302
    signal = ResidentReport.objects.get().signal
    assert (signal.postcode, signal.huisnummer, signal.huisletter) == ("1234AB", 12, "A")
    assert signal.location_kind == "address"
    assert signal.neighbourhood == world.buurten["03"]
    assert signal.rd_x == pytest.approx(POINT.x, abs=0.01)


def test_buurten_for_the_map_are_per_municipality_and_hold_no_signal_data(
    client: Client, world: World
) -> None:
    data = client.get("/melden/GM9999/buurten.json").json()
    assert [f["properties"]["code"] for f in data["features"]] == [
        "BU99990101",
        "BU99990102",
        "BU99990201",
        "BU99990202",
    ]
    assert all(set(f["properties"]) == {"code", "name"} for f in data["features"])
    # the outsider municipality's map shows none of Demodam's buurten
    assert client.get("/melden/GM9998/buurten.json").json()["features"] == []
    assert client.get("/melden/GM0001/buurten.json").status_code == 404


def test_staff_see_the_resident_signal_without_the_email_address(
    client: Client, world: World
) -> None:
    walk_to_review(client, email="bewoner@example.org")
    submit(client)
    signal = ResidentReport.objects.get().signal
    staff = Client()
    staff.force_login(world.users["regisseur"])
    response = staff.get(f"/signalen/{signal.uuid}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Bewonersmelding" in html
    assert "bewoner@example.org" not in html
    assert ResidentReport.objects.get().tracking_code not in html
    # the outsider persona: 404, as for every signal of another municipality
    outsider = Client()
    outsider.force_login(world.users["outsider"])
    assert outsider.get(f"/signalen/{signal.uuid}/").status_code == 404

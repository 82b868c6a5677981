"""The street observation form: a quick signal with an optional photo, all or nothing."""

from __future__ import annotations

import datetime as dt
import html
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import ExifTags, Image

from wijkregie.lib import geo
from wijkregie.privacy.models import AccessEvent, AuditEvent
from wijkregie.signals.models import Attachment, Category, Signal, SourceChannel
from wijkregie.tenants.models import Role
from wijkregie.testing.personas import PASSWORD, World, make_signal

URL = "/signalen/waarneming/"


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def client_for(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


def in_buurt(world: World, key: str = "01", dx: float = 450, dy: float = 450) -> tuple[str, str]:
    hood = world.buurten[key]
    assert hood.rd_min_x is not None and hood.rd_min_y is not None
    point = geo.point_from_rd(hood.rd_min_x + dx, hood.rd_min_y + dy)
    return f"{point.lat:.6f}", f"{point.lon:.6f}"


def valid_data(world: World, **overrides: Any) -> dict[str, Any]:
    lat, lon = in_buurt(world)
    data: dict[str, Any] = {
        "category": world.categories["overlast-jeugd"].pk,
        "description": "Groep jongeren bij het speelveld, harde muziek",
        "lat": lat.replace(".", ","),  # typed the Dutch way
        "lon": lon,
        "observed_at": timezone.localtime(timezone.now() - dt.timedelta(minutes=10)).strftime(
            "%Y-%m-%dT%H:%M"
        ),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[ExifTags.Base.Model] = "Telefoon X"
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(
        {
            ExifTags.GPS.GPSLatitudeRef: "N",
            ExifTags.GPS.GPSLatitude: (52.0, 9.0, 25.0),
            ExifTags.GPS.GPSLongitudeRef: "E",
            ExifTags.GPS.GPSLongitude: (5.0, 23.0, 10.0),
        }
    )
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    return data


def counts() -> tuple[int, int, int]:
    return Signal.objects.count(), Attachment.objects.count(), AuditEvent.objects.count()


def post_rejected(client: Client, data: dict[str, Any]) -> str:
    """POST, assert nothing at all was stored, and return the page text."""
    before = counts()
    response = client.post(URL, data)
    assert response.status_code == 200, "a rejected form is shown again, not redirected"
    assert counts() == before
    body = html.unescape(response.content.decode())
    assert "Controleer de invoer" in body
    assert 'aria-invalid="true"' in body or 'id="form-errors"' in body
    return body


def test_form_is_one_column_for_the_phone(world: World) -> None:
    response = client_for(world, "wijkagent").get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'enctype="multipart/form-data"' in body
    assert 'accept="image/*"' in body and 'capture="environment"' in body
    assert "Gebruik mijn locatie" in body
    assert 'src="/static/signals/street.js"' in body
    assert "<script>" not in body  # strict CSP: no inline script
    # one writer organisation: no organisation to choose
    assert 'name="owner_organisation"' not in body
    # observed_at defaults to now (to the minute)
    assert timezone.localtime().strftime("%Y-%m-%dT") in body
    # the navigation links to it
    assert 'href="/signalen/waarneming/" aria-current="page"' in body


def test_valid_observation_is_saved_and_confirmed(world: World) -> None:
    client = client_for(world, "wijkagent")
    response = client.post(URL, valid_data(world))
    assert response.status_code == 302
    signal = Signal.objects.get(source_channel=SourceChannel.STREET)
    assert response["Location"] == f"/signalen/waarneming/{signal.uuid}/opgeslagen/"
    assert signal.owner_organisation == world.orgs["politie"]
    assert signal.registered_by == world.users["wijkagent"]
    assert signal.category == world.categories["overlast-jeugd"]
    assert signal.neighbourhood == world.buurten["01"]
    assert signal.location_kind == "point"
    assert (signal.cell_x, signal.cell_y) == (1554, 4634)
    assert signal.info_reliability == "2"
    assert signal.status == "open"
    assert signal.confidentiality == "normaal"
    assert not signal.attachments.exists()
    audit = AuditEvent.objects.get(action="create", object_id=str(signal.uuid))
    assert audit.changes["source_channel"] == "street"
    page = client.get(response["Location"])
    assert page.status_code == 200
    body = html.unescape(page.content.decode())
    assert "Waarneming opgeslagen" in body
    assert f'href="/signalen/{signal.uuid}/"' in body
    assert 'href="/signalen/waarneming/"' in body and "Volgende waarneming" in body
    # the confirmation is a read of the signal like any other
    event = AccessEvent.objects.order_by("-id").first()
    assert event is not None and event.object_id == str(signal.uuid)


def test_the_note_is_optional(world: World) -> None:
    response = client_for(world, "wijkagent").post(URL, valid_data(world, description=""))
    assert response.status_code == 302
    assert Signal.objects.get(source_channel="street").description == ""


def test_photo_is_stored_without_exif(world: World, media_root: Path) -> None:
    client = client_for(world, "corporatie")
    original = jpeg_with_gps()
    photo = SimpleUploadedFile("IMG_2041 Jansen.jpg", original, content_type="image/jpeg")
    response = client.post(URL, {**valid_data(world), "photo": photo})
    assert response.status_code == 302
    signal = Signal.objects.get(source_channel="street")
    attachment = signal.attachments.get()
    assert attachment.content_type == "image/jpeg"
    assert (attachment.width, attachment.height) == (64, 48)
    assert attachment.uploaded_by == world.users["corporatie"]
    stored = Path(attachment.file.path)
    assert stored.is_relative_to(media_root)
    assert "Jansen" not in stored.name  # never the uploaded name
    data = stored.read_bytes()
    assert b"Exif" not in data and b"Telefoon X" not in data
    with Image.open(stored) as image:
        exif = image.getexif()
        assert len(exif) == 0
        assert not exif.get_ifd(ExifTags.IFD.GPSInfo)
    assert AuditEvent.objects.filter(action="attach", object_id=str(attachment.uuid)).exists()


def test_a_file_that_is_not_a_photo_saves_nothing(world: World, media_root: Path) -> None:
    client = client_for(world, "wijkagent")
    fake = SimpleUploadedFile("foto.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")
    body = post_rejected(client, {**valid_data(world), "photo": fake})
    assert "Dit bestand is geen foto in JPEG- of PNG-formaat." in body
    assert "Kies de foto opnieuw." in body
    assert not [p for p in media_root.rglob("*") if p.is_file()]  # no file left behind


def test_a_photo_that_is_too_large_saves_nothing(world: World, settings: Any) -> None:
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("foto.jpg", b"\xff" * (1024 * 1024 + 1), content_type="image/jpeg")
    body = post_rejected(client_for(world, "wijkagent"), {**valid_data(world), "photo": big})
    assert "De foto is te groot: maximaal 1 MB." in body


def test_an_empty_file_is_reported(world: World) -> None:
    empty = SimpleUploadedFile("foto.jpg", b"", content_type="image/jpeg")
    body = post_rejected(client_for(world, "wijkagent"), {**valid_data(world), "photo": empty})
    assert "Het gekozen bestand is leeg." in body


def future() -> str:
    return timezone.localtime(timezone.now() + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")


PARIS = ("48.8566", "2.3522")
AMSTERDAM = ("52.3731", "4.8922")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"category": ""}, "category", "Dit veld is verplicht."),
        ({"category": "abc"}, "category", "Kies een bestaande categorie uit de lijst."),
        # a main category with subcategories is not a choice
        ({"category": "MAIN"}, "category", "Kies een bestaande categorie uit de lijst."),
        ({"category": "OTHER_GM"}, "category", "Kies een bestaande categorie uit de lijst."),
        (
            {"description": "x" * 501},
            "description",
            "De notitie is te lang: maximaal 500 tekens (nu 501).",
        ),
        (
            {"lat": "", "lon": ""},
            "lat",
            "Geef een locatie op: gebruik uw locatie of tik op de kaart.",
        ),
        ({"lon": ""}, "lat", "Geef zowel breedtegraad als lengtegraad op."),
        ({"lat": "noord"}, "lat", "Vul een getal in, bijvoorbeeld 52,1551."),
        ({"lat": PARIS[0], "lon": PARIS[1]}, "lat", "Deze locatie ligt buiten Nederland."),
        (
            {"lat": AMSTERDAM[0], "lon": AMSTERDAM[1]},
            "lat",
            "Deze locatie ligt buiten de gemeente: kies een punt binnen een van de buurten.",
        ),
        ({"observed_at": ""}, "observed_at", "Dit veld is verplicht."),
        (
            {"observed_at": "gisteren"},
            "observed_at",
            "Vul een datum en tijd in, bijvoorbeeld 31-12-2025 23:15.",
        ),
        ({"observed_at": "FUTURE"}, "observed_at", "De waarneming kan niet in de toekomst liggen."),
    ],
)
def test_every_invalid_field_gets_a_dutch_message(
    world: World, overrides: dict[str, Any], field: str, message: str
) -> None:
    values = dict(overrides)
    if values.get("category") == "MAIN":
        values["category"] = world.categories["overlast"].pk
    if values.get("category") == "OTHER_GM":
        values["category"] = Category.objects.get(municipality=world.other_gm).pk
    if values.get("observed_at") == "FUTURE":
        values["observed_at"] = future()
    body = post_rejected(client_for(world, "wijkagent"), valid_data(world, **values))
    # the message is next to the field and in the summary, linked to the field
    assert f'id="id_{field}-error"' in body
    assert message in body.split('id="form-errors"')[1].split("</ul>")[0]
    assert f'href="#id_{field}"' in body


def test_all_problems_are_reported_at_once(world: World) -> None:
    body = post_rejected(
        client_for(world, "wijkagent"),
        valid_data(world, category="", description="x" * 600, lat="", lon="", observed_at=future()),
    )
    summary = body.split('id="form-errors"')[1].split("</ul>")[0]
    for message in [
        "Dit veld is verplicht.",
        "De notitie is te lang",
        "Geef een locatie op",
        "De waarneming kan niet in de toekomst liggen.",
    ]:
        assert message in summary
    # the time field is in a closed disclosure unless it has an error
    assert '<details class="wr-street__details" open>' in body


@pytest.fixture
def two_orgs(world: World) -> Client:
    """A professional working for both the police and the corporation."""
    from wijkregie.testing.personas import make_user

    make_user(
        "dubbel",
        world.gm,
        [(world.orgs["politie"], Role.PROFESSIONAL), (world.orgs["corporatie"], Role.PROFESSIONAL)],
    )
    client = Client()
    assert client.login(username="dubbel", password=PASSWORD)
    return client


def test_more_organisations_give_a_choice(world: World, two_orgs: Client) -> None:
    body = two_orgs.get(URL).content.decode()
    assert 'name="owner_organisation"' in body
    body = post_rejected(two_orgs, valid_data(world))
    assert "Dit veld is verplicht." in body.split('id="form-errors"')[1]
    body = post_rejected(two_orgs, valid_data(world, owner_organisation=world.orgs["gemeente"].pk))
    assert "Kies een organisatie waarvoor u signalen registreert." in body
    response = two_orgs.post(URL, valid_data(world, owner_organisation=world.orgs["corporatie"].pk))
    assert response.status_code == 302
    assert (
        Signal.objects.get(source_channel="street").owner_organisation == world.orgs["corporatie"]
    )


def test_the_users_frequent_categories_come_first(world: World) -> None:
    user = world.users["corporatie"]
    for _ in range(2):
        signal = make_signal(world, owner="corporatie", category="woonfraude", buurt="01")
        Signal.objects.filter(pk=signal.pk).update(registered_by=user)
    body = client_for(world, "corporatie").get(URL).content.decode()
    frequent = body.index('label="Vaak door u gebruikt"')
    everything = body.index('label="Alle categorieën"')
    assert frequent < body.index(">Woonfraude<", frequent) < everything
    # someone else's registrations do not reorder this user's list
    other = client_for(world, "wijkagent").get(URL).content.decode()
    assert "Vaak door u gebruikt" not in other


@pytest.mark.parametrize("persona", ["privacy", "beheerder", "analist"])
def test_only_writers_get_the_form(world: World, persona: str) -> None:
    client = client_for(world, persona)
    assert client.get(URL).status_code == 404
    assert client.post(URL, valid_data(world)).status_code == 404
    assert not Signal.objects.filter(source_channel="street").exists()


def test_outsider_sees_nothing_of_demodam(world: World) -> None:
    client = client_for(world, "outsider")
    body = client.get(URL).content.decode()
    # their own municipality's form: Demodam's categories are not offered, nor accepted
    assert "Jeugdoverlast" not in body and "Woonfraude" not in body
    response = client.post(URL, valid_data(world))
    assert response.status_code == 200
    assert "Kies een bestaande categorie uit de lijst." in html.unescape(response.content.decode())
    assert not Signal.objects.filter(source_channel="street").exists()
    # and the confirmation page of a Demodam signal does not exist for them
    client_for(world, "wijkagent").post(URL, valid_data(world))
    signal = Signal.objects.get(source_channel="street")
    assert client.get(f"/signalen/waarneming/{signal.uuid}/opgeslagen/").status_code == 404
    assert (
        client_for(world, "jongerenwerker")
        .get(f"/signalen/waarneming/{signal.uuid}/opgeslagen/")
        .status_code
        == 404
    )


def test_anonymous_is_sent_to_login(world: World) -> None:
    signal = world.signals["police_shared"]
    for url in [URL, f"/signalen/waarneming/{signal.uuid}/opgeslagen/"]:
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/inloggen/")
    response = Client().post(URL, valid_data(world))
    assert response.status_code == 302
    assert not Signal.objects.filter(source_channel="street").exists()

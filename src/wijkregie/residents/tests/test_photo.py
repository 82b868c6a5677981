"""Photos: type and size checked, EXIF (GPS) stripped, kept safely between steps."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from PIL import Image

from wijkregie.residents.models import PendingPhoto, ResidentReport
from wijkregie.residents.tests.helpers import jpeg_with_gps, step_url, submit, walk_to_review

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: object, tmp_path: object) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]


def test_fixture_really_has_gps_exif() -> None:
    with Image.open(io.BytesIO(jpeg_with_gps())) as image:
        gps = image.getexif().get_ifd(0x8825)
    assert gps[1] == "N" and gps[2] == (52.0, 9.0, 30.0)


def test_photo_is_stored_without_exif(client: Client, world: object) -> None:
    walk_to_review(client, photo=jpeg_with_gps())
    # Between the steps the photo is held re-encoded already: no EXIF in the database either.
    pending = PendingPhoto.objects.get()
    with Image.open(io.BytesIO(bytes(pending.data))) as image:
        assert not image.getexif()
        assert "exif" not in image.info
    assert (
        "Eén foto, zonder locatiegegevens" in client.get(step_url("controleren")).content.decode()
    )
    submit(client)
    report = ResidentReport.objects.get()
    attachment = report.signal.attachments.get()
    assert attachment.content_type == "image/jpeg" and attachment.uploaded_by is None
    assert "IMG_0001" not in attachment.file.name
    with attachment.file.open("rb") as f:
        data = f.read()
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG" and image.size == (64, 48)
        assert not image.getexif()
        assert not image.getexif().get_ifd(0x8825)
    assert b"Exif" not in data and b"PhoneMaker" not in data
    assert not PendingPhoto.objects.exists()


def test_wrong_type_and_too_large_are_refused(
    client: Client, world: object, settings: object
) -> None:
    walk_to_review(client)
    upload = io.BytesIO(b"%PDF-1.4 not a photo")
    upload.name = "foto.jpg"
    response = client.post(step_url("omschrijving"), {"description": "Tekst", "photo": upload})
    html = response.content.decode()
    assert response.status_code == 200
    assert "geen foto in JPEG- of PNG-formaat" in html and 'href="#id_photo"' in html
    settings.UPLOAD_MAX_BYTES = 1000  # type: ignore[attr-defined]
    big = io.BytesIO(jpeg_with_gps() + b"\0" * 2000)
    big.name = "groot.jpg"
    response = client.post(step_url("omschrijving"), {"description": "Tekst", "photo": big})
    assert "De foto is te groot" in response.content.decode()
    assert not PendingPhoto.objects.exists()


def test_photo_can_be_replaced_and_removed(client: Client, world: object) -> None:
    walk_to_review(client, photo=jpeg_with_gps())
    first = PendingPhoto.objects.get().token
    again = io.BytesIO(jpeg_with_gps())
    again.name = "b.jpg"
    client.post(step_url("omschrijving"), {"description": "Tekst", "photo": again})
    assert PendingPhoto.objects.get().token != first
    client.post(step_url("omschrijving"), {"description": "Tekst", "remove_photo": "on"})
    assert not PendingPhoto.objects.exists()
    submit(client)
    assert not ResidentReport.objects.get().signal.attachments.exists()

"""Photos of a signal: served only to viewers who may see the signal's personal details."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from PIL import Image

from wijkregie.privacy.models import AccessEvent
from wijkregie.signals import services
from wijkregie.signals.models import Attachment
from wijkregie.testing.personas import EXPECTED_VISIBLE, World

PERSONAS = sorted(EXPECTED_VISIBLE)
# police_shared: the police own it; the municipality and the corporation see it through the
# agreement; the analyst sees it pseudonymised (no photos); the others do not see it at all.
MAY_SEE_PHOTO = {"wijkagent", "regisseur", "corporatie"}


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def photo(world: World) -> Attachment:
    data = png_bytes()
    return services.attachment_add(
        signal=world.signals["police_shared"],
        upload=io.BytesIO(data),
        size=len(data),
        user=world.users["wijkagent"],
    )


def url(world: World, attachment: Attachment, signal_key: str = "police_shared") -> str:
    return f"/signalen/{world.signals[signal_key].uuid}/bijlagen/{attachment.uuid}"


def client_for(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


@pytest.mark.parametrize("persona", PERSONAS)
def test_photo_access_matrix(world: World, photo: Attachment, persona: str) -> None:
    signal = world.signals["police_shared"]
    before = AccessEvent.objects.count()
    response = client_for(world, persona).get(url(world, photo))
    events = list(AccessEvent.objects.order_by("id")[before:])
    assert events, "every attempt is in the access log"
    assert all(e.user_id == world.users[persona].pk for e in events)
    if persona in MAY_SEE_PHOTO:
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert response["Content-Disposition"] == "inline"
        assert response["Cache-Control"] == "private, no-store"
        assert response["X-Content-Type-Options"] == "nosniff"
        body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
        assert body == Path(photo.file.path).read_bytes()
        assert [(e.object_type, e.object_id, e.outcome) for e in events] == [
            ("signal", str(signal.uuid), "granted")
        ]
        return
    assert response.status_code == 404
    assert "private" not in response.get("Cache-Control", "")
    if persona == "analist":
        # sees the signal pseudonymised; the photo is refused and that refusal is logged
        assert [(e.object_type, e.outcome) for e in events] == [
            ("signal", "granted"),
            ("attachment", "denied"),
        ]
    else:
        assert [(e.object_type, e.outcome) for e in events] == [("signal", "denied")]


def test_photo_is_shown_on_the_detail_page_only_with_personal_details(
    world: World, photo: Attachment
) -> None:
    path = url(world, photo)
    detail = f"/signalen/{world.signals['police_shared'].uuid}/"
    owner = client_for(world, "wijkagent").get(detail).content.decode()
    assert f'src="{path}"' in owner
    assert 'alt="Foto 1 van 1 bij dit signaal (groot openen)"' in owner
    analyst = client_for(world, "analist").get(detail).content.decode()
    assert str(photo.uuid) not in analyst


def test_wrong_or_missing_attachment_is_404(world: World, photo: Attachment) -> None:
    client = client_for(world, "regisseur")
    # the attachment of another signal, through a signal the viewer may see
    assert client.get(url(world, photo, "gemeente_own")).status_code == 404
    missing = f"/signalen/{world.signals['police_shared'].uuid}/bijlagen/not-a-uuid"
    assert client.get(missing).status_code == 404
    absent = (
        f"/signalen/{world.signals['police_shared'].uuid}/bijlagen/"
        "00000000-0000-4000-8000-000000000000"
    )
    assert client.get(absent).status_code == 404
    # a row whose file has gone is not found either (no server error)
    Path(photo.file.path).unlink()
    assert client.get(url(world, photo)).status_code == 404


def test_anonymous_is_sent_to_login(world: World, photo: Attachment) -> None:
    response = Client().get(url(world, photo))
    assert response.status_code == 302
    assert response["Location"].startswith("/inloggen/")

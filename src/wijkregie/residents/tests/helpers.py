"""Shared helpers for the resident tests: a point in the persona world, walking the steps."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.test import Client
from django.utils import timezone
from PIL import Image

from wijkregie.lib import geo
from wijkregie.signals.models import Signal, SourceChannel
from wijkregie.testing.personas import ORIGIN_X, ORIGIN_Y, World

# In buurt 03 (BU99990201), away from the persona world's own signals (at +250, +250).
POINT_X, POINT_Y = ORIGIN_X + 2000 + 700.0, ORIGIN_Y + 700.0
POINT = geo.point_from_rd(POINT_X, POINT_Y)
CATEGORY = "overlast-jeugd"


def step_url(step: str, cbs: str = "GM9999") -> str:
    return f"/melden/{cbs}/{step}/"


def walk_to_review(
    client: Client,
    *,
    category: str = CATEGORY,
    lat: float = POINT.lat,
    lon: float = POINT.lon,
    description: str = "Er wordt elke avond vuurwerk afgestoken bij het speelveld.",
    email: str = "",
    photo: bytes | None = None,
    cbs: str = "GM9999",
) -> None:
    """Fill steps 1-4; every POST must redirect to the next step."""
    posts: list[tuple[str, dict[str, Any]]] = [
        ("categorie", {"category": category}),
        ("locatie", {"mode": "kaart", "lat": f"{lat:.6f}", "lon": f"{lon:.6f}"}),
        ("omschrijving", {"description": description}),
        ("contact", {"email": email}),
    ]
    for step, data in posts:
        if step == "omschrijving" and photo is not None:
            data = {**data, "photo": io.BytesIO(photo)}
            data["photo"].name = "IMG_0001.jpg"
        response = client.post(step_url(step, cbs), data)
        assert response.status_code == 302, (step, response.content.decode()[:3000])


def submit(client: Client, cbs: str = "GM9999", **extra: str) -> Any:
    return client.post(step_url("controleren", cbs), {"website": "", **extra})


def jpeg_with_gps() -> bytes:
    """A real JPEG whose EXIF holds a GPS position (as a phone writes it)."""
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (52.0, 9.0, 30.0)
    gps[3] = "E"
    gps[4] = (5.0, 23.0, 15.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def make_signal_at(
    world: World,
    *,
    dx: float,
    days_ago: float,
    category: str = CATEGORY,
    status: str = "open",
    confidentiality: str = "normaal",
    owner: str = "politie",
) -> Signal:
    point = geo.point_from_rd(POINT_X + dx, POINT_Y)
    cat = world.categories[category]
    return Signal.objects.create(
        municipality=world.gm,
        owner_organisation=world.orgs[owner],
        source_channel=SourceChannel.PARTNER,
        observed_at=timezone.now() - dt.timedelta(days=days_ago),
        category=cat,
        life_domain=cat.life_domain,
        description="Geheime omschrijving met Jan Jansen",
        location_kind="point",
        lat=point.lat,
        lon=point.lon,
        rd_x=point.x,
        rd_y=point.y,
        postcode="9999ZZ",
        huisnummer=77,
        neighbourhood=world.buurten["03"],
        cell_x=point.cell[0],
        cell_y=point.cell[1],
        confidentiality=confidentiality,
        status=status,
    )


def make_address(postcode: str = "1234AB", huisnummer: int = 12, huisletter: str = "") -> Any:
    """An address register row at the test point (the register of the intake issue)."""
    from wijkregie.addresses.models import Address

    return Address.objects.create(
        postcode=postcode,
        huisnummer=huisnummer,
        huisletter=huisletter,
        rd_x=POINT_X,
        rd_y=POINT_Y,
        lat=POINT.lat,
        lon=POINT.lon,
        verblijfsobject_id="0000010000000001",
        nummeraanduiding_id="0000200000000001",
    )

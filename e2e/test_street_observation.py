"""A street observation on a phone: 360 px wide, one column, map tap or device location."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from wijkregie.lib import geo
from wijkregie.signals.models import Signal

pytestmark = pytest.mark.e2e

PHONE = {"viewport": {"width": 360, "height": 740}, "has_touch": True, "is_mobile": True}
FITS = "() => document.scrollingElement.scrollWidth"
# Every control a thumb uses: at least 44 by 44 CSS pixels.
TARGETS = """() => [...document.querySelectorAll(
    "form.wr-street select, form.wr-street textarea, form.wr-street input:not([type=hidden]),"
    + " form.wr-street button:not([hidden]), form.wr-street summary")]
    .filter(el => el.offsetParent !== null)
    .map(el => { const r = el.getBoundingClientRect();
                 return {id: el.id || el.tagName, w: r.width, h: r.height}; })"""


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def photo_file(tmp_path: Path) -> Path:
    path = tmp_path / "straat.png"
    out = io.BytesIO()
    Image.new("RGB", (120, 80), (40, 160, 60)).save(out, "PNG")
    path.write_bytes(out.getvalue())
    return path


def test_observation_with_a_map_tap_on_a_phone(
    world: Any, new_page: Any, assert_accessible: Any, tmp_path: Path
) -> None:
    page = new_page(world.users["wijkagent"], bypass_csp=True, **PHONE)
    page.goto("/signalen/waarneming/")
    page.wait_for_selector("#location-map[data-state=ready] path")
    assert page.evaluate(FITS) <= 360
    small = [t for t in page.evaluate(TARGETS) if t["w"] < 44 or t["h"] < 44]
    assert not small, small
    # the submit button sits at the bottom of the screen, where the thumb is
    box = page.locator(".wr-street__submit button").bounding_box()
    assert box is not None and 740 - 100 < box["y"] + box["height"] <= 740
    assert_accessible(page)

    # first without a location: a Dutch error summary, nothing saved
    page.select_option("#id_category", str(world.categories["overlast-jeugd"].pk))
    page.get_by_role("button", name="Waarneming opslaan").click()
    page.wait_for_selector("#form-errors")
    assert "Geef een locatie op" in page.locator("#form-errors").inner_text()
    assert not Signal.objects.filter(source_channel="street").exists()
    assert page.evaluate(FITS) <= 360
    page.wait_for_selector("#location-map[data-state=ready] path")
    assert_accessible(page)

    # then with a note, a tap in the middle of the first buurt and a photo
    page.fill("#id_description", "Kapotte lantaarnpaal, jongeren hangen in het donker")
    page.locator("#location-map").evaluate("el => el.scrollIntoView({block: 'center'})")
    target = page.locator("#location-map path").nth(0).bounding_box()
    assert target is not None
    page.mouse.click(target["x"] + target["width"] / 2, target["y"] + target["height"] / 2)
    assert page.input_value("#id_lat") != ""
    assert "Gekozen locatie:" in page.locator("#location-map-status").inner_text()
    page.set_input_files("#id_photo", str(photo_file(tmp_path)))
    page.get_by_role("button", name="Waarneming opslaan").click()
    page.wait_for_url(re.compile(r"/signalen/waarneming/[0-9a-f-]{36}/opgeslagen/$"))
    assert page.locator("h1").inner_text() == "Waarneming opgeslagen"
    signal = Signal.objects.get(source_channel="street")
    assert signal.owner_organisation == world.orgs["politie"]
    assert signal.neighbourhood is not None
    assert signal.attachments.count() == 1
    assert page.evaluate(FITS) <= 360
    assert_accessible(page)

    # the confirmation leads to the signal (with its photo) and to the next observation
    page.get_by_role("link", name="Bekijk het signaal").click()
    page.wait_for_url(re.compile(rf"/signalen/{signal.uuid}/$"))
    page.wait_for_function(
        "() => { const i = document.querySelector('.wr-photos img');"
        " return i && i.complete && i.naturalWidth === 120; }"
    )
    assert page.evaluate(FITS) <= 360
    page.go_back()
    page.get_by_role("link", name="Volgende waarneming").click()
    page.wait_for_url(re.compile(r"/signalen/waarneming/$"))
    # the category just used is offered first
    first_group = page.locator("#id_category optgroup").first
    assert first_group.get_attribute("label") == "Vaak door u gebruikt"


def test_use_my_location(world: Any, new_page: Any) -> None:
    hood = world.buurten["02"]
    point = geo.point_from_rd(hood.rd_min_x + 400, hood.rd_min_y + 600)
    page = new_page(
        world.users["wijkagent"],
        geolocation={"latitude": point.lat, "longitude": point.lon, "accuracy": 8},
        permissions=["geolocation"],
        **PHONE,
    )  # under the real CSP
    page.goto("/signalen/waarneming/")
    page.wait_for_selector("#location-map[data-state=ready] path")
    page.select_option("#id_category", str(world.categories["overlast-jeugd"].pk))
    page.get_by_role("button", name="Gebruik mijn locatie").click()
    page.wait_for_function("() => document.getElementById('id_lat').value !== ''")
    assert abs(float(page.input_value("#id_lat")) - point.lat) < 1e-5
    assert "nauwkeurig tot op 8 m" in page.locator("#location-map-status").inner_text()
    # the marker is on the map: the buurten and one more path
    assert page.locator("#location-map path").count() == 5
    page.get_by_role("button", name="Waarneming opslaan").click()
    page.wait_for_url(re.compile(r"/opgeslagen/$"))
    signal = Signal.objects.get(source_channel="street")
    assert signal.neighbourhood == hood
    assert signal.rd_x is not None and abs(signal.rd_x - (hood.rd_min_x + 400)) < 1


def test_duplicate_hints_and_links_on_a_phone(
    world: Any, new_page: Any, assert_accessible: Any
) -> None:
    from django.utils import timezone

    original = world.signals["police_shared"]
    point = geo.point_from_rd(original.rd_x + 20, original.rd_y)
    nearby = Signal.objects.create(
        municipality=world.gm,
        owner_organisation=world.orgs["politie"],
        source_channel="street",
        observed_at=timezone.now(),
        category=original.category,
        life_domain=original.life_domain,
        location_kind="point",
        lat=point.lat,
        lon=point.lon,
        rd_x=point.x,
        rd_y=point.y,
        neighbourhood=original.neighbourhood,
        cell_x=point.cell[0],
        cell_y=point.cell[1],
    )
    page = new_page(world.users["wijkagent"], bypass_csp=True, **PHONE)
    page.goto(f"/signalen/{nearby.uuid}/")
    hint = page.locator("#duplicate-hints li")
    assert hint.count() == 1
    assert "20 meter" in hint.inner_text()
    assert page.evaluate(FITS) <= 360
    assert_accessible(page)
    page.get_by_role("button", name="Markeer dit signaal als dubbel hiervan").click()
    page.wait_for_selector("#duplicate-of")
    assert "Dit signaal is gemarkeerd als dubbel." in page.locator(".wr-messages").inner_text()
    assert page.evaluate(FITS) <= 360
    assert_accessible(page)
    page.locator("#duplicate-of a").click()
    page.wait_for_url(re.compile(rf"/signalen/{original.uuid}/$"))
    assert str(nearby.uuid) in page.locator("#duplicates").inner_html()
    assert_accessible(page)
    page.go_back()
    page.get_by_role("button", name="Dubbel-markering ongedaan maken").click()
    page.wait_for_selector("#duplicate-hints")
    nearby.refresh_from_db()
    assert nearby.duplicate_of is None

"""The public neighbourhood pages (/wijk/<GM>/<BU>/): no login, aggregates with small counts
suppressed, published practice cards only, survey results above the respondent threshold, no
personal data, no cookies, cacheable, strict CSP."""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.test import Client
from django.utils import timezone

from wijkregie.analysis.models import IndexDefinition, SurveyScore
from wijkregie.learning.models import CardOrigin, CardStatus, PracticeCard
from wijkregie.learning.public_selectors import last_whole_months, public_trend
from wijkregie.signals.models import Signal
from wijkregie.signals.selectors import TALLY_ZONE
from wijkregie.testing.personas import World

T = int(settings.SMALL_COUNT_THRESHOLD)


def add_signals(world: World, buurt: str, category: str, n: int, month: dt.date) -> None:
    template = world.signals["police_shared"]
    rows = [
        Signal(
            municipality=world.gm,
            owner_organisation=world.orgs["politie"],
            source_channel=template.source_channel,
            observed_at=dt.datetime(month.year, month.month, 1 + i % 27, 12, tzinfo=TALLY_ZONE),
            category=world.categories[category],
            life_domain=world.categories[category].life_domain,
            description="Geheime omschrijving XYZZY",
            location_kind="point",
            lat=template.lat,
            lon=template.lon,
            rd_x=template.rd_x,
            rd_y=template.rd_y,
            postcode="9999ZZ",
            huisnummer=1,
            neighbourhood=world.buurten[buurt],
            cell_x=template.cell_x,
            cell_y=template.cell_y,
        )
        for i in range(n)
    ]
    Signal.objects.bulk_create(rows)


def card(world: World, title: str, **extra: object) -> PracticeCard:
    values: dict[str, object] = {
        "municipality": world.gm,
        "source_name": "Demodam",
        "title": title,
        "problem": "Jeugdoverlast op het plein",
        "approach": "Straatcoaches",
        "area_type": "centrum",
        "contact_organisation": "Gemeente Demodam",
        "status": CardStatus.PUBLISHED,
        "published_at": timezone.now(),
    }
    values.update(extra)
    created = PracticeCard.objects.create(**values)
    created.focus_areas.set([world.focus])
    return created


def test_municipality_page_lists_buurten(world: World) -> None:
    response = Client().get("/wijk/GM9999/")
    assert response.status_code == 200
    html = response.content.decode()
    for hood in world.buurten.values():
        assert f"/wijk/GM9999/{hood.code}/" in html
    assert Client().get("/wijk/GM0001/").status_code == 404
    assert Client().get("/wijk/XX9999/").status_code == 404
    assert Client().get("/wijk/gm9999/").status_code == 200


def test_area_page_is_public_aggregate_and_cacheable(world: World) -> None:
    months = last_whole_months()
    # The world's own signals are a day or two old: early in a month that is last month.
    # Keep them in the running month, which the page leaves out, so only ours are counted.
    Signal.objects.filter(neighbourhood=world.buurten["01"]).update(observed_at=timezone.now())
    add_signals(world, "01", "overlast-jeugd", 7, months[-1])
    add_signals(world, "01", "overlast-jeugd", 2, months[-2])
    add_signals(world, "01", "woonfraude", 9, months[-1])  # not a public category
    response = Client().get("/wijk/GM9999/BU99990101/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Buurt 1" in html
    table = re.search(r'<table[^>]*id="trend-table".*?</table>', html, re.S)
    assert table is not None
    assert f"&lt;{T}" in table.group(0) and ">7<" in table.group(0)
    assert "Woonfraude" not in table.group(0)
    assert "/melden/GM9999/" in html
    for secret in ("XYZZY", "9999ZZ", "1234AB", "Overlast bij portiek", "regisseur"):
        assert secret not in html
    assert "Set-Cookie" not in response.headers and not response.cookies
    assert "public" in response["Cache-Control"] and "max-age=600" in response["Cache-Control"]
    csp = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert "<script" not in html and 'style="' not in html


def test_trend_never_shows_small_counts(world: World) -> None:
    months = last_whole_months()
    for i, month in enumerate(months):
        add_signals(world, "02", "overlast-jeugd", i % (T + 2), month)
    trend = public_trend(municipality=world.gm, buurt=world.buurten["02"])
    assert trend.series
    for series in trend.series:
        for value, hidden in zip(series.values, series.suppressed, strict=True):
            assert value is None or not (0 < value < T)
            assert hidden == (value is None)


def test_page_is_dutch_whatever_the_language_cookie(world: World) -> None:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/wijk/GM9999/BU99990101/").content.decode()
    assert "Iets melden" in html and "Melding doen" in html
    assert "Meldingen per maand" in html or "geen meldingen" in html


def test_unknown_and_foreign_buurten_are_404(world: World) -> None:
    client = Client()
    assert client.get("/wijk/GM9999/BU00000000/").status_code == 404
    assert client.get("/wijk/GM9998/BU99990101/").status_code == 404  # Elders: not its buurt
    assert client.get("/wijk/GM9999/WK999901/").status_code == 404  # a wijk, not a buurt
    assert client.get("/wijk/GM0000/BU99990101/").status_code == 404
    assert client.post("/wijk/GM9999/BU99990101/").status_code == 405


def test_only_published_local_cards_of_the_buurt(world: World) -> None:
    card(world, "Gepubliceerde aanpak")
    card(world, "Conceptkaart", status=CardStatus.DRAFT, published_at=None)
    card(world, "Geïmporteerde kaart", origin=CardOrigin.IMPORTED)
    html = Client().get("/wijk/GM9999/BU99990101/").content.decode()
    assert "Gepubliceerde aanpak" in html
    assert "Conceptkaart" not in html and "Geïmporteerde kaart" not in html
    other = Client().get("/wijk/GM9999/BU99990201/").content.decode()  # not in Noord
    assert "Gepubliceerde aanpak" not in other


def test_survey_results_respect_the_respondent_threshold(world: World) -> None:
    IndexDefinition.objects.create(municipality=world.gm, base_year=2025, min_respondents=40)
    for question, respondents in [("veilig_buurt", 120), ("schoon_buurt", 12)]:
        SurveyScore.objects.create(
            municipality=world.gm,
            area_code="BU99990101",
            year=2025,
            question=question,
            score=6.8,
            respondents=respondents,
        )
    SurveyScore.objects.create(
        municipality=world.gm,
        area_code="GM9999",
        year=2025,
        question="veilig_buurt",
        score=7.1,
        respondents=900,
    )
    html = Client().get("/wijk/GM9999/BU99990101/").content.decode()
    assert "veilig_buurt" in html and "7,1" in html and "120" in html
    assert "schoon_buurt" not in html


def test_logged_in_personas_see_the_same_public_page(world: World) -> None:
    anonymous = Client().get("/wijk/GM9999/BU99990101/")
    for persona in ("regisseur", "outsider", "privacy"):
        client = Client()
        client.force_login(world.users[persona])
        response = client.get("/wijk/GM9999/BU99990101/")
        assert response.status_code == 200
        assert response.context["trend"] == anonymous.context["trend"]
        assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]


# --- the survey upload of the beheerder feeds the public page --------------------------------


def test_survey_upload_by_the_beheerder(world: World) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = "/leerkring/enquete/"
    for persona in ("regisseur", "analist", "wijkagent", "privacy", "outsider"):
        client = Client()
        client.force_login(world.users[persona])
        assert client.get(url).status_code == 404, persona
    assert Client().get(url).status_code == 302
    client = Client()
    client.force_login(world.users["beheerder"])
    assert client.get(url).status_code == 200
    body = (
        b"gebiedscode;jaar;vraag;score;respondenten\n"
        b"BU99990101;2025;veilig_buurt;6,4;88\n"
        b"BU00000000;2025;veilig_buurt;6,4;88\n"
    )
    response = client.post(url, {"file": SimpleUploadedFile("enquete.csv", body)})
    assert response.status_code == 200
    assert "regel 3" in response.content.decode()
    assert SurveyScore.objects.filter(municipality=world.gm, area_code="BU99990101").count() == 1
    html = Client().get("/wijk/GM9999/BU99990101/").content.decode()
    assert "veilig_buurt" in html and "6,4" in html
    bad = client.post(url, {"file": SimpleUploadedFile("enquete.pdf", b"%PDF")})
    assert bad.status_code == 400
    missing = client.post(url, {"file": SimpleUploadedFile("e.csv", b"a;b\n1;2\n")})
    assert missing.status_code == 400 and "Kolommen ontbreken" in missing.content.decode()
    # the outsider's upload never touches Demodam
    assert not SurveyScore.objects.filter(municipality=world.other_gm).exists()

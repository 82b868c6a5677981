"""The public neighbourhood page in the browser, without login and under the real CSP: the
list of buurten, a buurt with its trend, practice card, survey results and how to report, and
a buurt with published neighbourhood actions; axe-core finds no WCAG 2.1 A/AA violations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from wijkregie.analysis.models import SurveyScore
from wijkregie.learning import services
from wijkregie.learning.models import CardStatus, PracticeCard
from wijkregie.learning.public_selectors import last_whole_months
from wijkregie.signals.models import Signal
from wijkregie.tenants.access import viewer_for


def test_public_neighbourhood_page(
    world: Any, new_page: Callable[..., Any], assert_accessible: Callable[[Any], None]
) -> None:
    template = world.signals["police_shared"]
    for k, month in enumerate(last_whole_months()):
        Signal.objects.bulk_create(
            Signal(
                municipality=world.gm,
                owner_organisation=world.orgs["politie"],
                source_channel=template.source_channel,
                observed_at=dt.datetime(month.year, month.month, 3 + i, 12, tzinfo=dt.UTC),
                category=template.category,
                life_domain=template.life_domain,
                description="Geheime omschrijving XYZZY",
                location_kind="point",
                lat=template.lat,
                lon=template.lon,
                neighbourhood=world.buurten["01"],
            )
            for i in range((k * 3) % 11)
        )
    card = PracticeCard.objects.create(
        municipality=world.gm,
        source_name="Demodam",
        title="Straatcoaches op het plein",
        problem="Jeugdoverlast in de avond",
        approach="Straatcoaches spreken jongeren aan",
        area_type="centrum",
        contact_organisation="Gemeente Demodam",
        status=CardStatus.PUBLISHED,
        published_at=timezone.now(),
    )
    card.focus_areas.set([world.focus])
    SurveyScore.objects.create(
        municipality=world.gm,
        area_code="BU99990101",
        year=2025,
        question="veilig_buurt",
        score=6.9,
        respondents=150,
    )

    check = new_page()  # the real CSP: the page must work without any exception
    check.goto("/wijk/GM9999/BU99990101/")
    assert "Straatcoaches op het plein" in check.inner_text("#cards")

    page = new_page(bypass_csp=True)
    page.goto("/wijk/GM9999/")
    assert_accessible(page)
    page.get_by_role("link", name="Buurt 1").click()
    page.wait_for_selector("#buurt-name")
    assert_accessible(page)
    assert "Buurt 1" in page.inner_text("#buurt-name")
    assert page.locator("#trend-chart svg").count() == 1
    assert "<5" in page.inner_text("#trend-table")
    assert "veilig_buurt" in page.inner_text("#survey-table")
    assert "XYZZY" not in page.content()
    page.click("#report-link")
    page.wait_for_url("**/melden/GM9999/**")


def test_unknown_buurt_is_404(
    world: Any, new_page: Callable[..., Any], assert_accessible: Callable[[Any], None]
) -> None:
    page = new_page(bypass_csp=True)
    response = page.goto("/wijk/GM9998/BU99990101/")
    assert response is not None and response.status == 404
    assert_accessible(page)


def test_public_buurt_page_with_actions(
    world: Any, new_page: Callable[..., Any], assert_accessible: Callable[[Any], None]
) -> None:
    regisseur = viewer_for(world.users["regisseur"])
    assert regisseur is not None
    for title, status, start, end in [
        ("Buurtconciërge in de portieken", "lopend", dt.date(2026, 9, 1), dt.date(2027, 6, 30)),
        ("Meer licht op het plein", "gepland", dt.date(2027, 1, 1), None),
        ("Opschoondag in de buurt", "afgerond", dt.date(2026, 4, 1), dt.date(2026, 4, 30)),
    ]:
        action = services.action_save(
            viewer=regisseur,
            data=services.ActionData(
                title=title,
                description="Wat er gebeurt en waarom.\nIn gewone taal.",
                organisations="Gemeente Demodam, Woonstichting Demodam",
                start_date=start,
                end_date=end,
                status=status,
                neighbourhoods=[world.buurten["01"]],
            ),
        )
        services.action_publish(viewer=regisseur, action=action)
    services.action_save(
        viewer=regisseur,
        data=services.ActionData(
            title="Concept voor later",
            description="Nog niet openbaar.",
            start_date=dt.date(2027, 3, 1),
            neighbourhoods=[world.buurten["01"]],
        ),
    )

    check = new_page()  # the real CSP
    check.goto("/wijk/GM9999/BU99990101/")
    text = check.inner_text("#actions")
    assert "Buurtconciërge in de portieken" in text and "Loopt nu" in text
    assert "Concept voor later" not in check.content()

    page = new_page(bypass_csp=True)
    page.goto("/wijk/GM9999/BU99990101/")
    page.wait_for_selector("#actions-heading")
    assert page.locator("#actions article").count() == 3
    assert_accessible(page)

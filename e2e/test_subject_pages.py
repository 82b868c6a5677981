"""Subject pages in the browser: attach a person from the signal page, reveal with a purpose,
merge and unmerge, the screening queue. axe-core finds no WCAG 2.1 A/AA violations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from wijkregie.subjects import services
from wijkregie.subjects.models import Subject
from wijkregie.tenants.access import viewer_for
from wijkregie.testing.personas import make_signal

REASON = "Zelfde persoon volgens het wijkteamoverleg"


def _person(world: Any, persona: str, signal: Any, **values: Any) -> Subject:
    viewer = viewer_for(world.users[persona])
    assert viewer is not None
    subject, _ = services.attach_person(
        viewer=viewer,
        signal=signal,
        person=services.PersonInput(
            bsn=values.get("bsn", "111222333"),
            given_names=values.get("given_names", "Jantje"),
            surname="Klaassen",
            birth_date=dt.date(1990, 5, 17),
        ),
    )
    return subject


def test_attach_and_reveal_on_the_signal_and_subject_pages(
    world: Any, new_page: Callable[..., Any], assert_accessible: Callable[[Any], None]
) -> None:
    signal = world.signals["police_shared"]
    page = new_page(world.users["wijkagent"], bypass_csp=True)
    page.goto(f"/signalen/{signal.uuid}/")
    assert_accessible(page)
    page.select_option("#id_kind", "person")
    page.fill("#id_given_names", "Jantje")
    page.fill("#id_surname", "Klaassen")
    page.fill("#id_birth_date", "17-05-1990")
    page.fill("#id_bsn", "111222333")
    page.get_by_role("button", name="Betrokkene toevoegen").click()
    page.wait_for_selector("#signal-subjects")
    subject = Subject.objects.get(kind="person")
    assert "Jantje" not in page.content()
    page.click(f"#signal-subjects a:text('{subject.pseudonym}')")
    page.wait_for_selector("#subject-pseudonym")
    assert_accessible(page)
    assert "Jantje" not in page.content()
    page.get_by_role("button", name="Persoonsgegevens tonen").click()
    page.wait_for_selector(".wr-revealed")
    assert "Jantje" in page.inner_text("#records")
    assert_accessible(page)


def test_analyst_sees_the_subject_page_pseudonymised(
    world: Any, new_page: Callable[..., Any], assert_accessible: Callable[[Any], None]
) -> None:
    subject = _person(world, "wijkagent", world.signals["police_shared"])
    page = new_page(world.users["analist"], bypass_csp=True)
    page.goto(f"/betrokkenen/{subject.uuid}/")
    assert page.inner_text("#subject-pseudonym") == subject.pseudonym
    body = page.content()
    assert "Jantje" not in body and "Klaassen" not in body and "17-05-1990" not in body
    assert page.get_by_role("button", name="Persoonsgegevens tonen").count() == 0
    assert_accessible(page)


def test_merge_unmerge_and_screening_queue(
    world: Any, new_page: Callable[..., Any], assert_accessible: Callable[[Any], None]
) -> None:
    own = [
        make_signal(world, owner="gemeente", category=category, buurt="01")
        for category in ("woonfraude", "zorgmelding")
    ]
    first = _person(world, "regisseur", own[0], bsn="", given_names="Jantje")
    second = _person(world, "regisseur", own[1], bsn="", given_names="Piet")
    _person(world, "wijkagent", world.signals["police_shared"], bsn="", given_names="Jantje")
    page = new_page(world.users["regisseur"], bypass_csp=True)
    page.goto(f"/betrokkenen/{second.uuid}/")
    page.fill("#id_into", first.pseudonym)
    page.fill("#id_reason", REASON)
    page.get_by_role("button", name="Samenvoegen", exact=True).click()
    page.wait_for_selector("#subject-events")
    assert page.inner_text("#subject-pseudonym") == first.pseudonym
    assert REASON in page.inner_text("#subject-events")
    assert_accessible(page)

    page.goto("/screening/")
    assert first.pseudonym in page.inner_text("#screening-queue")
    assert_accessible(page)
    page.fill("#reason-1", "Drie leefgebieden, bespreken in het overleg")
    page.get_by_role("button", name="Openen voor screening").click()
    page.wait_for_selector("#screening-openings")
    assert_accessible(page)

    page.get_by_label("Reden").last.fill("Toch twee verschillende mensen")
    page.get_by_role("button", name=f"Samenvoeging van {second.pseudonym} ongedaan maken").click()
    page.wait_for_selector("#subject-events")
    assert Subject.objects.get(pk=second.pk).merged_into_id is None

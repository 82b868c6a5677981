"""Subject pages in the browser: attach a person from the signal page, reveal with a purpose,
merge and unmerge, split a record and move it back, the screening queue, the review of relink
proposals. axe-core finds no WCAG 2.1 A/AA violations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from wijkregie.subjects import services
from wijkregie.subjects.models import LinkProposal, LinkRun, PersonRecord, Subject
from wijkregie.subjects.tasks import relink_run
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


def test_split_a_record_and_move_it_back(
    world: Any, new_page: Callable[..., Any], assert_accessible: Callable[[Any], None]
) -> None:
    person = _person(world, "wijkagent", world.signals["police_shared"], bsn="")
    again = _person(world, "wijkagent", world.signals["police_outside"], bsn="")
    assert again.pk == person.pk
    record = PersonRecord.objects.filter(person=person).order_by("id").last()
    assert record is not None
    page = new_page(world.users["wijkagent"], bypass_csp=True)
    page.goto(f"/betrokkenen/{person.uuid}/")
    assert_accessible(page)
    # Without a reason the browser's own check stops the form; the server's message is Dutch.
    page.select_option("#split_record", str(record.uuid))
    page.fill("#split_reason", "kort")
    page.evaluate("document.getElementById('split-form').noValidate = true")
    with page.expect_navigation():
        page.get_by_role("button", name="Registratie afsplitsen").click()
    page.wait_for_selector("#subject-events")
    assert "Geef een reden van ten minste 10 tekens." in page.content()
    assert_accessible(page)
    page.select_option("#split_record", str(record.uuid))
    page.fill("#split_reason", "Andere persoon volgens het dossier")
    with page.expect_navigation():
        page.get_by_role("button", name="Registratie afsplitsen").click()
    page.wait_for_selector("#subject-events")
    record.refresh_from_db()
    new = record.person
    assert new.pk != person.pk
    assert f"De registratie is afgesplitst naar {new.pseudonym}." in page.content()
    events = page.inner_text("#subject-events")
    assert "Registratie afgesplitst" in events and new.pseudonym in events
    assert_accessible(page)
    page.goto(f"/betrokkenen/{new.uuid}/")
    assert "Registratie overgenomen" in page.inner_text("#subject-events")
    page.fill("#split_into", person.pseudonym)
    page.fill("#split_reason", "Toch dezelfde persoon, vergissing")
    with page.expect_navigation():
        page.get_by_role("button", name="Registratie afsplitsen").click()
    page.wait_for_selector("#subject-events")
    record.refresh_from_db()
    assert record.person_id == person.pk
    assert_accessible(page)


def test_review_relink_proposals(
    world: Any, new_page: Callable[..., Any], assert_accessible: Callable[[Any], None]
) -> None:
    signal = make_signal(world, owner="gemeente", category="woonfraude", buurt="01")
    first = _person(world, "regisseur", signal, bsn="", given_names="Jantje")
    second = _person(world, "regisseur", world.signals["gemeente_own"], bsn="", given_names="Piet")
    # Put a record of Jantje on Piet by hand, as a wrong link would: the relink proposes a split.
    wrong = PersonRecord.objects.get(person=first)
    PersonRecord.objects.filter(person=second).update(given_names="Pieter")
    PersonRecord.objects.filter(pk=wrong.pk).update(person=second)
    relink_run(LinkRun.objects.create(municipality=world.gm))
    proposal = LinkProposal.objects.get()
    page = new_page(world.users["regisseur"], bypass_csp=True)
    page.goto("/herkoppeling/")
    table = page.inner_text("#relink-proposals")
    assert second.pseudonym in table and "Jantje" not in page.content()
    assert_accessible(page)
    page.fill("#proposal-reason-1", "Twee mensen, besproken in het overleg")
    with page.expect_navigation():
        page.get_by_role("button", name="Accepteren").click()
    assert "Het voorstel is uitgevoerd." in page.content()
    assert_accessible(page)
    proposal.refresh_from_db()
    assert proposal.status == "accepted"
    assert proposal.kind == "split" and proposal.persons == [second.pk]
    moved = PersonRecord.objects.filter(pk__in=proposal.records)
    assert moved and all(r.person_id != second.pk for r in moved)

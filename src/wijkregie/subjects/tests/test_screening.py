"""The multi-domain screening queue: thresholds N/M/W, the convenant's purpose, opening.

One person (same BSN) appears on three signals: the police's shared signal in Noord
(veiligheid) and two of the municipality's own (wonen, zorg & welzijn). For the regisseur
(gemeente) that is 3 life domains from 2 organisations, which meets the defaults 3/2/12.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from wijkregie.areas.models import SharingPurpose
from wijkregie.privacy.models import AccessEvent, AuditEvent
from wijkregie.signals.models import Confidentiality, Signal
from wijkregie.subjects import selectors, services
from wijkregie.subjects.models import ScreeningSettings, Subject, SubjectEvent
from wijkregie.subjects.tests.helpers import BSN_A, attach_person, client_for, viewer
from wijkregie.testing.personas import EXPECTED_VISIBLE, World, make_signal

NAME = "Jantje"
REASON = "Drie leefgebieden, bespreken in het casusoverleg"


@pytest.fixture
def person(world: World) -> Subject:
    subject, _ = attach_person(world, "wijkagent", world.signals["police_shared"], bsn=BSN_A)
    for category in ("woonfraude", "zorgmelding"):
        signal = make_signal(world, owner="gemeente", category=category, buurt="01", days_ago=30)
        same, _ = attach_person(world, "regisseur", signal, bsn=BSN_A)
        assert same.pk == subject.pk
    return subject


def _queue(world: World) -> list[selectors.ScreeningEntry]:
    return selectors.screening_queue(viewer=viewer(world, "regisseur"))


def test_person_in_three_domains_from_two_organisations_is_queued(
    world: World, person: Subject
) -> None:
    (entry,) = _queue(world)
    assert entry.subject.pk == person.pk
    assert entry.domain_count == 3 and entry.organisation_count == 2 and entry.signal_count == 3
    assert dict(entry.organisations) == {"Gemeente Demodam": 2, "Politie basisteam Demodam": 1}


def test_thresholds_are_per_municipality(world: World, person: Subject) -> None:
    config = ScreeningSettings.objects.create(municipality=world.gm, min_domains=4)
    assert _queue(world) == []
    config.min_domains, config.min_organisations = 3, 3
    config.save()
    assert _queue(world) == []
    config.min_organisations, config.window_months = 2, 1
    config.save()
    # The window: move the police signal back 3 months; within 1 month only 2 domains remain.
    Signal.objects.filter(pk=world.signals["police_shared"].pk).update(
        observed_at=timezone.now() - dt.timedelta(days=90)
    )
    assert _queue(world) == []
    config.window_months = 12
    config.save()
    assert [e.subject.pk for e in _queue(world)] == [person.pk]


def test_only_signals_shared_for_this_purpose_count(world: World, person: Subject) -> None:
    world.agreement.purpose = SharingPurpose.GEBIEDSANALYSE
    world.agreement.save()
    # The police signal is still visible to the regisseur, but not shared for screening.
    assert _queue(world) == []
    subject_page = client_for(world, "regisseur").get(f"/betrokkenen/{person.uuid}/")
    assert str(world.signals["police_shared"].uuid) in subject_page.content.decode()


def test_confidential_signals_of_others_never_count(world: World, person: Subject) -> None:
    Signal.objects.filter(pk=world.signals["police_shared"].pk).update(
        confidentiality=Confidentiality.VERTROUWELIJK
    )
    assert _queue(world) == []


def test_merged_subjects_count_together(world: World) -> None:
    police, _ = attach_person(world, "wijkagent", world.signals["police_shared"], bsn=BSN_A)
    own = []
    for category in ("woonfraude", "zorgmelding"):
        signal = make_signal(world, owner="gemeente", category=category, buurt="01")
        own.append(
            services.attach_location(
                viewer=viewer(world, "regisseur"),
                signal=signal,
                place=services.PlaceInput(name=f"Portiek {category}", place_kind="portiek"),
            )
        )
    place = services.attach_location(
        viewer=viewer(world, "wijkagent"),
        signal=world.signals["police_shared"],
        place=services.PlaceInput(name="Portiek Noord", place_kind="portiek"),
    )
    assert police.pk != place.pk
    assert _queue(world) == []
    regisseur = viewer(world, "regisseur")
    services.subject_merge(viewer=regisseur, subject=own[0], into=place, reason=REASON)
    services.subject_merge(viewer=regisseur, subject=own[1], into=place, reason=REASON)
    assert [e.subject.pk for e in _queue(world)] == [place.pk]
    services.subject_unmerge(viewer=regisseur, subject=own[1], reason=REASON)
    assert _queue(world) == []


@pytest.mark.parametrize("persona", sorted(EXPECTED_VISIBLE))
def test_queue_page(world: World, person: Subject, persona: str) -> None:
    response = client_for(world, persona).get("/screening/")
    if persona not in {"regisseur", "outsider"}:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    body = response.content.decode()
    assert NAME not in body and BSN_A not in body
    # The outsider is a regisseur elsewhere: their queue holds nothing of Demodam.
    assert (person.pseudonym in body) is (persona == "regisseur")
    if persona == "regisseur":
        assert "Zorg &amp; welzijn (1)" in body and "Politie basisteam Demodam (1)" in body


def test_opening_for_screening_is_reasoned_and_logged(world: World, person: Subject) -> None:
    client = client_for(world, "regisseur")
    refused = client.post(f"/betrokkenen/{person.uuid}/screening/", {"reason": "kort"})
    assert refused.status_code == 302
    assert not SubjectEvent.objects.filter(kind="screening_opened").exists()
    response = client.post(f"/betrokkenen/{person.uuid}/screening/", {"reason": REASON})
    assert response.status_code == 302 and response["Location"] == f"/betrokkenen/{person.uuid}/"
    event = SubjectEvent.objects.get(kind="screening_opened")
    assert event.reason == REASON and event.user_id == world.users["regisseur"].pk
    assert event.data == {"domains": 3, "organisations": 2, "signals": 3}
    assert AccessEvent.objects.filter(
        purpose="screening", subject_pseudonym=person.pseudonym, detail="opened for screening"
    ).exists()
    assert AuditEvent.objects.filter(action="screening_open").count() == 1
    # Opening decides nothing: the person is still only in the queue, nothing else changed.
    assert [e.subject.pk for e in _queue(world)] == [person.pk]
    page = client.get(f"/betrokkenen/{person.uuid}/").content.decode()
    assert REASON in page


@pytest.mark.parametrize("persona", ["wijkagent", "analist", "corporatie", "outsider"])
def test_only_the_regisseur_opens(world: World, person: Subject, persona: str) -> None:
    response = client_for(world, persona).post(
        f"/betrokkenen/{person.uuid}/screening/", {"reason": REASON}
    )
    assert response.status_code == 404
    assert not SubjectEvent.objects.filter(kind="screening_opened").exists()


def test_a_subject_outside_the_queue_cannot_be_opened(world: World) -> None:
    subject, _ = attach_person(world, "wijkagent", world.signals["police_shared"])
    response = client_for(world, "regisseur").post(
        f"/betrokkenen/{subject.uuid}/screening/", {"reason": REASON}
    )
    assert response.status_code == 302 and response["Location"] == "/screening/"
    assert not SubjectEvent.objects.filter(kind="screening_opened").exists()

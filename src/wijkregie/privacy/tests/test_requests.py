"""Requests of data subjects: register, decisions, inzage export, rectification, restriction
and erasure; only the privacy officer of the municipality reaches any of it (everyone else 404).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from wijkregie.analysis.map_selectors import _points
from wijkregie.privacy import requests as dsr
from wijkregie.privacy.models import (
    AccessEvent,
    AuditEvent,
    DataSubjectRequest,
    ErasureMode,
    RequestKind,
    RequestStatus,
    Restriction,
    Tombstone,
)
from wijkregie.privacy.services import log_access
from wijkregie.signals.models import Attachment, Signal, SignalStatusChange, SignalTally
from wijkregie.signals.selectors import SignalFilters, apply_filters, signals_visible_to
from wijkregie.subjects import selectors as subject_selectors
from wijkregie.subjects.models import PersonRecord, ScreeningSettings, SignalSubject, Subject
from wijkregie.subjects.services import AddressInput, PersonInput, attach_address, attach_person
from wijkregie.tenants.access import Viewer, viewer_for
from wijkregie.tenants.models import Organisation, Role, User
from wijkregie.testing.personas import World, make_user

BSN_JAN = "111222333"
BSN_PIET = "123456782"
OTHERS = ["regisseur", "analist", "wijkagent", "jongerenwerker", "beheerder", "outsider"]


def viewer(world: World, name: str) -> Viewer:
    v = viewer_for(world.users[name])
    assert v is not None
    return v


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


class People:
    def __init__(self, world: World) -> None:
        agent = viewer(world, "wijkagent")
        corp = viewer(world, "corporatie")
        shared = world.signals["police_shared"]
        shared.description = "Jan en Piet Jansen: ruzie in de portiek"
        shared.save()
        own = world.signals["corporatie_own"]
        own.description = "Woonfraude vermoed bij Jan Jansen"
        own.save()
        self.jan, self.jan_record = attach_person(
            viewer=agent,
            signal=shared,
            person=PersonInput(
                bsn=BSN_JAN, given_names="Jan", surname="Jansen", birth_date=dt.date(1980, 1, 2)
            ),
        )
        self.piet, self.piet_record = attach_person(
            viewer=agent,
            signal=shared,
            person=PersonInput(
                bsn=BSN_PIET, given_names="Piet", surname="Jansen", birth_date=dt.date(1982, 3, 4)
            ),
        )
        self.jan_corp, self.jan_corp_record = attach_person(
            viewer=corp,
            signal=own,
            person=PersonInput(
                bsn=BSN_JAN, given_names="Jan", surname="Jansen", birth_date=dt.date(1980, 1, 2)
            ),
        )
        assert self.jan_corp.pk == self.jan.pk  # linked by BSN
        self.address = attach_address(
            viewer=agent, signal=shared, address=AddressInput("1234AB", 12)
        )
        regisseur = viewer(world, "regisseur")
        for subject in (self.jan, self.piet):
            log_access(
                viewer=regisseur,
                action="R",
                object_type="subject",
                object_id=str(subject.uuid),
                granted=True,
                purpose="signaalbehandeling",
                subject_pseudonym=subject.pseudonym,
            )


@pytest.fixture
def people(world: World) -> People:
    return People(world)


def register(world: World, kind: str, **query: object) -> DataSubjectRequest:
    officer = viewer(world, "privacy")
    subject = dsr.find_subject(viewer=officer, query=dsr.SubjectQuery(**query))  # type: ignore[arg-type]
    assert subject is not None
    return dsr.register_request(
        viewer=officer, kind=kind, subject=subject, received_on=timezone.localdate()
    )


# --- register and find -------------------------------------------------------------------------


def test_register_by_bsn_pseudonym_or_address(world: World, people: People) -> None:
    client = client_for(world.users["privacy"])
    url = reverse("privacy:requests")
    today = timezone.localdate().isoformat()
    response = client.post(url, {"kind": "access", "received_on": today, "bsn": BSN_JAN})
    assert response.status_code == 302
    request = DataSubjectRequest.objects.get()
    assert request.subject == people.jan and request.subject_pseudonym == people.jan.pseudonym
    assert request.reference == f"AVG-{timezone.localdate().year}-0001"
    assert BSN_JAN not in json.dumps(list(DataSubjectRequest.objects.values()), default=str)
    assert BSN_JAN not in json.dumps(list(AuditEvent.objects.values("changes")), default=str)
    client.post(url, {"kind": "erasure", "received_on": today, "pseudonym": people.piet.pseudonym})
    client.post(
        url, {"kind": "access", "received_on": today, "postcode": "1234 ab", "huisnummer": "12"}
    )
    assert [r.subject for r in DataSubjectRequest.objects.order_by("pk")] == [
        people.jan,
        people.piet,
        people.address,
    ]
    # Nothing found, or two ways at once: a Dutch message, nothing registered.
    response = client.post(url, {"kind": "access", "received_on": today, "bsn": "123456782"[::-1]})
    assert response.status_code == 400
    response = client.post(
        url, {"kind": "access", "received_on": today, "bsn": BSN_JAN, "pseudonym": "P-X"}
    )
    assert response.status_code == 400 and "precies één" in response.content.decode()
    assert DataSubjectRequest.objects.count() == 3
    page = client.get(url).content.decode()
    assert people.jan.pseudonym in page and "Jansen" not in page


def test_decision_needs_reasoning_and_is_audited(world: World, people: People) -> None:
    request = register(world, RequestKind.ERASURE, pseudonym=people.jan.pseudonym)
    client = client_for(world.users["privacy"])
    url = reverse("privacy:request-decide", args=[request.uuid])
    response = client.post(url, {"status": "granted", "reason": "kort"})
    assert response.status_code == 400
    assert "minstens 10 tekens" in response.content.decode()
    reason = "Geen wettelijke plicht tot bewaren; de signalen zijn afgehandeld."
    response = client.post(url, {"status": "granted", "reason": reason, "erasure_mode": "delete"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.GRANTED and request.decision_reason == reason
    assert (
        request.erasure_mode == ErasureMode.DELETE and request.decided_by == world.users["privacy"]
    )
    row = AuditEvent.objects.get(action="dsr_decide")
    assert row.changes["status"] == ["open", "granted"]
    assert reason not in json.dumps(row.changes)


# --- inzage (art. 15) --------------------------------------------------------------------------


def test_inzage_export_holds_all_of_the_person_and_nothing_of_another(
    world: World, people: People
) -> None:
    request = register(world, RequestKind.ACCESS, bsn=BSN_JAN)
    client = client_for(world.users["privacy"])
    response = client.get(reverse("privacy:request-export", args=[request.uuid]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    text = response.content.decode()
    # all of Jan: both records (police and corporation), both signals, the reads of his page
    assert {r["id"] for r in data["persoonsregistraties"]} == {
        str(people.jan_record.uuid),
        str(people.jan_corp_record.uuid),
    }
    assert {r["organisatie"] for r in data["persoonsregistraties"]} == {
        "Politie basisteam Demodam",
        "Woonstichting Demodam",
    }
    assert {s["id"] for s in data["signalen"]} == {
        str(world.signals["police_shared"].uuid),
        str(world.signals["corporatie_own"].uuid),
    }
    assert any(
        a["gegeven"] == "subject" and a["organisatie"] == "Gemeente Demodam"
        for a in data["inzagen"]
    )
    # none of Piet: not his record, name, birth date, pseudonym or the reads of his page
    assert str(people.piet_record.uuid) not in text
    assert people.piet.pseudonym not in text
    assert "1982-03-04" not in text
    assert not any(r["voornamen"] == "Piet" for r in data["persoonsregistraties"])
    assert len([a for a in data["inzagen"] if a["gegeven"] == "subject"]) == 1
    assert BSN_JAN not in text
    # the export itself is logged
    event = AccessEvent.objects.get(object_type="inzage-export")
    assert event.action == "E" and event.subject_pseudonym == people.jan.pseudonym
    assert event.username == "privacy" and event.outcome == "granted"
    assert "registraties=2 signalen=2" in event.detail


def test_inzage_export_of_an_address(world: World, people: People) -> None:
    request = register(world, RequestKind.ACCESS, postcode="1234AB", huisnummer=12)
    data = dsr.inzage_export(viewer=viewer(world, "privacy"), request=request)
    assert data["adres"] == "1234 AB 12"
    assert [s["id"] for s in data["signalen"]] == [str(world.signals["police_shared"].uuid)]
    assert (
        data["persoonsregistraties"] == []
    )  # the residents' records are theirs, not the address's
    assert "Jansen" not in json.dumps(
        {k: v for k, v in data.items() if k != "signalen"}, ensure_ascii=False
    )


def test_export_only_for_access_requests(world: World, people: People) -> None:
    request = register(world, RequestKind.ERASURE, bsn=BSN_JAN)
    client = client_for(world.users["privacy"])
    assert client.get(reverse("privacy:request-export", args=[request.uuid])).status_code == 404
    assert not AccessEvent.objects.filter(object_type="inzage-export").exists()


# --- rectification (art. 16) -------------------------------------------------------------------


def test_rectification_corrects_one_record_of_the_person(world: World, people: People) -> None:
    request = register(world, RequestKind.RECTIFICATION, bsn=BSN_JAN)
    client = client_for(world.users["privacy"])
    page = client.get(reverse("privacy:request", args=[request.uuid]))
    assert page.status_code == 200 and "Jansen" in page.content.decode()
    assert AccessEvent.objects.filter(object_type="personrecord", purpose=dsr.PURPOSE).exists()
    prefix = str(people.jan_record.pk)
    response = client.post(
        reverse("privacy:request-rectify", args=[request.uuid]),
        {
            "prefix": prefix,
            f"{prefix}-record": str(people.jan_record.uuid),
            f"{prefix}-given_names": "Johannes",
            f"{prefix}-surname": "Jansen",
            f"{prefix}-birth_date": "1980-01-02",
        },
    )
    assert response.status_code == 302
    people.jan_record.refresh_from_db()
    assert people.jan_record.given_names == "Johannes"
    row = AuditEvent.objects.get(action="dsr_rectification")
    assert row.changes["fields"] == ["given_names"] and "Johannes" not in json.dumps(row.changes)
    # Piet's record is not the request's person: 404, unchanged.
    pprefix = str(people.piet_record.pk)
    response = client.post(
        reverse("privacy:request-rectify", args=[request.uuid]),
        {
            "prefix": pprefix,
            f"{pprefix}-record": str(people.piet_record.uuid),
            f"{pprefix}-given_names": "X",
        },
    )
    assert response.status_code == 404
    people.piet_record.refresh_from_db()
    assert people.piet_record.given_names == "Piet"


# --- restriction (art. 18) ---------------------------------------------------------------------


def test_restriction_blocks_linking_and_screening_and_shows_on_the_page(
    world: World, people: People
) -> None:
    ScreeningSettings.objects.create(municipality=world.gm, min_domains=1, min_organisations=1)
    regisseur = viewer(world, "regisseur")
    queued = {e.subject.pk for e in subject_selectors.screening_queue(viewer=regisseur)}
    assert people.jan.pk in queued
    request = register(world, RequestKind.RESTRICTION, bsn=BSN_JAN)
    dsr.decide(
        viewer=viewer(world, "privacy"),
        request=request,
        status=RequestStatus.GRANTED,
        reason="De juistheid wordt betwist; beperken tot de controle klaar is.",
    )
    client = client_for(world.users["privacy"])
    assert client.post(reverse("privacy:request-carry-out", args=[request.uuid])).status_code == 302
    assert Restriction.objects.filter(subject=people.jan, lifted_at=None).exists()
    # screening queue: left out
    queued = {e.subject.pk for e in subject_selectors.screening_queue(viewer=regisseur)}
    assert people.jan.pk not in queued and people.piet.pk in queued
    # linker: a new record with Jan's BSN does not join Jan
    other, _record = attach_person(
        viewer=viewer(world, "jongerenwerker"),
        signal=world.signals["jongerenwerk_own"],
        person=PersonInput(bsn=BSN_JAN, given_names="Jan", surname="Jansen"),
    )
    assert other.pk != people.jan.pk
    # the subject page says so; the data are kept
    page = client_for(world.users["regisseur"]).get(
        reverse("subjects:detail", args=[people.jan.uuid])
    )
    assert page.status_code == 200 and 'id="restriction-notice"' in page.content.decode()
    assert PersonRecord.objects.filter(person=people.jan).count() == 2
    # lifting: processing may go on
    assert client.post(reverse("privacy:request-lift", args=[request.uuid])).status_code == 302
    queued = {e.subject.pk for e in subject_selectors.screening_queue(viewer=regisseur)}
    assert people.jan.pk in queued


# --- erasure (art. 17) -------------------------------------------------------------------------


def _erase(world: World, people: People, mode: str) -> DataSubjectRequest:
    request = register(world, RequestKind.ERASURE, bsn=BSN_JAN)
    client = client_for(world.users["privacy"])
    client.post(
        reverse("privacy:request-decide", args=[request.uuid]),
        {"status": "granted", "reason": "Geen grond meer om te bewaren.", "erasure_mode": mode},
    )
    response = client.post(reverse("privacy:request-carry-out", args=[request.uuid]))
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.carried_out_at is not None and request.subject is None
    return request


def _assert_gone(world: World, people: People) -> None:
    """Jan is in no list, search, map or count any more; Piet still is."""
    jan = people.jan
    assert not Subject.objects.filter(pk=jan.pk).exists()
    assert not PersonRecord.objects.filter(given_names="Jan").exists()
    assert not SignalSubject.objects.filter(subject_id=jan.pk).exists()
    regisseur = viewer(world, "regisseur")
    # subject pages and API: 404 (also for the officer's own colleagues)
    for name in ("regisseur", "wijkagent"):
        client = client_for(world.users[name])
        assert client.get(reverse("subjects:detail", args=[jan.uuid])).status_code == 404
        assert client.get(f"/api/v1/subjects/{jan.uuid}").status_code == 404
        assert client.get(reverse("subjects:detail", args=[people.piet.uuid])).status_code == 200
    # screening queue (counts per subject)
    ScreeningSettings.objects.update_or_create(
        municipality=world.gm, defaults={"min_domains": 1, "min_organisations": 1}
    )
    queued = subject_selectors.screening_queue(viewer=regisseur)
    assert jan.pk not in {e.subject.pk for e in queued}
    assert people.piet.pk in {e.subject.pk for e in queued}
    # search (free text) for the agent who owns the shared signal
    agent = viewer(world, "wijkagent")
    found = apply_filters(signals_visible_to(agent), agent, SignalFilters(q="Jan"))
    assert not found.exists()
    corp = viewer(world, "corporatie")
    assert not apply_filters(signals_visible_to(corp), corp, SignalFilters(q="Jansen")).exists()
    # map: no exact point of the signals about him
    points = _points(agent, signals_visible_to(agent).filter(cell_x__isnull=False)) or []
    assert str(world.signals["police_shared"].uuid) not in {p.uuid for p in points}
    # the export of the request register names only the pseudonym
    assert DataSubjectRequest.objects.get().subject_pseudonym == jan.pseudonym


def test_erasure_anonymise_keeps_signals_as_anonymous_counts(world: World, people: People) -> None:
    shared = world.signals["police_shared"]
    Attachment.objects.create(
        municipality=world.gm,
        signal=shared,
        file="attachments/x.jpg",
        content_type="image/jpeg",
        extension="jpg",
        size=1,
    )
    SignalStatusChange.objects.create(
        signal=shared,
        municipality_id=world.gm.pk,
        from_status="open",
        to_status="in_behandeling",
        username="wijkagent",
        note="Gesproken met Jan Jansen",
    )
    tallies = sum(SignalTally.objects.values_list("n", flat=True))
    request = _erase(world, people, "anonymise")
    assert not Attachment.objects.filter(signal=shared).exists()
    change = SignalStatusChange.objects.get(signal=shared)
    assert change.note == "" and change.to_status == "in_behandeling"
    _assert_gone(world, people)
    shared = Signal.objects.get(pk=world.signals["police_shared"].pk)
    assert shared.description == "" and shared.postcode == "" and shared.lat is None
    assert shared.neighbourhood_id is not None and shared.cell_x is not None
    assert sum(SignalTally.objects.values_list("n", flat=True)) == tallies
    # Piet keeps his link and record; the address subject too.
    assert SignalSubject.objects.filter(subject=people.piet, signal=shared).exists()
    stones = Tombstone.objects.filter(request=request)
    assert {(t.object_type, t.object_uuid) for t in stones} == {("subject", str(people.jan.uuid))}
    assert "verzoek " + request.reference in stones[0].legal_basis


def test_erasure_delete_removes_signals_about_only_him(world: World, people: People) -> None:
    tallies = sum(SignalTally.objects.values_list("n", flat=True))
    request = _erase(world, people, "delete")
    _assert_gone(world, people)
    # the corporation's signal was about Jan only: gone, and out of every count
    assert not Signal.objects.filter(pk=world.signals["corporatie_own"].pk).exists()
    assert sum(SignalTally.objects.values_list("n", flat=True)) == tallies - 1
    # the shared signal is also about Piet (and the address): kept, anonymised
    shared = Signal.objects.get(pk=world.signals["police_shared"].pk)
    assert shared.description == ""
    stones = {(t.object_type, t.object_uuid) for t in Tombstone.objects.filter(request=request)}
    assert stones == {
        ("subject", str(people.jan.uuid)),
        ("signal", str(world.signals["corporatie_own"].uuid)),
    }
    # the destruction list shows them, as HTML and CSV, without content
    client = client_for(world.users["privacy"])
    page = client.get(reverse("privacy:destruction-list")).content.decode()
    assert request.reference in page and "Jansen" not in page
    csv = client.get(reverse("privacy:destruction-list"), {"formaat": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    body = csv.content.decode()
    assert str(world.signals["corporatie_own"].uuid) in body and "Jansen" not in body


# --- who may -----------------------------------------------------------------------------------


def _urls(request: DataSubjectRequest) -> list[tuple[str, str]]:
    return [
        ("get", reverse("privacy:requests")),
        ("post", reverse("privacy:requests")),
        ("get", reverse("privacy:request", args=[request.uuid])),
        ("post", reverse("privacy:request-decide", args=[request.uuid])),
        ("post", reverse("privacy:request-carry-out", args=[request.uuid])),
        ("post", reverse("privacy:request-lift", args=[request.uuid])),
        ("post", reverse("privacy:request-rectify", args=[request.uuid])),
        ("get", reverse("privacy:request-export", args=[request.uuid])),
        ("get", reverse("privacy:destruction-list")),
        ("get", reverse("privacy:destruction-list") + "?formaat=csv"),
    ]


@pytest.mark.parametrize("persona", OTHERS)
def test_every_view_is_404_for_everyone_but_the_privacy_officer(
    world: World, people: People, persona: str
) -> None:
    request = register(world, RequestKind.ACCESS, bsn=BSN_JAN)
    client = client_for(world.users[persona])
    for method, url in _urls(request):
        data = {"kind": "access", "received_on": "2026-01-01", "bsn": BSN_JAN, "status": "granted"}
        response = getattr(client, method)(url, data if method == "post" else None)
        assert response.status_code == 404, (persona, method, url)
    assert DataSubjectRequest.objects.count() == 1
    assert not AccessEvent.objects.filter(object_type="inzage-export").exists()


def test_the_officer_of_another_municipality_gets_404(world: World, people: People) -> None:
    request = register(world, RequestKind.ACCESS, bsn=BSN_JAN)
    Tombstone.objects.create(
        municipality_id=world.gm.pk, object_type="signal", object_uuid="x-demodam", legal_basis="t"
    )
    org = Organisation.objects.get(municipality=world.other_gm)
    elders = make_user("fg-elders", world.other_gm, [(org, Role.PRIVACY_OFFICER)])
    client = client_for(elders)
    for method, url in _urls(request)[2:8]:
        assert getattr(client, method)(url).status_code == 404, url
    listing = client.get(reverse("privacy:requests"))
    assert listing.status_code == 200 and request.reference not in listing.content.decode()
    assert "x-demodam" not in client.get(reverse("privacy:destruction-list")).content.decode()
    # and the BSN finds nobody in Elders
    response = client.post(
        reverse("privacy:requests"),
        {"kind": "access", "received_on": "2026-01-01", "bsn": BSN_JAN},
    )
    assert response.status_code == 400

"""The visibility matrix for cases: every persona on every read path.

Only participants see a case. A partner that does not take part, an analyst who is not a
participant, the privacy officer, the beheerder and the outsider (other municipality) get 404
on the page and the API, and the case is absent from their list, search, counts and export.
"""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from wijkregie.cases import services
from wijkregie.cases.models import BreakGlass, CaseSubject, Participant
from wijkregie.cases.tests.conftest import REASON, CaseWorld, access_for, viewer_of
from wijkregie.privacy.models import AccessEvent
from wijkregie.subjects import services as subject_services
from wijkregie.subjects.models import Subject
from wijkregie.tenants.access import viewer_for
from wijkregie.tenants.models import Membership, Role, User
from wijkregie.testing.personas import EXPECTED_VISIBLE, make_user

pytestmark = pytest.mark.django_db

PERSONAS = sorted(EXPECTED_VISIBLE)
# The case of the `cw` fixture: regisseur (casusregisseur), wijkagent (deelnemer, politie),
# analist (waarnemer). Written out by hand.
EXPECTED_CASE_VISIBLE = {"regisseur", "wijkagent", "analist"}


def client_for(cw: CaseWorld, persona: str) -> Client:
    client = Client()
    client.force_login(cw.world.users[persona])
    return client


def second_regisseur(cw: CaseWorld) -> User:
    """A regisseur of the gemeente who does not take part in the case."""
    return make_user("regisseur2", cw.world.gm, [(cw.world.orgs["gemeente"], Role.REGISSEUR)])


def test_expected_covers_every_persona() -> None:
    assert set(PERSONAS) > EXPECTED_CASE_VISIBLE
    assert {"corporatie", "jongerenwerker", "outsider", "privacy", "beheerder"} <= set(PERSONAS)


@pytest.mark.parametrize("persona", PERSONAS)
def test_detail_page_and_api(cw: CaseWorld, persona: str) -> None:
    client = client_for(cw, persona)
    sees = persona in EXPECTED_CASE_VISIBLE
    before = AccessEvent.objects.filter(object_type="case").count()
    page = client.get(f"/casussen/{cw.case.uuid}/")
    assert page.status_code == (200 if sees else 404)
    api = client.get(f"/api/v1/cases/{cw.case.uuid}")
    assert api.status_code == (200 if sees else 404)
    if sees:
        assert api.json()["reference"] == cw.case.reference
        assert cw.case.reference in page.content.decode()
    else:
        assert api["Content-Type"] == "application/problem+json"
        assert cw.case.reference not in page.content.decode()
    # Every read, granted or denied, leaves exactly one event per request.
    events = AccessEvent.objects.filter(object_type="case").order_by("id")[before:]
    assert [e.outcome for e in events] == ["granted" if sees else "denied"] * 2


@pytest.mark.parametrize("persona", PERSONAS)
def test_list_search_counts_and_export(cw: CaseWorld, persona: str) -> None:
    client = client_for(cw, persona)
    sees = persona in EXPECTED_CASE_VISIBLE
    ref = cw.case.reference
    listing = client.get("/casussen/")
    search = client.get("/casussen/", {"q": ref})
    export = client.get("/casussen/export.csv")
    api = client.get("/api/v1/cases")
    api_search = client.get("/api/v1/cases", {"q": ref, "phase": "aanmelding"})
    if persona in {"privacy", "beheerder"}:
        # Not case readers at all: the pages do not exist for them.
        for response in (listing, search, export, api, api_search):
            assert response.status_code == 404
        return
    for response in (listing, search, export, api, api_search):
        assert response.status_code == 200
    link = f"/casussen/{cw.case.uuid}/"
    assert (link in listing.content.decode()) is sees
    # The search term is echoed in the form; the result is the link to the case.
    assert (link in search.content.decode()) is sees
    assert (ref in export.content.decode("utf-8-sig")) is sees
    assert '<li data-phase="aanmelding">Aanmelding: ' + ("1" if sees else "0") in (
        listing.content.decode()
    )
    body = api.json()
    assert body["count"] == (1 if sees else 0)
    assert [r["reference"] for r in body["results"]] == ([ref] if sees else [])
    counts = {c["phase"]: c["count"] for c in body["phaseCounts"]}
    assert counts["aanmelding"] == (1 if sees else 0)
    assert api_search.json()["count"] == (1 if sees else 0)


def test_export_is_logged(cw: CaseWorld) -> None:
    client_for(cw, "wijkagent").get("/casussen/export.csv")
    event = AccessEvent.objects.get(object_type="case", action="E")
    assert event.detail == "1 rows" and event.username == "wijkagent"


def test_analyst_participant_sees_pseudonyms_only(cw: CaseWorld) -> None:

    world = cw.world
    subject, _record = subject_services.attach_person(
        viewer=viewer_of(world, "regisseur"),
        signal=world.signals["gemeente_own"],
        person=subject_services.PersonInput(
            bsn="", given_names="Jantje", surname="Klaassen", birth_date=dt.date(1990, 5, 17)
        ),
    )

    CaseSubject.objects.create(
        case=cw.case,
        municipality_id=cw.case.municipality_id,
        subject=Subject.objects.get(pk=subject.pk),
    )
    page = client_for(cw, "analist").get(f"/casussen/{cw.case.uuid}/").content.decode()
    assert subject.pseudonym in page
    assert "Jantje" not in page and "Klaassen" not in page
    assert "regisseur —" not in page  # no names of actors in the history
    api = client_for(cw, "analist").get(f"/api/v1/cases/{cw.case.uuid}").json()
    assert api["subjects"][0]["pseudonym"] == subject.pseudonym
    assert all(h["username"] is None for h in api["history"])
    event = AccessEvent.objects.filter(username="analist", object_type="case").last()
    assert event is not None and event.detail == "pseudonymised"


def test_linked_signals_only_as_far_as_the_viewer_may_see_them(cw: CaseWorld) -> None:
    # gemeente_own is linked; the wijkagent (politie) may not see that signal.
    gemeente = cw.world.signals["gemeente_own"]
    regisseur = client_for(cw, "regisseur").get(f"/api/v1/cases/{cw.case.uuid}").json()
    agent = client_for(cw, "wijkagent").get(f"/api/v1/cases/{cw.case.uuid}").json()
    assert regisseur["signals"] == [str(gemeente.uuid)]
    assert agent["signals"] == []
    assert (
        str(gemeente.uuid)
        not in client_for(cw, "wijkagent").get(f"/casussen/{cw.case.uuid}/").content.decode()
    )


def test_removing_a_participant_takes_effect_on_the_next_request(cw: CaseWorld) -> None:
    client = client_for(cw, "wijkagent")
    assert client.get(f"/casussen/{cw.case.uuid}/").status_code == 200
    agent = Participant.objects.get(case=cw.case, user=cw.world.users["wijkagent"])
    response = client_for(cw, "regisseur").post(
        f"/casussen/{cw.case.uuid}/deelnemers/{agent.pk}/verwijderen/", {"reason": REASON}
    )
    assert response.status_code == 302
    assert client.get(f"/casussen/{cw.case.uuid}/").status_code == 404
    assert client.get(f"/api/v1/cases/{cw.case.uuid}").status_code == 404
    assert client.get("/api/v1/cases").json()["count"] == 0
    assert cw.case.reference not in client.get("/casussen/export.csv").content.decode()


def test_losing_the_membership_ends_participation(cw: CaseWorld) -> None:

    client = client_for(cw, "wijkagent")
    Membership.objects.filter(user=cw.world.users["wijkagent"]).delete()
    assert client.get(f"/api/v1/cases/{cw.case.uuid}").status_code == 404


def test_break_the_glass_is_logged_and_flagged(cw: CaseWorld) -> None:
    # A second gemeente regisseur who does not take part.

    client = Client()
    client.force_login(second_regisseur(cw))
    assert client.get(f"/casussen/{cw.case.uuid}/").status_code == 404
    refused = client.post(
        "/casussen/doorbreken/", {"reference": cw.case.reference, "reason": "kort"}
    )
    assert refused.status_code == 400 and not BreakGlass.objects.exists()
    response = client.post(
        "/casussen/doorbreken/", {"reference": cw.case.reference, "reason": REASON}
    )
    assert response.status_code == 302
    grant = BreakGlass.objects.get()
    assert grant.reason == REASON and grant.username == "regisseur2"
    assert grant.until > timezone.now()
    page = client.get(f"/casussen/{cw.case.uuid}/")
    assert page.status_code == 200 and 'id="break-glass-notice"' in page.content.decode()
    event = AccessEvent.objects.filter(username="regisseur2", outcome="granted").last()
    assert event is not None
    assert (event.purpose, event.detail) == ("doorbraak", "break-the-glass")
    assert event.flagged and event.reviewed_at is None
    alerts = client_for(cw, "privacy").get("/privacy/signaleringen/")
    assert alerts.status_code == 200 and f'id="flagged-{event.pk}"' in alerts.content.decode()
    # Read only: no writes, and the case stays out of the list.
    assert client.post(f"/casussen/{cw.case.uuid}/fase/", {"phase": "analyse"}).status_code == 404
    assert client.get("/api/v1/cases").json()["count"] == 0
    # The privacy officer lists it; nobody else sees that page.
    log = client_for(cw, "privacy").get("/casussen/doorbraken/")
    assert log.status_code == 200
    text = log.content.decode()
    assert REASON in text and cw.case.reference in text and "regisseur2" in text
    for persona in ("regisseur", "wijkagent", "analist", "beheerder", "outsider"):
        assert client_for(cw, persona).get("/casussen/doorbraken/").status_code == 404


def test_break_the_glass_expires(cw: CaseWorld) -> None:

    user = second_regisseur(cw)
    viewer = viewer_for(user)
    assert viewer is not None
    services.break_glass(viewer=viewer, reference=cw.case.reference, reason=REASON)
    client = Client()
    client.force_login(user)
    assert client.get(f"/casussen/{cw.case.uuid}/").status_code == 200
    later = timezone.now() + dt.timedelta(minutes=61)

    with mock.patch("django.utils.timezone.now", return_value=later):
        assert client.get(f"/casussen/{cw.case.uuid}/").status_code == 404


@pytest.mark.parametrize(
    "persona", ["wijkagent", "corporatie", "jongerenwerker", "analist", "privacy", "beheerder"]
)
def test_who_may_not_break_the_glass(cw: CaseWorld, persona: str) -> None:
    client = client_for(cw, persona)
    assert client.get("/casussen/doorbreken/").status_code == 404
    assert (
        client.post(
            "/casussen/doorbreken/", {"reference": cw.case.reference, "reason": REASON}
        ).status_code
        == 404
    )
    assert not BreakGlass.objects.exists()


def test_confidential_cases_cannot_be_broken(cw: CaseWorld) -> None:

    cw.case.confidentiality = "vertrouwelijk"
    cw.case.save()
    viewer = viewer_for(second_regisseur(cw))
    assert viewer is not None

    with pytest.raises(ValidationError):
        services.break_glass(viewer=viewer, reference=cw.case.reference, reason=REASON)
    with pytest.raises(ValidationError):
        services.break_glass(viewer=viewer, reference="C-000000", reason=REASON)
    assert not BreakGlass.objects.exists()
    denied = AccessEvent.objects.filter(username="regisseur2", purpose="doorbraak")
    assert [e.outcome for e in denied] == ["denied", "denied"]


def test_the_outsider_cannot_break_into_another_municipality(cw: CaseWorld) -> None:
    # The outsider is regisseur of the gemeente Elders: the form exists for them, but a
    # Demodam reference is unknown, exactly like a reference that does not exist.
    response = client_for(cw, "outsider").post(
        "/casussen/doorbreken/", {"reference": cw.case.reference, "reason": REASON}
    )
    assert response.status_code == 400
    assert "Deze casus bestaat niet of kan niet worden doorbroken." in response.content.decode()
    viewer = viewer_of(cw.world, "outsider")

    with pytest.raises(ValidationError):
        services.break_glass(viewer=viewer, reference=cw.case.reference, reason=REASON)
    assert not BreakGlass.objects.exists()


def test_participation_reads_fresh_for_the_access_object(cw: CaseWorld) -> None:
    agent = access_for(cw.world, "wijkagent", cw.case)
    assert agent.participant is not None and not agent.is_casusregisseur

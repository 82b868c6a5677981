"""Web pages and API endpoints: the flow screening -> case -> phases -> closure -> reopen,
refusals, and 404 for the outsider and for viewers without need-to-know on every URL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from wijkregie.cases.models import Case, Participant, Screening
from wijkregie.cases.tests.conftest import REASON, RESULT, CaseWorld, viewer_of
from wijkregie.subjects import services as subject_services
from wijkregie.testing.personas import World

pytestmark = pytest.mark.django_db


def client_for(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


def _subject(world: World) -> object:
    subject, _ = subject_services.attach_person(
        viewer=viewer_of(world, "regisseur"),
        signal=world.signals["gemeente_own"],
        person=subject_services.PersonInput(
            bsn="", given_names="Jantje", surname="Klaassen", birth_date=dt.date(1990, 5, 17)
        ),
    )
    return subject


def test_web_flow_from_a_subject_to_a_closed_and_reopened_case(
    world: World, types: dict[str, object]
) -> None:
    subject = _subject(world)
    client = client_for(world, "regisseur")
    start = client.get(f"/casussen/screening/nieuw/?betrokkene={subject.uuid}&bron=screeningslijst")  # type: ignore[attr-defined]
    assert start.status_code == 200 and 'name="type"' in start.content.decode()
    url = f"/casussen/screening/nieuw/?betrokkene={subject.uuid}&bron=screeningslijst&type=persoon"  # type: ignore[attr-defined]
    form = client.get(url)
    assert "Meer dan één leefgebied" in form.content.decode()
    response = client.post(
        url,
        {"organisation": world.orgs["gemeente"].pk, "criteria": ["meerdere_leefgebieden"]},
    )
    assert response.status_code == 302
    screening = Screening.objects.get()
    assert screening.source == "screeningslijst" and screening.subject_id == subject.pk  # type: ignore[attr-defined]
    # Deciding 'casus' without all criteria is refused, with the reason on the page.
    refused = client.post(
        f"/casussen/screening/{screening.uuid}/",
        {"decision": "casus", "reasoning": REASON, "criteria": ["meerdere_leefgebieden"]},
    )
    assert refused.status_code == 400
    assert "aan alle criteria" in refused.content.decode()
    decided = client.post(
        f"/casussen/screening/{screening.uuid}/",
        {
            "decision": "casus",
            "reasoning": REASON,
            "criteria": ["meerdere_leefgebieden", "meerdere_organisaties"],
        },
    )
    assert decided.status_code == 302 and decided["Location"].endswith("/casus/")
    created = client.post(decided["Location"], {"title": "Portiek", "confidentiality": "normaal"})
    assert created.status_code == 302
    case = Case.objects.get()
    assert created["Location"] == f"/casussen/{case.uuid}/"
    page = client.get(created["Location"]).content.decode()
    assert subject.pseudonym in page and "Jantje" not in page  # type: ignore[attr-defined]
    assert str(world.signals["gemeente_own"].uuid) in page
    transition = f"/casussen/{case.uuid}/fase/"
    assert client.post(transition, {"phase": "analyse"}).status_code == 302
    # Closing is not a phase change: the form does not offer it and refuses it.
    page = client.get(f"/casussen/{case.uuid}/").content.decode()
    assert 'value="afgesloten"' not in page and 'id="close-link"' in page
    refused = client.post(
        transition, {"phase": "afgesloten", "result_code": "doel_bereikt", "result": RESULT}
    )
    assert refused.status_code == 400 and Case.objects.get().phase == "analyse"
    # Closing without a result: refused, nothing changes.
    close = f"/casussen/{case.uuid}/afsluiten/"
    refused = client.post(close, {"result_code": "", "result": ""})
    assert refused.status_code == 400
    assert "Kies het resultaat van de casus." in refused.content.decode()
    assert Case.objects.get().phase == "analyse"
    closed = client.post(close, {"result_code": "doel_bereikt", "result": RESULT})
    assert closed.status_code == 302
    page = client.get(f"/casussen/{case.uuid}/").content.decode()
    assert 'id="read-only"' in page and "Heropenen" in page and "Fase wijzigen</button>" not in page
    # Editing the closed case: refused.
    refused = client.post(transition, {"phase": "analyse"})
    assert refused.status_code == 400 and "alleen-lezen" in refused.content.decode()
    # Reopening needs a reason.
    assert client.post(f"/casussen/{case.uuid}/heropenen/", {"reason": ""}).status_code == 400
    assert client.post(f"/casussen/{case.uuid}/heropenen/", {"reason": REASON}).status_code == 302
    assert Case.objects.get().phase == "analyse"


def test_screening_from_a_signal(world: World, types: dict[str, object]) -> None:
    signal = world.signals["police_shared"]
    client = client_for(world, "wijkagent")
    url = f"/casussen/screening/nieuw/?signaal={signal.uuid}&type=top-x"
    assert client.get(url).status_code == 200
    assert client.post(url, {"organisation": world.orgs["politie"].pk}).status_code == 302
    screening = Screening.objects.get()
    assert screening.source == "signaal" and screening.signal_id == signal.pk
    # The nominator sees the screening, but does not decide it.
    assert client.get(f"/casussen/screening/{screening.uuid}/").status_code == 200
    assert (
        client.post(
            f"/casussen/screening/{screening.uuid}/",
            {"decision": "geen_actie", "reasoning": REASON},
        ).status_code
        == 404
    )
    # A corporation professional may not nominate for Top X: no organisation to choose.
    corp = client_for(world, "corporatie")
    page = corp.get(f"/casussen/screening/nieuw/?signaal={signal.uuid}&type=top-x")
    assert 'id="not-nominating"' in page.content.decode()


PERSONAS_WITHOUT_NEED = ["corporatie", "jongerenwerker", "privacy", "beheerder", "outsider"]


@pytest.mark.parametrize("persona", PERSONAS_WITHOUT_NEED)
def test_every_case_url_is_404_without_need_to_know(cw: CaseWorld, persona: str) -> None:
    client = client_for(cw.world, persona)
    case = cw.case
    agent = Participant.objects.get(case=case, user=cw.world.users["wijkagent"])
    assert case.screening is not None
    screening = case.screening.uuid
    for method, url, data in [
        ("get", f"/casussen/{case.uuid}/", {}),
        ("post", f"/casussen/{case.uuid}/fase/", {"phase": "analyse"}),
        ("post", f"/casussen/{case.uuid}/heropenen/", {"reason": REASON}),
        ("post", f"/casussen/{case.uuid}/deelnemers/", {"role": "deelnemer"}),
        ("post", f"/casussen/{case.uuid}/deelnemers/{agent.pk}/verwijderen/", {"reason": REASON}),
        ("get", f"/casussen/screening/{screening}/", {}),
        ("get", f"/casussen/screening/{screening}/casus/", {}),
        ("get", f"/api/v1/cases/{case.uuid}", {}),
        ("post", f"/api/v1/cases/{case.uuid}/transitions", {"phase": "analyse"}),
        ("post", f"/api/v1/screenings/{screening}/decision", {"decision": "casus"}),
        ("post", f"/api/v1/screenings/{screening}/case", {"title": "x"}),
    ]:
        if method == "get":
            response = client.get(url)
        elif url.startswith("/api/"):
            response = client.post(url, data, content_type="application/json")
        else:
            response = client.post(url, data)
        assert response.status_code == 404, (url, response.status_code)
    assert Case.objects.get().phase == "aanmelding"
    assert Participant.objects.filter(case=case, removed_at=None).count() == 3


@pytest.mark.parametrize("persona", ["privacy", "beheerder", "outsider", "analist"])
def test_screening_start_is_404_for_viewers_without_a_role_or_sight(
    cw: CaseWorld, persona: str
) -> None:
    signal = cw.world.signals["gemeente_own"]
    client = client_for(cw.world, persona)
    assert client.get(f"/casussen/screening/nieuw/?signaal={signal.uuid}").status_code == 404
    response = client.post(
        "/api/v1/screenings",
        {"caseType": "persoon", "organisation": "gemeente", "signal": str(signal.uuid)},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert Screening.objects.count() == 1  # the fixture's own


def test_a_participant_may_read_but_not_transition(cw: CaseWorld) -> None:
    client = client_for(cw.world, "wijkagent")
    response = client.post(f"/casussen/{cw.case.uuid}/fase/", {"phase": "analyse"})
    assert response.status_code == 400
    assert "Alleen de casusregisseur wijzigt de fase." in response.content.decode()
    api = client.post(
        f"/api/v1/cases/{cw.case.uuid}/transitions",
        {"phase": "analyse"},
        content_type="application/json",
    )
    assert api.status_code == 400 and api["Content-Type"] == "application/problem+json"
    assert api.json()["invalidParams"] == [
        {
            "name": "phase",
            "code": "forbidden",
            "reason": "Alleen de casusregisseur wijzigt de fase.",
        }
    ]


def test_api_flow(world: World, types: dict[str, object]) -> None:
    signal = world.signals["police_shared"]
    agent = client_for(world, "wijkagent")
    bad = agent.post(
        "/api/v1/screenings",
        {"caseType": "top-x", "organisation": "corporatie", "signal": str(signal.uuid)},
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad["Content-Type"] == "application/problem+json"
    assert [p["code"] for p in bad.json()["invalidParams"]] == ["not_nominating"]
    created = agent.post(
        "/api/v1/screenings",
        {
            "caseType": "top-x",
            "organisation": "politie",
            "signal": str(signal.uuid),
            "criteria": ["impact_omgeving"],
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (
        body["source"] == "signaal" and {"code": "impact_omgeving", "met": True} in body["criteria"]
    )
    regisseur = client_for(world, "regisseur")
    url = f"/api/v1/screenings/{body['uuid']}/decision"
    refused = regisseur.post(
        url, {"decision": "casus", "reasoning": "kort"}, content_type="application/json"
    )
    assert refused.status_code == 400
    assert {p["name"]: p["code"] for p in refused.json()["invalidParams"]} == {
        "reasoning": "required",
        "criteria": "criteria_not_met",
    }
    all_met = ["meerdere_organisaties", "impact_omgeving", "high_impact_crime"]
    decided = regisseur.post(
        url,
        {"decision": "casus", "reasoning": REASON, "criteria": all_met},
        content_type="application/json",
    )
    assert decided.status_code == 200 and decided.json()["decision"] == "casus"
    wrong = regisseur.post(
        f"/api/v1/screenings/{body['uuid']}/case",
        {"title": "Top X jongere", "confidentiality": "geheim"},
        content_type="application/json",
    )
    assert wrong.status_code == 400
    assert wrong.json()["invalidParams"][0]["code"] == "invalid_choice"
    case = regisseur.post(
        f"/api/v1/screenings/{body['uuid']}/case",
        {"title": "Top X jongere"},
        content_type="application/json",
    )
    assert case.status_code == 201
    detail = case.json()
    assert detail["phase"] == "aanmelding" and detail["caseType"] == "top-x"
    transitions = f"/api/v1/cases/{detail['uuid']}/transitions"
    bare = regisseur.post(
        transitions,
        {"phase": "afgesloten", "resultCode": "doel_bereikt", "result": RESULT},
        content_type="application/json",
    )
    assert bare.status_code == 400
    assert [(p["name"], p["code"]) for p in bare.json()["invalidParams"]] == [
        ("phase", "close_with_evaluation")
    ]
    close = f"/api/v1/cases/{detail['uuid']}/close"
    no_result = regisseur.post(close, {}, content_type="application/json")
    assert no_result.status_code == 400
    assert {p["name"] for p in no_result.json()["invalidParams"]} == {"resultCode", "result"}
    assert (
        agent.post(  # a participant who is no casusregisseur
            close, {"resultCode": "doel_bereikt", "result": RESULT}, content_type="application/json"
        ).json()["invalidParams"][0]["code"]
        == "forbidden"
    )
    closed = regisseur.post(
        close, {"resultCode": "doel_bereikt", "result": RESULT}, content_type="application/json"
    )
    assert closed.status_code == 200 and closed.json()["phase"] == "afgesloten"
    assert closed.json()["retainUntil"] is not None
    edit = regisseur.post(transitions, {"phase": "plan"}, content_type="application/json")
    assert edit.status_code == 400
    assert "closed" in {p["code"] for p in edit.json()["invalidParams"]}
    reopen = regisseur.post(
        transitions, {"phase": "analyse", "note": REASON}, content_type="application/json"
    )
    assert reopen.status_code == 200 and reopen.json()["phase"] == "analyse"
    # The wijkagent (nominator) takes part and reads it.
    assert agent.get(f"/api/v1/cases/{detail['uuid']}").status_code == 200
    listing = agent.get("/api/v1/cases", {"phase": "analyse"}).json()
    assert listing["count"] == 1
    assert agent.get("/api/v1/cases", {"phase": "x"}).status_code == 400


def test_web_pages_render_for_the_casusregisseur(cw: CaseWorld) -> None:
    client = client_for(cw.world, "regisseur")
    for url in [
        "/casussen/",
        "/casussen/?fase=aanmelding&type=persoon&q=portiek",
        "/casussen/screening/",
        "/casussen/doorbreken/",
        f"/casussen/{cw.case.uuid}/",
    ]:
        assert client.get(url).status_code == 200, url
    assert client.get("/casussen/doorbraken/").status_code == 404


def test_the_subject_page_links_a_queued_subject_to_a_new_screening(
    world: World, types: dict[str, object]
) -> None:
    from wijkregie.subjects.tests.helpers import BSN_A, attach_person
    from wijkregie.testing.personas import make_signal

    subject, _ = attach_person(world, "wijkagent", world.signals["police_shared"], bsn=BSN_A)
    for category in ("woonfraude", "zorgmelding"):
        signal = make_signal(world, owner="gemeente", category=category, buurt="01", days_ago=30)
        attach_person(world, "regisseur", signal, bsn=BSN_A)
    client = client_for(world, "regisseur")
    page = client.get(f"/betrokkenen/{subject.uuid}/").content.decode()
    link = f"/casussen/screening/nieuw/?betrokkene={subject.uuid}&amp;bron=screeningslijst"
    assert link in page
    start = client.get(link.replace("&amp;", "&") + "&type=persoon")
    assert start.status_code == 200
    response = client.post(
        link.replace("&amp;", "&") + "&type=persoon",
        {
            "organisation": world.orgs["gemeente"].pk,
            "criteria": ["meerdere_leefgebieden", "meerdere_organisaties"],
        },
    )
    assert response.status_code == 302
    screening = Screening.objects.get()
    assert screening.source == "screeningslijst" and screening.subject_id == subject.pk
    # Without a place in the queue (another persona's view) there is no link.
    other = client_for(world, "wijkagent").get(f"/betrokkenen/{subject.uuid}/").content.decode()
    assert "/casussen/screening/nieuw/" not in other

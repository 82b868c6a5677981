"""Case meetings: creation by a regisseur, attendees, the generated agenda (cases due, cases
with overdue actions, screenings awaiting a decision; only what the chair may see), 'besloten'
items for attendees who do not take part, decisions with new actions, approval and addenda,
and the visibility matrix of the meeting pages and endpoints."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from wijkregie.cases import meeting_services, services
from wijkregie.cases.models import (
    Action,
    AgendaItem,
    Case,
    Meeting,
    MeetingDecision,
    Participant,
    Screening,
)
from wijkregie.cases.tests.conftest import PlanWorld, in_days, start_case, viewer_of
from wijkregie.privacy.models import AccessEvent, AppendOnlyError, AuditEvent
from wijkregie.testing.personas import EXPECTED_VISIBLE

pytestmark = pytest.mark.django_db

PERSONAS = sorted(EXPECTED_VISIBLE)
DECISION = "Huisbezoek door wijkagent en jongerenwerk samen"


def codes(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return {name: [e.code or "" for e in errors] for name, errors in exc.value.error_dict.items()}


def client_for(pw: PlanWorld, persona: str) -> Client:
    client = Client()
    client.force_login(pw.world.users[persona])
    return client


def make_meeting(pw: PlanWorld, days: int = 10) -> Meeting:
    """A meeting in `days` days chaired by the regisseur, attended by wijkagent (participant),
    corporatie (not a participant) and analist (participant, pseudonymised); the plan's case
    is due before it, plus an open screening and a case the chair does not take part in."""
    world = pw.world
    Case.objects.filter(pk=pw.case.pk).update(phase_due=in_days(days - 1))
    regisseur = viewer_of(world, "regisseur")
    meeting = meeting_services.meeting_create(
        viewer=regisseur, title="Casusoverleg Noord", date=in_days(days)
    )
    for persona, org in (
        ("wijkagent", "politie"),
        ("corporatie", "corporatie"),
        ("analist", "gemeente"),
    ):
        meeting_services.attendee_add(
            viewer=regisseur,
            meeting=meeting,
            user=world.users[persona],
            organisation=world.orgs[org],
        )
    return meeting


def open_screening(pw: PlanWorld) -> Screening:
    case_type = pw.case.case_type
    return services.screening_create(
        viewer=viewer_of(pw.world, "wijkagent"),
        case_type=case_type,
        organisation=pw.world.orgs["politie"],
        source="signaal",
        signal=pw.world.signals["police_shared"],
    )


def test_only_regisseurs_convene_meetings(pw: PlanWorld) -> None:
    with pytest.raises(ValidationError) as exc:
        meeting_services.meeting_create(
            viewer=viewer_of(pw.world, "wijkagent"), title="Overleg", date=in_days(1)
        )
    assert codes(exc) == {"meeting": ["forbidden"]}
    with pytest.raises(ValidationError) as exc:
        meeting_services.meeting_create(
            viewer=viewer_of(pw.world, "regisseur"), title="", date=None
        )
    assert codes(exc) == {"title": ["required"], "date": ["required"]}


def test_agenda_is_generated_from_what_the_chair_may_see(pw: PlanWorld) -> None:
    meeting = make_meeting(pw, days=5)
    screening = open_screening(pw)
    # A case the chair no longer takes part in: never on the chair's agenda.
    hidden = start_case(pw.world, title="Niet van de voorzitter")
    Case.objects.filter(pk=hidden.pk).update(phase_due=in_days(1))
    Participant.objects.filter(case=hidden, user=pw.world.users["regisseur"]).update(
        removed_at=timezone.now()
    )
    # A case that is not due and has no overdue action: not on the agenda either.
    later = start_case(pw.world, title="Later")
    Case.objects.filter(pk=later.pk).update(phase_due=in_days(60))
    regisseur = viewer_of(pw.world, "regisseur")
    items = meeting_services.agenda_generate(viewer=regisseur, meeting=meeting)
    assert [(i.case_id, i.screening_id, i.reasons) for i in items] == [
        (pw.case.pk, None, ["fase_verloopt"]),
        (None, screening.pk, ["screening"]),
    ]
    # An action past its due date before the meeting puts the case on it too; generating
    # again keeps the items and refreshes their reasons.
    Case.objects.filter(pk=pw.case.pk).update(phase_due=in_days(30))
    Action.objects.filter(pk=pw.youth_action.pk).update(due_date=in_days(2))
    items = meeting_services.agenda_generate(viewer=regisseur, meeting=meeting)
    assert [(i.position, i.reasons) for i in items] == [
        (1, ["acties_verlopen"]),
        (2, ["screening"]),
    ]
    assert AuditEvent.objects.filter(action="agenda_generate").count() == 2


def test_agenda_shows_besloten_items_to_non_participants(pw: PlanWorld) -> None:
    meeting = make_meeting(pw)
    meeting_services.agenda_generate(viewer=viewer_of(pw.world, "regisseur"), meeting=meeting)
    url = f"/casussen/overleggen/{meeting.uuid}/"
    agent = client_for(pw, "wijkagent").get(url).content.decode()
    assert pw.case.reference in agent and "Casus portiek" in agent
    corporatie = client_for(pw, "corporatie").get(url)
    assert corporatie.status_code == 200
    body = corporatie.content.decode()
    assert pw.case.reference not in body and "Casus portiek" not in body
    assert "Punt 1: besloten" in body
    api = client_for(pw, "corporatie").get(f"/api/v1/meetings/{meeting.uuid}").json()
    assert api["agenda"][0] == {
        "id": api["agenda"][0]["id"],
        "position": 1,
        "closed": True,
        "case": None,
        "caseReference": None,
        "screening": None,
        "reasons": [],
        "decisions": [],
    }
    # Reading the agenda logs a read of the case for those who see it, and not for others.
    assert AccessEvent.objects.filter(
        object_type="case", object_id=str(pw.case.uuid), detail="agenda", username="wijkagent"
    ).exists()
    assert not AccessEvent.objects.filter(
        object_type="case", object_id=str(pw.case.uuid), username="corporatie"
    ).exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_meeting_visibility_matrix(pw: PlanWorld, persona: str) -> None:
    meeting = make_meeting(pw)
    meeting_services.agenda_generate(viewer=viewer_of(pw.world, "regisseur"), meeting=meeting)
    client = client_for(pw, persona)
    sees_meeting = persona in {"regisseur", "wijkagent", "corporatie", "analist"}
    sees_case = persona in {"regisseur", "wijkagent", "analist"}
    page = client.get(f"/casussen/overleggen/{meeting.uuid}/")
    api = client.get(f"/api/v1/meetings/{meeting.uuid}")
    assert page.status_code == (200 if sees_meeting else 404)
    assert api.status_code == (200 if sees_meeting else 404)
    listing = client.get("/casussen/overleggen/")
    api_list = client.get("/api/v1/meetings")
    if persona in {"privacy", "beheerder"}:
        assert listing.status_code == 404 and api_list.status_code == 404
    else:
        assert (str(meeting.uuid) in listing.content.decode()) is sees_meeting
        assert [m["uuid"] for m in api_list.json()["results"]] == (
            [str(meeting.uuid)] if sees_meeting else []
        )
    if sees_meeting:
        assert (pw.case.reference in page.content.decode()) is sees_case
        assert api.json()["agenda"][0]["closed"] is (not sees_case)
    event = AccessEvent.objects.filter(object_type="meeting", username=persona).last()
    assert event is not None and event.outcome == ("granted" if sees_meeting else "denied")


def test_decision_with_new_action_approval_and_addenda(pw: PlanWorld) -> None:
    meeting = make_meeting(pw)
    regisseur = viewer_of(pw.world, "regisseur")
    items = meeting_services.agenda_generate(viewer=regisseur, meeting=meeting)
    item = items[0]
    agent_value = f"{pw.world.users['wijkagent'].pk}:{pw.world.orgs['politie'].pk}"
    # The owner of a new action must take part in the case.
    with pytest.raises(ValidationError) as exc:
        meeting_services.decision_record(
            viewer=regisseur,
            meeting=meeting,
            item=item,
            text=DECISION,
            decided_by=agent_value,
            new_action=meeting_services.NewAction(
                description="Gesprek verhuurder",
                owner_organisation=pw.world.orgs["corporatie"],
                owner_user=None,
                due_date=in_days(20),
            ),
        )
    assert codes(exc) == {"action_owner_organisation": ["not_participant"]}
    assert not MeetingDecision.objects.exists()
    decision = meeting_services.decision_record(
        viewer=regisseur,
        meeting=meeting,
        item=item,
        text=DECISION,
        decided_by=agent_value,
        new_action=meeting_services.NewAction(
            description="Gezamenlijk huisbezoek",
            owner_organisation=pw.world.orgs["politie"],
            owner_user=pw.world.users["wijkagent"],
            due_date=in_days(20),
        ),
    )
    assert decision.decided_by_name == str(pw.world.users["wijkagent"])
    assert decision.recorded_by_name == str(pw.world.users["regisseur"])
    action = Action.objects.get(origin_decision=decision)
    assert action.case_id == pw.case.pk and action.owner_user == pw.world.users["wijkagent"]
    # Somebody who is not at the meeting cannot be recorded as deciding.
    with pytest.raises(ValidationError) as exc:
        meeting_services.decision_record(
            viewer=regisseur,
            meeting=meeting,
            item=item,
            text=DECISION,
            decided_by=f"{pw.world.users['jongerenwerker'].pk}:{pw.world.orgs['jongerenwerk'].pk}",
        )
    assert codes(exc) == {"decided_by": ["required"]}
    # Only the chair records.
    with pytest.raises(ValidationError) as exc:
        meeting_services.decision_record(
            viewer=viewer_of(pw.world, "wijkagent"),
            meeting=meeting,
            item=item,
            text=DECISION,
            decided_by=agent_value,
        )
    assert codes(exc) == {"meeting": ["forbidden"]}
    # An addendum before approval is refused.
    with pytest.raises(ValidationError) as exc:
        meeting_services.decision_record(
            viewer=regisseur,
            meeting=meeting,
            item=item,
            text=DECISION,
            decided_by=agent_value,
            addendum=True,
        )
    assert codes(exc) == {"meeting": ["not_approved"]}
    meeting_services.minutes_approve(viewer=regisseur, meeting=meeting)
    meeting.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        meeting_services.decision_record(
            viewer=regisseur, meeting=meeting, item=item, text=DECISION, decided_by=agent_value
        )
    assert codes(exc) == {"meeting": ["approved"]}
    with pytest.raises(ValidationError) as exc:
        meeting_services.agenda_generate(viewer=regisseur, meeting=meeting)
    assert codes(exc) == {"meeting": ["approved"]}
    with pytest.raises(ValidationError) as exc:
        meeting_services.minutes_approve(viewer=regisseur, meeting=meeting)
    assert codes(exc) == {"meeting": ["approved"]}
    addendum = meeting_services.decision_record(
        viewer=regisseur,
        meeting=meeting,
        item=item,
        text="Aanvulling: ook de corporatie wordt gevraagd",
        decided_by=agent_value,
        addendum=True,
    )
    assert addendum.is_addendum
    with pytest.raises(AppendOnlyError):
        decision.save()
    with pytest.raises(AppendOnlyError):
        decision.delete()
    assert AuditEvent.objects.filter(action="decision").count() == 2
    assert AuditEvent.objects.filter(action="minutes_approve").count() == 1


def test_web_flow_chair_records_a_decision_and_approves(pw: PlanWorld) -> None:
    meeting = make_meeting(pw)
    client = client_for(pw, "regisseur")
    url = f"/casussen/overleggen/{meeting.uuid}/"
    assert client.post(f"{url}agenda/").status_code == 302
    item = AgendaItem.objects.get(meeting=meeting, case=pw.case)
    prefix = f"item{item.pk}"
    chair_value = f"{pw.world.users['regisseur'].pk}:{pw.world.orgs['gemeente'].pk}"
    refused = client.post(
        f"{url}punten/{item.pk}/besluiten/",
        {
            f"{prefix}-text": DECISION,
            f"{prefix}-decided_by": chair_value,
            f"{prefix}-action_description": "Gezamenlijk huisbezoek",
        },
    )
    assert refused.status_code == 400
    assert "Kies als eigenaar" in refused.content.decode()
    done = client.post(
        f"{url}punten/{item.pk}/besluiten/",
        {
            f"{prefix}-text": DECISION,
            f"{prefix}-decided_by": chair_value,
            f"{prefix}-action_description": "Gezamenlijk huisbezoek",
            f"{prefix}-action_owner": f"{pw.world.orgs['politie'].pk}",
            f"{prefix}-action_due_date": (timezone.localdate() + dt.timedelta(days=21)).isoformat(),
        },
    )
    assert done.status_code == 302
    page = client.get(url).content.decode()
    assert DECISION in page and "besloten door" in page
    assert Action.objects.filter(description="Gezamenlijk huisbezoek", case=pw.case).exists()
    assert client.post(f"{url}vaststellen/").status_code == 302
    page = client.get(url).content.decode()
    assert "Aanvulling vastleggen" in page and "Besluitenlijst vaststellen</button>" not in page
    # Attendees cannot use the chair's forms.
    agent = client_for(pw, "wijkagent")
    assert agent.post(f"{url}agenda/").status_code == 404
    assert agent.post(f"{url}vaststellen/").status_code == 404


def test_analyst_attendee_sees_no_decision_text(pw: PlanWorld) -> None:
    meeting = make_meeting(pw)
    regisseur = viewer_of(pw.world, "regisseur")
    item = meeting_services.agenda_generate(viewer=regisseur, meeting=meeting)[0]
    meeting_services.decision_record(
        viewer=regisseur,
        meeting=meeting,
        item=item,
        text=DECISION,
        decided_by=f"{pw.world.users['regisseur'].pk}:{pw.world.orgs['gemeente'].pk}",
    )
    client = client_for(pw, "analist")
    assert DECISION not in client.get(f"/casussen/overleggen/{meeting.uuid}/").content.decode()
    decision = client.get(f"/api/v1/meetings/{meeting.uuid}").json()["agenda"][0]["decisions"][0]
    assert decision["text"] is None and decision["decidedBy"] is None


def test_api_meeting_flow(pw: PlanWorld) -> None:
    client = client_for(pw, "regisseur")
    Case.objects.filter(pk=pw.case.pk).update(phase_due=in_days(1))
    created = client.post(
        "/api/v1/meetings",
        {"title": "Casusoverleg Zuid", "date": in_days(5).isoformat()},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    uuid = created.json()["uuid"]
    attendee = client.post(
        f"/api/v1/meetings/{uuid}/attendees",
        {"username": "wijkagent", "organisation": "politie"},
        content_type="application/json",
    )
    assert attendee.status_code == 200
    agenda = client.post(f"/api/v1/meetings/{uuid}/agenda", content_type="application/json")
    item = agenda.json()["agenda"][0]
    assert item["caseReference"] == pw.case.reference
    decided = client.post(
        f"/api/v1/meetings/{uuid}/items/{item['id']}/decisions",
        {
            "text": DECISION,
            "decidedBy": "wijkagent",
            "decidedByOrganisation": "politie",
            "action": {
                "description": "Gezamenlijk huisbezoek",
                "ownerOrganisation": "politie",
                "dueDate": in_days(20).isoformat(),
            },
        },
        content_type="application/json",
    )
    assert decided.status_code == 201, decided.content
    decision = decided.json()["agenda"][0]["decisions"][0]
    assert decision["decidedBy"] == str(pw.world.users["wijkagent"]) and decision["action"]
    approved = client.post(f"/api/v1/meetings/{uuid}/approval", content_type="application/json")
    assert approved.status_code == 200 and approved.json()["minutesApprovedAt"]
    again = client.post(f"/api/v1/meetings/{uuid}/approval", content_type="application/json")
    assert again.status_code == 400 and again["Content-Type"] == "application/problem+json"
    # Not the chair: 404 on the chair's endpoints.
    agent = client_for(pw, "wijkagent")
    assert agent.post(f"/api/v1/meetings/{uuid}/agenda").status_code == 404
    refused = client_for(pw, "wijkagent").post(
        "/api/v1/meetings",
        {"title": "Eigen overleg", "date": in_days(5).isoformat()},
        content_type="application/json",
    )
    assert refused.status_code == 400


@pytest.mark.parametrize("persona", ["outsider", "jongerenwerker", "privacy", "beheerder"])
def test_every_meeting_url_is_404_for_non_attendees(pw: PlanWorld, persona: str) -> None:
    meeting = make_meeting(pw)
    item = meeting_services.agenda_generate(
        viewer=viewer_of(pw.world, "regisseur"), meeting=meeting
    )[0]
    client = client_for(pw, persona)
    base = f"/casussen/overleggen/{meeting.uuid}/"
    api = f"/api/v1/meetings/{meeting.uuid}"
    for method, url, data in [
        ("get", base, {}),
        ("post", f"{base}deelnemers/", {"attendee-membership": "1:1"}),
        ("post", f"{base}agenda/", {}),
        ("post", f"{base}punten/{item.pk}/besluiten/", {f"item{item.pk}-text": DECISION}),
        ("post", f"{base}vaststellen/", {}),
        ("get", api, {}),
        ("post", f"{api}/attendees", {"username": "wijkagent", "organisation": "politie"}),
        ("post", f"{api}/agenda", {}),
        ("post", f"{api}/items/{item.pk}/decisions", {"text": DECISION}),
        ("post", f"{api}/approval", {}),
    ]:
        if url.startswith("/api/"):
            response = getattr(client, method)(url, data, content_type="application/json")
        else:
            response = getattr(client, method)(url, data)
        assert response.status_code == 404, (method, url)
    assert not MeetingDecision.objects.exists()
    assert Meeting.objects.get(pk=meeting.pk).minutes_approved_at is None

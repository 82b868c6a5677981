"""The visibility matrix for plans, actions and "my actions": every persona on every page and
endpoint, the owner's update from "mijn acties", and refusals for everyone else.

In the `pw` world: regisseur (casusregisseur, gemeente), wijkagent (deelnemer, politie; owner
of the police action), jongerenwerker (waarnemer, jongerenwerk; owner of the youth action),
analist (waarnemer, gemeente; pseudonymised). Corporatie, privacy, beheerder and the outsider
do not take part.
"""

from __future__ import annotations

import pytest
from django.test import Client

from wijkregie.cases.models import Action, ActionNote
from wijkregie.cases.tests.conftest import PlanWorld
from wijkregie.privacy.models import AccessEvent
from wijkregie.testing.personas import EXPECTED_VISIBLE

pytestmark = pytest.mark.django_db

PERSONAS = sorted(EXPECTED_VISIBLE)
SEES_PLAN = {"regisseur", "wijkagent", "jongerenwerker", "analist"}
NOTE = "Gesprek gevoerd met de bewoners"


def client_for(pw: PlanWorld, persona: str) -> Client:
    client = Client()
    client.force_login(pw.world.users[persona])
    return client


@pytest.mark.parametrize("persona", PERSONAS)
def test_plan_and_action_pages_and_api(pw: PlanWorld, persona: str) -> None:
    client = client_for(pw, persona)
    sees = persona in SEES_PLAN
    before = AccessEvent.objects.filter(object_type="case").count()
    responses = [
        client.get(f"/casussen/{pw.case.uuid}/plan/"),
        client.get(f"/casussen/acties/{pw.police_action.uuid}/"),
        client.get(f"/api/v1/cases/{pw.case.uuid}/plan"),
        client.get(f"/api/v1/actions/{pw.police_action.uuid}"),
    ]
    assert [r.status_code for r in responses] == [200 if sees else 404] * 4
    events = AccessEvent.objects.filter(object_type="case").order_by("id")[before:]
    assert [e.outcome for e in events] == ["granted" if sees else "denied"] * 4
    page = responses[0].content.decode()
    if not sees:
        assert "Huisbezoek" not in page
        assert responses[2]["Content-Type"] == "application/problem+json"
        return
    plan = responses[2].json()
    assert {a["ownerOrganisation"] for a in plan["actions"]} == {"politie", "jongerenwerk"}
    assert plan["version"] == 3 and [g["lifeDomain"] for g in plan["goals"]] == ["veiligheid"]
    if persona == "analist":
        # Pseudonymised: no free text, no names.
        assert "Huisbezoek" not in page and "Geen overlast" not in page
        assert all(a["description"] is None and a["ownerUser"] is None for a in plan["actions"])
        assert all(g["description"] is None for g in plan["goals"])
        assert "Huisbezoek" not in responses[1].content.decode()
    else:
        assert "Huisbezoek wijkagent" in page and "Geen overlast meer" in page
    may_update = {a["ownerOrganisation"]: a["mayUpdate"] for a in plan["actions"]}
    expected = {
        "regisseur": {"politie": True, "jongerenwerk": True},
        "wijkagent": {"politie": True, "jongerenwerk": False},
        "jongerenwerker": {"politie": False, "jongerenwerk": True},
        "analist": {"politie": False, "jongerenwerk": False},
    }[persona]
    assert may_update == expected
    # Only the casusregisseur gets the forms to add goals and actions.
    assert ("Actie toevoegen</button>" in page) is (persona == "regisseur")


@pytest.mark.parametrize("persona", PERSONAS)
def test_my_actions_page_and_api(pw: PlanWorld, persona: str) -> None:
    client = client_for(pw, persona)
    page = client.get("/casussen/mijn-acties/")
    api = client.get("/api/v1/my-actions")
    if persona in {"privacy", "beheerder"}:
        assert page.status_code == 404 and api.status_code == 404
        return
    assert page.status_code == 200 and api.status_code == 200
    expected = {
        "wijkagent": ["Huisbezoek wijkagent"],
        "jongerenwerker": ["Jongeren aanspreken op het plein"],
    }.get(persona, [])
    assert [a["description"] for a in api.json()["results"]] == expected
    body = page.content.decode()
    assert ("Huisbezoek wijkagent" in body) is (persona == "wijkagent")
    assert ("Jongeren aanspreken" in body) is (persona == "jongerenwerker")
    if not expected:
        assert 'id="my-actions-empty"' in body


def test_observer_updates_own_action_from_my_actions(pw: PlanWorld) -> None:
    client = client_for(pw, "jongerenwerker")
    prefix = f"a{pw.youth_action.pk}"
    response = client.post(
        f"/casussen/acties/{pw.youth_action.uuid}/bijwerken/",
        {f"{prefix}-status": "bezig", f"{prefix}-note": NOTE},
    )
    assert response.status_code == 302 and response["Location"] == "/casussen/mijn-acties/"
    assert Action.objects.get(pk=pw.youth_action.pk).status == "bezig"
    note = ActionNote.objects.get(action=pw.youth_action)
    assert note.username == "jongerenwerker" and note.text == NOTE
    # The list shows it in progress.
    assert "In uitvoering" in client.get("/casussen/mijn-acties/").content.decode()


def test_progress_on_the_action_page_and_api(pw: PlanWorld) -> None:
    agent = client_for(pw, "wijkagent")
    url = f"/casussen/acties/{pw.police_action.uuid}/"
    refused = agent.post(url, {"progress-status": "afgerond", "progress-note": ""})
    assert refused.status_code == 400 and "Geef een toelichting" in refused.content.decode()
    assert agent.post(url, {"progress-status": "bezig"}).status_code == 302
    api = agent.post(
        f"/api/v1/actions/{pw.police_action.uuid}/progress",
        {"actionStatus": "afgerond", "note": NOTE},
        content_type="application/json",
    )
    assert api.status_code == 200, api.content
    assert api.json()["actionStatus"] == "afgerond"
    assert [n["toStatus"] for n in api.json()["notes"]] == ["bezig", "afgerond"]
    # Cancelling is refused for the owner, as problem+json with the field.
    refused_api = agent.post(
        f"/api/v1/actions/{pw.youth_action.uuid}/progress",
        {"note": NOTE},
        content_type="application/json",
    )
    assert refused_api.status_code == 400
    assert refused_api["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("persona", ["analist", "jongerenwerker"])
def test_participants_without_the_right_are_refused_writes(pw: PlanWorld, persona: str) -> None:
    client = client_for(pw, persona)
    action = pw.police_action
    web = client.post(f"/casussen/acties/{action.uuid}/", {"progress-note": NOTE})
    assert web.status_code == 400
    api = client.post(
        f"/api/v1/actions/{action.uuid}/progress",
        {"note": NOTE},
        content_type="application/json",
    )
    assert api.status_code == 400
    assert [p["code"] for p in api.json()["invalidParams"]] == ["forbidden"]
    goal = client.post(
        f"/api/v1/cases/{pw.case.uuid}/goals",
        {"lifeDomain": "wonen", "description": "Woning op orde"},
        content_type="application/json",
    )
    assert goal.status_code == 400
    assert not ActionNote.objects.exists()


WRITE_URLS = [
    ("post", "/casussen/{case}/plan/doelen/", {"goal-life_domain": "wonen"}),
    ("post", "/casussen/{case}/plan/doelen/{goal}/", {"status": "bereikt"}),
    ("post", "/casussen/{case}/plan/acties/", {"action-description": "x"}),
    ("post", "/casussen/acties/{action}/", {"progress-note": NOTE}),
    ("post", "/casussen/acties/{action}/bijwerken/", {"note": NOTE}),
    ("get", "/casussen/acties/{action}/", {}),
    ("get", "/casussen/{case}/plan/", {}),
    ("get", "/api/v1/cases/{case}/plan", {}),
    ("post", "/api/v1/cases/{case}/goals", {"lifeDomain": "wonen", "description": "Doel"}),
    ("patch", "/api/v1/cases/{case}/goals/{goal}", {"goalStatus": "bereikt"}),
    ("post", "/api/v1/cases/{case}/actions", {"description": "Actie"}),
    ("get", "/api/v1/actions/{action}", {}),
    ("patch", "/api/v1/actions/{action}", {"description": "Actie"}),
    ("post", "/api/v1/actions/{action}/progress", {"note": NOTE}),
]


@pytest.mark.parametrize("persona", ["corporatie", "privacy", "beheerder", "outsider"])
def test_every_plan_url_is_404_without_need_to_know(pw: PlanWorld, persona: str) -> None:
    client = client_for(pw, persona)
    for method, url, data in WRITE_URLS:
        target = url.format(case=pw.case.uuid, goal=pw.goal.uuid, action=pw.police_action.uuid)
        if target.startswith("/api/"):
            response = getattr(client, method)(target, data, content_type="application/json")
        else:
            response = getattr(client, method)(target, data)
        assert response.status_code == 404, (method, target)
    assert ActionNote.objects.count() == 0
    assert Action.objects.filter(status="open").count() == 2


def test_closed_case_plan_page_is_read_only(pw: PlanWorld) -> None:
    from wijkregie.cases.tests.conftest import close_case

    close_case(pw.world, pw.case)
    regisseur = client_for(pw, "regisseur")
    page = regisseur.get(f"/casussen/{pw.case.uuid}/plan/").content.decode()
    assert 'id="read-only"' in page and "Actie toevoegen</button>" not in page
    api = regisseur.post(
        f"/api/v1/cases/{pw.case.uuid}/actions",
        {"description": "Actie", "ownerOrganisation": "politie", "dueDate": "2099-01-01"},
        content_type="application/json",
    )
    assert api.status_code == 400 and '"closed"' in api.content.decode()
    agent = client_for(pw, "wijkagent")
    action_page = agent.get(f"/casussen/acties/{pw.police_action.uuid}/").content.decode()
    assert 'id="read-only"' in action_page and "progress-note" not in action_page
    refused = agent.post(f"/casussen/acties/{pw.police_action.uuid}/", {"progress-status": "bezig"})
    assert refused.status_code == 400 and "alleen-lezen" in refused.content.decode()
    assert Action.objects.get(pk=pw.police_action.pk).status == "open"


def test_api_create_and_edit_by_the_casusregisseur(pw: PlanWorld) -> None:
    client = client_for(pw, "regisseur")
    goal = client.post(
        f"/api/v1/cases/{pw.case.uuid}/goals",
        {"lifeDomain": "wonen", "description": "Woning op orde"},
        content_type="application/json",
    )
    assert goal.status_code == 201 and goal.json()["goalStatus"] == "open"
    refused = client.post(
        f"/api/v1/cases/{pw.case.uuid}/actions",
        {"description": "Gesprek", "ownerOrganisation": "corporatie", "dueDate": "2000-01-01"},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert [(p["name"], p["code"]) for p in refused.json()["invalidParams"]] == [
        ("ownerOrganisation", "not_participant"),
        ("dueDate", "past"),
    ]
    created = client.post(
        f"/api/v1/cases/{pw.case.uuid}/actions",
        {
            "description": "Gesprek met de bewoner",
            "ownerOrganisation": "politie",
            "ownerUser": "wijkagent",
            "dueDate": "2099-01-01",
            "goal": goal.json()["uuid"],
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    uuid = created.json()["uuid"]
    edited = client.patch(
        f"/api/v1/actions/{uuid}", {"dueDate": "2099-02-01"}, content_type="application/json"
    )
    assert edited.status_code == 200 and edited.json()["dueDate"] == "2099-02-01"
    status = client.patch(
        f"/api/v1/cases/{pw.case.uuid}/goals/{goal.json()['uuid']}",
        {"goalStatus": "bereikt"},
        content_type="application/json",
    )
    assert status.status_code == 200 and status.json()["goalStatus"] == "bereikt"
    assert client.get(f"/api/v1/cases/{pw.case.uuid}/plan").json()["version"] == 7

"""The regisseur's dashboard (/casussen/regie/ and GET /api/v1/cases/dashboard, ADR 0019):
need-to-know, the small-count rule, overdue and stalled figures, 404 for viewers without a
case-reading role, nothing of another municipality for the outsider."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from wijkregie.cases import monitoring_selectors
from wijkregie.cases.escalation import run_escalation
from wijkregie.cases.models import Action, Case, Confidentiality
from wijkregie.cases.tests.conftest import PlanWorld, start_case, viewer_of
from wijkregie.privacy.models import AccessEvent
from wijkregie.testing.personas import World

pytestmark = pytest.mark.django_db


def client_for(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


def make_overdue(pw: PlanWorld, days: int = 3) -> None:
    Action.objects.filter(pk=pw.police_action.pk).update(
        due_date=timezone.localdate() - dt.timedelta(days=days)
    )


def make_stalled(pw: PlanWorld, days: int = 40) -> None:
    Action.objects.filter(case=pw.case).update(updated_at=timezone.now() - dt.timedelta(days=days))


def test_counts_overdue_and_stalled_for_the_casusregisseur(pw: PlanWorld) -> None:
    make_overdue(pw)
    make_stalled(pw)
    d = monitoring_selectors.dashboard(viewer=viewer_of(pw.world, "regisseur"))
    assert d.stalled_days == 30
    assert {p: n for p, _l, n in d.own.phases}["aanmelding"] == 1
    assert (d.own.open_cases, d.own.overdue, d.own.stalled_cases) == (1, 1, 1)
    assert [r.action.pk for r in d.overdue] == [pw.police_action.pk]
    assert d.overdue[0].days_overdue == 3 and d.overdue[0].escalation == ""
    assert [r.case.pk for r in d.stalled] == [pw.case.pk]
    assert d.stalled[0].active_actions == 2
    partners = {r.organisation: (r.active, r.overdue, r.stalled) for r in d.own.partners}
    assert partners == {
        "Politie basisteam Demodam": (1, 1, 1),
        "Jongerenwerk Demodam": (1, 0, 1),
    }
    # Recent progress on any action of the case means it is not stalled.
    Action.objects.filter(pk=pw.youth_action.pk).update(updated_at=timezone.now())
    d = monitoring_selectors.dashboard(viewer=viewer_of(pw.world, "regisseur"))
    assert d.stalled == [] and d.own.stalled_cases == 0
    # With N = 1 day nothing recent either, once everything is older.
    assert (
        monitoring_selectors.dashboard(
            viewer=viewer_of(pw.world, "regisseur"),
            stalled_days=1,
            now=timezone.now() + dt.timedelta(days=2),
        ).own.stalled_cases
        == 1
    )


def test_the_overdue_list_shows_the_escalation_reached(pw: PlanWorld) -> None:
    make_overdue(pw, days=8)
    run_escalation()
    d = monitoring_selectors.dashboard(viewer=viewer_of(pw.world, "regisseur"))
    assert d.overdue[0].escalation == "Casusregisseur"


def test_a_participant_sees_only_their_own_cases_and_no_municipality_counts(pw: PlanWorld) -> None:
    other = start_case(pw.world, title="Casus zonder politie")
    assert other.pk != pw.case.pk
    make_overdue(pw)
    agent = monitoring_selectors.dashboard(viewer=viewer_of(pw.world, "wijkagent"))
    assert agent.own.open_cases == 1 and agent.municipality is None
    regisseur = monitoring_selectors.dashboard(viewer=viewer_of(pw.world, "regisseur"))
    assert regisseur.own.open_cases == 2
    # Corporatie takes part in nothing: an empty dashboard (need-to-know).
    corp = monitoring_selectors.dashboard(viewer=viewer_of(pw.world, "corporatie"))
    assert corp.own.open_cases == 0 and corp.overdue == [] and corp.own.partners == []


@override_settings(SMALL_COUNT_THRESHOLD=5)
def test_municipality_counts_for_the_gemeente_regisseur_suppress_small_counts(
    pw: PlanWorld,
) -> None:
    make_overdue(pw)
    for i in range(5):
        start_case(pw.world, title=f"Casus {i}")
    confidential = start_case(pw.world, title="Vertrouwelijk")
    Case.objects.filter(pk=confidential.pk).update(confidentiality=Confidentiality.VERTROUWELIJK)
    d = monitoring_selectors.dashboard(viewer=viewer_of(pw.world, "regisseur"))
    assert d.municipality is not None
    phases = {p: n for p, _l, n in d.municipality.phases}
    assert phases["aanmelding"] == 6  # the confidential case is left out
    assert phases["analyse"] == 0  # zero stays zero
    assert d.municipality.overdue is None  # 1 overdue action: suppressed
    assert all(r.active is None for r in d.municipality.partners)
    # Own cases: the regisseur takes part, so nothing is suppressed.
    assert d.own.overdue == 1


@override_settings(SMALL_COUNT_THRESHOLD=5)
def test_a_pseudonymised_participant_gets_small_counts_suppressed_and_no_texts(
    pw: PlanWorld,
) -> None:
    make_overdue(pw)
    d = monitoring_selectors.dashboard(viewer=viewer_of(pw.world, "analist"))
    assert d.own.open_cases is None and d.own.overdue is None and not d.show_texts
    html = client_for(pw.world, "analist").get("/casussen/regie/").content.decode()
    assert pw.police_action.description not in html and pw.case.title not in html
    assert "&lt; 5" in html
    api = client_for(pw.world, "analist").get("/api/v1/cases/dashboard").json()
    assert api["own"]["overdueActions"] is None
    assert api["overdue"][0]["description"] is None


def test_page_and_api_for_the_regisseur_log_the_cases_shown(pw: PlanWorld) -> None:
    make_overdue(pw)
    client = client_for(pw.world, "regisseur")
    page = client.get("/casussen/regie/")
    html = page.content.decode()
    assert page.status_code == 200
    assert pw.police_action.description in html and pw.case.reference in html
    assert "Hele gemeente (alleen aantallen)" in html
    assert 'id="nav-notifications"' in html
    assert AccessEvent.objects.filter(object_id=str(pw.case.uuid), detail="regiedashboard").exists()
    body = client.get("/api/v1/cases/dashboard?stalledDays=10").json()
    assert body["stalledDays"] == 10
    assert body["overdue"][0]["action"] == str(pw.police_action.uuid)
    assert body["overdue"][0]["owner"] == "politie"
    assert body["municipality"]["phases"][0]["phase"] == "aanmelding"
    bad = client.get("/api/v1/cases/dashboard?stalledDays=0")
    assert bad.status_code == 400 and bad["Content-Type"].startswith("application/problem+json")
    assert bad.json()["invalidParams"][0]["name"] == "stalledDays"
    # A bad `dagen` on the page falls back to the default.
    assert client.get("/casussen/regie/?dagen=abc").status_code == 200


@pytest.mark.parametrize("persona", ["privacy", "beheerder"])
def test_viewers_without_a_case_reading_role_get_404(pw: PlanWorld, persona: str) -> None:
    client = client_for(pw.world, persona)
    assert client.get("/casussen/regie/").status_code == 404
    assert client.get("/api/v1/cases/dashboard").status_code == 404


def test_the_outsider_sees_nothing_of_another_municipality(pw: PlanWorld) -> None:
    make_overdue(pw)
    client = client_for(pw.world, "outsider")
    html = client.get("/casussen/regie/").content.decode()
    assert pw.case.reference not in html and "Politie basisteam Demodam" not in html
    body = client.get("/api/v1/cases/dashboard").json()
    assert body["own"]["openCases"] == 0 and body["overdue"] == [] and body["stalled"] == []
    assert body["municipality"]["openCases"] == 0 and body["municipality"]["partners"] == []


def test_a_participant_without_need_to_know_of_a_case_does_not_see_it(pw: PlanWorld) -> None:
    make_overdue(pw)
    html = client_for(pw.world, "corporatie").get("/casussen/regie/").content.decode()
    assert pw.case.reference not in html and "Hele gemeente" not in html


def test_anonymous_is_sent_to_login(pw: PlanWorld) -> None:
    assert Client().get("/casussen/regie/").status_code == 302


def test_the_reads_logged_in_one_go_keep_the_access_log_chain_intact(pw: PlanWorld) -> None:
    from wijkregie.privacy.integrity import verify_logs

    make_overdue(pw)
    make_stalled(pw)
    second = start_case(pw.world, title="Tweede casus")
    Action.objects.filter(case=pw.case).update(case=second)  # actions in another case too
    client = client_for(pw.world, "regisseur")
    client.get(f"/casussen/{pw.case.uuid}/")  # a single write before
    client.get("/casussen/regie/")
    client.get(f"/casussen/{pw.case.uuid}/")  # and after
    assert AccessEvent.objects.filter(detail="regiedashboard").count() == 1
    reports = verify_logs(tables=("access",))
    assert reports and all(r.problem is None for r in reports), reports


def test_the_number_of_queries_does_not_grow_with_the_cases(pw: PlanWorld) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_overdue(pw)
    client = client_for(pw.world, "regisseur")
    with CaptureQueriesContext(connection) as few:
        client.get("/casussen/regie/")
    for i in range(4):
        case = start_case(pw.world, title=f"Extra {i}")
        Action.objects.filter(pk=pw.police_action.pk).update(case=case)
    with CaptureQueriesContext(connection) as more:
        client.get("/casussen/regie/")
    on_actions = [q for q in more.captured_queries if 'FROM "cases_action"' in q["sql"]]
    # per owner, per case (stalled), and two index walks for the overdue list
    assert len(on_actions) == 4
    assert len(more.captured_queries) <= len(few.captured_queries) + 2

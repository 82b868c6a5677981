"""Closure with evaluation, the ZGW export and the printable plan (ADR 0020): rules, shape,
need-to-know on every endpoint, and the download that follows participation."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from wijkregie.cases import closure, exports, plan_pdf, services
from wijkregie.cases.models import Case, CaseEvaluation, CaseSubject, Goal, Participant
from wijkregie.cases.tests.conftest import RESULT, PlanWorld, access_for, viewer_of
from wijkregie.documents import tasks
from wijkregie.documents.models import DocumentKind, DocumentStatus, GeneratedDocument
from wijkregie.privacy.models import AccessEvent, AppendOnlyError
from wijkregie.subjects import services as subject_services
from wijkregie.testing.personas import World

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
HANDOVER = "Overgedragen aan het wijkteam; die volgt de schuldhulp op."


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = IMMEDIATE
    return Path(settings.MEDIA_ROOT)


def client_for(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


def _outcomes(case: Case, outcome: str = "bereikt") -> dict[str, str]:
    return {str(g.uuid): outcome for g in Goal.objects.filter(case=case)}


def _close(pw: PlanWorld, **kwargs: Any) -> CaseEvaluation:
    values: dict[str, Any] = {
        "result_code": "doel_bereikt",
        "result": RESULT,
        "goal_outcomes": _outcomes(pw.case),
    }
    values.update(kwargs)
    return closure.case_close(
        viewer=viewer_of(pw.world, "regisseur"),
        access=access_for(pw.world, "regisseur", pw.case),
        **values,
    )


# --- closure and evaluation ---------------------------------------------------------------


def test_closing_needs_an_outcome_per_goal_and_a_handover_when_handed_over(
    pw: PlanWorld,
) -> None:
    with pytest.raises(ValidationError) as caught:
        _close(pw, result_code="overgedragen", result="", goal_outcomes={})
    codes = {k: [e.code for e in v] for k, v in caught.value.error_dict.items()}
    assert codes == {
        "result": ["required"],
        f"goal_{pw.goal.uuid}": ["goal_outcome_required"],
        "handover_organisation": ["required"],
        "handover": ["required"],
    }
    with pytest.raises(ValidationError) as caught:
        _close(pw, goal_outcomes={str(pw.goal.uuid): "open"})  # open is no outcome
    assert f"goal_{pw.goal.uuid}" in caught.value.error_dict
    assert Case.objects.get(pk=pw.case.pk).phase != "afgesloten"
    assert not CaseEvaluation.objects.exists()


def test_only_the_casusregisseur_closes(pw: PlanWorld) -> None:
    with pytest.raises(ValidationError) as caught:
        closure.case_close(
            viewer=viewer_of(pw.world, "wijkagent"),
            access=access_for(pw.world, "wijkagent", pw.case),
            result_code="doel_bereikt",
            result=RESULT,
            goal_outcomes=_outcomes(pw.case),
        )
    assert caught.value.error_dict["phase"][0].code == "forbidden"


def test_closing_records_the_evaluation_and_starts_the_retention_clock(pw: PlanWorld) -> None:
    evaluation = _close(
        pw,
        result_code="overgedragen",
        goal_outcomes={str(pw.goal.uuid): "deels"},
        handover_organisation=pw.world.orgs["corporatie"],
        handover=HANDOVER,
    )
    case = Case.objects.get(pk=pw.case.pk)
    assert case.phase == "afgesloten" and case.result_code == "overgedragen"
    today = timezone.localdate()
    assert case.retain_until == today.replace(year=today.year + case.case_type.retention_years)
    assert evaluation.goal_outcomes == [
        {
            "goal": str(pw.goal.uuid),
            "life_domain": "veiligheid",
            "life_domain_name": "Veiligheid",
            "outcome": "deels",
        }
    ]
    assert evaluation.phase_change.to_phase == "afgesloten"
    assert Goal.objects.get(pk=pw.goal.pk).status == "deels"
    assert closure.latest_evaluation(case) == evaluation
    with pytest.raises(AppendOnlyError):
        evaluation.save()
    # Reopening keeps the evaluation but it no longer describes the (open) case.
    services.case_transition(
        viewer=viewer_of(pw.world, "regisseur"),
        access=access_for(pw.world, "regisseur", case),
        to_phase="analyse",
        note="Nieuwe meldingen van de buren ontvangen",
    )
    case.refresh_from_db()
    assert case.retain_until is None and closure.latest_evaluation(case) is None
    assert CaseEvaluation.objects.count() == 1


def test_close_page_for_the_casusregisseur_only(pw: PlanWorld) -> None:
    url = f"/casussen/{pw.case.uuid}/afsluiten/"
    for persona in ("wijkagent", "analist", "corporatie", "outsider"):
        assert client_for(pw.world, persona).get(url).status_code == 404, persona
    client = client_for(pw.world, "regisseur")
    page = client.get(url)
    assert page.status_code == 200 and "Evaluatie van de doelen" in page.content.decode()
    refused = client.post(url, {"result_code": "doel_bereikt", "result": RESULT})
    assert refused.status_code == 400 and "form-errors" in refused.content.decode()
    done = client.post(
        url,
        {
            "result_code": "doel_bereikt",
            "result": RESULT,
            f"goal_{pw.goal.uuid}": "bereikt",
            "handover_organisation": "",
            "handover": "",
        },
    )
    assert done.status_code == 302
    detail = client.get(f"/casussen/{pw.case.uuid}/").content.decode()
    assert 'id="evaluation"' in detail and "Bereikt" in detail
    assert client.get(url).status_code == 404  # closed: nothing to close


def test_api_close_takes_the_evaluation_and_reports_every_missing_part(pw: PlanWorld) -> None:
    client = client_for(pw.world, "regisseur")
    url = f"/api/v1/cases/{pw.case.uuid}/close"
    missing = client.post(
        url, {"resultCode": "overgedragen", "result": RESULT}, content_type="application/json"
    )
    assert missing.status_code == 400
    assert missing["Content-Type"] == "application/problem+json"
    problems = {p["name"]: p for p in missing.json()["invalidParams"]}
    assert set(problems) == {"goalOutcomes", "handoverOrganisation", "handover"}
    assert problems["goalOutcomes"]["reason"].startswith(str(pw.goal.uuid))
    elsewhere = client.post(
        url,
        {
            "resultCode": "overgedragen",
            "result": RESULT,
            "goalOutcomes": [{"goal": str(pw.goal.uuid), "outcome": "misschien"}],
            "handoverOrganisation": "elders-gemeente",
            "handover": HANDOVER,
        },
        content_type="application/json",
    )
    assert elsewhere.status_code == 400
    codes = {p["name"]: p["code"] for p in elsewhere.json()["invalidParams"]}
    assert codes["handoverOrganisation"] == "invalid_choice"
    assert codes["goalOutcomes.0.outcome"] == "invalid_choice"
    assert Case.objects.get(pk=pw.case.pk).phase != "afgesloten"
    assert not CaseEvaluation.objects.exists()
    closed = client.post(
        url,
        {
            "resultCode": "overgedragen",
            "result": RESULT,
            "goalOutcomes": [{"goal": str(pw.goal.uuid), "outcome": "deels"}],
            "handoverOrganisation": "gemeente",
            "handover": HANDOVER,
        },
        content_type="application/json",
    )
    assert closed.status_code == 200, closed.content
    assert closed.json()["phase"] == "afgesloten" and closed.json()["resultCode"] == "overgedragen"
    case = Case.objects.get(pk=pw.case.pk)
    evaluation = closure.latest_evaluation(case)
    assert evaluation is not None and evaluation.handover_organisation == pw.world.orgs["gemeente"]
    assert [o["outcome"] for o in evaluation.goal_outcomes] == ["deels"]
    again = client.post(
        url, {"resultCode": "doel_bereikt", "result": RESULT}, content_type="application/json"
    )
    assert again.status_code == 400
    assert "closed" in {p["code"] for p in again.json()["invalidParams"]}
    assert CaseEvaluation.objects.count() == 1


def test_api_close_is_a_404_for_non_participants(pw: PlanWorld) -> None:
    body = {
        "resultCode": "doel_bereikt",
        "result": RESULT,
        "goalOutcomes": [{"goal": str(pw.goal.uuid), "outcome": "bereikt"}],
    }
    url = f"/api/v1/cases/{pw.case.uuid}/close"
    missing = client_for(pw.world, "regisseur").post(
        "/api/v1/cases/00000000-0000-0000-0000-000000000000/close",
        body,
        content_type="application/json",
    )
    assert missing.status_code == 404
    for persona in ("corporatie", "outsider"):
        response = client_for(pw.world, persona).post(url, body, content_type="application/json")
        assert response.status_code == 404, persona
        assert response.json() == missing.json() | {"instance": response.json()["instance"]}
    assert Case.objects.get(pk=pw.case.pk).phase != "afgesloten"


# --- ZGW export ---------------------------------------------------------------------------


def _add_person(pw: PlanWorld) -> None:
    subject, _ = subject_services.attach_person(
        viewer=viewer_of(pw.world, "regisseur"),
        signal=pw.world.signals["gemeente_own"],
        person=subject_services.PersonInput(
            bsn="", given_names="Jantje", surname="Klaassen", birth_date=dt.date(1990, 5, 17)
        ),
    )
    CaseSubject.objects.create(
        case=pw.case, municipality_id=pw.case.municipality_id, subject=subject
    )


def test_zgw_export_has_the_zaken_api_shape(pw: PlanWorld) -> None:
    _add_person(pw)
    client = client_for(pw.world, "wijkagent")
    open_body = client.get(f"/api/v1/cases/{pw.case.uuid}/zgw").json()
    jsonschema.validate(open_body, exports.ZGW_CASE_SCHEMA)
    assert open_body["resultaat"] is None and open_body["zaak"]["einddatum"] is None
    _close(pw, goal_outcomes={str(pw.goal.uuid): "niet_bereikt"})
    response = client.get(f"/api/v1/cases/{pw.case.uuid}/zgw")
    assert response.status_code == 200
    body = response.json()
    jsonschema.validate(body, exports.ZGW_CASE_SCHEMA)
    case = Case.objects.get(pk=pw.case.pk)
    zaak = body["zaak"]
    assert zaak["identificatie"] == case.reference
    assert zaak["zaaktype"] == "urn:wijkregie:GM9999:zaaktype:persoon"
    assert zaak["einddatum"] == timezone.localdate(case.closed_at).isoformat()
    assert zaak["archiefactiedatum"] == case.retain_until.isoformat()  # type: ignore[union-attr]
    assert zaak["vertrouwelijkheidaanduiding"] == "vertrouwelijk"
    assert [s["statustype"].rsplit(":", 1)[1] for s in body["statussen"]] == [
        "aanmelding",
        "afgesloten",
    ]
    assert body["resultaat"]["resultaattype"].endswith(":doel_bereikt")
    assert body["resultaat"]["doelen"] == [{"leefgebied": "veiligheid", "uitkomst": "niet_bereikt"}]
    organisations = {
        r["betrokkeneIdentificatie"]["identificatie"]
        for r in body["rollen"]
        if r["betrokkeneType"] == "organisatorische_eenheid"
    }
    assert organisations == {"gemeente", "politie", "jongerenwerk"}
    persons = [r for r in body["rollen"] if r["betrokkeneType"] == "natuurlijk_persoon"]
    assert len(persons) == 1 and persons[0]["betrokkeneIdentificatie"] == {}
    text = json.dumps(body)
    # No staff or subject names, no birth date: organisations and pseudonyms only.
    for secret in ("Klaassen", "Jantje", "1990-05-17", "wijkagent", "jongerenwerker"):
        assert secret not in text
    assert AccessEvent.objects.filter(
        object_id=str(case.uuid), action="E", outcome="granted", purpose="zgw-export"
    ).exists()


def test_the_schema_rejects_a_wrong_shape(pw: PlanWorld) -> None:
    body = exports.zgw_case(pw.case)
    body["zaak"]["vertrouwelijkheidaanduiding"] = "normaal"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(body, exports.ZGW_CASE_SCHEMA)
    body = exports.zgw_case(pw.case)
    body["rollen"][0]["betrokkeneIdentificatie"]["bsn"] = "123456782"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(body, exports.ZGW_CASE_SCHEMA)


@pytest.mark.parametrize("persona", ["corporatie", "analist", "outsider", "privacy"])
def test_zgw_and_pdf_are_404_without_need_to_know(pw: PlanWorld, persona: str) -> None:
    # corporatie: no participant; analist: a pseudonymised participant (observer);
    # outsider: another municipality; privacy: no case role at all.
    client = client_for(pw.world, persona)
    assert client.get(f"/api/v1/cases/{pw.case.uuid}/zgw").status_code == 404
    assert client.post(f"/api/v1/cases/{pw.case.uuid}/plan-pdf").status_code == 404
    assert client.post(f"/casussen/{pw.case.uuid}/plan/pdf/").status_code == 404
    assert not GeneratedDocument.objects.exists()


def test_break_the_glass_reader_may_not_export(pw: PlanWorld) -> None:
    from wijkregie.tenants.models import Membership

    # A second regisseur of the gemeente who does not take part breaks the glass.
    other = pw.world.users["privacy"]
    Membership.objects.create(
        municipality=pw.world.gm,
        user=other,
        organisation=pw.world.orgs["gemeente"],
        role="regisseur",
    )
    viewer = viewer_of(pw.world, "privacy")
    services.break_glass(viewer=viewer, reference=pw.case.reference, reason="Spoed: melding 112")
    client = client_for(pw.world, "privacy")
    assert client.get(f"/api/v1/cases/{pw.case.uuid}").status_code == 200
    assert client.get(f"/api/v1/cases/{pw.case.uuid}/zgw").status_code == 404


# --- printable plan -----------------------------------------------------------------------


def test_plan_pdf_for_the_requester_while_a_participant(
    pw: PlanWorld, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(pw.world, "wijkagent")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/cases/{pw.case.uuid}/plan-pdf")
    assert response.status_code == 202
    location = response["Location"]
    document = GeneratedDocument.objects.get()
    assert document.kind == DocumentKind.CASE_PLAN and document.status == DocumentStatus.DONE
    assert document.pages and document.pages >= 1
    status = client.get(location).json()
    assert status["status"] == "done" and status["reference"] == pw.case.reference
    pdf = client.get(status["file"]["href"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    content = b"".join(pdf.streaming_content)  # type: ignore[attr-defined]
    assert content.startswith(b"%PDF")
    assert f"plan-van-aanpak-{pw.case.reference.lower()}" in pdf["Content-Disposition"]
    web = client.get(f"/rapportages/{document.uuid}/download/")
    assert web.status_code == 200
    # Another participant, and the regisseur, cannot download the wijkagent's file.
    assert client_for(pw.world, "regisseur").get(status["file"]["href"]).status_code == 404
    # Removed from the case: the file is gone for them too (checked at download time).
    participant = Participant.objects.get(
        case=pw.case, user=pw.world.users["wijkagent"], removed_at=None
    )
    services.participant_remove(
        viewer=viewer_of(pw.world, "regisseur"),
        access=access_for(pw.world, "regisseur", pw.case),
        participant=participant,
        reason="Niet langer betrokken bij de aanpak",
    )
    assert client.get(status["file"]["href"]).status_code == 404
    assert client.get(location).status_code == 404
    assert client.get(f"/rapportages/{document.uuid}/download/").status_code == 404
    assert AccessEvent.objects.filter(
        object_id=str(document.uuid), outcome="denied", action="E"
    ).exists()


def test_plan_pdf_refused_at_render_time_after_removal(pw: PlanWorld, media: Path) -> None:
    viewer = viewer_of(pw.world, "wijkagent")
    access = exports.access_case_export(viewer, pw.case.uuid, purpose=plan_pdf.PDF_PURPOSE)
    document, created = plan_pdf.request_plan_pdf(viewer=viewer, access=access)
    again, created_again = plan_pdf.request_plan_pdf(viewer=viewer, access=access)
    assert created and not created_again and again == document
    participant = Participant.objects.get(
        case=pw.case, user=pw.world.users["wijkagent"], removed_at=None
    )
    services.participant_remove(
        viewer=viewer_of(pw.world, "regisseur"),
        access=access_for(pw.world, "regisseur", pw.case),
        participant=participant,
        reason="Niet langer betrokken bij de aanpak",
    )
    done = tasks.document_run(document_uuid=str(document.uuid))
    assert done is not None and done.status == DocumentStatus.FAILED
    assert "neemt niet meer deel" in done.error


def test_plan_pdf_web_button_queues_and_lists_the_document(
    pw: PlanWorld, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(pw.world, "regisseur")
    plan = client.get(f"/casussen/{pw.case.uuid}/plan/").content.decode()
    assert 'id="plan-pdf-form"' in plan
    assert (
        'id="plan-pdf-form"'
        not in client_for(pw.world, "analist")
        .get(f"/casussen/{pw.case.uuid}/plan/")
        .content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/casussen/{pw.case.uuid}/plan/pdf/")
    assert response.status_code == 302 and response["Location"] == "/rapportages/"
    listing = client.get("/rapportages/").content.decode()
    assert pw.case.reference in listing


def test_render_plan_is_deterministic(pw: PlanWorld) -> None:
    import io

    document = plan_pdf.plan_document(pw.case)
    at = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
    first, second = io.BytesIO(), io.BytesIO()
    assert plan_pdf.render_plan(document, first, generated_at=at) >= 1
    plan_pdf.render_plan(document, second, generated_at=at)
    assert first.getvalue() == second.getvalue()
    assert [a.owner for a in document.actions] == [
        "Jongerenwerk Demodam",
        "Politie basisteam Demodam",
    ]


def test_zgw_dates_are_local_dates_not_utc_dates(pw: PlanWorld) -> None:
    # 23:30 UTC on 10 March is 00:30 on 11 March in Amsterdam: the register, the CSV list
    # and the export must all say 11 March, the date the regisseur saw on the clock.
    _close(pw)
    late = dt.datetime(2026, 3, 10, 23, 30, tzinfo=dt.UTC)
    Case.objects.filter(pk=pw.case.pk).update(created_at=late, closed_at=late)
    body = client_for(pw.world, "regisseur").get(f"/api/v1/cases/{pw.case.uuid}/zgw").json()
    assert body["zaak"]["registratiedatum"] == "2026-03-11"
    assert body["zaak"]["einddatum"] == "2026-03-11"

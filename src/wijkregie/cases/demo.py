"""Demo content of casusregie for the demo municipality (ADR 0020): the default case types,
cases in every phase across the types with participants from several organisations, plans
with goals and actions (some overdue), two case meetings with an agenda and decisions, and one
case closed with its evaluation.

Everything goes through the services (screening -> decision -> case -> participants -> plan ->
phases -> meetings -> closure), acting as the demo personas, so the demo data obey the same
rules and leave the same audit trail as real use. Deterministic for a seed: which signal a
screening starts from is drawn from `random.Random(seed)`, everything else is fixed data;
dates are relative to today (the demo is generated "now").
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.db import models, transaction
from django.utils import timezone

from wijkregie.cases import closure, meeting_services, plan_services, services
from wijkregie.cases.access import CaseAccess, participation
from wijkregie.cases.models import (
    Action,
    Case,
    CaseType,
    Meeting,
    ParticipantRole,
    Screening,
)
from wijkregie.signals.models import LifeDomain, Signal
from wijkregie.tenants.access import Viewer, viewer_for
from wijkregie.tenants.models import Municipality, Organisation, User

REASON = "Besproken in het casusoverleg: meerdere leefgebieden en partners nodig."


@dataclass(frozen=True)
class DemoAction:
    description: str
    owner: str  # organisation slug
    person: str | None  # username of the person carrying it out
    due_in_days: int  # negative: overdue
    status: str = "open"
    goal: int | None = 0  # index into the goals


@dataclass(frozen=True)
class DemoCase:
    case_type: str
    title: str
    phase: str
    nominator: tuple[str, str]  # username, organisation slug
    participants: tuple[tuple[str, str, str], ...]  # username, organisation slug, role
    goals: tuple[tuple[str, str], ...] = ()  # life domain code, text
    actions: tuple[DemoAction, ...] = ()
    confidential: bool = False
    closed: dict[str, str] = field(default_factory=dict)


P, OBS = ParticipantRole.PARTICIPANT.value, ParticipantRole.OBSERVER.value

CASES: tuple[DemoCase, ...] = (
    DemoCase(
        "persoon",
        "Overlast en schulden portiek Noord",
        "aanmelding",
        ("wijkagent", "politie"),
        (),
    ),
    DemoCase(
        "huishouden",
        "Gezin met schoolverzuim en huurachterstand",
        "analyse",
        ("leerplicht", "leerplicht"),
        (("corporatie", "corporatie", P), ("welzijn", "welzijn", OBS)),
        (("onderwijs", "De kinderen gaan weer elke dag naar school"),),
    ),
    DemoCase(
        "top-x",
        "Top X: veelpleger wijk Oost",
        "plan",
        ("wijkagent", "politie"),
        (("handhaver", "handhaving", P), ("analist", "gemeente", OBS)),
        (
            ("veiligheid", "Geen nieuwe woninginbraken in de wijk"),
            ("werk-inkomen", "Een vaste dagbesteding of werkplek"),
        ),
        (
            DemoAction(
                "Persoonsgerichte aanpak: gesprek met de wijkagent", "politie", "wijkagent", 10
            ),
            DemoAction(
                "Traject naar werk aanvragen bij het werkgeversservicepunt",
                "gemeente",
                None,
                21,
                goal=1,
            ),
        ),
    ),
    DemoCase(
        "groep",
        "Jongerengroep winkelcentrum De Hoven",
        "uitvoering",
        ("jongerenwerker", "jongerenwerk"),
        (("wijkagent", "politie", P), ("handhaver", "handhaving", P)),
        (
            ("veiligheid", "Minder overlast rond het winkelcentrum in de avond"),
            ("participatie", "De jongeren hebben een eigen plek in de wijk"),
        ),
        (
            DemoAction(
                "Gebiedsscan van de hangplekken maken", "politie", "wijkagent", -9, status="bezig"
            ),
            DemoAction("Avondrondes samen met handhaving", "handhaving", "handhaver", -3),
            DemoAction(
                "Ruimte in het buurthuis regelen", "jongerenwerk", "jongerenwerker", 14, goal=1
            ),
        ),
    ),
    DemoCase(
        "hotspot",
        "Hotspot parkeerterrein station",
        "monitoring",
        ("handhaver", "handhaving"),
        (("wijkagent", "politie", P), ("corporatie", "corporatie", OBS)),
        (("wonen", "Het parkeerterrein is schoon en verlicht"),),
        (
            DemoAction("Verlichting laten herstellen", "gemeente", None, 7, status="afgerond"),
            DemoAction("Camera-toezicht evalueren", "politie", "wijkagent", -12),
        ),
    ),
    DemoCase(
        "gebiedsthema",
        "Ondermijning bedrijventerrein West",
        "uitvoering",
        ("regisseur", "gemeente"),
        (("wijkagent", "politie", P), ("handhaver", "handhaving", P)),
        (("veiligheid", "Zicht op alle bedrijfspanden van het terrein"),),
        (DemoAction("Integrale controle van vijf panden", "handhaving", "handhaver", 30),),
        confidential=True,
    ),
    DemoCase(
        "persoon",
        "Vereenzaming en vervuilde woning",
        "afgesloten",
        ("corporatie", "corporatie"),
        (("welzijn", "welzijn", P), ("corporatie", "corporatie", P)),
        (
            ("wonen", "De woning is schoon en veilig"),
            ("zorg-welzijn", "Dagelijks contact met het buurtnetwerk"),
        ),
        (
            DemoAction(
                "Schoonmaak van de woning laten uitvoeren",
                "corporatie",
                "corporatie",
                5,
                status="afgerond",
            ),
            DemoAction(
                "Koppelen aan een maatje", "welzijn", "welzijn", 10, status="afgerond", goal=1
            ),
        ),
        closed={
            "result_code": "overgedragen",
            "result": "De woning is op orde; het contact loopt via het welzijnswerk.",
            "outcomes": "bereikt,deels",
            "handover_organisation": "welzijn",
            "handover": "Welzijn en Zorg volgt het contact met het buurtnetwerk maandelijks.",
        },
    ),
)


def _viewer(users: dict[str, User], username: str) -> Viewer:
    viewer = viewer_for(users[username])
    assert viewer is not None, username
    return viewer


def _access(viewer: Viewer, case: Case) -> CaseAccess:
    case = Case.objects.select_related("case_type").get(pk=case.pk)
    return CaseAccess(case=case, participant=participation(viewer, case), break_glass=None)


def _signal(municipality: Municipality, organisation: Organisation, rng: random.Random) -> Signal:
    ids = list(
        Signal.objects.filter(municipality=municipality, owner_organisation=organisation)
        .order_by("id")
        .values_list("id", flat=True)[:200]
    ) or list(
        Signal.objects.filter(municipality=municipality)
        .order_by("id")
        .values_list("id", flat=True)[:200]
    )
    return Signal.objects.get(pk=ids[rng.randrange(len(ids))])


def _start(
    spec: DemoCase,
    *,
    municipality: Municipality,
    users: dict[str, User],
    orgs: dict[str, Organisation],
    types: dict[str, CaseType],
    rng: random.Random,
) -> Case:
    regisseur = _viewer(users, "regisseur")
    nominator = _viewer(users, spec.nominator[0])
    case_type = types[spec.case_type]
    screening = services.screening_create(
        viewer=nominator,
        case_type=case_type,
        organisation=orgs[spec.nominator[1]],
        source="signaal",
        signal=_signal(municipality, orgs[spec.nominator[1]], rng),
        criteria_met=dict.fromkeys(case_type.criteria, True),
    )
    services.screening_decide(
        viewer=regisseur, screening=screening, decision="casus", reasoning=REASON
    )
    return services.case_create_from_screening(
        viewer=regisseur,
        screening=screening,
        title=spec.title,
        confidentiality="vertrouwelijk" if spec.confidential else "normaal",
    )


def _build(
    spec: DemoCase,
    case: Case,
    *,
    users: dict[str, User],
    orgs: dict[str, Organisation],
    domains: dict[str, LifeDomain],
) -> None:
    regisseur = _viewer(users, "regisseur")
    for username, slug, role in spec.participants:
        if participation(_viewer(users, username), case) is None:
            services.participant_add(
                viewer=regisseur,
                access=_access(regisseur, case),
                user=users[username],
                organisation=orgs[slug],
                role=role,
            )
    goals = [
        plan_services.goal_add(
            viewer=regisseur,
            access=_access(regisseur, case),
            life_domain=domains[code],
            description=text,
        )
        for code, text in spec.goals
    ]
    today = timezone.localdate()
    for spec_action in spec.actions:
        action = plan_services.action_add(
            viewer=regisseur,
            access=_access(regisseur, case),
            description=spec_action.description,
            owner_organisation=orgs[spec_action.owner],
            owner_user=users[spec_action.person] if spec_action.person else None,
            due_date=today + dt.timedelta(days=max(spec_action.due_in_days, 1)),
            goal=goals[spec_action.goal] if goals and spec_action.goal is not None else None,
        )
        if spec_action.status != "open":
            actor = _viewer(users, spec_action.person or "regisseur")
            if spec_action.status == "afgerond":
                plan_services.action_progress(
                    viewer=actor,
                    access=_access(actor, case),
                    action=action,
                    status="afgerond",
                    note="Uitgevoerd zoals afgesproken.",
                )
            else:
                plan_services.action_progress(
                    viewer=actor,
                    access=_access(actor, case),
                    action=action,
                    status=spec_action.status,
                    note="Gestart.",
                )
        if spec_action.due_in_days < 0:
            # An overdue action: its due date lies in the past, and it has been quiet since.
            past = today - dt.timedelta(days=-spec_action.due_in_days)
            Action.objects.filter(pk=action.pk).update(
                due_date=past,
                updated_at=timezone.now() - dt.timedelta(days=-spec_action.due_in_days + 7),
            )


def _move(spec: DemoCase, case: Case, *, users: dict[str, User]) -> Case:
    regisseur = _viewer(users, "regisseur")
    target = spec.phase
    phases = case.case_type.phases
    if target != "afgesloten":
        for phase in phases[1 : phases.index(target) + 1]:
            services.case_transition(
                viewer=regisseur, access=_access(regisseur, case), to_phase=phase
            )
        return case
    for phase in phases[1:]:
        services.case_transition(viewer=regisseur, access=_access(regisseur, case), to_phase=phase)
    return case


def _close(
    spec: DemoCase, case: Case, *, users: dict[str, User], orgs: dict[str, Organisation]
) -> None:
    regisseur = _viewer(users, "regisseur")
    outcomes = spec.closed["outcomes"].split(",")
    goals = list(case.goals.order_by("created_at", "id"))
    closure.case_close(
        viewer=regisseur,
        access=_access(regisseur, case),
        result_code=spec.closed["result_code"],
        result=spec.closed["result"],
        goal_outcomes={str(g.uuid): outcomes[i] for i, g in enumerate(goals)},
        handover_organisation=orgs[spec.closed["handover_organisation"]],
        handover=spec.closed["handover"],
    )


def _meetings(cases: list[Case], *, users: dict[str, User], orgs: dict[str, Organisation]) -> None:
    regisseur = _viewer(users, "regisseur")
    today = timezone.localdate()
    held = meeting_services.meeting_create(
        viewer=regisseur,
        title="Casusoverleg Veiligheidshuis",
        date=today - dt.timedelta(days=14),
    )
    coming = meeting_services.meeting_create(
        viewer=regisseur, title="Casusoverleg wijkteam Oost", date=today + dt.timedelta(days=7)
    )
    for meeting in (held, coming):
        for username, slug in (
            ("wijkagent", "politie"),
            ("handhaver", "handhaving"),
            ("jongerenwerker", "jongerenwerk"),
        ):
            meeting_services.attendee_add(
                viewer=regisseur, meeting=meeting, user=users[username], organisation=orgs[slug]
            )
    # The meeting two weeks ago: its agenda, one decision per item, minutes approved.
    decider = f"{regisseur.user.pk}:{held.chair_organisation_id}"
    for item in meeting_services.agenda_generate(viewer=regisseur, meeting=held)[:2]:
        meeting_services.decision_record(
            viewer=regisseur,
            meeting=held,
            item=item,
            text="Besproken; de partners pakken hun acties op voor het volgende overleg.",
            decided_by=decider,
        )
    meeting_services.minutes_approve(viewer=regisseur, meeting=held)
    # The coming meeting: agenda generated, one decision already recorded with a new action.
    items = meeting_services.agenda_generate(viewer=regisseur, meeting=coming)
    group = next((i for i in items if i.case_id == cases[3].pk), None)
    if group is not None:
        meeting_services.decision_record(
            viewer=regisseur,
            meeting=coming,
            item=group,
            text="Politie maakt een plan voor de zomeravonden.",
            decided_by=decider,
            new_action=meeting_services.NewAction(
                description="Plan voor de zomeravonden opstellen",
                owner_organisation=orgs["politie"],
                owner_user=users["wijkagent"],
                due_date=today + dt.timedelta(days=21),
            ),
        )


@transaction.atomic
def create_demo_cases(*, municipality: Municipality, seed: int) -> list[Case]:
    """The demo's case types, cases, plans and meetings (see the module docstring)."""
    types = {t.code: t for t in services.ensure_default_case_types(municipality=municipality)}
    users = {u.username: u for u in User.objects.filter(municipality=municipality)}
    orgs = {o.slug: o for o in Organisation.objects.filter(municipality=municipality)}
    domains = {d.code: d for d in LifeDomain.objects.filter(municipality=municipality)}
    if not Signal.objects.filter(municipality=municipality).exists():
        return []  # a screening starts from a signal: a demo without signals has no cases
    rng = random.Random(seed)
    cases = []
    for spec in CASES:
        case = _start(spec, municipality=municipality, users=users, orgs=orgs, types=types, rng=rng)
        _build(spec, case, users=users, orgs=orgs, domains=domains)
        _move(spec, case, users=users)
        if spec.closed:
            _close(spec, case, users=users, orgs=orgs)
        cases.append(case)
    # Phases past their due date, so that the meeting two weeks ago had them on its agenda.
    today = timezone.localdate()
    for index, days in ((1, 16), (2, 20), (4, 2)):
        Case.objects.filter(pk=cases[index].pk).update(phase_due=today - dt.timedelta(days=days))
    _meetings(cases, users=users, orgs=orgs)
    return cases


def delete_demo_cases(municipality: Municipality) -> None:
    """Remove the demo's case data before its signals, subjects and organisations go. Only for
    the demo reset: append-only histories go with their case (a raw cascade), never one by one."""
    from django.apps import apps

    with transaction.atomic():
        for first in (Meeting, Case, Screening):
            models.QuerySet.delete(first.objects.filter(municipality=municipality))
        # Any other per-municipality configuration of the cases app (escalation ladders, ...)
        # before the case types it points at.
        for model in apps.get_app_config("cases").get_models():
            if model is CaseType or "municipality" not in {f.name for f in model._meta.fields}:
                continue
            models.QuerySet.delete(model._base_manager.filter(municipality=municipality))
        CaseType.objects.filter(municipality=municipality).delete()

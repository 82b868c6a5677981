"""Demo content of the learning circle: Demodam participates, one published practice card,
three published neighbourhood actions and one draft (for the public buurt pages), and the
record of the second meeting of the 'leerkring leefbaarheid en veiligheid'
(23 September 2020), summarised from the public report of that meeting (RONT Management
Consultants for the ministry of BZK, 16 October 2020)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone

from wijkregie.areas.models import FocusArea, Neighbourhood, NeighbourhoodKind
from wijkregie.learning.models import (
    ActionStatus,
    AreaType,
    BenchmarkArea,
    BenchmarkGroupMapping,
    BenchmarkSnapshot,
    CardStatus,
    Meeting,
    MeetingSession,
    Participation,
    PracticeCard,
    PublicAction,
    SessionKind,
)
from wijkregie.signals.models import Category
from wijkregie.tenants.models import Municipality

CIRCLE = "Leerkring leefbaarheid en veiligheid"
# Fixed, so that a second run (or another installation's demo) finds the same card.
DEMO_CARD_UUID = uuid.UUID("6f1d7c1e-3b8a-4c55-9a51-2e0f1c7b9d01")

PARTICIPANTS_2020 = [
    "Amsterdam",
    "Arnhem",
    "Zaanstad",
    "Lelystad",
    "Den Haag",
    "Rotterdam",
    "Schiedam",
    "Utrecht",
    "Nieuwegein",
    "Eindhoven",
    "Groningen",
    "Tilburg",
    "Breda",
    "Heerlen",
    "Leeuwarden",
]

SESSIONS = [
    (
        SessionKind.PLENARY,
        "Stand van zaken programma leefbaarheid en veiligheid",
        "Andy Clijnk (ministerie van BZK)",
        "Actuele stand van zaken en voortgang van het programma leefbaarheid en veiligheid.",
        "",
    ),
    (
        SessionKind.PLENARY,
        "Verkenning en beproeving van gebiedsgerichte handelingsperspectieven (spoor 2)",
        "Jornt van Zuylen (VNG) en Matthijs Uyterlinde (Platform31)",
        "Presentatie van spoor 2 van het programma: gebiedsgerichte handelingsperspectieven "
        "verkennen en beproeven.",
        "",
    ),
    (
        SessionKind.SUB,
        "Governance en rol projectleider",
        "Andy Clijnk (ministerie van BZK)",
        "De rol van de projectleider en bestuurlijk draagvlak voor de integrale "
        "(maatwerk)aanpak van kwetsbare gebieden: hoe de gebiedsgerichte aanpak organisatorisch "
        "vorm krijgt binnen en buiten de gemeentelijke organisatie.",
        "Een duurzame aanpak vraagt governance: beleg rollen, taken en verantwoordelijkheden "
        "zo dat de samenwerking werkt en bijdraagt aan de integrale gebiedsgerichte aanpak.",
    ),
    (
        SessionKind.SUB,
        "Burgers betrekken",
        "Thijs van Mierlo (LSA, Landelijk Samenwerkingsverband Actieve Bewoners)",
        "Hoe bewoners betrokken worden bij het weerbaarder maken van een kwetsbaar gebied.",
        "De kracht van de bewoners is de kracht van het gebied: werk samen met en voor "
        "bewoners aan sociale en economische stijging, en gebruik de kennis en ervaring van "
        "bewoners en ondernemers; zij vangen de eerste signalen op.",
    ),
    (
        SessionKind.SUB,
        "Informatiegestuurd, domeinoverstijgend en gebiedsgericht samenwerken",
        "Frank van Summeren en Joost Vos (RONT Management Consultants)",
        "Meervoudige, complexe problematiek vraagt multidisciplinaire samenwerking en "
        "regievoering door de gemeente: partners stellen een plan van aanpak op, de gemeente "
        "bewaakt uitvoering en voortgang en grijpt in waar nodig.",
        "Regie vraagt een goede informatiepositie: signalen over (groepen) personen en "
        "locaties registreren, delen, bundelen en analyseren, systeeminformatie aanvullen met "
        "straatinformatie (ook van bewoners), zodat interventies gericht en in samenhang "
        "worden ingezet.",
    ),
]


@transaction.atomic
def create_demo_learning(*, municipality: Municipality) -> Meeting:
    """Idempotent: a second call changes nothing."""
    Participation.objects.get_or_create(municipality=municipality)
    card, _ = PracticeCard.objects.get_or_create(
        uuid=DEMO_CARD_UUID,
        defaults={
            "municipality": municipality,
            "source_name": municipality.name,
            "source_code": municipality.cbs_code,
            "title": "Portiekaanpak met buurtconciërge",
            "problem": "Overlast en vervuiling in portieken van een naoorlogse wijk; bewoners "
            "melden weinig omdat ze geen verbetering zien.",
            "approach": "Een buurtconciërge van de corporatie loopt dagelijks de portieken, "
            "pakt kleine gebreken direct op en brengt signalen wekelijks in het gebiedsoverleg "
            "met politie, handhaving en jongerenwerk.",
            "life_domains": ["Veiligheid", "Wonen"],
            "partners": "Woningcorporatie, politie, handhaving, jongerenwerk",
            "effort": "1 fte buurtconciërge, wekelijks gebiedsoverleg van een uur",
            "cost_eur": 65000,
            "area_type": AreaType.NAOORLOGS,
            "lessons": "Zichtbaar en snel herstel vergroot de meldingsbereidheid; spreek vooraf "
            "af wie welke signalen oppakt.",
            "contact_organisation": f"Gemeente {municipality.name}",
            "status": CardStatus.PUBLISHED,
            "period_start": dt.date(2020, 10, 1),
        },
    )
    meeting, created = Meeting.objects.get_or_create(
        municipality=municipality,
        circle=CIRCLE,
        date=dt.date(2020, 9, 23),
        defaults={
            "number": 2,
            "theme": "Voortgang, verkenning en beproeving van gebiedsgerichte "
            "handelingsperspectieven",
            "plenary": "Virtuele bijeenkomst. Plenair: stand van zaken van het programma "
            "(ministerie van BZK) en spoor 2, gebiedsgerichte handelingsperspectieven (VNG en "
            "Platform31). Na een korte pauze drie interactieve subsessies over actuele vragen "
            "in de integrale (maatwerk)aanpak van kwetsbare gebieden. Begeleiding van de "
            "leerkring: RONT Management Consultants, in opdracht van het ministerie van BZK.",
            "participants": PARTICIPANTS_2020,
            "questions": "Hoe organiseer je bestuurlijk draagvlak en governance voor een "
            "integrale gebiedsaanpak? Hoe betrek je bewoners bij het weerbaarder maken van een "
            "gebied? Hoe bouw je als gemeente een informatiepositie op voor regie?",
            "agreements": "Gemeenten delen hun ervaringen met de gebiedsgerichte aanpak in de "
            "volgende bijeenkomsten van de leerkring.",
            "takeaways": "Governance, bewonersbetrokkenheid en een goede informatiepositie zijn "
            "voorwaarden voor een duurzame, integrale aanpak van kwetsbare gebieden; de aanpak "
            "van Rotterdam-Zuid dient als inspiratie.",
        },
    )
    if created:
        for order, (kind, title, facilitators, summary, takeaways) in enumerate(SESSIONS):
            MeetingSession.objects.create(
                meeting=meeting,
                order=order,
                kind=kind,
                title=title,
                facilitators=facilitators,
                summary=summary,
                takeaways=takeaways,
            )
        meeting.cards.add(card)
    create_demo_benchmark_setup(municipality=municipality)
    create_demo_public_actions(municipality=municipality)
    return meeting


# Fixed, so that a second run finds the same actions.
DEMO_ACTION_UUIDS = [
    uuid.UUID("0b6a4c1e-5d2f-4e8a-9c31-7a1d2e3f4a01"),
    uuid.UUID("0b6a4c1e-5d2f-4e8a-9c31-7a1d2e3f4a02"),
    uuid.UUID("0b6a4c1e-5d2f-4e8a-9c31-7a1d2e3f4a03"),
    uuid.UUID("0b6a4c1e-5d2f-4e8a-9c31-7a1d2e3f4a04"),
]


def create_demo_public_actions(*, municipality: Municipality) -> list[PublicAction]:
    """Three published actions and one unpublished draft in the demo buurten (idempotent;
    dates relative to the day of the first run). Nothing when the municipality has no
    buurten."""
    buurten = list(
        Neighbourhood.objects.filter(
            municipality=municipality, kind=NeighbourhoodKind.BUURT
        ).order_by("code")
    )
    if not buurten:
        return []
    areas = {a.name: a for a in FocusArea.objects.filter(municipality=municipality)}
    noordoost = areas.get("Krachtwijk Noordoost")
    station = areas.get("Stationsgebied")
    station_buurten = (
        list(station.neighbourhoods.filter(kind=NeighbourhoodKind.BUURT).order_by("code")[:2])
        if station
        else []
    )
    today = timezone.localdate()
    name = municipality.name
    specs: list[dict[str, Any]] = [
        {
            "title": "Buurtconciërge in de portiekflats",
            "description": "Een buurtconciërge loopt dagelijks langs de portieken, laat kleine "
            "gebreken direct herstellen en spreekt bewoners aan over afval en overlast. Elke "
            "week bespreken gemeente, corporatie, politie en jongerenwerk wat opvalt.",
            "organisations": f"Gemeente {name}, Woonstichting Thuis in {name}",
            "start_date": today - dt.timedelta(days=120),
            "end_date": today + dt.timedelta(days=240),
            "status": ActionStatus.ONGOING,
            "focus_area": noordoost,
            "buurten": [] if noordoost else buurten[:1],
            "published": True,
        },
        {
            "title": "Meer licht en toezicht rond het station",
            "description": "Op donkere plekken rond het station komt betere verlichting. "
            "Boa's lopen 's avonds vaker een ronde en de gemeente snoeit struiken die het "
            "zicht ontnemen.",
            "organisations": f"Gemeente {name}, Team Handhaving (BOA) {name}",
            "start_date": today + dt.timedelta(days=30),
            "end_date": None,
            "status": ActionStatus.PLANNED,
            "focus_area": None,
            "buurten": station_buurten or buurten[-1:],
            "published": True,
        },
        {
            "title": "Opschoondag en nieuwe ondergrondse containers",
            "description": "Bewoners en de gemeente ruimden samen de groenstroken op. Bij de "
            "flats staan nu ondergrondse containers, zodat er minder afval naast ligt.",
            "organisations": f"Gemeente {name}, bewonersvereniging",
            "start_date": today - dt.timedelta(days=200),
            "end_date": today - dt.timedelta(days=30),
            "status": ActionStatus.DONE,
            "focus_area": None,
            "buurten": buurten[:2],
            "published": True,
        },
        {
            "title": "Ontmoetingsplek voor jongeren (concept)",
            "description": "Idee: een overdekte ontmoetingsplek met jongerenwerk op vaste "
            "avonden. Nog in overleg met bewoners.",
            "organisations": f"Gemeente {name}, Welzijn en Zorg {name}",
            "start_date": today + dt.timedelta(days=90),
            "end_date": None,
            "status": ActionStatus.PLANNED,
            "focus_area": None,
            "buurten": buurten[:1],
            "published": False,
        },
    ]
    actions = []
    for action_uuid, spec in zip(DEMO_ACTION_UUIDS, specs, strict=True):
        hoods = spec.pop("buurten")
        action, created = PublicAction.objects.get_or_create(
            uuid=action_uuid,
            defaults={
                "municipality": municipality,
                **spec,
                "published_at": timezone.now() if spec["published"] else None,
            },
        )
        if created:
            action.neighbourhoods.set(hoods)
        actions.append(action)
    return actions


# The demo's category codes -> shared benchmark groups (benchmark_definitions.CATEGORY_GROUPS).
DEMO_GROUPS = {
    "overlast": "overlast",
    "overlast-jeugd": "jeugdoverlast",
    "criminaliteit": "criminaliteit",
    "woonoverlast": "woonoverlast",
    "woonfraude": "woonfraude",
    "openbare-ruimte": "openbare-ruimte",
    "zorgsignaal": "zorg",
    "verzuim": "schoolverzuim",
    "schulden": "schulden",
}


def create_demo_benchmark_setup(*, municipality: Municipality) -> None:
    """Map the demo categories to the shared groups and put every focus area in the benchmark
    (idempotent). Publishing stays a user action: `wijkregie publish-benchmarks`."""
    for category in Category.objects.filter(municipality=municipality, code__in=DEMO_GROUPS):
        BenchmarkGroupMapping.objects.get_or_create(
            municipality=municipality,
            category=category,
            defaults={"group": DEMO_GROUPS[category.code]},
        )
    for area in FocusArea.objects.filter(municipality=municipality):
        BenchmarkArea.objects.get_or_create(
            focus_area=area,
            defaults={"municipality": municipality, "area_type": AreaType.NAOORLOGS},
        )


def delete_demo_learning(municipality: Municipality) -> None:
    BenchmarkSnapshot.objects.filter(municipality=municipality).delete()
    BenchmarkArea.objects.filter(municipality=municipality).delete()
    BenchmarkGroupMapping.objects.filter(municipality=municipality).delete()
    Meeting.objects.filter(municipality=municipality).delete()
    PublicAction.objects.filter(municipality=municipality).delete()
    PracticeCard.objects.filter(municipality=municipality).delete()
    Participation.objects.filter(municipality=municipality).delete()

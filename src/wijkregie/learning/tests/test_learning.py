"""The learning circle: visibility across municipalities, review before publishing, the
JSON exchange, the effect page and the stored effect (no small counts), meetings."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from wijkregie.analysis.models import AreaStatistic
from wijkregie.learning import services
from wijkregie.learning.demo import create_demo_learning
from wijkregie.learning.models import CardStatus, Meeting, Participation, PracticeCard
from wijkregie.privacy.models import AuditEvent
from wijkregie.tenants.access import viewer_for
from wijkregie.testing.personas import World

READERS = {"regisseur", "analist", "beheerder"}
NO_NEED = {"wijkagent", "corporatie", "jongerenwerker", "privacy"}


def client_for(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


def make_card(world: World, persona: str = "regisseur", **extra: Any) -> PracticeCard:
    viewer = viewer_for(world.users[persona])
    assert viewer is not None
    data = services.CardData(
        title="Portiekaanpak",
        problem="Overlast in portieken",
        approach="Buurtconciërge en wekelijks overleg",
        life_domains=["Veiligheid"],
        area_type="naoorlogs",
        contact_organisation="Gemeente Demodam",
        focus_areas=[world.focus],
        **extra,
    )
    return services.card_save(viewer=viewer, data=data)


def publish(world: World, card: PracticeCard) -> PracticeCard:
    author = viewer_for(world.users["regisseur"])
    reviewer = viewer_for(world.users["beheerder"])
    assert author is not None and reviewer is not None
    services.card_submit(viewer=author, card=card)
    return services.card_review(viewer=reviewer, card=card, approve=True, note="")


def urls_for(card: PracticeCard, meeting: Meeting) -> list[str]:
    return [
        "/leerkring/",
        "/leerkring/export.json",
        "/leerkring/bijeenkomsten/",
        f"/leerkring/bijeenkomsten/{meeting.uuid}/",
        f"/leerkring/kaarten/{card.uuid}/",
        f"/leerkring/kaarten/{card.uuid}/export.json",
    ]


@pytest.mark.parametrize("persona", sorted(READERS | NO_NEED | {"outsider"}))
def test_every_view_per_persona(circle: World, persona: str) -> None:
    card = publish(circle, make_card(circle))
    meeting = create_demo_learning(municipality=circle.gm)
    client = client_for(circle, persona)
    for url in urls_for(card, meeting):
        expected = 200 if persona in READERS else 404
        assert client.get(url).status_code == expected, url
    editor = persona in {"regisseur", "beheerder"}
    for url in (
        "/leerkring/kaarten/nieuw/",
        "/leerkring/importeren/",
        f"/leerkring/kaarten/{card.uuid}/bewerken/",
    ):
        assert client.get(url).status_code == (200 if editor else 404), url
    effect = client.get("/leerkring/effectmeting/")
    assert effect.status_code == (200 if persona in {"regisseur", "analist"} else 404)
    for url in (
        f"/leerkring/kaarten/{card.uuid}/indienen/",
        f"/leerkring/kaarten/{card.uuid}/intrekken/",
        f"/leerkring/kaarten/{card.uuid}/beoordelen/",
    ):
        response = client.post(url, {"decision": "publish"})
        assert response.status_code == (302 if editor else 404) or (
            editor and response.status_code == 400
        ), url


def test_outsider_in_the_circle_sees_published_cards_only(circle: World) -> None:
    Participation.objects.create(municipality=circle.other_gm)
    published = publish(circle, make_card(circle))
    draft = make_card(circle, cost_eur=100)
    client = client_for(circle, "outsider")
    listing = client.get("/leerkring/").content.decode()
    assert str(published.uuid) in listing and str(draft.uuid) not in listing
    assert client.get(f"/leerkring/kaarten/{draft.uuid}/").status_code == 404
    assert client.get(f"/leerkring/kaarten/{draft.uuid}/bewerken/").status_code == 404
    assert client.post(f"/leerkring/kaarten/{published.uuid}/intrekken/").status_code == 404
    page = client.get(f"/leerkring/kaarten/{published.uuid}/")
    assert page.status_code == 200
    body = page.content.decode()
    # Nothing of Demodam's internals: no focus area, no users, no link to its pages.
    assert str(circle.focus.uuid) not in body
    assert circle.focus.name not in body.replace("Noordelijk", "")
    assert "regisseur" not in body.lower().replace("regisseur / projectleider", "")
    # The effect page of a Demodam focus area is 404 for the outsider.
    effect = client.get(
        "/leerkring/effectmeting/",
        {"focus_area": str(circle.focus.uuid), "categories": "overlast", "start": "2025-01"},
    )
    assert effect.status_code == 404
    export = json.loads(client.get("/leerkring/export.json").content)
    assert [c["uuid"] for c in export["cards"]] == [str(published.uuid)]


def test_a_card_leaves_the_owner_only_when_its_municipality_participates(circle: World) -> None:
    card = publish(circle, make_card(circle))
    Participation.objects.create(municipality=circle.other_gm)
    outsider = client_for(circle, "outsider")
    assert outsider.get(f"/leerkring/kaarten/{card.uuid}/").status_code == 200
    Participation.objects.filter(municipality=circle.gm).update(active=False)
    assert outsider.get(f"/leerkring/kaarten/{card.uuid}/").status_code == 404


def test_review_needs_a_second_person_and_is_audited(circle: World) -> None:
    card = make_card(circle)
    regisseur = viewer_for(circle.users["regisseur"])
    beheerder = viewer_for(circle.users["beheerder"])
    assert regisseur is not None and beheerder is not None
    services.card_submit(viewer=regisseur, card=card)
    with pytest.raises(ValidationError) as info:
        services.card_review(viewer=regisseur, card=card, approve=True, note="")
    assert info.value.code == "four_eyes"
    with pytest.raises(ValidationError):
        services.card_review(viewer=beheerder, card=card, approve=False, note="kort")
    services.card_review(
        viewer=beheerder, card=card, approve=False, note="Graag de kosten invullen"
    )
    card.refresh_from_db()
    assert card.status == CardStatus.DRAFT
    publish(circle, card)
    card.refresh_from_db()
    assert card.status == CardStatus.PUBLISHED and card.published_at is not None
    actions = list(
        AuditEvent.objects.filter(object_id=str(card.uuid)).values_list("action", flat=True)
    )
    assert actions.count("card_submit") == 2
    assert "card_reject" in actions and "card_publish" in actions and "create" in actions
    # Editing a published card takes it back to draft.
    services.card_save(
        viewer=regisseur,
        card=card,
        data=services.CardData(
            title="Portiekaanpak 2",
            problem="p",
            approach="a",
            area_type="naoorlogs",
            contact_organisation="Gemeente Demodam",
        ),
    )
    card.refresh_from_db()
    assert card.status == CardStatus.DRAFT and card.published_at is None


def test_review_in_the_browser_flow_without_javascript(circle: World) -> None:
    regisseur = client_for(circle, "regisseur")
    response = regisseur.post(
        "/leerkring/kaarten/nieuw/",
        {
            "title": "Straatcoaches",
            "problem": "Jeugdoverlast op het plein",
            "approach": "Straatcoaches in de avond",
            "area_type": "centrum",
            "contact_organisation": "Gemeente Demodam",
            "focus_areas": [str(circle.focus.uuid)],
        },
    )
    assert response.status_code == 302
    card = PracticeCard.objects.get(title="Straatcoaches")
    assert card.area_figures == {"buurten": 2}
    regisseur.post(f"/leerkring/kaarten/{card.uuid}/indienen/")
    refused = regisseur.post(f"/leerkring/kaarten/{card.uuid}/beoordelen/", {"decision": "publish"})
    assert refused.status_code == 400
    beheerder = client_for(circle, "beheerder")
    assert (
        beheerder.post(
            f"/leerkring/kaarten/{card.uuid}/beoordelen/", {"decision": "publish"}
        ).status_code
        == 302
    )
    card.refresh_from_db()
    assert card.status == CardStatus.PUBLISHED


@pytest.mark.parametrize(
    "text",
    ["Bel 06-12345678 voor info", "Mail jan@example.nl", "BSN 111222333 in dossier"],
)
def test_cards_refuse_personal_data(circle: World, text: str) -> None:
    with pytest.raises(ValidationError) as info:
        make_card(circle, lessons=text)
    assert "persoonsgegevens" in str(info.value)


def test_export_import_round_trip_is_idempotent(circle: World) -> None:
    card = publish(circle, make_card(circle, cost_eur=5000))
    Participation.objects.create(municipality=circle.other_gm)
    payload = services.export_payload([card])
    assert payload["schema"] == services.SCHEMA and payload["version"] == 1
    exported = payload["cards"][0]
    assert "focus_areas" not in exported and "cases" not in exported
    assert str(circle.focus.uuid) not in json.dumps(payload)
    assert circle.users["regisseur"].username not in json.dumps(payload)
    # The same uuid already lives here as a local card: refused, nothing written.
    outsider = viewer_for(circle.users["outsider"])
    assert outsider is not None
    with pytest.raises(ValidationError) as info:
        services.import_cards(viewer=outsider, payload=payload)
    assert "cards[0].uuid" in info.value.message_dict
    # As from another installation: a new uuid.
    exported["uuid"] = "0b9e0d8e-5a53-4d0e-9f4a-1f6c1c4b2a11"
    first = services.import_cards(viewer=outsider, payload=payload)
    again = services.import_cards(viewer=outsider, payload=payload)
    exported["lessons"] = "Nieuwe les"
    changed = services.import_cards(viewer=outsider, payload=payload)
    assert (first.created, again.unchanged, changed.updated) == (1, 1, 1)
    imported = PracticeCard.objects.get(uuid=exported["uuid"])
    assert imported.origin == "geimporteerd" and imported.status == CardStatus.PUBLISHED
    assert imported.source_name == "Demodam" and imported.municipality_id == circle.other_gm.pk
    # Read-only where it was imported.
    client = client_for(circle, "outsider")
    assert client.get(f"/leerkring/kaarten/{imported.uuid}/bewerken/").status_code == 404


def test_import_validation_in_dutch(circle: World) -> None:
    viewer = viewer_for(circle.users["regisseur"])
    assert viewer is not None
    with pytest.raises(ValidationError) as info:
        services.import_cards(viewer=viewer, payload={"schema": "x", "version": 9, "cards": []})
    errors = info.value.message_dict
    assert "Dit is geen export van praktijkkaarten." in errors["schema"]
    assert "Versie 9 wordt niet ondersteund (verwacht: 1)." in errors["version"]
    bad = {
        "schema": services.SCHEMA,
        "version": 1,
        "cards": [
            {
                "uuid": "nope",
                "title": "",
                "area_type": "maan",
                "signals": [1],
                "municipality": {"name": "X", "code": "Q1"},
                "lessons": "mail a@b.nl",
                "measured_effect": {"effect": -0.2, "names": ["Jan"], "conclusion": "decrease"},
            }
        ],
    }
    with pytest.raises(ValidationError) as info:
        services.import_cards(viewer=viewer, payload=bad)
    errors = info.value.message_dict
    assert errors["cards[0]"] == ["Onbekende velden: signals."]
    assert "cards[0].uuid" in errors and "cards[0].title" in errors
    assert "cards[0].area_type" in errors and "cards[0].lessons" in errors
    assert "cards[0].municipality" in errors and "cards[0].measured_effect" in errors
    assert not PracticeCard.objects.exists()
    # The web upload shows the same errors.
    client = client_for(circle, "regisseur")
    upload = client.post(
        "/leerkring/importeren/",
        {"file": _file(json.dumps(bad).encode())},
    )
    assert upload.status_code == 400
    assert "cards[0].area_type" in upload.content.decode()
    assert client.post("/leerkring/importeren/", {"file": _file(b"{nee")}).status_code == 400


def _file(content: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("kaarten.json", content, content_type="application/json")


def _stats(world: World, residents: int = 2_000) -> None:
    for hood in world.buurten.values():
        AreaStatistic.objects.create(
            code=hood.code, kind="buurt", year=2024, residents=residents, values={}
        )


def test_effect_page_states_when_the_data_cannot_tell(circle: World) -> None:
    _stats(circle)
    start = timezone.localdate().replace(day=1) - dt.timedelta(days=60)
    client = client_for(circle, "regisseur")
    response = client.get(
        "/leerkring/effectmeting/",
        {
            "focus_area": str(circle.focus.uuid),
            "categories": ["overlast-jeugd"],
            "start": start.strftime("%Y-%m"),
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "De gegevens kunnen het niet zeggen" in body
    assert "te weinig vergelijkbare buurten" in body
    assert "<svg" in body and 'role="img"' in body
    assert "style=" not in body and "<script>" not in body


def test_small_counts_are_suppressed_on_the_page_and_never_published(circle: World) -> None:
    """The analist's chart hides counts below the threshold; the effect stored on a card has
    no count below the threshold (nor a rate derived from one), whoever measured it; and the
    outsider's view and the export of the published card show none either."""
    from wijkregie.testing.personas import make_signal

    _stats(circle)
    start = timezone.localdate().replace(day=1) - dt.timedelta(days=40)
    start = start.replace(day=1)
    # 100 days: always before the start (40 to about 92 days ago), whatever the time of day
    make_signal(circle, owner="gemeente", category="overlast-jeugd", buurt="04", days_ago=100)
    make_signal(circle, owner="politie", category="overlast-jeugd", buurt="01", days_ago=100)
    params = {
        "focus_area": str(circle.focus.uuid),
        "categories": ["overlast-jeugd"],
        "start": start.strftime("%Y-%m"),
    }
    analist = client_for(circle, "analist").get("/leerkring/effectmeting/", params)
    assert analist.status_code == 200
    assert "&lt;5" in analist.content.decode()
    card = make_card(circle)
    stored = client_for(circle, "regisseur").post(
        "/leerkring/effectmeting/", {**params, "card": str(card.uuid)}
    )
    assert stored.status_code == 302
    card.refresh_from_db()
    measured = card.measured_effect
    assert measured is not None
    threshold = settings.SMALL_COUNT_THRESHOLD
    for key, rate in services.RATE_OF_COUNT.items():
        value = measured[key]
        assert value is None or value == 0 or value >= threshold, key
        if value is None:
            assert measured[rate] is None
    assert measured["treated_pre_count"] is None  # 1 shared police signal in Noord: suppressed
    publish(circle, card)
    Participation.objects.create(municipality=circle.other_gm)
    exported = services.export_payload([card])["cards"][0]["measured_effect"]
    assert all(
        exported[k] is None or exported[k] == 0 or exported[k] >= threshold
        for k in services.COUNT_KEYS
    )
    # An import cannot bring a small count in either.
    suppressed = services.suppress_effect({"treated_pre_count": 2, "treated_pre_rate": 0.1})
    assert suppressed == {"treated_pre_count": None, "treated_pre_rate": None}
    outsider_page = client_for(circle, "outsider").get(f"/leerkring/kaarten/{card.uuid}/")
    assert outsider_page.status_code == 200


def test_the_effect_can_only_be_stored_on_own_editable_cards(circle: World) -> None:
    _stats(circle)
    card = make_card(circle)
    params = {
        "focus_area": str(circle.focus.uuid),
        "categories": ["overlast-jeugd"],
        "start": "2025-01",
        "card": str(card.uuid),
    }
    assert client_for(circle, "analist").post("/leerkring/effectmeting/", params).status_code in (
        200,
        400,
        404,
    )
    card.refresh_from_db()
    assert card.measured_effect is None


def test_demo_meeting(circle: World) -> None:
    meeting = create_demo_learning(municipality=circle.gm)
    assert create_demo_learning(municipality=circle.gm).pk == meeting.pk
    assert meeting.date == dt.date(2020, 9, 23)
    sessions = list(meeting.sessions.all())
    assert len([s for s in sessions if s.kind == "subsessie"]) == 3
    assert {s.title for s in sessions} >= {
        "Governance en rol projectleider",
        "Burgers betrekken",
        "Informatiegestuurd, domeinoverstijgend en gebiedsgericht samenwerken",
    }
    assert "Heerlen" in meeting.participants
    page = client_for(circle, "analist").get(f"/leerkring/bijeenkomsten/{meeting.uuid}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "23 september 2020" in body and "Burgers betrekken" in body
    assert "Portiekaanpak met buurtconciërge" in body
    assert (
        client_for(circle, "outsider").get(f"/leerkring/bijeenkomsten/{meeting.uuid}/").status_code
        == 404
    )


def test_search_and_filters(circle: World) -> None:
    publish(circle, make_card(circle))
    make_card(circle, lessons="Samen met de school", cost_eur=10)
    client = client_for(circle, "regisseur")
    assert "Samen met de school" not in client.get("/leerkring/").content.decode()
    found = client.get("/leerkring/", {"q": "school"}).content.decode()
    assert found.count('data-card="') == 1
    assert (
        client.get("/leerkring/", {"status": "gepubliceerd"}).content.decode().count('data-card="')
        == 1
    )
    assert (
        client.get("/leerkring/", {"domain": "Veiligheid"}).content.decode().count('data-card="')
        == 2
    )
    assert (
        client.get("/leerkring/", {"area_type": "centrum"}).content.decode().count('data-card="')
        == 0
    )
    assert (
        client.get("/leerkring/", {"with_effect": "on"}).content.decode().count('data-card="') == 0
    )


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (
            {"conclusion": "decrease", "effect": -0.2, "ci_low": -0.3, "ci_high": -0.1},
            "Na de start daalden de signalen per 1.000 inwoners in het gebied ten opzichte van "
            "vergelijkbare buurten: -20,0% (95%-interval -30,0% tot -10,0%).",
        ),
        (
            {"conclusion": "increase", "effect": 0.15, "ci_low": 0.05, "ci_high": 0.25},
            "Na de start stegen de signalen per 1.000 inwoners in het gebied ten opzichte van "
            "vergelijkbare buurten: +15,0% (95%-interval +5,0% tot +25,0%).",
        ),
        (
            {"conclusion": "no_effect_detected", "effect": -0.05, "ci_low": -0.2, "ci_high": 0.1},
            "Geen duidelijk effect: de schatting is -5,0%, maar het 95%-interval (-20,0% tot "
            "+10,0%) bevat nul.",
        ),
        (
            {"conclusion": "cannot_tell", "reasons": ["too_few_controls", "interval_too_wide"]},
            "De gegevens kunnen het niet zeggen: te weinig vergelijkbare buurten zonder "
            "interventie; het onzekerheidsinterval is te breed.",
        ),
    ],
)
def test_plain_statements(values: dict[str, Any], expected: str) -> None:
    from wijkregie.learning.views import effect_statement

    assert effect_statement(values) == expected


NAV_LINK = 'href="/leerkring/"'


@pytest.mark.parametrize("persona", ["regisseur", "analist", "beheerder"])
def test_the_main_navigation_offers_the_circle_only_to_participants(
    world: World, persona: str
) -> None:
    client = client_for(world, persona)
    assert NAV_LINK not in client.get("/").content.decode()  # it would lead to a 404
    assert client.get("/leerkring/").status_code == 404
    Participation.objects.create(municipality=world.gm)
    assert NAV_LINK in client.get("/").content.decode()
    assert client.get("/leerkring/").status_code == 200


@pytest.mark.parametrize("persona", ["wijkagent", "privacy", "outsider"])
def test_the_main_navigation_never_offers_the_circle_to_others(world: World, persona: str) -> None:
    Participation.objects.create(municipality=world.gm)
    assert NAV_LINK not in client_for(world, persona).get("/").content.decode()

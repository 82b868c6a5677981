"""Public neighbourhood actions (wijkacties): the regisseur or beheerder of a municipality
writes, publishes and withdraws them (whether or not it takes part in the learning circle),
everyone else gets 404; the public buurt page shows the published ones that include the buurt,
without who wrote them and without personal data."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from wijkregie.areas.models import FocusArea, Neighbourhood
from wijkregie.learning import services
from wijkregie.learning.demo import create_demo_public_actions, delete_demo_learning
from wijkregie.learning.models import ActionStatus, Participation, PublicAction
from wijkregie.learning.public_selectors import public_actions
from wijkregie.privacy.models import AuditEvent
from wijkregie.tenants.access import Viewer, viewer_for
from wijkregie.testing.personas import World

LIST = "/leerkring/wijkacties/"
CREATE = "/leerkring/wijkacties/nieuw/"
BUURT_1 = "/wijk/GM9999/BU99990101/"
BUURT_2 = "/wijk/GM9999/BU99990102/"
BUURT_3 = "/wijk/GM9999/BU99990201/"
WRONG_ROLES = ("analist", "wijkagent", "corporatie", "jongerenwerker", "privacy")
NO_ACCESS = (*WRONG_ROLES, "outsider")  # the outsider: a regisseur of Elders


def viewer(world: World, persona: str = "regisseur") -> Viewer:
    found = viewer_for(world.users[persona])
    assert found is not None
    return found


def data(world: World, **extra: Any) -> services.ActionData:
    values: dict[str, Any] = {
        "title": "Buurtconciërge in de portieken",
        "description": "Een buurtconciërge loopt dagelijks langs de portieken.",
        "organisations": "Gemeente Demodam, Woonstichting Demodam",
        "start_date": dt.date(2026, 9, 1),
        "end_date": dt.date(2027, 6, 30),
        "status": ActionStatus.ONGOING,
        "neighbourhoods": [world.buurten["01"]],
    }
    values.update(extra)
    return services.ActionData(**values)


def make_action(
    world: World, persona: str = "regisseur", *, publish: bool = False, **extra: Any
) -> PublicAction:
    who = viewer(world, persona)
    action = services.action_save(viewer=who, data=data(world, **extra))
    if publish:
        services.action_publish(viewer=who, action=action)
    return action


def client_for(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


def form_post(world: World, **extra: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "title": "Meer licht op het plein",
        "description": "Nieuwe lantaarnpalen en gesnoeide struiken.",
        "organisations": "Gemeente Demodam",
        "start_date": "2026-10-01",
        "end_date": "",
        "status": "gepland",
        "neighbourhoods": [str(world.buurten["01"].uuid), str(world.buurten["03"].uuid)],
        "focus_area": "",
    }
    values.update(extra)
    return values


def section(html: str, section_id: str) -> str:
    found = re.search(rf'<section[^>]*id="{section_id}".*?</section>', html, re.S)
    assert found is not None
    return found.group(0)


# --- services -------------------------------------------------------------------------------


def test_save_creates_an_unpublished_action_and_audits(world: World) -> None:
    action = make_action(world)
    assert action.municipality_id == world.gm.pk
    assert not action.published and action.published_at is None
    assert list(action.neighbourhoods.all()) == [world.buurten["01"]]
    assert action.created_by == world.users["regisseur"]
    event = AuditEvent.objects.get(action="create", object_type="learning.publicaction")
    assert event.object_id == str(action.uuid) and event.changes == {
        "published": False,
        "buurten": 1,
    }


def test_every_validation_error_at_once_in_dutch(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        services.action_save(
            viewer=viewer(world),
            data=data(
                world,
                title="  ",
                description="Bel 06-12345678 of mail info@example.nl",
                organisations="x" * 301,
                start_date=dt.date(2026, 9, 1),
                end_date=dt.date(2026, 8, 31),
                status="bezig",
                neighbourhoods=[],
            ),
        )
    errors = exc.value.message_dict
    assert errors["title"] == ["Vul een titel in."]
    assert "persoonsgegevens" in errors["description"][0]
    assert errors["organisations"] == ["De tekst is te lang: maximaal 300 tekens."]
    assert errors["end_date"] == ["De einddatum ligt voor de begindatum."]
    assert errors["status"] == ["Kies een status: gepland, loopt nu of afgerond."]
    assert errors["neighbourhoods"] == [
        "Kies ten minste één buurt van uw gemeente (of een focusgebied met buurten)."
    ]
    assert not PublicAction.objects.exists() and not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("title", "Aanpak voor 111222333"),  # a valid BSN
        ("description", "Vragen? Mail naar j.jansen@demodam.nl"),
        ("organisations", "Gemeente Demodam, tel. 0612345678"),
        ("description", "Bel ons op +31 33 123 4567"),
    ],
)
def test_texts_with_personal_data_are_refused(world: World, name: str, text: str) -> None:
    with pytest.raises(ValidationError) as exc:
        services.action_save(viewer=viewer(world), data=data(world, **{name: text}))
    assert exc.value.error_dict[name][0].code == "personal_data"


def test_only_buurten_and_focus_areas_of_the_own_municipality(world: World) -> None:
    elders_buurt = Neighbourhood.objects.create(
        municipality=world.other_gm, code="BU99980101", kind="buurt", name="Elders-Centrum"
    )
    elders_area = FocusArea.objects.create(municipality=world.other_gm, name="Elders-Noord")
    elders_area.neighbourhoods.set([elders_buurt])
    wijk = world.buurten["01"].parent
    assert wijk is not None
    for hoods in ([elders_buurt], [world.buurten["01"], wijk]):
        with pytest.raises(ValidationError) as exc:
            services.action_save(viewer=viewer(world), data=data(world, neighbourhoods=hoods))
        assert exc.value.message_dict["neighbourhoods"] == ["Kies alleen buurten van uw gemeente."]
    with pytest.raises(ValidationError) as exc:
        services.action_save(
            viewer=viewer(world), data=data(world, neighbourhoods=[], focus_area=elders_area)
        )
    assert exc.value.message_dict["focus_area"] == ["Kies een focusgebied van uw gemeente."]
    # A focus area of one's own with buurten is enough on its own.
    action = services.action_save(
        viewer=viewer(world), data=data(world, neighbourhoods=[], focus_area=world.focus)
    )
    assert action.focus_area == world.focus and not action.neighbourhoods.exists()


def test_publish_and_withdraw_are_audited(world: World) -> None:
    action = make_action(world)
    services.action_publish(viewer=viewer(world, "beheerder"), action=action)
    action.refresh_from_db()
    assert action.published and action.published_at is not None
    assert action.published_by == world.users["beheerder"]
    event = AuditEvent.objects.get(action="wijkactie_publish")
    assert event.object_id == str(action.uuid) and event.user == world.users["beheerder"]
    assert event.changes == {"published": [False, True]}
    with pytest.raises(ValidationError, match="al gepubliceerd"):
        services.action_publish(viewer=viewer(world), action=action)
    services.action_withdraw(viewer=viewer(world), action=action)
    action.refresh_from_db()
    assert not action.published and action.published_at is None and action.published_by is None
    event = AuditEvent.objects.get(action="wijkactie_withdraw")
    assert event.changes == {"published": [True, False]}
    with pytest.raises(ValidationError, match="niet gepubliceerd"):
        services.action_withdraw(viewer=viewer(world), action=action)


def test_publish_checks_the_action_again(world: World) -> None:
    action = make_action(world, neighbourhoods=[], focus_area=world.focus)
    world.focus.neighbourhoods.clear()  # the focus area lost its buurten since
    with pytest.raises(ValidationError) as exc:
        services.action_publish(viewer=viewer(world), action=action)
    assert "neighbourhoods" in exc.value.message_dict
    action.refresh_from_db()
    assert not action.published


def test_editing_a_published_action_keeps_it_published_and_is_audited(world: World) -> None:
    action = make_action(world, publish=True)
    published_at = action.published_at
    services.action_save(
        viewer=viewer(world, "beheerder"),
        data=data(
            world,
            title="Buurtconciërge, ook op zaterdag",
            status=ActionStatus.DONE,
            neighbourhoods=[world.buurten["02"]],
        ),
        action=action,
    )
    action.refresh_from_db()
    assert action.published and action.published_at == published_at
    event = AuditEvent.objects.get(action="update", object_id=str(action.uuid))
    assert event.user == world.users["beheerder"]
    assert event.changes["published"] is True
    assert event.changes["fields"] == ["status", "title"]
    assert event.changes["status"] == ["lopend", "afgerond"]
    assert event.changes["buurten"] == {"added": ["BU99990102"], "removed": ["BU99990101"]}


def test_services_refuse_other_roles_and_municipalities(world: World) -> None:
    action = make_action(world)
    for persona in NO_ACCESS:
        who = viewer(world, persona)
        with pytest.raises(ValidationError):
            services.action_save(viewer=who, data=data(world))
        with pytest.raises(ValidationError):
            services.action_save(viewer=who, data=data(world), action=action)
        with pytest.raises(ValidationError):
            services.action_publish(viewer=who, action=action)
    action.refresh_from_db()
    assert not action.published and PublicAction.objects.count() == 1


# --- staff pages ----------------------------------------------------------------------------


def test_regisseur_writes_publishes_and_withdraws_without_the_circle(world: World) -> None:
    assert not Participation.objects.exists()  # not in the learning circle: still allowed
    client = client_for(world, "regisseur")
    listing = client.get(LIST)
    assert listing.status_code == 200
    html = listing.content.decode()
    assert 'id="action-create"' in html and 'id="actions-empty"' in html
    assert 'class="wr-subnav"' not in html  # the circle's menu only for participants
    page = client.get(CREATE)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'value="Gemeente Demodam"' in html and "Buurt 1 (Wijk 1)" in html
    assert "<script>" not in html and 'style="' not in html and "novalidate" in html
    response = client.post(CREATE, form_post(world))
    assert response.status_code == 302 and response["Location"] == LIST
    action = PublicAction.objects.get()
    assert action.title == "Meer licht op het plein" and action.end_date is None
    assert action.status == ActionStatus.PLANNED and not action.published
    assert set(action.neighbourhoods.all()) == {world.buurten["01"], world.buurten["03"]}
    html = client.get(LIST).content.decode()
    assert "Meer licht op het plein" in html and f"/wijkacties/{action.uuid}/publiceren/" in html
    assert "/wijk/GM9999/BU99990101/" in html
    edit = f"/leerkring/wijkacties/{action.uuid}/bewerken/"
    assert 'value="Meer licht op het plein"' in client.get(edit).content.decode()
    response = client.post(edit, form_post(world, title="Meer licht", focus_area=world.focus.uuid))
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.title == "Meer licht" and action.focus_area == world.focus
    response = client.post(f"/leerkring/wijkacties/{action.uuid}/publiceren/", follow=True)
    assert "gepubliceerd" in response.content.decode()
    action.refresh_from_db()
    assert action.published
    assert 'id="action-published-note"' in client.get(edit).content.decode()
    assert "Meer licht" in Client().get(BUURT_3).content.decode()
    client.post(f"/leerkring/wijkacties/{action.uuid}/intrekken/")
    action.refresh_from_db()
    assert not action.published
    assert "Meer licht" not in Client().get(BUURT_3).content.decode()
    actions = list(
        AuditEvent.objects.filter(object_id=str(action.uuid))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "update", "wijkactie_publish", "wijkactie_withdraw"]


def test_beheerder_manages_actions_and_participants_see_the_menu(world: World) -> None:
    Participation.objects.create(municipality=world.gm)
    client = client_for(world, "beheerder")
    html = client.get(LIST).content.decode()
    assert 'class="wr-subnav"' in html and 'href="/leerkring/wijkacties/"' in html
    response = client.post(CREATE, form_post(world))
    assert response.status_code == 302 and PublicAction.objects.count() == 1


def test_invalid_form_shows_every_error_in_dutch(world: World) -> None:
    client = client_for(world, "regisseur")
    response = client.post(
        CREATE,
        form_post(
            world,
            title="",
            description="Mail ons: buurt@demodam.nl",
            start_date="2026-10-01",
            end_date="2026-09-01",
            neighbourhoods=[],
        ),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Vul een titel in." in html
    assert "persoonsgegevens" in html
    assert "De einddatum ligt voor de begindatum." in html
    assert "Kies ten minste één buurt van uw gemeente" in html
    assert 'id="form-errors"' in html and not PublicAction.objects.exists()
    forged = client.post(CREATE, form_post(world, neighbourhoods=["not-a-uuid"]))
    assert forged.status_code == 400
    assert "Kies alleen buurten van uw gemeente." in forged.content.decode()
    bad = client.post(CREATE, form_post(world, start_date="1-10", status="bezig"))
    html = bad.content.decode()
    assert "Gebruik een datum als JJJJ-MM-DD." in html
    assert "Kies een status: gepland, loopt nu of afgerond." in html


def test_everyone_else_gets_404(world: World) -> None:
    action = make_action(world, publish=True)
    urls = [
        LIST,
        CREATE,
        f"/leerkring/wijkacties/{action.uuid}/bewerken/",
    ]
    posts = [
        CREATE,
        f"/leerkring/wijkacties/{action.uuid}/bewerken/",
        f"/leerkring/wijkacties/{action.uuid}/publiceren/",
        f"/leerkring/wijkacties/{action.uuid}/intrekken/",
    ]
    Participation.objects.create(municipality=world.gm)  # the circle does not open it either
    for persona in WRONG_ROLES:
        client = client_for(world, persona)
        for url in urls:
            assert client.get(url).status_code == 404, (persona, url)
        for url in posts:
            assert client.post(url, form_post(world)).status_code == 404, (persona, url)
    # The regisseur of Elders: every page of Demodam's action is 404.
    outsider = client_for(world, "outsider")
    for url in urls[2:]:
        assert outsider.get(url).status_code == 404, url
    for url in posts[1:]:
        assert outsider.post(url, form_post(world)).status_code == 404, url
    anonymous = Client()
    assert anonymous.get(LIST).status_code == 302
    assert anonymous.post(posts[-1]).status_code == 302
    action.refresh_from_db()
    assert action.published and action.title == "Buurtconciërge in de portieken"
    assert PublicAction.objects.count() == 1
    # missing and malformed look the same as forbidden
    client = client_for(world, "regisseur")
    assert client.get("/leerkring/wijkacties/nope/bewerken/").status_code == 404
    assert client.post(f"/leerkring/wijkacties/{uuid.uuid4()}/publiceren/").status_code == 404
    assert client.get(f"/leerkring/wijkacties/{action.uuid}/publiceren/").status_code == 405


def test_other_municipality_regisseur_manages_only_their_own(world: World) -> None:
    make_action(world, title="Actie van Demodam", publish=True)
    client = client_for(world, "outsider")  # a regisseur of Elders
    html = client.get(LIST).content.decode()
    assert "Actie van Demodam" not in html and 'id="actions-empty"' in html
    page = client.get(CREATE).content.decode()
    assert "Buurt 1" not in page and "Noord" not in page  # Demodam's buurten and areas
    forged = client.post(
        CREATE,
        form_post(world, focus_area=str(world.focus.uuid)),
    )
    assert forged.status_code == 400
    html = forged.content.decode()
    assert "Kies alleen buurten van uw gemeente." in html
    assert "Kies een focusgebied van uw gemeente." in html
    assert PublicAction.objects.filter(municipality=world.other_gm).count() == 0


# --- the public page --------------------------------------------------------------------------


def test_public_page_shows_only_published_actions_of_the_buurt(world: World) -> None:
    make_action(world, title="Lopende actie", publish=True)
    make_action(
        world,
        title="Geplande actie",
        status=ActionStatus.PLANNED,
        start_date=dt.date(2027, 1, 1),
        end_date=None,
        publish=True,
    )
    make_action(
        world,
        title="Afgeronde actie",
        status=ActionStatus.DONE,
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 3, 1),
        publish=True,
    )
    make_action(world, title="Conceptactie")
    withdrawn = make_action(world, title="Ingetrokken actie", publish=True)
    services.action_withdraw(viewer=viewer(world), action=withdrawn)
    make_action(
        world,
        title="Actie in het focusgebied",
        neighbourhoods=[],
        focus_area=world.focus,
        start_date=dt.date(2026, 5, 1),
        publish=True,
    )
    make_action(world, title="Actie in buurt 3", neighbourhoods=[world.buurten["03"]], publish=True)

    response = Client().get(BUURT_1)
    html = section(response.content.decode(), "actions")
    assert "Wat er gebeurt in uw buurt" in html
    titles = re.findall(r'<h3 class="utrecht-heading-3" id="action-[^"]+">([^<]+)</h3>', html)
    assert titles == [
        "Lopende actie",
        "Actie in het focusgebied",
        "Geplande actie",
        "Afgeronde actie",
    ]  # ongoing first (latest start first), then planned, then finished
    assert "Loopt nu" in html and "Gepland" in html and "Afgerond" in html
    assert "1 september 2026 tot en met 30 juni 2027" in html and "vanaf 1 januari 2027" in html
    assert "Gemeente Demodam, Woonstichting Demodam" in html
    for hidden in ("Conceptactie", "Ingetrokken actie", "Actie in buurt 3"):
        assert hidden not in response.content.decode()
    # the focus area Noord holds buurten 01 and 02, not 03
    assert "Actie in het focusgebied" in Client().get(BUURT_2).content.decode()
    buurt_3 = Client().get(BUURT_3).content.decode()
    assert "Actie in buurt 3" in buurt_3 and "Actie in het focusgebied" not in buurt_3


def test_public_page_with_actions_holds_no_staff_names_or_personal_data(world: World) -> None:
    author = world.users["regisseur"]
    author.first_name, author.last_name = "Annemarie", "Wijnbergen-Tromp"
    author.email = "a.wijnbergen@demodam.nl"
    author.save()
    action = make_action(world, publish=True)
    make_action(world, title="Concept met naam", organisations="Gemeente Demodam")
    services.action_save(
        viewer=viewer(world, "beheerder"),
        data=data(world, description="Nu ook op zaterdag."),
        action=action,
    )
    response = Client().get(BUURT_1)
    html = response.content.decode()
    actions = section(html, "actions")
    assert "Buurtconciërge in de portieken" in actions and "Nu ook op zaterdag." in actions
    for secret in (
        "Annemarie",
        "Wijnbergen",
        "a.wijnbergen@demodam.nl",
        "regisseur",
        "beheerder",
        "Regisseur",
        "Beheerder",
        "Concept met naam",
    ):
        assert secret not in html, secret
    text = re.sub(r"<[^>]+>", " ", actions)
    assert services.personal_data_in(text) is None
    assert "@" not in text
    # still cookie-free, publicly cacheable and under the strict CSP
    assert "Set-Cookie" not in response.headers and not response.cookies
    assert "public" in response["Cache-Control"] and "max-age=600" in response["Cache-Control"]
    csp = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert "<script" not in html and 'style="' not in html


def test_public_page_without_actions_says_so(world: World) -> None:
    html = Client().get(BUURT_1).content.decode()
    assert 'id="actions-empty"' in section(html, "actions")


def test_other_municipalities_actions_never_show(world: World) -> None:
    elders_buurt = Neighbourhood.objects.create(
        municipality=world.other_gm, code="BU99980101", kind="buurt", name="Elders-Centrum"
    )
    foreign = PublicAction.objects.create(
        municipality=world.other_gm,
        title="Actie van Elders",
        description="Elders",
        start_date=dt.date(2026, 1, 1),
        published=True,
        published_at=timezone.now(),
    )
    foreign.neighbourhoods.set([elders_buurt, world.buurten["01"]])  # even if mislinked
    assert not public_actions(municipality=world.gm, buurt=world.buurten["01"]).exists()
    assert "Actie van Elders" not in Client().get(BUURT_1).content.decode()
    assert "Actie van Elders" in Client().get("/wijk/GM9998/BU99980101/").content.decode()


# --- demo -----------------------------------------------------------------------------------


def test_demo_actions_are_idempotent_and_only_published_ones_show(world: World) -> None:
    first = create_demo_public_actions(municipality=world.gm)
    second = create_demo_public_actions(municipality=world.gm)
    assert [a.pk for a in first] == [a.pk for a in second]
    assert PublicAction.objects.filter(municipality=world.gm, published=True).count() == 3
    draft = PublicAction.objects.get(municipality=world.gm, published=False)
    for action in PublicAction.objects.all():
        assert action.neighbourhoods.exists() or action.focus_area is not None
        assert services.personal_data_in(action.description) is None
    html = Client().get(BUURT_1).content.decode()
    assert draft.title not in html
    assert "Opschoondag en nieuwe ondergrondse containers" in html
    delete_demo_learning(world.gm)
    assert not PublicAction.objects.exists()

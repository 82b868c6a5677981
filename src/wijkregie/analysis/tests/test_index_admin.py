"""The index configuration in the beheer admin: beheerder only, own municipality only."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from wijkregie.analysis.models import IndexDefinition, IndexIndicator, IndexTheme, SurveyScore
from wijkregie.analysis.tests.index_fixtures import YEAR, add_definition
from wijkregie.testing.personas import World


def client_for(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


def _formset(prefix: str, rows: list[dict[str, str]]) -> dict[str, str]:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{key}": value for key, value in row.items()})
    return data


@pytest.mark.parametrize("persona", ["regisseur", "analist", "wijkagent", "outsider", "privacy"])
def test_only_the_beheerder_gets_the_index_admin(world: World, persona: str) -> None:
    client = client_for(world, persona)
    for url in ("/beheer/analysis/indexdefinition/", "/beheer/analysis/surveyscore/"):
        assert client.get(url).status_code == 404


def test_beheerder_creates_a_definition_with_bands_and_themes(world: World) -> None:
    client = client_for(world, "beheerder")
    data = {
        "name": "Wijkindex",
        "base_year": str(YEAR),
        "objective_weight": "0.5",
        "subjective_weight": "0.5",
        "min_respondents": "30",
        **_formset("bands", [{"lower": "0", "label": "laag"}, {"lower": "90", "label": "ok"}]),
        **_formset(
            "themes", [{"code": "veiligheid", "label": "Veiligheid", "weight": "1", "order": "0"}]
        ),
    }
    response = client.post("/beheer/analysis/indexdefinition/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    definition = IndexDefinition.objects.get()
    assert definition.municipality_id == world.gm.pk
    assert sorted(definition.bands.values_list("lower", "label")) == [(0.0, "laag"), (90.0, "ok")]
    assert {b.municipality_id for b in definition.bands.all()} == {world.gm.pk}
    theme = IndexTheme.objects.get()
    assert theme.municipality_id == world.gm.pk
    # One index per municipality: no second add.
    assert client.get("/beheer/analysis/indexdefinition/add/").status_code == 403


def test_indicators_are_added_per_theme_and_checked(world: World) -> None:
    definition = add_definition(world)
    theme = definition.themes.get(code="veiligheid")
    client = client_for(world, "beheerder")
    url = f"/beheer/analysis/indextheme/{theme.pk}/change/"
    base = {"definition": str(definition.pk), "code": "veiligheid", "label": "Veiligheid"}
    base |= {"weight": "1", "order": "1"}
    existing = list(theme.indicators.order_by("pk"))
    management = {
        "indicators-TOTAL_FORMS": str(len(existing) + 1),
        "indicators-INITIAL_FORMS": str(len(existing)),
        "indicators-MIN_NUM_FORMS": "0",
        "indicators-MAX_NUM_FORMS": "1000",
    }
    rows: dict[str, Any] = {}
    for i, ind in enumerate(existing):
        rows |= {
            f"indicators-{i}-id": str(ind.pk),
            f"indicators-{i}-theme": str(theme.pk),
            f"indicators-{i}-code": ind.code,
            f"indicators-{i}-label": ind.label,
            f"indicators-{i}-kind": ind.kind,
            f"indicators-{i}-question": ind.question,
            f"indicators-{i}-direction": ind.direction,
            f"indicators-{i}-weight": "1",
            f"indicators-{i}-order": "0",
        }
        rows[f"indicators-{i}-categories"] = [str(c.pk) for c in ind.categories.all()]
        if ind.life_domain_id:
            rows[f"indicators-{i}-life_domain"] = str(ind.life_domain_id)
    n = len(existing)
    new = {
        f"indicators-{n}-theme": str(theme.pk),
        f"indicators-{n}-code": "gevoel",
        f"indicators-{n}-label": "Onveiligheidsgevoel",
        f"indicators-{n}-kind": "subjective",
        f"indicators-{n}-question": "",  # missing: refused
        f"indicators-{n}-direction": "lower_better",
        f"indicators-{n}-weight": "1",
        f"indicators-{n}-order": "3",
    }
    response = client.post(url, {**base, **management, **rows, **new})
    assert response.status_code == 200
    assert "Een subjectieve indicator heeft een enquêtevraag." in response.content.decode()
    new[f"indicators-{n}-question"] = "onveilig"
    response = client.post(url, {**base, **management, **rows, **new})
    assert response.status_code == 302
    created = IndexIndicator.objects.get(code="gevoel")
    assert (created.municipality_id, created.question) == (world.gm.pk, "onveilig")


def test_the_outsiders_index_is_not_in_demodams_admin(world: World) -> None:
    other = IndexDefinition.objects.create(
        municipality=world.other_gm, name="Index Elders", base_year=YEAR
    )
    SurveyScore.objects.create(
        municipality=world.other_gm,
        area_code="GM9998",
        year=YEAR,
        question="elders_vraag",
        score=1,
        respondents=50,
    )
    client = client_for(world, "beheerder")
    assert "Index Elders" not in client.get("/beheer/analysis/indexdefinition/").content.decode()
    assert "elders_vraag" not in client.get("/beheer/analysis/surveyscore/").content.decode()
    response = client.get(f"/beheer/analysis/indexdefinition/{other.pk}/change/")
    assert response.status_code == 302  # Django admin: outside the queryset is like missing

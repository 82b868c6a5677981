"""An area index on top of the persona world, with figures chosen so that the expected scores
can be computed by hand (see the comments and the tests that use it).

Everything happens in 2024 (a whole year, so no scaling of a running year):

residents (CBS 2024): BU01 1000, BU02 2000, BU03 1000, BU04 1000; WK999901 3000, WK999902 2000.

signals the regisseur sees, per buurt (01, 02, 03, 04):
  overlast (main category, includes overlast-jeugd): 1, 2, 0, 1   -> municipality 4 / 5000
      rates 1.0, 1.0, 0.0, 1.0 per 1,000; reference 0.8 -> scores 75, 75, 200, 75
  woonfraude (life domain wonen):                    2, 4, 1, 3   -> municipality 10 / 5000
      rates 2.0, 2.0, 1.0, 3.0; reference 2.0 -> scores 100, 100, 150, 50

survey 2024 (minimum 30 respondents):
  veilig_buurt (higher is better): GM9999 7.0 (500) is the reference;
      BU01 6.3 (100) -> 90, BU02 7.7 (50) -> 110, BU03 8.4 (20: too few), BU04 5.6 (40) -> 80
  klachten_woning (lower is better): no GM row, so the reference is the respondent-weighted
      mean of the buurten: (15*100 + 25*100 + 20*50 + 20*50) / 300 = 20;
      BU01 15 -> 125, BU02 25 -> 75, BU03 20 -> 100, BU04 20 -> 100
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from wijkregie.analysis.models import (
    AreaStatistic,
    Direction,
    IndexBand,
    IndexDefinition,
    IndexIndicator,
    IndexTheme,
    IndicatorKind,
    SurveyScore,
)
from wijkregie.signals.models import Signal
from wijkregie.testing.personas import World, make_signal

YEAR = 2024
BU = {"01": "BU99990101", "02": "BU99990102", "03": "BU99990201", "04": "BU99990202"}
WK1, WK2 = "WK999901", "WK999902"
OBSERVED = timezone.make_aware(dt.datetime(YEAR, 6, 15, 12, 0))


def add_residents(year: int = YEAR) -> None:
    for code, kind, n in [
        (BU["01"], "buurt", 1000),
        (BU["02"], "buurt", 2000),
        (BU["03"], "buurt", 1000),
        (BU["04"], "buurt", 1000),
        (WK1, "wijk", 3000),
        (WK2, "wijk", 2000),
    ]:
        AreaStatistic.objects.create(code=code, kind=kind, year=year, residents=n)


def add_signals(world: World) -> None:
    """The regisseur's extra signals (gemeente-owned), then every signal moved into 2024."""
    for buurt, n in (("02", 2),):
        for _ in range(n):
            make_signal(world, owner="gemeente", category="overlast-jeugd", buurt=buurt)
    for buurt, n in (("01", 2), ("02", 4), ("03", 1), ("04", 3)):
        for _ in range(n):
            make_signal(world, owner="gemeente", category="woonfraude", buurt=buurt)
    Signal.objects.filter(municipality=world.gm).update(observed_at=OBSERVED)


def add_survey(world: World) -> None:
    rows = [
        ("GM9999", "veilig_buurt", 7.0, 500),
        (BU["01"], "veilig_buurt", 6.3, 100),
        (BU["02"], "veilig_buurt", 7.7, 50),
        (BU["03"], "veilig_buurt", 8.4, 20),
        (BU["04"], "veilig_buurt", 5.6, 40),
        (BU["01"], "klachten_woning", 15.0, 100),
        (BU["02"], "klachten_woning", 25.0, 100),
        (BU["03"], "klachten_woning", 20.0, 50),
        (BU["04"], "klachten_woning", 20.0, 50),
    ]
    for code, question, score, respondents in rows:
        SurveyScore.objects.create(
            municipality=world.gm,
            area_code=code,
            year=YEAR,
            question=question,
            score=score,
            respondents=respondents,
        )


def add_definition(world: World) -> IndexDefinition:
    gm = world.gm
    definition = IndexDefinition.objects.create(
        municipality=gm, name="Wijkindex Demodam", base_year=YEAR
    )
    for lower, label in [
        (0, "ver onder gemiddeld"),
        (70, "onder gemiddeld"),
        (90, "rond gemiddeld"),
        (110, "boven gemiddeld"),
        (130, "ver boven gemiddeld"),
    ]:
        IndexBand.objects.create(municipality=gm, definition=definition, lower=lower, label=label)
    safety = IndexTheme.objects.create(
        municipality=gm, definition=definition, code="veiligheid", label="Veiligheid", order=1
    )
    housing = IndexTheme.objects.create(
        municipality=gm, definition=definition, code="wonen", label="Wonen", order=2
    )
    overlast = IndexIndicator.objects.create(
        municipality=gm,
        theme=safety,
        code="overlast",
        label="Overlast per 1.000 inwoners",
        kind=IndicatorKind.OBJECTIVE,
        direction=Direction.LOWER_BETTER,
    )
    overlast.categories.set([world.categories["overlast"]])
    IndexIndicator.objects.create(
        municipality=gm,
        theme=safety,
        code="veilig",
        label="Voelt zich veilig in de buurt",
        kind=IndicatorKind.SUBJECTIVE,
        question="veilig_buurt",
        direction=Direction.HIGHER_BETTER,
    )
    IndexIndicator.objects.create(
        municipality=gm,
        theme=housing,
        code="woonsignalen",
        label="Woonsignalen per 1.000 inwoners",
        kind=IndicatorKind.OBJECTIVE,
        life_domain=world.domains["wonen"],
        direction=Direction.LOWER_BETTER,
    )
    IndexIndicator.objects.create(
        municipality=gm,
        theme=housing,
        code="klachten",
        label="Klachten over de woning",
        kind=IndicatorKind.SUBJECTIVE,
        question="klachten_woning",
        direction=Direction.LOWER_BETTER,
    )
    return definition


def build_index_world(world: World) -> IndexDefinition:
    add_residents()
    add_signals(world)
    add_survey(world)
    return add_definition(world)

"""Demodam's area index: a default definition, CBS-like residents and synthetic survey scores.

Deterministic per seed and fast (a few hundred rows). Called by `demo.services.generate_demo`
inside the reference-data transaction; `delete_demo_index` runs before the tenant is removed.

- Residents (`AreaStatistic`, the denominators): every buurt gets about 5,500 residents per
  km2 (between 0.6 and 1.4 times that, drawn per buurt), every wijk the sum of its buurten,
  for the running year. Existing rows for a code and year are left alone.
- The index: base year = the running year (the demo's signals cover the last twelve months,
  so that is the only year with signals all year round), weights 0.5/0.5, the Wijkprofiel's
  classes, and three themes: Veiligheid, Leefbaarheid en fysiek, Sociaal.
- Survey scores for the running year and two years before (the Wijkprofiel surveys every two
  years), 1-10 marks per buurt, wijk and for the municipality, with 30-220 respondents per
  buurt except two with 12-29, below the 30-respondent threshold.
"""

from __future__ import annotations

import numpy as np

from wijkregie.analysis.index import DEFAULT_BANDS
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
from wijkregie.demo import generator
from wijkregie.signals.models import Category, LifeDomain
from wijkregie.tenants.models import Municipality

DENSITY_PER_KM2 = 5_500
Objective = tuple[str, str, tuple[str, ...], str]  # code, label, main categories, life domain
Subjective = tuple[str, str, str, str]  # code, label, question, direction
THEMES: tuple[tuple[str, str, tuple[Objective, ...], tuple[Subjective, ...]], ...] = (
    (
        "veiligheid",
        "Veiligheid",
        (
            ("overlast", "Overlast per 1.000 inwoners", ("overlast",), ""),
            ("criminaliteit", "Criminaliteit per 1.000 inwoners", ("criminaliteit",), ""),
        ),
        (("veilig", "Voelt zich veilig in de buurt", "veilig_buurt", Direction.HIGHER_BETTER),),
    ),
    (
        "fysiek",
        "Leefbaarheid en fysiek",
        (("wonen", "Woonsignalen per 1.000 inwoners", (), "wonen"),),
        (
            ("buurt", "Rapportcijfer buurt", "cijfer_buurt", Direction.HIGHER_BETTER),
            ("schoon", "Buurt is schoon en heel", "schoon_heel", Direction.HIGHER_BETTER),
        ),
    ),
    (
        "sociaal",
        "Sociaal",
        (
            ("zorg", "Zorgsignalen per 1.000 inwoners", (), "zorg-welzijn"),
            ("meedoen", "Participatiesignalen per 1.000 inwoners", (), "participatie"),
        ),
        (("samenhang", "Mensen kennen elkaar", "samenhang", Direction.HIGHER_BETTER),),
    ),
)
QUESTIONS = ("veilig_buurt", "cijfer_buurt", "schoon_heel", "samenhang")


def create_demo_index(
    *, municipality: Municipality, geography: generator.Geography, seed: int, year: int
) -> None:
    rng = np.random.default_rng([seed, 0x1DE7])
    _residents(rng, geography, year)
    _definition(municipality, year)
    _survey(rng, municipality, geography, year)


def delete_demo_index(municipality: Municipality) -> None:
    """The index and survey scores of the municipality, and the demo's residents."""
    IndexDefinition.objects.filter(municipality=municipality).delete()  # cascades to its parts
    SurveyScore.objects.filter(municipality=municipality).delete()
    digits = municipality.cbs_code.removeprefix("GM")
    for prefix in (f"BU{digits}", f"WK{digits}"):
        AreaStatistic.objects.filter(code__startswith=prefix).delete()


def _residents(
    rng: np.random.Generator, geography: generator.Geography, year: int
) -> dict[str, int]:
    factors = rng.uniform(0.6, 1.4, size=len(geography.buurten))
    residents = {
        area.code: max(50, round(area.geometry.area / 1e6 * DENSITY_PER_KM2 * factor))
        for area, factor in zip(geography.buurten, factors.tolist(), strict=True)
    }
    for wijk in geography.wijken:
        residents[wijk.code] = sum(
            residents[b.code] for b in geography.buurten if b.parent == wijk.code
        )
    kinds = {a.code: a.kind for a in (*geography.buurten, *geography.wijken)}
    existing = set(
        AreaStatistic.objects.filter(code__in=list(residents), year=year).values_list(
            "code", flat=True
        )
    )
    AreaStatistic.objects.bulk_create(
        [
            AreaStatistic(code=code, kind=kinds[code], year=year, residents=n, households=n // 2)
            for code, n in residents.items()
            if code not in existing
        ],
        ignore_conflicts=True,
    )
    return residents


def _definition(municipality: Municipality, year: int) -> None:
    definition = IndexDefinition.objects.create(
        municipality=municipality, name="Wijkindex Demodam", base_year=year
    )
    IndexBand.objects.bulk_create(
        [
            IndexBand(
                municipality=municipality, definition=definition, lower=b.lower, label=b.label
            )
            for b in DEFAULT_BANDS
        ]
    )
    domains = dict(LifeDomain.objects.filter(municipality=municipality).values_list("code", "id"))
    categories = dict(
        Category.objects.filter(municipality=municipality, parent__isnull=True).values_list(
            "code", "id"
        )
    )
    for order, (code, label, objective, subjective) in enumerate(THEMES):
        theme = IndexTheme.objects.create(
            municipality=municipality, definition=definition, code=code, label=label, order=order
        )
        for i, (ind_code, ind_label, main, domain) in enumerate(objective):
            indicator = IndexIndicator.objects.create(
                municipality=municipality,
                theme=theme,
                code=ind_code,
                label=ind_label,
                kind=IndicatorKind.OBJECTIVE,
                life_domain_id=domains.get(domain) if domain else None,
                direction=Direction.LOWER_BETTER,
                order=i,
            )
            if main:
                indicator.categories.set([categories[c] for c in main if c in categories])
        for i, (ind_code, ind_label, question, direction) in enumerate(
            subjective, start=len(objective)
        ):
            IndexIndicator.objects.create(
                municipality=municipality,
                theme=theme,
                code=ind_code,
                label=ind_label,
                kind=IndicatorKind.SUBJECTIVE,
                question=question,
                direction=direction,
                order=i,
            )


def _survey(
    rng: np.random.Generator,
    municipality: Municipality,
    geography: generator.Geography,
    year: int,
) -> None:
    buurten = [b.code for b in geography.buurten]
    # A lasting character per buurt (some do better than others on every question), plus
    # noise per question and survey.
    character = rng.normal(0.0, 0.6, size=len(buurten))
    rows: list[SurveyScore] = []
    for survey_year in (year - 2, year):
        respondents = rng.integers(30, 221, size=len(buurten))
        # Two buurten with too few respondents, so that the page shows the threshold at work.
        low = rng.choice(len(buurten), size=min(2, len(buurten)), replace=False)
        respondents[low] = rng.integers(12, 30, size=low.size)
        for question in QUESTIONS:
            level = {"veilig_buurt": 6.9, "cijfer_buurt": 7.2, "schoon_heel": 6.4}.get(
                question, 6.0
            )
            marks = np.clip(level + character + rng.normal(0.0, 0.35, size=len(buurten)), 1.0, 10.0)
            scores = dict(zip(buurten, np.round(marks, 1).tolist(), strict=True))
            counts = dict(zip(buurten, respondents.tolist(), strict=True))
            for code in buurten:
                rows.append(
                    _row(municipality, code, survey_year, question, scores[code], counts[code])
                )
            for wijk in geography.wijken:
                own = [b.code for b in geography.buurten if b.parent == wijk.code]
                n = sum(counts[c] for c in own)
                mark = sum(scores[c] * counts[c] for c in own) / n
                rows.append(_row(municipality, wijk.code, survey_year, question, mark, n))
            total = sum(counts.values())
            mark = sum(scores[c] * counts[c] for c in buurten) / total
            rows.append(
                _row(municipality, municipality.cbs_code, survey_year, question, mark, total)
            )
    SurveyScore.objects.bulk_create(rows, batch_size=1000)


def _row(
    municipality: Municipality, code: str, year: int, question: str, score: float, n: int
) -> SurveyScore:
    return SurveyScore(
        municipality=municipality,
        area_code=code,
        year=year,
        question=question,
        score=round(float(score), 2),
        respondents=int(n),
    )

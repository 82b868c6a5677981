"""AreaProfile objects built by hand: the renderer is pure, so its tests need no database."""

from __future__ import annotations

import datetime as dt

from wijkregie.analysis.profile import (
    AreaIndex,
    AreaProfile,
    Band,
    Chart,
    KeyFigure,
    Series,
    ThemeScore,
)

MONTHS = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def sample_profile(*, suppressed: bool = True, name: str = "Buurt Zonnewijde") -> AreaProfile:
    """A buurt with three key figures (one suppressed), a line, a bar and an hbar chart."""
    trend = Chart(
        key="trend",
        title="Signalen per maand",
        caption="Het aantal signalen per maand, dit jaar en een jaar eerder.",
        kind="line",
        x_label="Maand",
        y_label="Aantal signalen",
        x_labels=tuple(f"{m} 2026" for m in MONTHS),
        series=(
            Series(
                name="2026",
                values=(12, 15, 3 if suppressed else 9, 18, 21, 17, 14, 13, 16, 19, 22, 20),
                suppressed=(False, False, suppressed, *([False] * 9)),
            ),
            Series(name="2025", values=(10, 11, 12, 14, 15, 13, 12, 11, 15, 14, 18, 17)),
        ),
    )
    weekday = Chart(
        key="weekday",
        title="Signalen per dag van de week",
        caption="Op vrijdag en zaterdag komen de meeste signalen binnen.",
        kind="bar",
        x_label="Dag",
        y_label="Aantal signalen",
        x_labels=("ma", "di", "wo", "do", "vr", "za", "zo"),
        series=(Series(name="Signalen", values=(20, 18, 22, 25, 40, 44, 31)),),
    )
    categories = Chart(
        key="categories",
        title="Signalen per categorie",
        caption="Jeugdoverlast is de grootste categorie; woonfraude komt weinig voor.",
        kind="hbar",
        x_label="Categorie",
        y_label="Aantal signalen",
        x_labels=("Jeugdoverlast", "Overlast", "Woonfraude"),
        series=(
            Series(
                name="Signalen",
                values=(120, 64, None if suppressed else 2),
                suppressed=(False, False, suppressed),
            ),
        ),
    )
    return AreaProfile(
        code="BU99990101",
        name=name,
        kind="buurt",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2027, 1, 1),
        residents=3456,
        households=1620,
        stats_year=2025,
        suppression_threshold=5 if suppressed else 0,
        key_figures=(
            KeyFigure(
                key="signals",
                label="Signalen",
                value=1234,
                unit="signalen",
                previous=1100,
                change_pct=12.18,
                p_value=0.012,
                municipality=45678,
                rank=3,
                rank_of=12,
            ),
            KeyFigure(
                key="per_1000",
                label="Signalen per 1.000 inwoners",
                value=357.1,
                unit="per 1.000 inwoners",
                previous=318.3,
                change_pct=12.2,
                p_value=0.3,
                municipality=210.4,
            ),
            KeyFigure(
                key="woonfraude",
                label="Woonfraude",
                value=None if suppressed else 2,
                suppressed=suppressed,
                unit="signalen",
                previous=None if suppressed else 4,
                change_pct=None if suppressed else -50.0,
                municipality=87,
            ),
        ),
        charts=(trend, weekday, categories),
        index=AreaIndex(
            year=2026,
            base_year=2024,
            score=86.4,
            band="aandachtsgebied",
            themes=(
                ThemeScore(
                    key="veiligheid",
                    label="Veiligheid",
                    objective=82.0,
                    subjective=90.5,
                    score=86.3,
                    band="aandachtsgebied",
                ),
                ThemeScore(
                    key="wonen",
                    label="Wonen",
                    objective=101.2,
                    subjective=None,
                    score=101.2,
                    band="gemiddeld",
                ),
            ),
            bands=(
                Band(lower=0, label="probleemgebied"),
                Band(lower=80, label="aandachtsgebied"),
                Band(lower=90, label="kwetsbaar"),
                Band(lower=100, label="gemiddeld"),
                Band(lower=110, label="boven"),
            ),
            objective_weight=0.5,
            subjective_weight=0.5,
            notes=("Geen enquêtecijfers voor wonen in 2026.",),
        ),
        notes=("Een focusgebied telt de signalen van zijn buurten samen.",),
    )

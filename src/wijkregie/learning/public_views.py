"""The public neighbourhood pages: no login, aggregates only, Dutch, no JavaScript needed.

/wijk/<GMxxxx>/ lists the municipality's buurten; /wijk/<GMxxxx>/<BUxxxxxxxx>/ shows a buurt:
trends of public categories (small counts suppressed), the published actions of the
municipality and partners there (wijkacties, without who wrote them), published practice
cards of the focus areas around it, how to report, and resident-survey results. Responses set
no cookie (no session, no CSRF form) and may be cached publicly for a short while: the figures
are whole months, so they change only when a late signal for a past month comes in; a newly
published or withdrawn action shows within that while (the staff pages say so).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from wijkregie.analysis.profile import Chart, Series
from wijkregie.learning import public_selectors as selectors
from wijkregie.residents.access import access_municipality
from wijkregie.tenants.models import Municipality
from wijkregie.web import charts

PUBLIC_MAX_AGE = 600  # seconds


def _municipality(cbs: str) -> Municipality:
    if not (len(cbs) == 6 and cbs[:2].upper() == "GM" and cbs[2:].isdigit()):
        raise Http404
    return access_municipality(cbs)


def trend_chart(trend: selectors.Trend) -> Chart:
    return Chart(
        key="buurt-trend",
        title=gettext("Meldingen per maand"),
        caption=gettext(
            "Het aantal meldingen per onderwerp per maand in de buurt, de laatste twaalf hele "
            "maanden. Kleine aantallen zijn afgeschermd."
        ),
        kind="line",
        x_label=gettext("Maand"),
        y_label=gettext("Aantal meldingen"),
        x_labels=tuple(m.strftime("%Y-%m") for m in trend.months),
        series=tuple(
            Series(s.name, tuple(None if v is None else float(v) for v in s.values), s.suppressed)
            for s in trend.series
        ),
    )


def _public(request: HttpRequest, template: str, context: dict[str, object]) -> HttpResponse:
    """Public caching for anonymous visitors only (a signed-in user's response may carry a
    refreshed session cookie)."""
    response = render(request, template, context)
    if request.user.is_authenticated:
        patch_cache_control(response, private=True, max_age=0)
    else:
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    return response


def dutch(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """In Dutch whatever the visitor's language cookie: one version of each page to cache."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        with translation.override("nl"):
            return view(request, *args, **kwargs)

    return wrapped


@require_GET
@dutch
def municipality_page(request: HttpRequest, cbs: str) -> HttpResponse:
    municipality = _municipality(cbs)
    return _public(
        request,
        "learning/public_municipality.html",
        {
            "municipality": municipality,
            "buurten": selectors.public_buurten(municipality=municipality).select_related("parent"),
        },
    )


@require_GET
@dutch
def area_page(request: HttpRequest, cbs: str, buurt: str) -> HttpResponse:
    municipality = _municipality(cbs)
    hood = selectors.public_buurt(municipality=municipality, code=buurt)
    if hood is None:
        raise Http404
    trend = selectors.public_trend(municipality=municipality, buurt=hood)
    context: dict[str, object] = {
        "municipality": municipality,
        "buurt": hood,
        "trend": trend,
        "threshold": trend.threshold,
        "actions": list(selectors.public_actions(municipality=municipality, buurt=hood)[:50]),
        "cards": list(selectors.public_cards(municipality=municipality, buurt=hood)[:20]),
        "survey": selectors.public_survey(municipality=municipality, buurt=hood),
        "residents": selectors.public_residents(buurt=hood),
    }
    if trend.series:
        chart = trend_chart(trend)
        context.update(
            {
                "chart": chart,
                "chart_svg": charts.render_svg(chart),
                "chart_header": charts.table_header(chart),
                "chart_rows": charts.table_rows(chart, trend.threshold),
            }
        )
    return _public(request, "learning/public_area.html", context)

"""Benchmark pages of the learning circle: compare published figures, publish one's own."""

from __future__ import annotations

import csv
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wijkregie.analysis.profile import Chart, Series
from wijkregie.learning import benchmark_definitions as bd
from wijkregie.learning import benchmark_selectors as selectors
from wijkregie.learning import benchmark_services as services
from wijkregie.learning.access import learning_viewer, may_edit
from wijkregie.tenants.models import Municipality
from wijkregie.web import charts


class CompareForm(forms.Form):
    definitie = forms.ChoiceField(label=_("Definitie"))
    periode = forms.ChoiceField(label=_("Periode"))

    def __init__(self, *args: Any, periods: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["definitie"].choices = [(d.code, d.label) for d in bd.DEFINITIONS]  # type: ignore[attr-defined]
        self.fields["periode"].choices = [(p, p) for p in periods]  # type: ignore[attr-defined]


class PublishForm(forms.Form):
    periode = forms.CharField(
        label=_("Periode"),
        max_length=7,
        help_text=_("Een jaar (2026) of een kwartaal (2026-Q3)."),
    )

    def clean_periode(self) -> bd.Period:
        period = bd.parse_period(self.cleaned_data["periode"])
        if period is None:
            raise ValidationError(_("Vul een jaar (2026) of een kwartaal (2026-Q3) in."))
        return period


def _number(value: float | int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, int) or value == int(value):
        return str(int(value))
    return f"{value:.1f}".replace(".", ",")


def _compare(request: HttpRequest) -> tuple[Any, CompareForm, list[selectors.ComparisonRow]]:
    viewer = learning_viewer(request.user)
    periods = selectors.comparison_periods(viewer=viewer)
    data = request.GET.copy()
    if periods and not data.get("periode"):
        data["periode"] = periods[0]
    if not data.get("definitie"):
        data["definitie"] = bd.TOTAL
    form = CompareForm(data if periods else None, periods=periods)
    rows: list[selectors.ComparisonRow] = []
    if form.is_valid():
        rows = selectors.comparison(
            viewer=viewer,
            definition=form.cleaned_data["definitie"],
            period=form.cleaned_data["periode"],
        )
    return viewer, form, rows


def comparison_chart(definition: bd.Definition, rows: list[selectors.ComparisonRow]) -> Chart:
    is_index = definition.kind == bd.KIND_INDEX
    return Chart(
        key="benchmark",
        title=str(definition.label),
        caption=gettext(
            "De focusgebieden van de deelnemende gemeenten naast elkaar, gegroepeerd naar soort "
            "gebied; afgeschermde cijfers zijn gemarkeerd."
        ),
        kind="hbar",
        x_label=gettext("Gebied"),
        y_label=gettext("Score") if is_index else gettext("Signalen per 1.000 inwoners"),
        x_labels=tuple(f"{r.area_type_label}: {r.municipality} – {r.area_label}" for r in rows),
        series=(
            Series(
                gettext("Score") if is_index else gettext("Per 1.000 inwoners"),
                tuple(r.value for r in rows),
                tuple(r.suppressed for r in rows),
            ),
        ),
    )


@login_required
@require_GET
def benchmark_compare(request: HttpRequest) -> HttpResponse:
    viewer, form, rows = _compare(request)
    context: dict[str, Any] = {"form": form, "rows": rows, "may_edit": may_edit(viewer)}
    if form.is_valid():
        definition = bd.BY_CODE[form.cleaned_data["definitie"]]
        context["definition"] = definition
        context["period"] = form.cleaned_data["periode"]
        context["is_index"] = definition.kind == bd.KIND_INDEX
        if rows:
            chart = comparison_chart(definition, rows)
            context["chart"] = chart
            context["chart_svg"] = charts.render_svg(chart, height=max(240, 28 * len(rows) + 80))
    context["threshold"] = bd_threshold()
    return render(request, "learning/benchmark_compare.html", context)


def bd_threshold() -> int:
    return int(settings.SMALL_COUNT_THRESHOLD)


@login_required
@require_GET
def benchmark_compare_csv(request: HttpRequest) -> HttpResponse:
    _viewer, form, rows = _compare(request)
    if not form.is_valid():
        raise Http404
    threshold = bd_threshold()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"benchmark-{form.cleaned_data['definitie']}-{form.cleaned_data['periode']}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        [
            gettext("Soort gebied"),
            gettext("Gemeente"),
            gettext("CBS-code"),
            gettext("Gebied"),
            gettext("Periode"),
            gettext("Definitie"),
            gettext("Aantal"),
            gettext("Waarde"),
        ]
    )
    for r in rows:
        writer.writerow(
            [
                r.area_type_label,
                r.municipality,
                r.municipality_code,
                r.area_label,
                form.cleaned_data["periode"],
                form.cleaned_data["definitie"],
                f"<{threshold}" if r.suppressed else _number(r.count),
                "" if r.suppressed else _number(r.value),
            ]
        )
    return response


@login_required
@require_http_methods(["GET", "POST"])
def benchmark_publish(request: HttpRequest) -> HttpResponse:
    viewer = learning_viewer(request.user)
    if not may_edit(viewer):
        raise Http404
    form = PublishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        municipality = Municipality.objects.get(pk=viewer.municipality_id)
        try:
            snapshot = services.publish_benchmark(
                municipality=municipality, period=form.cleaned_data["periode"], actor=request.user
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("periode", message)
        else:
            messages.success(
                request,
                gettext("De cijfers over %(period)s zijn gepubliceerd in de leerkring.")
                % {"period": snapshot.period},
            )
            return redirect("learning:benchmark-publish")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "learning/benchmark_publish.html",
        {"form": form, "snapshots": selectors.own_snapshots(viewer=viewer)},
        status=status,
    )


@login_required
@require_POST
def benchmark_withdraw(request: HttpRequest, uuid: str) -> HttpResponse:
    viewer = learning_viewer(request.user)
    if not may_edit(viewer):
        raise Http404
    snapshot = selectors.own_snapshot(viewer=viewer, snapshot_uuid=uuid)
    if snapshot is None:
        raise Http404
    services.withdraw_benchmark(snapshot=snapshot, actor=request.user)
    messages.success(request, _("De gepubliceerde cijfers zijn ingetrokken."))
    return redirect("learning:benchmark-publish")

"""Web views of the learning circle. Thin: parse input, access, selectors or services, render."""

from __future__ import annotations

import json
import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wijkregie.analysis import effect
from wijkregie.analysis.profile import Chart, Series
from wijkregie.areas.access import access_focus_area
from wijkregie.areas.selectors import focus_area_list
from wijkregie.cases.access import log_case_reads
from wijkregie.learning import selectors, services
from wijkregie.learning.access import (
    access_action,
    access_card,
    access_meeting,
    actions_viewer,
    is_owner,
    learning_viewer,
    may_change,
    may_change_meeting,
    may_edit,
    may_record_meeting,
    may_review,
    participates,
)
from wijkregie.learning.forms import (
    CardFilterForm,
    CardForm,
    EffectForm,
    ImportForm,
    MeetingForm,
    PublicActionForm,
    ReviewForm,
    StoreEffectForm,
    session_formset,
)
from wijkregie.learning.models import CardStatus, Meeting, PracticeCard, PublicAction
from wijkregie.signals.selectors import leaf_category_list, life_domain_list
from wijkregie.tenants.access import Viewer
from wijkregie.tenants.models import Municipality
from wijkregie.web import charts

MAX_IMPORT_BYTES = 5 * 1024 * 1024

REASONS = {
    effect.TOO_FEW_PRE: _("te weinig maanden met gegevens voor de start"),
    effect.TOO_FEW_POST: _("te weinig maanden met gegevens vanaf de start"),
    effect.NO_TREATED: _("geen buurt van het focusgebied met CBS-inwonertallen"),
    effect.TOO_FEW_CONTROLS: _("te weinig vergelijkbare buurten zonder interventie"),
    effect.TOO_FEW_SIGNALS: _("te weinig signalen in het focusgebied"),
    effect.TOO_WIDE: _("het onzekerheidsinterval is te breed"),
    effect.PRE_TRENDS_DIFFER: _(
        "de trends voor de start lopen niet gelijk op; lees het effect met voorzichtigheid"
    ),
}


def _errors_to_form(form: Any, exc: ValidationError) -> None:
    found = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    for name, msgs in found.items():
        for msg in msgs:
            form.add_error(name if name in form.fields else None, msg)


def _errors_to_messages(request: HttpRequest, exc: ValidationError) -> None:
    found = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    for name, msgs in found.items():
        for msg in msgs:
            prefix = "" if name == "__all__" else f"{name}: "
            messages.error(request, prefix + msg)


def percent(value: float | None) -> str:
    if value is None:
        return ""
    text = f"{value * 100:+.1f}".replace(".", ",")
    return f"{text}%"


def effect_statement(values: dict[str, Any]) -> str:
    """The plain statement for a measured effect (the result's or a card's stored numbers)."""
    conclusion = values.get("conclusion")
    if conclusion == "cannot_tell":
        reasons = [str(REASONS.get(r, r)) for r in values.get("reasons") or []]
        return gettext("De gegevens kunnen het niet zeggen: %(why)s.") % {"why": "; ".join(reasons)}
    numbers = {
        "effect": percent(values.get("effect")),
        "low": percent(values.get("ci_low")),
        "high": percent(values.get("ci_high")),
    }
    if conclusion == "decrease":
        return (
            gettext(
                "Na de start daalden de signalen per 1.000 inwoners in het gebied ten opzichte "
                "van vergelijkbare buurten: %(effect)s (95%%-interval %(low)s tot %(high)s)."
            )
            % numbers
        )
    if conclusion == "increase":
        return (
            gettext(
                "Na de start stegen de signalen per 1.000 inwoners in het gebied ten opzichte "
                "van vergelijkbare buurten: %(effect)s (95%%-interval %(low)s tot %(high)s)."
            )
            % numbers
        )
    return (
        gettext(
            "Geen duidelijk effect: de schatting is %(effect)s, maar het 95%%-interval "
            "(%(low)s tot %(high)s) bevat nul."
        )
        % numbers
    )


# --- library --------------------------------------------------------------------------------


@login_required
@require_GET
def card_list(request: HttpRequest) -> HttpResponse:
    viewer = learning_viewer(request.user)
    form = CardFilterForm(
        request.GET or None,
        domains=selectors.domain_names(viewer=viewer),
        sources=selectors.source_names(viewer=viewer),
    )
    filters = selectors.CardFilters()
    if form.is_bound and form.is_valid():
        filters = selectors.CardFilters(**form.cleaned_data)
    cards = list(selectors.card_list(viewer=viewer, filters=filters)[:500])
    return render(
        request,
        "learning/card_list.html",
        {
            "form": form,
            "cards": cards,
            "may_edit": may_edit(viewer),
            "review_queue": list(selectors.review_queue(viewer=viewer)) if may_edit(viewer) else [],
            "own_municipality": viewer.municipality_id,
            "reads_signals": viewer.reads_signals,
        },
    )


def _card_form(viewer: Viewer, data: Any = None, initial: Any = None) -> CardForm:
    domains = sorted({d.name for d in life_domain_list(viewer=viewer)})
    areas = [(str(a.uuid), a.name) for a in focus_area_list(viewer=viewer)]
    linkable = [
        (str(c.uuid), f"{c.reference} — {c.title}")
        for c in selectors.linkable_cases(viewer=viewer)[:500]
    ]
    return CardForm(
        data, initial=initial, domains=domains, focus_areas=areas, cases=linkable or None
    )


def _card_data(viewer: Viewer, cleaned: dict[str, Any]) -> services.CardData:
    wanted = set(cleaned.pop("focus_areas") or [])
    areas = [a for a in focus_area_list(viewer=viewer) if str(a.uuid) in wanted]
    cases = None
    if "cases" in cleaned:
        # Without the field (pseudonymised viewer, no cases of one's own) links stay as they are.
        chosen = set(cleaned.pop("cases") or [])
        cases = [c for c in selectors.linkable_cases(viewer=viewer) if str(c.uuid) in chosen]
    return services.CardData(**cleaned, focus_areas=areas, cases=cases)


@login_required
@require_http_methods(["GET", "POST"])
def card_create(request: HttpRequest) -> HttpResponse:
    viewer = learning_viewer(request.user)
    if not may_edit(viewer):
        raise Http404
    form = _card_form(viewer, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            card = services.card_save(
                viewer=viewer, data=_card_data(viewer, dict(form.cleaned_data))
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("De praktijkkaart is opgeslagen als concept."))
            return redirect("learning:card-detail", uuid=card.uuid)
    status = 400 if request.method == "POST" else 200
    return render(request, "learning/card_form.html", {"form": form, "card": None}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def card_edit(request: HttpRequest, uuid: str) -> HttpResponse:
    viewer = learning_viewer(request.user)
    card = access_card(viewer, uuid, write=True)
    initial = {
        "title": card.title,
        "problem": card.problem,
        "approach": card.approach,
        "life_domains": card.life_domains,
        "partners": card.partners,
        "effort": card.effort,
        "cost_eur": card.cost_eur,
        "area_type": card.area_type,
        "period_start": card.period_start,
        "period_end": card.period_end,
        "lessons": card.lessons,
        "contact_organisation": card.contact_organisation,
        "focus_areas": [str(a.uuid) for a in card.focus_areas.all()],
        "cases": [
            str(u)
            for u in selectors.linkable_cases(viewer=viewer)
            .filter(id__in=card.cases.values_list("id", flat=True))
            .values_list("uuid", flat=True)
        ],
    }
    form = _card_form(viewer, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = _card_data(viewer, dict(form.cleaned_data))
        try:
            services.card_save(viewer=viewer, data=data, card=card)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("De praktijkkaart is opgeslagen als concept."))
            return redirect("learning:card-detail", uuid=card.uuid)
    status = 400 if request.method == "POST" else 200
    return render(request, "learning/card_form.html", {"form": form, "card": card}, status=status)


@login_required
@require_GET
def card_detail(request: HttpRequest, uuid: str) -> HttpResponse:
    viewer = learning_viewer(request.user)
    card = access_card(viewer, uuid)
    return render(request, "learning/card_detail.html", _detail_context(viewer, card))


def _detail_context(viewer: Viewer, card: PracticeCard, **extra: Any) -> dict[str, Any]:
    measured = card.measured_effect
    links = selectors.card_links(viewer=viewer, card=card)
    if links.cases:
        # The page shows the cases' reference and title: a read of each case, logged as such.
        log_case_reads(viewer, [str(c.uuid) for c in links.cases], detail="praktijkkaart")
    context = {
        "card": card,
        "owner": is_owner(viewer, card),
        "links": links,
        "may_change": may_change(viewer, card),
        "may_review": may_review(viewer, card),
        "review_form": ReviewForm(),
        "statement": effect_statement(measured) if measured else "",
        "measured": measured,
        "effect_text": {
            "effect": percent(measured.get("effect")),
            "low": percent(measured.get("ci_low")),
            "high": percent(measured.get("ci_high")),
        }
        if measured
        else {},
        "published": card.status == CardStatus.PUBLISHED,
    }
    context.update(extra)
    return context


@login_required
@require_POST
def card_submit_view(request: HttpRequest, uuid: str) -> HttpResponse:
    viewer = learning_viewer(request.user)
    card = access_card(viewer, uuid, write=True)
    try:
        services.card_submit(viewer=viewer, card=card)
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(request, _("De kaart wacht nu op beoordeling door een collega."))
    return redirect("learning:card-detail", uuid=card.uuid)


@login_required
@require_POST
def card_review_view(request: HttpRequest, uuid: str) -> HttpResponse:
    viewer = learning_viewer(request.user)
    card = access_card(viewer, uuid, write=True)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.card_review(
                viewer=viewer,
                card=card,
                approve=form.cleaned_data["decision"] == "publish",
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("De beoordeling is vastgelegd."))
            return redirect("learning:card-detail", uuid=card.uuid)
    context = _detail_context(viewer, card, review_form=form)
    return render(request, "learning/card_detail.html", context, status=400)


@login_required
@require_POST
def card_withdraw_view(request: HttpRequest, uuid: str) -> HttpResponse:
    viewer = learning_viewer(request.user)
    card = access_card(viewer, uuid, write=True)
    try:
        services.card_withdraw(viewer=viewer, card=card)
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(request, _("De kaart is teruggezet naar concept."))
    return redirect("learning:card-detail", uuid=card.uuid)


def _json_download(payload: dict[str, Any], filename: str) -> HttpResponse:
    response = JsonResponse(payload, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def card_export(request: HttpRequest, uuid: str) -> HttpResponse:
    viewer = learning_viewer(request.user)
    card = access_card(viewer, uuid)
    if card.status != CardStatus.PUBLISHED:
        raise Http404  # only published cards leave the installation
    return _json_download(services.export_payload([card]), f"praktijkkaart-{card.uuid}.json")


@login_required
@require_GET
def cards_export(request: HttpRequest) -> HttpResponse:
    viewer = learning_viewer(request.user)
    cards = selectors.card_list(
        viewer=viewer, filters=selectors.CardFilters(status=CardStatus.PUBLISHED)
    )
    return _json_download(services.export_payload(cards), "praktijkkaarten.json")


@login_required
@require_http_methods(["GET", "POST"])
def cards_import(request: HttpRequest) -> HttpResponse:
    viewer = learning_viewer(request.user)
    if not may_edit(viewer):
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        payload: Any = None
        if upload.size > MAX_IMPORT_BYTES:
            form.add_error("file", _("Het bestand is te groot (hoogstens 5 MB)."))
        else:
            try:
                payload = json.loads(upload.read().decode("utf-8-sig"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                form.add_error("file", _("Dit bestand is geen geldige JSON."))
        if payload is not None:
            try:
                result = services.import_cards(viewer=viewer, payload=payload)
            except ValidationError as exc:
                found = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
                problems = [f"{k}: {m}" if k else m for k, msgs in found.items() for m in msgs]
                form.add_error(None, _("Het bestand is niet geïmporteerd."))
            else:
                messages.success(
                    request,
                    gettext("Geïmporteerd: %(c)d nieuw, %(u)d bijgewerkt, %(n)d ongewijzigd.")
                    % {"c": result.created, "u": result.updated, "n": result.unchanged},
                )
                return redirect("learning:card-list")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "learning/import.html", {"form": form, "problems": problems}, status=status
    )


# --- effect measurement ---------------------------------------------------------------------


def effect_chart(measurement: selectors.EffectMeasurement, threshold: int) -> Chart:
    """Monthly rates of the focus area and of the comparison buurten; a rate whose count is
    small (0 < n < threshold) is suppressed."""
    labels, treated, controls, t_hidden, c_hidden = [], [], [], [], []
    for point in measurement.result.trend:
        labels.append(effect.period_label("month", point.period))
        t_small = 0 < point.treated_count < threshold
        c_small = 0 < point.control_count < threshold
        treated.append(None if t_small else point.treated_rate)
        controls.append(None if c_small else point.control_rate)
        t_hidden.append(t_small)
        c_hidden.append(c_small)
    return Chart(
        key="effect",
        title=gettext("Signalen per 1.000 inwoners per maand"),
        caption=gettext(
            "Het focusgebied en de vergelijkbare buurten per maand, voor en na de start op %(start)s."
        )
        % {"start": measurement.start.strftime("%Y-%m")},
        kind="line",
        x_label=gettext("Maand"),
        y_label=gettext("Signalen per 1.000 inwoners"),
        x_labels=tuple(labels),
        series=(
            Series(gettext("Focusgebied"), tuple(treated), tuple(t_hidden)),
            Series(gettext("Vergelijkbare buurten"), tuple(controls), tuple(c_hidden)),
        ),
    )


def _effect_form(viewer: Viewer, data: Any) -> EffectForm:
    areas = [(str(a.uuid), a.name) for a in focus_area_list(viewer=viewer)]
    categories = [(c.code, c.name) for c in leaf_category_list(viewer=viewer)]
    return EffectForm(data, focus_areas=areas, categories=categories)


@login_required
@require_http_methods(["GET", "POST"])
def effect_page(request: HttpRequest) -> HttpResponse:
    viewer = learning_viewer(request.user)
    if not viewer.reads_signals:
        raise Http404
    data = request.POST if request.method == "POST" else (request.GET or None)
    if data and data.get("focus_area"):
        access_focus_area(viewer, data["focus_area"])  # another municipality's area: 404
    form = _effect_form(viewer, data)
    context: dict[str, Any] = {"form": form}
    threshold = viewer.small_count_threshold
    cards = [(str(c.uuid), c.title) for c in selectors.editable_cards(viewer=viewer)]
    if form.is_bound and form.is_valid():
        area = access_focus_area(viewer, form.cleaned_data["focus_area"])
        measurement = selectors.focus_area_effect(
            viewer=viewer,
            focus_area=area,
            category_codes=form.cleaned_data["categories"],
            start=form.cleaned_data["start"],
        )
        if request.method == "POST":
            store = StoreEffectForm(request.POST, cards=cards)
            if store.is_valid():
                card = access_card(viewer, store.cleaned_data["card"], write=True)
                services.card_store_effect(viewer=viewer, card=card, measurement=measurement)
                messages.success(
                    request,
                    _("Het gemeten effect staat op de kaart. De kaart is weer een concept."),
                )
                return redirect("learning:card-detail", uuid=card.uuid)
            context["store_form"] = store
        chart = effect_chart(measurement, threshold)
        summary = services.effect_summary(measurement)
        context.update(
            {
                "measurement": measurement,
                "result": measurement.result,
                "statement": effect_statement(summary),
                "warnings": [str(REASONS.get(w, w)) for w in measurement.result.warnings],
                "effect_text": {
                    "effect": percent(measurement.result.effect),
                    "low": percent(measurement.result.ci_low),
                    "high": percent(measurement.result.ci_high),
                },
                "chart": chart,
                "chart_svg": charts.render_svg(chart),
                "chart_header": charts.table_header(chart),
                "chart_rows": charts.table_rows(chart, threshold),
                "store_form": context.get("store_form")
                or (StoreEffectForm(cards=cards) if cards and may_edit(viewer) else None),
                "hidden": [
                    ("focus_area", form.cleaned_data["focus_area"]),
                    *[("categories", c) for c in form.cleaned_data["categories"]],
                    ("start", form.cleaned_data["start"].strftime("%Y-%m")),
                ],
            }
        )
    elif request.method == "POST":
        return render(request, "learning/effect.html", context, status=400)
    return render(request, "learning/effect.html", context)


# --- meetings -------------------------------------------------------------------------------


@login_required
@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    viewer = learning_viewer(request.user)
    return render(
        request,
        "learning/meeting_list.html",
        {
            "meetings": selectors.meeting_list(viewer=viewer),
            "may_record": may_record_meeting(viewer),
        },
    )


@login_required
@require_GET
def meeting_detail(request: HttpRequest, uuid: str) -> HttpResponse:
    viewer = learning_viewer(request.user)
    meeting = access_meeting(viewer, uuid)
    return render(
        request,
        "learning/meeting_detail.html",
        {
            "meeting": meeting,
            "sessions": selectors.meeting_sessions(meeting=meeting),
            "cards": selectors.meeting_cards(viewer=viewer, meeting=meeting),
            "may_change": may_change_meeting(viewer, meeting),
        },
    )


def _meeting_initial(
    viewer: Viewer, meeting: Meeting | None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    if meeting is None:
        last = selectors.meeting_list(viewer=viewer).first()
        return {
            "circle": last.circle if last else "",
            "participants": "\n".join(selectors.participating_names()),
        }, []
    initial = {
        "circle": meeting.circle,
        "number": meeting.number,
        "date": meeting.date,
        "theme": meeting.theme,
        "plenary": meeting.plenary,
        "participants": "\n".join(meeting.participants or []),
        "questions": meeting.questions,
        "agreements": meeting.agreements,
        "takeaways": meeting.takeaways,
        "cards": [str(u) for u in meeting.cards.values_list("uuid", flat=True)],
    }
    sessions = [
        {
            "kind": s.kind,
            "title": s.title,
            "facilitators": s.facilitators,
            "summary": s.summary,
            "takeaways": s.takeaways,
            "order": s.order,
        }
        for s in selectors.meeting_sessions(meeting=meeting)
    ]
    return initial, sessions


def _kept_rows(formset: Any) -> list[Any]:
    """The session rows that count: not marked for deletion, not an untouched extra row."""
    return [
        row
        for i, row in enumerate(formset.forms)
        if row not in formset.deleted_forms
        and (i < formset.initial_form_count() or row.has_changed())
    ]


def _meeting_data(viewer: Viewer, form: MeetingForm, formset: Any) -> services.MeetingData:
    cleaned = dict(form.cleaned_data)
    chosen = set(cleaned.pop("cards") or [])
    cards = [c for c in selectors.meeting_card_choices(viewer=viewer) if str(c.uuid) in chosen]
    sessions = []
    for row in _kept_rows(formset):
        data = row.cleaned_data
        sessions.append(
            services.SessionData(
                kind=data["kind"],
                title=data["title"],
                facilitators=data["facilitators"],
                summary=data["summary"],
                takeaways=data["takeaways"],
                order=data["order"],
            )
        )
    return services.MeetingData(**cleaned, cards=cards, sessions=sessions)


def _meeting_errors(form: MeetingForm, rows: list[Any], exc: ValidationError) -> None:
    """The service's errors on the form, `sessions[i].name` on the i-th kept session row."""
    found = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    for name, msgs in found.items():
        match = re.fullmatch(r"sessions\[(\d+)\]\.(\w+)", name)
        for msg in msgs:
            if match and int(match.group(1)) < len(rows):
                row = rows[int(match.group(1))]
                field = match.group(2)
                row.add_error(field if field in row.fields else None, msg)
            else:
                form.add_error(name if name in form.fields else None, msg)


def _session_errors(formset: Any) -> list[tuple[str, str]]:
    """(field id, message) of every session error, for the error summary."""
    if not formset.is_bound:
        return []
    found = [("", str(e)) for e in formset.non_form_errors()]
    for n, row in enumerate(formset.forms, start=1):
        if row.cleaned_data.get("DELETE"):
            continue  # a row marked for deletion is not checked
        for name, errors in row.errors.items():
            field = row[name] if name in row.fields else None
            for error in errors:
                found.append(
                    (
                        field.auto_id if field is not None else "",
                        gettext("Sessie %(n)d, %(field)s: %(error)s")
                        % {
                            "n": n,
                            "field": field.label if field is not None else "",
                            "error": error,
                        },
                    )
                )
    return found


SESSION_FIELDS = ("kind", "title", "facilitators", "summary", "takeaways", "order")


def _posted_int(data: Any, name: str) -> int:
    try:
        return max(0, int(data.get(name, 0)))
    except (TypeError, ValueError):
        return 0


def _more_rows(data: Any, cards: list[tuple[str, str]]) -> tuple[MeetingForm, Any]:
    """The posted meeting again, unsaved and unchecked, with three more session rows (the
    "more rows" button; no JavaScript). Filled rows and the existing ones come first."""
    initial = {
        name: data.getlist(name) if name == "cards" else data.get(name, "")
        for name in MeetingForm.base_fields
    }
    existing = _posted_int(data, "sessions-INITIAL_FORMS")
    total = min(_posted_int(data, "sessions-TOTAL_FORMS"), 50)
    rows: list[dict[str, Any]] = []
    for i in range(total):
        row: dict[str, Any] = {
            name: data.get(f"sessions-{i}-{name}", "") for name in SESSION_FIELDS
        }
        if i < existing or any(str(row[n]).strip() for n in SESSION_FIELDS if n != "kind"):
            row["DELETE"] = bool(data.get(f"sessions-{i}-DELETE"))
            rows.append(row)
    form = MeetingForm(initial=initial, cards=cards)
    # The empty rows come back too, plus three: the form grows by three rows per click.
    return form, session_formset(total - len(rows) + 3)(initial=rows, prefix="sessions")


def _meeting_form_page(
    request: HttpRequest, viewer: Viewer, meeting: Meeting | None
) -> HttpResponse:
    initial, session_rows = _meeting_initial(viewer, meeting)
    cards = [
        (str(c.uuid), f"{c.title} ({c.source_name})")
        for c in selectors.meeting_card_choices(viewer=viewer)
    ]
    if request.method == "POST" and request.POST.get("more_rows"):
        form, formset = _more_rows(request.POST, cards)
        context = {"form": form, "formset": formset, "session_errors": [], "meeting": meeting}
        return render(request, "learning/meeting_form.html", context)
    data = request.POST if request.method == "POST" else None
    form = MeetingForm(data, initial=initial, cards=cards)
    formset = session_formset(4 if meeting is None else 2)(
        data, initial=session_rows, prefix="sessions"
    )
    if request.method == "POST":
        valid = form.is_valid()
        valid = formset.is_valid() and valid
        if valid:
            try:
                saved = services.meeting_save(
                    viewer=viewer, data=_meeting_data(viewer, form, formset), meeting=meeting
                )
            except ValidationError as exc:
                _meeting_errors(form, _kept_rows(formset), exc)
            else:
                messages.success(request, _("De bijeenkomst is vastgelegd."))
                return redirect("learning:meeting-detail", uuid=saved.uuid)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "learning/meeting_form.html",
        {
            "form": form,
            "formset": formset,
            "session_errors": _session_errors(formset),
            "meeting": meeting,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest) -> HttpResponse:
    viewer = learning_viewer(request.user)
    if not may_record_meeting(viewer):
        raise Http404
    return _meeting_form_page(request, viewer, None)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, uuid: str) -> HttpResponse:
    viewer = learning_viewer(request.user)
    meeting = access_meeting(viewer, uuid, write=True)
    return _meeting_form_page(request, viewer, meeting)


# --- public neighbourhood actions (wijkacties) ----------------------------------------------
# For the regisseur and beheerder of any municipality, in the circle or not (access.py).


@login_required
@require_GET
def action_list(request: HttpRequest) -> HttpResponse:
    viewer = actions_viewer(request.user)
    return render(
        request,
        "learning/action_list.html",
        {
            "actions": selectors.action_list(viewer=viewer),
            "municipality": Municipality.objects.get(pk=viewer.municipality_id),
            "in_circle": participates(viewer.municipality_id),
        },
    )


def _action_form(viewer: Viewer, data: Any = None, initial: Any = None) -> PublicActionForm:
    buurten = [
        (str(b.uuid), f"{b.name} ({b.parent.name})" if b.parent else b.name)
        for b in selectors.action_buurt_choices(viewer=viewer)
    ]
    areas = [(str(a.uuid), a.name) for a in focus_area_list(viewer=viewer)]
    return PublicActionForm(data, initial=initial, buurten=buurten, focus_areas=areas)


def _action_data(viewer: Viewer, cleaned: dict[str, Any]) -> services.ActionData:
    chosen = set(cleaned.get("neighbourhoods") or [])
    area_uuid = cleaned.get("focus_area") or ""
    return services.ActionData(
        title=cleaned.get("title", ""),
        description=cleaned.get("description", ""),
        organisations=cleaned.get("organisations", ""),
        start_date=cleaned.get("start_date"),
        end_date=cleaned.get("end_date"),
        status=cleaned.get("status", ""),
        neighbourhoods=[
            b for b in selectors.action_buurt_choices(viewer=viewer) if str(b.uuid) in chosen
        ],
        focus_area=next(
            (a for a in focus_area_list(viewer=viewer) if area_uuid and str(a.uuid) == area_uuid),
            None,
        ),
    )


def _action_form_page(
    request: HttpRequest, viewer: Viewer, action: PublicAction | None
) -> HttpResponse:
    if action is None:
        municipality = Municipality.objects.get(pk=viewer.municipality_id)
        initial: dict[str, Any] = {"organisations": f"Gemeente {municipality.name}"}
    else:
        initial = {
            "title": action.title,
            "description": action.description,
            "organisations": action.organisations,
            "start_date": action.start_date,
            "end_date": action.end_date,
            "status": action.status,
            "neighbourhoods": [
                str(u) for u in action.neighbourhoods.values_list("uuid", flat=True)
            ],
            "focus_area": str(action.focus_area.uuid) if action.focus_area else "",
        }
    form = _action_form(viewer, request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = services.action_save(
                    viewer=viewer, data=_action_data(viewer, form.cleaned_data), action=action
                )
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(
                    request,
                    _(
                        "De wijkactie is opgeslagen. De wijziging staat binnen tien minuten "
                        "op de openbare buurtpagina's."
                    )
                    if saved.published
                    else _("De wijkactie is opgeslagen. Publiceer haar om haar te tonen."),
                )
                return redirect("learning:action-list")
        else:
            # The service's rules too (buurten, dates), so every error shows at once.
            data = _action_data(viewer, form.cleaned_data)
            for name, error in services.check_action(viewer=viewer, data=data).items():
                if name not in form.errors:
                    for message in error.messages:
                        form.add_error(name if name in form.fields else None, message)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "learning/action_form.html", {"form": form, "action": action}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_create(request: HttpRequest) -> HttpResponse:
    viewer = actions_viewer(request.user)
    return _action_form_page(request, viewer, None)


@login_required
@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, uuid: str) -> HttpResponse:
    viewer = actions_viewer(request.user)
    return _action_form_page(request, viewer, access_action(viewer, uuid))


@login_required
@require_POST
def action_publish_view(request: HttpRequest, uuid: str) -> HttpResponse:
    viewer = actions_viewer(request.user)
    action = access_action(viewer, uuid)
    try:
        services.action_publish(viewer=viewer, action=action)
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(
            request,
            _(
                "De wijkactie is gepubliceerd en staat binnen tien minuten op de openbare "
                "buurtpagina's."
            ),
        )
    return redirect("learning:action-list")


@login_required
@require_POST
def action_withdraw_view(request: HttpRequest, uuid: str) -> HttpResponse:
    viewer = actions_viewer(request.user)
    action = access_action(viewer, uuid)
    try:
        services.action_withdraw(viewer=viewer, action=action)
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(
            request,
            _(
                "De wijkactie is ingetrokken en binnen tien minuten van de openbare "
                "buurtpagina's verdwenen."
            ),
        )
    return redirect("learning:action-list")

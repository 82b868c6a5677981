"""The public resident pages: the report form in five steps, the thank-you page, the status page.

No login. Step answers live in the session (one entry per municipality); a photo is checked
and re-encoded (without EXIF) on upload in step 3 and kept in the database under a random token
until submit (see PendingPhoto). Every page is scoped to one municipality: /melden/<GMxxxx>/...;
/melden/ itself opens the installation's default municipality.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from wijkregie.areas.api import neighbourhood_features
from wijkregie.residents import codes
from wijkregie.residents.access import access_municipality, access_report, default_municipality
from wijkregie.residents.forms import (
    CategoryForm,
    ContactForm,
    DescriptionForm,
    LocationForm,
    LocationMode,
    StatusLookupForm,
    SubmitForm,
)
from wijkregie.residents.models import ReportChannel
from wijkregie.residents.selectors import (
    nearby_open_signals,
    public_buurten,
    public_categories_by_domain,
    report_status_history,
)
from wijkregie.residents.services import (
    ReportInput,
    check_category,
    check_description,
    check_email,
    check_resident_location,
    client_key,
    pending_photo_discard,
    pending_photo_exists,
    pending_photo_store,
    public_category,
    rate_limit_retry_after,
    resident_report_create,
)
from wijkregie.residents.status import public_status
from wijkregie.signals.services import LocationInput
from wijkregie.tenants.models import Municipality

STEPS: list[tuple[str, Any]] = [
    ("categorie", _("Onderwerp")),
    ("locatie", _("Plek")),
    ("omschrijving", _("Beschrijving en foto")),
    ("contact", _("Contact")),
    ("controleren", _("Controleren en versturen")),
]
STEP_NAMES = [name for name, _label in STEPS]

View = Callable[..., HttpResponse]


def _not_found(request: HttpRequest, municipality: Municipality | None = None) -> HttpResponse:
    return render(
        request,
        "residents/not_found.html",
        {"municipality": municipality, "form": StatusLookupForm() if municipality else None},
        status=404,
    )


def public_page(view: View) -> View:
    """Resolve the municipality of the URL; anything not found gives the Dutch public 404."""

    @wraps(view)
    def wrapper(request: HttpRequest, cbs: str, **kwargs: Any) -> HttpResponse:
        try:
            municipality = access_municipality(cbs)
        except Http404:
            return _not_found(request)
        try:
            return view(request, municipality, **kwargs)
        except Http404:
            return _not_found(request, municipality)

    return wrapper


def client_ip(request: HttpRequest) -> str:
    # Behind a reverse proxy, configure it to set REMOTE_ADDR (e.g. uWSGI/gunicorn forwarded
    # allow-ips); X-Forwarded-For is not trusted here because any client can send it.
    return str(request.META.get("REMOTE_ADDR", ""))


# -- session state ------------------------------------------------------------------------


def _key(municipality: Municipality) -> str:
    return f"resident_report:{municipality.cbs_code}"


def _state(request: HttpRequest, municipality: Municipality) -> dict[str, Any]:
    state = request.session.get(_key(municipality))
    return dict(state) if isinstance(state, dict) else {}


def _save(request: HttpRequest, municipality: Municipality, state: dict[str, Any]) -> None:
    request.session[_key(municipality)] = state


def _first_missing(state: dict[str, Any]) -> str | None:
    needed = {
        "categorie": "category",
        "locatie": "location",
        "omschrijving": "description",
        "contact": "contact_done",
    }
    for step, key in needed.items():
        if not state.get(key):
            return step
    return None


def _step_url(municipality: Municipality, step: str) -> str:
    return reverse("residents:step", kwargs={"cbs": municipality.cbs_code, "step": step})


def _location_input(location: dict[str, Any]) -> LocationInput:
    if location.get("mode") == LocationMode.MAP:
        return LocationInput(lat=location.get("lat"), lon=location.get("lon"))
    return LocationInput(
        postcode=location.get("postcode") or "",
        huisnummer=location.get("huisnummer"),
        huisletter=location.get("huisletter") or "",
        huisnummertoevoeging=location.get("huisnummertoevoeging") or "",
    )


def _report_input(state: dict[str, Any]) -> ReportInput:
    return ReportInput(
        category_code=state.get("category", ""),
        description=state.get("description", ""),
        location=_location_input(state.get("location") or {}),
        email=state.get("email", ""),
    )


def _apply_errors(form: Any, errors: dict[str, ValidationError], fields: dict[str, str]) -> None:
    """Put service errors on the form's fields (or the form) so the summary lists them."""
    for name, error in errors.items():
        form.add_error(fields.get(name), error)


def _context(
    request: HttpRequest, municipality: Municipality, step: str, **extra: Any
) -> dict[str, Any]:
    index = STEP_NAMES.index(step)
    return {
        "municipality": municipality,
        "step": step,
        "step_number": index + 1,
        "step_count": len(STEPS),
        "step_label": STEPS[index][1],
        "steps": [
            {"name": name, "label": label, "number": i + 1, "url": _step_url(municipality, name)}
            for i, (name, label) in enumerate(STEPS)
        ],
        "previous_url": _step_url(municipality, STEP_NAMES[index - 1]) if index else "",
        **extra,
    }


# -- entry points --------------------------------------------------------------------------


def start_default(request: HttpRequest) -> HttpResponse:
    municipality = default_municipality()
    if municipality is None:
        choices = Municipality.objects.order_by("name")
        return render(request, "residents/choose_municipality.html", {"municipalities": choices})
    return redirect("residents:step", cbs=municipality.cbs_code, step="categorie")


def status_default(request: HttpRequest, code: str = "") -> HttpResponse:
    municipality = default_municipality()
    if municipality is None:
        return _not_found(request)
    if code:
        return redirect("residents:status-detail", cbs=municipality.cbs_code, code=code)
    query = request.META.get("QUERY_STRING", "")
    url = reverse("residents:status", kwargs={"cbs": municipality.cbs_code})
    return redirect(f"{url}?{query}" if query else url)


@public_page
def start(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    return redirect("residents:step", cbs=municipality.cbs_code, step="categorie")


@public_page
@require_http_methods(["GET", "POST"])
def step(request: HttpRequest, municipality: Municipality, step: str) -> HttpResponse:
    if step not in STEP_NAMES:
        raise Http404
    state = _state(request, municipality)
    missing = _first_missing(state)
    if missing is not None and STEP_NAMES.index(missing) < STEP_NAMES.index(step):
        return redirect(_step_url(municipality, missing))
    handler = {
        "categorie": _step_category,
        "locatie": _step_location,
        "omschrijving": _step_description,
        "contact": _step_contact,
        "controleren": _step_review,
    }[step]
    return handler(request, municipality, state)


def _next(municipality: Municipality, step: str, state: dict[str, Any]) -> HttpResponse:
    # After a change on the review page's "wijzigen" links, go back to the review when complete.
    following = STEP_NAMES[STEP_NAMES.index(step) + 1]
    if state.get("contact_done") and _first_missing(state) is None:
        following = "controleren"
    return redirect(_step_url(municipality, following))


def _step_category(
    request: HttpRequest, municipality: Municipality, state: dict[str, Any]
) -> HttpResponse:
    groups = public_categories_by_domain(municipality=municipality)
    choices = [(c.code, c.name) for _domain, cats in groups for c in cats]
    if request.method == "POST":
        form = CategoryForm(request.POST, choices=choices)
        if form.is_valid():
            _category, errors = check_category(municipality, form.cleaned_data["category"])
            if not errors:
                state["category"] = form.cleaned_data["category"]
                _save(request, municipality, state)
                return _next(municipality, "categorie", state)
            _apply_errors(form, errors, {"category": "category"})
    else:
        form = CategoryForm(initial={"category": state.get("category")}, choices=choices)
    # The first radio button gets the field's own id, so that the error summary links to it.
    options = [
        (
            domain,
            [
                {
                    "code": c.code,
                    "name": c.name,
                    "id": "id_category" if (d, i) == (0, 0) else f"id_category_{c.code}",
                }
                for i, c in enumerate(cats)
            ],
        )
        for d, (domain, cats) in enumerate(groups)
    ]
    selected = form["category"].value()
    return render(
        request,
        "residents/step_category.html",
        _context(request, municipality, "categorie", form=form, groups=options, selected=selected),
    )


def _step_location(
    request: HttpRequest, municipality: Municipality, state: dict[str, Any]
) -> HttpResponse:
    if request.method == "POST":
        form = LocationForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            location = {
                "mode": data["mode"],
                "lat": data.get("lat"),
                "lon": data.get("lon"),
                "postcode": (data.get("postcode") or "").strip(),
                "huisnummer": data.get("huisnummer"),
                "huisletter": (data.get("huisletter") or "").strip(),
                "huisnummertoevoeging": (data.get("huisnummertoevoeging") or "").strip(),
            }
            if location["mode"] == LocationMode.MAP:
                location.update(
                    postcode="", huisnummer=None, huisletter="", huisnummertoevoeging=""
                )
            else:
                location.update(lat=None, lon=None)
            _resolved, errors = check_resident_location(municipality, _location_input(location))
            if not errors:
                state["location"] = location
                _save(request, municipality, state)
                return _next(municipality, "locatie", state)
            _apply_errors(
                form,
                errors,
                {
                    "location": "lat" if location["mode"] == LocationMode.MAP else "postcode",
                    "postcode": "postcode",
                    "huisnummer": "huisnummer",
                    "huisletter": "huisletter",
                    "huisnummertoevoeging": "huisnummertoevoeging",
                    "neighbourhood": "postcode",
                },
            )
    else:
        saved = state.get("location") or {}
        initial = {k: v for k, v in saved.items() if v is not None}
        for name in ("lat", "lon"):
            if name in initial:
                initial[name] = f"{initial[name]:.6f}"
        initial.setdefault("mode", LocationMode.MAP)
        form = LocationForm(initial=initial)
    return render(
        request,
        "residents/step_location.html",
        _context(
            request,
            municipality,
            "locatie",
            form=form,
            mode=form["mode"].value(),
            map_tile_url=settings.MAP_TILE_URL,
            map_tile_attribution=settings.MAP_TILE_ATTRIBUTION,
        ),
    )


def _step_description(
    request: HttpRequest, municipality: Municipality, state: dict[str, Any]
) -> HttpResponse:
    photo_token = state.get("photo", "")
    has_photo = pending_photo_exists(token=photo_token)
    if request.method == "POST":
        form = DescriptionForm(request.POST, request.FILES)
        if form.is_valid():
            errors = check_description(form.cleaned_data["description"])
            upload = form.cleaned_data.get("photo")
            if not errors and upload:
                try:
                    token = pending_photo_store(upload=upload, size=upload.size)
                except ValidationError as exc:
                    errors = {"photo": exc}
                else:
                    if photo_token:
                        pending_photo_discard(token=photo_token)
                    photo_token = token
            elif not errors and form.cleaned_data.get("remove_photo") and photo_token:
                pending_photo_discard(token=photo_token)
                photo_token = ""
            if not errors:
                state["description"] = form.cleaned_data["description"]
                state["photo"] = photo_token
                _save(request, municipality, state)
                return _next(municipality, "omschrijving", state)
            _apply_errors(form, errors, {"description": "description", "photo": "photo"})
    else:
        form = DescriptionForm(initial={"description": state.get("description", "")})
    return render(
        request,
        "residents/step_description.html",
        _context(request, municipality, "omschrijving", form=form, has_photo=has_photo),
    )


def _step_contact(
    request: HttpRequest, municipality: Municipality, state: dict[str, Any]
) -> HttpResponse:
    if request.method == "POST":
        form = ContactForm(request.POST)
        if form.is_valid():
            email = form.cleaned_data["email"].strip()
            errors = check_email(email)
            if not errors:
                state["email"] = email
                state["contact_done"] = True
                _save(request, municipality, state)
                return _next(municipality, "contact", state)
            _apply_errors(form, errors, {"email": "email"})
    else:
        form = ContactForm(initial={"email": state.get("email", "")})
    return render(
        request,
        "residents/step_contact.html",
        _context(request, municipality, "contact", form=form),
    )


def _review_context(municipality: Municipality, state: dict[str, Any]) -> dict[str, Any]:
    category = public_category(municipality, state.get("category", ""))
    location = state.get("location") or {}
    resolved, _errors = check_resident_location(municipality, _location_input(location))
    nearby = (
        nearby_open_signals(municipality=municipality, category=category, point=resolved.point)
        if category is not None and resolved is not None and resolved.point is not None
        else []
    )
    address = ""
    if resolved is not None and resolved.postcode:
        address = f"{resolved.postcode[:4]} {resolved.postcode[4:]} {resolved.huisnummer}"
        address += resolved.huisletter
        if resolved.huisnummertoevoeging:
            address += f"-{resolved.huisnummertoevoeging}"
    return {
        "category": category,
        "location": location,
        "address": address,
        "resolved": resolved,
        "description": state.get("description", ""),
        "has_photo": pending_photo_exists(token=state.get("photo", "")),
        "email": state.get("email", ""),
        "nearby": nearby,
        "nearby_count": len(nearby),
    }


def _step_review(
    request: HttpRequest, municipality: Municipality, state: dict[str, Any]
) -> HttpResponse:
    form = SubmitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        key = client_key(client_ip(request))
        retry_after = rate_limit_retry_after(key=key)
        if retry_after is not None:
            return _too_many(request, municipality, retry_after)
        if form.cleaned_data["website"]:
            # A bot filled in the hidden field: pretend success, store nothing.
            request.session.pop(_key(municipality), None)
            request.session[_key(municipality) + ":done"] = codes.new_code()
            return redirect("residents:done", cbs=municipality.cbs_code)
        try:
            report = resident_report_create(
                municipality=municipality,
                data=_report_input(state),
                channel=ReportChannel.FORM,
                key=key,
                photo_token=state.get("photo", ""),
            )
        except ValidationError as exc:
            # Something changed since the steps (a category closed, ...): say what, in the summary.
            for message in exc.messages:
                form.add_error(None, message)
        else:
            request.session.pop(_key(municipality), None)
            request.session[_key(municipality) + ":done"] = report.tracking_code
            return redirect("residents:done", cbs=municipality.cbs_code)
    return render(
        request,
        "residents/step_review.html",
        _context(
            request, municipality, "controleren", form=form, **_review_context(municipality, state)
        ),
    )


def _too_many(
    request: HttpRequest, municipality: Municipality | None, retry_after: int
) -> HttpResponse:
    minutes = max(1, (retry_after + 59) // 60)
    response = render(
        request,
        "residents/too_many.html",
        {"municipality": municipality, "minutes": minutes},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


@public_page
def done(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    code = request.session.get(_key(municipality) + ":done")
    if not code:
        return redirect("residents:step", cbs=municipality.cbs_code, step="categorie")
    return render(
        request,
        "residents/done.html",
        {
            "municipality": municipality,
            "code": codes.grouped(code),
            "status_url": reverse(
                "residents:status-detail",
                kwargs={"cbs": municipality.cbs_code, "code": codes.grouped(code)},
            ),
        },
    )


@public_page
def status_lookup(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    form = StatusLookupForm(request.GET or None)
    if request.GET and form.is_valid():
        return redirect(
            "residents:status-detail",
            cbs=municipality.cbs_code,
            code=codes.grouped(form.cleaned_data["code"]),
        )
    return render(
        request, "residents/status_lookup.html", {"municipality": municipality, "form": form}
    )


@public_page
def status_detail(request: HttpRequest, municipality: Municipality, code: str) -> HttpResponse:
    report = access_report(municipality, code)
    history = report_status_history(report=report)
    return render(
        request,
        "residents/status_detail.html",
        {
            "municipality": municipality,
            "code": codes.grouped(report.tracking_code),
            "category": report.signal.category.name,
            "submitted_at": report.created_at,
            "status": public_status(report.signal.status),
            "history": [{"at": s.at, "status": public_status(s.status)} for s in history],
        },
    )


@public_page
def buurten(request: HttpRequest, municipality: Municipality) -> JsonResponse:
    """The buurt boundaries (public CBS geography) for the location map: no signal data."""
    data = neighbourhood_features(list(public_buurten(municipality=municipality)), {})
    for feature in data["features"]:
        feature["properties"].pop("signalCount", None)
        feature["properties"].pop("suppressed", None)
    return JsonResponse(data)

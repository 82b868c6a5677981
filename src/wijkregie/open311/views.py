"""Open311 GeoReport v2 (JSON only) on the resident channel: /open311/v2/...

Decisions where the specification leaves room:
- jurisdiction_id is the municipality's CBS code (GM9999); required when the installation
  holds more than one municipality.
- No api_key: posting is open like the public web form, with the same rate limit and checks.
- first_name, last_name, phone, device_id and account_id are accepted and not stored; e-mail
  is kept only for status updates (erased after the final one); media_url is not fetched
  (closed network).
- Requests are listed without description, address or photo, at the centre of their 100 m
  cell, so that the public list holds no personal data.
- Errors are always an Open311 error array: [{"code": <HTTP status>, "description": "..."}].
- POST accepts an `Idempotency-Key` header (draft-ietf-httpapi-idempotency-key-header): a
  retry with the same key and the same fields gets the first answer again (201, with
  `Idempotent-Replayed: true`) and no second report; the same key with other fields is 422.
  Keys stay bound to their report for as long as the report is kept.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.csrf import csrf_exempt

from wijkregie.lib import geo
from wijkregie.open311 import selectors
from wijkregie.residents import codes
from wijkregie.residents.models import ReportChannel, ResidentReport
from wijkregie.residents.services import (
    Idempotency,
    ReportInput,
    client_key,
    idempotency_for,
    rate_limit_retry_after,
    resident_report_create,
)
from wijkregie.residents.status import is_final, public_status
from wijkregie.residents.views import client_ip
from wijkregie.signals.models import Category
from wijkregie.signals.services import LocationInput
from wijkregie.tenants.models import Municipality

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-29T00:00:00Z"
ONLY_JSON = "Alleen JSON wordt ondersteund: gebruik de extensie .json."

# Open311 parameter names for our service's field names, to name them in errors.
PARAM_NAMES = {
    "category": "service_code",
    "location": "lat/long",
    "postcode": "address_string",
    "huisnummer": "address_string",
    "huisletter": "address_string",
    "huisnummertoevoeging": "address_string",
    "neighbourhood": "address_string",
    "description": "description",
    "email": "email",
    "__all__": "jurisdiction_id",
}


class Open311Error(Exception):
    def __init__(self, status: int, *descriptions: str, headers: dict[str, str] | None = None):
        super().__init__(descriptions)
        self.status = status
        self.descriptions = list(descriptions)
        self.headers = headers or {}


def error_response(
    status: int, descriptions: list[str], headers: dict[str, str] | None = None
) -> JsonResponse:
    response = JsonResponse(
        [{"code": status, "description": d} for d in descriptions], status=status, safe=False
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


View = Callable[..., HttpResponse]


def open311(methods: tuple[str, ...] = ("GET",)) -> Callable[[View], View]:
    """JSON only, allowed methods, and every error as an Open311 error array."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, fmt: str, **kwargs: Any) -> HttpResponse:
            try:
                if fmt != "json":
                    raise Open311Error(400, ONLY_JSON)
                if request.method not in methods:
                    raise Open311Error(
                        405,
                        f"Methode {request.method} is hier niet toegestaan.",
                        headers={"Allow": ", ".join(methods)},
                    )
                return view(request, **kwargs)
            except Open311Error as exc:
                return error_response(exc.status, exc.descriptions, exc.headers)

        return csrf_exempt(wrapper)

    return decorate


def not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    if rest.endswith(".xml"):
        return error_response(400, [ONLY_JSON])
    return error_response(404, ["Deze resource bestaat niet in de Open311-API."])


def _jurisdiction(params: QueryDict | dict[str, Any]) -> Municipality:
    code = str(params.get("jurisdiction_id") or "").strip()
    if not code:
        only = selectors.only_municipality()
        if only is None:
            raise Open311Error(
                400, "jurisdiction_id is verplicht: geef de CBS-code van de gemeente, bv. GM9999."
            )
        return only
    municipality = selectors.municipality_by_code(code)
    if municipality is None:
        raise Open311Error(404, f"Onbekende jurisdiction_id: {code[:20]}.")
    return municipality


def _iso(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def service_json(category: Category) -> dict[str, Any]:
    keywords = [category.code, category.life_domain.name.lower()]
    if category.parent is not None:
        keywords.append(category.parent.name.lower())
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": str(category),
        "metadata": False,
        "type": "realtime",
        "keywords": ",".join(keywords),
        "group": category.life_domain.name,
    }


def _status_notes(status: str) -> str:
    return public_status(status)


def request_json(report: ResidentReport) -> dict[str, Any]:
    signal = report.signal
    lat: float | None = None
    lon: float | None = None
    if signal.cell_x is not None and signal.cell_y is not None:
        # The centre of the 100 m cell, not the reported point.
        x, y = geo.cell_center(signal.cell_x, signal.cell_y)
        lat, lon = (round(v, 6) for v in geo.rd_to_wgs84(x, y))
    return {
        "service_request_id": codes.grouped(report.tracking_code),
        "status": "closed" if is_final(signal.status) else "open",
        "status_notes": _status_notes(signal.status),
        "service_name": signal.category.name,
        "service_code": signal.category.code,
        "description": None,
        "agency_responsible": signal.owner_organisation.name,
        "service_notice": "",
        "requested_datetime": _iso(report.created_at),
        "updated_datetime": _iso(signal.updated_at),
        "expected_datetime": None,
        "address": None,
        "address_id": None,
        "zipcode": None,
        "lat": lat,
        "long": lon,
        "media_url": None,
    }


@open311()
def discovery(request: HttpRequest) -> HttpResponse:
    url = request.build_absolute_uri(reverse("open311:root"))
    return JsonResponse(
        {
            "changeset": CHANGESET,
            "contact": "Neem contact op met de gemeente via het meldformulier op "
            + request.build_absolute_uri(reverse("residents:start-default")),
            "key_service": "Er is geen API-sleutel nodig; het aantal meldingen per client is "
            "begrensd.",
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": url,
                    "changeset": CHANGESET,
                    "type": "production",
                    "formats": ["application/json"],
                }
            ],
        }
    )


@open311()
def service_list(request: HttpRequest) -> HttpResponse:
    municipality = _jurisdiction(request.GET)
    data = [service_json(c) for c in selectors.services(municipality=municipality)]
    return JsonResponse(data, safe=False)


@open311()
def service_definition(request: HttpRequest, code: str) -> HttpResponse:
    municipality = _jurisdiction(request.GET)
    category = selectors.service(municipality=municipality, code=code)
    if category is None:
        raise Open311Error(404, f"Onbekende service_code: {code[:50]}.")
    return JsonResponse({"service_code": category.code, "attributes": []})


@open311(methods=("GET", "POST"))
def request_collection(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _post_request(request)
    return _list_requests(request)


@open311()
def request_detail(request: HttpRequest, request_id: str) -> HttpResponse:
    municipality = _jurisdiction(request.GET)
    code = codes.normalise(request_id)
    report = selectors.request_by_id(municipality=municipality, code=code) if code else None
    if report is None:
        raise Open311Error(404, "Onbekende service_request_id.")
    return JsonResponse([request_json(report)], safe=False)


def _parse_moment(value: str, name: str, *, end: bool = False) -> dt.datetime:
    moment = parse_datetime(value)
    if moment is None:
        day = parse_date(value)
        if day is None:
            raise Open311Error(
                400,
                f"{name}: gebruik een datum en tijd volgens ISO 8601, bv. 2026-11-29T10:00:00Z.",
            )
        moment = dt.datetime.combine(day, dt.time.max if end else dt.time.min)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _list_requests(request: HttpRequest) -> HttpResponse:
    params = request.GET
    municipality = _jurisdiction(params)
    errors: list[str] = []
    ids: list[str] | None = None
    if params.get("service_request_id"):
        ids = []
        for part in params["service_request_id"].split(","):
            code = codes.normalise(part)
            if code is not None:
                ids.append(code)
    status = params.get("status") or None
    if status not in {None, "open", "closed"}:
        errors.append("status: gebruik open of closed.")
    start = end = None
    try:
        if params.get("start_date"):
            start = _parse_moment(params["start_date"], "start_date")
        if params.get("end_date"):
            end = _parse_moment(params["end_date"], "end_date", end=True)
    except Open311Error as exc:
        errors.extend(exc.descriptions)
    if errors:
        raise Open311Error(400, *errors)
    if ids is None and start is None:
        start = (end or timezone.now()) - selectors.DEFAULT_PERIOD
    service_codes = [c for c in params.get("service_code", "").split(",") if c] or None
    reports = selectors.requests(
        municipality=municipality,
        ids=ids,
        service_codes=service_codes,
        start=start,
        end=end,
        status=status,
    )
    return JsonResponse([request_json(r) for r in reports], safe=False)


POSTCODE_IN_TEXT = re.compile(r"\b(?P<postcode>[1-9][0-9]{3}\s?[A-Za-z]{2})\b")
NUMBER_IN_TEXT = re.compile(
    r"(?<![0-9A-Za-z])(?P<nummer>[0-9]{1,5})\s*(?P<letter>[A-Za-z])?"
    r"(?:\s*-\s*(?P<toev>[A-Za-z0-9]{1,4}))?(?![0-9A-Za-z])"
)


def parse_address_string(text: str) -> tuple[str, int, str, str] | None:
    """'Dorpsstraat 12a, 1234 AB Demodam' or '1234 AB 12-2' -> (postcode, number, letter, toev)."""
    postcode = POSTCODE_IN_TEXT.search(text)
    if postcode is None:
        return None
    after = NUMBER_IN_TEXT.match(text[postcode.end() :].lstrip(" ,"))
    before = list(NUMBER_IN_TEXT.finditer(text[: postcode.start()]))
    number = after or (before[-1] if before else None)
    if number is None:
        return None
    return (
        postcode.group("postcode"),
        int(number.group("nummer")),
        number.group("letter") or "",
        number.group("toev") or "",
    )


def _post_params(request: HttpRequest) -> dict[str, str]:
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            raise Open311Error(400, "De JSON in het verzoek is ongeldig.") from None
        if not isinstance(body, dict):
            raise Open311Error(400, "Stuur één JSON-object met de velden van de melding.")
        return {str(k): "" if v is None else str(v) for k, v in body.items()}
    return {k: request.POST.get(k, "") for k in request.POST}


def _float(params: dict[str, str], name: str, errors: list[str]) -> float | None:
    value = params.get(name, "").strip()
    if not value:
        return None
    try:
        return float(value.replace(",", "."))
    except ValueError:
        errors.append(f"{name}: geen geldig getal.")
        return None


def _location(params: dict[str, str], errors: list[str]) -> LocationInput:
    lat = _float(params, "lat", errors)
    lon = _float(params, "long", errors)
    if lat is not None or lon is not None or params.get("lat") or params.get("long"):
        return LocationInput(lat=lat, lon=lon)
    if params.get("address_id"):
        errors.append("address_id wordt niet ondersteund: gebruik lat/long of address_string.")
        return LocationInput()
    text = params.get("address_string", "").strip()
    if text:
        parsed = parse_address_string(text)
        if parsed is None:
            errors.append(
                "address_string: geef postcode en huisnummer, bijvoorbeeld '1234 AB 12' of "
                "'Dorpsstraat 12, 1234 AB Demodam'."
            )
            return LocationInput()
        postcode, huisnummer, huisletter, toevoeging = parsed
        return LocationInput(
            postcode=postcode,
            huisnummer=huisnummer,
            huisletter=huisletter,
            huisnummertoevoeging=toevoeging,
        )
    return LocationInput()


IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,255}")


def _idempotency(request: HttpRequest, params: dict[str, str]) -> Idempotency | None:
    raw = request.headers.get("Idempotency-Key")
    if raw is None:
        return None
    raw = raw.strip()
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':  # the draft's structured-field string
        raw = raw[1:-1]
    if not IDEMPOTENCY_KEY.fullmatch(raw):
        raise Open311Error(
            400,
            "Idempotency-Key moet 1 tot 255 zichtbare ASCII-tekens zijn, bijvoorbeeld een UUID.",
        )
    return idempotency_for(raw, params)


def _created(report: ResidentReport, params: dict[str, str]) -> JsonResponse:
    notice = "Bewaar de service_request_id: daarmee volgt u de status."
    if params.get("media_url"):
        notice += " media_url wordt niet opgehaald; stuur een foto via het meldformulier."
    return JsonResponse(
        [
            {
                "service_request_id": codes.grouped(report.tracking_code),
                "service_notice": notice,
                "account_id": None,
            }
        ],
        status=201,
        safe=False,
    )


def _replay(
    municipality: Municipality, idempotency: Idempotency, params: dict[str, str]
) -> JsonResponse | None:
    """The first answer again for a retried request, or None when the key is new."""
    report = selectors.report_for_idempotency(municipality=municipality, key=idempotency.key)
    if report is None:
        return None
    if report.request_digest != idempotency.digest:
        raise Open311Error(
            422,
            "Deze Idempotency-Key is al gebruikt voor een andere melding. "
            "Gebruik voor elke nieuwe melding een nieuwe sleutel.",
        )
    response = _created(report, params)
    response["Idempotent-Replayed"] = "true"
    return response


def _post_request(request: HttpRequest) -> HttpResponse:
    params = _post_params(request)
    municipality = _jurisdiction(params)
    idempotency = _idempotency(request, params)
    if idempotency is not None:
        # A retry is answered before the rate limit: it adds nothing.
        replay = _replay(municipality, idempotency, params)
        if replay is not None:
            return replay
    key = client_key(client_ip(request))
    retry_after = rate_limit_retry_after(key=key)
    if retry_after is not None:
        raise Open311Error(
            429,
            "Te veel meldingen kort na elkaar vanaf dit adres. Probeer het later opnieuw; "
            "eerdere meldingen zijn ontvangen.",
            headers={"Retry-After": str(retry_after)},
        )
    errors: list[str] = []
    code = params.get("service_code", "").strip()
    if not code:
        errors.append("service_code is verplicht.")
    location = _location(params, errors)
    if not (location.lat is not None or location.lon is not None or location.postcode) and not any(
        e.startswith(("lat", "long", "address")) for e in errors
    ):
        errors.append("Geef de plek op met lat en long, of met address_string.")
    if errors:
        raise Open311Error(400, *errors)
    data = ReportInput(
        category_code=code,
        description=params.get("description", ""),
        location=location,
        email=params.get("email", "").strip(),
    )
    try:
        report = resident_report_create(
            municipality=municipality,
            data=data,
            channel=ReportChannel.OPEN311,
            key=key,
            idempotency=idempotency,
        )
    except ValidationError as exc:
        descriptions: list[str] = []
        for field, messages in exc.message_dict.items():
            name = PARAM_NAMES.get(field, field)
            descriptions.extend(f"{name}: {m}" for m in messages)
        raise Open311Error(400, *descriptions) from None
    except IntegrityError:
        # The same key arrived twice at once and the other request committed first.
        replay = _replay(municipality, idempotency, params) if idempotency else None
        if replay is None:
            raise
        return replay
    return _created(report, params)

"""Writes for signals: keyword-only, atomic, validated, audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from wijkregie.areas.models import Neighbourhood
from wijkregie.areas.selectors import buurt_at
from wijkregie.lib import dutch, geo
from wijkregie.privacy.services import audit
from wijkregie.signals.access import may_change_status
from wijkregie.signals.models import (
    DESCRIPTION_MAX,
    Category,
    Confidentiality,
    HandlingCode,
    InfoReliability,
    LocationKind,
    Signal,
    SignalStatusChange,
    SourceChannel,
    SourceReliability,
)
from wijkregie.signals.states import Status
from wijkregie.tenants.access import Viewer
from wijkregie.tenants.models import Organisation, Role

# Clocks differ a little between devices; an observation up to 5 minutes "ahead" is accepted.
FUTURE_TOLERANCE = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class LocationInput:
    lat: float | None = None
    lon: float | None = None
    x: float | None = None
    y: float | None = None
    postcode: str = ""
    huisnummer: int | None = None
    huisletter: str = ""
    huisnummertoevoeging: str = ""
    neighbourhood_code: str = ""


@dataclass(frozen=True)
class ResolvedLocation:
    kind: str
    point: geo.Point | None
    postcode: str
    huisnummer: int | None
    huisletter: str
    huisnummertoevoeging: str
    neighbourhood: Neighbourhood | None


def resolve_location(municipality_id: int, loc: LocationInput) -> ResolvedLocation:
    """Point (WGS84 or RD), address (+ buurt) or buurt only. Raises ValidationError in Dutch."""
    errors: dict[str, str] = {}
    point: geo.Point | None = None
    if loc.lat is not None or loc.lon is not None:
        if loc.lat is None or loc.lon is None:
            errors["location"] = "Geef zowel breedtegraad als lengtegraad op."
        elif not geo.in_netherlands_wgs84(loc.lat, loc.lon):
            errors["location"] = "Deze locatie ligt buiten Nederland."
        else:
            point = geo.point_from_wgs84(loc.lat, loc.lon)
    elif loc.x is not None or loc.y is not None:
        if loc.x is None or loc.y is None:
            errors["location"] = "Geef zowel de x- als de y-coördinaat (RD) op."
        elif not geo.in_netherlands_rd(loc.x, loc.y):
            errors["location"] = "Deze RD-coördinaten liggen buiten Nederland."
        else:
            point = geo.point_from_rd(loc.x, loc.y)
            if not geo.in_netherlands_wgs84(point.lat, point.lon):
                errors["location"] = "Deze RD-coördinaten liggen buiten Nederland."
                point = None

    postcode = ""
    if loc.postcode or loc.huisnummer is not None:
        normalised = dutch.normalise_postcode(loc.postcode)
        if normalised is None:
            errors["postcode"] = "Vul een geldige postcode in, bijvoorbeeld 1234 AB."
        else:
            postcode = normalised
        if loc.huisnummer is None or not 0 < loc.huisnummer <= 99999:
            errors["huisnummer"] = "Vul een huisnummer in tussen 1 en 99999."
        if loc.huisletter and not dutch.HUISLETTER_RE.match(loc.huisletter):
            errors["huisletter"] = "Een huisletter is één letter."
        if loc.huisnummertoevoeging and not dutch.TOEVOEGING_RE.match(loc.huisnummertoevoeging):
            errors["huisnummertoevoeging"] = "Een toevoeging is 1 tot 4 letters of cijfers."

    hood: Neighbourhood | None = None
    if loc.neighbourhood_code:
        hood = Neighbourhood.objects.filter(
            municipality_id=municipality_id, code=loc.neighbourhood_code.upper(), kind="buurt"
        ).first()
        if hood is None:
            errors["neighbourhood"] = "Onbekende buurt."
    if errors:
        raise ValidationError(errors)

    if point is not None:
        found = buurt_at(municipality_id, point.lon, point.lat)
        if found is not None:
            hood = found
        kind = LocationKind.POINT
    elif postcode:
        kind = LocationKind.ADDRESS
        if hood is None:
            raise ValidationError({"neighbourhood": "Kies de buurt van dit adres."})
    elif hood is not None:
        kind = LocationKind.AREA
    else:
        raise ValidationError(
            {
                "location": "Geef een locatie op: een punt op de kaart, coördinaten, een adres of een buurt."
            }
        )
    return ResolvedLocation(
        kind=kind,
        point=point,
        postcode=postcode,
        huisnummer=loc.huisnummer if postcode else None,
        huisletter=loc.huisletter.upper() if postcode else "",
        huisnummertoevoeging=loc.huisnummertoevoeging.upper() if postcode else "",
        neighbourhood=hood,
    )


def _check_choice(
    errors: dict[str, str], field: str, value: str, choices: list[str], label: str
) -> None:
    if value not in choices:
        errors[field] = f"Kies een geldige {label}."


@transaction.atomic
def signal_create(
    *,
    viewer: Viewer,
    owner_organisation: Organisation,
    category: Category,
    observed_at: dt.datetime,
    description: str,
    location: LocationInput,
    source_channel: str = SourceChannel.PARTNER,
    source_reliability: str = SourceReliability.X,
    info_reliability: str = InfoReliability.I4,
    handling_code: str = HandlingCode.H1,
    confidentiality: str | None = None,
    external_id: str = "",
) -> Signal:
    """Register a signal on behalf of one of the viewer's organisations."""
    errors: dict[str, str] = {}
    if owner_organisation.pk not in viewer.writer_organisation_ids:
        errors["owner_organisation"] = (
            "U kunt alleen signalen registreren voor uw eigen organisatie."
        )
    if category.municipality_id != viewer.municipality_id or not category.active:
        errors["category"] = "Kies een bestaande categorie."
    if observed_at is None or timezone.is_naive(observed_at):
        errors["observed_at"] = "Geef datum en tijd van de waarneming op."
    elif observed_at > timezone.now() + FUTURE_TOLERANCE:
        errors["observed_at"] = "De waarneming kan niet in de toekomst liggen."
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = f"De omschrijving is te lang: maximaal {DESCRIPTION_MAX} tekens."
    _check_choice(errors, "source_channel", source_channel, SourceChannel.values, "bron")
    _check_choice(
        errors,
        "source_reliability",
        source_reliability,
        SourceReliability.values,
        "betrouwbaarheid van de bron",
    )
    _check_choice(
        errors,
        "info_reliability",
        info_reliability,
        InfoReliability.values,
        "betrouwbaarheid van de informatie",
    )
    _check_choice(errors, "handling_code", handling_code, HandlingCode.values, "behandelcode")
    conf = confidentiality or category.default_confidentiality
    _check_choice(errors, "confidentiality", conf, Confidentiality.values, "vertrouwelijkheid")
    try:
        resolved = resolve_location(viewer.municipality_id, location)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)

    point = resolved.point
    cell = point.cell if point else (None, None)
    signal = Signal(
        municipality_id=viewer.municipality_id,
        owner_organisation=owner_organisation,
        registered_by=viewer.user,
        source_channel=source_channel,
        external_id=external_id,
        observed_at=observed_at,
        registered_at=timezone.now(),
        category=category,
        life_domain_id=category.life_domain_id,
        description=description,
        location_kind=resolved.kind,
        lat=point.lat if point else None,
        lon=point.lon if point else None,
        rd_x=round(point.x, 2) if point else None,
        rd_y=round(point.y, 2) if point else None,
        postcode=resolved.postcode,
        huisnummer=resolved.huisnummer,
        huisletter=resolved.huisletter,
        huisnummertoevoeging=resolved.huisnummertoevoeging,
        neighbourhood=resolved.neighbourhood,
        cell_x=cell[0],
        cell_y=cell[1],
        source_reliability=source_reliability,
        info_reliability=info_reliability,
        handling_code=handling_code,
        confidentiality=conf,
        status=Status.OPEN,
    )
    signal.full_clean()
    signal.save()
    audit(
        actor=viewer.user,
        municipality_id=viewer.municipality_id,
        action="create",
        obj=signal,
        changes={
            "category": category.code,
            "owner_organisation": owner_organisation.slug,
            "source_channel": source_channel,
            "location_kind": resolved.kind,
            "neighbourhood": resolved.neighbourhood.code if resolved.neighbourhood else None,
        },
    )
    return signal


@transaction.atomic
def signal_change_status(
    *, viewer: Viewer, signal: Signal, to_status: str, note: str = ""
) -> Signal:
    """Move a signal along the status machine; the history row is append-only."""
    locked = Signal.objects.select_for_update().get(pk=signal.pk)
    if len(note) > 500:
        raise ValidationError({"note": "De toelichting is te lang: maximaal 500 tekens."})
    if to_status not in {s.value for s in Status}:
        raise ValidationError({"status": "Onbekende status."})
    if not may_change_status(viewer, locked, to_status):
        raise ValidationError(
            {
                "status": "Deze statuswijziging is niet toegestaan vanuit de huidige status of voor uw rol."
            }
        )
    if (
        locked.status in {Status.DOORGEZET, Status.AFGEHANDELD, Status.GEANNULEERD}
        and not note.strip()
    ):
        raise ValidationError({"note": "Geef een reden voor het heropenen."})
    previous = locked.status
    locked.status = to_status
    locked.save(update_fields=["status", "updated_at"])
    SignalStatusChange.objects.create(
        signal=locked,
        municipality_id=locked.municipality_id,
        from_status=previous,
        to_status=to_status,
        user=viewer.user,
        username=viewer.user.username,
        note=note,
    )
    audit(
        actor=viewer.user,
        municipality_id=viewer.municipality_id,
        action="status",
        obj=locked,
        changes={"status": [previous, to_status]},
    )
    signal.status = to_status
    return locked


def writer_organisations(viewer: Viewer) -> list[Organisation]:
    return list(Organisation.objects.filter(pk__in=viewer.writer_organisation_ids).order_by("name"))


def reopen_roles() -> set[str]:
    return {Role.REGISSEUR}


def as_location_input(data: dict[str, Any]) -> LocationInput:
    return LocationInput(
        lat=data.get("lat"),
        lon=data.get("lon"),
        x=data.get("x"),
        y=data.get("y"),
        postcode=data.get("postcode") or "",
        huisnummer=data.get("huisnummer"),
        huisletter=data.get("huisletter") or "",
        huisnummertoevoeging=data.get("huisnummertoevoeging") or "",
        neighbourhood_code=data.get("neighbourhood") or "",
    )

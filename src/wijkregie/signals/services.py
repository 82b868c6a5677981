"""Writes for signals: keyword-only, atomic, validated, audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import IO, TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from wijkregie.addresses.selectors import lookup_address
from wijkregie.areas.models import Neighbourhood
from wijkregie.areas.selectors import buurt_at, has_buurt_boundaries
from wijkregie.lib import dutch, geo, images
from wijkregie.privacy.services import audit
from wijkregie.signals import events
from wijkregie.signals.access import may_change_status, visible_signals_q
from wijkregie.signals.models import (
    DESCRIPTION_MAX,
    Attachment,
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
from wijkregie.signals.states import FINAL, STATUS_LABELS, Status, is_allowed
from wijkregie.tenants.access import Viewer
from wijkregie.tenants.models import Organisation, Role, User

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

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


# field name -> one error with a stable code and a translatable message, so that every problem
# with an input can be reported at once (the API lists them all; the web form shows them per
# field). Messages are lazy: they take the language that is active when they are shown (the
# web interface: the user's choice; the API: always Dutch).
Errors = dict[str, ValidationError]

POINT_FIELDS = frozenset({"lat", "lon", "x", "y"})
ADDRESS_FIELDS = frozenset({"postcode", "huisnummer", "huisletter", "huisnummertoevoeging"})
NOTE_MAX = 500


def _interpolate(message: StrOrPromise, params: dict[str, Any]) -> str:
    return str(message) % params


def _format(message: StrOrPromise, **params: Any) -> StrOrPromise:
    """%-format a lazy message when it is shown, in the language active at that moment.

    `gettext_lazy(...) % params` would translate at once, in the language of the moment the
    error is made; lazy values in `params` (status labels) are translated at the same time.
    """
    return lazy(_interpolate, str)(message, params)


def _error(errors: Errors, field: str, message: StrOrPromise, code: str) -> None:
    """Keep the first error per field: it is the most basic one."""
    errors.setdefault(field, ValidationError(message, code=code))


def check_location(
    municipality_id: int, loc: LocationInput, *, unparsed: frozenset[str] = frozenset()
) -> tuple[ResolvedLocation | None, Errors]:
    """Validate and resolve a location: point (WGS84 or RD), address + buurt, or buurt only.

    `unparsed` names LocationInput fields whose raw value could not be read (the caller reports
    those); the parts they belong to are not checked and no location is demanded, but every
    other part still is, so that all problems are known at once.
    """
    errors: Errors = {}
    point: geo.Point | None = None
    point_unparsed = bool(unparsed & POINT_FIELDS)
    wgs84_given = loc.lat is not None or loc.lon is not None
    rd_given = loc.x is not None or loc.y is not None
    point_given = point_unparsed or wgs84_given or rd_given
    if point_unparsed:
        pass
    elif wgs84_given:
        if loc.lat is None or loc.lon is None:
            _error(
                errors, "location", _("Geef zowel breedtegraad als lengtegraad op."), "incomplete"
            )
        elif not geo.in_netherlands_wgs84(loc.lat, loc.lon):
            _error(errors, "location", _("Deze locatie ligt buiten Nederland."), "outside_nl")
        else:
            point = geo.point_from_wgs84(loc.lat, loc.lon)
    elif rd_given:
        if loc.x is None or loc.y is None:
            _error(
                errors, "location", _("Geef zowel de x- als de y-coördinaat (RD) op."), "incomplete"
            )
        elif not geo.in_netherlands_rd(loc.x, loc.y):
            _error(
                errors, "location", _("Deze RD-coördinaten liggen buiten Nederland."), "outside_nl"
            )
        else:
            point = geo.point_from_rd(loc.x, loc.y)
            if not geo.in_netherlands_wgs84(point.lat, point.lon):
                _error(
                    errors,
                    "location",
                    _("Deze RD-coördinaten liggen buiten Nederland."),
                    "outside_nl",
                )
                point = None

    address_unparsed = bool(unparsed & ADDRESS_FIELDS)
    address_given = address_unparsed or bool(
        loc.postcode or loc.huisnummer is not None or loc.huisletter or loc.huisnummertoevoeging
    )
    postcode = ""
    if address_given and not address_unparsed:
        normalised = dutch.normalise_postcode(loc.postcode)
        if normalised is None:
            _error(
                errors,
                "postcode",
                _("Vul een geldige postcode in, bijvoorbeeld 1234 AB."),
                "invalid",
            )
        else:
            postcode = normalised
        if loc.huisnummer is None or not 0 < loc.huisnummer <= 99999:
            _error(errors, "huisnummer", _("Vul een huisnummer in tussen 1 en 99999."), "invalid")
        if loc.huisletter and not dutch.HUISLETTER_RE.match(loc.huisletter):
            _error(errors, "huisletter", _("Een huisletter is één letter."), "invalid")
        if loc.huisnummertoevoeging and not dutch.TOEVOEGING_RE.match(loc.huisnummertoevoeging):
            _error(
                errors,
                "huisnummertoevoeging",
                _("Een toevoeging is 1 tot 4 letters of cijfers."),
                "invalid",
            )

    hood: Neighbourhood | None = None
    hood_unparsed = "neighbourhood_code" in unparsed
    if loc.neighbourhood_code and not hood_unparsed:
        hood = Neighbourhood.objects.filter(
            municipality_id=municipality_id, code=loc.neighbourhood_code.upper(), kind="buurt"
        ).first()
        if hood is None:
            _error(errors, "neighbourhood", _("Onbekende buurt."), "unknown")
    hood_given = hood_unparsed or bool(loc.neighbourhood_code)

    from_register = False
    if address_given and not point_given and not hood_given:
        # Without a point or a buurt the address register gives the point (and so the buurt).
        registered = None
        if postcode and not address_unparsed and "huisnummer" not in errors:
            registered = lookup_address(
                postcode, loc.huisnummer, loc.huisletter, loc.huisnummertoevoeging
            )
            if registered is None:
                _error(
                    errors,
                    "postcode",
                    _(
                        "Dit adres staat niet in het adresregister: kies de buurt of een punt op "
                        "de kaart."
                    ),
                    "unknown_address",
                )
        if registered is None:
            _error(errors, "neighbourhood", _("Kies de buurt van dit adres."), "required")
        elif not errors:
            point = geo.Point(
                lat=registered.lat, lon=registered.lon, x=registered.x, y=registered.y
            )
            from_register = True
    if not (point_given or address_given or hood_given):
        _error(
            errors,
            "location",
            _("Geef een locatie op: een punt op de kaart, coördinaten, een adres of een buurt."),
            "required",
        )
    found: Neighbourhood | None = None
    if point is not None and not errors:
        found = buurt_at(municipality_id, point.lon, point.lat)
        if found is None and has_buurt_boundaries(municipality_id):
            # A signal belongs to a municipality's own territory; CBS buurten cover all of it.
            _error(
                errors,
                "location",
                _("Deze locatie ligt buiten de gemeente: kies een punt binnen een van de buurten."),
                "outside_municipality",
            )
    if errors or unparsed:
        return None, errors

    if point is not None:
        if found is not None:
            hood = found
        kind = LocationKind.ADDRESS if from_register else LocationKind.POINT
    elif postcode:
        kind = LocationKind.ADDRESS
    else:
        kind = LocationKind.AREA
    return (
        ResolvedLocation(
            kind=kind,
            point=point,
            postcode=postcode,
            huisnummer=loc.huisnummer if postcode else None,
            huisletter=loc.huisletter.upper() if postcode else "",
            huisnummertoevoeging=loc.huisnummertoevoeging.upper() if postcode else "",
            neighbourhood=hood,
        ),
        errors,
    )


def resolve_location(municipality_id: int, loc: LocationInput) -> ResolvedLocation:
    """Point (WGS84 or RD), address (+ buurt) or buurt only. Raises ValidationError."""
    resolved, errors = check_location(municipality_id, loc)
    if errors or resolved is None:
        raise ValidationError(errors)
    return resolved


def _check_choice(
    errors: Errors, field: str, value: str | None, choices: list[str], message: StrOrPromise
) -> None:
    if value is not None and value not in choices:
        _error(errors, field, message, "invalid_choice")


def owner_for(viewer: Viewer, slug: str | None) -> tuple[Organisation | None, Errors]:
    """The organisation a new signal is registered for: given by slug, or the only one."""
    errors: Errors = {}
    owners = writer_organisations(viewer)
    if slug:
        owner = next((o for o in owners if o.slug == slug), None)
        if owner is None:
            _error(
                errors,
                "owner_organisation",
                _("U kunt alleen signalen registreren voor uw eigen organisatie."),
                "forbidden",
            )
        return owner, errors
    if len(owners) == 1:
        return owners[0], errors
    _error(
        errors,
        "owner_organisation",
        _("Geef de organisatie op waarvoor u registreert."),
        "required",
    )
    return None, errors


def category_for(viewer: Viewer, code: str) -> tuple[Category | None, Errors]:
    """An active category of the viewer's municipality by code."""
    errors: Errors = {}
    category = (
        Category.objects.filter(municipality_id=viewer.municipality_id, code=code, active=True)
        .select_related("life_domain")
        .first()
    )
    if category is None:
        _error(errors, "category", _("Onbekende categorie."), "unknown")
    return category, errors


def check_new_signal(
    *,
    viewer: Viewer,
    owner_organisation: Organisation | None,
    category: Category | None,
    observed_at: dt.datetime | None,
    description: str | None,
    location: LocationInput,
    source_channel: str | None = None,
    source_reliability: str | None = None,
    info_reliability: str | None = None,
    handling_code: str | None = None,
    confidentiality: str | None = None,
    unparsed: frozenset[str] = frozenset(),
) -> tuple[Errors, ResolvedLocation | None]:
    """Every domain rule for a new signal, all violations at once.

    `unparsed` names fields whose raw value the caller could not read and has reported itself;
    those are not checked again (a None value of such a field means "unknown", not "empty").
    """
    errors: Errors = {}
    if "owner_organisation" not in unparsed:
        if owner_organisation is None:
            _error(
                errors,
                "owner_organisation",
                _("Geef de organisatie op waarvoor u registreert."),
                "required",
            )
        elif owner_organisation.pk not in viewer.writer_organisation_ids:
            _error(
                errors,
                "owner_organisation",
                _("U kunt alleen signalen registreren voor uw eigen organisatie."),
                "forbidden",
            )
    if "category" not in unparsed and (
        category is None
        or category.municipality_id != viewer.municipality_id
        or not category.active
    ):
        _error(errors, "category", _("Kies een bestaande categorie."), "unknown")
    if "observed_at" not in unparsed:
        if observed_at is None or timezone.is_naive(observed_at):
            _error(errors, "observed_at", _("Geef datum en tijd van de waarneming op."), "required")
        elif observed_at > timezone.now() + FUTURE_TOLERANCE:
            _error(
                errors, "observed_at", _("De waarneming kan niet in de toekomst liggen."), "future"
            )
    if description is not None and len(description) > DESCRIPTION_MAX:
        _error(
            errors,
            "description",
            _format(
                _("De omschrijving is te lang: maximaal %(limit)d tekens."), limit=DESCRIPTION_MAX
            ),
            "max_length",
        )
    # Whole sentences per field, not one sentence with the field name filled in: a translator
    # cannot word "Kies een geldige {label}" well for every label.
    _check_choice(
        errors,
        "source_channel",
        source_channel,
        SourceChannel.values,
        _("Kies een geldige bron."),
    )
    _check_choice(
        errors,
        "source_reliability",
        source_reliability,
        SourceReliability.values,
        _("Kies een geldige betrouwbaarheid van de bron."),
    )
    _check_choice(
        errors,
        "info_reliability",
        info_reliability,
        InfoReliability.values,
        _("Kies een geldige betrouwbaarheid van de informatie."),
    )
    _check_choice(
        errors,
        "handling_code",
        handling_code,
        HandlingCode.values,
        _("Kies een geldige behandelcode."),
    )
    _check_choice(
        errors,
        "confidentiality",
        confidentiality,
        Confidentiality.values,
        _("Kies een geldige vertrouwelijkheid."),
    )
    location_unparsed = frozenset(
        "neighbourhood_code" if name == "neighbourhood" else name
        for name in unparsed & (POINT_FIELDS | ADDRESS_FIELDS | {"neighbourhood"})
    )
    resolved, location_errors = check_location(
        viewer.municipality_id, location, unparsed=location_unparsed
    )
    for name, error in location_errors.items():
        errors.setdefault(name, error)
    return errors, resolved


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
    """Register a signal on behalf of one of the viewer's organisations.

    Raises one ValidationError listing every problem (field -> error with a code).
    """
    errors, resolved = check_new_signal(
        viewer=viewer,
        owner_organisation=owner_organisation,
        category=category,
        observed_at=observed_at,
        description=description,
        location=location,
        source_channel=source_channel,
        source_reliability=source_reliability,
        info_reliability=info_reliability,
        handling_code=handling_code,
        confidentiality=confidentiality,
    )
    if errors or resolved is None:
        raise ValidationError(errors)
    conf = confidentiality or category.default_confidentiality

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


# --- idempotent intake: (owner organisation, external id) identifies a partner's signal -------

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
UPSERT_OUTCOMES = (CREATED, UPDATED, UNCHANGED)
# Free text and exact location: an update's audit event names these fields, without values.
_PERSONAL_FIELDS = frozenset(
    {"description", "lat", "lon", "rd_x", "rd_y", "postcode", "huisnummer", "huisletter"}
    | {"huisnummertoevoeging", "cell_x", "cell_y"}
)
# Foreign keys of a signal that a batch has loaded itself in this transaction: validating their
# existence again would cost five queries per signal.
_KNOWN_KEYS = [
    "municipality",
    "owner_organisation",
    "registered_by",
    "category",
    "life_domain",
    "neighbourhood",
    "duplicate_of",
]


@dataclass(frozen=True)
class SignalIntake:
    """One signal as a partner system delivers it (single create, batch or import)."""

    owner_organisation: Organisation
    category: Category
    observed_at: dt.datetime
    description: str
    location: LocationInput
    source_channel: str = SourceChannel.PARTNER
    source_reliability: str = SourceReliability.X
    info_reliability: str = InfoReliability.I4
    handling_code: str = HandlingCode.H1
    confidentiality: str | None = None
    external_id: str = ""


class BatchInvalid(Exception):
    """Some items of a batch broke a rule; nothing was written. `errors`: item index -> errors."""

    def __init__(self, errors: dict[int, Errors]) -> None:
        super().__init__(f"{len(errors)} invalid items")
        self.errors = errors


def duplicate_in_batch_error(first: int) -> ValidationError:
    """The error of a batch item whose external id an earlier item (`first`) already has."""
    return ValidationError(
        _format(
            _("Dit externe id staat al eerder in deze batch, bij signaal %(first)d."),
            first=first,
        ),
        code="duplicate",
    )


def check_intake(*, viewer: Viewer, intake: SignalIntake) -> tuple[Errors, ResolvedLocation | None]:
    """Every rule for one intake (`check_new_signal`), all violations at once."""
    return check_new_signal(
        viewer=viewer,
        owner_organisation=intake.owner_organisation,
        category=intake.category,
        observed_at=intake.observed_at,
        description=intake.description,
        location=intake.location,
        source_channel=intake.source_channel,
        source_reliability=intake.source_reliability,
        info_reliability=intake.info_reliability,
        handling_code=intake.handling_code,
        confidentiality=intake.confidentiality,
    )


def check_intakes(
    *, viewer: Viewer, intakes: Sequence[SignalIntake]
) -> tuple[dict[int, Errors], list[ResolvedLocation | None]]:
    """Every rule for every intake of a batch, and external ids repeated within it.

    Returns the errors per index (only failing items) and each item's resolved location.
    """
    errors: dict[int, Errors] = {}
    resolved: list[ResolvedLocation | None] = []
    seen: dict[tuple[int, str], int] = {}
    for index, intake in enumerate(intakes):
        item_errors, location = check_intake(viewer=viewer, intake=intake)
        if intake.external_id:
            key = (intake.owner_organisation.pk, intake.external_id)
            if key in seen:
                item_errors["external_id"] = duplicate_in_batch_error(seen[key])
            else:
                seen[key] = index
        if item_errors:
            errors[index] = item_errors
        resolved.append(location)
    return errors, resolved


def _intake_values(intake: SignalIntake, resolved: ResolvedLocation) -> dict[str, Any]:
    """The signal columns an intake determines (the same as signal_create writes)."""
    point = resolved.point
    cell = point.cell if point else (None, None)
    return {
        "source_channel": intake.source_channel,
        # In UTC, as the database returns it: Python never finds an aware local time inside a
        # daylight-saving change equal to a time of another zone, so a repeat would "update".
        "observed_at": intake.observed_at.astimezone(dt.UTC),
        "category_id": intake.category.pk,
        "life_domain_id": intake.category.life_domain_id,
        "description": intake.description,
        "location_kind": resolved.kind,
        "lat": point.lat if point else None,
        "lon": point.lon if point else None,
        "rd_x": round(point.x, 2) if point else None,
        "rd_y": round(point.y, 2) if point else None,
        "postcode": resolved.postcode,
        "huisnummer": resolved.huisnummer,
        "huisletter": resolved.huisletter,
        "huisnummertoevoeging": resolved.huisnummertoevoeging,
        "neighbourhood_id": resolved.neighbourhood.pk if resolved.neighbourhood else None,
        "cell_x": cell[0],
        "cell_y": cell[1],
        "source_reliability": intake.source_reliability,
        "info_reliability": intake.info_reliability,
        "handling_code": intake.handling_code,
        "confidentiality": intake.confidentiality or intake.category.default_confidentiality,
    }


def _audit_created(viewer: Viewer, signal: Signal, intake: SignalIntake) -> None:
    """The same audit event as signal_create writes, plus the external id."""
    audit(
        actor=viewer.user,
        municipality_id=viewer.municipality_id,
        action="create",
        obj=signal,
        changes={
            "category": intake.category.code,
            "owner_organisation": intake.owner_organisation.slug,
            "source_channel": intake.source_channel,
            "location_kind": signal.location_kind,
            "neighbourhood": signal.neighbourhood.code if signal.neighbourhood else None,
            "external_id": intake.external_id,
        },
    )


def _audit_value(name: str, value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if name == "category_id" and value is not None:
        return Category.objects.filter(pk=value).values_list("code", flat=True).first()
    if name == "neighbourhood_id" and value is not None:
        return Neighbourhood.objects.filter(pk=value).values_list("code", flat=True).first()
    return value


def _apply_intake(
    *, viewer: Viewer, signal: Signal, intake: SignalIntake, resolved: ResolvedLocation
) -> tuple[Signal, str]:
    """Bring a locked, checked signal in line with a repeated intake; never status or owner."""
    changed = {
        name: (getattr(signal, name), value)
        for name, value in _intake_values(intake, resolved).items()
        if getattr(signal, name) != value
    }
    if not changed:
        return signal, UNCHANGED
    for name, (_old, value) in changed.items():
        setattr(signal, name, value)
    # Keys and uniqueness are the database's to guard (the values come from checked objects).
    signal.full_clean(exclude=_KNOWN_KEYS, validate_unique=False, validate_constraints=False)
    signal.save(update_fields=[*changed, "updated_at"])
    audit(
        actor=viewer.user,
        municipality_id=signal.municipality_id,
        action="update",
        obj=signal,
        changes={
            "external_id": signal.external_id,
            "fields": sorted(name.removesuffix("_id") for name in changed),
            **{
                name.removesuffix("_id"): [_audit_value(name, old), _audit_value(name, new)]
                for name, (old, new) in changed.items()
                if name not in _PERSONAL_FIELDS
            },
        },
    )
    return signal, UPDATED


def _signal_intake_update(
    *, viewer: Viewer, signal: Signal, intake: SignalIntake
) -> tuple[Signal, str]:
    """Check a repeated intake with the rules of a new signal, then apply it."""
    errors, resolved = check_intake(
        viewer=viewer, intake=replace(intake, owner_organisation=signal.owner_organisation)
    )
    if errors or resolved is None:
        raise ValidationError(errors)
    return _apply_intake(viewer=viewer, signal=signal, intake=intake, resolved=resolved)


def _locked_by_external_id(owner: Organisation, external_id: str) -> Signal | None:
    return (
        Signal.objects.select_for_update()
        .select_related("owner_organisation")
        .filter(owner_organisation=owner, external_id=external_id)
        .first()
    )


@transaction.atomic
def signal_upsert(*, viewer: Viewer, intake: SignalIntake) -> tuple[Signal, str]:
    """Create a signal, or update the one with the same (owner organisation, external id).

    Returns the signal and the outcome: `created`, `updated` or `unchanged`. An update checks
    the same rules as a create, writes an audit event naming the changed fields and never
    changes status or owner. Race-safe: of two concurrent identical creates one inserts and the
    other becomes an update (unchanged). Raises ValidationError listing every problem.
    """
    existing = (
        _locked_by_external_id(intake.owner_organisation, intake.external_id)
        if intake.external_id
        else None
    )
    if existing is not None:
        return _signal_intake_update(viewer=viewer, signal=existing, intake=intake)
    create: dict[str, Any] = {
        "viewer": viewer,
        "owner_organisation": intake.owner_organisation,
        "category": intake.category,
        "observed_at": intake.observed_at,
        "description": intake.description,
        "location": intake.location,
        "source_channel": intake.source_channel,
        "source_reliability": intake.source_reliability,
        "info_reliability": intake.info_reliability,
        "handling_code": intake.handling_code,
        "confidentiality": intake.confidentiality,
        "external_id": intake.external_id,
    }
    if not intake.external_id:
        return signal_create(**create), CREATED
    try:
        with transaction.atomic():  # a savepoint: a concurrent identical create may win
            return signal_create(**create), CREATED
    except (IntegrityError, ValidationError):
        # IntegrityError: the other insert committed while ours waited on the unique index.
        # ValidationError: a real error, or full_clean saw the other row (committed between
        # our lookup and our insert). Only the second case is redone as an update.
        existing = _locked_by_external_id(intake.owner_organisation, intake.external_id)
        if existing is None:
            raise
    return _signal_intake_update(viewer=viewer, signal=existing, intake=intake)


@transaction.atomic
def signal_upsert_many(
    *, viewer: Viewer, intakes: Sequence[SignalIntake]
) -> list[tuple[Signal, str]]:
    """`signal_upsert` for every item in one transaction: all or nothing.

    Every item is checked first (`check_intakes`); any error raises BatchInvalid with the errors
    of every failing item, before anything is written. Existing signals are looked up and
    locked with one query per owner organisation, new ones inserted with one statement that
    skips rows a concurrent request inserted meanwhile; those are then updated instead.
    """
    errors, resolved = check_intakes(viewer=viewer, intakes=intakes)
    if errors:
        raise BatchInvalid(errors)
    external_ids: dict[int, set[str]] = {}
    for intake in intakes:
        if intake.external_id:
            external_ids.setdefault(intake.owner_organisation.pk, set()).add(intake.external_id)
    existing: dict[tuple[int, str], Signal] = {}
    for owner_id, ids in sorted(external_ids.items()):
        for signal in (
            Signal.objects.select_for_update()
            .filter(owner_organisation_id=owner_id, external_id__in=ids)
            .order_by("pk")
        ):
            existing[(owner_id, signal.external_id)] = signal

    results: list[tuple[Signal, str] | None] = [None] * len(intakes)
    new: dict[int, Signal] = {}
    now = timezone.now()
    for index, (intake, location) in enumerate(zip(intakes, resolved, strict=True)):
        assert location is not None  # checked above
        found = existing.get((intake.owner_organisation.pk, intake.external_id))
        if intake.external_id and found is not None:
            results[index] = _apply_intake(
                viewer=viewer, signal=found, intake=intake, resolved=location
            )
            continue
        signal = Signal(
            municipality_id=viewer.municipality_id,
            owner_organisation=intake.owner_organisation,
            registered_by=viewer.user,
            external_id=intake.external_id,
            registered_at=now,
            category=intake.category,
            life_domain=intake.category.life_domain,
            neighbourhood=location.neighbourhood,
            status=Status.OPEN,
            **{
                name: value
                for name, value in _intake_values(intake, location).items()
                if not name.endswith("_id")
            },
        )
        signal.full_clean(exclude=_KNOWN_KEYS, validate_unique=False, validate_constraints=False)
        new[index] = signal
    # ON CONFLICT DO NOTHING (SQLite: INSERT OR IGNORE): a row that a concurrent request
    # inserted with the same (owner, external id) is skipped here, not an error.
    Signal.objects.bulk_create(new.values(), ignore_conflicts=True)
    inserted = dict(
        Signal.objects.filter(uuid__in=[s.uuid for s in new.values()]).values_list("uuid", "pk")
    )
    for index, signal in new.items():
        intake = intakes[index]
        if signal.uuid in inserted:
            signal.pk = inserted[signal.uuid]
            signal._state.adding = False
            _audit_created(viewer, signal, intake)
            results[index] = (signal, CREATED)
            continue
        winner = _locked_by_external_id(intake.owner_organisation, intake.external_id)
        assert winner is not None, "a skipped insert conflicts with a committed signal"
        location = resolved[index]
        assert location is not None
        results[index] = _apply_intake(
            viewer=viewer, signal=winner, intake=intake, resolved=location
        )
    return [result for result in results if result is not None]


def check_status_change(*, viewer: Viewer, signal: Signal, to_status: str, note: str) -> Errors:
    """Every rule for a status change, all violations at once."""
    errors: Errors = {}
    if len(note) > NOTE_MAX:
        _error(
            errors,
            "note",
            _format(_("De toelichting is te lang: maximaal %(limit)d tekens."), limit=NOTE_MAX),
            "max_length",
        )
    if to_status not in {s.value for s in Status}:
        _error(errors, "status", _("Onbekende status."), "invalid_choice")
        return errors
    owner_roles = viewer.roles_by_organisation.get(signal.owner_organisation_id, frozenset())
    reopening = signal.status in FINAL and to_status == Status.OPEN
    if signal.municipality_id != viewer.municipality_id or not owner_roles & {
        Role.REGISSEUR,
        Role.PROFESSIONAL,
    }:
        _error(
            errors,
            "status",
            _("Alleen de organisatie die eigenaar is van dit signaal kan de status wijzigen."),
            "not_owner",
        )
    elif not is_allowed(signal.status, to_status, may_reopen=True):
        _error(
            errors,
            "status",
            _format(
                _("Van '%(current)s' naar '%(target)s' is geen toegestane statuswijziging."),
                current=STATUS_LABELS.get(signal.status, signal.status),
                target=STATUS_LABELS.get(to_status, to_status),
            ),
            "invalid_transition",
        )
    elif not may_change_status(viewer, signal, to_status):
        _error(
            errors,
            "status",
            _("Alleen een regisseur van de eigenaar kan een signaal heropenen.")
            if reopening
            else _("Deze statuswijziging is niet toegestaan voor uw rol."),
            "reopen_forbidden" if reopening else "forbidden",
        )
    if reopening and not note.strip():
        _error(errors, "note", _("Geef een reden voor het heropenen."), "required")
    return errors


@transaction.atomic
def signal_change_status(
    *, viewer: Viewer, signal: Signal, to_status: str, note: str = ""
) -> Signal:
    """Move a signal along the status machine; the history row is append-only."""
    locked = Signal.objects.select_for_update().get(pk=signal.pk)
    errors = check_status_change(viewer=viewer, signal=locked, to_status=to_status, note=note)
    if errors:
        raise ValidationError(errors)
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
    signal_id = locked.pk
    transaction.on_commit(
        lambda: events.status_changed.send(
            sender=Signal, signal_id=signal_id, from_status=previous, to_status=to_status
        )
    )
    return locked


def writer_organisations(viewer: Viewer) -> list[Organisation]:
    return list(Organisation.objects.filter(pk__in=viewer.writer_organisation_ids).order_by("name"))


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


@transaction.atomic
def attachment_add(
    *, signal: Signal, upload: IO[bytes], size: int | None, user: User | None
) -> Attachment:
    """Store a photo with a signal, re-encoded without metadata. Raises ValidationError.

    The caller has checked that `user` (None: a resident via the public form) may add to
    `signal`. If saving the row fails the file is removed; a file left behind by a rollback of
    an outer transaction is referenced by no row and never served.
    """
    clean = images.clean_image(upload, size)
    attachment = Attachment(
        municipality_id=signal.municipality_id,
        signal=signal,
        content_type=clean.content_type,
        extension=clean.extension,
        size=len(clean.data),
        width=clean.width,
        height=clean.height,
        uploaded_by=user,
    )
    attachment.file.save("photo" + clean.extension, ContentFile(clean.data), save=False)
    stored_name = attachment.file.name or ""
    storage = attachment.file.storage
    try:
        attachment.save()
    except Exception:
        storage.delete(stored_name)
        raise
    audit(
        actor=user,
        municipality_id=signal.municipality_id,
        action="attach",
        obj=attachment,
        changes={"signal": str(signal.uuid), "size": attachment.size},
    )
    return attachment


def _may_link_duplicates(viewer: Viewer, signal: Signal) -> bool:
    """Marking a duplicate is handling a signal: the owner's regisseur or professionals."""
    owner_roles = viewer.roles_by_organisation.get(signal.owner_organisation_id, frozenset())
    return signal.municipality_id == viewer.municipality_id and bool(
        owner_roles & {Role.REGISSEUR, Role.PROFESSIONAL}
    )


def may_mark_duplicate(viewer: Viewer, signal: Signal) -> bool:
    return _may_link_duplicates(viewer, signal)


def check_mark_duplicate(
    *, viewer: Viewer, signal: Signal, target: Signal
) -> tuple[Errors, Signal | None]:
    """Every rule for marking `signal` as a duplicate of `target`; returns the original.

    A duplicate always points at an original (no chains): a target that is a duplicate itself
    stands for its original. A signal that has duplicates of its own stays an original.
    """
    errors: Errors = {}
    if not _may_link_duplicates(viewer, signal):
        _error(
            errors,
            "duplicate_of",
            _("Alleen de organisatie die eigenaar is van dit signaal kan het als dubbel markeren."),
            "not_owner",
        )
        return errors, None
    original = target
    if target.duplicate_of_id is not None:
        original = Signal.objects.get(pk=target.duplicate_of_id)
    visible = Signal.objects.filter(visible_signals_q(viewer))
    if (
        target.municipality_id != signal.municipality_id
        or original.municipality_id != signal.municipality_id
        or not visible.filter(pk=target.pk).exists()
        or not visible.filter(pk=original.pk).exists()
    ):
        _error(
            errors,
            "duplicate_of",
            _("Het andere signaal bestaat niet of u kunt het niet inzien."),
            "unknown",
        )
    elif target.pk == signal.pk:
        _error(errors, "duplicate_of", _("Een signaal kan geen dubbel van zichzelf zijn."), "self")
    elif original.pk == signal.pk:
        _error(
            errors,
            "duplicate_of",
            _("Het andere signaal is al een dubbel van dit signaal."),
            "cycle",
        )
    elif signal.duplicate_of_id is not None:
        _error(
            errors,
            "duplicate_of",
            _("Dit signaal is al als dubbel gemarkeerd. Maak dat eerst ongedaan."),
            "already_duplicate",
        )
    elif Signal.objects.filter(duplicate_of_id=signal.pk).exists():
        _error(
            errors,
            "duplicate_of",
            _(
                "Andere signalen zijn als dubbel van dit signaal gemarkeerd. Markeer in plaats "
                "daarvan het andere signaal als dubbel van dit signaal."
            ),
            "has_duplicates",
        )
    return errors, (None if errors else original)


def _lock(*signals: Signal) -> dict[int, Signal]:
    """Lock rows in id order (no deadlock between two requests linking the same pair)."""
    pks = sorted({s.pk for s in signals})
    return Signal.objects.select_for_update().in_bulk(pks)


@transaction.atomic
def signal_mark_duplicate(*, viewer: Viewer, signal: Signal, target: Signal) -> Signal:
    """Link `signal` to the signal it repeats; nothing is deleted and the status stays.

    Returns the original it was linked to (the target, or the target's own original).
    """
    related = [signal, target]
    if target.duplicate_of_id is not None:
        related.append(Signal(pk=target.duplicate_of_id))
    locked = _lock(*related)
    current = locked[signal.pk]
    errors, original = check_mark_duplicate(viewer=viewer, signal=current, target=locked[target.pk])
    if errors or original is None:
        raise ValidationError(errors)
    current.duplicate_of = original
    current.save(update_fields=["duplicate_of", "updated_at"])
    audit(
        actor=viewer.user,
        municipality_id=viewer.municipality_id,
        action="mark_duplicate",
        obj=current,
        changes={"duplicate_of": [None, str(original.uuid)], "status": current.status},
    )
    signal.duplicate_of = original
    return original


@transaction.atomic
def signal_unmark_duplicate(*, viewer: Viewer, signal: Signal) -> None:
    """Undo `signal_mark_duplicate`: the link is removed (and the removal audited)."""
    current = _lock(signal)[signal.pk]
    errors: Errors = {}
    if not _may_link_duplicates(viewer, current):
        _error(
            errors,
            "duplicate_of",
            _("Alleen de organisatie die eigenaar is van dit signaal kan dit ongedaan maken."),
            "not_owner",
        )
    elif current.duplicate_of_id is None:
        _error(
            errors,
            "duplicate_of",
            _("Dit signaal is niet als dubbel gemarkeerd."),
            "not_duplicate",
        )
    if errors:
        raise ValidationError(errors)
    previous = current.duplicate_of
    assert previous is not None
    current.duplicate_of = None
    current.save(update_fields=["duplicate_of", "updated_at"])
    audit(
        actor=viewer.user,
        municipality_id=viewer.municipality_id,
        action="unmark_duplicate",
        obj=current,
        changes={"duplicate_of": [str(previous.uuid), None]},
    )
    signal.duplicate_of = None


@transaction.atomic
def street_observation_create(
    *,
    viewer: Viewer,
    owner_organisation: Organisation,
    category: Category,
    observed_at: dt.datetime,
    description: str,
    location: LocationInput,
    photo: IO[bytes] | None = None,
    photo_size: int | None = None,
) -> Signal:
    """A professional's observation in the street, with an optional photo: both or neither.

    The observer saw it personally (information reliability 2); the source reliability is
    left for the handler to judge. Raises ValidationError (a photo problem under "photo").
    """
    signal = signal_create(
        viewer=viewer,
        owner_organisation=owner_organisation,
        category=category,
        observed_at=observed_at,
        description=description,
        location=location,
        source_channel=SourceChannel.STREET,
        info_reliability=InfoReliability.I2,
    )
    if photo is not None:
        try:
            attachment_add(signal=signal, upload=photo, size=photo_size, user=viewer.user)
        except ValidationError as exc:
            raise ValidationError({"photo": exc.error_list}) from exc
    return signal

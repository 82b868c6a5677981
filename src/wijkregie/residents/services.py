"""Writes for resident reports: keyword-only, atomic, validated with the signal domain rules.

A resident has no account, so `signals.services.signal_create` (which needs a Viewer) is not
used; the same checks are: `check_location` for the location, the category rules for public
categories, the description limit. The signal is owned by the municipality's own organisation
(kind "gemeente"), source channel "resident", registered by nobody.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import json
import math
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wijkregie.lib import images
from wijkregie.privacy.services import audit
from wijkregie.residents import codes
from wijkregie.residents.models import PendingPhoto, ResidentReport, SubmissionEvent
from wijkregie.signals.models import (
    DESCRIPTION_MAX,
    Category,
    Signal,
    SourceChannel,
)
from wijkregie.signals.services import (
    Errors,
    LocationInput,
    ResolvedLocation,
    attachment_add,
    check_location,
)
from wijkregie.signals.states import Status
from wijkregie.tenants.models import Municipality, Organisation, OrganisationKind

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

EMAIL_MAX = 254
PENDING_PHOTO_MAX_AGE = dt.timedelta(days=1)

ADDRESS_ERROR_FIELDS = ("postcode", "huisnummer", "huisletter", "huisnummertoevoeging")


def _error(errors: Errors, field: str, message: StrOrPromise, code: str) -> None:
    errors.setdefault(field, ValidationError(message, code=code))


# -- rate limiting -------------------------------------------------------------------------


def client_key(ip: str) -> str:
    """Keyed HMAC of a client address: the same for the same address, never the address."""
    key = settings.PSEUDONYM_KEY.encode()
    return hmac.new(key, b"resident-rate-limit:" + ip.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Idempotency:
    """A client's Idempotency-Key (keyed HMAC, never the raw value) and its request's digest."""

    key: str
    digest: str


def idempotency_for(raw_key: str, request_fields: dict[str, str]) -> Idempotency:
    """Hash a client's idempotency key and the fields it sent, for `resident_report_create`."""
    secret = settings.PSEUDONYM_KEY.encode()
    key = hmac.new(secret, b"resident-idempotency:" + raw_key.encode(), hashlib.sha256)
    # Keyed as well: the fields hold an e-mail address and free text, and a plain hash of
    # them could be confirmed by guessing.
    canonical = json.dumps(request_fields, sort_keys=True, ensure_ascii=False)
    digest = hmac.new(secret, b"resident-request:" + canonical.encode(), hashlib.sha256)
    return Idempotency(key.hexdigest(), digest.hexdigest())


def rate_limits() -> list[tuple[int, int]]:
    return [(int(n), int(s)) for n, s in settings.RESIDENT_RATE_LIMITS]


def rate_limit_retry_after(*, key: str, now: dt.datetime | None = None) -> int | None:
    """Seconds until this client may submit again, or None when it may submit now."""
    now = now or timezone.now()
    wait = 0.0
    for limit, seconds in rate_limits():
        window_start = now - dt.timedelta(seconds=seconds)
        times = list(
            SubmissionEvent.objects.filter(client_key=key, at__gt=window_start)
            .order_by("-at")
            .values_list("at", flat=True)[:limit]
        )
        if len(times) >= limit:
            # The oldest of the last `limit` submissions has to leave the window first.
            frees_at = times[-1] + dt.timedelta(seconds=seconds)
            wait = max(wait, (frees_at - now).total_seconds())
    return max(1, math.ceil(wait)) if wait > 0 else None


def record_submission(*, key: str, now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    SubmissionEvent.objects.create(client_key=key, at=now)
    longest = max((seconds for _, seconds in rate_limits()), default=0)
    SubmissionEvent.objects.filter(at__lt=now - dt.timedelta(seconds=longest)).delete()


# -- photos between steps ----------------------------------------------------------------


def pending_photo_store(*, upload: io.BufferedIOBase | object, size: int | None) -> str:
    """Check and re-encode an uploaded photo (no EXIF) and keep it for submit. Returns a token.

    Raises ValidationError (Dutch message) for a wrong type or size.
    """
    clean = images.clean_image(upload, size)  # type: ignore[arg-type]
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        PendingPhoto.objects.filter(created_at__lt=timezone.now() - PENDING_PHOTO_MAX_AGE).delete()
        PendingPhoto.objects.create(token=token, data=clean.data)
    return token


def pending_photo_discard(*, token: str) -> None:
    PendingPhoto.objects.filter(token=token).delete()


def pending_photo_exists(*, token: str) -> bool:
    return bool(token) and PendingPhoto.objects.filter(token=token).exists()


# -- reports ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportInput:
    category_code: str
    description: str
    location: LocationInput
    email: str = ""


def municipality_owner(municipality: Municipality) -> Organisation | None:
    return (
        Organisation.objects.filter(municipality=municipality, kind=OrganisationKind.GEMEENTE)
        .order_by("pk")
        .first()
    )


def public_category(municipality: Municipality, code: str) -> Category | None:
    return (
        Category.objects.filter(municipality=municipality, code=code, active=True, is_public=True)
        .select_related("life_domain")
        .first()
    )


def check_category(municipality: Municipality, code: str) -> tuple[Category | None, Errors]:
    errors: Errors = {}
    category = public_category(municipality, code) if code else None
    if not code:
        _error(errors, "category", _("Kies waar uw melding over gaat."), "required")
    elif category is None:
        _error(errors, "category", _("Kies een van de onderwerpen uit de lijst."), "unknown")
    return category, errors


def check_resident_location(
    municipality: Municipality, location: LocationInput
) -> tuple[ResolvedLocation | None, Errors]:
    """check_location, with messages for residents: an address we cannot place is one error."""
    resolved, errors = check_location(municipality.pk, location)
    address_given = bool(location.postcode or location.huisnummer is not None)
    if address_given and "neighbourhood" in errors:
        # Not in the address register: a resident cannot choose a buurt, only correct the
        # address or use the map.
        del errors["neighbourhood"]
        existing = errors.get("postcode")
        if existing is None or getattr(existing, "code", "") == "unknown_address":
            errors["postcode"] = ValidationError(
                _(
                    "Wij kunnen dit adres niet vinden. Controleer postcode en huisnummer, "
                    "of wijs de plek aan op de kaart."
                ),
                code="unknown_address",
            )
    return resolved, errors


def check_description(description: str) -> Errors:
    errors: Errors = {}
    if not description.strip():
        _error(errors, "description", _("Beschrijf wat er aan de hand is."), "required")
    elif len(description) > DESCRIPTION_MAX:
        _error(
            errors,
            "description",
            _("Uw beschrijving is te lang: gebruik maximaal 2000 tekens."),
            "max_length",
        )
    return errors


def check_email(email: str) -> Errors:
    errors: Errors = {}
    if email:
        try:
            if len(email) > EMAIL_MAX:
                raise ValidationError("too long")
            EmailValidator()(email)
        except ValidationError:
            _error(
                errors,
                "email",
                _(
                    "Vul een geldig e-mailadres in, bijvoorbeeld naam@voorbeeld.nl, of laat het leeg."
                ),
                "invalid",
            )
    return errors


def check_report(
    municipality: Municipality, data: ReportInput
) -> tuple[Errors, Category | None, ResolvedLocation | None]:
    """Every rule for a resident report, all violations at once."""
    errors: Errors = {}
    category, category_errors = check_category(municipality, data.category_code)
    resolved, location_errors = check_resident_location(municipality, data.location)
    for part in (category_errors, location_errors, check_description(data.description)):
        for name, error in part.items():
            errors.setdefault(name, error)
    for name, error in check_email(data.email).items():
        errors.setdefault(name, error)
    if municipality_owner(municipality) is None:
        _error(
            errors,
            "__all__",
            _("Deze gemeente neemt op dit moment geen meldingen aan via dit formulier."),
            "no_owner",
        )
    return errors, category, resolved


def _unique_code() -> str:
    while True:
        code = codes.new_code()
        if not ResidentReport.objects.filter(tracking_code=code).exists():
            return code


@transaction.atomic
def resident_report_create(
    *,
    municipality: Municipality,
    data: ReportInput,
    channel: str,
    key: str,
    photo_token: str = "",
    idempotency: Idempotency | None = None,
) -> ResidentReport:
    """Register a resident's report as a signal with a tracking code. Raises ValidationError.

    `key` is the client key for rate limiting (the caller checked the limit); the submission
    is counted in the same transaction as the report, so a failed report is not counted.
    With `idempotency`, a concurrent request with the same key fails on the unique constraint
    (IntegrityError) and this transaction's rows stay the only ones: the caller replays.
    """
    errors, category, resolved = check_report(municipality, data)
    if errors or category is None or resolved is None:
        raise ValidationError(errors)
    owner = municipality_owner(municipality)
    assert owner is not None  # checked above
    now = timezone.now()
    point = resolved.point
    cell = point.cell if point else (None, None)
    signal = Signal(
        municipality=municipality,
        owner_organisation=owner,
        registered_by=None,
        source_channel=SourceChannel.RESIDENT,
        observed_at=now,
        registered_at=now,
        category=category,
        life_domain_id=category.life_domain_id,
        description=data.description.strip(),
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
        confidentiality=category.default_confidentiality,
        status=Status.OPEN,
    )
    signal.full_clean()
    signal.save()
    report = ResidentReport(
        municipality=municipality,
        signal=signal,
        tracking_code=_unique_code(),
        channel=channel,
        email=data.email.strip(),
        created_at=now,
        idempotency_key=idempotency.key if idempotency else "",
        request_digest=idempotency.digest if idempotency else "",
    )
    report.full_clean(validate_constraints=False)
    report.save()
    if photo_token:
        pending = PendingPhoto.objects.filter(token=photo_token).first()
        if pending is not None:
            attachment_add(
                signal=signal,
                upload=io.BytesIO(bytes(pending.data)),
                size=len(pending.data),
                user=None,
            )
            pending.delete()
    record_submission(key=key, now=now)
    audit(
        actor=None,
        municipality_id=municipality.pk,
        action="create",
        obj=signal,
        changes={
            "category": category.code,
            "owner_organisation": owner.slug,
            "source_channel": SourceChannel.RESIDENT,
            "resident_channel": channel,
            "location_kind": resolved.kind,
            "neighbourhood": resolved.neighbourhood.code if resolved.neighbourhood else None,
            "email_given": bool(report.email),
        },
    )
    return report


@transaction.atomic
def report_email_erase(*, report_id: int) -> None:
    """Forget the e-mail address once it is no longer needed (the final status was mailed)."""
    report = ResidentReport.objects.select_for_update().filter(pk=report_id).first()
    if report is None or not report.email:
        return
    report.email = ""
    report.save(update_fields=["email"])
    audit(
        actor=None,
        municipality_id=report.municipality_id,
        action="erase_email",
        obj=report,
        changes={"reason": "final_status_mailed"},
    )

"""Writes for subjects: keyword-only, atomic, validated, audited.

Attaching a subject to a signal (address, person, group, location or an existing subject),
merging and unmerging subjects (always with a reason; a merge only sets a pointer, so an
unmerge restores exactly the state before), and opening a subject for screening.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wijkregie.addresses.selectors import address_key, lookup_address
from wijkregie.areas.selectors import buurt_at
from wijkregie.lib import dutch, geo
from wijkregie.privacy.models import AccessAction
from wijkregie.privacy.pseudonyms import clean_bsn, municipality_key, pseudonymise_bsn
from wijkregie.privacy.services import audit, log_access
from wijkregie.signals.models import Signal
from wijkregie.subjects import linking
from wijkregie.subjects.access import (
    cluster_ids,
    may_attach,
    may_know_record,
    may_merge,
    may_review_links,
    may_see_subject,
    root_of,
)
from wijkregie.subjects.models import (
    PSEUDONYM_PREFIX,
    BlockingKey,
    LinkConstraint,
    LinkExplanation,
    LinkProposal,
    PersonRecord,
    PlaceKind,
    ProposalKind,
    ProposalStatus,
    SignalRole,
    SignalSubject,
    Subject,
    SubjectEvent,
    SubjectEventKind,
    SubjectKind,
    SubjectMember,
)
from wijkregie.tenants.access import Viewer
from wijkregie.tenants.models import Municipality

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

Errors = dict[str, ValidationError]
REASON_MIN = 10
REASON_MAX = 500
NAME_MAX = 200
# Crockford's base32 without I, L, O, U: no look-alikes, no accidental words.
PSEUDONYM_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PSEUDONYM_LENGTH = 6


def _error(errors: Errors, name: str, message: StrOrPromise, code: str) -> None:
    errors.setdefault(name, ValidationError(message, code=code))


def new_pseudonym(kind: str) -> str:
    body = "".join(secrets.choice(PSEUDONYM_ALPHABET) for _ in range(PSEUDONYM_LENGTH))
    return f"{PSEUDONYM_PREFIX[SubjectKind(kind)]}-{body}"


def _create_subject(
    *, viewer: Viewer | None, municipality_id: int, kind: str, **values: Any
) -> Subject:
    """A new subject with a fresh pseudonym (retried in the rare case of a collision)."""
    for _attempt in range(5):
        subject = Subject(
            municipality_id=municipality_id,
            kind=kind,
            pseudonym=new_pseudonym(kind),
            created_by=viewer.user if viewer is not None else None,
            **values,
        )
        # References come from the service itself; uniqueness is the database's (retried below).
        subject.full_clean(
            exclude=["municipality", "merged_into", "dwelling", "created_by"],
            validate_unique=False,
            validate_constraints=False,
        )
        try:
            with transaction.atomic():
                subject.save()
        except IntegrityError:
            if Subject.objects.filter(
                municipality_id=municipality_id, pseudonym=subject.pseudonym
            ).exists():
                continue
            raise
        _event(viewer=viewer, subject=subject, kind=SubjectEventKind.CREATED)
        return subject
    raise RuntimeError("no free pseudonym")  # pragma: no cover - 32^6 codes


def _event(
    *,
    viewer: Viewer | None,
    subject: Subject,
    kind: str,
    reason: str = "",
    other: Subject | None = None,
    data: dict[str, Any] | None = None,
) -> SubjectEvent:
    user = viewer.user if viewer is not None else None
    return SubjectEvent.objects.create(
        municipality_id=subject.municipality_id,
        subject=subject,
        other=other,
        kind=kind,
        reason=reason,
        user=user,
        username=getattr(user, "username", "") or "system",
        data=data or {},
    )


def _check_attach(viewer: Viewer, signal: Signal) -> Errors:
    errors: Errors = {}
    if not may_attach(viewer, signal):
        _error(
            errors,
            "signal",
            _(
                "Alleen de organisatie die eigenaar is van dit signaal kan er betrokkenen aan koppelen."
            ),
            "not_owner",
        )
    return errors


def _check_role(errors: Errors, role: str) -> None:
    if role not in SignalRole.values:
        _error(errors, "role", _("Kies een geldige rol."), "invalid_choice")


def _link(*, viewer: Viewer, signal: Signal, subject: Subject, role: str) -> SignalSubject:
    link, created = SignalSubject.objects.get_or_create(
        signal=signal,
        subject=subject,
        defaults={"municipality_id": signal.municipality_id, "role": role, "added_by": viewer.user},
    )
    if created:
        audit(
            actor=viewer.user,
            municipality_id=viewer.municipality_id,
            action="subject_attach",
            object_type="subjects.signalsubject",
            object_id=str(signal.uuid),
            changes={"subject": subject.pseudonym, "kind": subject.kind, "role": role},
        )
    return link


# --- addresses ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AddressInput:
    postcode: str = ""
    huisnummer: int | None = None
    huisletter: str = ""
    huisnummertoevoeging: str = ""


@dataclass(frozen=True)
class NormalisedAddress:
    key: str
    postcode: str
    huisnummer: int
    huisletter: str
    huisnummertoevoeging: str
    verblijfsobject_id: str


def normalise_address(
    value: AddressInput, *, prefix: str = ""
) -> tuple[NormalisedAddress | None, Errors]:
    """The address key: the BAG verblijfsobject id where the register knows the address, else
    'pc:' + normalised postcode, huisnummer, huisletter and toevoeging."""
    errors: Errors = {}
    postcode = dutch.normalise_postcode(value.postcode or "")
    if postcode is None:
        _error(
            errors,
            f"{prefix}postcode",
            _("Vul een geldige postcode in, bijvoorbeeld 1234 AB."),
            "invalid",
        )
    if value.huisnummer is None or not 0 < value.huisnummer <= 99999:
        _error(
            errors, f"{prefix}huisnummer", _("Vul een huisnummer in tussen 1 en 99999."), "invalid"
        )
    letter = (value.huisletter or "").strip()
    addition = (value.huisnummertoevoeging or "").strip()
    if letter and not dutch.HUISLETTER_RE.match(letter):
        _error(errors, f"{prefix}huisletter", _("Een huisletter is één letter."), "invalid")
    if addition and not dutch.TOEVOEGING_RE.match(addition):
        _error(
            errors,
            f"{prefix}huisnummertoevoeging",
            _("Een toevoeging is 1 tot 4 letters of cijfers."),
            "invalid",
        )
    if errors:
        return None, errors
    key = address_key(postcode or "", value.huisnummer, letter, addition)
    assert key is not None
    found = lookup_address(*key)
    vbo = found.verblijfsobject_id if found is not None else ""
    text_key = f"vbo:{vbo}" if vbo else "pc:" + ":".join(str(part) for part in key)
    return (
        NormalisedAddress(
            key=text_key,
            postcode=key[0],
            huisnummer=key[1],
            huisletter=key[2],
            huisnummertoevoeging=key[3],
            verblijfsobject_id=vbo,
        ),
        errors,
    )


def address_subject(
    *, viewer: Viewer | None, municipality_id: int, address: NormalisedAddress
) -> Subject:
    """The address subject for this address in the municipality (one per address key)."""
    existing = Subject.objects.filter(
        municipality_id=municipality_id, kind=SubjectKind.ADDRESS, address_key=address.key
    ).first()
    if existing is not None:
        return existing
    point = lookup_address(
        address.postcode, address.huisnummer, address.huisletter, address.huisnummertoevoeging
    )
    values: dict[str, Any] = {}
    if point is not None:
        cell = geo.cell_of(point.x, point.y)
        values = {
            "lat": point.lat,
            "lon": point.lon,
            "rd_x": point.x,
            "rd_y": point.y,
            "cell_x": cell[0],
            "cell_y": cell[1],
        }
    try:
        with transaction.atomic():
            return _create_subject(
                viewer=viewer,
                municipality_id=municipality_id,
                kind=SubjectKind.ADDRESS,
                address_key=address.key,
                postcode=address.postcode,
                huisnummer=address.huisnummer,
                huisletter=address.huisletter,
                huisnummertoevoeging=address.huisnummertoevoeging,
                verblijfsobject_id=address.verblijfsobject_id,
                **values,
            )
    except IntegrityError:  # created by a concurrent request
        return Subject.objects.get(
            municipality_id=municipality_id, kind=SubjectKind.ADDRESS, address_key=address.key
        )


def household_subject(*, viewer: Viewer | None, dwelling: Subject) -> Subject:
    existing = Subject.objects.filter(kind=SubjectKind.HOUSEHOLD, dwelling=dwelling).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return _create_subject(
                viewer=viewer,
                municipality_id=dwelling.municipality_id,
                kind=SubjectKind.HOUSEHOLD,
                dwelling=dwelling,
            )
    except IntegrityError:
        return Subject.objects.get(kind=SubjectKind.HOUSEHOLD, dwelling=dwelling)


@transaction.atomic
def attach_address(
    *,
    viewer: Viewer,
    signal: Signal,
    address: AddressInput,
    household: bool = False,
    role: str = SignalRole.CONCERNS,
) -> Subject:
    """Link the address (or the household living there) to the signal."""
    errors = _check_attach(viewer, signal)
    _check_role(errors, role)
    normalised, address_errors = normalise_address(address)
    errors.update({k: v for k, v in address_errors.items() if k not in errors})
    if errors or normalised is None:
        raise ValidationError(errors)
    subject = address_subject(
        viewer=viewer, municipality_id=signal.municipality_id, address=normalised
    )
    if household:
        subject = household_subject(viewer=viewer, dwelling=subject)
    _link(viewer=viewer, signal=signal, subject=subject, role=role)
    return subject


# --- persons -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonInput:
    bsn: str = ""
    given_names: str = ""
    surname_prefix: str = ""
    surname: str = ""
    birth_date: dt.date | None = None
    address: AddressInput = field(default_factory=AddressInput)


def check_person(person: PersonInput) -> tuple[Errors, NormalisedAddress | None]:
    errors: Errors = {}
    if person.bsn and not clean_bsn(person.bsn):
        _error(errors, "bsn", _("Dit is geen geldig BSN (9 cijfers, elfproef)."), "invalid")
    for name, value, limit in (
        ("given_names", person.given_names, NAME_MAX),
        ("surname_prefix", person.surname_prefix, 20),
        ("surname", person.surname, NAME_MAX),
    ):
        if len(value) > limit:
            _error(errors, name, _("Deze naam is te lang."), "max_length")
    if person.birth_date is not None:
        if person.birth_date > timezone.localdate():
            _error(errors, "birth_date", _("Een geboortedatum ligt niet in de toekomst."), "future")
        elif person.birth_date.year < 1900:
            _error(errors, "birth_date", _("Geef een geboortedatum na 1900."), "too_old")
    if not (person.bsn or person.surname or person.given_names or person.birth_date):
        _error(
            errors,
            "person",
            _("Geef ten minste een BSN, een naam of een geboortedatum op."),
            "required",
        )
    normalised = None
    a = person.address
    if a.postcode or a.huisnummer is not None or a.huisletter or a.huisnummertoevoeging:
        normalised, address_errors = normalise_address(a)
        for name, error in address_errors.items():
            errors.setdefault(name, error)
    return errors, normalised


def _municipality_code(municipality_id: int) -> str:
    return Municipality.objects.values_list("cbs_code", flat=True).get(pk=municipality_id)


def bsn_token(municipality_id: int, bsn: str) -> str:
    """The keyed pseudonym of a BSN for this municipality ('' without a valid BSN)."""
    if not bsn:
        return ""
    return pseudonymise_bsn(bsn, municipality_key(_municipality_code(municipality_id)))


def _store_keys(record: PersonRecord) -> None:
    keys = linking.blocking_keys_for(record)
    BlockingKey.objects.bulk_create(
        [BlockingKey(municipality_id=record.municipality_id, record=record, key=k) for k in keys]
    )


def _explain(record: PersonRecord, match: linking.Match) -> None:
    """The explanation of a new record's link (a relink would replace it)."""
    LinkExplanation.objects.create(
        record=record,
        municipality_id=record.municipality_id,
        method=match.method,
        matched_record_id=match.record_id,
        probability=match.probability,
        match_weight=match.match_weight,
        comparisons=match.comparisons,
    )


def link_record(*, viewer: Viewer | None, record: PersonRecord) -> tuple[Subject, linking.Match]:
    """Find the person of a new record (incremental linking) and store why.

    A BSN token that matches decides; a thin record gets a person of its own; otherwise the
    record is compared with the candidates that share a blocking key (indexed lookup), and
    joins the best one above the threshold of the linking model, or starts a new person.
    """
    match = linking.match_record(record)
    if match.person_id is not None:
        person = root_of(Subject.objects.get(pk=match.person_id))
    else:
        person = _create_subject(
            viewer=viewer,
            municipality_id=record.municipality_id,
            kind=SubjectKind.PERSON,
            bsn_token=record.bsn_token,
        )
    record.person = person
    return person, match


@transaction.atomic
def attach_person(
    *,
    viewer: Viewer,
    signal: Signal,
    person: PersonInput,
    role: str = SignalRole.CONCERNS,
) -> tuple[Subject, PersonRecord]:
    """Store the person as the signal's owner supplied them, link the record to a person and
    the person to the signal. The BSN is kept only as a keyed pseudonym."""
    errors = _check_attach(viewer, signal)
    _check_role(errors, role)
    person_errors, address = check_person(person)
    for name, error in person_errors.items():
        errors.setdefault(name, error)
    if errors:
        raise ValidationError(errors)
    token = bsn_token(signal.municipality_id, person.bsn)
    record = PersonRecord(
        municipality_id=signal.municipality_id,
        owner_organisation_id=signal.owner_organisation_id,
        signal=signal,
        given_names=person.given_names.strip(),
        surname_prefix=person.surname_prefix.strip(),
        surname=person.surname.strip(),
        birth_date=person.birth_date,
        postcode=address.postcode if address else "",
        huisnummer=address.huisnummer if address else None,
        huisletter=address.huisletter if address else "",
        huisnummertoevoeging=address.huisnummertoevoeging if address else "",
        bsn_token=token,
        created_by=viewer.user,
    )
    record.thin = linking.is_thin(record)
    subject, match = link_record(viewer=viewer, record=record)
    record.full_clean(
        exclude=["municipality", "owner_organisation", "signal", "person", "created_by"],
        validate_unique=False,
    )
    record.save()
    _store_keys(record)
    _explain(record, match)
    if address is not None:
        dwelling = address_subject(
            viewer=viewer, municipality_id=signal.municipality_id, address=address
        )
        household = household_subject(viewer=viewer, dwelling=dwelling)
        SubjectMember.objects.get_or_create(
            subject=household,
            person=subject,
            defaults={"municipality_id": signal.municipality_id, "added_by": viewer.user},
        )
    _event(
        viewer=viewer,
        subject=subject,
        kind=SubjectEventKind.LINKED,
        data={"record": str(record.uuid), "method": match.method},
    )
    audit(
        actor=viewer.user,
        municipality_id=viewer.municipality_id,
        action="person_record_create",
        obj=record,
        # field names only: never a name, birth date or BSN in the audit log
        changes={
            "person": subject.pseudonym,
            "fields": sorted(
                name
                for name in ("given_names", "surname", "birth_date", "postcode", "bsn_token")
                if getattr(record, name)
            ),
            "method": match.method,
        },
    )
    _link(viewer=viewer, signal=signal, subject=subject, role=role)
    return subject, record


# --- groups and locations ----------------------------------------------------------------


@dataclass(frozen=True)
class GroupInput:
    name: str = ""
    existing: Subject | None = None
    members: tuple[Subject, ...] = ()


@transaction.atomic
def attach_group(
    *, viewer: Viewer, signal: Signal, group: GroupInput, role: str = SignalRole.CONCERNS
) -> Subject:
    errors = _check_attach(viewer, signal)
    _check_role(errors, role)
    name = group.name.strip()
    if group.existing is None:
        if not name:
            _error(errors, "name", _("Geef de groep een naam."), "required")
        elif len(name) > NAME_MAX:
            _error(errors, "name", _("Deze naam is te lang."), "max_length")
    elif (
        group.existing.kind != SubjectKind.GROUP
        or group.existing.municipality_id != signal.municipality_id
    ):
        _error(
            errors, "subject", _("Deze groep bestaat niet of u kunt haar niet inzien."), "unknown"
        )
    for member in group.members:
        if member.kind != SubjectKind.PERSON or not may_see_subject(viewer, member):
            _error(
                errors,
                "members",
                _("Leden van een groep zijn personen die u kunt inzien."),
                "invalid",
            )
    if errors:
        raise ValidationError(errors)
    subject = group.existing
    if subject is None:
        # Groups meet by name, like places: the same youth group seen by two organisations.
        found = (
            Subject.objects.filter(
                municipality_id=signal.municipality_id, kind=SubjectKind.GROUP, name__iexact=name
            )
            .order_by("id")
            .first()
        )
        subject = root_of(found) if found is not None else None
    if subject is None:
        subject = _create_subject(
            viewer=viewer, municipality_id=signal.municipality_id, kind=SubjectKind.GROUP, name=name
        )
    for member in group.members:
        _add_member(viewer=viewer, group=subject, person=root_of(member))
    _link(viewer=viewer, signal=signal, subject=subject, role=role)
    return subject


def _add_member(*, viewer: Viewer, group: Subject, person: Subject) -> bool:
    _membership, created = SubjectMember.objects.get_or_create(
        subject=group,
        person=person,
        defaults={"municipality_id": group.municipality_id, "added_by": viewer.user},
    )
    if created:
        _event(viewer=viewer, subject=group, kind=SubjectEventKind.MEMBER_ADDED, other=person)
    return created


@transaction.atomic
def group_add_member(*, viewer: Viewer, group: Subject, person: Subject) -> None:
    """Add a person to a group (staff with an operational role who may see both)."""
    errors: Errors = {}
    if not may_merge(viewer) or not may_see_subject(viewer, group):
        _error(errors, "subject", _("U mag de leden van deze groep niet wijzigen."), "forbidden")
    elif root_of(group).kind != SubjectKind.GROUP:
        _error(errors, "subject", _("Alleen een groep heeft leden."), "kind")
    elif person.kind != SubjectKind.PERSON or not may_see_subject(viewer, person):
        _error(
            errors, "person", _("Leden van een groep zijn personen die u kunt inzien."), "invalid"
        )
    if errors:
        raise ValidationError(errors)
    target, member = root_of(group), root_of(person)
    if _add_member(viewer=viewer, group=target, person=member):
        audit(
            actor=viewer.user,
            municipality_id=viewer.municipality_id,
            action="group_member_add",
            obj=target,
            changes={"person": member.pseudonym},
        )


@transaction.atomic
def group_remove_member(*, viewer: Viewer, group: Subject, person: Subject, reason: str) -> None:
    errors: Errors = {}
    text = _check_reason(errors, reason)
    target = root_of(group)
    membership = SubjectMember.objects.filter(
        subject_id__in=cluster_ids(target), person_id__in=cluster_ids(root_of(person))
    ).first()
    if not may_merge(viewer) or not may_see_subject(viewer, group):
        _error(errors, "subject", _("U mag de leden van deze groep niet wijzigen."), "forbidden")
    elif membership is None:
        _error(errors, "person", _("Deze persoon is geen lid van deze groep."), "not_member")
    if errors:
        raise ValidationError(errors)
    assert membership is not None
    membership.delete()
    _event(
        viewer=viewer,
        subject=target,
        kind=SubjectEventKind.MEMBER_REMOVED,
        reason=text,
        other=root_of(person),
    )
    audit(
        actor=viewer.user,
        municipality_id=viewer.municipality_id,
        action="group_member_remove",
        obj=target,
        changes={"person": root_of(person).pseudonym},
    )


@dataclass(frozen=True)
class PlaceInput:
    name: str = ""
    place_kind: str = PlaceKind.OTHER
    lat: float | None = None
    lon: float | None = None
    area: dict[str, Any] | None = None


@transaction.atomic
def attach_location(
    *, viewer: Viewer, signal: Signal, place: PlaceInput, role: str = SignalRole.PLACE
) -> Subject:
    """A place without an address (a square, a park, a portico): one per name in the
    municipality, so signals about the same square meet."""
    errors = _check_attach(viewer, signal)
    _check_role(errors, role)
    name = place.name.strip()
    if not name:
        _error(errors, "name", _("Geef de plaats een naam, bijvoorbeeld Marktplein."), "required")
    elif len(name) > NAME_MAX:
        _error(errors, "name", _("Deze naam is te lang."), "max_length")
    if place.place_kind not in PlaceKind.values:
        _error(errors, "place_kind", _("Kies een geldige soort plaats."), "invalid_choice")
    point = None
    if (place.lat is None) != (place.lon is None):
        _error(errors, "location", _("Geef zowel breedtegraad als lengtegraad op."), "incomplete")
    elif place.lat is not None and place.lon is not None:
        if not geo.in_netherlands_wgs84(place.lat, place.lon):
            _error(errors, "location", _("Deze locatie ligt buiten Nederland."), "outside_nl")
        else:
            point = geo.point_from_wgs84(place.lat, place.lon)
            if buurt_at(signal.municipality_id, point.lon, point.lat) is None:
                _error(
                    errors,
                    "location",
                    _("Deze locatie ligt buiten de gemeente."),
                    "outside_municipality",
                )
    if errors:
        raise ValidationError(errors)
    existing = (
        Subject.objects.filter(
            municipality_id=signal.municipality_id,
            kind=SubjectKind.LOCATION,
            name__iexact=name,
            merged_into=None,
        )
        .order_by("id")
        .first()
    )
    if existing is not None:
        subject = existing
    else:
        values: dict[str, Any] = {"name": name, "place_kind": place.place_kind, "area": place.area}
        if point is not None:
            values.update(
                lat=point.lat,
                lon=point.lon,
                rd_x=point.x,
                rd_y=point.y,
                cell_x=point.cell[0],
                cell_y=point.cell[1],
            )
        subject = _create_subject(
            viewer=viewer,
            municipality_id=signal.municipality_id,
            kind=SubjectKind.LOCATION,
            **values,
        )
    _link(viewer=viewer, signal=signal, subject=subject, role=role)
    return subject


@transaction.atomic
def attach_existing(
    *, viewer: Viewer, signal: Signal, subject: Subject, role: str = SignalRole.CONCERNS
) -> Subject:
    """Link a subject the viewer may see (e.g. chosen on its page) to the signal."""
    errors = _check_attach(viewer, signal)
    _check_role(errors, role)
    if not may_see_subject(viewer, subject):
        _error(
            errors,
            "subject",
            _("Deze betrokkene bestaat niet of u kunt haar niet inzien."),
            "unknown",
        )
    if errors:
        raise ValidationError(errors)
    target = root_of(subject)
    _link(viewer=viewer, signal=signal, subject=target, role=role)
    return target


# --- merge and unmerge -------------------------------------------------------------------


def _check_reason(errors: Errors, reason: str) -> str:
    text = reason.strip()
    if len(text) < REASON_MIN:
        _error(
            errors,
            "reason",
            _("Geef een reden van ten minste 10 tekens."),
            "required",
        )
    elif len(text) > REASON_MAX:
        _error(errors, "reason", _("De reden is te lang: maximaal 500 tekens."), "max_length")
    return text


def check_merge(*, viewer: Viewer, subject: Subject, into: Subject, reason: str) -> Errors:
    errors: Errors = {}
    _check_reason(errors, reason)
    if not may_merge(viewer):
        _error(errors, "subject", _("U mag betrokkenen niet samenvoegen."), "forbidden")
        return errors
    if not (may_see_subject(viewer, subject) and may_see_subject(viewer, into)):
        _error(
            errors, "into", _("Deze betrokkene bestaat niet of u kunt haar niet inzien."), "unknown"
        )
        return errors
    source, target = root_of(subject), root_of(into)
    if source.pk == target.pk:
        _error(errors, "into", _("Deze betrokkenen zijn al samengevoegd."), "same")
    elif source.kind != target.kind:
        _error(errors, "into", _("Alleen betrokkenen van dezelfde soort kunnen samen."), "kind")
    elif (
        source.kind == SubjectKind.PERSON
        and _bsn_tokens(source)
        and _bsn_tokens(target)
        and _bsn_tokens(source).isdisjoint(_bsn_tokens(target))
    ):
        _error(
            errors,
            "into",
            _("Deze personen hebben een verschillend BSN: het zijn verschillende mensen."),
            "bsn_conflict",
        )
    elif source.kind == SubjectKind.PERSON and linking.constraint_between(
        cluster_ids(source), cluster_ids(target)
    ):
        _error(
            errors,
            "into",
            _(
                "Een registratie van de ene persoon is eerder van de andere afgesplitst. "
                "Zet die registratie terug als dat een vergissing was."
            ),
            "do_not_link",
        )
    return errors


def _bsn_tokens(person: Subject) -> set[str]:
    ids = cluster_ids(person)
    tokens = set(
        Subject.objects.filter(pk__in=ids).exclude(bsn_token="").values_list("bsn_token", flat=True)
    )
    tokens |= set(
        PersonRecord.objects.filter(person_id__in=ids)
        .exclude(bsn_token="")
        .values_list("bsn_token", flat=True)
    )
    return tokens


@transaction.atomic
def subject_merge(*, viewer: Viewer, subject: Subject, into: Subject, reason: str) -> Subject:
    """Merge `subject` (its whole cluster) into `into`'s cluster; returns the root."""
    locked = Subject.objects.select_for_update().in_bulk(sorted({subject.pk, into.pk}))
    subject, into = locked[subject.pk], locked[into.pk]
    errors = check_merge(viewer=viewer, subject=subject, into=into, reason=reason)
    if errors:
        raise ValidationError(errors)
    source, target = root_of(subject), root_of(into)
    source.merged_into = target
    source.save(update_fields=["merged_into"])
    text = reason.strip()
    data = {"source": source.pseudonym, "target": target.pseudonym}
    _event(
        viewer=viewer,
        subject=source,
        kind=SubjectEventKind.MERGED,
        reason=text,
        other=target,
        data=data,
    )
    _event(
        viewer=viewer,
        subject=target,
        kind=SubjectEventKind.MERGED,
        reason=text,
        other=source,
        data=data,
    )
    audit(
        actor=viewer.user,
        municipality_id=viewer.municipality_id,
        action="subject_merge",
        obj=source,
        changes={"merged_into": [None, target.pseudonym]},
    )
    return target


def check_unmerge(*, viewer: Viewer, subject: Subject, reason: str) -> Errors:
    errors: Errors = {}
    _check_reason(errors, reason)
    if not may_merge(viewer):
        _error(errors, "subject", _("U mag samenvoegingen niet ongedaan maken."), "forbidden")
    elif not may_see_subject(viewer, subject):
        _error(
            errors,
            "subject",
            _("Deze betrokkene bestaat niet of u kunt haar niet inzien."),
            "unknown",
        )
    elif subject.merged_into_id is None:
        _error(errors, "subject", _("Deze betrokkene is niet samengevoegd."), "not_merged")
    return errors


@transaction.atomic
def subject_unmerge(*, viewer: Viewer, subject: Subject, reason: str) -> Subject:
    """Undo the merge of `subject` into another: it (and what was merged into it) stands
    alone again, exactly as before the merge."""
    subject = Subject.objects.select_for_update().get(pk=subject.pk)
    errors = check_unmerge(viewer=viewer, subject=subject, reason=reason)
    if errors:
        raise ValidationError(errors)
    assert subject.merged_into_id is not None  # checked above
    previous = Subject.objects.get(pk=subject.merged_into_id)
    subject.merged_into = None
    subject.save(update_fields=["merged_into"])
    text = reason.strip()
    data = {"source": subject.pseudonym, "target": previous.pseudonym}
    _event(
        viewer=viewer,
        subject=subject,
        kind=SubjectEventKind.UNMERGED,
        reason=text,
        other=previous,
        data=data,
    )
    _event(
        viewer=viewer,
        subject=previous,
        kind=SubjectEventKind.UNMERGED,
        reason=text,
        other=subject,
        data=data,
    )
    audit(
        actor=viewer.user,
        municipality_id=viewer.municipality_id,
        action="subject_unmerge",
        obj=subject,
        changes={"merged_into": [previous.pseudonym, None]},
    )
    return subject


# --- split: move one record to another person ------------------------------------------


def check_split(
    *, viewer: Viewer, record: PersonRecord, into: Subject | None, reason: str
) -> Errors:
    """The rules of moving a record: those of a merge (staff with an operational role who may
    see both persons, a reason), a record the viewer may know of, another person as target,
    no BSN conflict; to a new person only when the record's person keeps another record."""
    errors: Errors = {}
    _check_reason(errors, reason)
    if not may_merge(viewer):
        _error(errors, "record", _("U mag registraties niet afsplitsen."), "forbidden")
        return errors
    source = root_of(record.person)
    if (
        record.municipality_id != viewer.municipality_id
        or not may_see_subject(viewer, source)
        or not may_know_record(viewer, record)
    ):
        _error(
            errors,
            "record",
            _("Deze registratie bestaat niet of u kunt haar niet inzien."),
            "unknown",
        )
        return errors
    if into is None:
        if PersonRecord.objects.filter(person_id__in=cluster_ids(source)).count() < 2:
            _error(
                errors,
                "into",
                _("Dit is de enige registratie van deze persoon: er valt niets af te splitsen."),
                "only_record",
            )
        return errors
    if not may_see_subject(viewer, into):
        _error(
            errors, "into", _("Deze betrokkene bestaat niet of u kunt haar niet inzien."), "unknown"
        )
        return errors
    target = root_of(into)
    if target.kind != SubjectKind.PERSON:
        _error(errors, "into", _("Een registratie hoort bij een persoon."), "kind")
    elif target.pk == source.pk:
        _error(errors, "into", _("De registratie hoort al bij deze persoon."), "same")
    elif record.bsn_token and (_bsn_tokens(target) - {record.bsn_token}):
        _error(
            errors,
            "into",
            _("Deze personen hebben een verschillend BSN: het zijn verschillende mensen."),
            "bsn_conflict",
        )
    return errors


def _earlier_home(record: PersonRecord, target: Subject) -> tuple[Subject, int | None]:
    """Where in `target`'s cluster the record and its signal link were before an earlier split
    took them away (a merged subject inside the cluster, say), so moving back restores
    exactly; else the target itself."""
    ids = cluster_ids(target)
    for event in SubjectEvent.objects.filter(
        kind=SubjectEventKind.RECORD_SPLIT, subject_id__in=ids, data__record=str(record.uuid)
    ).order_by("-at", "-id"):
        before = event.data.get("person_before")
        if before in ids:
            link = (event.data.get("signal_link") or {}).get("moved_from")
            home = Subject.objects.get(pk=before)
            return home, link if link in ids else None
    return target, None


def _move_signal_link(
    *,
    viewer: Viewer,
    record: PersonRecord,
    source: Subject,
    target: Subject,
    link_home: int | None = None,
) -> dict[str, Any] | None:
    """The record's signal follows it, unless another record of the source person came with
    the same signal (then the signal concerns both). Returns what changed, for the history."""
    if record.signal_id is None:
        return None
    source_ids = cluster_ids(source)
    link = SignalSubject.objects.filter(
        signal_id=record.signal_id, subject_id__in=source_ids
    ).first()
    still_needed = (
        PersonRecord.objects.filter(person_id__in=source_ids, signal_id=record.signal_id)
        .exclude(pk=record.pk)
        .exists()
    )
    target_link = SignalSubject.objects.filter(
        signal_id=record.signal_id, subject_id__in=cluster_ids(target)
    ).first()
    role = link.role if link is not None else SignalRole.CONCERNS
    change: dict[str, Any] = {"signal": record.signal_id, "role": role}
    if link is not None and not still_needed:
        if target_link is None:
            change["moved_from"] = link.subject_id
            link.subject_id = link_home or target.pk
            link.save(update_fields=["subject"])
        else:
            change["removed_from"] = link.subject_id
            link.delete()
    elif target_link is None:
        SignalSubject.objects.create(
            municipality_id=record.municipality_id,
            signal_id=record.signal_id,
            subject=target,
            role=role,
            added_by=viewer.user,
        )
        change["added"] = True
    return change


@transaction.atomic
def record_split(
    *, viewer: Viewer, record: PersonRecord, into: Subject | None, reason: str
) -> Subject:
    """Move one person record (and its signal link) off its person, to `into` or to a new
    person; returns the person it now belongs to.

    Both persons get a history event with who, when and why. A "do not link" decision keeps
    incremental linking and relink proposals from putting the record back; moving it back
    by hand (this same action) lifts that decision and restores the earlier state."""
    record = PersonRecord.objects.select_for_update().select_related("person").get(pk=record.pk)
    errors = check_split(viewer=viewer, record=record, into=into, reason=reason)
    if errors:
        raise ValidationError(errors)
    text = reason.strip()
    source = root_of(record.person)
    target = (
        root_of(into)
        if into is not None
        else _create_subject(
            viewer=viewer,
            municipality_id=record.municipality_id,
            kind=SubjectKind.PERSON,
            bsn_token=record.bsn_token,
        )
    )
    previous_person_id = record.person_id
    home, link_home = _earlier_home(record, target)
    record.person = home
    record.save(update_fields=["person"])
    link_change = _move_signal_link(
        viewer=viewer, record=record, source=source, target=target, link_home=link_home
    )
    # Moving back by hand is a decision too: it lifts the "do not link" on the target.
    lifted = list(
        LinkConstraint.objects.filter(
            record=record, person_id__in=cluster_ids(target), lifted_at=None
        ).values_list("pk", flat=True)
    )
    LinkConstraint.objects.filter(pk__in=lifted).update(
        lifted_at=timezone.now(), lifted_by=viewer.user
    )
    LinkConstraint.objects.create(
        municipality_id=record.municipality_id,
        record=record,
        person=source,
        reason=text,
        created_by=viewer.user,
    )
    LinkExplanation.objects.update_or_create(
        record=record,
        defaults={
            "municipality_id": record.municipality_id,
            "method": "handmatig",
            "matched_record": None,
            "probability": None,
            "match_weight": None,
            "comparisons": [],
            "created_at": timezone.now(),
        },
    )
    data: dict[str, Any] = {
        "record": str(record.uuid),
        "source": source.pseudonym,
        "target": target.pseudonym,
        "person_before": previous_person_id,
        "signal_link": link_change,
        "constraints_lifted": lifted,
    }
    _event(
        viewer=viewer,
        subject=source,
        kind=SubjectEventKind.RECORD_SPLIT,
        reason=text,
        other=target,
        data=data,
    )
    _event(
        viewer=viewer,
        subject=target,
        kind=SubjectEventKind.RECORD_RECEIVED,
        reason=text,
        other=source,
        data=data,
    )
    audit(
        actor=viewer.user,
        municipality_id=viewer.municipality_id,
        action="person_record_split",
        obj=record,
        changes={"person": [source.pseudonym, target.pseudonym]},
    )
    return target


# --- relink proposals --------------------------------------------------------------------


@transaction.atomic
def proposal_decide(
    *, viewer: Viewer, proposal: LinkProposal, accept: bool, reason: str
) -> LinkProposal:
    """A regisseur accepts (the merge or split is done through the services above, with the
    same reason) or rejects a relink proposal; a rejected one is not proposed again."""
    proposal = LinkProposal.objects.select_for_update().get(pk=proposal.pk)
    errors: Errors = {}
    text = _check_reason(errors, reason)
    if not may_review_links(viewer) or proposal.municipality_id != viewer.municipality_id:
        _error(errors, "proposal", _("U mag over dit voorstel niet beslissen."), "forbidden")
    elif proposal.status != ProposalStatus.OPEN:
        _error(errors, "proposal", _("Over dit voorstel is al besloten."), "decided")
    if errors:
        raise ValidationError(errors)
    persons = [Subject.objects.get(pk=pk) for pk in proposal.persons]
    if accept and proposal.kind == ProposalKind.MERGE:
        into = persons[0]
        for other in persons[1:]:
            if root_of(other).pk != root_of(into).pk:
                subject_merge(viewer=viewer, subject=other, into=into, reason=text)
    elif accept:
        source_ids = set(cluster_ids(root_of(persons[0])))
        records = list(PersonRecord.objects.filter(pk__in=proposal.records).order_by("pk"))
        if len(records) != len(proposal.records) or any(
            r.person_id not in source_ids for r in records
        ):
            raise ValidationError(
                {
                    "proposal": ValidationError(
                        _("Dit voorstel is verouderd: de registraties zijn al verplaatst."),
                        code="stale",
                    )
                }
            )
        target: Subject | None = proposal.target
        for record in records:
            target = record_split(viewer=viewer, record=record, into=target, reason=text)
    else:
        for person in persons:
            _event(
                viewer=viewer,
                subject=root_of(person),
                kind=SubjectEventKind.PROPOSAL_REJECTED,
                reason=text,
                data={"proposal": str(proposal.uuid), "kind": proposal.kind},
            )
    proposal.status = ProposalStatus.ACCEPTED if accept else ProposalStatus.REJECTED
    proposal.reason = text
    proposal.decided_by = viewer.user
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    audit(
        actor=viewer.user,
        municipality_id=viewer.municipality_id,
        action="link_proposal_accept" if accept else "link_proposal_reject",
        obj=proposal,
        object_id=str(proposal.uuid),
        changes={
            "kind": proposal.kind,
            "persons": [p.pseudonym for p in persons],
            "records": len(proposal.records),
        },
    )
    return proposal


# --- screening ---------------------------------------------------------------------------


@transaction.atomic
def screening_open(*, viewer: Viewer, subject: Subject, reason: str) -> SubjectEvent:
    """The regisseur opens a subject from the queue for screening: a logged, reasoned act.
    It decides nothing; it records that a person looked, and why."""
    from wijkregie.subjects.selectors import screening_entry

    errors: Errors = {}
    text = _check_reason(errors, reason)
    entry = screening_entry(viewer=viewer, subject=subject)
    if entry is None:
        _error(
            errors, "subject", _("Deze betrokkene staat niet in de screeningslijst."), "not_queued"
        )
    if errors:
        raise ValidationError(errors)
    assert entry is not None
    log_access(
        viewer=viewer,
        action=AccessAction.READ,
        object_type="subject",
        object_id=str(subject.uuid),
        granted=True,
        purpose="screening",
        subject_pseudonym=subject.pseudonym,
        detail="opened for screening",
    )
    audit(
        actor=viewer.user,
        municipality_id=viewer.municipality_id,
        action="screening_open",
        obj=subject,
        changes={"domains": entry.domain_count, "organisations": entry.organisation_count},
    )
    return _event(
        viewer=viewer,
        subject=subject,
        kind=SubjectEventKind.SCREENING_OPENED,
        reason=text,
        data={
            "domains": entry.domain_count,
            "organisations": entry.organisation_count,
            "signals": entry.signal_count,
        },
    )

"""Writes of the learning circle: cards (save, submit, review, withdraw), the measured effect,
the JSON exchange of published cards, the circle's meetings, and the public neighbourhood
actions (wijkacties). Keyword-only, atomic, every error of a request at
once (ValidationError with stable codes), one AuditEvent per write."""

from __future__ import annotations

import datetime as dt
import re
import uuid as uuidlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wijkregie.analysis.models import AreaStatistic
from wijkregie.areas.models import FocusArea, Neighbourhood, NeighbourhoodKind
from wijkregie.cases.models import Case
from wijkregie.learning.access import (
    may_change,
    may_change_meeting,
    may_manage_actions,
    may_record_meeting,
    may_review,
    visible_cards_q,
)
from wijkregie.learning.models import (
    ACTION_TEXT_MAX,
    TEXT_MAX,
    ActionStatus,
    AreaType,
    CardOrigin,
    CardStatus,
    Meeting,
    MeetingSession,
    PracticeCard,
    PublicAction,
    SessionKind,
)
from wijkregie.learning.selectors import hidden_case_ids, linkable_cases
from wijkregie.lib.dutch import is_valid_bsn
from wijkregie.privacy.services import audit
from wijkregie.tenants.access import Viewer
from wijkregie.tenants.models import Municipality

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from wijkregie.learning.selectors import EffectMeasurement

Errors = dict[str, ValidationError]
SCHEMA = "wijkregie/praktijkkaarten"
SCHEMA_VERSION = 1
MAX_IMPORT_CARDS = 500

TEXT_FIELDS = {
    "title": 200,
    "problem": TEXT_MAX,
    "approach": TEXT_MAX,
    "partners": 1000,
    "effort": 1000,
    "lessons": TEXT_MAX,
    "contact_organisation": 200,
}
REQUIRED_TEXT = ("title", "problem", "approach", "contact_organisation")

_DIGITS = re.compile(r"(?<![\d.,-])(\d[\d .-]{7,11}\d)(?![\d,])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_PHONE = re.compile(r"(?<!\d)(?:\+31|0031|0)[ -]?(?:\d[ -]?){9}(?!\d)")


def personal_data_in(text: str) -> str | None:
    """What kind of personal data a free text seems to hold (BSN, e-mail, phone), or None.
    Cards are shared with other municipalities: they describe an approach, not people."""
    for match in _DIGITS.finditer(text or ""):
        digits = re.sub(r"\D", "", match.group(1))
        if len(digits) in (8, 9) and is_valid_bsn(digits):
            return "bsn"
    if _EMAIL.search(text or ""):
        return "email"
    if _PHONE.search(text or ""):
        return "phone"
    return None


def _error(errors: Errors, name: str, message: StrOrPromise, code: str) -> None:
    errors.setdefault(name, ValidationError(message, code=code))


def _clean_text(
    errors: Errors,
    name: str,
    value: Any,
    limit: int,
    *,
    required: StrOrPromise | None,
    personal: StrOrPromise,
) -> str | None:
    """One shared text of the circle (card, meeting, wijkactie): stripped, required when
    `required` says why, at most `limit` characters, and refused with `personal` when it
    looks like personal data. None when the value is no text at all."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        _error(errors, name, _("Dit moet tekst zijn."), "invalid")
        return None
    value = value.strip()
    if required is not None and not value:
        _error(errors, name, required, "required")
    elif len(value) > limit:
        _error(
            errors,
            name,
            _("De tekst is te lang: maximaal %(limit)d tekens.") % {"limit": limit},
            "max_length",
        )
    elif personal_data_in(value):
        _error(errors, name, personal, "personal_data")
    return value


CARD_PERSONAL = _(
    "Deze tekst lijkt persoonsgegevens te bevatten (BSN, e-mailadres of "
    "telefoonnummer). Een praktijkkaart beschrijft een aanpak, geen personen."
)


def _check_texts(errors: Errors, data: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    clean: dict[str, str] = {}
    for name, limit in TEXT_FIELDS.items():
        value = _clean_text(
            errors,
            prefix + name,
            data.get(name, ""),
            limit,
            required=_("Dit veld is verplicht.") if name in REQUIRED_TEXT else None,
            personal=CARD_PERSONAL,
        )
        if value is not None:
            clean[name] = value
    return clean


def area_figures_for(focus_areas: Iterable[FocusArea]) -> dict[str, Any]:
    """CBS figures (open data) of the buurten of these focus areas: residents, households,
    number of buurten and the year. Aggregates only."""
    codes = sorted(
        {
            code
            for area in focus_areas
            for code in area.neighbourhoods.values_list("code", flat=True)
        }
    )
    if not codes:
        return {}
    latest: dict[str, tuple[int, int | None, int | None]] = {}
    for code, year, residents, households in (
        AreaStatistic.objects.filter(code__in=codes)
        .order_by("code", "-year")
        .values_list("code", "year", "residents", "households")
    ):
        latest.setdefault(code, (year, residents, households))
    figures: dict[str, Any] = {"buurten": len(codes)}
    if latest:
        figures["jaar"] = max(year for year, _, _ in latest.values())
        people = [r for _, r, _ in latest.values() if r is not None]
        homes = [h for _, _, h in latest.values() if h is not None]
        if people:
            figures["inwoners"] = sum(people)
        if homes:
            figures["huishoudens"] = sum(homes)
    return figures


@dataclass
class CardData:
    title: str = ""
    problem: str = ""
    approach: str = ""
    life_domains: list[str] | None = None
    partners: str = ""
    effort: str = ""
    cost_eur: int | None = None
    area_type: str = ""
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    lessons: str = ""
    contact_organisation: str = ""
    focus_areas: list[FocusArea] | None = None
    # None: leave the case links as they are; a list: the viewer's choice among the cases
    # they take part in (links to cases they cannot see are kept).
    cases: list[Case] | None = None


def card_save(*, viewer: Viewer, data: CardData, card: PracticeCard | None = None) -> PracticeCard:
    """Create a card (draft) or change one. Changing a card that is in review or published
    takes it back to draft: it needs a new review before others see it again."""
    if card is not None and not may_change(viewer, card):
        raise ValidationError(_("U mag deze kaart niet wijzigen."), code="forbidden")
    if card is None and not viewer.roles & {"regisseur", "beheerder"}:
        raise ValidationError(_("U mag geen kaarten maken."), code="forbidden")
    errors: Errors = {}
    texts = _check_texts(errors, data.__dict__)
    if data.area_type not in AreaType.values:
        _error(errors, "area_type", _("Kies een soort gebied."), "invalid")
    if data.period_start and data.period_end and data.period_end < data.period_start:
        _error(errors, "period_end", _("De einddatum ligt voor de begindatum."), "invalid")
    focus_areas = list(data.focus_areas or [])
    if any(a.municipality_id != viewer.municipality_id for a in focus_areas):
        _error(errors, "focus_areas", _("Kies focusgebieden van uw gemeente."), "invalid")
    cases: list[Case] | None = None
    if data.cases is not None:
        # Need-to-know: only cases the author takes part in (never a forged uuid's case).
        cases = list({c.pk: c for c in data.cases}.values())
        allowed = set(
            linkable_cases(viewer=viewer)
            .filter(id__in=[c.pk for c in cases])
            .values_list("id", flat=True)
        )
        if any(c.pk not in allowed for c in cases):
            _error(errors, "cases", _("Kies alleen casussen waaraan u deelneemt."), "invalid")
    if errors:
        raise ValidationError(errors)
    municipality = Municipality.objects.get(pk=viewer.municipality_id)
    with transaction.atomic():
        created = card is None
        if card is None:
            card = PracticeCard(
                municipality=municipality,
                source_name=municipality.name,
                source_code=municipality.cbs_code,
                created_by=viewer.user,
            )
        before = card.status
        for name, value in texts.items():
            setattr(card, name, value)
        card.life_domains = sorted({d.strip() for d in data.life_domains or [] if d.strip()})
        card.cost_eur = data.cost_eur
        card.area_type = data.area_type
        card.period_start = data.period_start
        card.period_end = data.period_end
        card.area_figures = area_figures_for(focus_areas)
        if card.status != CardStatus.DRAFT:
            card.status = CardStatus.DRAFT
            card.published_at = None
        card.full_clean(exclude=["focus_areas", "cases"])
        card.save()
        card.focus_areas.set(focus_areas)
        changes: dict[str, Any] = {"status": [before, card.status]} if before != card.status else {}
        if cases is not None:
            # Links the editor cannot see (another participant's cases) stay untouched.
            kept = [] if created else hidden_case_ids(viewer=viewer, card=card)
            old_ids = set(card.cases.values_list("id", flat=True))
            new_ids = set(kept) | {c.pk for c in cases}
            card.cases.set(sorted(new_ids))
            added = [str(c.uuid) for c in cases if c.pk not in old_ids]
            removed = sorted(
                str(u)
                for u in Case.objects.filter(id__in=old_ids - new_ids).values_list(
                    "uuid", flat=True
                )
            )
            if added or removed:
                changes["cases"] = {"added": sorted(added), "removed": removed}
        audit(
            actor=viewer.user,
            municipality_id=viewer.municipality_id,
            action="create" if created else "update",
            obj=card,
            changes=changes,
        )
    return card


def card_submit(*, viewer: Viewer, card: PracticeCard) -> PracticeCard:
    if not may_change(viewer, card) or card.status != CardStatus.DRAFT:
        raise ValidationError(_("Alleen een conceptkaart kan ter beoordeling worden aangeboden."))
    with transaction.atomic():
        card.status = CardStatus.IN_REVIEW
        card.submitted_by = viewer.user
        card.submitted_at = timezone.now()
        card.review_note = ""
        card.save()
        audit(
            actor=viewer.user,
            municipality_id=viewer.municipality_id,
            action="card_submit",
            obj=card,
            changes={"status": [CardStatus.DRAFT, CardStatus.IN_REVIEW]},
        )
    return card


def card_review(*, viewer: Viewer, card: PracticeCard, approve: bool, note: str) -> PracticeCard:
    """A second person of the owner municipality publishes the card or sends it back."""
    note = (note or "").strip()
    if card.status != CardStatus.IN_REVIEW:
        raise ValidationError(_("Deze kaart wacht niet op beoordeling."), code="state")
    if not may_review(viewer, card):
        raise ValidationError(
            _("Een tweede persoon beoordeelt de kaart: niet wie haar heeft aangeboden."),
            code="four_eyes",
        )
    if not approve and len(note) < 10:
        raise ValidationError(
            {
                "note": ValidationError(
                    _("Geef een toelichting van ten minste 10 tekens."), "required"
                )
            }
        )
    with transaction.atomic():
        card.reviewed_by = viewer.user
        card.reviewed_at = timezone.now()
        card.review_note = note[:1000]
        card.status = CardStatus.PUBLISHED if approve else CardStatus.DRAFT
        card.published_at = timezone.now() if approve else None
        card.save()
        audit(
            actor=viewer.user,
            municipality_id=viewer.municipality_id,
            action="card_publish" if approve else "card_reject",
            obj=card,
            changes={"status": [CardStatus.IN_REVIEW, card.status]},
        )
    return card


def card_withdraw(*, viewer: Viewer, card: PracticeCard) -> PracticeCard:
    if not may_change(viewer, card) or card.status == CardStatus.DRAFT:
        raise ValidationError(_("Deze kaart is al een concept."), code="state")
    with transaction.atomic():
        before = card.status
        card.status = CardStatus.DRAFT
        card.published_at = None
        card.save()
        audit(
            actor=viewer.user,
            municipality_id=viewer.municipality_id,
            action="card_withdraw",
            obj=card,
            changes={"status": [before, CardStatus.DRAFT]},
        )
    return card


# --- measured effect: aggregates only -------------------------------------------------------

COUNT_KEYS = ("treated_pre_count", "treated_post_count", "control_pre_count", "control_post_count")
RATE_OF_COUNT = {
    "treated_pre_count": "treated_pre_rate",
    "treated_post_count": "treated_post_rate",
    "control_pre_count": "control_pre_rate",
    "control_post_count": "control_post_rate",
}
EFFECT_KEYS = {
    "effect": float,
    "ci_low": float,
    "ci_high": float,
    "p_value": float,
    "p_floor": float,
    "alpha": float,
    "conclusion": str,
    "reasons": list,
    "warnings": list,
    "n_treated": int,
    "n_control": int,
    "method": str,
    "start": str,
    "pre_periods": int,
    "post_periods": int,
    "categories": list,
    "unit": str,
    "measured_on": str,
    **dict.fromkeys(COUNT_KEYS, int),
    **dict.fromkeys(RATE_OF_COUNT.values(), float),
}
CONCLUSIONS = ("decrease", "increase", "no_effect_detected", "cannot_tell")


def published_threshold() -> int:
    """Cards go to other municipalities, who have no need-to-know: always suppress."""
    return int(settings.SMALL_COUNT_THRESHOLD)


def suppress_effect(values: dict[str, Any]) -> dict[str, Any]:
    """Counts 0 < n < threshold become None, and so do the rates computed from them."""
    threshold = published_threshold()
    clean = dict(values)
    for key in COUNT_KEYS:
        n = clean.get(key)
        if isinstance(n, int) and 0 < n < threshold:
            clean[key] = None
            clean[RATE_OF_COUNT[key]] = None
    return clean


def effect_summary(measurement: EffectMeasurement) -> dict[str, Any]:
    result = measurement.result
    values: dict[str, Any] = {
        "effect": result.effect,
        "ci_low": result.ci_low,
        "ci_high": result.ci_high,
        "p_value": result.p_value,
        "p_floor": result.p_floor,
        "alpha": result.alpha,
        "conclusion": result.conclusion,
        "reasons": list(result.reasons),
        "warnings": list(result.warnings),
        "n_treated": result.n_treated,
        "n_control": result.n_control,
        "method": result.method,
        "start": measurement.start.strftime("%Y-%m"),
        "pre_periods": result.pre_periods,
        "post_periods": result.post_periods,
        "categories": list(measurement.categories),
        "unit": "per 1.000 inwoners per maand",
        "measured_on": timezone.localdate().isoformat(),
        "treated_pre_count": result.treated_pre_count,
        "treated_post_count": result.treated_post_count,
        "control_pre_count": result.control_pre_count,
        "control_post_count": result.control_post_count,
        "treated_pre_rate": result.treated_pre_rate,
        "treated_post_rate": result.treated_post_rate,
        "control_pre_rate": result.control_pre_rate,
        "control_post_rate": result.control_post_rate,
    }
    return suppress_effect(values)


def card_store_effect(
    *, viewer: Viewer, card: PracticeCard, measurement: EffectMeasurement
) -> PracticeCard:
    """Store the measurement's aggregate numbers as the card's measured effect. The card goes
    back to draft (a changed card is reviewed again)."""
    if not may_change(viewer, card) or not viewer.reads_signals:
        raise ValidationError(_("U mag deze kaart niet wijzigen."), code="forbidden")
    with transaction.atomic():
        before = card.status
        card.measured_effect = effect_summary(measurement)
        card.status = CardStatus.DRAFT
        card.published_at = None
        card.save()
        card.focus_areas.add(measurement.focus_area)
        audit(
            actor=viewer.user,
            municipality_id=viewer.municipality_id,
            action="card_effect",
            obj=card,
            changes={"status": [before, card.status], "effect": card.measured_effect["effect"]},
        )
    return card


# --- JSON exchange ---------------------------------------------------------------------------


def card_to_json(card: PracticeCard) -> dict[str, Any]:
    """A published card as it may cross to another installation: no links to this
    installation's focus areas, cases, users or signals."""
    return {
        "uuid": str(card.uuid),
        "municipality": {"name": card.source_name, "code": card.source_code},
        "title": card.title,
        "problem": card.problem,
        "approach": card.approach,
        "life_domains": list(card.life_domains or []),
        "partners": card.partners,
        "effort": card.effort,
        "cost_eur": card.cost_eur,
        "area_type": card.area_type,
        "area_figures": dict(card.area_figures or {}),
        "period_start": card.period_start.isoformat() if card.period_start else None,
        "period_end": card.period_end.isoformat() if card.period_end else None,
        "measured_effect": suppress_effect(card.measured_effect) if card.measured_effect else None,
        "lessons": card.lessons,
        "contact_organisation": card.contact_organisation,
        "published_at": card.published_at.isoformat() if card.published_at else None,
    }


def export_payload(cards: Iterable[PracticeCard]) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "version": SCHEMA_VERSION,
        "exported_at": timezone.now().isoformat(timespec="seconds"),
        "cards": [card_to_json(c) for c in cards if c.status == CardStatus.PUBLISHED],
    }


CARD_KEYS = {
    "uuid",
    "municipality",
    "title",
    "problem",
    "approach",
    "life_domains",
    "partners",
    "effort",
    "cost_eur",
    "area_type",
    "area_figures",
    "period_start",
    "period_end",
    "measured_effect",
    "lessons",
    "contact_organisation",
    "published_at",
}


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


def _date(errors: Errors, name: str, value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        _error(errors, name, _("Gebruik een datum als JJJJ-MM-DD."), "invalid")
        return None


def _check_card(errors: Errors, i: int, raw: Any) -> dict[str, Any] | None:
    p = f"cards[{i}]."
    if not isinstance(raw, dict):
        _error(errors, f"cards[{i}]", _("Een kaart is een JSON-object."), "invalid")
        return None
    unknown = sorted(set(raw) - CARD_KEYS)
    if unknown:
        _error(
            errors,
            f"cards[{i}]",
            _("Onbekende velden: %(fields)s.") % {"fields": ", ".join(unknown)},
            "unknown_field",
        )
    try:
        card_uuid = uuidlib.UUID(str(raw.get("uuid")))
    except ValueError:
        _error(errors, p + "uuid", _("Geen geldige uuid."), "invalid")
        card_uuid = None
    texts = _check_texts(errors, raw, p)
    municipality = raw.get("municipality")
    name = code = ""
    if not isinstance(municipality, dict) or not str(municipality.get("name") or "").strip():
        _error(errors, p + "municipality", _("De gemeente van de kaart ontbreekt."), "required")
    else:
        name = str(municipality.get("name")).strip()[:100]
        code = str(municipality.get("code") or "").strip()
        if code and not re.fullmatch(r"GM\d{4}", code):
            _error(
                errors,
                p + "municipality",
                _("Een gemeentecode is GM gevolgd door 4 cijfers."),
                "invalid",
            )
    domains = raw.get("life_domains") or []
    if (
        not isinstance(domains, list)
        or len(domains) > 20
        or not all(isinstance(d, str) and 0 < len(d.strip()) <= 100 for d in domains)
    ):
        _error(errors, p + "life_domains", _("Leefgebieden zijn een lijst van namen."), "invalid")
        domains = []
    cost = raw.get("cost_eur")
    if cost is not None and (not isinstance(cost, int) or isinstance(cost, bool) or cost < 0):
        _error(errors, p + "cost_eur", _("Kosten zijn een heel getal van 0 of meer."), "invalid")
        cost = None
    if raw.get("area_type") not in AreaType.values:
        _error(errors, p + "area_type", _("Onbekend soort gebied."), "invalid")
    figures = raw.get("area_figures") or {}
    if not isinstance(figures, dict) or not all(
        isinstance(k, str) and isinstance(v, int | float) and not isinstance(v, bool)
        for k, v in figures.items()
    ):
        _error(errors, p + "area_figures", _("Kerncijfers zijn namen met getallen."), "invalid")
        figures = {}
    start = _date(errors, p + "period_start", raw.get("period_start"))
    end = _date(errors, p + "period_end", raw.get("period_end"))
    measured = raw.get("measured_effect")
    if measured is not None:
        if not isinstance(measured, dict):
            _error(errors, p + "measured_effect", _("Het effect is een JSON-object."), "invalid")
            measured = None
        else:
            bad = [
                k
                for k, v in measured.items()
                if k not in EFFECT_KEYS
                or not (
                    v is None
                    or (EFFECT_KEYS[k] is float and isinstance(v, int | float))
                    or (EFFECT_KEYS[k] is int and isinstance(v, int))
                    or (EFFECT_KEYS[k] is str and isinstance(v, str) and len(v) <= 100)
                    or (
                        EFFECT_KEYS[k] is list
                        and isinstance(v, list)
                        and all(isinstance(x, str) and len(x) <= 100 for x in v)
                    )
                )
                or isinstance(v, bool)
            ]
            if bad or measured.get("conclusion") not in CONCLUSIONS:
                _error(
                    errors,
                    p + "measured_effect",
                    _("Onbekende of ongeldige waarden in het effect: %(keys)s.")
                    % {"keys": ", ".join(bad) or "conclusion"},
                    "invalid",
                )
                measured = None
            else:
                measured = suppress_effect(measured)
    if card_uuid is None:
        return None
    return {
        "uuid": card_uuid,
        "source_name": name,
        "source_code": code,
        **texts,
        "life_domains": sorted({d.strip() for d in domains}),
        "cost_eur": cost,
        "area_type": raw.get("area_type") or "",
        "area_figures": figures,
        "period_start": start,
        "period_end": end,
        "measured_effect": measured,
    }


def import_cards(*, viewer: Viewer, payload: Any) -> ImportResult:
    """Import published cards exported by another installation. All or nothing; idempotent
    by card uuid (a card imported before is updated, or left alone when nothing changed)."""
    if not viewer.roles & {"regisseur", "beheerder"}:
        raise ValidationError(_("U mag geen kaarten importeren."), code="forbidden")
    errors: Errors = {}
    if not isinstance(payload, dict):
        raise ValidationError(
            {"schema": ValidationError(_("Dit is geen export van praktijkkaarten."), "invalid")}
        )
    if payload.get("schema") != SCHEMA:
        _error(errors, "schema", _("Dit is geen export van praktijkkaarten."), "invalid")
    if payload.get("version") != SCHEMA_VERSION:
        _error(
            errors,
            "version",
            _("Versie %(found)s wordt niet ondersteund (verwacht: %(expected)s).")
            % {"found": payload.get("version"), "expected": SCHEMA_VERSION},
            "version",
        )
    raw_cards = payload.get("cards")
    if not isinstance(raw_cards, list):
        _error(errors, "cards", _("De lijst met kaarten ontbreekt."), "required")
        raw_cards = []
    elif len(raw_cards) > MAX_IMPORT_CARDS:
        _error(
            errors,
            "cards",
            _("Hoogstens %(n)d kaarten per bestand.") % {"n": MAX_IMPORT_CARDS},
            "max_items",
        )
        raw_cards = []
    if errors:
        raise ValidationError(errors)
    parsed = [_check_card(errors, i, raw) for i, raw in enumerate(raw_cards)]
    seen: set[uuidlib.UUID] = set()
    existing = {
        c.uuid: c for c in PracticeCard.objects.filter(uuid__in=[p["uuid"] for p in parsed if p])
    }
    for i, item in enumerate(parsed):
        if item is None:
            continue
        if item["uuid"] in seen:
            _error(
                errors,
                f"cards[{i}].uuid",
                _("Deze kaart staat twee keer in het bestand."),
                "duplicate",
            )
        seen.add(item["uuid"])
        found = existing.get(item["uuid"])
        if found is not None and (
            found.origin != CardOrigin.IMPORTED or found.municipality_id != viewer.municipality_id
        ):
            _error(
                errors,
                f"cards[{i}].uuid",
                _("Deze kaart bestaat al in deze installatie en wordt niet overschreven."),
                "exists",
            )
    if errors:
        raise ValidationError(errors)
    created = updated = unchanged = 0
    first = parsed[0] if parsed else None
    fields = [k for k in first if k != "uuid"] if first else []
    with transaction.atomic():
        for item in parsed:
            assert item is not None
            card = existing.get(item["uuid"])
            if card is None:
                card = PracticeCard(
                    uuid=item["uuid"],
                    municipality_id=viewer.municipality_id,
                    origin=CardOrigin.IMPORTED,
                    status=CardStatus.PUBLISHED,
                    published_at=timezone.now(),
                    created_by=viewer.user,
                )
                for name in fields:
                    setattr(card, name, item[name])
                card.full_clean(exclude=["focus_areas", "cases"])
                card.save()
                created += 1
                continue
            changed = [name for name in fields if getattr(card, name) != item[name]]
            if not changed:
                unchanged += 1
                continue
            for name in changed:
                setattr(card, name, item[name])
            card.full_clean(exclude=["focus_areas", "cases"])
            card.save()
            updated += 1
        audit(
            actor=viewer.user,
            municipality_id=viewer.municipality_id,
            action="card_import",
            object_type="learning.practicecard",
            object_id="",
            changes={"created": created, "updated": updated, "unchanged": unchanged},
        )
    return ImportResult(created, updated, unchanged)


# --- meetings of the circle ------------------------------------------------------------------

MAX_SESSIONS = 50
MAX_PARTICIPANTS = 100
MEETING_TEXT_FIELDS = {
    "circle": 200,
    "theme": 300,
    "plenary": TEXT_MAX,
    "questions": TEXT_MAX,
    "agreements": TEXT_MAX,
    "takeaways": TEXT_MAX,
}
SESSION_TEXT_FIELDS = {
    "title": 300,
    "facilitators": 500,
    "summary": TEXT_MAX,
    "takeaways": TEXT_MAX,
}


@dataclass
class SessionData:
    kind: str = SessionKind.SUB
    title: str = ""
    facilitators: str = ""
    summary: str = ""
    takeaways: str = ""
    order: int | None = None


@dataclass
class MeetingData:
    circle: str = ""
    number: int | None = None
    date: dt.date | None = None
    theme: str = ""
    plenary: str = ""
    participants: list[str] = field(default_factory=list)
    questions: str = ""
    agreements: str = ""
    takeaways: str = ""
    cards: list[PracticeCard] = field(default_factory=list)
    sessions: list[SessionData] = field(default_factory=list)


MEETING_PERSONAL = _(
    "Deze tekst lijkt persoonsgegevens te bevatten (BSN, e-mailadres of "
    "telefoonnummer). Het verslag van een bijeenkomst wordt gedeeld met de "
    "leerkring: laat contactgegevens weg."
)


def _meeting_text(
    errors: Errors, name: str, value: Any, limit: int, *, required: StrOrPromise | None = None
) -> str:
    text = _clean_text(errors, name, value, limit, required=required, personal=MEETING_PERSONAL)
    return text or ""


@dataclass(frozen=True)
class _CleanMeeting:
    texts: dict[str, str]
    participants: list[str]
    sessions: list[dict[str, Any]]


def _clean_meeting(viewer: Viewer, data: MeetingData, errors: Errors) -> _CleanMeeting:
    required = {
        "circle": _("Vul de naam van de leerkring in."),
        "theme": _("Vul het thema van de bijeenkomst in."),
    }
    texts = {
        name: _meeting_text(errors, name, getattr(data, name), limit, required=required.get(name))
        for name, limit in MEETING_TEXT_FIELDS.items()
    }
    if data.date is None:
        _error(errors, "date", _("Vul de datum van de bijeenkomst in."), "required")
    if data.number is not None and not 1 <= data.number <= 32767:
        _error(errors, "number", _("Het nummer is een heel getal van 1 of meer."), "invalid")
    participants: list[str] = []
    for raw in data.participants or []:
        name = str(raw).strip()
        if not name:
            continue
        if len(name) > 100:
            _error(
                errors,
                "participants",
                _("Een gemeentenaam is hoogstens 100 tekens."),
                "max_length",
            )
        elif name not in participants:
            participants.append(name)
    if len(participants) > MAX_PARTICIPANTS:
        _error(
            errors,
            "participants",
            _("Hoogstens %(n)d deelnemende gemeenten.") % {"n": MAX_PARTICIPANTS},
            "max_items",
        )
    cards = list(data.cards or [])
    visible = set(
        PracticeCard.objects.filter(visible_cards_q(viewer))
        .filter(id__in=[c.pk for c in cards])
        .values_list("id", flat=True)
    )
    if any(c.pk not in visible for c in cards):
        _error(errors, "cards", _("Kies praktijkkaarten die u mag zien."), "invalid")
    if len(data.sessions or []) > MAX_SESSIONS:
        _error(
            errors,
            "sessions",
            _("Hoogstens %(n)d sessies per bijeenkomst.") % {"n": MAX_SESSIONS},
            "max_items",
        )
    sessions: list[dict[str, Any]] = []
    for i, session in enumerate((data.sessions or [])[:MAX_SESSIONS]):
        p = f"sessions[{i}]."
        row: dict[str, Any] = {
            name: _meeting_text(
                errors,
                p + name,
                getattr(session, name),
                limit,
                required=_("Geef de sessie een titel.") if name == "title" else None,
            )
            for name, limit in SESSION_TEXT_FIELDS.items()
        }
        if session.kind not in SessionKind.values:
            _error(errors, p + "kind", _("Kies plenair of subsessie."), "invalid")
        order = session.order
        if order is not None and not 0 <= order <= 32767:
            _error(
                errors, p + "order", _("De volgorde is een heel getal van 0 of meer."), "invalid"
            )
        row["kind"] = session.kind
        row["order"] = (i + 1) * 10 if order is None else order
        sessions.append(row)
    return _CleanMeeting(texts, participants, sessions)


def check_meeting(*, viewer: Viewer, data: MeetingData) -> Errors:
    """Every domain error of a meeting at once (for the API's merged problem response)."""
    errors: Errors = {}
    _clean_meeting(viewer, data, errors)
    return errors


def meeting_save(*, viewer: Viewer, data: MeetingData, meeting: Meeting | None = None) -> Meeting:
    """Record a meeting of the circle with its sessions, or change one. The sessions are
    replaced by the given list. Links to cards the editor cannot see (a card of another
    municipality taken back to draft) are kept."""
    if meeting is None and not may_record_meeting(viewer):
        raise ValidationError(_("U mag geen bijeenkomsten vastleggen."), code="forbidden")
    if meeting is not None and not may_change_meeting(viewer, meeting):
        raise ValidationError(_("U mag deze bijeenkomst niet wijzigen."), code="forbidden")
    errors: Errors = {}
    clean = _clean_meeting(viewer, data, errors)
    if errors:
        raise ValidationError(errors)
    assert data.date is not None
    with transaction.atomic():
        created = meeting is None
        if meeting is None:
            meeting = Meeting(municipality_id=viewer.municipality_id)
        before = {
            "theme": meeting.theme,
            "date": meeting.date.isoformat() if meeting.date else None,
        }
        for name, value in clean.texts.items():
            setattr(meeting, name, value)
        meeting.number = data.number
        meeting.date = data.date
        meeting.participants = clean.participants
        meeting.full_clean(exclude=["cards", "municipality"])
        meeting.save()
        hidden: list[int] = []
        if not created:
            hidden = list(
                meeting.cards.exclude(visible_cards_q(viewer)).values_list("id", flat=True)
            )
        meeting.cards.set(sorted(set(hidden) | {c.pk for c in data.cards or []}))
        removed = 0 if created else meeting.sessions.count()
        meeting.sessions.all().delete()
        MeetingSession.objects.bulk_create(
            [MeetingSession(meeting=meeting, **row) for row in clean.sessions]
        )
        changes: dict[str, Any] = {
            "sessions": len(clean.sessions),
            "cards": meeting.cards.count(),
        }
        if not created:
            changes["sessions_replaced"] = removed
            after = {"theme": meeting.theme, "date": meeting.date.isoformat()}
            changes.update({k: [before[k], after[k]] for k in after if before[k] != after[k]})
        audit(
            actor=viewer.user,
            municipality_id=viewer.municipality_id,
            action="meeting_create" if created else "meeting_update",
            obj=meeting,
            changes=changes,
        )
    return meeting


# --- public neighbourhood actions (wijkacties) ----------------------------------------------

ACTION_TEXT_FIELDS = {"title": 200, "description": ACTION_TEXT_MAX, "organisations": 300}


@dataclass
class ActionData:
    title: str = ""
    description: str = ""
    organisations: str = ""
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    status: str = ActionStatus.PLANNED
    neighbourhoods: list[Neighbourhood] = field(default_factory=list)
    focus_area: FocusArea | None = None


ACTION_PERSONAL = _(
    "Deze tekst lijkt persoonsgegevens te bevatten (BSN, e-mailadres of "
    "telefoonnummer). Een wijkactie staat openbaar op de buurtpagina: noem geen "
    "personen en laat contactgegevens weg."
)
ACTION_REQUIRED = {"title": _("Vul een titel in."), "description": _("Vul een omschrijving in.")}


def _action_text(errors: Errors, name: str, value: Any, limit: int) -> str:
    text = _clean_text(
        errors,
        name,
        value,
        limit,
        required=ACTION_REQUIRED.get(name),
        personal=ACTION_PERSONAL,
    )
    return text or ""


def focus_area_buurten(focus_area: FocusArea) -> list[Neighbourhood]:
    """The buurten of a focus area: its own buurten and those of the wijken it holds."""
    held = list(focus_area.neighbourhoods.all())
    wijken = [n.pk for n in held if n.kind == NeighbourhoodKind.WIJK]
    found = {n.pk: n for n in held if n.kind == NeighbourhoodKind.BUURT}
    if wijken:
        for n in Neighbourhood.objects.filter(parent_id__in=wijken, kind=NeighbourhoodKind.BUURT):
            found.setdefault(n.pk, n)
    return list(found.values())


def _clean_action(viewer: Viewer, data: ActionData, errors: Errors) -> dict[str, str]:
    texts = {
        name: _action_text(errors, name, getattr(data, name), limit)
        for name, limit in ACTION_TEXT_FIELDS.items()
    }
    if data.start_date is None:
        _error(errors, "start_date", _("Vul de begindatum in."), "required")
    elif data.end_date is not None and data.end_date < data.start_date:
        _error(errors, "end_date", _("De einddatum ligt voor de begindatum."), "invalid")
    if data.status not in ActionStatus.values:
        _error(errors, "status", _("Kies een status: gepland, loopt nu of afgerond."), "invalid")
    hoods = list(data.neighbourhoods or [])
    if any(
        n.municipality_id != viewer.municipality_id or n.kind != NeighbourhoodKind.BUURT
        for n in hoods
    ):
        _error(errors, "neighbourhoods", _("Kies alleen buurten van uw gemeente."), "invalid")
    area = data.focus_area
    if area is not None and area.municipality_id != viewer.municipality_id:
        _error(errors, "focus_area", _("Kies een focusgebied van uw gemeente."), "invalid")
    elif not hoods and (area is None or not focus_area_buurten(area)):
        _error(
            errors,
            "neighbourhoods",
            _("Kies ten minste één buurt van uw gemeente (of een focusgebied met buurten)."),
            "required",
        )
    return texts


def check_action(*, viewer: Viewer, data: ActionData) -> Errors:
    """Every domain error of an action at once."""
    errors: Errors = {}
    _clean_action(viewer, data, errors)
    return errors


def _may_write_action(viewer: Viewer, action: PublicAction | None) -> bool:
    if not may_manage_actions(viewer):
        return False
    return action is None or action.municipality_id == viewer.municipality_id


def action_save(
    *, viewer: Viewer, data: ActionData, action: PublicAction | None = None
) -> PublicAction:
    """Create an action (unpublished) or change one. A published action stays published when
    it is changed: the texts pass the same checks as before, the change is audited with the
    names of the changed fields, and withdrawing is a separate, explicit step."""
    if not _may_write_action(viewer, action):
        raise ValidationError(_("U mag deze wijkactie niet wijzigen."), code="forbidden")
    errors: Errors = {}
    texts = _clean_action(viewer, data, errors)
    if errors:
        raise ValidationError(errors)
    hoods = sorted({n.pk for n in data.neighbourhoods or []})
    with transaction.atomic():
        created = action is None
        if action is None:
            action = PublicAction(municipality_id=viewer.municipality_id, created_by=viewer.user)
        values: dict[str, Any] = {
            **texts,
            "start_date": data.start_date,
            "end_date": data.end_date,
            "status": data.status,
            "focus_area_id": data.focus_area.pk if data.focus_area else None,
        }
        changed = sorted(k for k, v in values.items() if getattr(action, k) != v)
        before_status = action.status
        for name, value in values.items():
            setattr(action, name, value)
        action.full_clean(exclude=["neighbourhoods", "municipality"])
        action.save()
        old = set() if created else set(action.neighbourhoods.values_list("id", flat=True))
        action.neighbourhoods.set(hoods)
        changes: dict[str, Any] = {"published": action.published}
        if created:
            changes["buurten"] = len(hoods)
        else:
            changes["fields"] = [k.removesuffix("_id") for k in changed]
            if before_status != action.status:
                changes["status"] = [before_status, action.status]
            added = sorted(
                Neighbourhood.objects.filter(id__in=set(hoods) - old).values_list("code", flat=True)
            )
            removed = sorted(
                Neighbourhood.objects.filter(id__in=old - set(hoods)).values_list("code", flat=True)
            )
            if added or removed:
                changes["buurten"] = {"added": added, "removed": removed}
        audit(
            actor=viewer.user,
            municipality_id=viewer.municipality_id,
            action="create" if created else "update",
            obj=action,
            changes=changes,
        )
    return action


def _stored_action_data(action: PublicAction) -> ActionData:
    return ActionData(
        title=action.title,
        description=action.description,
        organisations=action.organisations,
        start_date=action.start_date,
        end_date=action.end_date,
        status=action.status,
        neighbourhoods=list(action.neighbourhoods.all()),
        focus_area=action.focus_area,
    )


def action_publish(*, viewer: Viewer, action: PublicAction) -> PublicAction:
    """Show the action on the public pages of its buurten. It is checked again first (a
    focus area may have lost its buurten since the action was saved)."""
    if not _may_write_action(viewer, action):
        raise ValidationError(_("U mag deze wijkactie niet publiceren."), code="forbidden")
    if action.published:
        raise ValidationError(_("Deze wijkactie is al gepubliceerd."), code="state")
    errors = check_action(viewer=viewer, data=_stored_action_data(action))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        action.published = True
        action.published_at = timezone.now()
        action.published_by = viewer.user
        action.save(update_fields=["published", "published_at", "published_by", "updated_at"])
        audit(
            actor=viewer.user,
            municipality_id=viewer.municipality_id,
            action="wijkactie_publish",
            obj=action,
            changes={"published": [False, True]},
        )
    return action


def action_withdraw(*, viewer: Viewer, action: PublicAction) -> PublicAction:
    """Take the action off the public pages (it stays, unpublished, for its municipality)."""
    if not _may_write_action(viewer, action):
        raise ValidationError(_("U mag deze wijkactie niet intrekken."), code="forbidden")
    if not action.published:
        raise ValidationError(_("Deze wijkactie is niet gepubliceerd."), code="state")
    with transaction.atomic():
        action.published = False
        action.published_at = None
        action.published_by = None
        action.save(update_fields=["published", "published_at", "published_by", "updated_at"])
        audit(
            actor=viewer.user,
            municipality_id=viewer.municipality_id,
            action="wijkactie_withdraw",
            obj=action,
            changes={"published": [True, False]},
        )
    return action

"""Writing the demo municipality to the database; the content comes from `generator`.

`ensure_demo` is what the `demo-data` command calls: it reuses an existing demo municipality
(GM9999) unless asked to reset, and otherwise writes reference data in one transaction and the
signals in batches of whole days, each batch in its own transaction, with `bulk_create`.
"""

from __future__ import annotations

import datetime as dt
import gc
import itertools
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from wijkregie.addresses.models import Address
from wijkregie.areas.models import (
    FocusArea,
    FocusAreaPartner,
    Neighbourhood,
    NeighbourhoodKind,
    SharingAgreement,
)
from wijkregie.areas.selectors import buurt_ids_at
from wijkregie.cases.demo import create_demo_cases, delete_demo_cases
from wijkregie.demo import catalogue as cat
from wijkregie.demo import generator, index_demo
from wijkregie.learning.demo import create_demo_learning, delete_demo_learning
from wijkregie.lib import geo
from wijkregie.privacy.models import AuditEvent
from wijkregie.privacy.services import audit
from wijkregie.signals.models import (
    Category,
    Confidentiality,
    LifeDomain,
    LocationKind,
    Signal,
    SignalStatusChange,
)
from wijkregie.subjects.demo import create_demo_subjects, delete_demo_subjects
from wijkregie.tenants.models import ApiToken, Membership, Municipality, Organisation, Role, User
from wijkregie.tenants.services import api_token_create

DEMO_PASSWORD = "demodam-wijkregie"  # noqa: S105 - demo logins only, printed on purpose
APP_URL = "http://127.0.0.1:8000"
TOKEN_NAME = "Demo-token wijkagent"  # noqa: S105 - a label, not a secret
AUDIT_ACTION = "demo-data"
DEFAULT_BATCH_SIZE = 10_000
INSERT_BATCH_SIZE = 1_000  # rows per INSERT statement (SQLite caps the parameters anyway)

Progress = Callable[[str], None]
_M = TypeVar("_M", bound=models.Model)


class DemoError(Exception):
    """A demo-data problem to show to the user (Dutch message)."""


@dataclass(frozen=True)
class Login:
    username: str
    persona: str
    role: str
    organisation: str
    municipality: str


@dataclass
class DemoResult:
    created: bool
    municipality: Municipality
    signals: int
    status_changes: int
    other_signals: int
    seconds: float
    complete: bool
    logins: list[Login] = field(default_factory=list)
    token: str | None = None  # the API token secret; only right after creation


@dataclass
class _Tenant:
    """Database ids of one generated municipality, for writing signals."""

    municipality: Municipality
    geography: generator.Geography
    org_ids: list[int]  # in plan.org_slugs order
    org_slugs: tuple[str, ...]
    category_ids: list[int]  # in catalogue.CATEGORIES order
    domain_ids: list[int]  # per category, in catalogue.CATEGORIES order
    handler_ids: list[int | None]  # per organisation: the user who handles its signals
    handler_names: list[str]
    reopener: tuple[int | None, str]


def nl_number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def find_demo() -> Municipality | None:
    return Municipality.objects.filter(cbs_code=cat.CBS_CODE).first()


def is_complete(municipality: Municipality) -> bool:
    """A demo run ends with its audit row; without it the run was interrupted."""
    return AuditEvent.objects.filter(municipality_id=municipality.pk, action=AUDIT_ACTION).exists()


def demo_logins() -> list[Login]:
    """One row per demo persona, from the database (so it also works on reuse)."""
    users = {
        u.username: u
        for u in User.objects.filter(
            municipality__cbs_code__in=[cat.CBS_CODE, cat.OTHER_CBS_CODE]
        ).select_related("municipality")
    }
    memberships: dict[int, list[Membership]] = {}
    for m in Membership.objects.filter(user__in=users.values()).select_related("organisation"):
        memberships.setdefault(m.user_id, []).append(m)
    logins = []
    for spec in cat.USERS:
        user = users.get(spec.username)
        if user is None:
            continue
        held = memberships.get(user.pk, [])
        logins.append(
            Login(
                username=user.username,
                persona=spec.persona,
                role=", ".join(sorted(str(m.get_role_display()) for m in held)),
                organisation=", ".join(sorted({m.organisation.name for m in held})),
                municipality=user.municipality.name if user.municipality else "",
            )
        )
    return logins


def ensure_demo(
    *,
    seed: int,
    n_signals: int,
    reset: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    end: dt.datetime | None = None,
    progress: Progress | None = None,
) -> DemoResult:
    """Generate the demo municipality, or reuse the existing one (no duplicates)."""
    started = time.perf_counter()
    existing = find_demo()
    if existing is not None and not reset:
        return DemoResult(
            created=False,
            municipality=existing,
            signals=Signal.objects.filter(municipality=existing).count(),
            status_changes=0,
            other_signals=0,
            seconds=time.perf_counter() - started,
            complete=is_complete(existing),
            logins=demo_logins(),
        )
    if reset:
        delete_demo(progress=progress)
    elif Municipality.objects.filter(cbs_code=cat.OTHER_CBS_CODE).exists():
        raise DemoError(
            f"Gemeente {cat.OTHER_CBS_CODE} bestaat al, maar de demogemeente niet. "
            "Gebruik --reset om beide opnieuw aan te maken."
        )
    return generate_demo(
        seed=seed, n_signals=n_signals, batch_size=batch_size, end=end, progress=progress
    )


def delete_demo(*, progress: Progress | None = None) -> None:
    """Remove both demo municipalities, in dependency order. Audit and access logs stay."""
    for code in (cat.CBS_CODE, cat.OTHER_CBS_CODE):
        municipality = Municipality.objects.filter(cbs_code=code).first()
        if municipality is None:
            continue
        if progress:
            progress(f"Verwijderen: {municipality} ...")
        try:
            _delete_tenant(municipality)
            Address.objects.filter(verblijfsobject_id__startswith=_bag_prefix(code, "01")).delete()
        except ProtectedError as exc:
            names = sorted({str(type(obj)._meta.verbose_name) for obj in exc.protected_objects})
            raise DemoError(
                f"{municipality} kan niet worden verwijderd: er zijn nog gegevens die ernaar "
                f"verwijzen ({', '.join(names)})."
            ) from exc


def _bag_prefix(cbs_code: str, object_type: str) -> str:
    """BAG ids start with the 4-digit municipality code and a 2-digit object type."""
    return cbs_code.removeprefix("GM") + object_type


def _create_addresses(geography: generator.Geography, cbs_code: str) -> int:
    """The demo's own address register, so that postcode + huisnummer can be looked up.

    Fictional BAG ids under the demo's municipality code (9999/9998, which no real
    municipality has), so that --reset removes exactly these and nothing of a real extract.
    """
    register = generator.demo_addresses(geography)
    lats, lons = geo.rd_to_wgs84_arrays(register.x, register.y)
    vbo, num = _bag_prefix(cbs_code, "01"), _bag_prefix(cbs_code, "20")
    rows = [
        Address(
            postcode=postcode,
            huisnummer=int(number),
            rd_x=float(x),
            rd_y=float(y),
            lat=round(float(lat), 7),
            lon=round(float(lon), 7),
            verblijfsobject_id=f"{vbo}{i:010d}",
            nummeraanduiding_id=f"{num}{i:010d}",
        )
        for i, (postcode, number, x, y, lat, lon) in enumerate(
            zip(
                register.postcode,
                register.huisnummer.tolist(),
                register.x.tolist(),
                register.y.tolist(),
                lats.tolist(),
                lons.tolist(),
                strict=True,
            ),
            start=1,
        )
    ]
    Address.objects.bulk_create(rows, batch_size=5_000, ignore_conflicts=True)
    return len(rows)


def _delete_tenant(municipality: Municipality, chunk: int = 5_000) -> None:
    delete_demo_cases(municipality)
    delete_demo_subjects(municipality)
    delete_demo_learning(municipality)
    # Signals in chunks, so that memory stays bounded; their status history goes with them.
    signals = Signal.objects.filter(municipality=municipality)
    while True:
        with transaction.atomic():
            pks = list(signals.order_by().values_list("pk", flat=True)[:chunk])
            if not pks:
                break
            Signal.objects.filter(pk__in=pks).delete()
    with transaction.atomic():
        ApiToken.objects.filter(municipality=municipality).delete()
        index_demo.delete_demo_index(municipality)
        SharingAgreement.objects.filter(municipality=municipality).delete()
        FocusAreaPartner.objects.filter(municipality=municipality).delete()
        FocusArea.objects.filter(municipality=municipality).delete()
        Category.objects.filter(municipality=municipality, parent__isnull=False).delete()
        Category.objects.filter(municipality=municipality).delete()
        LifeDomain.objects.filter(municipality=municipality).delete()
        Neighbourhood.objects.filter(municipality=municipality, parent__isnull=False).delete()
        Neighbourhood.objects.filter(municipality=municipality).delete()
        Membership.objects.filter(municipality=municipality).delete()
        User.objects.filter(municipality=municipality).delete()
        Organisation.objects.filter(municipality=municipality).delete()
        municipality.delete()


def _geojson(geometry: generator.Geometry) -> dict[str, Any]:
    def rings(polygon: Any) -> list[list[list[float]]]:
        return [
            geo.ring_rd_to_wgs84(list(polygon.exterior.coords)),
            *(geo.ring_rd_to_wgs84(list(r.coords)) for r in polygon.interiors),
        ]

    if geometry.geom_type == "Polygon":
        return {"type": "Polygon", "coordinates": rings(geometry)}
    return {"type": "MultiPolygon", "coordinates": [rings(p) for p in geometry.geoms]}


def _create_tenant(
    *,
    seed: int,
    cbs_code: str,
    name: str,
    geography: generator.Geography,
    organisations: Sequence[cat.OrgSpec],
    users: Sequence[cat.UserSpec],
    password_hash: str,
    today: dt.date,
) -> _Tenant:
    """Municipality, organisations, users, areas, domains, categories and agreements."""

    def uid(*parts: object) -> Any:
        return generator.stable_uuid(seed, cbs_code, *parts)

    municipality = Municipality.objects.create(uuid=uid("gm"), cbs_code=cbs_code, name=name)
    orgs = {
        o.slug: Organisation.objects.create(
            uuid=uid("org", o.slug),
            municipality=municipality,
            slug=o.slug,
            name=o.name,
            kind=o.kind,
        )
        for o in organisations
    }
    people: dict[str, User] = {}
    for spec in users:
        user = User.objects.create(
            uuid=uid("user", spec.username),
            username=spec.username,
            password=password_hash,
            first_name=spec.first_name,
            last_name=spec.last_name,
            email=f"{spec.username}@{name.lower()}.example",
            municipality=municipality,
        )
        Membership.objects.create(
            municipality=municipality,
            user=user,
            organisation=orgs[spec.organisation],
            role=spec.role,
        )
        people[spec.username] = user

    hoods: dict[str, Neighbourhood] = {}
    for area in (*geography.wijken, *geography.buurten):
        minx, miny, maxx, maxy = area.geometry.bounds
        hoods[area.code] = Neighbourhood.objects.create(
            uuid=uid("hood", area.code),
            municipality=municipality,
            code=area.code,
            kind=NeighbourhoodKind.WIJK if area.kind == "wijk" else NeighbourhoodKind.BUURT,
            name=area.name,
            parent=hoods[area.parent] if area.parent else None,
            boundary=_geojson(area.geometry),
            rd_min_x=round(minx, 2),
            rd_min_y=round(miny, 2),
            rd_max_x=round(maxx, 2),
            rd_max_y=round(maxy, 2),
        )

    domains = {
        code: LifeDomain.objects.create(
            uuid=uid("domain", code), municipality=municipality, code=code, name=label, order=i
        )
        for i, (code, label) in enumerate(cat.DOMAINS)
    }
    mains = {
        m.code: Category.objects.create(
            uuid=uid("category", m.code),
            municipality=municipality,
            code=m.code,
            name=m.name,
            life_domain=domains[m.domain],
        )
        for m in cat.MAIN_CATEGORIES
    }
    categories = []
    for sub in cat.CATEGORIES:
        parent = mains[sub.parent]
        categories.append(
            Category.objects.create(
                uuid=uid("category", sub.code),
                municipality=municipality,
                code=sub.code,
                name=sub.name,
                parent=parent,
                life_domain_id=parent.life_domain_id,
                is_public=sub.is_public,
                default_confidentiality=(
                    Confidentiality.VERTROUWELIJK if sub.confidential else Confidentiality.NORMAAL
                ),
            )
        )
    by_code = {c.code: c for c in categories}

    regisseur = next((people[u.username] for u in users if u.role == Role.REGISSEUR), None)
    focus: dict[str, FocusArea] = {}
    for plan in geography.focus_areas:
        focus_area = FocusArea.objects.create(
            uuid=uid("focus", plan.spec.name),
            municipality=municipality,
            name=plan.spec.name,
            description=plan.spec.description,
            project_leader=regisseur,
            administrative_owner=plan.spec.administrative_owner,
        )
        focus_area.neighbourhoods.set([hoods[code] for code in plan.buurten])
        for slug, role in plan.spec.partners:
            if slug in orgs:
                FocusAreaPartner.objects.create(
                    municipality=municipality,
                    focus_area=focus_area,
                    organisation=orgs[slug],
                    role=role,
                )
        focus[plan.spec.name] = focus_area
    if focus:
        for spec_a in cat.AGREEMENTS:
            agreement = SharingAgreement.objects.create(
                uuid=uid("agreement", spec_a.title),
                municipality=municipality,
                title=spec_a.title,
                purpose=spec_a.purpose,
                legal_basis=spec_a.legal_basis,
                retention_days=spec_a.retention_days,
                valid_from=today - dt.timedelta(days=spec_a.valid_from_days_ago),
                valid_until=(
                    today - dt.timedelta(days=spec_a.valid_until_days_ago)
                    if spec_a.valid_until_days_ago is not None
                    else None
                ),
            )
            agreement.parties.set([orgs[s] for s in spec_a.parties])
            agreement.categories.set([by_code[c] for c in spec_a.categories])
            agreement.focus_areas.set([focus[f] for f in spec_a.focus_areas])

    # Who handles an organisation's signals: its first professional (or regisseur) in the cast.
    slugs = tuple(o.slug for o in organisations)
    handlers: list[User | None] = []
    for slug in slugs:
        handler = next(
            (
                people[u.username]
                for u in users
                if u.organisation == slug and u.role in (Role.PROFESSIONAL, Role.REGISSEUR)
            ),
            None,
        )
        handlers.append(handler)
    return _Tenant(
        municipality=municipality,
        geography=geography,
        org_ids=[orgs[s].pk for s in slugs],
        org_slugs=slugs,
        category_ids=[c.pk for c in categories],
        domain_ids=[c.life_domain_id for c in categories],
        handler_ids=[h.pk if h else None for h in handlers],
        handler_names=[h.username if h else "systeem" for h in handlers],
        reopener=(regisseur.pk, regisseur.username) if regisseur else (None, "systeem"),
    )


def _aware(epoch: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, tz=dt.UTC)


def _instances(model: type[_M], columns: Mapping[str, Sequence[Any]], n: int) -> list[_M]:
    """Model instances from columns, built positionally (much cheaper than keyword arguments).

    Fields without a column get their default (auto_now fields are filled in by bulk_create).
    """
    values: list[Iterable[Any]] = []
    for f in model._meta.concrete_fields:
        if f.attname in columns:
            values.append(columns[f.attname])
        else:
            values.append(itertools.repeat(None if f.primary_key else f.get_default(), n))
    return [model(*row) for row in zip(*values, strict=False)]


def write_batch(batch: generator.SignalBatch, tenant: _Tenant) -> tuple[int, int]:
    """Insert one batch of signals and their status history; returns (signals, changes)."""
    n = len(batch)
    if n == 0:
        return 0, 0
    gc_was_enabled = gc.isenabled()
    gc.disable()  # the batch holds tens of thousands of fresh objects and no reference cycles
    try:
        return _write_batch(batch, tenant)
    finally:
        if gc_was_enabled:
            gc.enable()


def _write_batch(batch: generator.SignalBatch, tenant: _Tenant) -> tuple[int, int]:
    n = len(batch)
    municipality_id = tenant.municipality.pk
    lat, lon = geo.rd_to_wgs84_arrays(batch.x, batch.y)
    kind = batch.location_kind
    point = (kind == 0) | (kind == 1)
    address = (kind == 1) | (kind == 2)
    point_l = point.tolist()
    address_l = address.tolist()

    def where(mask: list[bool], values: Sequence[Any], empty: Any) -> list[Any]:
        return [v if m else empty for v, m in zip(values, mask, strict=True)]

    owner = batch.owner.tolist()
    channel = batch.channel.tolist()
    category = batch.category.tolist()
    text = batch.text.tolist()
    observed = [_aware(t) for t in batch.observed.tolist()]
    with_user = {cat.CHANNELS.index("partner"), cat.CHANNELS.index("street")}
    system_import = cat.CHANNELS.index("system_import")
    location_kinds = (
        LocationKind.POINT,
        LocationKind.POINT,
        LocationKind.ADDRESS,
        LocationKind.AREA,
    )
    letters = ("", "A", "B", "C", "D")
    columns: dict[str, Sequence[Any]] = {
        "uuid": [uuid.UUID(bytes=bytes(row)) for row in batch.uuid_bytes],
        "municipality_id": [municipality_id] * n,
        "owner_organisation_id": [tenant.org_ids[o] for o in owner],
        "registered_by_id": [
            tenant.handler_ids[o] if c in with_user else None
            for o, c in zip(owner, channel, strict=True)
        ],
        "source_channel": [cat.CHANNELS[c] for c in channel],
        "external_id": [
            f"{tenant.org_slugs[o][:3].upper()}-{seen.year}-{batch.offset + i:07d}"
            if c == system_import
            else ""
            for i, (o, c, seen) in enumerate(zip(owner, channel, observed, strict=True))
        ],
        "observed_at": observed,
        "registered_at": [_aware(t) for t in batch.registered.tolist()],
        "category_id": [tenant.category_ids[c] for c in category],
        "life_domain_id": [tenant.domain_ids[c] for c in category],
        "description": [generator.description(c, t) for c, t in zip(category, text, strict=True)],
        "location_kind": [location_kinds[k] for k in kind.tolist()],
        "lat": where(point_l, np.round(lat, 7).tolist(), None),
        "lon": where(point_l, np.round(lon, 7).tolist(), None),
        "rd_x": where(point_l, np.round(batch.x, 2).tolist(), None),
        "rd_y": where(point_l, np.round(batch.y, 2).tolist(), None),
        "postcode": where(address_l, generator.postcodes(batch.x, batch.y, tenant.geography), ""),
        "huisnummer": where(address_l, batch.huisnummer.tolist(), None),
        "huisletter": where(address_l, [letters[v] for v in batch.huisletter.tolist()], ""),
        "huisnummertoevoeging": where(
            address_l, [generator.TOEVOEGINGEN[v] for v in batch.toevoeging.tolist()], ""
        ),
        # Address- and area-only signals still lie in the buurt where they were generated.
        "neighbourhood_id": [v or None for v in buurt_ids_at(municipality_id, lon, lat).tolist()],
        "cell_x": where(
            point_l, np.floor(batch.x / geo.CELL_SIZE_M).astype(np.int64).tolist(), None
        ),
        "cell_y": where(
            point_l, np.floor(batch.y / geo.CELL_SIZE_M).astype(np.int64).tolist(), None
        ),
        "source_reliability": [
            cat.SOURCE_RELIABILITY[v] for v in batch.source_reliability.tolist()
        ],
        "info_reliability": [cat.INFO_RELIABILITY[v] for v in batch.info_reliability.tolist()],
        "handling_code": [cat.HANDLING_CODES[v] for v in batch.handling.tolist()],
        "confidentiality": [
            Confidentiality.VERTROUWELIJK if v else Confidentiality.NORMAAL
            for v in batch.confidential.tolist()
        ],
        "status": [cat.STATUSES[v] for v in batch.status.tolist()],
    }
    signals = _instances(Signal, columns, n)
    Signal.objects.bulk_create(signals, batch_size=INSERT_BATCH_SIZE)

    history_to = batch.history_to.tolist()
    history_at = batch.history_at.tolist()
    reopen_status = cat.STATUSES.index("open")
    change_columns: dict[str, list[Any]] = {
        name: []
        for name in ("signal_id", "from_status", "to_status", "at", "user_id", "username", "note")
    }
    for i in np.flatnonzero(batch.history_to[:, 0] >= 0).tolist():
        handler = (tenant.handler_ids[owner[i]], tenant.handler_names[owner[i]])
        previous = "open"
        for to, at in zip(history_to[i], history_at[i], strict=True):
            if to < 0:
                break
            user_id, username = tenant.reopener if to == reopen_status else handler
            change_columns["signal_id"].append(signals[i].pk)
            change_columns["from_status"].append(previous)
            change_columns["to_status"].append(cat.STATUSES[to])
            change_columns["at"].append(_aware(at))
            change_columns["user_id"].append(user_id)
            change_columns["username"].append(username)
            change_columns["note"].append(generator.status_note(to, text[i]))
            previous = cat.STATUSES[to]
    n_changes = len(change_columns["signal_id"])
    change_columns["municipality_id"] = [municipality_id] * n_changes
    changes = _instances(SignalStatusChange, change_columns, n_changes)
    SignalStatusChange.objects.bulk_create(changes, batch_size=INSERT_BATCH_SIZE)
    return n, n_changes


def _write_signals(
    plan: generator.SignalPlan,
    tenant: _Tenant,
    *,
    batch_size: int,
    progress: Progress | None,
    label: str,
) -> tuple[int, int]:
    done = changes = 0
    started = time.perf_counter()
    next_report = 0.1
    for batch in generator.iter_batches(plan, batch_size):
        with transaction.atomic():
            n, c = write_batch(batch, tenant)
        done += n
        changes += c
        if progress and plan.n_signals and done / plan.n_signals >= next_report:
            rate = done / max(time.perf_counter() - started, 1e-9)
            progress(
                f"  {label}: {nl_number(done)} van {nl_number(plan.n_signals)} signalen "
                f"({nl_number(int(rate))} per seconde)"
            )
            while next_report <= done / plan.n_signals:
                next_report += 0.1
    return done, changes


def _analyze() -> None:
    """Fresh statistics after a bulk load, so the query planner picks the right indexes."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for model in (Signal, SignalStatusChange, Neighbourhood, Category):
                cursor.execute(f'ANALYZE "{model._meta.db_table}"')
        elif connection.vendor == "sqlite":
            cursor.execute("ANALYZE")


def other_signal_count(n_signals: int) -> int:
    """How many signals Elders gets: a few, enough to show that nobody in Demodam sees them."""
    return 0 if n_signals <= 0 else min(1_000, max(20, n_signals // 200))


def generate_demo(
    *,
    seed: int,
    n_signals: int,
    batch_size: int = DEFAULT_BATCH_SIZE,
    end: dt.datetime | None = None,
    progress: Progress | None = None,
) -> DemoResult:
    started = time.perf_counter()
    end = end or timezone.now()
    usernames = [u.username for u in cat.USERS]
    clash = sorted(User.objects.filter(username__in=usernames).values_list("username", flat=True))
    if clash:
        raise DemoError(
            "Deze gebruikersnamen bestaan al buiten de demogemeente: "
            f"{', '.join(clash)}. Verwijder of hernoem ze eerst."
        )
    geography = generator.build_geography(seed)
    other_geography = generator.build_other_geography()
    password_hash = make_password(DEMO_PASSWORD)  # hashed once, shared by all demo users
    today = timezone.localdate(end)
    if progress:
        progress(f"Demogemeente {cat.NAME} ({cat.CBS_CODE}) aanmaken met seed {seed} ...")
    with transaction.atomic():
        tenant = _create_tenant(
            seed=seed,
            cbs_code=cat.CBS_CODE,
            name=cat.NAME,
            geography=geography,
            organisations=cat.ORGANISATIONS,
            users=[u for u in cat.USERS if not u.other_municipality],
            password_hash=password_hash,
            today=today,
        )
        other = _create_tenant(
            seed=seed,
            cbs_code=cat.OTHER_CBS_CODE,
            name=cat.OTHER_NAME,
            geography=other_geography,
            organisations=cat.OTHER_ORGANISATIONS,
            users=[u for u in cat.USERS if u.other_municipality],
            password_hash=password_hash,
            today=today,
        )
        index_demo.create_demo_index(
            municipality=tenant.municipality, geography=geography, seed=seed, year=today.year
        )
        addresses = _create_addresses(geography, cat.CBS_CODE)
        addresses += _create_addresses(other_geography, cat.OTHER_CBS_CODE)
        wijkagent = User.objects.get(username="wijkagent")
        beheerder = User.objects.get(username="beheerder")
        _, token = api_token_create(actor=beheerder, user=wijkagent, name=TOKEN_NAME)

    if progress:
        progress(f"Adresregister: {nl_number(addresses)} fictieve adressen.")
    plan = generator.build_plan(
        seed=seed, n_signals=n_signals, end=end, geography=geography, org_slugs=tenant.org_slugs
    )
    if progress:
        progress(f"{nl_number(n_signals)} signalen genereren over het afgelopen jaar ...")
    done, changes = _write_signals(
        plan, tenant, batch_size=batch_size, progress=progress, label=cat.NAME
    )
    other_plan = generator.build_plan(
        seed=seed,
        n_signals=other_signal_count(n_signals),
        end=end,
        geography=other_geography,
        org_slugs=other.org_slugs,
        stream=1,
        with_hotspots=False,
    )
    other_done, other_changes = _write_signals(
        other_plan, other, batch_size=batch_size, progress=None, label=cat.OTHER_NAME
    )
    create_demo_subjects(municipality=tenant.municipality, seed=seed)
    create_demo_learning(municipality=tenant.municipality)
    create_demo_cases(municipality=tenant.municipality, seed=seed)
    _analyze()
    audit(
        actor=None,
        municipality_id=tenant.municipality.pk,
        action=AUDIT_ACTION,
        obj=tenant.municipality,
        changes={"signals": n_signals, "seed": seed},
    )
    return DemoResult(
        created=True,
        municipality=tenant.municipality,
        signals=done,
        status_changes=changes + other_changes,
        other_signals=other_done,
        seconds=time.perf_counter() - started,
        complete=True,
        logins=demo_logins(),
        token=token,
    )

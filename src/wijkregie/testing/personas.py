"""A small municipality with one user per persona, plus an outsider in a second municipality.

Like healthchecks' Alice/Bob/Charlie: every view and endpoint is tried by each of them.

Geography: four buurten in two wijken on a 1 km grid near Amersfoort (RD 155000, 463000).
Focus area "Noord" holds buurten 01 and 02. A convenant lets gemeente, politie and corporatie
share 'overlast' categories in Noord. Jongerenwerk is a partner without any convenant.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import time
from dataclasses import dataclass, field

from django.utils import timezone

from wijkregie.areas.models import (
    FocusArea,
    FocusAreaPartner,
    Neighbourhood,
    SharingAgreement,
    SharingPurpose,
)
from wijkregie.lib import geo
from wijkregie.signals.models import Category, Confidentiality, LifeDomain, Signal, SourceChannel
from wijkregie.tenants import mfa
from wijkregie.tenants.models import Membership, Municipality, Organisation, Role, User

PASSWORD = "correct-horse-battery-staple"  # noqa: S105 - test and demo fixture only


def totp_secret(username: str) -> str:
    """Every persona's authenticator app has this known secret (tests compute its codes)."""
    digest = hashlib.sha256(b"wijkregie-persona-totp:" + username.encode()).digest()[:20]
    return base64.b32encode(digest).decode()


def totp_code(username: str, unix_time: float | None = None) -> str:
    """The persona's current authenticator code (for tests that log in through the form)."""
    from wijkregie.tenants import totp

    return totp.code_at(totp_secret(username), time.time() if unix_time is None else unix_time)


ORIGIN_X, ORIGIN_Y = 155_000.0, 463_000.0


def square_rd(x0: float, y0: float, size: float) -> list[list[float]]:
    return [[x0, y0], [x0 + size, y0], [x0 + size, y0 + size], [x0, y0 + size], [x0, y0]]


def polygon_geojson(x0: float, y0: float, size: float) -> dict[str, object]:
    return {"type": "Polygon", "coordinates": [geo.ring_rd_to_wgs84(square_rd(x0, y0, size))]}


@dataclass
class World:
    gm: Municipality
    other_gm: Municipality
    orgs: dict[str, Organisation]
    users: dict[str, User]
    buurten: dict[str, Neighbourhood]
    focus: FocusArea
    agreement: SharingAgreement
    domains: dict[str, LifeDomain]
    categories: dict[str, Category]
    signals: dict[str, Signal] = field(default_factory=dict)


def make_user(username: str, gm: Municipality, memberships: list[tuple[Organisation, str]]) -> User:
    user = User.objects.create_user(
        username=username, password=PASSWORD, municipality=gm, first_name=username.title()
    )
    for org, role in memberships:
        Membership.objects.create(municipality=gm, user=user, organisation=org, role=role)
    mfa.set_known_secret(user, totp_secret(username))  # ADR 0015: every staff user has MFA
    return user


def make_signal(
    world: World,
    *,
    owner: str,
    category: str,
    buurt: str,
    days_ago: int = 1,
    description: str = "Overlast bij portiek",
    confidentiality: str = Confidentiality.NORMAAL,
    status: str = "open",
) -> Signal:
    hood = world.buurten[buurt]
    assert hood.rd_min_x is not None and hood.rd_min_y is not None
    x, y = hood.rd_min_x + 250.0, hood.rd_min_y + 250.0
    point = geo.point_from_rd(x, y)
    cat = world.categories[category]
    return Signal.objects.create(
        municipality=world.gm,
        owner_organisation=world.orgs[owner],
        source_channel=SourceChannel.PARTNER,
        observed_at=timezone.now() - dt.timedelta(days=days_ago),
        category=cat,
        life_domain=cat.life_domain,
        description=description,
        location_kind="point",
        lat=point.lat,
        lon=point.lon,
        rd_x=x,
        rd_y=y,
        postcode="1234AB",
        huisnummer=12,
        neighbourhood=hood,
        cell_x=point.cell[0],
        cell_y=point.cell[1],
        confidentiality=confidentiality,
        status=status,
    )


def build_world() -> World:
    gm = Municipality.objects.create(cbs_code="GM9999", name="Demodam")
    other = Municipality.objects.create(cbs_code="GM9998", name="Elders")
    orgs = {
        slug: Organisation.objects.create(municipality=gm, slug=slug, name=name, kind=kind)
        for slug, name, kind in [
            ("gemeente", "Gemeente Demodam", "gemeente"),
            ("politie", "Politie basisteam Demodam", "politie"),
            ("corporatie", "Woonstichting Demodam", "woningcorporatie"),
            ("jongerenwerk", "Jongerenwerk Demodam", "jongerenwerk"),
        ]
    }
    other_org = Organisation.objects.create(
        municipality=other, slug="gemeente", name="Gemeente Elders", kind="gemeente"
    )
    users = {
        "regisseur": make_user("regisseur", gm, [(orgs["gemeente"], Role.REGISSEUR)]),
        "analist": make_user("analist", gm, [(orgs["gemeente"], Role.ANALIST)]),
        "wijkagent": make_user("wijkagent", gm, [(orgs["politie"], Role.PROFESSIONAL)]),
        "corporatie": make_user("corporatie", gm, [(orgs["corporatie"], Role.PROFESSIONAL)]),
        "jongerenwerker": make_user(
            "jongerenwerker", gm, [(orgs["jongerenwerk"], Role.PROFESSIONAL)]
        ),
        "privacy": make_user("privacy", gm, [(orgs["gemeente"], Role.PRIVACY_OFFICER)]),
        "beheerder": make_user("beheerder", gm, [(orgs["gemeente"], Role.BEHEERDER)]),
        "outsider": make_user("outsider", other, [(other_org, Role.REGISSEUR)]),
    }
    wijken = {}
    buurten = {}
    for w in range(2):
        wk = Neighbourhood.objects.create(
            municipality=gm,
            code=f"WK99990{w + 1}",
            kind="wijk",
            name=f"Wijk {w + 1}",
            boundary=polygon_geojson(ORIGIN_X + w * 2000, ORIGIN_Y, 2000),
            rd_min_x=ORIGIN_X + w * 2000,
            rd_min_y=ORIGIN_Y,
            rd_max_x=ORIGIN_X + (w + 1) * 2000,
            rd_max_y=ORIGIN_Y + 1000,
        )
        wijken[w] = wk
        for b in range(2):
            x0 = ORIGIN_X + w * 2000 + b * 1000
            code = f"BU99990{w + 1}0{b + 1}"
            buurten[f"{w * 2 + b + 1:02d}"] = Neighbourhood.objects.create(
                municipality=gm,
                code=code,
                kind="buurt",
                name=f"Buurt {w * 2 + b + 1}",
                parent=wk,
                boundary=polygon_geojson(x0, ORIGIN_Y, 1000),
                rd_min_x=x0,
                rd_min_y=ORIGIN_Y,
                rd_max_x=x0 + 1000,
                rd_max_y=ORIGIN_Y + 1000,
            )
    focus = FocusArea.objects.create(
        municipality=gm,
        name="Noord",
        project_leader=users["regisseur"],
        administrative_owner="Wethouder Wonen",
    )
    focus.neighbourhoods.set([buurten["01"], buurten["02"]])
    for slug, role in [("politie", "Veiligheid"), ("corporatie", "Wonen")]:
        FocusAreaPartner.objects.create(
            municipality=gm, focus_area=focus, organisation=orgs[slug], role=role
        )
    domains = {
        code: LifeDomain.objects.create(municipality=gm, code=code, name=name, order=i)
        for i, (code, name) in enumerate(
            [("veiligheid", "Veiligheid"), ("wonen", "Wonen"), ("zorg-welzijn", "Zorg & welzijn")]
        )
    }
    overlast = Category.objects.create(
        municipality=gm, code="overlast", name="Overlast", life_domain=domains["veiligheid"]
    )
    categories = {
        "overlast": overlast,
        "overlast-jeugd": Category.objects.create(
            municipality=gm,
            code="overlast-jeugd",
            name="Jeugdoverlast",
            parent=overlast,
            life_domain=domains["veiligheid"],
            is_public=True,
        ),
        "woonfraude": Category.objects.create(
            municipality=gm, code="woonfraude", name="Woonfraude", life_domain=domains["wonen"]
        ),
        "zorgmelding": Category.objects.create(
            municipality=gm,
            code="zorgmelding",
            name="Zorgmelding",
            life_domain=domains["zorg-welzijn"],
            default_confidentiality=Confidentiality.VERTROUWELIJK,
        ),
    }
    agreement = SharingAgreement.objects.create(
        municipality=gm,
        title="Convenant Veilig Noord",
        purpose=SharingPurpose.SIGNALERING,
        legal_basis="Art. 6 lid 1 sub e AVG; convenant 2026",
        valid_from=dt.date(2020, 1, 1),
    )
    agreement.parties.set([orgs["gemeente"], orgs["politie"], orgs["corporatie"]])
    agreement.categories.set([overlast, categories["overlast-jeugd"]])
    agreement.focus_areas.set([focus])
    world = World(
        gm=gm,
        other_gm=other,
        orgs=orgs,
        users=users,
        buurten=buurten,
        focus=focus,
        agreement=agreement,
        domains=domains,
        categories=categories,
    )
    world.signals = {
        # shared: police signal in Noord in an agreement category
        "police_shared": make_signal(world, owner="politie", category="overlast-jeugd", buurt="01"),
        # police signal outside the focus area: not shared
        "police_outside": make_signal(
            world, owner="politie", category="overlast-jeugd", buurt="03"
        ),
        # police signal in Noord, confidential: owner only
        "police_confidential": make_signal(
            world,
            owner="politie",
            category="overlast-jeugd",
            buurt="02",
            confidentiality=Confidentiality.VERTROUWELIJK,
        ),
        # corporation signal, category outside the agreement
        "corporatie_own": make_signal(world, owner="corporatie", category="woonfraude", buurt="01"),
        # youth work: no agreement
        "jongerenwerk_own": make_signal(
            world, owner="jongerenwerk", category="overlast-jeugd", buurt="01"
        ),
        # municipality's own
        "gemeente_own": make_signal(world, owner="gemeente", category="overlast-jeugd", buurt="04"),
    }
    # The outsider municipality has a signal too: nobody in Demodam may see it.
    other_domain = LifeDomain.objects.create(
        municipality=other, code="veiligheid", name="Veiligheid"
    )
    other_cat = Category.objects.create(
        municipality=other, code="overlast", name="Overlast", life_domain=other_domain
    )
    world.signals["outsider_own"] = Signal.objects.create(
        municipality=other,
        owner_organisation=other_org,
        source_channel=SourceChannel.PARTNER,
        observed_at=timezone.now() - dt.timedelta(days=2),
        category=other_cat,
        life_domain=other_domain,
        description="Elders",
        location_kind="area",
    )
    assert set(world.signals) == set(SIGNAL_KEYS), "update SIGNAL_KEYS with the world's signals"
    return world


# Every signal of the world, so that each visibility matrix tries all of them.
SIGNAL_KEYS: tuple[str, ...] = (
    "police_shared",
    "police_outside",
    "police_confidential",
    "corporatie_own",
    "jongerenwerk_own",
    "gemeente_own",
    "outsider_own",
)

# Expected visibility: persona -> signal keys they may see (derived from the rules in the
# module docstring of wijkregie.signals.access, written out by hand so that a change in the
# policy shows up as a failing test, not as a silently changed expectation).
EXPECTED_VISIBLE: dict[str, set[str]] = {
    "regisseur": {"police_shared", "gemeente_own"},
    "analist": {"police_shared", "gemeente_own"},
    "wijkagent": {"police_shared", "police_outside", "police_confidential"},
    "corporatie": {"police_shared", "corporatie_own"},
    "jongerenwerker": {"jongerenwerk_own"},
    "privacy": set(),
    "beheerder": set(),
    "outsider": {"outsider_own"},
}

"""Fictional subjects for the demo municipality: persons, a youth group, places, addresses.

Deterministic per seed. Names are invented combinations of common Dutch names; BSNs are drawn
from 9xxxxxxxx numbers that pass the 11-proof (test numbers, nobody's). Everything goes through
the ordinary services, so links, explanations, history and audit rows are as in real use. A few
persons get signals in three life domains from several organisations in a focus area, so that
the screening queue of the regisseur is not empty.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.db import transaction

from wijkregie.areas.models import FocusArea
from wijkregie.signals.models import Confidentiality, Signal
from wijkregie.subjects import services
from wijkregie.subjects.access import may_see_subject
from wijkregie.subjects.models import (
    BlockingKey,
    LinkConstraint,
    LinkExplanation,
    LinkRun,
    PersonRecord,
    ScreeningSettings,
    SignalSubject,
    Subject,
    SubjectEvent,
    SubjectKind,
    SubjectMember,
)
from wijkregie.subjects.selectors import screening_signals_q
from wijkregie.tenants.access import SIGNAL_WRITER_ROLES, Viewer, viewer_for
from wijkregie.tenants.models import Membership, Municipality

GIVEN = ("Daan", "Sem", "Noor", "Fleur", "Bram", "Lotte", "Milan", "Sanne", "Ruben", "Iris")
SURNAMES = (
    ("", "Verhoef"),
    ("van", "Leeuwen"),
    ("de", "Graaf"),
    ("", "Kuipers"),
    ("van der", "Meulen"),
    ("", "Brouwer"),
    ("", "Hendriks"),
    ("de", "Ridder"),
)
PLACES = (
    ("Marktplein", "plein"),
    ("Stadspark", "park"),
    ("Portiek Ringweg", "portiek"),
)
PERSONS_IN_QUEUE = 3
OTHER_PERSONS = 6


def _bsn(rng: random.Random) -> str:
    while True:
        digits = [9] + [rng.randrange(10) for _ in range(8)]
        total = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=False))
        check = total % 11
        if check < 10:
            return "".join(map(str, digits[:8])) + str(check)


def _writers(municipality: Municipality) -> dict[int, Viewer]:
    """One writing viewer per organisation (the first in the cast)."""
    found: dict[int, Viewer] = {}
    for membership in (
        Membership.objects.filter(municipality=municipality, role__in=SIGNAL_WRITER_ROLES)
        .select_related("user")
        .order_by("id")
    ):
        if membership.organisation_id not in found:
            viewer = viewer_for(membership.user)
            if viewer is not None:
                found[membership.organisation_id] = viewer
    return found


def create_demo_subjects(*, municipality: Municipality, seed: int) -> int:
    """Create the demo subjects; returns how many subjects there are afterwards."""
    rng = random.Random(f"subjects-{seed}")
    writers = _writers(municipality)
    focus = (
        FocusArea.objects.filter(municipality=municipality, agreements__purpose="signalering")
        .order_by("name")
        .first()
    )
    if focus is None or not writers:
        return 0
    signals = list(
        Signal.objects.filter(
            municipality=municipality,
            neighbourhood__in=focus.neighbourhoods.all(),
            confidentiality=Confidentiality.NORMAAL,
            owner_organisation_id__in=list(writers),
        )
        .order_by("-observed_at", "-id")
        .select_related("life_domain", "category")[:3000]
    )
    regisseur = next((v for v in writers.values() if v.has_role("regisseur")), None)
    eligible = (
        set(
            Signal.objects.filter(
                screening_signals_q(regisseur), pk__in=[s.pk for s in signals]
            ).values_list("pk", flat=True)
        )
        if regisseur is not None
        else set()
    )
    pools: dict[tuple[int, int], list[Signal]] = defaultdict(list)
    for signal in signals:
        pools[(signal.owner_organisation_id, signal.life_domain_id)].append(signal)
    keys = sorted(pools)
    used: set[int] = set()

    def take(
        owner: int | None = None, domain: int | None = None, *, queue: bool = False
    ) -> Signal | None:
        for key in keys:
            if (owner is None or key[0] == owner) and (domain is None or key[1] == domain):
                for signal in pools[key]:
                    if signal.pk not in used and (not queue or signal.pk in eligible):
                        used.add(signal.pk)
                        return signal
        return None

    def queue_plan() -> list[tuple[int, int]]:
        """Three (owner, domain) pools with eligible signals: 3 domains, 2 or more owners."""
        open_keys = [
            k for k in keys if any(s.pk in eligible and s.pk not in used for s in pools[k])
        ]
        for first in open_keys:
            for second in open_keys:
                if second[0] == first[0] or second[1] == first[1]:
                    continue
                for third in open_keys:
                    if third[1] not in (first[1], second[1]):
                        return [first, second, third]
        return []

    with transaction.atomic():
        names = [(g, t, s) for g in GIVEN for t, s in SURNAMES]
        rng.shuffle(names)
        domains = sorted({k[1] for k in keys})
        members = []
        for index in range(PERSONS_IN_QUEUE + OTHER_PERSONS):
            given, prefix, surname = names[index]
            birth = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(365 * 45))
            bsn = _bsn(rng) if rng.random() < 0.7 else ""
            picked: list[Signal] = []
            if index < PERSONS_IN_QUEUE:
                for owner, domain in queue_plan():
                    found = take(owner, domain, queue=True)
                    if found is not None:
                        picked.append(found)
            else:
                for domain in rng.sample(domains, min(rng.choice((1, 2)), len(domains))):
                    found = take(None, domain)
                    if found is not None:
                        picked.append(found)
            subject = None
            for n, signal in enumerate(picked):
                # Later registrations vary: initials only, or the BSN left out.
                variant = n > 0 and rng.random() < 0.5
                subject, _record = services.attach_person(
                    viewer=writers[signal.owner_organisation_id],
                    signal=signal,
                    person=services.PersonInput(
                        bsn="" if variant and index % 2 else bsn,
                        given_names=f"{given[0]}." if variant and not index % 2 else given,
                        surname_prefix=prefix,
                        surname=surname,
                        birth_date=birth,
                    ),
                )
            if subject is not None and index >= PERSONS_IN_QUEUE:
                members.append(subject)
        # A thin record: only a surname; it never links to anyone.
        thin = take()
        if thin is not None:
            services.attach_person(
                viewer=writers[thin.owner_organisation_id],
                signal=thin,
                person=services.PersonInput(surname=SURNAMES[0][1]),
            )
        group_signal = take()
        if group_signal is not None:
            writer = writers[group_signal.owner_organisation_id]
            # Only persons that the writer may see can be made members.
            visible = [m for m in members if may_see_subject(writer, m)]
            services.attach_group(
                viewer=writer,
                signal=group_signal,
                group=services.GroupInput(name="Jeugdgroep Marktplein", members=tuple(visible[:3])),
            )
        for name, kind in PLACES:
            for _ in range(2):
                place = take()
                if place is not None:
                    services.attach_location(
                        viewer=writers[place.owner_organisation_id],
                        signal=place,
                        place=services.PlaceInput(name=name, place_kind=kind),
                    )
        with_address = [s for s in signals if s.postcode and s.huisnummer and s.pk not in used]
        for n, signal in enumerate(with_address[:4]):
            services.attach_address(
                viewer=writers[signal.owner_organisation_id],
                signal=signal,
                address=services.AddressInput(
                    postcode=signal.postcode,
                    huisnummer=signal.huisnummer,
                    huisletter=signal.huisletter,
                    huisnummertoevoeging=signal.huisnummertoevoeging,
                ),
                household=n % 2 == 1,
            )
    return Subject.objects.filter(municipality=municipality).count()


def delete_demo_subjects(municipality: Municipality) -> None:
    """Remove the demo's subjects before its signals and organisations go.

    Only for the demo reset: the subject history is append-only in the application, so it is
    removed with a raw delete here (a real municipality's data follow the retention rules).
    """
    with transaction.atomic():
        subjects = Subject.objects.filter(municipality=municipality)
        BlockingKey.objects.filter(municipality_id=municipality.pk).delete()
        LinkExplanation.objects.filter(municipality=municipality).delete()
        SignalSubject.objects.filter(municipality=municipality).delete()
        SubjectMember.objects.filter(municipality=municipality).delete()
        LinkConstraint.objects.filter(municipality=municipality).delete()
        PersonRecord.objects.filter(municipality=municipality).delete()
        events = SubjectEvent.objects.filter(municipality_id=municipality.pk)
        events._raw_delete(events.db)
        LinkRun.objects.filter(municipality=municipality).delete()
        ScreeningSettings.objects.filter(municipality=municipality).delete()
        subjects.update(merged_into=None)
        subjects.filter(kind=SubjectKind.HOUSEHOLD).delete()
        subjects.delete()

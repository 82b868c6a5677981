"""The one visibility policy for signals. Every read path goes through `visible_signals_q`.

A viewer sees, within their own municipality only:
- signals owned by an organisation in which they hold a signal-reading role, and
- signals of other organisations that share with one of those organisations under an active
  sharing agreement, for the agreement's categories and the buurten of its focus areas, unless
  the signal is marked confidential (owner organisation only).
Analysts without an operational role see the same set, pseudonymised (no free text, no address,
location coarsened to the 100 m cell). Missing and forbidden both give 404.
"""

from __future__ import annotations

import uuid as uuidlib
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from wijkregie.areas.models import FocusArea, SharingAgreement
from wijkregie.privacy.models import AccessAction
from wijkregie.privacy.services import log_access
from wijkregie.signals.models import Confidentiality, Signal
from wijkregie.signals.states import is_allowed
from wijkregie.tenants.access import SIGNAL_READER_ROLES, Viewer
from wijkregie.tenants.models import Role

NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class ShareRule:
    owner_ids: frozenset[int]
    category_ids: frozenset[int]
    neighbourhood_ids: frozenset[int]


def reader_organisation_ids(viewer: Viewer) -> frozenset[int]:
    return frozenset(
        org for org, roles in viewer.roles_by_organisation.items() if roles & SIGNAL_READER_ROLES
    )


def share_rules(viewer: Viewer) -> list[ShareRule]:
    """The active agreements through which other organisations share with the viewer.

    Four flat queries over the join tables (agreements, parties, categories, buurten), cheap
    enough to run on every request: a change to an agreement takes effect on the next request.
    """
    own = reader_organisation_ids(viewer)
    if not own:
        return []
    today = timezone.localdate()
    agreement_ids = list(
        SharingAgreement.objects.filter(
            municipality_id=viewer.municipality_id, parties__in=own, valid_from__lte=today
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .values_list("id", flat=True)
        .distinct()
    )
    if not agreement_ids:
        return []
    parties: dict[int, set[int]] = defaultdict(set)
    categories: dict[int, set[int]] = defaultdict(set)
    hoods: dict[int, set[int]] = defaultdict(set)
    party_rows = SharingAgreement.parties.through.objects.filter(
        sharingagreement_id__in=agreement_ids
    )
    for agreement_id, org_id in party_rows.values_list("sharingagreement_id", "organisation_id"):
        parties[agreement_id].add(org_id)
    category_rows = SharingAgreement.categories.through.objects.filter(
        sharingagreement_id__in=agreement_ids
    )
    for agreement_id, category_id in category_rows.values_list(
        "sharingagreement_id", "category_id"
    ):
        categories[agreement_id].add(category_id)
    hood_rows = FocusArea.neighbourhoods.through.objects.filter(
        focusarea__agreements__in=agreement_ids
    ).values_list("focusarea__agreements", "neighbourhood_id")
    for agreement_id, hood_id in hood_rows:
        hoods[agreement_id].add(hood_id)
    rules = []
    for agreement_id in sorted(agreement_ids):
        owners = frozenset(parties[agreement_id]) - own
        if owners and categories[agreement_id] and hoods[agreement_id]:
            rules.append(
                ShareRule(
                    owners, frozenset(categories[agreement_id]), frozenset(hoods[agreement_id])
                )
            )
    return rules


def visible_signals_q(viewer: Viewer) -> Q:
    own = reader_organisation_ids(viewer)
    if not own:
        return NOTHING
    visible = Q(owner_organisation_id__in=sorted(own))
    for rule in share_rules(viewer):
        visible |= Q(
            owner_organisation_id__in=sorted(rule.owner_ids),
            category_id__in=sorted(rule.category_ids),
            neighbourhood_id__in=sorted(rule.neighbourhood_ids),
            confidentiality=Confidentiality.NORMAAL,
        )
    return Q(municipality_id=viewer.municipality_id) & visible


def may_see_personal_details(viewer: Viewer, signal: Signal) -> bool:
    """Free text, address and exact point: not for analysts (they work on pseudonymised data)."""
    return not viewer.pseudonymised


def may_change_status(viewer: Viewer, signal: Signal, target: str) -> bool:
    """The owner organisation's writers handle a signal; only a regisseur reopens one."""
    if signal.municipality_id != viewer.municipality_id:
        return False
    owner_roles = viewer.roles_by_organisation.get(signal.owner_organisation_id, frozenset())
    handles = bool(owner_roles & {Role.REGISSEUR, Role.PROFESSIONAL})
    may_reopen = Role.REGISSEUR in owner_roles
    return handles and is_allowed(signal.status, target, may_reopen=may_reopen)


def may_reopen(viewer: Viewer, signal: Signal) -> bool:
    return Role.REGISSEUR in viewer.roles_by_organisation.get(
        signal.owner_organisation_id, frozenset()
    )


def access_signal(
    viewer: Viewer, signal_uuid: object, *, purpose: str = "signaalbehandeling"
) -> Signal:
    """The signal if the viewer may see it, else 404. Logs one AccessEvent either way."""
    try:
        parsed = uuidlib.UUID(str(signal_uuid))
    except ValueError as exc:
        raise Http404 from exc
    signal = (
        Signal.objects.filter(visible_signals_q(viewer), uuid=parsed)
        .select_related(
            "category__parent",
            "life_domain",
            "owner_organisation",
            "neighbourhood",
            "registered_by",
        )
        .first()
    )
    if signal is None:
        # Every refused attempt is logged, whether the id exists or not, so that missing and
        # forbidden leave the same trace (and probing shows up in the access log).
        log_access(
            viewer=viewer,
            action=AccessAction.READ,
            object_type="signal",
            object_id=str(parsed),
            granted=False,
            purpose=purpose,
        )
        raise Http404
    owner_org = (
        signal.owner_organisation_id
        if signal.owner_organisation_id in viewer.organisation_ids
        else None
    )
    log_access(
        viewer=viewer,
        action=AccessAction.READ,
        object_type="signal",
        object_id=str(signal.uuid),
        granted=True,
        purpose=purpose,
        organisation_id=owner_org,
        detail="pseudonymised" if viewer.pseudonymised else "",
    )
    return signal

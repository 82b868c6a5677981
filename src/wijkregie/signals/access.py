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
from typing import Any

from django.db import connection
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


def _share_rules_sql(own_count: int) -> str:
    """(agreement, kind, id) rows for the active agreements to which an own organisation is
    party: its parties ('p'), categories ('c') and the buurten of its focus areas ('n')."""
    quote = connection.ops.quote_name
    agreements = SharingAgreement._meta
    parties = SharingAgreement.parties.through._meta
    categories = SharingAgreement.categories.through._meta
    focus_areas = SharingAgreement.focus_areas.through._meta
    hoods = FocusArea.neighbourhoods.through._meta

    def col(meta: Any, name: str) -> str:
        return quote(meta.get_field(name).column)

    own = ", ".join(["%s"] * own_count)
    active = (
        f"SELECT a.{col(agreements, 'id')} FROM {quote(agreements.db_table)} a"
        f" JOIN {quote(parties.db_table)} o ON o.{col(parties, 'sharingagreement')} = a.{col(agreements, 'id')}"
        f" WHERE a.{col(agreements, 'municipality')} = %s AND o.{col(parties, 'organisation')} IN ({own})"
        f" AND a.{col(agreements, 'valid_from')} <= %s"
        f" AND (a.{col(agreements, 'valid_until')} IS NULL OR a.{col(agreements, 'valid_until')} >= %s)"
    )
    return (
        f"WITH active AS ({active})"
        f" SELECT {col(parties, 'sharingagreement')}, 'p', {col(parties, 'organisation')}"
        f" FROM {quote(parties.db_table)} WHERE {col(parties, 'sharingagreement')} IN (SELECT * FROM active)"
        f" UNION ALL SELECT {col(categories, 'sharingagreement')}, 'c', {col(categories, 'category')}"
        f" FROM {quote(categories.db_table)}"
        f" WHERE {col(categories, 'sharingagreement')} IN (SELECT * FROM active)"
        f" UNION ALL SELECT fa.{col(focus_areas, 'sharingagreement')}, 'n', n.{col(hoods, 'neighbourhood')}"
        f" FROM {quote(focus_areas.db_table)} fa JOIN {quote(hoods.db_table)} n"
        f" ON n.{col(hoods, 'focusarea')} = fa.{col(focus_areas, 'focusarea')}"
        f" WHERE fa.{col(focus_areas, 'sharingagreement')} IN (SELECT * FROM active)"
    )


def share_rules(viewer: Viewer) -> list[ShareRule]:
    """The active agreements through which other organisations share with the viewer.

    One query on every request, so a change to an agreement takes effect on the next request.
    It runs on every signal read, so it is plain SQL over the link tables (names taken from the
    models): building the same query with the ORM took longer than running it.
    """
    own = reader_organisation_ids(viewer)
    if not own:
        return []
    today = timezone.localdate()
    refs: dict[int, dict[str, set[int]]] = defaultdict(lambda: {"p": set(), "c": set(), "n": set()})
    with connection.cursor() as cursor:
        cursor.execute(
            _share_rules_sql(len(own)), [viewer.municipality_id, *sorted(own), today, today]
        )
        for agreement_id, kind, ref in cursor.fetchall():
            refs[agreement_id][kind].add(ref)
    rules = []
    for agreement_id in sorted(refs):
        found = refs[agreement_id]
        owners = frozenset(found["p"]) - own
        if owners and found["c"] and found["n"]:
            rules.append(ShareRule(owners, frozenset(found["c"]), frozenset(found["n"])))
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

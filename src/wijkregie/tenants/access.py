"""Who is asking: the viewer every selector and service takes."""

from __future__ import annotations

import uuid as uuidlib
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.http import Http404

from wijkregie.tenants.models import ApiToken, Membership, Organisation, Role, User

SIGNAL_READER_ROLES = frozenset({Role.REGISSEUR, Role.ANALIST, Role.PROFESSIONAL})
SIGNAL_WRITER_ROLES = frozenset({Role.REGISSEUR, Role.PROFESSIONAL})


@dataclass(frozen=True)
class Viewer:
    """A user acting within one municipality, with their organisations and roles."""

    user: User
    municipality_id: int
    organisation_ids: frozenset[int]
    roles: frozenset[str]
    # organisation id -> roles held in that organisation
    roles_by_organisation: dict[int, frozenset[str]] = field(default_factory=dict)
    access_point: str = "web"

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def reads_signals(self) -> bool:
        return bool(self.roles & SIGNAL_READER_ROLES)

    @property
    def writes_signals(self) -> bool:
        return bool(self.roles & SIGNAL_WRITER_ROLES)

    @property
    def pseudonymised(self) -> bool:
        """Analysts without an operational role see no personal details."""
        return Role.ANALIST in self.roles and not (self.roles & SIGNAL_WRITER_ROLES)

    @property
    def small_count_threshold(self) -> int:
        """Counts from 1 up to this (exclusive) are suppressed in aggregates this viewer sees;
        0 means none are (viewers with need-to-know see the signals behind the counts)."""
        return int(settings.SMALL_COUNT_THRESHOLD) if self.pseudonymised else 0

    @property
    def writer_organisation_ids(self) -> frozenset[int]:
        return frozenset(
            org for org, roles in self.roles_by_organisation.items() if roles & SIGNAL_WRITER_ROLES
        )


def viewer_for(user: Any, access_point: str = "web") -> Viewer | None:
    """Build the viewer for an authenticated user; None for anonymous or tenant-less users."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.municipality_id is None:
        return None
    memberships = list(
        Membership.objects.filter(user=user, municipality_id=user.municipality_id).values_list(
            "organisation_id", "role"
        )
    )
    by_org: dict[int, set[str]] = {}
    for org_id, role in memberships:
        by_org.setdefault(org_id, set()).add(role)
    return Viewer(
        user=user,
        municipality_id=user.municipality_id,
        organisation_ids=frozenset(by_org),
        roles=frozenset(role for _, role in memberships),
        roles_by_organisation={org: frozenset(roles) for org, roles in by_org.items()},
        access_point=access_point,
    )


def require_viewer(user: Any, access_point: str = "web") -> Viewer:
    """A viewer or 404: a user without a tenant sees nothing, like an outsider."""
    viewer = viewer_for(user, access_point)
    if viewer is None:
        raise Http404
    return viewer


def require_beheerder(user: Any) -> Viewer:
    """The functioneel beheerder of a municipality; everyone else gets 404."""
    viewer = require_viewer(user)
    if not viewer.has_role(Role.BEHEERDER):
        raise Http404
    return viewer


def _uuid_or_404(value: str) -> uuidlib.UUID:
    try:
        return uuidlib.UUID(str(value))
    except ValueError:
        raise Http404 from None


def access_organisation(viewer: Viewer, uuid: str) -> Organisation:
    """An organisation of the viewer's municipality, or 404 (missing and foreign alike)."""
    organisation = Organisation.objects.filter(
        uuid=_uuid_or_404(uuid), municipality_id=viewer.municipality_id
    ).first()
    if organisation is None:
        raise Http404
    return organisation


def access_organisation_token(viewer: Viewer, uuid: str) -> ApiToken:
    """An organisation token of the viewer's municipality, or 404 (missing and foreign alike)."""
    token = (
        ApiToken.objects.select_related("organisation", "created_by")
        .filter(
            uuid=_uuid_or_404(uuid),
            municipality_id=viewer.municipality_id,
            organisation__isnull=False,
        )
        .first()
    )
    if token is None:
        raise Http404
    return token

"""Reads for tenants, scoped to the viewer."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch

from wijkregie.tenants.access import Viewer
from wijkregie.tenants.models import ApiToken, Organisation


@dataclass(frozen=True)
class OrganisationTokens:
    organisation: Organisation
    tokens: list[ApiToken]

    @property
    def active_count(self) -> int:
        return sum(1 for token in self.tokens if token.revoked_at is None)


def organisation_tokens(*, viewer: Viewer) -> list[OrganisationTokens]:
    """Every organisation of the viewer's municipality with its API tokens, newest first."""
    tokens = ApiToken.objects.filter(municipality_id=viewer.municipality_id).select_related(
        "created_by"
    )
    organisations = (
        Organisation.objects.filter(municipality_id=viewer.municipality_id)
        .order_by("name", "id")
        .prefetch_related(
            Prefetch("api_tokens", queryset=tokens.order_by("-created_at", "-id"), to_attr="tokens")
        )
    )
    return [OrganisationTokens(org, list(org.tokens)) for org in organisations]

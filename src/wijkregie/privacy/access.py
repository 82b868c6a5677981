"""Who may read the logs: the privacy officer (FG) of the municipality; everyone else 404."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from wijkregie.tenants.access import Viewer, require_viewer
from wijkregie.tenants.models import Role


def require_privacy_officer(user: Any) -> Viewer:
    viewer = require_viewer(user)
    if not viewer.has_role(Role.PRIVACY_OFFICER):
        raise Http404
    return viewer

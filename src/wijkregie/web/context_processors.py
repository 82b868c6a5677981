from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from wijkregie.tenants.access import viewer_for


def viewer(request: HttpRequest) -> dict[str, Any]:
    v = viewer_for(getattr(request, "user", None))
    return {
        "viewer": v,
        "is_beheerder": bool(v and v.has_role("beheerder")),
        "map_tile_url": settings.MAP_TILE_URL,
        "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
    }

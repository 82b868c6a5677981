"""Access to areas. Area metadata is not personal data; tenant isolation still applies."""

from __future__ import annotations

import uuid as uuidlib

from django.http import Http404

from wijkregie.areas.models import FocusArea, Neighbourhood
from wijkregie.tenants.access import Viewer


def _parse_uuid(value: object) -> uuidlib.UUID:
    try:
        return uuidlib.UUID(str(value))
    except ValueError as exc:
        raise Http404 from exc


def access_focus_area(viewer: Viewer, focus_area_uuid: object) -> FocusArea:
    try:
        return FocusArea.objects.select_related("project_leader").get(
            uuid=_parse_uuid(focus_area_uuid), municipality_id=viewer.municipality_id
        )
    except FocusArea.DoesNotExist as exc:
        raise Http404 from exc


def access_neighbourhood(viewer: Viewer, code: str) -> Neighbourhood:
    try:
        return Neighbourhood.objects.get(code=code, municipality_id=viewer.municipality_id)
    except Neighbourhood.DoesNotExist as exc:
        raise Http404 from exc

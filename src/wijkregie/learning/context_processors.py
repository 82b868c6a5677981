"""Template context for the learning circle: whether to offer it in the main navigation."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest

from wijkregie.learning.access import may_read
from wijkregie.tenants.access import viewer_for


def circle(request: HttpRequest) -> dict[str, Callable[[], bool]]:
    """`in_learning_circle`: the viewer may read the circle (a reading role and an active
    participation), so the link does not lead to a 404. A callable: the template calls it,
    and the query runs only on pages that show the navigation."""

    def in_learning_circle() -> bool:
        viewer = viewer_for(getattr(request, "user", None))
        return viewer is not None and may_read(viewer)

    return {"in_learning_circle": in_learning_circle}

"""Narrow screens: no page scrolls sideways; wide tables scroll inside their own container."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.e2e

OVERFLOW = """() => ({
    page: document.documentElement.scrollWidth,
    viewport: document.documentElement.clientWidth,
})"""


@pytest.mark.parametrize("width", [320, 640])  # a small phone; 1280 px at 200% zoom
def test_pages_fit_a_narrow_screen(world: Any, new_page: Any, width: int) -> None:
    page = new_page(world.users["regisseur"], viewport={"width": width, "height": 800})
    paths = [
        "/",
        "/signalen/",
        f"/signalen/{world.signals['gemeente_own'].uuid}/",
        "/signalen/nieuw/",
        "/gebieden/",
        f"/gebieden/{world.focus.uuid}/",
        "/toegankelijkheid/",
    ]
    too_wide = {}
    for path in paths:
        page.goto(path)
        size = page.evaluate(OVERFLOW)
        if size["page"] > size["viewport"]:
            too_wide[path] = size
    assert not too_wide, too_wide
    # the signal table keeps its columns and scrolls inside its container instead
    page.goto("/signalen/")
    table = page.evaluate(
        """() => { const c = document.querySelector(".utrecht-table-container");
                   return [c.scrollWidth, c.clientWidth]; }"""
    )
    if width == 320:
        assert table[0] > table[1]

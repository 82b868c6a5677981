"""No page, template or asset refers to an external host (the app runs on a closed network).

Leaflet's own files are checked at run time instead (see e2e/test_network.py): they mention
URLs in comments that are never loaded.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client

from wijkregie.testing.personas import World
from wijkregie.web.i18n import SRC_ROOT, template_files

ABSOLUTE = re.compile(r"""https?://([A-Za-z0-9.\-]+|\[[0-9a-fA-F:]+\])""", re.I)
# src="//host", href='//host', url(//host): protocol-relative references
PROTOCOL_RELATIVE = re.compile(
    r"""(?:src|href|action|content)\s*=\s*["']//|url\(\s*["']?//""", re.I
)
LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "testserver"}
# XML namespaces (SVG) are identifiers, never fetched.
NAMESPACE = re.compile(r"http://www\.w3\.org/(?:2000/svg|1999/xlink|1999/xhtml|XML/1998/namespace)")


def external_references(text: str) -> list[str]:
    cleaned = NAMESPACE.sub("", text)
    found = [
        match.group(0)
        for match in ABSOLUTE.finditer(cleaned)
        if match.group(1).lower() not in LOCAL_HOSTS
    ]
    found += [match.group(0) for match in PROTOCOL_RELATIVE.finditer(cleaned)]
    return found


def static_files() -> Iterator[Path]:
    for static_dir in sorted(SRC_ROOT.rglob("static")):
        if static_dir.is_dir():
            yield from (p for p in sorted(static_dir.rglob("*")) if p.is_file())


def test_the_scanner_finds_what_it_should() -> None:
    assert external_references('<link href="https://static.example.org/x.css">') == [
        "https://static.example.org"
    ]
    assert external_references("<script src='//cdn.example.org/x.js'></script>")
    assert external_references("background: url(//tiles.example.org/1.png)")
    assert external_references("fetch('http://10.0.0.8/api')")
    assert not external_references('<a href="http://localhost:8000/">x</a> http://127.0.0.1/')
    assert not external_references('<svg xmlns="http://www.w3.org/2000/svg"></svg>')
    assert external_references('<a href="http://www.w3.org/TR/WCAG21/">WCAG</a>')


def test_templates_refer_to_no_external_host() -> None:
    files = list(template_files())
    assert files
    problems = {
        str(path.relative_to(SRC_ROOT)): refs
        for path in files
        if (refs := external_references(path.read_text(encoding="utf-8")))
    }
    assert not problems


def test_static_files_refer_to_no_external_host() -> None:
    files = list(static_files())
    assert any(p.name == "map.js" for p in files)
    problems = {}
    for path in files:
        try:
            content = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # images and fonts
        if refs := external_references(content):
            problems[str(path.relative_to(SRC_ROOT))] = refs
    assert not problems


def rendered_pages(world: World) -> Iterator[tuple[str, str, bytes]]:
    signal = world.signals["gemeente_own"]
    area = f"/gebieden/{world.focus.uuid}/"
    anonymous = Client()
    yield "anonymous", "/inloggen/", anonymous.get("/inloggen/").content
    yield "anonymous", "/toegankelijkheid/", anonymous.get("/toegankelijkheid/").content
    yield "anonymous", "/bestaat-niet/", anonymous.get("/bestaat-niet/").content
    plan = {
        "regisseur": [
            "/",
            "/signalen/",
            "/signalen/?status=open&domain=veiligheid",
            f"/signalen/{signal.uuid}/",
            "/signalen/nieuw/",
            "/gebieden/",
            area,
            "/signalen/00000000-0000-4000-8000-000000000000/",
        ],
        "analist": [f"/signalen/{signal.uuid}/", "/signalen/"],
        "beheerder": [
            "/",
            "/beheer/",
            "/beheer/signals/category/",
            f"/beheer/signals/category/{world.categories['overlast'].pk}/change/",
            "/beheer/areas/focusarea/add/",
        ],
    }
    for persona, urls in plan.items():
        client = Client()
        client.force_login(world.users[persona])
        for url in urls:
            response = client.get(url)
            assert response.status_code in (200, 404), (persona, url, response.status_code)
            yield persona, url, response.content
    client = Client()
    client.force_login(world.users["regisseur"])
    failed = client.post("/signalen/nieuw/", {"lat": "1", "lon": "1"})
    yield "regisseur", "/signalen/nieuw/ (errors)", failed.content


@pytest.mark.django_db
def test_rendered_pages_refer_to_no_external_host(world: World) -> None:
    pages = list(rendered_pages(world))
    assert len(pages) >= 18
    problems = {
        f"{persona} {url}": refs
        for persona, url, content in pages
        if (refs := external_references(content.decode()))
    }
    assert not problems

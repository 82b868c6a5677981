"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

One browser per session, a fresh context (cookies, storage) per page. The personas world is
built inside the (transactional) test database for every test. Logging in is done by putting
a session cookie, made with Django's test client, into the browser context; one test logs in
through the form itself.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test
# (building the world, logging in) are still synchronous and safe here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path(os.environ.get("WIJKREGIE_CHROMIUM", "/usr/bin/chromium"))
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="session", autouse=True)
def english_catalogue(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Compile the English catalogue for this run, so that a fresh checkout needs no step."""
    import shutil

    from django.core.management import call_command
    from django.test import override_settings

    from wijkregie.web.i18n import PO_PATH

    locale = tmp_path_factory.mktemp("locale")
    (locale / "en" / "LC_MESSAGES").mkdir(parents=True)
    shutil.copy(PO_PATH, locale / "en" / "LC_MESSAGES" / "django.po")
    with override_settings(LOCALE_PATHS=[locale]):
        call_command("compile_translations", verbosity=0, stdout=io.StringIO())
        yield


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}. The browser tests need Debian's chromium "
            "(apt-get install chromium) or WIJKREGIE_CHROMIUM pointing to a Chromium binary; "
            "they never download a browser.",
            pytrace=False,
        )
    if not AXE.exists():
        pytest.fail(f"axe-core not found at {AXE}: run `npm ci` first.", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def world(live_server: Any) -> Any:
    from wijkregie.testing.personas import build_world

    return build_world()


@pytest.fixture
def new_page(browser: Any, live_server: Any) -> Iterator[Callable[..., Any]]:
    """new_page(persona=None, bypass_csp=False) -> a page in a new context, logged in or not.

    bypass_csp is only for injecting axe-core; every other test runs under the real CSP.
    Uncaught JavaScript errors fail the test.
    """
    from django.conf import settings
    from django.test import Client

    contexts: list[Any] = []
    errors: list[str] = []

    def make(persona: Any = None, *, bypass_csp: bool = False, **options: Any) -> Any:
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = browser.new_context(
            base_url=live_server.url,
            locale="nl-NL",
            timezone_id="Europe/Amsterdam",
            bypass_csp=bypass_csp,
            **options,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        if persona is not None:
            client = Client()
            client.force_login(persona)
            cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
            context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
            )
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        return page

    yield make
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors: {errors}"


def format_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"]:
            lines.append(f"    {' '.join(node['target'])}")
            lines.append(f"      {node['html'][:200]}")
            if node.get("summary"):
                lines.append("      " + node["summary"].replace("\n", "\n      "))
    return "\n".join(lines)


@pytest.fixture
def axe() -> Callable[[Any], list[dict[str, Any]]]:
    """axe(page) -> the WCAG 2.1 A/AA violations on the page (needs a bypass_csp context)."""

    def run(page: Any) -> list[dict[str, Any]]:
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            """async (tags) => {
                const r = await axe.run(document, {runOnly: {type: "tag", values: tags}});
                return r.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                    nodes: v.nodes.map(n => ({target: n.target, html: n.html,
                                               summary: n.failureSummary}))
                }));
            }""",
            AXE_TAGS,
        )
        assert isinstance(result, list)
        return result

    return run


@pytest.fixture
def assert_accessible(axe: Callable[[Any], list[dict[str, Any]]]) -> Callable[[Any], None]:
    def check(page: Any) -> None:
        violations = axe(page)
        assert not violations, f"axe found {len(violations)} violation(s) on {page.url}:\n" + (
            format_violations(violations)
        )

    return check

"""Security headers, including a strict Content-Security-Policy (no inline script or style)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def content_security_policy() -> str:
    img = "'self' data:"
    if settings.MAP_TILE_URL:
        # An operator-configured tile server (inside the closed network) may serve images.
        from urllib.parse import urlsplit

        parts = urlsplit(settings.MAP_TILE_URL.replace("{s}", "a"))
        if parts.scheme and parts.netloc:
            img += f" {parts.scheme}://{parts.netloc.replace('a.', '*.', 1)}"
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src {img}",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            "form-action 'self'",
        ]
    )


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.csp = content_security_policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", self.csp)
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)")
        return response


class LanguageMiddleware:
    """Dutch unless the user chose another language (cookie set by /i18n/setlang/).

    Django's LocaleMiddleware follows the browser's Accept-Language, so a municipal worker with
    an English browser would get English; here the browser header is deliberately ignored.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.utils import translation
        from django.utils.cache import patch_vary_headers

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response


IDLE_SESSION_KEY = "wr_last_seen"
IDLE_WRITE_EVERY = 60  # seconds: the time stamp is written at most once a minute


class IdleTimeoutMiddleware:
    """Log out a session that made no request for settings.SESSION_IDLE_TIMEOUT seconds.

    Only the server-side session holds the time of the last request. A web page then redirects
    to the login page with a Dutch notice; an /api/ call simply continues unauthenticated (401).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        import time

        timeout = int(settings.SESSION_IDLE_TIMEOUT)
        user = getattr(request, "user", None)
        if timeout > 0 and user is not None and user.is_authenticated:
            now = time.time()
            last = request.session.get(IDLE_SESSION_KEY)
            if isinstance(last, int | float) and now - last > timeout:
                return self._expired(request)
            if not isinstance(last, int | float) or now - last >= IDLE_WRITE_EVERY:
                request.session[IDLE_SESSION_KEY] = int(now)
        return self.get_response(request)

    def _expired(self, request: HttpRequest) -> HttpResponse:
        from django.contrib import messages
        from django.contrib.auth import logout
        from django.contrib.auth.views import redirect_to_login
        from django.utils.translation import gettext as _

        logout(request)
        if request.path.startswith("/api/"):
            return self.get_response(request)
        minutes = max(1, int(settings.SESSION_IDLE_TIMEOUT) // 60)
        messages.info(
            request,
            _("U bent uitgelogd omdat u %(minutes)d minuten niets hebt gedaan. Log opnieuw in.")
            % {"minutes": minutes},
        )
        if request.method != "GET":
            return redirect_to_login("/")
        return redirect_to_login(request.get_full_path())

"""Staff login: password (or the municipality's OIDC provider), then the authenticator code.

Nobody is logged in until every step is done: between the steps the session holds only a
pending entry (user id, time, where to go next), so a password alone opens no page (ADR 0015).
Failed steps count towards the lockout in `tenants.lockout`.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.forms.utils import ErrorDict
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from wijkregie.privacy.services import audit
from wijkregie.tenants import lockout, mfa
from wijkregie.tenants.forms import TotpCodeForm
from wijkregie.tenants.models import User
from wijkregie.web.forms import LoginForm

logger = logging.getLogger(__name__)

PENDING = "wr_login_pending"
WRONG_CODE = gettext_lazy("Deze code klopt niet. Wacht op de volgende code en probeer het opnieuw.")
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def client_ip(request: HttpRequest) -> str:
    # As for the resident form: behind a proxy, let it set REMOTE_ADDR (see residents.views).
    return str(request.META.get("REMOTE_ADDR", ""))


def lockout_message(seconds: int) -> str:
    minutes = max(1, -(-seconds // 60))
    return ngettext(
        "Te veel mislukte pogingen om in te loggen. Probeer het over %(minutes)d minuut opnieuw.",
        "Te veel mislukte pogingen om in te loggen. Probeer het over %(minutes)d minuten opnieuw.",
        minutes,
    ) % {"minutes": minutes}


def safe_next(request: HttpRequest, url: str) -> str:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def begin_second_step(request: HttpRequest, user: User, *, method: str, next_url: str) -> str:
    """Remember who passed the first step; returns the URL of the next step."""
    request.session.cycle_key()
    request.session[PENDING] = {
        "user": user.pk,
        "at": time.time(),
        "method": method,
        "next": next_url,
    }
    if mfa.has_confirmed_device(user):
        return "tenants:login-code"
    return "tenants:login-setup"


def complete_login(request: HttpRequest, user: User, *, method: str, next_url: str) -> HttpResponse:
    request.session.pop(PENDING, None)
    auth_login(request, user, backend=MODEL_BACKEND)
    lockout.clear_account(user.username)
    audit(
        actor=user,
        municipality_id=user.municipality_id,
        action="login",
        object_type="tenants.user",
        object_id=str(user.uuid),
        changes={"method": method},
    )
    return HttpResponseRedirect(safe_next(request, next_url))


def pending_user(request: HttpRequest) -> tuple[User, dict[str, Any]] | None:
    entry = request.session.get(PENDING)
    if not isinstance(entry, dict):
        return None
    if time.time() - float(entry.get("at", 0)) > settings.MFA_PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None
    user = User.objects.filter(pk=int(entry.get("user") or 0), is_active=True).first()
    if user is None:
        request.session.pop(PENDING, None)
        return None
    return user, entry


class LoginView(auth_views.LoginView):
    """Step one: username and password, refused while the account or client is locked out."""

    template_name = "web/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        username = str(request.POST.get("username", ""))[:150]
        if username:
            wait = lockout.locked_seconds(username=username, ip=client_ip(request))
            if wait:
                # Not validated: the password is not even checked while locked out.
                form: Any = self.get_form_class()(request=request, data=request.POST)
                form._errors = ErrorDict()
                form.cleaned_data = {}
                form.add_error(None, lockout_message(wait))
                return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: Any) -> HttpResponse:
        codes = {error.code for error in form.non_field_errors().as_data()}
        username = str(form.data.get("username", ""))[:150]
        if username and codes & {"invalid_login", "inactive"}:
            wait = lockout.record_failure(
                username=username, ip=client_ip(self.request), step="password"
            )
            if wait:
                form.errors.clear()
                form.add_error(None, lockout_message(wait))
        return super().form_invalid(form)

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        next_url = self.get_redirect_url()
        if not mfa.needs_second_step(user):
            return complete_login(self.request, user, method="password", next_url=next_url)
        return redirect(begin_second_step(self.request, user, method="password", next_url=next_url))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        from wijkregie.tenants import oidc

        context["oidc_enabled"] = oidc.enabled()
        context["oidc_label"] = settings.OIDC_LABEL or _("Inloggen via uw gemeente-account")
        return context


def _code_step(request: HttpRequest, *, confirming: bool) -> HttpResponse:
    found = pending_user(request)
    if found is None:
        return redirect("web:login")
    user, entry = found
    has_device = mfa.has_confirmed_device(user)
    if confirming and has_device:
        return redirect("tenants:login-code")
    if not confirming and not has_device:
        return redirect("tenants:login-setup")
    form = TotpCodeForm(request.POST if request.method == "POST" else None)
    if form.is_bound:
        wait = lockout.locked_seconds(username=user.username, ip=client_ip(request))
        if not wait:
            code = form.cleaned_data["code"] if form.is_valid() else ""
            if code and mfa.check_code(user, code, confirming=confirming):
                method = f"{entry.get('method', 'password')}+totp"
                next_url = str(entry.get("next", ""))
                return complete_login(request, user, method=method, next_url=next_url)
            if "code" not in form.errors:
                form.add_error("code", WRONG_CODE)
            wait = lockout.record_failure(
                username=user.username, ip=client_ip(request), step="code"
            )
        if wait:
            # Start over after the lockout, from the password.
            request.session.pop(PENDING, None)
            return render(
                request, "tenants/login_locked.html", {"message": lockout_message(wait)}, status=429
            )
    context: dict[str, Any] = {"form": form}
    if confirming:
        _device, secret = mfa.pending_device(user)
        context.update(mfa.provisioning(user, secret))
        context["username"] = user.username
        return render(request, "tenants/login_setup.html", context)
    return render(request, "tenants/login_code.html", context)


@never_cache
@csrf_protect
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    """Step two: the current code of the user's authenticator app."""
    return _code_step(request, confirming=False)


@never_cache
@csrf_protect
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def login_setup(request: HttpRequest) -> HttpResponse:
    """Step two for a user without an app yet: show the secret, confirm with a first code."""
    return _code_step(request, confirming=True)


@never_cache
@require_http_methods(["GET"])
def oidc_start(request: HttpRequest) -> HttpResponse:
    """Go to the municipality's provider (404 when none is configured)."""
    from wijkregie.tenants import oidc

    if not oidc.enabled():
        raise Http404
    next_url = str(request.GET.get("next", ""))
    try:
        return HttpResponseRedirect(oidc.authorization_url(request, next_url=next_url))
    except oidc.OidcError as exc:
        logger.warning("OIDC start failed: %s", exc.reason)
        messages.error(request, _("Inloggen via de gemeente is nu niet mogelijk."))
        return redirect("web:login")


@never_cache
@require_http_methods(["GET"])
def oidc_callback(request: HttpRequest) -> HttpResponse:
    """Back from the provider: verify, find the account, then the code step if needed."""
    from wijkregie.tenants import oidc

    if not oidc.enabled():
        raise Http404
    try:
        claims, next_url = oidc.finish(request)
    except oidc.OidcError as exc:
        logger.warning("OIDC login failed: %s", exc.reason)
        messages.error(request, _("Inloggen via de gemeente is niet gelukt. Probeer het opnieuw."))
        return redirect("web:login")
    user = oidc.user_for_claims(claims)
    if user is None:
        messages.error(
            request,
            _(
                "Bij dit gemeente-account hoort geen Wijkregie-account. Neem contact op met de "
                "functioneel beheerder van uw organisatie."
            ),
        )
        return redirect("web:login")
    if oidc.provider_did_mfa(claims) or not mfa.needs_second_step(user):
        return complete_login(request, user, method="oidc", next_url=next_url)
    return redirect(begin_second_step(request, user, method="oidc", next_url=next_url))

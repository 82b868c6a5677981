"""Pages of the functioneel beheerder for organisation API tokens.

Everyone but a beheerder of the municipality gets 404 on every URL here, also for an
organisation or token of another municipality: nothing tells "missing" from "not yours".
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from wijkregie.tenants import selectors, services
from wijkregie.tenants.access import (
    access_organisation,
    access_organisation_token,
    require_beheerder,
)
from wijkregie.tenants.forms import OrganisationTokenForm


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    viewer = require_beheerder(request.user)
    return render(
        request,
        "tenants/token_list.html",
        {"organisations": selectors.organisation_tokens(viewer=viewer)},
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def token_create(request: HttpRequest, organisation_uuid: str) -> HttpResponse:
    viewer = require_beheerder(request.user)
    organisation = access_organisation(viewer, organisation_uuid)
    form = OrganisationTokenForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            token, secret = services.organisation_token_create(
                actor=viewer.user, organisation=organisation, name=form.cleaned_data["name"]
            )
        except services.TokenError as exc:
            form.add_error("name", str(exc))
        else:
            # The secret is in this response only (never_cache: no-store), not in the session
            # and not in a URL; reloading the page does not show it again.
            return render(
                request,
                "tenants/token_created.html",
                {"organisation": organisation, "token": token, "secret": secret},
            )
    return render(request, "tenants/token_form.html", {"organisation": organisation, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def token_revoke(request: HttpRequest, token_uuid: str) -> HttpResponse:
    viewer = require_beheerder(request.user)
    token = access_organisation_token(viewer, token_uuid)
    if token.revoked_at is not None:
        messages.info(request, _("Dit token is al ingetrokken."))
        return redirect("tenants:token-list")
    if request.method == "POST":
        try:
            services.api_token_revoke(actor=viewer.user, token=token)
        except services.TokenError as exc:
            messages.info(request, str(exc))
        else:
            messages.success(
                request,
                _("Het token %(name)s is ingetrokken. Het werkt vanaf nu niet meer.")
                % {"name": token.name},
            )
        return redirect("tenants:token-list")
    return render(request, "tenants/token_revoke.html", {"token": token})

"""Web views for subjects: subject page, merge/unmerge, split a record, attach to a signal,
screening queue, review of relink proposals.

Thin: reads through access and selectors, writes through services.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from wijkregie.privacy import restrictions
from wijkregie.signals.access import access_signal
from wijkregie.subjects import selectors, services
from wijkregie.subjects.access import (
    access_proposal,
    access_subject,
    cluster_ids,
    may_merge,
    may_review_links,
    may_screen,
    may_see_place_details,
    may_see_subject,
    personal_detail_scope,
    reveal_records,
)
from wijkregie.subjects.forms import (
    PURPOSE_LABELS,
    AttachForm,
    MemberForm,
    MergeForm,
    ProposalDecisionForm,
    ReasonForm,
    RevealForm,
    SplitForm,
)
from wijkregie.subjects.models import PersonRecord, SubjectKind
from wijkregie.tenants.access import Viewer, require_viewer


def _reader(request: HttpRequest) -> Viewer:
    viewer = require_viewer(request.user)
    if not viewer.reads_signals:
        raise Http404
    return viewer


def _merger(request: HttpRequest) -> Viewer:
    viewer = _reader(request)
    if not may_merge(viewer):
        raise Http404
    return viewer


def _errors_to_messages(request: HttpRequest, source: forms.Form | ValidationError) -> None:
    """Every error of a form or of a service's ValidationError as a message on the next page."""
    if isinstance(source, forms.Form):
        found: dict[str, list[str]] = {k: [str(e) for e in v] for k, v in source.errors.items()}
    elif hasattr(source, "error_dict"):
        found = source.message_dict
    else:
        found = {"__all__": source.messages}
    for msgs in found.values():
        for msg in msgs:
            messages.error(request, msg)


@login_required
@require_GET
def subject_detail(request: HttpRequest, uuid: str) -> HttpResponse:
    # No role gate before access_subject: a refused attempt is logged there like any other.
    viewer = require_viewer(request.user)
    reveal = RevealForm({"purpose": request.GET["doel"]}) if "doel" in request.GET else None
    purpose = (
        reveal.cleaned_data["purpose"]
        if reveal is not None and reveal.is_valid()
        else "signaalbehandeling"
    )
    subject = access_subject(viewer, uuid, purpose=purpose)
    page = selectors.subject_page(viewer=viewer, subject=subject)
    scope = personal_detail_scope(viewer, page.subject)
    revealed: dict[int, Any] = {}
    if reveal is not None and reveal.is_valid() and scope.any:
        revealed = {
            r.pk: r for r in reveal_records(viewer, page.subject, page.records, purpose=purpose)
        }
    entry = (
        selectors.screening_entry(viewer=viewer, subject=page.subject)
        if may_screen(viewer)
        else None
    )
    context = {
        "page": page,
        "subject": page.subject,
        "kinds": SubjectKind,
        "place_details": may_see_place_details(viewer),
        # Who did what is shown to the regisseur of the area and to the actor themself: that
        # someone of another organisation acted on the subject is information in itself.
        "show_actors": scope.all_records,
        "scope": scope,
        "may_reveal": scope.any and any(scope.covers(r) for r in page.records),
        "reveal_form": reveal or RevealForm(),
        "revealed": revealed,
        "purpose_label": PURPOSE_LABELS.get(purpose, purpose),
        "may_merge": may_merge(viewer),
        "merge_form": MergeForm(),
        "split_form": SplitForm(records=_record_choices(page.records), auto_id="split_%s"),
        "member_form": MemberForm(),
        "unmerge_form": ReasonForm(),
        "screening_entry": entry,
        # AVG art. 18 (ADR 0017): the page says that processing is restricted.
        "restricted": restrictions.any_restricted(cluster_ids(page.subject)),
        "screening_form": ReasonForm(),
        "openings": selectors.screening_openings(viewer=viewer, subject=page.subject)
        if may_screen(viewer)
        else [],
    }
    return render(request, "subjects/subject_detail.html", context)


@login_required
@require_POST
def subject_merge_view(request: HttpRequest, uuid: str) -> HttpResponse:
    viewer = _merger(request)
    subject = access_subject(viewer, uuid)
    form = MergeForm(request.POST)
    if not form.is_valid():
        _errors_to_messages(request, form)
        return redirect("subjects:detail", uuid=subject.uuid)
    into = selectors.subject_by_pseudonym(viewer=viewer, pseudonym=form.cleaned_data["into"])
    if into is None:
        messages.error(request, _("Deze betrokkene bestaat niet of u kunt haar niet inzien."))
        return redirect("subjects:detail", uuid=subject.uuid)
    try:
        root = services.subject_merge(
            viewer=viewer, subject=subject, into=into, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        _errors_to_messages(request, exc)
        return redirect("subjects:detail", uuid=subject.uuid)
    messages.success(request, _("De betrokkenen zijn samengevoegd."))
    return redirect("subjects:detail", uuid=root.uuid)


@login_required
@require_POST
def subject_unmerge_view(request: HttpRequest, uuid: str) -> HttpResponse:
    viewer = _merger(request)
    subject = access_subject(viewer, uuid)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        _errors_to_messages(request, form)
        return redirect("subjects:detail", uuid=subject.uuid)
    try:
        services.subject_unmerge(viewer=viewer, subject=subject, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(request, _("De samenvoeging is ongedaan gemaakt."))
    return redirect("subjects:detail", uuid=subject.uuid)


def _record_choices(records: list[PersonRecord]) -> list[tuple[str, str]]:
    """Records by organisation, time and a short id: no names in the form."""
    return [
        (
            str(r.uuid),
            f"{r.owner_organisation.name}, "
            f"{timezone.localtime(r.created_at):%d-%m-%Y %H:%M} ({str(r.uuid)[:8]})",
        )
        for r in records
    ]


@login_required
@require_POST
def subject_split_view(request: HttpRequest, uuid: str) -> HttpResponse:
    """Move one record off this person, to another person or to a new one (with a reason)."""
    viewer = _merger(request)
    subject = access_subject(viewer, uuid)
    page = selectors.subject_page(viewer=viewer, subject=subject)
    form = SplitForm(request.POST, records=_record_choices(page.records))
    if not form.is_valid():
        _errors_to_messages(request, form)
        return redirect("subjects:detail", uuid=subject.uuid)
    record = selectors.record_of(
        viewer=viewer, subject=subject, record_uuid=form.cleaned_data["record"]
    )
    into = None
    if form.cleaned_data["into"].strip():
        into = selectors.subject_by_pseudonym(viewer=viewer, pseudonym=form.cleaned_data["into"])
        if into is None:
            messages.error(request, _("Deze betrokkene bestaat niet of u kunt haar niet inzien."))
            return redirect("subjects:detail", uuid=subject.uuid)
    if record is None:
        messages.error(request, _("Kies een registratie van deze persoon."))
        return redirect("subjects:detail", uuid=subject.uuid)
    try:
        target = services.record_split(
            viewer=viewer, record=record, into=into, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        _errors_to_messages(request, exc)
        return redirect("subjects:detail", uuid=subject.uuid)
    messages.success(
        request,
        _("De registratie is afgesplitst naar %(pseudonym)s.") % {"pseudonym": target.pseudonym},
    )
    # A person left without records or signals is no longer visible: go to the target then.
    stay = may_see_subject(viewer, subject)
    return redirect("subjects:detail", uuid=subject.uuid if stay else target.uuid)


@login_required
@require_POST
def group_member_add_view(request: HttpRequest, uuid: str) -> HttpResponse:
    viewer = _merger(request)
    group = access_subject(viewer, uuid)
    form = MemberForm(request.POST)
    person = (
        selectors.subject_by_pseudonym(viewer=viewer, pseudonym=form.cleaned_data["person"])
        if form.is_valid()
        else None
    )
    if person is None:
        messages.error(request, _("Deze betrokkene bestaat niet of u kunt haar niet inzien."))
        return redirect("subjects:detail", uuid=group.uuid)
    try:
        services.group_add_member(viewer=viewer, group=group, person=person)
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(request, _("Het lid is toegevoegd."))
    return redirect("subjects:detail", uuid=group.uuid)


@login_required
@require_POST
def group_member_remove_view(request: HttpRequest, uuid: str, person_uuid: str) -> HttpResponse:
    viewer = _merger(request)
    group = access_subject(viewer, uuid)
    person = selectors.subject_by_uuid(viewer=viewer, subject_uuid=person_uuid)
    form = ReasonForm(request.POST)
    if person is None or not form.is_valid():
        messages.error(request, _("Geef een reden van ten minste 10 tekens."))
        return redirect("subjects:detail", uuid=group.uuid)
    try:
        services.group_remove_member(
            viewer=viewer, group=group, person=person, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(request, _("Het lid is verwijderd."))
    return redirect("subjects:detail", uuid=group.uuid)


@login_required
@require_POST
def signal_subject_add(request: HttpRequest, uuid: str) -> HttpResponse:
    """The 'Betrokkene toevoegen' form on the signal page."""
    viewer = _reader(request)
    signal = access_signal(viewer, uuid)
    form = AttachForm(request.POST)
    if not form.is_valid():
        _errors_to_messages(request, form)
        return redirect("web:signal-detail", uuid=signal.uuid)
    data = form.cleaned_data
    address = services.AddressInput(
        postcode=data["postcode"],
        huisnummer=data["huisnummer"],
        huisletter=data["huisletter"],
        huisnummertoevoeging=data["huisnummertoevoeging"],
    )
    kind, role = data["kind"], data["role"]
    try:
        if kind in ("address", "household"):
            subject = services.attach_address(
                viewer=viewer,
                signal=signal,
                address=address,
                household=kind == "household",
                role=role,
            )
        elif kind == "person":
            subject, _record = services.attach_person(
                viewer=viewer,
                signal=signal,
                person=services.PersonInput(
                    bsn=data["bsn"],
                    given_names=data["given_names"],
                    surname_prefix=data["surname_prefix"],
                    surname=data["surname"],
                    birth_date=data["birth_date"],
                    address=address,
                ),
                role=role,
            )
        elif kind == "group":
            subject = services.attach_group(
                viewer=viewer,
                signal=signal,
                group=services.GroupInput(name=data["name"]),
                role=role,
            )
        elif kind == "existing":
            found = selectors.subject_by_pseudonym(viewer=viewer, pseudonym=data["pseudonym"])
            if found is None:
                messages.error(
                    request, _("Deze betrokkene bestaat niet of u kunt haar niet inzien.")
                )
                return redirect("web:signal-detail", uuid=signal.uuid)
            subject = services.attach_existing(
                viewer=viewer, signal=signal, subject=found, role=role
            )
        else:
            subject = services.attach_location(
                viewer=viewer,
                signal=signal,
                place=services.PlaceInput(
                    name=data["name"], place_kind=data["place_kind"] or "overig"
                ),
                role=role,
            )
    except ValidationError as exc:
        _errors_to_messages(request, exc)
        return redirect("web:signal-detail", uuid=signal.uuid)
    messages.success(
        request,
        _("Betrokkene %(pseudonym)s is aan dit signaal gekoppeld.")
        % {"pseudonym": subject.pseudonym},
    )
    return redirect("web:signal-detail", uuid=signal.uuid)


@login_required
@require_GET
def screening_queue(request: HttpRequest) -> HttpResponse:
    viewer = require_viewer(request.user)
    if not may_screen(viewer):
        raise Http404
    entries = selectors.screening_queue(viewer=viewer)
    config = selectors.screening_settings(viewer.municipality_id)
    return render(
        request,
        "subjects/screening_queue.html",
        {"entries": entries, "config": config, "form": ReasonForm()},
    )


@login_required
@require_POST
def screening_open_view(request: HttpRequest, uuid: str) -> HttpResponse:
    viewer = require_viewer(request.user)
    if not may_screen(viewer):
        raise Http404
    subject = access_subject(viewer, uuid, purpose="screening")
    form = ReasonForm(request.POST)
    if not form.is_valid():
        _errors_to_messages(request, form)
        return redirect("subjects:screening")
    try:
        services.screening_open(viewer=viewer, subject=subject, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        _errors_to_messages(request, exc)
        return redirect("subjects:screening")
    messages.success(request, _("De betrokkene is geopend voor screening."))
    return redirect("subjects:detail", uuid=subject.uuid)


@login_required
@require_GET
def relink_review(request: HttpRequest) -> HttpResponse:
    """The proposals of the latest full relink, for the regisseur to accept or reject."""
    viewer = require_viewer(request.user)
    if not may_review_links(viewer):
        raise Http404
    review = selectors.relink_review(viewer=viewer)
    return render(
        request,
        "subjects/relink_review.html",
        {"review": review, "form": ProposalDecisionForm()},
    )


@login_required
@require_POST
def relink_decide(request: HttpRequest, uuid: str) -> HttpResponse:
    viewer = require_viewer(request.user)
    if not may_review_links(viewer):
        raise Http404
    proposal = access_proposal(viewer, uuid)
    form = ProposalDecisionForm(request.POST)
    if not form.is_valid():
        _errors_to_messages(request, form)
        return redirect("subjects:relink-review")
    accept = form.cleaned_data["decision"] == "accept"
    try:
        services.proposal_decide(
            viewer=viewer, proposal=proposal, accept=accept, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(
            request,
            _("Het voorstel is uitgevoerd.") if accept else _("Het voorstel is afgewezen."),
        )
    return redirect("subjects:relink-review")

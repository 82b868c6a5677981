"""The printable plan of action (PDF) of a case, made in the background as a documents
`GeneratedDocument` of kind `case_plan` (ADR 0005, ADR 0020).

- Requesting: an active, non-pseudonymised participant of the case (`access_case_export`);
  the document's `area_code` is the case uuid, `area_name` its reference.
- Rendering (in the task): the requester's participation is checked again; a requester who
  no longer takes part gets a failed document with a Dutch message.
- Downloading: `documents.access.access_document` asks `still_participates` for this kind,
  so a requester who was removed from the case (or lost the role) gets 404, also for a file
  made earlier.

The layout reuses the area report's page furniture (classification, "Pagina x van y") from
`documents.pdf`; the output is deterministic (`invariant`) for the same plan and time stamp.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, BinaryIO

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from wijkregie.cases.access import CaseAccess, participation
from wijkregie.cases.models import Action, Case, Goal
from wijkregie.documents import pdf
from wijkregie.documents.models import (
    ACTIVE_STATUSES,
    DocumentKind,
    DocumentStatus,
    GeneratedDocument,
)
from wijkregie.privacy.services import audit
from wijkregie.tenants.access import Viewer

PDF_PURPOSE = "plan-van-aanpak-pdf"


# --- the document (pure: plain values in, PDF bytes out) ----------------------------------


@dataclass(frozen=True)
class PlanRow:
    domain: str
    text: str
    status: str


@dataclass(frozen=True)
class ActionRow:
    text: str
    goal: str
    owner: str
    due: dt.date
    status: str
    overdue: bool


@dataclass(frozen=True)
class PlanDocument:
    reference: str
    title: str
    case_type: str
    phase: str
    municipality: str
    goals: list[PlanRow]
    actions: list[ActionRow]
    participants: list[tuple[str, str]]  # organisation, role


def render_plan(plan: PlanDocument, out: BinaryIO, *, generated_at: dt.datetime) -> int:
    """Write the plan as PDF to `out`; returns the number of pages."""
    s = pdf._styles()
    title = _("Plan van aanpak %(reference)s") % {"reference": plan.reference}
    facts = [
        [_("Gemeente"), plan.municipality],
        [_("Casus"), f"{plan.reference} – {plan.title}"],
        [_("Casustype"), plan.case_type],
        [_("Fase"), plan.phase],
        [_("Gemaakt op"), pdf.format_date(generated_at.date()) + generated_at.strftime(" %H:%M")],
    ]
    story: list[Any] = [
        pdf._p(title, s.title),
        Spacer(1, 0.3 * cm),
        pdf._p(pdf.classification(), s.h2),
        pdf._p(
            _(
                "Alleen voor de deelnemers aan deze casus. Deel dit plan niet verder en "
                "vernietig het als u het niet meer nodig hebt."
            ),
            s.small,
        ),
        Spacer(1, 0.4 * cm),
        pdf._table(
            [[pdf._p(k, s.cell_bold), pdf._p(v, s.cell)] for k, v in facts],
            [4 * cm, pdf.FRAME_WIDTH - 4 * cm],
            numeric_from=99,
        ),
        pdf._p(_("Doelen per leefgebied"), s.h1),
    ]
    if plan.goals:
        rows: list[list[Any]] = [[_("Leefgebied"), _("Doel"), _("Status")]]
        rows += [
            [pdf._p(g.domain, s.cell), pdf._p(g.text, s.cell), pdf._p(g.status, s.cell)]
            for g in plan.goals
        ]
        story.append(pdf._table(rows, [4 * cm, pdf.FRAME_WIDTH - 7 * cm, 3 * cm], 99))
    else:
        story.append(pdf._p(_("Nog geen doelen."), s.body))
    story.append(pdf._p(_("Acties"), s.h1))
    if plan.actions:
        rows = [[_("Actie"), _("Eigenaar"), _("Streefdatum"), _("Status")]]
        for a in plan.actions:
            status = a.status + (" – " + _("over de streefdatum") if a.overdue else "")
            text = a.text + (f" ({a.goal})" if a.goal else "")
            rows.append(
                [
                    pdf._p(text, s.cell),
                    pdf._p(a.owner, s.cell),
                    pdf._p(a.due.strftime("%d-%m-%Y"), s.cell),
                    pdf._p(status, s.cell),
                ]
            )
        story.append(pdf._table(rows, [pdf.FRAME_WIDTH - 11 * cm, 4.5 * cm, 2.5 * cm, 4 * cm], 99))
    else:
        story.append(pdf._p(_("Nog geen acties."), s.body))
    story.append(pdf._p(_("Deelnemende organisaties"), s.h1))
    rows = [[_("Organisatie"), _("Rol")]]
    rows += [[pdf._p(o, s.cell), pdf._p(r, s.cell)] for o, r in plan.participants]
    story.append(pdf._table(rows, [pdf.FRAME_WIDTH - 5 * cm, 5 * cm], 99))
    story.append(Spacer(1, 0.5 * cm))
    story.append(Paragraph("", s.small))
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=pdf.MARGIN,
        rightMargin=pdf.MARGIN,
        topMargin=pdf.MARGIN,
        bottomMargin=pdf.MARGIN,
        title=title,
        author="Wijkregie",
        subject=pdf.classification(),
        creator="Wijkregie",
        lang="nl",
        displayDocTitle=1,
        invariant=1,
    )
    pages: list[int] = []
    doc.build(story, canvasmaker=pdf._numbered_canvas(title, pages))
    return pages[-1]


def plan_document(case: Case, *, today: dt.date | None = None) -> PlanDocument:
    """The plan's content for printing (full text: only non-pseudonymised participants)."""
    today = today or timezone.localdate()
    case = Case.objects.select_related("case_type", "municipality").get(pk=case.pk)
    goals = list(
        Goal.objects.filter(case=case).select_related("life_domain").order_by("created_at", "id")
    )
    actions = Action.objects.filter(case=case).select_related(
        "owner_organisation", "goal__life_domain"
    )
    seen: set[tuple[str, str]] = set()
    participants: list[tuple[str, str]] = []
    for p in case.participants.filter(removed_at=None).select_related("organisation"):
        key = (p.organisation.name, str(p.get_role_display()))
        if key not in seen:
            seen.add(key)
            participants.append(key)
    return PlanDocument(
        reference=case.reference,
        title=case.title,
        case_type=case.case_type.name,
        phase=str(case.phase_label),
        municipality=case.municipality.name,
        goals=[
            PlanRow(g.life_domain.name, g.description, str(g.get_status_display())) for g in goals
        ],
        actions=[
            ActionRow(
                text=a.description,
                goal=a.goal.life_domain.name if a.goal else "",
                owner=a.owner_organisation.name,
                due=a.due_date,
                status=str(a.get_status_display()),
                overdue=a.is_overdue(today),
            )
            for a in actions.order_by("due_date", "id")
        ],
        participants=sorted(participants),
    )


# --- requesting, rendering in the task, the download check ---------------------------------


def still_participates(viewer: Viewer, document: GeneratedDocument) -> bool:
    """Whether the requester may still read this plan: an active, non-pseudonymised
    participant of the case named in the document (read fresh, on every download)."""
    if viewer.pseudonymised:
        return False
    case = Case.objects.filter(
        uuid=document.area_code, municipality_id=document.municipality_id
    ).first()
    return case is not None and participation(viewer, case) is not None


@transaction.atomic
def request_plan_pdf(*, viewer: Viewer, access: CaseAccess) -> tuple[GeneratedDocument, bool]:
    """Queue the printable plan for the viewer (the caller used `access_case_export`).
    Returns (document, created); an identical request still under way is reused."""
    from wijkregie.documents import services as document_services
    from wijkregie.documents import tasks

    if access.participant is None or viewer.pseudonymised:
        raise ValidationError(_("Alleen deelnemers kunnen het plan afdrukken."), code="forbidden")
    case = access.case
    # One per plan version: a changed plan is a new document.
    from wijkregie.cases.models import PlanChange

    version = PlanChange.objects.filter(case=case).count()
    parameters = {"version": version, "phase": case.phase}
    key = document_services.request_key(DocumentKind.CASE_PLAN, str(case.uuid), parameters)

    def active() -> GeneratedDocument | None:
        return (
            GeneratedDocument.objects.select_for_update()
            .filter(
                municipality_id=viewer.municipality_id,
                requested_by_id=viewer.user.pk,
                request_key=key,
                status__in=ACTIVE_STATUSES,
            )
            .first()
        )

    existing = active()
    if existing is not None:
        return existing, False
    document = GeneratedDocument(
        municipality_id=viewer.municipality_id,
        requested_by=viewer.user,
        kind=DocumentKind.CASE_PLAN,
        area_code=str(case.uuid),
        area_name=case.reference,
        parameters=parameters,
        request_key=key,
        status=DocumentStatus.QUEUED,
    )
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:
        winner = active()
        if winner is None:
            raise
        return winner, False
    audit(
        actor=viewer.user,
        municipality_id=viewer.municipality_id,
        action="documents.request",
        obj=document,
        changes={"kind": document.kind, "case": str(case.uuid), **parameters},
    )
    tasks.enqueue_on_commit(document)
    return document, True


def render_for_document(document: GeneratedDocument, out: BinaryIO, refused: Any) -> int:
    """The task's renderer: participation re-checked for the requester, at render time."""
    from wijkregie.tenants.access import viewer_for

    viewer = viewer_for(document.requested_by, access_point="task")
    if (
        viewer is None
        or viewer.municipality_id != document.municipality_id
        or not still_participates(viewer, document)
    ):
        raise refused(
            _("U mag dit plan van aanpak niet meer afdrukken: u neemt niet meer deel aan de casus.")
        )
    case = Case.objects.get(uuid=document.area_code, municipality_id=document.municipality_id)
    return render_plan(plan_document(case), out, generated_at=timezone.localtime())

"""Background work of the residents app (django-tasks, database backend)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from wijkregie.residents import codes
from wijkregie.residents.models import ResidentReport
from wijkregie.residents.services import report_email_erase
from wijkregie.residents.status import is_final, public_status


@task()
def send_status_email(report_id: int, to_status: str) -> None:
    """Tell the resident the new status: tracking code, status and link; nothing else.

    After the e-mail about a final status the address is erased (no longer needed).
    """
    report = (
        ResidentReport.objects.filter(pk=report_id)
        .select_related("municipality", "signal__category")
        .first()
    )
    if report is None or not report.email:
        return
    base = getattr(settings, "PUBLIC_BASE_URL", "").rstrip("/")
    link = base + reverse(
        "residents:status-detail",
        kwargs={"cbs": report.municipality.cbs_code, "code": codes.grouped(report.tracking_code)},
    )
    with translation.override("nl"):
        context = {
            "code": codes.grouped(report.tracking_code),
            "status": public_status(to_status),
            "link": link,
            "municipality": report.municipality.name,
            "final": is_final(to_status),
        }
        subject = _("Uw melding %(code)s: %(status)s") % {
            "code": context["code"],
            "status": context["status"],
        }
        body = render_to_string("residents/status_email.txt", context)
    send_mail(subject, body, None, [report.email])
    if is_final(to_status):
        report_email_erase(report_id=report.pk)

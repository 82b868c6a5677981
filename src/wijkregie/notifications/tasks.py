"""E-mail for notifications (django-tasks; the console backend in the demo and development)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from wijkregie.notifications.models import Notification


@task()
def send_notification_emails(notification_ids: list[int]) -> int:
    """The notification text and a link; nothing of the case. Sent once per notification."""
    sent = 0
    base = getattr(settings, "PUBLIC_BASE_URL", "").rstrip("/")
    rows = Notification.objects.filter(pk__in=notification_ids, emailed_at=None).select_related(
        "user"
    )
    for n in rows:
        if not n.user.email or not n.user.is_active:
            continue
        with translation.override("nl"):
            subject = _("Wijkregie: nieuwe melding")
            body = "\n\n".join(
                [
                    n.message,
                    _("Bekijk de melding in Wijkregie: %(link)s")
                    % {"link": base + (n.link or "/meldingen/")},
                    _("U krijgt dit bericht omdat u in Wijkregie meldingen ontvangt."),
                ]
            )
        # Claim first: a retried task never mails twice.
        if Notification.objects.filter(pk=n.pk, emailed_at=None).update(emailed_at=timezone.now()):
            send_mail(subject, body, None, [n.user.email])
            sent += 1
    return sent

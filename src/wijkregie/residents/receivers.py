"""Reactions to domain events of other apps (connected in ResidentsConfig.ready)."""

from __future__ import annotations

from typing import Any

from wijkregie.residents.models import ResidentReport
from wijkregie.residents.tasks import send_status_email


def on_status_changed(sender: Any, *, signal_id: int, to_status: str, **kwargs: Any) -> None:
    """Queue an e-mail when a resident who left an address should hear of the new status."""
    report_id = (
        ResidentReport.objects.filter(signal_id=signal_id)
        .exclude(email="")
        .values_list("pk", flat=True)
        .first()
    )
    if report_id is not None:
        send_status_email.enqueue(report_id=report_id, to_status=to_status)

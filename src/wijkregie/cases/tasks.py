"""Background work of the cases app (django-tasks, database backend)."""

from __future__ import annotations

from django_tasks import task

from wijkregie.cases.escalation import run_escalation


@task()
def escalate() -> str:
    """The daily escalation run (idempotent; schedule with cron, see docs/architecture.md)."""
    return run_escalation().summary()

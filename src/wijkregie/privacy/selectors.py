"""Reads of the logs for the privacy officer, always within the viewer's municipality."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from wijkregie.privacy.models import AccessEvent
from wijkregie.tenants.access import Viewer


@dataclass(frozen=True)
class AccessLogFilters:
    pseudonym: str = ""
    username: str = ""
    start: dt.date | None = None
    end: dt.date | None = None  # inclusive
    flagged: bool = False

    def describe(self) -> str:
        """For the officer's own access event: what was searched (no free text)."""
        parts = []
        if self.pseudonym:
            parts.append(f"pseudoniem={self.pseudonym}")
        if self.username:
            parts.append(f"gebruiker={self.username}")
        if self.start or self.end:
            parts.append(f"periode={self.start or ''}..{self.end or ''}")
        if self.flagged:
            parts.append("gemarkeerd")
        return " ".join(parts) or "alles"


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def access_log(*, viewer: Viewer, filters: AccessLogFilters) -> QuerySet[AccessEvent]:
    qs = AccessEvent.objects.filter(municipality_id=viewer.municipality_id)
    if filters.pseudonym:
        qs = qs.filter(subject_pseudonym=filters.pseudonym)
    if filters.username:
        qs = qs.filter(username__iexact=filters.username)
    if filters.start:
        qs = qs.filter(at__gte=_local_midnight(filters.start))
    if filters.end:
        qs = qs.filter(at__lt=_local_midnight(filters.end + dt.timedelta(days=1)))
    if filters.flagged:
        qs = qs.filter(flagged=True)
    return qs.order_by("-at", "-id")


@dataclass(frozen=True)
class HeavyReader:
    day: dt.date
    username: str
    subjects: int


def heavy_readers(
    *, viewer: Viewer, threshold: int | None = None, days: int | None = None
) -> list[HeavyReader]:
    """Users who read more distinct subjects (pseudonyms) in one local day than the threshold."""
    threshold = settings.ACCESS_ALERT_SUBJECTS_PER_DAY if threshold is None else threshold
    days = settings.ACCESS_ALERT_DAYS if days is None else days
    since = _local_midnight(timezone.localdate() - dt.timedelta(days=days - 1))
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    rows = (
        AccessEvent.objects.filter(
            municipality_id=viewer.municipality_id,
            at__gte=since,
            outcome="granted",
        )
        .exclude(subject_pseudonym="")
        .annotate(day=TruncDate("at", tzinfo=zone))
        .values("day", "username")
        .annotate(subjects=Count("subject_pseudonym", distinct=True))
        .filter(subjects__gt=threshold)
        .order_by("-day", "-subjects", "username")
    )
    return [HeavyReader(r["day"], r["username"], r["subjects"]) for r in rows]


def flagged_unreviewed(*, viewer: Viewer) -> QuerySet[AccessEvent]:
    return AccessEvent.objects.filter(
        Q(flagged=True, reviewed_at__isnull=True), municipality_id=viewer.municipality_id
    ).order_by("at", "id")

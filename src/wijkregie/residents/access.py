"""The tenant of a public page: a municipality by CBS code, or the installation's default.

Public pages have no viewer; everything they read is scoped to this one municipality, and a
report is only found under its own municipality (another's tracking code gives the same 404).
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404

from wijkregie.residents import codes
from wijkregie.residents.models import ResidentReport
from wijkregie.residents.selectors import report_by_code
from wijkregie.tenants.models import Municipality


def access_municipality(cbs_code: str) -> Municipality:
    municipality = Municipality.objects.filter(cbs_code=cbs_code.upper()).first()
    if municipality is None:
        raise Http404
    return municipality


def default_municipality() -> Municipality | None:
    """settings.RESIDENT_DEFAULT_MUNICIPALITY, else the only municipality, else None."""
    code = getattr(settings, "RESIDENT_DEFAULT_MUNICIPALITY", "")
    if code:
        return Municipality.objects.filter(cbs_code=code.upper()).first()
    first_two = list(Municipality.objects.order_by("cbs_code")[:2])
    return first_two[0] if len(first_two) == 1 else None


def access_report(municipality: Municipality, code_text: str) -> ResidentReport:
    code = codes.normalise(code_text)
    report = report_by_code(municipality=municipality, code=code) if code else None
    if report is None:
        raise Http404
    return report

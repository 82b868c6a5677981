"""Signal statuses in plain Dutch for residents (pure; used by the status page, e-mail, Open311)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from wijkregie.signals.states import FINAL, Status

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

PUBLIC_STATUS: dict[str, StrOrPromise] = {
    Status.OPEN: _("Ontvangen: uw melding wacht op behandeling"),
    Status.IN_BEHANDELING: _("In behandeling: er wordt aan uw melding gewerkt"),
    Status.DOORGEZET: _("Doorgestuurd naar de organisatie die dit oppakt"),
    Status.AFGEHANDELD: _("Afgehandeld"),
    Status.GEANNULEERD: _("Niet in behandeling genomen"),
}


def public_status(status: str) -> str:
    label = PUBLIC_STATUS.get(status)
    return str(label) if label is not None else str(_("Onbekend"))


def is_final(status: str) -> bool:
    return status in FINAL

"""The signal status machine as an explicit transition table (pure, no Django models)."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Status(StrEnum):
    OPEN = "open"
    IN_BEHANDELING = "in_behandeling"
    DOORGEZET = "doorgezet"
    AFGEHANDELD = "afgehandeld"
    GEANNULEERD = "geannuleerd"


# Lazy: a label is translated when it is shown, into the language active at that moment.
STATUS_LABELS: dict[str, StrOrPromise] = {
    Status.OPEN: _("Open"),
    Status.IN_BEHANDELING: _("In behandeling"),
    Status.DOORGEZET: _("Doorgezet"),
    Status.AFGEHANDELD: _("Afgehandeld"),
    Status.GEANNULEERD: _("Geannuleerd"),
}

FINAL = frozenset({Status.DOORGEZET, Status.AFGEHANDELD, Status.GEANNULEERD})

# (from, to) -> needs the reopen right
TRANSITIONS: dict[tuple[Status, Status], bool] = {
    (Status.OPEN, Status.IN_BEHANDELING): False,
    (Status.OPEN, Status.GEANNULEERD): False,
    (Status.IN_BEHANDELING, Status.DOORGEZET): False,
    (Status.IN_BEHANDELING, Status.AFGEHANDELD): False,
    (Status.IN_BEHANDELING, Status.GEANNULEERD): False,
    (Status.DOORGEZET, Status.OPEN): True,
    (Status.AFGEHANDELD, Status.OPEN): True,
    (Status.GEANNULEERD, Status.OPEN): True,
}


def is_allowed(current: str, target: str, *, may_reopen: bool) -> bool:
    try:
        key = (Status(current), Status(target))
    except ValueError:
        return False
    if key not in TRANSITIONS:
        return False
    return may_reopen or not TRANSITIONS[key]


def next_statuses(current: str, *, may_reopen: bool) -> list[Status]:
    return [
        t for (f, t), needs in TRANSITIONS.items() if f == current and (may_reopen or not needs)
    ]

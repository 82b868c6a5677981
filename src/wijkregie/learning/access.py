"""Who may see and change what in the learning circle.

- The circle is for municipalities that participate (`Participation.active`); for everyone
  else every page and endpoint is 404.
- Readers: regisseur, analist and functioneel beheerder of a participating municipality.
  Partner professionals and the privacy officer have no need for it (404).
- A card is visible to its own municipality in every status, and to the readers of other
  participating municipalities only once published. Missing and forbidden are both 404.
- Only the owner municipality's regisseur or beheerder edits, submits or withdraws a card;
  another of them (not the one who submitted it) reviews and publishes it. Imported cards are
  read-only (they are replaced by importing them again).
- A meeting is recorded by a regisseur or beheerder of a participating municipality and
  changed only by the editors of that (recording) municipality; everyone else 404.
- Public neighbourhood actions (wijkacties) are not part of the circle: the regisseur and the
  beheerder of a municipality manage their own municipality's actions whether or not it
  participates (the public page does not depend on participation either). Everyone else,
  including analysts, partner professionals and the privacy officer, gets 404; another
  municipality's action is 404 too.
- Cards, meetings and actions hold no personal data, so reads are not access-logged; every
  write is audited (services). A card's links to cases are the exception: they are shown only to the
  case's participants, and showing a case's reference and title is logged as a case read.
"""

from __future__ import annotations

import uuid as uuidlib

from django.db.models import Q
from django.http import Http404

from wijkregie.learning.models import (
    CardOrigin,
    CardStatus,
    Meeting,
    Participation,
    PracticeCard,
    PublicAction,
)
from wijkregie.tenants.access import Viewer, require_viewer
from wijkregie.tenants.models import Role

READER_ROLES = frozenset({Role.REGISSEUR, Role.ANALIST, Role.BEHEERDER})
EDITOR_ROLES = frozenset({Role.REGISSEUR, Role.BEHEERDER})


def participates(municipality_id: int) -> bool:
    return Participation.objects.filter(municipality_id=municipality_id, active=True).exists()


def may_read(viewer: Viewer) -> bool:
    return bool(viewer.roles & READER_ROLES) and participates(viewer.municipality_id)


def may_edit(viewer: Viewer) -> bool:
    return bool(viewer.roles & EDITOR_ROLES)


def learning_viewer(user: object, access_point: str = "web") -> Viewer:
    """The viewer, or 404 for non-participants and roles without a need for the circle."""
    viewer = require_viewer(user, access_point)
    if not may_read(viewer):
        raise Http404
    return viewer


def visible_cards_q(viewer: Viewer) -> Q:
    """The one visibility rule for cards (list, search, detail, export, meetings)."""
    return Q(municipality_id=viewer.municipality_id) | Q(
        status=CardStatus.PUBLISHED,
        municipality__learning_participation__active=True,
    )


def _uuid(value: object) -> uuidlib.UUID:
    try:
        return uuidlib.UUID(str(value))
    except ValueError:
        raise Http404 from None


def access_card(viewer: Viewer, card_uuid: object, *, write: bool = False) -> PracticeCard:
    card = (
        PracticeCard.objects.filter(visible_cards_q(viewer)).filter(uuid=_uuid(card_uuid)).first()
    )
    if card is None:
        raise Http404
    if write and not may_change(viewer, card):
        raise Http404
    return card


def is_owner(viewer: Viewer, card: PracticeCard) -> bool:
    return card.municipality_id == viewer.municipality_id


def may_change(viewer: Viewer, card: PracticeCard) -> bool:
    return is_owner(viewer, card) and may_edit(viewer) and card.origin == CardOrigin.LOCAL


def may_review(viewer: Viewer, card: PracticeCard) -> bool:
    """A second person: an editor of the owner municipality who did not submit the card."""
    return (
        may_change(viewer, card)
        and card.status == CardStatus.IN_REVIEW
        and card.submitted_by_id != viewer.user.pk
    )


def may_record_meeting(viewer: Viewer) -> bool:
    """A regisseur or beheerder of a participating municipality records meetings."""
    return may_edit(viewer) and participates(viewer.municipality_id)


def may_change_meeting(viewer: Viewer, meeting: Meeting) -> bool:
    """Only the editors of the municipality that recorded the meeting change it."""
    return meeting.municipality_id == viewer.municipality_id and may_record_meeting(viewer)


def access_meeting(viewer: Viewer, meeting_uuid: object, *, write: bool = False) -> Meeting:
    """Meetings of the circle are shared with every participant (the viewer participates);
    writing is for the recording municipality's editors (404 for everyone else)."""
    meeting = (
        Meeting.objects.filter(municipality__learning_participation__active=True)
        .filter(uuid=_uuid(meeting_uuid))
        .first()
    )
    if meeting is None:
        raise Http404
    if write and not may_change_meeting(viewer, meeting):
        raise Http404
    return meeting


def may_manage_actions(viewer: Viewer) -> bool:
    """Regisseur or beheerder of the viewer's municipality; participation does not matter."""
    return bool(viewer.roles & EDITOR_ROLES)


def actions_viewer(user: object, access_point: str = "web") -> Viewer:
    """The viewer who manages the municipality's public actions, or 404 for everyone else."""
    viewer = require_viewer(user, access_point)
    if not may_manage_actions(viewer):
        raise Http404
    return viewer


def access_action(viewer: Viewer, action_uuid: object) -> PublicAction:
    """An action of the viewer's own municipality (404 for another's, or a missing one)."""
    if not may_manage_actions(viewer):
        raise Http404
    action = PublicAction.objects.filter(
        municipality_id=viewer.municipality_id, uuid=_uuid(action_uuid)
    ).first()
    if action is None:
        raise Http404
    return action

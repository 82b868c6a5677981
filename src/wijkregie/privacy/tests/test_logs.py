"""Audit and access logs are append-only, and writes leave an audit row."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from wijkregie.privacy.models import AccessEvent, AppendOnlyError, AuditEvent
from wijkregie.signals.services import LocationInput, signal_change_status, signal_create
from wijkregie.tenants.access import viewer_for
from wijkregie.testing.personas import World


def test_access_event_cannot_be_changed_or_deleted(world: World) -> None:
    viewer = viewer_for(world.users["regisseur"])
    assert viewer is not None
    from wijkregie.signals.access import access_signal

    access_signal(viewer, world.signals["police_shared"].uuid)
    event = AccessEvent.objects.get()
    event.purpose = "iets anders"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AccessEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AccessEvent.objects.update(purpose="x")
    assert AccessEvent.objects.get().purpose == "signaalbehandeling"


def test_signal_create_and_status_change_are_audited(world: World) -> None:
    viewer = viewer_for(world.users["wijkagent"])
    assert viewer is not None
    hood = world.buurten["01"]
    assert hood.rd_min_x is not None and hood.rd_min_y is not None
    signal = signal_create(
        viewer=viewer,
        owner_organisation=world.orgs["politie"],
        category=world.categories["overlast-jeugd"],
        observed_at=timezone.now() - dt.timedelta(hours=1),
        description="Groep jongeren bij het winkelcentrum",
        location=LocationInput(x=hood.rd_min_x + 100, y=hood.rd_min_y + 100),
    )
    assert signal.neighbourhood == hood
    assert signal.cell_x == int((hood.rd_min_x + 100) // 100)
    created = AuditEvent.objects.get(object_id=str(signal.uuid), action="create")
    assert created.user == world.users["wijkagent"]
    # Free text of signals never goes into the audit log.
    assert "winkelcentrum" not in str(created.changes)

    signal_change_status(viewer=viewer, signal=signal, to_status="in_behandeling")
    status_event = AuditEvent.objects.get(object_id=str(signal.uuid), action="status")
    assert status_event.changes == {"status": ["open", "in_behandeling"]}
    assert [c.to_status for c in signal.status_changes.all()] == ["in_behandeling"]

"""signal_upsert and signal_upsert_many: idempotent by (owner organisation, external id)."""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from wijkregie.privacy.models import AuditEvent
from wijkregie.signals import services
from wijkregie.signals.models import Signal
from wijkregie.signals.services import (
    CREATED,
    UNCHANGED,
    UPDATED,
    BatchInvalid,
    LocationInput,
    SignalIntake,
    signal_upsert,
    signal_upsert_many,
)
from wijkregie.signals.states import Status
from wijkregie.tenants.access import Viewer, viewer_for
from wijkregie.tenants.models import Membership, Role
from wijkregie.testing.personas import World

OBSERVED = timezone.now() - dt.timedelta(hours=2)


def viewer_of(world: World, persona: str) -> Viewer:
    viewer = viewer_for(world.users[persona], access_point="api")
    assert viewer is not None
    return viewer


def intake(world: World, owner: str = "politie", **changes: Any) -> SignalIntake:
    values: dict[str, Any] = {
        "owner_organisation": world.orgs[owner],
        "category": world.categories["overlast-jeugd"],
        "observed_at": OBSERVED,
        "description": "Groep jongeren bij de speeltuin",
        "location": LocationInput(x=155_250.0, y=463_250.0),
        "external_id": "BVH-1",
    }
    values.update(changes)
    return SignalIntake(**values)


def audits(action: str) -> int:
    return AuditEvent.objects.filter(object_type="signals.signal", action=action).count()


def test_create_then_unchanged_then_updated(world: World) -> None:
    viewer = viewer_of(world, "wijkagent")
    first, outcome = signal_upsert(viewer=viewer, intake=intake(world))
    assert outcome == CREATED
    assert first.external_id == "BVH-1"
    assert first.neighbourhood == world.buurten["01"]
    again, outcome = signal_upsert(viewer=viewer, intake=intake(world))
    assert (again.pk, outcome) == (first.pk, UNCHANGED)
    assert audits("update") == 0
    changed, outcome = signal_upsert(
        viewer=viewer,
        intake=intake(
            world,
            description="Andere tekst",
            category=world.categories["overlast"],
            location=LocationInput(neighbourhood_code="BU99990102"),
            handling_code="H2",
        ),
    )
    assert (changed.pk, outcome) == (first.pk, UPDATED)
    stored = Signal.objects.get(pk=first.pk)
    assert stored.description == "Andere tekst"
    assert stored.category == world.categories["overlast"]
    assert (stored.location_kind, stored.lat, stored.cell_x) == ("area", None, None)
    assert stored.neighbourhood == world.buurten["02"]
    assert stored.handling_code == "H2"
    assert Signal.objects.filter(external_id="BVH-1").count() == 1
    event = AuditEvent.objects.get(action="update", object_id=str(first.uuid))
    assert event.user == world.users["wijkagent"]
    assert event.changes["external_id"] == "BVH-1"
    assert set(event.changes["fields"]) >= {
        "category",
        "description",
        "handling_code",
        "location_kind",
        "lat",
        "neighbourhood",
    }
    assert event.changes["category"] == ["overlast-jeugd", "overlast"]
    assert event.changes["neighbourhood"] == ["BU99990101", "BU99990102"]
    assert event.changes["handling_code"] == ["H1", "H2"]
    # Free text and exact coordinates are named, never copied into the log.
    assert "description" not in event.changes
    assert "lat" not in event.changes
    assert "Andere tekst" not in str(event.changes)


def test_an_update_never_changes_status_owner_or_registration(world: World) -> None:
    viewer = viewer_of(world, "wijkagent")
    signal, _ = signal_upsert(viewer=viewer, intake=intake(world))
    Signal.objects.filter(pk=signal.pk).update(status=Status.AFGEHANDELD)
    other_user = world.users["regisseur"]
    Membership.objects.create(
        municipality=world.gm,
        user=other_user,
        organisation=world.orgs["politie"],
        role=Role.PROFESSIONAL,
    )
    _, outcome = signal_upsert(
        viewer=viewer_of(world, "regisseur"), intake=intake(world, description="Nieuw")
    )
    assert outcome == UPDATED
    stored = Signal.objects.get(pk=signal.pk)
    assert stored.status == Status.AFGEHANDELD
    assert stored.owner_organisation == world.orgs["politie"]
    assert stored.registered_by == world.users["wijkagent"]
    assert stored.registered_at == signal.registered_at


def test_an_update_is_checked_like_a_create(world: World) -> None:
    viewer = viewer_of(world, "wijkagent")
    signal, _ = signal_upsert(viewer=viewer, intake=intake(world))
    with pytest.raises(ValidationError) as caught:
        signal_upsert(
            viewer=viewer,
            intake=intake(
                world,
                observed_at=timezone.now() + dt.timedelta(days=1),
                location=LocationInput(neighbourhood_code="BU00000000"),
            ),
        )
    assert {name: [e.code for e in errs] for name, errs in caught.value.error_dict.items()} == {
        "observed_at": ["future"],
        "neighbourhood": ["unknown"],
    }
    stored = Signal.objects.get(pk=signal.pk)
    assert stored.observed_at == signal.observed_at
    assert audits("update") == 0


def test_the_key_is_per_owner_organisation(world: World) -> None:
    user = world.users["regisseur"]
    Membership.objects.create(
        municipality=world.gm, user=user, organisation=world.orgs["politie"], role=Role.REGISSEUR
    )
    viewer = viewer_of(world, "regisseur")
    one, first = signal_upsert(viewer=viewer, intake=intake(world, owner="politie"))
    two, second = signal_upsert(viewer=viewer, intake=intake(world, owner="gemeente"))
    assert (first, second) == (CREATED, CREATED)
    assert one.pk != two.pk


def test_without_external_id_every_call_creates(world: World) -> None:
    viewer = viewer_of(world, "wijkagent")
    signal_upsert(viewer=viewer, intake=intake(world, external_id=""))
    _, outcome = signal_upsert(viewer=viewer, intake=intake(world, external_id=""))
    assert outcome == CREATED
    assert Signal.objects.filter(external_id="", description__startswith="Groep").count() == 2


def test_nobody_updates_another_organisations_signal(world: World) -> None:
    signal, _ = signal_upsert(viewer=viewer_of(world, "wijkagent"), intake=intake(world))
    with pytest.raises(ValidationError) as caught:
        signal_upsert(viewer=viewer_of(world, "corporatie"), intake=intake(world))
    assert caught.value.error_dict["owner_organisation"][0].code == "forbidden"
    assert Signal.objects.get(pk=signal.pk).description == "Groep jongeren bij de speeltuin"


def test_batch_writes_everything_or_nothing(world: World) -> None:
    viewer = viewer_of(world, "wijkagent")
    existing, _ = signal_upsert(viewer=viewer, intake=intake(world, external_id="A"))
    rows = Signal.objects.count()
    batch = [
        intake(world, external_id="A", description="gewijzigd"),
        intake(world, external_id="B", observed_at=timezone.now() + dt.timedelta(days=2)),
        intake(world, external_id="C"),
        intake(world, external_id="C"),
        intake(world, external_id="D", location=LocationInput()),
    ]
    with pytest.raises(BatchInvalid) as caught:
        signal_upsert_many(viewer=viewer, intakes=batch)
    assert {
        index: {name: error.code for name, error in errors.items()}
        for index, errors in caught.value.errors.items()
    } == {
        1: {"observed_at": "future"},
        3: {"external_id": "duplicate"},
        4: {"location": "required"},
    }
    assert Signal.objects.count() == rows
    assert Signal.objects.get(pk=existing.pk).description == "Groep jongeren bij de speeltuin"

    good = [batch[0], batch[2], intake(world, external_id="")]
    results = signal_upsert_many(viewer=viewer, intakes=good)
    assert [outcome for _, outcome in results] == [UPDATED, CREATED, CREATED]
    assert results[0][0].pk == existing.pk
    assert Signal.objects.count() == rows + 2
    created = results[1][0]
    assert created.pk is not None
    stored = Signal.objects.get(pk=created.pk)
    assert stored.uuid == created.uuid
    assert (stored.status, stored.registered_by) == ("open", world.users["wijkagent"])
    assert stored.neighbourhood == world.buurten["01"]
    assert AuditEvent.objects.filter(action="create", object_id=str(created.uuid)).exists()
    again = signal_upsert_many(viewer=viewer, intakes=good[:2])
    assert [outcome for _, outcome in again] == [UNCHANGED, UNCHANGED]


def test_batch_and_single_create_write_the_same_row(world: World) -> None:
    viewer = viewer_of(world, "wijkagent")
    single = services.signal_create(
        viewer=viewer,
        owner_organisation=world.orgs["politie"],
        category=world.categories["overlast-jeugd"],
        observed_at=OBSERVED,
        description="Zelfde",
        location=LocationInput(postcode="1234 ab", huisnummer=5, neighbourhood_code="BU99990201"),
        external_id="S",
    )
    [(batched, _)] = signal_upsert_many(
        viewer=viewer,
        intakes=[
            intake(
                world,
                description="Zelfde",
                location=LocationInput(
                    postcode="1234 ab", huisnummer=5, neighbourhood_code="BU99990201"
                ),
                external_id="T",
            )
        ],
    )
    columns = [
        f.attname
        for f in Signal._meta.concrete_fields
        if f.attname not in {"id", "uuid", "external_id", "registered_at", "updated_at"}
    ]
    assert Signal.objects.filter(pk=single.pk).values(*columns).get() == (
        Signal.objects.filter(pk=batched.pk).values(*columns).get()
    )


# --- two concurrent identical creates ------------------------------------------------------


def _in_thread(target: Any, results: list[Any], errors: list[BaseException]) -> threading.Thread:
    def run() -> None:
        try:
            results.append(target())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    return threading.Thread(target=run)


@pytest.mark.parametrize("path", ["single", "batch"])
def test_two_concurrent_identical_creates_make_one_signal(
    transactional_db: None, world: World, path: str
) -> None:
    """A inserts and holds its transaction open; B starts then, finds no committed row, and its
    insert waits on the unique index until A commits (PostgreSQL), then becomes an update.

    SQLite takes the write lock at BEGIN (transaction_mode IMMEDIATE), so B waits before its
    lookup there and the race cannot open; the outcome must be the same.
    """
    viewer_a = viewer_of(world, "wijkagent")
    viewer_b = viewer_of(world, "wijkagent")
    a_inserted = threading.Event()
    b_started = threading.Event()

    def upsert(viewer: Viewer) -> tuple[int, str]:
        if path == "single":
            signal, outcome = signal_upsert(viewer=viewer, intake=intake(world))
        else:
            [(signal, outcome)] = signal_upsert_many(viewer=viewer, intakes=[intake(world)])
        return signal.pk, outcome

    def first() -> tuple[int, str]:
        with transaction.atomic():
            result = upsert(viewer_a)
            a_inserted.set()
            b_started.wait(5)
            time.sleep(0.5)  # B is now waiting for us
        return result

    waited: list[float] = []

    def second() -> tuple[int, str]:
        a_inserted.wait(5)
        b_started.set()
        start = time.monotonic()
        try:
            return upsert(viewer_b)
        finally:
            waited.append(time.monotonic() - start)

    results: list[tuple[int, str]] = []
    errors: list[BaseException] = []
    threads = [_in_thread(first, results, errors), _in_thread(second, results, errors)]
    if connection.vendor == "sqlite":
        # One writer at a time: B's BEGIN IMMEDIATE would wait for A's commit.
        b_started.set()
        threads[0].start()
        threads[0].join(10)
        threads[1].start()
        threads[1].join(10)
    else:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(20)
    assert not errors, errors
    if connection.vendor != "sqlite":
        # B found no committed row and its insert waited for A's commit: the race was real.
        assert waited[0] >= 0.3
    assert sorted(outcome for _, outcome in results) == [CREATED, UNCHANGED]
    assert len({pk for pk, _ in results}) == 1
    assert Signal.objects.filter(external_id="BVH-1").count() == 1
    assert AuditEvent.objects.filter(action="create", object_type="signals.signal").count() == 1


@pytest.mark.parametrize("local", ["2026-03-29 02:30", "2026-10-25 02:30", "2026-10-25 12:00"])
def test_a_repeat_in_a_daylight_saving_change_is_unchanged(world: World, local: str) -> None:
    # The API makes a time without an offset aware in Europe/Amsterdam (zoneinfo); Python never
    # finds such a time inside the change equal to the UTC time the database returns.
    amsterdam = timezone.get_default_timezone()
    observed = dt.datetime.fromisoformat(local).replace(tzinfo=amsterdam)
    viewer = viewer_of(world, "wijkagent")
    first, outcome = signal_upsert(viewer=viewer, intake=intake(world, observed_at=observed))
    assert outcome == CREATED
    again, outcome = signal_upsert(viewer=viewer, intake=intake(world, observed_at=observed))
    assert (again.pk, outcome) == (first.pk, UNCHANGED)
    [(_, batch_outcome)] = signal_upsert_many(
        viewer=viewer, intakes=[intake(world, observed_at=observed)]
    )
    assert batch_outcome == UNCHANGED

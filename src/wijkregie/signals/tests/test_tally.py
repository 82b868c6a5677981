"""The monthly tallies follow every write to the signal table (triggers, ADR 0013)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from wijkregie.signals.models import Signal, SignalTally
from wijkregie.signals.tally import (
    expected_tallies,
    rebuild_tallies,
    stored_tallies,
    tally_drift,
)
from wijkregie.testing.personas import World, make_signal

UTC = dt.UTC


def _month_total(municipality_id: int, month: dt.date) -> int:
    return sum(
        SignalTally.objects.filter(municipality_id=municipality_id, month=month).values_list(
            "n", flat=True
        )
    )


@pytest.mark.django_db
def test_created_signals_are_counted_in_their_local_month(world: World) -> None:
    base = stored_tallies()
    signal = make_signal(world, owner="politie", category="overlast-jeugd", buurt="01")
    # 22:30 UTC on 31 March is 00:30 on 1 April in Amsterdam (summer time): April.
    Signal.objects.filter(pk=signal.pk).update(
        observed_at=dt.datetime(2026, 3, 31, 22, 30, tzinfo=UTC)
    )
    # 22:30 UTC on 31 January is 23:30 the same day in Amsterdam (winter time): January.
    other = make_signal(world, owner="politie", category="overlast-jeugd", buurt="01")
    Signal.objects.filter(pk=other.pk).update(
        observed_at=dt.datetime(2026, 1, 31, 22, 30, tzinfo=UTC)
    )
    assert _month_total(world.gm.pk, dt.date(2026, 4, 1)) == 1
    assert _month_total(world.gm.pk, dt.date(2026, 3, 1)) == 0
    assert _month_total(world.gm.pk, dt.date(2026, 1, 1)) == 1
    assert sum(stored_tallies().values()) == sum(base.values()) + 2
    assert tally_drift() == {}


@pytest.mark.django_db
def test_every_kind_of_write_keeps_the_tallies_exact(world: World) -> None:
    signals = [
        make_signal(world, owner=owner, category=cat, buurt=buurt, days_ago=days)
        for owner, cat, buurt, days in [
            ("politie", "overlast-jeugd", "01", 3),
            ("politie", "overlast-jeugd", "01", 40),
            ("corporatie", "overlast-jeugd", "02", 70),
            ("gemeente", "overlast-jeugd", "03", 400),
        ]
    ]
    assert tally_drift() == {}
    first, second, third, fourth = signals
    # A status change through save(), a move to another buurt, a recategorisation, a
    # bulk update, a signal without buurt, deletes one by one and in bulk.
    first.status = "in_behandeling"
    first.save()
    second.neighbourhood = world.buurten["04"]
    second.save(update_fields=["neighbourhood"])
    Signal.objects.filter(pk=third.pk).update(confidentiality="vertrouwelijk")
    Signal.objects.filter(pk__in=[first.pk, fourth.pk]).update(source_channel="bewoner")
    Signal.objects.filter(pk=fourth.pk).update(neighbourhood=None)
    assert tally_drift() == {}
    assert SignalTally.objects.filter(neighbourhood_id=0).exists()
    Signal.objects.bulk_create(
        [
            Signal(
                **{
                    f.attname: getattr(first, f.attname)
                    for f in Signal._meta.concrete_fields
                    if f.attname not in {"id", "uuid"}
                }
            )
            for _ in range(3)
        ]
    )
    assert tally_drift() == {}
    second.delete()
    Signal.objects.filter(pk__in=[first.pk, third.pk]).delete()
    assert tally_drift() == {}
    Signal.objects.all().delete()
    assert tally_drift() == {}
    assert not SignalTally.objects.exists()  # emptied keys leave no zero rows behind


@pytest.mark.django_db
def test_rebuild_and_check_command_repair_drift(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    make_signal(world, owner="politie", category="overlast-jeugd", buurt="01")
    call_command("check_tallies")
    assert "tellingen kloppen" in capsys.readouterr().out
    tally = SignalTally.objects.first()
    assert tally is not None
    SignalTally.objects.filter(pk=tally.pk).update(n=tally.n + 5)
    assert len(tally_drift()) == 1
    with pytest.raises(CommandError):
        call_command("check_tallies")
    call_command("check_tallies", "--repair")
    assert tally_drift() == {}
    assert rebuild_tallies() == SignalTally.objects.count()
    assert stored_tallies() == expected_tallies()


@pytest.mark.django_db(transaction=True)
def test_raw_sql_writes_are_counted_too(world: World) -> None:
    signal = make_signal(world, owner="politie", category="overlast-jeugd", buurt="01")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE signals_signal SET confidentiality = %s WHERE id = %s",
            ["vertrouwelijk", signal.pk],
        )
    assert SignalTally.objects.filter(confidentiality="vertrouwelijk").exists()
    assert tally_drift() == {}

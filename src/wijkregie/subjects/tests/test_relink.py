"""The full relink: a background task that estimates the link model and proposes, never moves."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from typing import Any

from django.core.management import call_command

from wijkregie.subjects import linking, services
from wijkregie.subjects.linker.api import LinkModel
from wijkregie.subjects.models import LinkRun, PersonRecord, Subject
from wijkregie.subjects.tasks import relink_request
from wijkregie.subjects.tests.helpers import attach_person, viewer
from wijkregie.testing.personas import World

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _record_for(world: World, person: Subject, **values: Any) -> PersonRecord:
    record = PersonRecord.objects.create(
        municipality=world.gm,
        owner_organisation=world.orgs["politie"],
        person=person,
        given_names="Jantje",
        surname="Klaassen",
        birth_date=dt.date(1990, 5, 17),
        **values,
    )
    return record


def test_relink_stores_the_model_and_proposes_without_moving(
    world: World, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.TASKS = IMMEDIATE
    # Two persons whose records the linker would join (as if an earlier decision split them).
    first = services._create_subject(viewer=None, municipality_id=world.gm.pk, kind="person")
    second = services._create_subject(viewer=None, municipality_id=world.gm.pk, kind="person")
    _record_for(world, first)
    _record_for(world, second)
    before = sorted(PersonRecord.objects.values_list("pk", "person_id"))
    with django_capture_on_commit_callbacks(execute=True):
        run = relink_request(viewer=viewer(world, "regisseur"))
    run.refresh_from_db()
    assert run.finished_at is not None and run.error == ""
    assert run.stats["records"] == 2 and run.stats["persons_linker"] == 1
    assert [sorted(group) for group in run.stats["join"]] == [
        sorted([first.pseudonym, second.pseudonym])
    ]
    # Nothing moved: staff decide on the proposals.
    assert sorted(PersonRecord.objects.values_list("pk", "person_id")) == before
    # The stored model is the one incremental linking now uses.
    model = linking.current_model(world.gm.pk)
    assert model.to_json() == LinkModel.from_json(run.model).to_json()
    # The model holds parameters, no names (term frequencies keep only common values).
    assert "Klaassen" not in run.model and "klaassen" not in run.model


def test_incremental_linking_uses_the_indexed_keys(world: World) -> None:
    person, record = attach_person(world, "wijkagent", world.signals["police_shared"])
    keys = linking.blocking_keys_for(record)
    assert keys and set(record.blocking_keys.values_list("key", flat=True)) == set(keys)
    new = PersonRecord(
        municipality=world.gm,
        owner_organisation=world.orgs["corporatie"],
        given_names="Jantje",
        surname="Klaasen",
        birth_date=dt.date(1990, 5, 17),
    )
    assert [c.pk for c in linking.candidate_records(new, linking.blocking_keys_for(new))] == [
        record.pk
    ]
    match = linking.match_record(new)
    assert match.person_id == person.pk and match.record_id == record.pk


def test_command_runs_a_relink(world: World) -> None:
    attach_person(world, "wijkagent", world.signals["police_shared"])
    out = StringIO()
    call_command("relink_persons", "--municipality", "gm9999", stdout=out)
    stats = json.loads(out.getvalue())
    assert stats["records"] == 1 and stats["join"] == 0 and stats["split"] == 0
    assert LinkRun.objects.get().finished_at is not None

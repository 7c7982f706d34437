"""Aggregates load the same through the backbone's repository as through
eventsourcing's own projector, and a save collects what eventsourcing's would."""

from __future__ import annotations

from copy import deepcopy
from dataclasses import replace
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.application import ProcessingEvent, Repository, project_aggregate

from aggregates.common.application import CollectedEvents, ProjectingRepository
from aggregates.common.errors import InvalidTransitionError
from aggregates.common.idempotency import CommandRecord, Outcome
from aggregates.ledger.model import Ledger
from bonded.bootstrap import Applications, build_applications
from tests.builders import (
    a_checklist_line,
    a_ledger,
    an_approved_checklist,
    an_approved_ledger,
    register_test_enterprises,
)
from tests.scenarios import import_and_export


def test_every_aggregate_of_a_scenario_loads_as_eventsourcing_would_load_it() -> None:
    apps = build_applications({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    register_test_enterprises(apps)
    import_and_export(apps)
    loaded = 0

    for app in apps.all():
        assert isinstance(app.repository, ProjectingRepository)
        ids = {n.originator_id for n in app.recorder.select_notifications(1, 100_000)}
        for aggregate_id in ids:
            ours = app.repository.get(aggregate_id)
            theirs = Repository.get(
                app.repository, aggregate_id, projector_func=project_aggregate
            )
            assert type(ours) is type(theirs)
            assert vars(ours) == vars(theirs), type(ours).__name__
            loaded += 1

    assert loaded > 20


def test_a_save_collects_what_eventsourcing_would_collect_in_the_same_order() -> None:
    first = CommandRecord("k1", "fp", Outcome(aggregate_id=uuid4(), version=1), ())
    second = CommandRecord("k2", "fp", Outcome(aggregate_id=uuid4(), version=1), ())
    loose = CommandRecord("k3", "fp", Outcome(aggregate_id=uuid4(), version=1), ())
    [loose_event] = loose.collect_events()
    theirs = ProcessingEvent[UUID]()
    theirs.collect_events(
        deepcopy(first), None, loose_event, deepcopy(second), note="x"
    )

    ours = CollectedEvents()
    ours.collect_events(first, None, loose_event, second, note="x")

    def described(events: list[Any]) -> list[tuple[UUID, int, str]]:
        return [
            (e.originator_id, e.originator_version, type(e).__name__) for e in events
        ]

    assert described(ours.events) == described(theirs.events)
    assert [e.originator_id for e in ours.events] == [first.id, loose.id, second.id]
    assert list(ours.aggregates) == list(theirs.aggregates) == [first.id, second.id]
    assert ours.saved_kwargs == theirs.saved_kwargs == {"note": "x"}
    assert first.pending_events == []


def test_a_load_of_a_class_never_snapshotted_reads_no_snapshot(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    apps = build_applications({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    register_test_enterprises(apps)
    ledger_id = an_approved_ledger(apps)
    checklist_id = an_approved_checklist(
        apps, "TEST-CHK-1", "I", (a_checklist_line(1, "TEST-A", "1"),)
    )
    zone = apps.zone
    assert zone.snapshots is not None
    reads: list[UUID] = []
    read = zone.snapshots.get

    def counted(originator_id: UUID, **options: Any) -> Any:
        reads.append(originator_id)
        return read(originator_id, **options)

    monkeypatch.setattr(zone.snapshots, "get", counted)

    zone.get_checklist(checklist_id)
    zone.get_ledger(ledger_id)

    assert reads == [ledger_id]


def test_an_aggregate_with_a_snapshot_loads_the_same_without_reading_it() -> None:
    apps = build_applications({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    register_test_enterprises(apps)
    ledger_id = an_approved_ledger(apps)
    zone = apps.zone
    zone.take_snapshot(ledger_id)
    repository = zone.repository
    assert isinstance(repository, ProjectingRepository)

    with_snapshot = repository.get(ledger_id)
    without = repository.get(ledger_id, snapshots=False)

    assert vars(without) == vars(with_snapshot)


def test_a_command_decides_first_on_the_document_handed_over_and_again_if_stale(
    apps: Applications, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A caller that loaded a document (to check access) hands it to the
    command: no second read; a copy gone stale loses its race on saving and
    the command decides again on the store's state (R-DOC-3)."""
    zone = apps.zone
    ledger_id = a_ledger(apps, "TEST-L1")
    reads: list[UUID] = []
    read = zone.repository.get

    def counted(aggregate_id: UUID, **options: Any) -> Any:
        reads.append(aggregate_id)
        return read(aggregate_id, **options)

    monkeypatch.setattr(zone.repository, "get", counted)
    copy = zone.get_document(ledger_id)
    assert isinstance(copy, Ledger)
    head = copy.head

    reads.clear()
    with zone.handing_over(copy):
        first = zone.modify_ledger(
            ledger_id, replace(head, house_name="TEST one"), command_id="m1"
        )
    assert ledger_id not in reads
    assert first.version == copy.version  # the copy itself, changed and saved

    stale = zone.get_document(ledger_id)
    loaded_at = stale.version
    zone.modify_ledger(ledger_id, replace(head, house_name="TEST two"), command_id="m2")
    reads.clear()
    with zone.handing_over(stale):
        last = zone.modify_ledger(
            ledger_id, replace(head, house_name="TEST three"), command_id="m3"
        )
    assert reads.count(ledger_id) == 1  # the second decision, on fresh state
    ledger = zone.get_document(ledger_id)
    assert isinstance(ledger, Ledger)
    assert ledger.head.house_name == "TEST three"
    assert last.version == ledger.version == loaded_at + 2

    # A stale copy that would accept is refused on the store's state.
    stale = zone.get_document(ledger_id)
    declared = zone.declare(ledger_id, command_id="d1")
    with zone.handing_over(stale), pytest.raises(InvalidTransitionError):
        zone.modify_ledger(
            ledger_id, replace(head, house_name="TEST four"), command_id="m4"
        )
    assert zone.get_document(ledger_id).version == declared.version
    # A hand-over is taken once, and gone after its block.
    with zone.handing_over(stale):
        assert zone.get_document(ledger_id) is stale
        assert zone.get_document(ledger_id) is not stale
    assert zone.get_document(ledger_id) is not stale

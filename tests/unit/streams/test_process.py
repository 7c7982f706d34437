"""The process manager: an event leads to one command, however often it arrives."""

from __future__ import annotations

from uuid import UUID

from bonded.bootstrap import Applications, build_applications
from schemas.events import EventMessage
from streams.encoding import read_messages
from streams.process import react, triggers
from tests.builders import (
    a_checklist_line,
    an_approved_checklist,
    an_approved_gate_pass,
    an_approved_ledger,
    cross,
    register_test_enterprises,
)


def memory_apps() -> Applications:
    apps = build_applications({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    register_test_enterprises(apps)
    return apps


def events_of(apps: Applications, aggregate_id: UUID, event_type: str) -> EventMessage:
    messages, _ = read_messages(apps.zone, 1, 10_000)
    return next(
        m
        for m in messages
        if m.aggregate_id == aggregate_id and m.event_type == event_type
    )


def test_a_crossing_posts_the_checklist_once_r_chk_7() -> None:
    apps = memory_apps()
    ledger_id = an_approved_ledger(apps)
    checklist = an_approved_checklist(
        apps, "TEST-C1", "I", (a_checklist_line(1, "A", "4"),), declared=False
    )
    cross(apps, an_approved_gate_pass(apps, "TEST-GP1", (checklist,), pass_type="4"))
    crossed = events_of(apps, checklist, "Checklist.CarriageCrossed")

    first = react(apps.zone, crossed)
    again = react(apps.zone, crossed)

    assert first == f"pm/post-checklist/{crossed.event_id}"
    assert again is None
    assert apps.zone.get_ledger(ledger_id).stock_of("A") == 4
    ledger = apps.zone.get_ledger(ledger_id)
    assert list(ledger.postings) == [apps.zone.get_checklist(checklist).document_no]


def test_an_event_before_the_goods_crossed_posts_nothing_r_chk_7() -> None:
    apps = memory_apps()
    ledger_id = an_approved_ledger(apps)
    checklist = an_approved_checklist(
        apps, "TEST-C1", "I", (a_checklist_line(1, "A", "4"),), declared=False
    )
    approved = events_of(apps, checklist, "Checklist.Approved")

    assert react(apps.zone, approved) is None
    assert apps.zone.get_ledger(ledger_id).stock_of("A") == 0


def test_events_of_other_kinds_cause_no_command() -> None:
    apps = memory_apps()
    ledger_id = an_approved_ledger(apps)

    filed = events_of(apps, ledger_id, "Ledger.Filed")

    assert react(apps.zone, filed) is None


def test_a_batch_is_reacted_to_once_per_checklist_at_its_last_trigger_r_chk_7() -> None:
    apps = memory_apps()
    an_approved_ledger(apps)
    first, second = (
        an_approved_checklist(
            apps, f"TEST-C{n}", "I", (a_checklist_line(1, "A", "4"),), declared=False
        )
        for n in (1, 2)
    )
    cross(apps, an_approved_gate_pass(apps, "TEST-GP1", (first,), pass_type="4"))
    batch, _ = read_messages(apps.zone, 1, 10_000)

    chosen = triggers(batch)

    assert [(m.aggregate_id, m.event_type) for m in chosen] == [
        (second, "Checklist.Approved"),
        (first, "Checklist.CarriageCrossed"),
    ]
    assert [react(apps.zone, m) for m in chosen] == [
        None,
        f"pm/post-checklist/{chosen[1].event_id}",
    ]

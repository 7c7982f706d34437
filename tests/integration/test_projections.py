"""Projections from the real event store: rows, redelivery, rebuild (no broker).

The scenario runs on PostgreSQL; its events are replayed into the projection
tables of the same schema, as the workers would apply them from Kafka.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from bonded.bootstrap import Applications, build_applications
from projections.postgres import ProjectionStore
from streams.encoding import read_messages
from streams.process import posted_in_store
from streams.rebuild import rebuild, replay
from tests.builders import (
    a_checklist_line,
    an_approved_checklist,
    register_test_enterprises,
)
from tests.scenarios import ImportExport, import_and_export

pytestmark = pytest.mark.integration


@pytest.fixture
def world(
    pg_env: dict[str, str], database_url: str
) -> Iterator[tuple[Applications, ProjectionStore, ImportExport]]:
    apps = build_applications(pg_env)
    register_test_enterprises(apps)
    store = ProjectionStore(database_url, schema=pg_env["POSTGRES_SCHEMA"])
    store.create_tables()
    try:
        yield apps, store, import_and_export(apps)
    finally:
        store.close()
        apps.close()


def test_documents_follow_the_aggregates_r_doc_10(
    world: tuple[Applications, ProjectionStore, ImportExport],
) -> None:
    apps, store, done = world

    replay(store, apps.all())

    rows = store.query("SELECT document_id, kind, state, document_no FROM documents")
    assert len(rows) == 10  # ledger, form, 2 slips, 2 checklists, 4 gate passes
    for document_id, _kind, state, document_no in rows:
        document = apps.zone.get_document(document_id)
        assert (state, document_no) == (str(document.state), document.document_no)
    [(result, at)] = store.query(
        "SELECT receipt_result, receipt_at FROM documents WHERE document_id = %s",
        (done.exported,),
    )
    assert result == "approved" and at is not None


def test_ledger_stock_deposits_and_movements_r_ledger_5_r_form_10(
    world: tuple[Applications, ProjectionStore, ImportExport],
) -> None:
    apps, store, done = world

    replay(store, apps.all())

    stock = store.query(
        "SELECT part_no, serial, stock, booked_in, booked_out, storage_due "
        "FROM ledger_stock WHERE ledger_id = %s ORDER BY serial",
        (done.ledger_id,),
    )
    ledger = apps.zone.get_ledger(done.ledger_id)
    assert [(r[0], r[1], r[2], r[3], r[4], r[5]) for r in stock] == [
        (
            line.part_no,
            line.serial,
            line.stock,
            Decimal(0),
            Decimal(0),
            line.storage_due,
        )
        for line in sorted(ledger.lines.values(), key=lambda x: x.serial)
    ]
    [(paid, drawn, remaining)] = store.query(
        "SELECT paid, drawn, remaining FROM deposit_balances WHERE form_id = %s",
        (done.form_id,),
    )
    form = apps.zone.get_business_form(done.form_id)
    assert (paid, drawn, remaining) == (
        form.deposit,
        form.deposit_drawn,
        form.deposit_remaining,
    )
    movements = store.query(
        "SELECT form_line_no, quantity FROM form_line_movements WHERE form_id = %s "
        "ORDER BY form_line_no, quantity",
        (done.form_id,),
    )
    assert movements == [(1, Decimal(20)), (1, Decimal(30)), (2, Decimal(10))]


def test_gate_passes_per_line_progress_and_history_r_gate_12_r_chk_7(
    world: tuple[Applications, ProjectionStore, ImportExport],
) -> None:
    apps, store, done = world

    replay(store, apps.all())

    carriage = store.query(
        "SELECT line_no, gate_pass_ref, quantity, crossed FROM carriage "
        "WHERE document_id = %s ORDER BY gate_pass_ref",
        (done.exported,),
    )
    assert carriage == [
        (1, "TEST-GPE1", Decimal(10), True),
        (1, "TEST-GPE2", Decimal(5), True),
    ]
    progress = store.query(
        "SELECT declaration_no, declaration_released, posted_on FROM "
        "checklist_progress WHERE checklist_id = %s",
        (done.exported,),
    )
    checklist = apps.zone.get_checklist(done.exported)
    assert progress == [("E2026000001", True, checklist.posted_on)]
    history = store.query(
        "SELECT version, event_type, cause FROM document_history "
        "WHERE aggregate_id = %s ORDER BY version",
        (done.exported,),
    )
    assert [v for v, _, _ in history] == list(range(1, checklist.version + 1))
    assert all(cause for _, _, cause in history)
    assert history[-1][1:] == ("Checklist.Posted", "ce/p")


def test_posted_checklists_are_those_whose_posting_is_projected_r_chk_7(
    world: tuple[Applications, ProjectionStore, ImportExport],
) -> None:
    apps, store, done = world
    messages, _ = read_messages(apps.zone, 1, 100_000)
    posted_at = next(
        n
        for n, m in enumerate(messages)
        if m.aggregate_id == done.exported and m.event_type == "Checklist.Posted"
    )

    store.apply_batch(messages[:posted_at])
    before = store.posted_checklists([done.exported, done.imported, done.ledger_id])
    store.apply_batch(messages[posted_at:])
    after = store.posted_checklists([done.exported, done.imported, done.ledger_id])

    assert done.exported not in before
    assert after == {done.exported, done.imported}
    assert store.posted_checklists([]) == set()


def test_the_store_tells_posted_checklists_in_one_query_r_chk_7(
    world: tuple[Applications, ProjectionStore, ImportExport],
) -> None:
    apps, _, done = world
    unposted = an_approved_checklist(
        apps, "TEST-CX", "I", (a_checklist_line(1, "A", "1"),), declared=False
    )
    memory = build_applications({"PERSISTENCE_MODULE": "eventsourcing.popo"})

    asked = [done.imported, done.exported, unposted, done.ledger_id]
    posted = posted_in_store(apps.zone, asked)

    assert posted == {done.imported, done.exported}
    assert posted_in_store(apps.zone, []) == set()
    assert posted_in_store(memory.zone, asked) == set()


def test_the_same_message_twice_changes_nothing(
    world: tuple[Applications, ProjectionStore, ImportExport],
) -> None:
    apps, store, _ = world
    first = replay(store, apps.all())
    before = {table: store.rows(table) for p in store.projectors for table in p.tables}
    messages, _ = read_messages(apps.zone, 1, 50)

    again = replay(store, apps.all())
    one_by_one = sum(store.apply(message) for message in messages)

    assert first > 0 and again == 0 and one_by_one == 0
    after = {table: store.rows(table) for p in store.projectors for table in p.tables}
    assert after == before


def test_rebuild_gives_the_same_rows_as_the_live_tables(
    world: tuple[Applications, ProjectionStore, ImportExport],
) -> None:
    apps, store, _ = world
    replay(store, apps.all())
    live = {table: store.rows(table) for p in store.projectors for table in p.tables}

    rebuild(store, apps.all(), [p.name for p in store.projectors])

    rebuilt = {table: store.rows(table) for p in store.projectors for table in p.tables}
    assert rebuilt == live
    assert all(live[table] for table in ("documents", "ledger_lines", "carriage"))


def test_unknown_projection_names_the_known_ones(
    world: tuple[Applications, ProjectionStore, ImportExport],
) -> None:
    _, store, _ = world

    with pytest.raises(KeyError) as refused:
        store.projector("stocks")

    assert "ledger_lines" in str(refused.value)

"""Every projection writes only its own tables (a batch is written per projection)."""

from __future__ import annotations

import re

import pytest

from bonded.bootstrap import build_applications
from projections.base import Statement
from projections.postgres import all_projectors, grouped, runs
from streams.encoding import read_messages
from tests.builders import register_test_enterprises
from tests.scenarios import import_and_export


def test_each_projector_s_statements_name_only_its_own_tables() -> None:
    apps = build_applications({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    register_test_enterprises(apps)
    import_and_export(apps)
    messages = [m for app in apps.all() for m in read_messages(app, 1, 100_000)[0]]
    projectors = all_projectors()
    every_table = {t for p in projectors for t in p.tables}
    seen = 0

    for projector in projectors:
        for message in messages:
            for statement in projector.project(message):
                named = {
                    t for t in every_table if re.search(rf"\b{t}\b", statement.sql)
                }
                assert named <= set(projector.tables), (projector.name, statement)
                seen += 1

    assert seen > len(messages)


def test_append_only_projectors_only_insert_ignoring_conflicts() -> None:
    apps = build_applications({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    register_test_enterprises(apps)
    import_and_export(apps)
    messages = [m for app in apps.all() for m in read_messages(app, 1, 100_000)[0]]
    append_only = [p for p in all_projectors() if p.append_only]
    texts = {s.sql for p in append_only for m in messages for s in p.project(m)}

    tables = {t.split()[2] for t in texts}  # INSERT INTO <table> (...

    assert {p.name for p in append_only} == {"history", "subcentre_outbox"}
    # Three texts: events, command effects, deliveries, each into its own
    # table (reordering them cannot change what another reads); grouping
    # accepts each.
    assert len(texts) == 3
    assert tables == {"document_events", "command_effects", "subcentre_deliveries"}
    assert [t for t, _ in grouped([Statement(t) for t in sorted(texts)])] == sorted(
        texts
    )


def test_runs_group_consecutive_statements_of_the_same_text_in_order() -> None:
    a, b = "INSERT a", "UPDATE b"
    statements = [
        Statement(a, (1,)),
        Statement(a, (2,)),
        Statement(b, (3,)),
        Statement(a, (4,)),
    ]

    assert list(runs(statements)) == [(a, [(1,), (2,)]), (b, [(3,)]), (a, [(4,)])]
    assert list(runs([])) == []


def test_grouped_gathers_each_text_s_rows_in_order_of_first_appearance() -> None:
    a = "INSERT INTO a (x) VALUES (%s) ON CONFLICT DO NOTHING"
    b = "INSERT INTO b (y) VALUES (%s) ON CONFLICT DO NOTHING"
    statements = [
        Statement(a, (1,)),
        Statement(b, (2,)),
        Statement(a, (3,)),
        Statement(b, (4,)),
    ]

    assert list(grouped(statements)) == [(a, [(1,), (3,)]), (b, [(2,), (4,)])]
    assert list(grouped([])) == []


@pytest.mark.parametrize(
    "text",
    [
        "UPDATE a SET x = %s",
        "INSERT INTO a (x) VALUES (%s)",
        "INSERT INTO a (x) VALUES (%s) ON CONFLICT (x) DO UPDATE SET x = 1",
        "INSERT INTO a (x) SELECT x FROM b ON CONFLICT DO NOTHING",
    ],
)
def test_grouped_refuses_what_reordering_could_change(text: str) -> None:
    with pytest.raises(ValueError, match="only inserts a row of values"):
        list(grouped([Statement(text, (1,))]))

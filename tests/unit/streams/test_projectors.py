"""Every projection writes only its own tables (a batch is written per projection)."""

from __future__ import annotations

import re

from bonded.bootstrap import build_applications
from projections.base import Statement
from projections.postgres import all_projectors, runs
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

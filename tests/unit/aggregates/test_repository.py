"""Aggregates load the same through the backbone's repository as through
eventsourcing's own projector."""

from __future__ import annotations

from eventsourcing.application import Repository, project_aggregate

from aggregates.common.application import ProjectingRepository
from bonded.bootstrap import build_applications
from tests.builders import register_test_enterprises
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

"""``bonded rebuild`` and ``bonded status`` against the real database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from bonded.bootstrap import Applications, build_applications
from bonded.cli import main
from projections.postgres import ProjectionStore
from streams.rebuild import replay
from tests.builders import register_test_enterprises
from tests.scenarios import import_and_export

pytestmark = pytest.mark.integration


@pytest.fixture
def projected(
    pg_env: dict[str, str], database_url: str
) -> Iterator[tuple[Applications, ProjectionStore, dict[str, str]]]:
    apps = build_applications(pg_env)
    register_test_enterprises(apps)
    import_and_export(apps)
    store = ProjectionStore(database_url, schema=pg_env["POSTGRES_SCHEMA"])
    store.create_tables()
    replay(store, apps.all())
    env = {
        "BONDED_DATABASE_URL": database_url,
        "BONDED_DATABASE_SCHEMA": pg_env["POSTGRES_SCHEMA"],
        "BONDED_KAFKA_BOOTSTRAP": "127.0.0.1:1",
    }
    try:
        yield apps, store, env
    finally:
        store.close()
        apps.close()


def test_rebuild_replays_a_projection_to_the_same_rows(
    projected: tuple[Applications, ProjectionStore, dict[str, str]],
) -> None:
    _, store, env = projected
    before = store.rows("ledger_lines")

    result = CliRunner().invoke(main, ["rebuild", "ledger_lines"], env=env)

    assert result.exit_code == 0, result.output
    assert "rebuilt ledger_lines" in result.output
    assert store.rows("ledger_lines") == before != []


def test_rebuild_of_an_unknown_projection_names_the_known_ones(
    projected: tuple[Applications, ProjectionStore, dict[str, str]],
) -> None:
    _, _, env = projected

    result = CliRunner().invoke(main, ["rebuild", "stocks"], env=env)

    assert result.exit_code == 2
    assert "no projection 'stocks'" in result.output
    assert "ledger_lines" in result.output


def test_status_prints_relay_and_projection_lags(
    projected: tuple[Applications, ProjectionStore, dict[str, str]],
) -> None:
    apps, _, env = projected
    head = apps.zone.recorder.max_notification_id()

    result = CliRunner().invoke(main, ["status"], env=env)

    assert result.exit_code == 0, result.output
    lines = {line.split(" at ")[0].strip(): line for line in result.output.splitlines()}
    assert f"of {head:>9}  behind {head}" in lines["relay Zone"]
    assert lines["projection history"].endswith("behind 0")
    assert "aggregates not yet projected: 0" in result.output
    assert "broker unreachable" in result.output

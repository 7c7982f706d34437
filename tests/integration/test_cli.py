"""`bonded up` plays the scenario on the session's PostgreSQL and broker."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from bonded.bootstrap import build_applications
from bonded.cli import main
from bonded.demo import play

pytestmark = pytest.mark.integration


def test_demo_scenario_reconciles(pg_env: dict[str, str]) -> None:
    apps = build_applications(pg_env)
    lines: list[str] = []

    totals = play(apps, lines.append, run="T1")

    assert totals == {
        "ledger stock": "380",
        "form line 1 drawn": "70",
        "deposit drawn": "3500",
        "deposit remaining": "500",
    }
    assert any("R-SLIP-2" in line for line in lines)
    assert any("R-LEDGER-4" in line for line in lines)
    apps.close()


def test_bonded_up_runs_against_given_services(
    database_url: str, kafka_bootstrap: str
) -> None:
    result = CliRunner().invoke(
        main,
        ["up", "--once"],
        env={
            "BONDED_DATABASE_URL": database_url,
            "BONDED_KAFKA_BOOTSTRAP": kafka_bootstrap,
        },
    )

    assert result.exit_code == 0, result.output
    assert "deposit remaining: 500" in result.output
    assert kafka_bootstrap in result.output

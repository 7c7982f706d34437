"""`make run ONCE=1` plays a zone-day on the session's services and reconciles."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from bonded.embedded import free_port
from projections.postgres import ProjectionStore

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def test_make_run_once_plays_a_zone_day_that_reconciles(
    pg_env: dict[str, str], database_url: str, kafka_bootstrap: str, tmp_path: Path
) -> None:
    schema = pg_env["POSTGRES_SCHEMA"]
    env = {
        **os.environ,
        "BONDED_DATABASE_URL": database_url,
        "BONDED_KAFKA_BOOTSTRAP": kafka_bootstrap,
        "BONDED_DATABASE_SCHEMA": schema,
        "BONDED_TOPIC_PREFIX": f"{schema}.",
        "BONDED_CONSUMER_GROUP": f"run-{schema}",
        "BONDED_DATA_DIR": str(tmp_path),
    }

    run = subprocess.run(
        [
            "make",
            "--no-print-directory",
            "run",
            "ONCE=1",
            f"ARGS=--enterprises 2 --seed 5 --port {free_port()}",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )

    assert run.returncode == 0, run.stdout + run.stderr[-3000:]
    out = run.stdout
    assert "everything reconciles" in out
    store = ProjectionStore(database_url, schema=schema)
    try:
        # The stock the summary printed is the stock analysts find.
        for code, total in store.query(
            "SELECT d.customs_code, sum(l.stock) FROM ledger_lines l "
            "JOIN documents d ON d.document_id = l.ledger_id GROUP BY 1"
        ):
            assert re.search(rf"{code}\s+{total}\s+{total}\s+{total}\b", out), out
        # Three checklists per enterprise and round, each posted exactly once.
        [(posted, checklists)] = store.query(
            "SELECT count(*) FILTER (WHERE event_type = 'Checklist.Posted'), "
            "count(DISTINCT aggregate_id) FILTER (WHERE event_type LIKE 'Checklist.%%') "
            "FROM document_history"
        )
        kinds = dict(
            store.query(
                "SELECT kind, count(*) FROM documents WHERE kind IN "
                "('stock_slip', 'business_form', 'gate_pass') GROUP BY kind"
            )
        )
        [(deposit_drawn,)] = store.query("SELECT sum(drawn) FROM deposit_balances")
        types = {
            pass_type
            for (pass_type,) in store.query(
                "SELECT DISTINCT payload->'head'->>'pass_type' FROM document_history "
                "WHERE event_type = 'GatePass.Created'"
            )
        }
    finally:
        store.close()
    assert posted == checklists == 6
    assert kinds == {"stock_slip": 4, "business_form": 2, "gate_pass": 12}
    assert deposit_drawn > 0
    assert types >= {"2", "3", "5", "6"}
    forwarded = {
        p.name.split("_")[0] for p in (tmp_path / "single-window" / "OutBox").iterdir()
    }
    assert forwarded >= {"INV101", "SAS121", "SAS101", "SAS111", "BWS101", "SAS131"}

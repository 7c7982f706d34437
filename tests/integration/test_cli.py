"""The CLI on the session's services: `make run ONCE=1`, import, status, relay."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import psycopg
import pytest
from click.testing import CliRunner
from psycopg import sql

from bonded.bootstrap import build_applications
from bonded.cli import main
from bonded.embedded import free_port
from gateway.forwarder import PostgresForwardedLog
from gateway.keys import PostgresKeyStore, authenticate
from projections.postgres import ProjectionStore
from tests.builders import (
    OTHER_CODE,
    ZONE_CODE,
    an_approved_ledger,
    register_test_enterprises,
)
from tests.unit.gateway.test_api import an_erp_checklist

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
            "count(DISTINCT aggregate_id) FILTER "
            "(WHERE event_type LIKE 'Checklist.%%') FROM document_history"
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


@pytest.fixture
def cli_env(
    pg_env: dict[str, str], database_url: str, kafka_bootstrap: str
) -> dict[str, str]:
    schema = pg_env["POSTGRES_SCHEMA"]
    return {
        "BONDED_DATABASE_URL": database_url,
        "BONDED_KAFKA_BOOTSTRAP": kafka_bootstrap,
        "BONDED_DATABASE_SCHEMA": schema,
        "BONDED_TOPIC_PREFIX": f"{schema}.",
        "BONDED_CONSUMER_GROUP": f"cli-{schema}",
        "BONDED_LOG_FORMAT": "text",
    }


def test_bonded_import_creates_each_document_or_says_why_not_r_flow_4(
    pg_env: dict[str, str], cli_env: dict[str, str], tmp_path: Path
) -> None:
    apps = build_applications(pg_env)
    register_test_enterprises(apps)
    an_approved_ledger(apps)
    good = tmp_path / "inv101.xml"
    good.write_bytes(an_erp_checklist())
    bad = tmp_path / "broken.xml"
    bad.write_bytes(
        an_erp_checklist()
        .replace(b"<SupvModecd>5034", b"<SupvModecd>50")
        .replace(b"I202503100001<", b"I202503100002<")
    )
    hostile = tmp_path / "hostile.xml"
    hostile.write_bytes(b'<!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>')

    created = CliRunner().invoke(
        main, ["import", str(good), "--customs-code", ZONE_CODE], env=cli_env
    )
    refused = CliRunner().invoke(
        main, ["import", str(bad), "--customs-code", ZONE_CODE], env=cli_env
    )
    not_ours = CliRunner().invoke(
        main, ["import", str(good), "--customs-code", OTHER_CODE], env=cli_env
    )
    unreadable = CliRunner().invoke(
        main, ["import", str(hostile), "--customs-code", ZONE_CODE], env=cli_env
    )

    assert created.exit_code == 0, created.output
    assert "declared" in created.output
    assert refused.exit_code == 1
    assert "refused" in refused.output and "supervision_mode" in refused.output
    assert not_ours.exit_code == 1
    assert unreadable.exit_code == 2 and "FILE" in unreadable.output
    found = apps.zone.find_by_number("checklist/pre-entry", "I202503100002")
    apps.close()
    assert found is None


def test_bonded_status_tells_lags_backlog_and_dead_letters(
    pg_env: dict[str, str], cli_env: dict[str, str]
) -> None:
    apps = build_applications(pg_env)
    register_test_enterprises(apps)
    an_approved_ledger(apps)
    apps.close()

    result = CliRunner().invoke(main, ["status"], env=cli_env)

    assert result.exit_code == 0, result.output
    # No worker runs: nothing is published or projected yet.
    relay = re.search(r"relay Zone\s+at\s+0 of\s+(\d+)\s+behind (\d+)", result.output)
    assert relay and relay.group(1) == relay.group(2) != "0", result.output
    backlog = re.search(r"aggregates not yet projected: (\d+)", result.output)
    assert backlog and int(backlog.group(1)) >= 3
    assert "sub-centre deliveries dead: 0" in result.output
    assert f"consumer group cli-{pg_env['POSTGRES_SCHEMA']}:" in result.output


def test_bonded_relay_alone_publishes_the_log_and_stops_on_sigterm(
    pg_env: dict[str, str], cli_env: dict[str, str], tmp_path: Path
) -> None:
    apps = build_applications(pg_env)
    register_test_enterprises(apps)
    an_approved_ledger(apps)
    head = apps.zone.recorder.max_notification_id()
    apps.close()
    port = free_port()
    log = (tmp_path / "relay.log").open("wb")
    relay = subprocess.Popen(
        [sys.executable, "-m", "bonded", "relay"],
        env={**os.environ, **cli_env, "BONDED_METRICS_PORT": str(port)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        published = 0.0
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and published < (head or 0):
            time.sleep(0.3)
            with contextlib.suppress(httpx.HTTPError):
                text = httpx.get(f"http://127.0.0.1:{port}/metrics").text
                found = re.search(
                    r'bonded_relay_published_total\{application="Zone"\} (\S+)', text
                )
                published = float(found.group(1)) if found else 0.0
        relay.send_signal(signal.SIGTERM)
        status = relay.wait(20)
    finally:
        if relay.poll() is None:
            relay.kill()
        log.close()

    assert published == head
    assert status == 0
    lines = (tmp_path / "relay.log").read_text().splitlines()
    assert any("relay leading" in line for line in lines)
    assert any("relay stopped" in line for line in lines)


def test_keys_are_created_listed_and_revoked_without_showing_a_secret(
    cli_env: dict[str, str],
) -> None:
    runner = CliRunner()

    created = runner.invoke(
        main,
        ["keys", "create", "--role", "enterprise", "--customs-code", ZONE_CODE],
        env=cli_env,
    )
    key = created.output.strip()
    key_id = key.split("_")[1]
    listed = runner.invoke(main, ["keys", "list"], env=cli_env)
    revoked = runner.invoke(main, ["keys", "revoke", key_id], env=cli_env)
    unknown = runner.invoke(main, ["keys", "revoke", "nosuchkey"], env=cli_env)
    after = runner.invoke(main, ["keys", "list"], env=cli_env)

    assert created.exit_code == 0 and key.startswith("bk_")
    assert f"{key_id}  enterprise active" in listed.output
    assert key.split("_", 2)[2] not in listed.output
    assert revoked.exit_code == 0
    assert unknown.exit_code == 2 and "nosuchkey" in unknown.output
    assert f"{key_id}  enterprise revoked" in after.output
    store = PostgresKeyStore(
        cli_env["BONDED_DATABASE_URL"], schema=cli_env["BONDED_DATABASE_SCHEMA"]
    )
    try:
        assert authenticate(store, key) is None
    finally:
        store.close()


def test_bonded_status_names_declarations_never_marked_written_r_flow_1(
    pg_env: dict[str, str], database_url: str, cli_env: dict[str, str]
) -> None:
    schema = pg_env["POSTGRES_SCHEMA"]
    log = PostgresForwardedLog(database_url, schema=schema)
    try:
        log.claim(uuid.uuid4(), 5, "SAS101_LOST_5.xml")
        log.claim(uuid.uuid4(), 6, "SAS101_SENT_6.xml")
    finally:
        log.close()
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL(
                "UPDATE {}.customs_forwarded SET forwarded_at = now() - "
                "interval '5 minutes'"
            ).format(sql.Identifier(schema))
        )
        conn.execute(
            sql.SQL(
                "UPDATE {}.customs_forwarded SET dropped_at = now() "
                "WHERE file_name = 'SAS101_SENT_6.xml'"
            ).format(sql.Identifier(schema))
        )

    result = CliRunner().invoke(main, ["status"], env=cli_env)

    assert result.exit_code == 0, result.output
    assert "declarations claimed, not marked dropped: 1" in result.output
    assert "not marked dropped: SAS101_LOST_5.xml" in result.output
    assert "SAS101_SENT_6.xml" not in result.output

"""The gateway as a real process over real HTTP, with a key made by the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from bonded.bootstrap import build_applications
from bonded.cli import main
from bonded.embedded import free_port
from bonded.zoneday import ledger_body
from gateway.keys import PostgresKeyStore, Role, authenticate
from tests.builders import ZONE_CODE, register_test_enterprises

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("workers", [1, 2])
def test_a_portal_files_and_declares_a_ledger_over_http(
    workers: int, pg_env: dict[str, str], database_url: str, tmp_path: Path
) -> None:
    schema = pg_env["POSTGRES_SCHEMA"]
    apps = build_applications(pg_env)
    register_test_enterprises(apps)
    apps.close()
    env = {
        "BONDED_DATABASE_URL": database_url,
        "BONDED_DATABASE_SCHEMA": schema,
        "BONDED_KAFKA_BOOTSTRAP": "127.0.0.1:1",
        "BONDED_DATA_DIR": str(tmp_path / "data"),
    }
    made = CliRunner().invoke(
        main,
        ["keys", "create", "--role", "enterprise", "--customs-code", ZONE_CODE],
        env=env,
    )
    refused = CliRunner().invoke(
        main, ["keys", "create", "--role", "enterprise"], env=env
    )
    key = made.output.strip()
    store = PostgresKeyStore(database_url, schema=schema)
    caller = authenticate(store, key)
    store.close()
    port = free_port()
    log = (tmp_path / "gateway.log").open("ab")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bonded",
            "gateway",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {key}"}
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base}/openapi.json", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        created = httpx.post(
            f"{base}/v1/ledgers",
            headers=headers,
            json=ledger_body(ZONE_CODE, "TEST-L1", 1),
        )
        ledger = created.json()["id"]
        declared = httpx.post(
            f"{base}/v1/ledgers/{ledger}/declare",
            headers={**headers, "Idempotency-Key": "TEST-L1/declare"},
        )
        read = httpx.get(f"{base}/v1/ledgers/{ledger}", headers=headers)
        docs = httpx.get(f"{base}/docs")
        # More commands, each on its own connection, until every process has
        # counted some; then scrapes, each answered by any of them.
        more = []
        while len(more) < 6 or (
            workers > 1
            and len(counting_processes(tmp_path)) < workers
            and len(more) < 60
        ):
            more.append(
                httpx.post(
                    f"{base}/v1/ledgers",
                    headers=headers,
                    json=ledger_body(ZONE_CODE, f"TEST-L{len(more) + 2}", 1),
                ).status_code
            )
        counting = counting_processes(tmp_path)
        scraped = [
            accepted_commands(httpx.get(f"{base}/metrics").text) for _ in "123456"
        ]
    finally:
        server.terminate()
        server.wait(10)
        log.close()

    assert made.exit_code == 0 and key.startswith("bk_")
    assert refused.exit_code == 2
    assert caller is not None and caller.role is Role.ENTERPRISE
    assert created.status_code == 201
    assert declared.status_code == 200
    assert read.json()["state"] == "declared"
    assert docs.status_code == 200
    assert more == [201] * len(more)
    # Every scrape counts the commands of every process: those filed, 1 declared.
    assert scraped == [float(len(more) + 2)] * 6
    if workers > 1:
        assert len(counting) == workers
        # The processes' shared counts went with the gateway.
        assert list((tmp_path / "data" / "gateway-metrics").iterdir()) == []


def counting_processes(tmp_path: Path) -> set[str]:
    """The server processes that wrote counts to a gateway's shared folder."""
    return {
        db.stem.rsplit("_", 1)[-1]
        for db in (tmp_path / "data" / "gateway-metrics").glob("*/*.db")
    }


def accepted_commands(exposition: str) -> float:
    """The accepted commands a scrape of ``/metrics`` counts."""
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in exposition.splitlines()
        if line.startswith("bonded_commands_total{") and 'outcome="accepted"' in line
    )

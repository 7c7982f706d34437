"""End to end: a portal over HTTP, customs simulated, a real worker, the sub-centre.

A portal files and declares a ledger, a checklist and a gate pass through the
API; the customs simulator answers through the receipt inbox; the worker (relay,
Kafka, projections, process manager, sub-centre delivery) posts the checklist once
its goods crossed; the portal reads the stock from the projections, and the
stand-in sub-centre has received every declaration and answer once.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient

from bonded.bootstrap import build_applications
from bonded.embedded import free_port
from gateway.api.app import ApiServices, create_api
from gateway.inbox import ReceiptInbox
from gateway.keys import MemoryKeyStore, Role, create_key
from gateway.receipt_log import PostgresReceiptLog
from gateway.simulator import CustomsSimulator, SimulatorPolicy
from gateway.subcentre_stand_in import SubcentreStandIn
from projections.postgres import ProjectionStore
from tests.builders import ZONE_CODE, register_test_enterprises
from tests.integration.test_streams import Worker

pytestmark = pytest.mark.integration
TIMEOUT = 60.0


@pytest.fixture
def subcentre() -> Iterator[tuple[SubcentreStandIn, str]]:
    received = SubcentreStandIn()
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(received.app(), host="127.0.0.1", port=port, log_level="error")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield received, f"http://127.0.0.1:{port}/messages"
    finally:
        server.should_exit = True
        thread.join(10)


def until(condition: Callable[[], Any], step: Callable[[], Any]) -> Any:
    """Run ``step`` until ``condition`` holds; return the condition's value."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        step()
        time.sleep(0.1)
    raise AssertionError("the system did not get there in time")


def test_a_portal_and_simulated_customs_from_ledger_to_posted_stock(
    pg_env: dict[str, str],
    database_url: str,
    kafka_bootstrap: str,
    tmp_path: Path,
    subcentre: tuple[SubcentreStandIn, str],
) -> None:
    received, subcentre_url = subcentre
    schema = pg_env["POSTGRES_SCHEMA"]
    apps = build_applications(pg_env)
    register_test_enterprises(apps)
    store = ProjectionStore(database_url, schema=schema)
    store.create_tables()
    log = PostgresReceiptLog(database_url, schema=schema)
    inbox = ReceiptInbox(apps.zone, log)
    keys = MemoryKeyStore()
    key = create_key(keys, Role.ENTERPRISE, (ZONE_CODE,))
    customs = CustomsSimulator(
        apps.zone,
        inbox,
        store,
        SimulatorPolicy(
            reject_rate=0, manual_review_rate=0, double_gate_rate=0, inspection_rate=0
        ),
    )
    worker = Worker(
        {
            **os.environ,
            "BONDED_DATABASE_URL": database_url,
            "BONDED_KAFKA_BOOTSTRAP": kafka_bootstrap,
            "BONDED_DATABASE_SCHEMA": schema,
            "BONDED_CONSUMER_GROUP": f"e2e-{schema}",
            "BONDED_TOPIC_PREFIX": f"{schema}.",
            "BONDED_SUBCENTRE_URL": subcentre_url,
            "BONDED_SINGLE_WINDOW_DIR": str(tmp_path / "single-window"),
        },
        tmp_path / "worker.log",
    )
    auth = {"Authorization": f"Bearer {key}"}
    try:
        with TestClient(create_api(ApiServices(apps, keys, inbox, store))) as http:

            def post(url: str, body: Any = None, idem: str = "") -> Any:
                headers = {**auth, **({"Idempotency-Key": idem} if idem else {})}
                answer = http.post(url, json=body, headers=headers)
                assert answer.status_code in (200, 201), answer.text
                return answer.json()

            def state(kind: str, document_id: str) -> str:
                return str(
                    http.get(f"/v1/{kind}/{document_id}", headers=auth).json()["state"]
                )

            ledger = post(
                "/v1/ledgers",
                {
                    "enterprise_doc_no": "E2E-L1",
                    "operating_customs_code": ZONE_CODE,
                    "master_customs_code": "2244",
                    "area_type": "Z",
                    "house_no": "H1",
                    "house_name": "E2E warehouse",
                    "house_address": "E2E road 1",
                    "valid_until": "2030-12-31",
                },
            )["id"]
            post(f"/v1/ledgers/{ledger}/declare", idem="E2E-L1/declare")
            until(lambda: state("ledgers", ledger) == "approved", customs.step)
            ledger_no = http.get(f"/v1/ledgers/{ledger}", headers=auth).json()[
                "document_no"
            ]

            checklist = post(
                "/v1/checklists",
                {
                    "enterprise_doc_no": "E2E-C1",
                    "ledger_no": ledger_no,
                    "direction": "I",
                    "supervision_mode": "5034",
                    "transport_mode": "4",
                    "port_code": "2244",
                    "master_customs_code": "2244",
                    "country_code": "142",
                    "customs_flag": "1",
                    "declaration_kind": "2",
                    "generate_declaration": True,
                    "declaration_type": "1",
                    "lines": [
                        {
                            "line_no": 1,
                            "part_no": "E2E-A",
                            "hs_code": "84713000",
                            "name": "E2E goods",
                            "unit": "007",
                            "quantity": "12",
                            "unit_price": "3",
                        }
                    ],
                },
            )["id"]
            post(f"/v1/checklists/{checklist}/declare", idem="E2E-C1/declare")
            until(lambda: state("checklists", checklist) == "approved", customs.step)

            gate_pass = post(
                "/v1/gate-passes",
                {
                    "enterprise_doc_no": "E2E-G1",
                    "zone_customs_code": ZONE_CODE,
                    "pass_type": "2",
                    "binding": "2",
                    "direction": "I",
                    "vehicle_no": "E2E-TRUCK",
                    "vehicle_weight_kg": "9000",
                    "related_document_ids": [checklist],
                },
            )["id"]
            post(f"/v1/gate-passes/{gate_pass}/declare", idem="E2E-G1/declare")

            def stock() -> Any:
                answer = http.get(f"/v1/ledgers/{ledger}/stock", headers=auth).json()
                # The posting's events (increase, booking settled) are applied one
                # message at a time; wait for the last of them.
                done = answer and answer[0]["stock"] == "12"
                return answer if done and answer[0]["booked_in"] == "0" else None

            [line] = until(stock, customs.step)
            reported = until(
                lambda: store.query(
                    "SELECT status, detail FROM customs_receipts "
                    "WHERE message_type = 'INV211'"
                ),
                customs.step,
            )
            findings = http.get(f"/v1/ledgers/{ledger}/findings", headers=auth).json()
            history = store.query(
                "SELECT cause FROM document_history WHERE aggregate_id = %s "
                "AND event_type = 'Checklist.Posted'",
                (checklist,),
            )
            until(
                lambda: (
                    store.query(
                        "SELECT count(*) FROM subcentre_deliveries "
                        "WHERE status <> 'delivered'"
                    )[0][0]
                    == 0
                ),
                lambda: None,
            )
            [(queued,)] = store.query("SELECT count(*) FROM subcentre_deliveries")
    finally:
        worker.stop()
        log.close()
        store.close()
        apps.close()

    outbox = sorted(p.name for p in (tmp_path / "single-window" / "OutBox").iterdir())
    assert [name.split("_")[:2] for name in outbox] == [
        ["BWS101", "E2E-L1"],
        ["INV101", "E2E-C1"],
        ["SAS121", "E2E-G1"],
    ]
    assert line["part_no"] == "E2E-A" and line["booked_in"] == "0"
    assert reported == [
        ("applied", "customs' figures of 1 ledger lines compared; 0 differ")
    ]
    assert findings == []
    assert history[0][0].startswith("pm/post-checklist/")
    assert len(received.received) == queued and received.repeats == 0
    types = {body["event_type"] for body in received.received.values()}
    assert {"Ledger.Declared", "Checklist.Approved", "GatePass.GateCrossed"} <= types

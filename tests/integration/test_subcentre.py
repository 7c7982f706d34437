"""Delivery to the data sub-centre: once per key, retries, dead letters (R-FLOW-3)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn

from bonded.bootstrap import build_applications
from bonded.embedded import free_port
from gateway.subcentre import SubcentreClient
from gateway.subcentre_stand_in import SubcentreStandIn
from projections.postgres import ProjectionStore
from streams.delivery import DeliveryPolicy, deliver_pending, redeliver
from streams.lag import DEAD_DELIVERIES, dead_deliveries
from streams.rebuild import replay
from tests.builders import register_test_enterprises
from tests.scenarios import import_and_export

pytestmark = pytest.mark.integration
FAST = DeliveryPolicy(max_attempts=3, backoff_seconds=0.01)


@pytest.fixture
def outbox(pg_env: dict[str, str], database_url: str) -> Iterator[ProjectionStore]:
    apps = build_applications(pg_env)
    register_test_enterprises(apps)
    import_and_export(apps)
    store = ProjectionStore(database_url, schema=pg_env["POSTGRES_SCHEMA"])
    store.create_tables()
    replay(store, apps.all())
    apps.close()
    try:
        yield store
    finally:
        store.close()


@pytest.fixture
def stand_in() -> Iterator[tuple[SubcentreStandIn, str]]:
    received = SubcentreStandIn(fail_first=2)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(received.app(), host="127.0.0.1", port=port, log_level="error")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield received, f"{base}/messages"
    finally:
        server.should_exit = True
        thread.join(10)


def counts(store: ProjectionStore) -> dict[str, int]:
    return {
        str(status): int(str(n))
        for status, n in store.query(
            "SELECT status, count(*) FROM subcentre_deliveries GROUP BY status"
        )
    }


def drain(store: ProjectionStore, client: SubcentreClient) -> None:
    deadline = time.monotonic() + 20
    while counts(store).get("pending") and time.monotonic() < deadline:
        deliver_pending(store, client, FAST)
        time.sleep(0.02)


def test_every_declaration_and_answer_reaches_the_subcentre_once_r_flow_3(
    outbox: ProjectionStore, stand_in: tuple[SubcentreStandIn, str]
) -> None:
    received, url = stand_in
    queued = counts(outbox)["pending"]
    client = SubcentreClient(url)

    drain(outbox, client)
    deliver_pending(outbox, client, FAST)
    client.deliver(next(iter(received.received)), "{}")
    client.close()

    assert counts(outbox) == {"delivered": queued}
    assert len(received.received) == queued
    assert received.repeats == 1
    types = {body["event_type"] for body in received.received.values()}
    assert {"Checklist.Declared", "Checklist.Approved", "GatePass.GateCrossed"} <= types
    assert httpx.get(url).json() == {"count": queued, "repeats": 1}


def test_undeliverable_messages_go_dead_and_can_be_sent_again(
    outbox: ProjectionStore,
) -> None:
    queued = counts(outbox)["pending"]
    client = SubcentreClient(f"http://127.0.0.1:{free_port()}/messages", timeout=0.5)

    drain(outbox, client)
    revived = redeliver(outbox)
    client.close()

    [(error,)] = outbox.query(
        "SELECT DISTINCT split_part(last_error, ':', 1) FROM subcentre_deliveries"
    )
    assert revived == queued
    assert counts(outbox) == {"pending": queued}
    assert error == "sub-centre unreachable"


def test_the_dead_are_counted_without_reading_every_delivery_r_flow_3(
    pg_env: dict[str, str], database_url: str
) -> None:
    store = ProjectionStore(database_url, schema=pg_env["POSTGRES_SCHEMA"])
    try:
        store.create_tables()
        with store.pool.connection() as conn:
            # A long history, nearly all delivered; one in 10,000 given up on.
            conn.execute(
                "INSERT INTO subcentre_deliveries (event_id, event_type, "
                "aggregate_id, notification_id, payload, status) SELECT "
                "gen_random_uuid(), 'Checklist.Posted', gen_random_uuid(), g, '{}', "
                "CASE WHEN g % 10000 = 0 THEN 'dead' ELSE 'delivered' END "
                "FROM generate_series(1, 50000) g"
            )
            conn.execute("ANALYZE subcentre_deliveries")
            plan = "\n".join(
                str(row[0]) for row in conn.execute(f"EXPLAIN {DEAD_DELIVERIES}")
            )
        dead = dead_deliveries(store)
    finally:
        store.close()

    assert dead == 5
    assert "subcentre_deliveries_dead" in plan, plan

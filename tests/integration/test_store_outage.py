"""PostgreSQL away under a running gateway: 503 with Retry-After, nothing partial.

The gateway's database stops accepting connections and loses the ones it had,
as in a restart or a failover; the gateway answers 503 with ``Retry-After`` and
stores nothing; once the database is back, the same command (same idempotency
key) is carried out once.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from fastapi.testclient import TestClient
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from bonded.bootstrap import build_applications, postgres_env
from bonded.embedded import ensure_database
from gateway.api.app import ApiServices, create_api
from gateway.inbox import ReceiptInbox
from gateway.keys import PostgresKeyStore, Role, create_key
from gateway.receipt_log import MemoryReceiptLog
from projections.postgres import ProjectionStore
from tests.builders import ZONE_CODE, register_test_enterprises

pytestmark = pytest.mark.integration

LEDGER = {
    "enterprise_doc_no": "TEST-OUT-L1",
    "operating_customs_code": ZONE_CODE,
    "master_customs_code": "2244",
    "area_type": "Z",
    "house_no": "TEST-H1",
    "house_name": "TEST warehouse",
    "house_address": "TEST road 1",
    "valid_until": "2030-12-31",
}


@pytest.fixture
def own_database(database_url: str) -> Iterator[tuple[str, str]]:
    """A database of its own on the session's server, and the admin URL."""
    name = f"outage_{uuid.uuid4().hex[:8]}"
    admin = make_conninfo(**{**conninfo_to_dict(database_url), "dbname": "postgres"})  # type: ignore[arg-type]
    url = ensure_database(admin, name)
    yield url, admin
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS true").format(
                sql.Identifier(name)
            )
        )
        conn.execute(
            sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name))
        )


def take_down(admin: str, name: str, down: bool) -> None:
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS {}").format(
                sql.Identifier(name), sql.SQL("false" if down else "true")
            )
        )
        if down:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )


def test_the_gateway_answers_503_while_the_store_is_away_and_writes_nothing(
    own_database: tuple[str, str],
) -> None:
    url, admin = own_database
    name = str(conninfo_to_dict(url)["dbname"])
    apps = build_applications(postgres_env(url))
    register_test_enterprises(apps)
    store = ProjectionStore(url)
    store.create_tables()
    keys = PostgresKeyStore(url)
    key = create_key(keys, Role.ENTERPRISE, (ZONE_CODE,))
    api = create_api(
        ApiServices(apps, keys, ReceiptInbox(apps.zone, MemoryReceiptLog()), store)
    )
    auth = {"Authorization": f"Bearer {key}"}
    try:
        with TestClient(api, raise_server_exceptions=False) as http:
            before = apps.zone.recorder.max_notification_id()

            take_down(admin, name, down=True)
            started = time.monotonic()
            away = http.post("/v1/ledgers", json=LEDGER, headers=auth)
            waited = time.monotonic() - started
            take_down(admin, name, down=False)
            # Each pooled connection the restart broke fails one request (503)
            # and is dropped; a client retrying as Retry-After says gets through.
            for _ in range(20):
                back = http.post("/v1/ledgers", json=LEDGER, headers=auth)
                if back.status_code != 503:
                    break
            again = http.post("/v1/ledgers", json=LEDGER, headers=auth)

            after = apps.zone.recorder.max_notification_id()
    finally:
        keys.close()
        store.close()
        apps.close()

    assert away.status_code == 503, away.text
    assert away.headers["Retry-After"] == "2"
    assert away.json()["error"]["type"] == "StoreUnavailableError"
    assert waited < 30
    assert back.status_code == 201, back.text
    assert again.status_code == 200 and again.json()["id"] == back.json()["id"]
    # The ledger and its command record, once: nothing from the failed attempt.
    assert after == (before or 0) + 2

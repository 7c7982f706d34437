"""Claims of declarations forwarded to customs, in PostgreSQL, and the list of
those never marked written (R-FLOW-1)."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from psycopg import sql

from gateway.forwarder import PostgresForwardedLog
from projections.postgres import ProjectionStore
from streams.ops import undropped_declarations

pytestmark = pytest.mark.integration


def test_claims_are_released_marked_and_the_unmarked_listed_r_flow_1(
    pg_env: dict[str, str], database_url: str
) -> None:
    schema = pg_env["POSTGRES_SCHEMA"]
    log = PostgresForwardedLog(database_url, schema=schema)
    store = ProjectionStore(database_url, schema=schema)
    written, failed, stopped = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    try:
        claims = [
            log.claim(written, 3, "INV101_W_3.xml"),
            log.claim(failed, 2, "INV101_F_2.xml"),
            log.claim(stopped, 4, "SAS121_S_4.xml"),
        ]
        log.dropped(written, 3)
        log.release(failed, 2)
        log.release(written, 3)  # a written file's claim stays
        again = [
            log.claim(written, 3, "INV101_W_3.xml"),
            log.claim(failed, 2, "INV101_F_2.xml"),
            log.claim(stopped, 4, "SAS121_S_4.xml"),
        ]
        log.dropped(failed, 2)
        listed = undropped_declarations(store, older_than=0)
        young = undropped_declarations(store)
    finally:
        store.close()
        log.close()

    assert claims == [True, True, True]
    assert again == [False, True, False]
    assert listed == ["SAS121_S_4.xml"]
    assert young == []  # claimed a moment ago: perhaps still being written


def test_claims_made_before_marks_existed_count_as_written_r_flow_1(
    pg_env: dict[str, str], database_url: str
) -> None:
    schema = pg_env["POSTGRES_SCHEMA"]
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))
        conn.execute(
            "CREATE TABLE customs_forwarded (document_id uuid NOT NULL, "
            "version integer NOT NULL, file_name text NOT NULL, "
            "forwarded_at timestamptz NOT NULL DEFAULT now(), "
            "PRIMARY KEY (document_id, version))"
        )
        conn.execute(
            "INSERT INTO customs_forwarded (document_id, version, file_name, "
            "forwarded_at) VALUES "
            "(%s, 1, 'BWS101_OLD_1.xml', now() - interval '1 day')",
            (uuid.uuid4(),),
        )
    store = ProjectionStore(database_url, schema=schema)
    # Status before a forwarding worker migrated the table: nothing to name.
    before = undropped_declarations(store, older_than=0)
    log = PostgresForwardedLog(database_url, schema=schema)
    try:
        log.claim(uuid.uuid4(), 2, "BWS101_NEW_2.xml")
        listed = undropped_declarations(store, older_than=0)
    finally:
        store.close()
        log.close()

    assert before == []
    assert listed == ["BWS101_NEW_2.xml"]

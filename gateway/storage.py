"""Connection pools of the gateway's own tables, in the event store's schema."""

from __future__ import annotations

import psycopg
from psycopg import sql
from psycopg_pool import ConnectionPool


def schema_pool(database_url: str, schema: str, ddl: str, lock: str) -> ConnectionPool:
    """A small pool whose connections use ``schema``; its tables created once.

    ``lock`` names the advisory lock that serialises the creation, so that two
    processes starting together do not race on ``CREATE TABLE IF NOT EXISTS``.
    """

    def configure(conn: psycopg.Connection) -> None:
        if schema:
            conn.execute(
                sql.SQL("SET search_path TO {}").format(sql.Identifier(schema))
            )
            conn.commit()

    pool = ConnectionPool(
        database_url, min_size=1, max_size=2, open=True, configure=configure
    )
    with pool.connection() as conn:
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (lock,))
        conn.execute(ddl)
    return pool

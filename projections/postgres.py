"""The storage of every projection in PostgreSQL, with its exactly-once guard.

``ProjectionStore.apply`` runs, for one message, the statements of every projector
that has not yet seen the message's aggregate version, and records the version, in
one transaction: a redelivered message changes nothing. ``rebuild`` empties a
projection's tables and guard so that a replay fills them again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import psycopg
from psycopg import sql
from psycopg_pool import ConnectionPool

from projections.base import Projector
from projections.deposits import DepositsProjector
from projections.documents import DocumentsProjector
from projections.gate import GateProjector
from projections.history import HistoryProjector
from projections.ledger import LedgerProjector
from projections.outbox import SubcentreOutboxProjector
from schemas.events import EventMessage

GUARD_DDL = """
CREATE TABLE IF NOT EXISTS projection_versions (
    projection text NOT NULL,
    aggregate_id uuid NOT NULL,
    version integer NOT NULL,
    PRIMARY KEY (projection, aggregate_id)
);
CREATE TABLE IF NOT EXISTS projection_positions (
    projection text PRIMARY KEY,
    applied bigint NOT NULL DEFAULT 0,
    last_notification_id bigint NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now()
);
"""


def all_projectors() -> tuple[Projector, ...]:
    """Every projection of the backbone."""
    return (
        DocumentsProjector(),
        LedgerProjector(),
        DepositsProjector(),
        GateProjector(),
        HistoryProjector(),
        SubcentreOutboxProjector(),
    )


class ProjectionStore:
    """Projection tables in one PostgreSQL schema, applied with their guard."""

    def __init__(
        self,
        database_url: str,
        projectors: Sequence[Projector] | None = None,
        *,
        schema: str = "",
        pool_size: int = 2,
    ) -> None:
        self.projectors = tuple(projectors or all_projectors())
        self.schema = schema
        self.pool = ConnectionPool(
            database_url,
            min_size=1,
            max_size=pool_size,
            open=True,
            configure=self._configure,
        )

    def _configure(self, conn: psycopg.Connection) -> None:
        if self.schema:
            conn.execute(
                sql.SQL("SET search_path TO {}").format(sql.Identifier(self.schema))
            )
            conn.commit()

    def close(self) -> None:
        """Close the connections."""
        self.pool.close()

    def create_tables(self) -> None:
        """Create the tables, views and the guard, if they do not exist."""
        with self.pool.connection() as conn:
            conn.execute(
                "SELECT pg_advisory_xact_lock(hashtext('bonded-projection-ddl'))"
            )
            conn.execute(GUARD_DDL)
            for projector in self.projectors:
                conn.execute(projector.ddl)

    def projector(self, name: str) -> Projector:
        """The projector of this name."""
        for projector in self.projectors:
            if projector.name == name:
                return projector
        names = ", ".join(p.name for p in self.projectors)
        raise KeyError(f"no projection {name!r}; there are: {names}")

    def apply(self, message: EventMessage) -> int:
        """Apply one message to every projection; return how many took it."""
        return self.apply_many([message])

    def apply_many(
        self, messages: Iterable[EventMessage], only: Sequence[str] = ()
    ) -> int:
        """Apply messages in one transaction, each guarded per projection.

        ``only`` limits the work to the named projections (a rebuild).
        """
        projectors = [p for p in self.projectors if not only or p.name in only]
        taken = 0
        with self.pool.connection() as conn, conn.transaction():
            for message in messages:
                for projector in projectors:
                    statements = projector.project(message)
                    if not statements or not self._claim(conn, projector, message):
                        continue
                    for statement in statements:
                        conn.execute(statement.sql, statement.params)
                    taken += 1
        return taken

    @staticmethod
    def _claim(
        conn: psycopg.Connection, projector: Projector, message: EventMessage
    ) -> bool:
        """Advance the guard to the message's version, unless it is not newer."""
        row = conn.execute(
            "INSERT INTO projection_versions (projection, aggregate_id, version) "
            "VALUES (%s, %s, %s) ON CONFLICT (projection, aggregate_id) DO UPDATE "
            "SET version = EXCLUDED.version "
            "WHERE projection_versions.version < EXCLUDED.version RETURNING version",
            (projector.name, message.aggregate_id, message.aggregate_version),
        ).fetchone()
        if row is None:
            return False
        conn.execute(
            "INSERT INTO projection_positions (projection, applied, "
            "last_notification_id) VALUES (%s, 1, %s) ON CONFLICT (projection) DO "
            "UPDATE SET applied = projection_positions.applied + 1, "
            "last_notification_id = GREATEST(projection_positions.last_notification_id,"
            " EXCLUDED.last_notification_id), updated_at = now()",
            (projector.name, message.notification_id),
        )
        return True

    def empty(self, name: str) -> None:
        """Empty a projection's tables and guard, ready for a replay."""
        projector = self.projector(name)
        with self.pool.connection() as conn, conn.transaction():
            conn.execute(
                sql.SQL("TRUNCATE {}").format(
                    sql.SQL(", ").join(sql.Identifier(t) for t in projector.tables)
                )
            )
            conn.execute(
                "DELETE FROM projection_versions WHERE projection = %s", (name,)
            )
            conn.execute(
                "DELETE FROM projection_positions WHERE projection = %s", (name,)
            )

    def rows(self, table: str) -> list[tuple[object, ...]]:
        """Every row of a table, in a stable order (for comparison)."""
        with self.pool.connection() as conn:
            query = sql.SQL("SELECT * FROM {} ORDER BY 1, 2, 3").format(
                sql.Identifier(table)
            )
            return list(conn.execute(query).fetchall())

    def query(
        self, text: str, params: tuple[object, ...] = ()
    ) -> list[tuple[object, ...]]:
        """Run a read-only query (as analysts do) and return its rows."""
        with self.pool.connection() as conn:
            return list(conn.execute(text, params).fetchall())

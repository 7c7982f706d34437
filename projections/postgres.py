"""The storage of every projection in PostgreSQL, with its exactly-once guard.

``ProjectionStore.apply_batch`` runs, for a batch of messages, the statements of
every projector that has not yet seen each message's aggregate version, and
records the versions and one position per projection, in one transaction: a
redelivered message changes nothing. ``rebuild`` empties a
projection's tables and guard so that a replay fills them again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from typing import Any
from uuid import UUID

import psycopg
from psycopg import sql
from psycopg_pool import ConnectionPool

from projections.base import Projector, Statement
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


# Attempts of a batch that lost a deadlock to another worker's batch.
DEADLOCK_RETRIES = 5


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
        """Apply messages in one transaction; return the (message, projection) takes.

        ``only`` limits the work to the named projections (a rebuild).
        """
        return sum(self.apply_batch(list(messages), only).values())

    def apply_batch(
        self, messages: Sequence[EventMessage], only: Sequence[str] = ()
    ) -> dict[UUID, int]:
        """Apply a batch in one transaction, each message guarded per projection.

        Returns, per event id, how many projections took the message for the
        first time (a message no projection took again is absent). The guard rows
        the batch touches are locked first, in a fixed order, so a redelivery
        running in another worker waits and then finds them advanced; the
        statements, the guard versions and one position per projection follow in
        pipeline mode, without waiting for each answer. A deadlock between two
        workers (possible while partitions move) is retried.
        """
        projectors = [p for p in self.projectors if not only or p.name in only]
        plans = [
            (message, projector, statements)
            for message in messages
            for projector in projectors
            if (statements := projector.project(message))
        ]
        if not plans:
            return {}
        for attempt in range(1, DEADLOCK_RETRIES + 1):
            try:
                with self.pool.connection() as conn, conn.transaction():
                    return self._apply_plans(conn, plans)
            except psycopg.errors.DeadlockDetected:
                if attempt == DEADLOCK_RETRIES:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _apply_plans(
        conn: psycopg.Connection,
        plans: list[tuple[EventMessage, Projector, list[Statement]]],
    ) -> dict[UUID, int]:
        # Lock the guard of every (projection, aggregate) the batch touches.
        pairs = sorted({(p.name, str(m.aggregate_id)) for m, p, _ in plans})
        names = [name for name, _ in pairs]
        ids = [aggregate for _, aggregate in pairs]
        conn.execute(
            "INSERT INTO projection_versions (projection, aggregate_id, version) "
            "SELECT n, a, 0 FROM unnest(%s::text[], %s::uuid[]) AS u(n, a) "
            "ORDER BY n, a ON CONFLICT DO NOTHING",
            (names, ids),
        )
        current = {
            (str(name), str(aggregate)): int(str(version))
            for name, aggregate, version in conn.execute(
                "SELECT v.projection, v.aggregate_id, v.version "
                "FROM projection_versions v JOIN unnest(%s::text[], %s::uuid[]) "
                "AS u(n, a) ON v.projection = u.n AND v.aggregate_id = u.a "
                "ORDER BY v.projection, v.aggregate_id FOR UPDATE OF v",
                (names, ids),
            ).fetchall()
        }

        # Decide in order which statements are new; then send them without
        # waiting for answers, projection by projection (each writes only its
        # own tables), in order within each, a run of the same statement as one
        # executemany; an append-only projection's grouped by text.
        append_only = {p.name for _, p, _ in plans if p.append_only}
        taken: dict[UUID, int] = {}
        positions: dict[str, tuple[int, int]] = {}
        due: dict[str, list[Statement]] = {}
        with conn.pipeline(), conn.cursor() as cursor:
            for message, projector, statements in plans:
                key = (projector.name, str(message.aggregate_id))
                if message.aggregate_version <= current[key]:
                    continue
                current[key] = message.aggregate_version
                due.setdefault(projector.name, []).extend(statements)
                taken[message.event_id] = taken.get(message.event_id, 0) + 1
                count, last = positions.get(projector.name, (0, 0))
                positions[projector.name] = (
                    count + 1,
                    max(last, message.notification_id),
                )
            for name in sorted(due):
                sent = grouped if name in append_only else runs
                for text, params in sent(due[name]):
                    cursor.executemany(text, params)
            advanced = [(k, v) for k, v in sorted(current.items()) if v > 0]
            conn.execute(
                "UPDATE projection_versions v SET version = u.version FROM "
                "unnest(%s::text[], %s::uuid[], %s::int[]) AS u(n, a, version) "
                "WHERE v.projection = u.n AND v.aggregate_id = u.a "
                "AND v.version < u.version",
                (
                    [k[0] for k, _ in advanced],
                    [k[1] for k, _ in advanced],
                    [v for _, v in advanced],
                ),
            )
            for name, (count, last) in sorted(positions.items()):
                conn.execute(
                    "INSERT INTO projection_positions (projection, applied, "
                    "last_notification_id) VALUES (%s, %s, %s) ON CONFLICT "
                    "(projection) DO UPDATE SET "
                    "applied = projection_positions.applied + EXCLUDED.applied, "
                    "last_notification_id = GREATEST("
                    "projection_positions.last_notification_id, "
                    "EXCLUDED.last_notification_id), updated_at = now()",
                    (name, count, last),
                )
        return taken

    def posted_checklists(self, checklist_ids: Sequence[UUID]) -> set[UUID]:
        """Those of the checklists whose posting is projected (it happened)."""
        if not checklist_ids:
            return set()
        with self.pool.connection() as conn:
            rows = conn.execute(
                "SELECT checklist_id FROM checklist_progress "
                "WHERE checklist_id = ANY(%s) AND posted_on IS NOT NULL",
                (list(checklist_ids),),
            ).fetchall()
        return {UUID(str(row[0])) for row in rows}

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


def runs(statements: Sequence[Statement]) -> Iterator[tuple[str, list[Any]]]:
    """Consecutive statements of the same text, as one text and its parameters."""
    text: str | None = None
    params: list[Any] = []
    for statement in statements:
        if statement.sql != text:
            if text is not None:
                yield text, params
            text, params = statement.sql, []
        params.append(statement.params)
    if text is not None:
        yield text, params


def grouped(statements: Sequence[Statement]) -> Iterator[tuple[str, list[Any]]]:
    """An append-only projection's statements grouped by text.

    Each group is one text and its parameters, in the order each text first
    appears. Their order changes, which is what ``Projector.append_only`` allows: one
    executemany of a few hundred rows instead of one for each alternation of
    texts (the history projection alternates events and command effects).
    """
    rows: dict[str, list[tuple[Any, ...]]] = {}
    for statement in statements:
        rows.setdefault(statement.sql, []).append(statement.params)
    for text in rows:
        insert_only(text)
    yield from rows.items()


SINGLE_ROW_INSERT = re.compile(
    r"INSERT INTO \w+ \([\w, ]+\) VALUES \((?:%s, )*%s\) ON CONFLICT DO NOTHING"
)


@cache
def insert_only(text: str) -> None:
    """Refuse a statement an append-only projection may not reorder."""
    if SINGLE_ROW_INSERT.fullmatch(text) is None:
        raise ValueError(
            "an append-only projection only inserts a row of values, ON CONFLICT "
            f"DO NOTHING; its statements cannot be reordered otherwise: {text!r}"
        )

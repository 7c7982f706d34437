"""An application recorder that appends a command's events in one round trip.

eventsourcing's PostgreSQL recorder appends in a pipelined transaction: set the
lock timeout, lock the events table, notify, insert, sync, fetch the ids,
commit. Its database-functions option does it in one call but takes no table
lock, so a reader tailing the log can pass over a gap that a slower transaction
fills later, and it names its function after the id type, so every application
in a schema shares one function and the last one created writes into its table
(DESIGN.md, "Known properties of the parts").

This recorder keeps the lock and the single call: a PL/pgSQL function per
events table locks that table in EXCLUSIVE mode, notifies, inserts the events
and returns their notification ids. Called in autocommit, the call is its own
transaction, so the lock is held until the commit and notification ids still
commit in the order they were issued. The saving is the client's: one
statement and one wait instead of six, which is most of what a save costs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.utils import retry
from psycopg.errors import InterfaceError, OperationalError
from psycopg.sql import SQL, Identifier

TOPIC = "bonded.recorder:LockedAppendRecorder"
"""The recorder's topic, for eventsourcing's APPLICATION_RECORDER_TOPIC."""


class LockedAppendRecorder(PostgresApplicationRecorder):
    """Appends with one call to a locking function named after its table."""

    def __init__(
        self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"
    ) -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        schema = Identifier(self.datastore.schema)
        table = Identifier(self.events_table_name)
        function = Identifier(f"{self.events_table_name}_append")
        self.check_identifier_length(f"{self.events_table_name}_append")
        self.sql_create_statements.append(
            SQL(
                "CREATE OR REPLACE FUNCTION {schema}.{function}"
                "(events {schema}.{event}[]) RETURNS SETOF bigint "
                "LANGUAGE plpgsql AS $body$ BEGIN "
                "SET LOCAL lock_timeout = '{lock_timeout}s'; "
                "LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE; "
                "NOTIFY {channel}; "
                "RETURN QUERY INSERT INTO {schema}.{table} "
                "(originator_id, originator_version, topic, state) "
                "SELECT originator_id, originator_version, topic, state "
                "FROM unnest(events) RETURNING notification_id; "
                "END $body$"
            ).format(
                schema=schema,
                function=function,
                event=Identifier(self.stored_event_type_name),
                lock_timeout=self.datastore.lock_timeout,
                table=table,
                channel=Identifier(self.channel_name),
            )
        )
        # The events go in binary: psycopg writes a composite array as text one
        # character at a time in Python, escaping every byte of each state.
        self.append_statement = SQL("SELECT * FROM {schema}.{function}(%b)").format(
            schema=schema, function=function
        )
        self.having_statement = SQL(
            "SELECT DISTINCT originator_id FROM {schema}.{table} "
            "WHERE originator_id = ANY(%s) AND topic = %s"
        ).format(schema=schema, table=table)

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """Append the events in one transaction of one statement; their ids."""
        if kwargs.get("tracking") is not None:
            # A process recorder's tracking row must share the transaction.
            return super().insert_events(stored_events, **kwargs)
        if not stored_events:
            return []
        events = [
            self.construct_pg_stored_event(
                e.originator_id, e.originator_version, e.topic, e.state
            )
            for e in stored_events
        ]
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self.append_statement, (events,), prepare=True)
            return [row[f"{self.events_table_name}_append"] for row in curs.fetchall()]

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def having(self, originator_ids: Sequence[UUID], topic: str) -> set[UUID]:
        """Those of the aggregates with an event of this topic stored: one query
        for many, where loading each aggregate would read all its events."""
        if not originator_ids:
            return set()
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self.having_statement, (list(originator_ids), topic))
            return {UUID(str(row["originator_id"])) for row in curs.fetchall()}

"""Every event of every aggregate, with its time and its cause, for audit.

The cause of an event is the idempotency key of the command that stored it: each
command record lists the versions it caused (``effects``). Events go to
``document_events`` and effects to ``command_effects``, both only ever inserted;
the view ``document_history`` joins them when read. An event and its command
record travel on different topics and may be applied by different workers at the
same moment, so neither side could reliably find the other when written; read
together, they agree whatever the order (and equal a rebuild).
"""

from __future__ import annotations

import json

from projections.base import Statement
from schemas.events import EventMessage

DDL = """
DO $$
BEGIN
    -- Before the view, the history was a table with a cause column filled when
    -- written; keep its rows, the view computes the cause from the effects.
    IF to_regclass('document_history') IS NOT NULL AND EXISTS (
        SELECT 1 FROM pg_class WHERE oid = to_regclass('document_history')
        AND relkind = 'r'
    ) THEN
        ALTER TABLE document_history RENAME TO document_events;
        ALTER TABLE document_events DROP COLUMN cause;
    END IF;
END
$$;
CREATE TABLE IF NOT EXISTS document_events (
    aggregate_id uuid NOT NULL,
    version integer NOT NULL,
    event_type text NOT NULL,
    occurred_at timestamptz NOT NULL,
    notification_id bigint NOT NULL,
    payload jsonb NOT NULL,
    PRIMARY KEY (aggregate_id, version)
);
CREATE TABLE IF NOT EXISTS command_effects (
    command_key text NOT NULL,
    aggregate_id uuid NOT NULL,
    first_version integer NOT NULL,
    last_version integer NOT NULL,
    PRIMARY KEY (aggregate_id, first_version)
);
CREATE OR REPLACE VIEW document_history AS
SELECT e.aggregate_id, e.version, e.event_type, e.occurred_at, e.notification_id,
       e.payload,
       (SELECT c.command_key FROM command_effects c
        WHERE c.aggregate_id = e.aggregate_id
        AND e.version BETWEEN c.first_version AND c.last_version
        LIMIT 1) AS cause
FROM document_events e;
"""


class HistoryProjector:
    """Project every event into ``document_events``, and each command's effects."""

    name = "history"
    append_only = True
    tables = ("document_events", "command_effects")
    ddl = DDL

    def project(self, message: EventMessage) -> list[Statement]:
        """Record the event, or the effects of a command record."""
        if message.event_type == "CommandRecord.Executed":
            return self._effects(message)
        if message.aggregate_type == "CommandRecord":
            return []
        return [
            Statement(
                "INSERT INTO document_events (aggregate_id, version, event_type, "
                "occurred_at, notification_id, payload) VALUES "
                "(%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                (
                    message.aggregate_id,
                    message.aggregate_version,
                    message.event_type,
                    message.occurred_at,
                    message.notification_id,
                    json.dumps(message.payload, sort_keys=True),
                ),
            )
        ]

    @staticmethod
    def _effects(message: EventMessage) -> list[Statement]:
        key = message.payload.get("key", "")
        statements = []
        for effect in message.payload.get("effects") or []:
            aggregate_id, first, last = str(effect).rsplit(":", 2)
            statements.append(
                Statement(
                    "INSERT INTO command_effects (command_key, aggregate_id, "
                    "first_version, last_version) VALUES (%s, %s, %s, %s) "
                    "ON CONFLICT DO NOTHING",
                    (key, aggregate_id, int(first), int(last)),
                )
            )
        return statements

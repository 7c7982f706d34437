"""Every event of every aggregate, with its time and its cause, for audit.

The cause of an event is the idempotency key of the command that stored it: each
command record lists the versions it caused (``effects``), and whichever of the
event and its command record arrives first, the other finds it.
"""

from __future__ import annotations

import json

from projections.base import Statement
from schemas.events import EventMessage

DDL = """
CREATE TABLE IF NOT EXISTS document_history (
    aggregate_id uuid NOT NULL,
    version integer NOT NULL,
    event_type text NOT NULL,
    occurred_at timestamptz NOT NULL,
    notification_id bigint NOT NULL,
    payload jsonb NOT NULL,
    cause text,
    PRIMARY KEY (aggregate_id, version)
);
CREATE TABLE IF NOT EXISTS command_effects (
    command_key text NOT NULL,
    aggregate_id uuid NOT NULL,
    first_version integer NOT NULL,
    last_version integer NOT NULL,
    PRIMARY KEY (aggregate_id, first_version)
);
"""


class HistoryProjector:
    """Project every event into ``document_history``, naming its cause."""

    name = "history"
    tables = ("document_history", "command_effects")
    ddl = DDL

    def project(self, message: EventMessage) -> list[Statement]:
        """Record the event, or the effects of a command record."""
        if message.event_type == "CommandRecord.Executed":
            return self._effects(message)
        if message.aggregate_type == "CommandRecord":
            return []
        return [
            Statement(
                "INSERT INTO document_history (aggregate_id, version, event_type, "
                "occurred_at, notification_id, payload, cause) VALUES "
                "(%s, %s, %s, %s, %s, %s, (SELECT command_key FROM command_effects "
                "WHERE aggregate_id = %s AND %s BETWEEN first_version AND "
                "last_version LIMIT 1)) ON CONFLICT DO NOTHING",
                (
                    message.aggregate_id,
                    message.aggregate_version,
                    message.event_type,
                    message.occurred_at,
                    message.notification_id,
                    json.dumps(message.payload, sort_keys=True),
                    message.aggregate_id,
                    message.aggregate_version,
                ),
            )
        ]

    @staticmethod
    def _effects(message: EventMessage) -> list[Statement]:
        key = message.payload.get("key", "")
        statements = []
        for effect in message.payload.get("effects") or []:
            aggregate_id, first, last = str(effect).rsplit(":", 2)
            statements += [
                Statement(
                    "INSERT INTO command_effects (command_key, aggregate_id, "
                    "first_version, last_version) VALUES (%s, %s, %s, %s) "
                    "ON CONFLICT DO NOTHING",
                    (key, aggregate_id, int(first), int(last)),
                ),
                Statement(
                    "UPDATE document_history SET cause = %s WHERE aggregate_id = %s "
                    "AND version BETWEEN %s AND %s",
                    (key, aggregate_id, int(first), int(last)),
                ),
            ]
        return statements

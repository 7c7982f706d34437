"""The outbox of the data sub-centre: what must reach it, once per event (R-FLOW-3).

Every declaration an enterprise makes and every customs decision, number and gate
event recorded on a document becomes one row, keyed by the event id; the
projection's guard writes it exactly once. A delivery loop (``streams.delivery``)
sends pending rows with the event id as idempotency key, retries with backoff and
marks a row dead after its last attempt; ``bonded redeliver`` sends dead rows
again.
"""

from __future__ import annotations

from projections.base import Statement
from schemas.events import EventMessage

DDL = """
CREATE TABLE IF NOT EXISTS subcentre_deliveries (
    event_id uuid PRIMARY KEY,
    event_type text NOT NULL,
    aggregate_id uuid NOT NULL,
    notification_id bigint NOT NULL,
    payload jsonb NOT NULL,
    status text NOT NULL DEFAULT 'pending',
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    last_error text,
    delivered_at timestamptz
);
CREATE INDEX IF NOT EXISTS subcentre_deliveries_pending
    ON subcentre_deliveries (next_attempt_at) WHERE status = 'pending';
-- Every worker counts the dead every few seconds (a gauge), ``bonded redeliver``
-- takes them; the delivered rows, nearly all of a year's, are never read again.
CREATE INDEX IF NOT EXISTS subcentre_deliveries_dead
    ON subcentre_deliveries (notification_id) WHERE status = 'dead';
"""

# Declarations (申报) and what customs answered, for every document kind.
DELIVERED = {
    "Declared",
    "ReceiveFailed",
    "RoutedToManualReview",
    "Rejected",
    "Approved",
    "DeclarationGenerated",
    "DeclarationGenerationFailed",
    "DeclarationReleased",
    "GateCrossed",
    "Inspected",
    "Posted",
}
DOCUMENTS = {
    "Ledger",
    "BusinessForm",
    "StockSlip",
    "Checklist",
    "DeliveryOrder",
    "GatePass",
    "Vehicle",
}


class SubcentreOutboxProjector:
    """Queue the declarations and receipts the data sub-centre receives."""

    name = "subcentre_outbox"
    append_only = True
    tables = ("subcentre_deliveries",)
    ddl = DDL

    def project(self, message: EventMessage) -> list[Statement]:
        """One delivery per declaration or customs answer."""
        if message.aggregate_type not in DOCUMENTS or message.name not in DELIVERED:
            return []
        return [
            Statement(
                "INSERT INTO subcentre_deliveries (event_id, event_type, aggregate_id, "
                "notification_id, payload) VALUES (%s, %s, %s, %s, %s) "
                "ON CONFLICT DO NOTHING",
                (
                    message.event_id,
                    message.event_type,
                    message.aggregate_id,
                    message.notification_id,
                    message.model_dump_json(),
                ),
            )
        ]

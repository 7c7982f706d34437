"""Events as they travel on Kafka topics: one versioned JSON envelope for all.

The relay publishes every stored event in this envelope, keyed by aggregate id,
on the topic of its aggregate's kind. The payload is the event's own fields as
plain JSON (decimals and dates as strings, value objects as objects), so that
consumers in any language read it without the domain's classes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 1

# Topics: <context>.<document>.<kind> (STYLE.md). The zone's documents and the
# register are the two contexts; command records travel so that the audit trail
# can name the cause of every event.
TOPICS: dict[str, str] = {
    "Ledger": "zone.ledger.events",
    "BusinessForm": "zone.business_form.events",
    "StockSlip": "zone.stock_slip.events",
    "Checklist": "zone.checklist.events",
    "CustomsDeclaration": "zone.declaration.events",
    "DeliveryOrder": "zone.delivery_order.events",
    "GatePass": "zone.gate_pass.events",
    "Vehicle": "zone.vehicle.events",
    "VehicleAssignment": "zone.vehicle_assignment.events",
    "DocumentNumber": "zone.document_number.events",
    "CommandRecord": "zone.command.events",
    "RegisteredEnterprise": "register.enterprise.events",
}
DEAD_LETTER_TOPIC = "zone.events.dead-letter"

# Headers every event message carries, beside its envelope.
HEADERS = (
    "event_id",
    "event_type",
    "aggregate_id",
    "aggregate_version",
    "notification_id",
)


def topic_of(aggregate_type: str, prefix: str = "") -> str | None:
    """The topic of an aggregate type's events, or None for one not published.

    ``prefix`` separates deployments (or test runs) that share one broker.
    """
    name = TOPICS.get(aggregate_type)
    return f"{prefix}{name}" if name else None


def topic_names(prefix: str = "") -> list[str]:
    """Every event topic, with the prefix."""
    return sorted({f"{prefix}{name}" for name in TOPICS.values()})


class EventMessage(BaseModel):
    """A stored event on a topic (schema version 1).

    ``event_type`` is ``<Aggregate>.<Event>`` (``Checklist.Posted``);
    ``notification_id`` is its position in its application's notification log.
    """

    model_config = ConfigDict(frozen=True)

    schema_version: int = SCHEMA_VERSION
    event_id: UUID
    event_type: str
    application: str
    aggregate_id: UUID
    aggregate_version: int = Field(ge=1)
    notification_id: int = Field(ge=1)
    occurred_at: datetime
    payload: dict[str, Any]

    @property
    def aggregate_type(self) -> str:
        """The aggregate class name, the part of ``event_type`` before the dot."""
        return self.event_type.split(".", 1)[0]

    @property
    def name(self) -> str:
        """The event's own name, the part of ``event_type`` after the dot."""
        return self.event_type.split(".", 1)[1]

    def headers(self) -> list[tuple[str, bytes]]:
        """The Kafka headers of the message."""
        return [
            ("event_id", str(self.event_id).encode()),
            ("event_type", self.event_type.encode()),
            ("aggregate_id", str(self.aggregate_id).encode()),
            ("aggregate_version", str(self.aggregate_version).encode()),
            ("notification_id", str(self.notification_id).encode()),
        ]

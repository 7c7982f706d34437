"""Stored events as messages: from eventsourcing's notifications to the envelope."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.application import Application
from eventsourcing.persistence import Notification

from schemas.events import EventMessage, topic_of

EVENT_NAMESPACE = uuid5(NAMESPACE_URL, "urn:bonded-backbone:event")
# Fields eventsourcing keeps on every event; the envelope carries them itself.
ENVELOPE_FIELDS = {
    "originator_id",
    "originator_version",
    "timestamp",
    "originator_topic",
}


def event_id(aggregate_id: UUID, version: int) -> UUID:
    """A stable id for an event: the same event always gets the same id."""
    return uuid5(EVENT_NAMESPACE, f"{aggregate_id}/{version}")


def event_type_of(notification: Notification) -> str:
    """``Aggregate.Event`` from the notification's topic (``module:Class.Event``)."""
    return notification.topic.rsplit(":", 1)[-1]


def to_plain(value: Any) -> Any:
    """Turn a domain value into JSON: decimals, dates and ids become strings."""
    if is_dataclass(value) and not isinstance(value, type):
        return {key: to_plain(item) for key, item in asdict(value).items()}
    if isinstance(value, dict):
        return {str(key): to_plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(item) for item in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def to_message(
    app: Application[UUID], notification: Notification
) -> EventMessage | None:
    """The message of a stored event, or None when its aggregate is not published."""
    if topic_of(event_type_of(notification).split(".", 1)[0]) is None:
        return None
    event = app.mapper.to_domain_event(notification)
    return message_of(app.name, event, notification.id)


def message_of(application: str, event: Any, notification_id: int) -> EventMessage:
    """The message of a domain event at a position of its application's log."""
    fields = {k: v for k, v in vars(event).items() if k not in ENVELOPE_FIELDS}
    aggregate_id = UUID(str(event.originator_id))
    version = int(event.originator_version)
    return EventMessage(
        event_id=event_id(aggregate_id, version),
        event_type=type(event).__qualname__,
        application=application,
        aggregate_id=aggregate_id,
        aggregate_version=version,
        notification_id=notification_id,
        occurred_at=event.timestamp,
        payload=to_plain(fields),
    )


def read_messages(
    app: Application[UUID], start: int, limit: int
) -> tuple[list[EventMessage], int]:
    """Messages of ``limit`` notifications from ``start``, and the last id read."""
    notifications = app.recorder.select_notifications(start=start, limit=limit)
    messages = []
    last = start - 1
    for notification in notifications:
        last = notification.id
        message = to_message(app, notification)
        if message is not None:
            messages.append(message)
    return messages, last


def message_batches(
    app: Application[UUID], batch: int = 500
) -> Iterator[list[EventMessage]]:
    """Every stored event of an application as messages, in log order, in batches."""
    position = 1
    while True:
        messages, last = read_messages(app, position, batch)
        if last < position:
            return
        yield messages
        position = last + 1

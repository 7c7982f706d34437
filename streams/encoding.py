"""Stored events as messages: from eventsourcing's notifications to the envelope."""

from __future__ import annotations

import json
import weakref
from collections.abc import Callable, Iterator
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.application import Application
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Notification,
    UUIDAsHex,
)
from eventsourcing.utils import resolve_topic

from aggregates.common.transcoding import DataclassTranscoding, DateAsISO
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


def _hex_to_uuid_text(data: str) -> str:
    return str(UUID(data))


def _as_stored(data: Any) -> Any:
    return data


def _fields_as_declared(fields: tuple[str, ...]) -> Callable[[Any], Any]:
    """A stored value object as it is, if it has the fields its class declares.

    Written before a field was added or removed, it would be rebuilt with the
    class's defaults or refused; the reader declines it instead (``KeyError``).
    """

    def plain(data: Any) -> Any:
        if not isinstance(data, dict) or tuple(data) != fields:
            raise KeyError("a value object stored with other fields")
        return data

    return plain


# What each transcoding's stored form becomes in a payload, the same as
# ``to_plain`` makes of the value it decodes to: dates, datetimes and decimals are
# stored as the very strings ``to_plain`` writes (a dataclass, as its fields:
# ``_fields_as_declared``).
_PLAIN_OF_STORED: dict[type[Any], Callable[[Any], Any]] = {
    UUIDAsHex: _hex_to_uuid_text,
    DecimalAsStr: _as_stored,
    DatetimeAsISO: _as_stored,
    DateAsISO: _as_stored,
}


class StoredJSON:
    """Reads a stored event's JSON straight into its message.

    Rebuilding the domain event (value objects, enumerations, tuples) only for
    ``to_plain`` to take it apart again was most of what relaying an event cost.
    This reader turns eventsourcing's ``{"_type_", "_data_"}`` objects into their
    plain form while the JSON is parsed. It declines (``None``) whatever it cannot
    read exactly as the domain event would be: a transcoding it does not know, an
    event class that upcasts, a state that does not parse. The caller then takes
    the domain event's way.
    """

    def __init__(self, app: Application[UUID]) -> None:
        mapper = app.mapper
        transcoder = mapper.transcoder
        self.mapper = mapper
        self.plain: dict[str, Callable[[Any], Any]] = {}
        self.usable = isinstance(transcoder, JSONTranscoder)
        if isinstance(transcoder, JSONTranscoder):
            for name, transcoding in transcoder.names.items():
                plain = _PLAIN_OF_STORED.get(type(transcoding))
                if isinstance(transcoding, DataclassTranscoding):
                    plain = _fields_as_declared(tuple(transcoding.type_fields))
                if plain is None:
                    self.usable = False
                else:
                    self.plain[name] = plain
        self.decoder = json.JSONDecoder(object_hook=self._plain_object)

    def _plain_object(self, obj: dict[str, Any]) -> Any:
        # The transcoder's own rule: an object of exactly these two keys.
        if len(obj) == 2 and "_type_" in obj and "_data_" in obj:
            return self.plain[obj["_type_"]](obj["_data_"])
        return obj

    def message(
        self, application: str, notification: Notification
    ) -> EventMessage | None:
        """The message, or None where only the domain event's way is exact."""
        if not self.usable:
            return None
        cls = resolve_topic(notification.topic)
        if getattr(cls, "class_version", 1) != 1:
            return None
        state = notification.state
        try:
            if self.mapper.cipher:
                state = self.mapper.cipher.decrypt(state)
            if self.mapper.compressor:
                state = self.mapper.compressor.decompress(state)
            fields = self.decoder.decode(state.decode("utf8"))
        except (ValueError, KeyError):
            return None
        if not isinstance(fields, dict) or "class_version" in fields:
            return None
        aggregate_id = UUID(str(notification.originator_id))
        version = int(notification.originator_version)
        occurred_at = fields.get("timestamp")
        if not isinstance(occurred_at, str):
            return None
        for name in ENVELOPE_FIELDS:
            fields.pop(name, None)
        return EventMessage(
            event_id=event_id(aggregate_id, version),
            event_type=cls.__qualname__,
            application=application,
            aggregate_id=aggregate_id,
            aggregate_version=version,
            notification_id=notification.id,
            occurred_at=datetime.fromisoformat(occurred_at),
            payload=fields,
        )


_readers: weakref.WeakKeyDictionary[Application[UUID], StoredJSON] = (
    weakref.WeakKeyDictionary()
)


def to_message(
    app: Application[UUID], notification: Notification
) -> EventMessage | None:
    """The message of a stored event, or None when its aggregate is not published."""
    if topic_of(event_type_of(notification).split(".", 1)[0]) is None:
        return None
    reader = _readers.get(app)
    if reader is None:
        reader = _readers[app] = StoredJSON(app)
    message = reader.message(app.name, notification)
    if message is not None:
        return message
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

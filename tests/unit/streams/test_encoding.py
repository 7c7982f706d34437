"""Messages read straight from stored JSON equal those built from domain events."""

from __future__ import annotations

import json
from typing import Any, ClassVar

import pytest
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import Transcoding

from bonded.bootstrap import build_applications
from schemas.events import EventMessage
from streams.encoding import StoredJSON, message_of, to_message
from tests.builders import register_test_enterprises
from tests.scenarios import import_and_export

POPO = {"PERSISTENCE_MODULE": "eventsourcing.popo"}


def by_domain_event(app: Any, notification: Any) -> EventMessage:
    """The long way: rebuild the domain event, then take it apart."""
    domain_event = app.mapper.to_domain_event(notification)
    return message_of(app.name, domain_event, notification.id)


def test_every_message_of_a_scenario_reads_the_same_from_stored_json() -> None:
    apps = build_applications(POPO)
    register_test_enterprises(apps)
    import_and_export(apps)
    compared = set()

    for app in apps.all():
        reader = StoredJSON(app)
        for notification in app.recorder.select_notifications(1, 100_000):
            message = reader.message(app.name, notification)
            assert message is not None, notification.topic
            assert message == by_domain_event(app, notification)
            assert message.model_dump_json() == (
                by_domain_event(app, notification).model_dump_json()
            )
            compared.add(message.event_type)

    # Value objects, decimals, dates, enumerations and tuples are all among them.
    assert len(compared) >= 25, sorted(compared)


class Odd:
    """A value the backbone's transcoder has no plain form for."""


class OddAsText(Transcoding):
    type = Odd
    name = "odd"

    def encode(self, obj: Odd) -> str:
        return "odd"

    def decode(self, data: str) -> Odd:
        return Odd()


def test_a_transcoding_it_does_not_know_sends_every_event_the_long_way() -> None:
    apps = build_applications(POPO)
    apps.zone.mapper.transcoder.register(OddAsText())  # type: ignore[attr-defined]
    register_test_enterprises(apps)
    import_and_export(apps)
    [first, *_] = apps.zone.recorder.select_notifications(1, 10)

    assert StoredJSON(apps.zone).message(apps.zone.name, first) is None
    assert to_message(apps.zone, first) == by_domain_event(apps.zone, first)


class Counter(Aggregate):
    """An aggregate whose event was upcast from an older version."""

    class Counted(Aggregate.Event):
        class_version: ClassVar[int] = 2
        step: int

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["step"] = 1

    @event(Counted)
    def count(self, step: int) -> None:
        pass


def test_an_event_class_that_upcasts_is_read_the_long_way() -> None:
    apps = build_applications(POPO)
    counter = Counter()
    counter.count(step=3)
    apps.zone.save(counter)
    [_, counted] = apps.zone.recorder.select_notifications(1, 10)

    assert StoredJSON(apps.zone).message(apps.zone.name, counted) is None
    assert by_domain_event(apps.zone, counted).payload == {"step": 3}


@pytest.mark.parametrize("state", [b"\xff not utf-8", b"[1, 2]", b'{"x": 1}'])
def test_a_state_it_cannot_read_exactly_is_declined(state: bytes) -> None:
    apps = build_applications(POPO)
    register_test_enterprises(apps)
    [first, *_] = apps.register.recorder.select_notifications(1, 10)
    odd = type(first)(
        id=first.id,
        originator_id=first.originator_id,
        originator_version=first.originator_version,
        topic=first.topic,
        state=state,
    )

    assert StoredJSON(apps.register).message(apps.register.name, odd) is None


def test_a_value_object_stored_with_other_fields_is_read_the_long_way() -> None:
    apps = build_applications(POPO)
    register_test_enterprises(apps)
    [first, *_] = apps.register.recorder.select_notifications(1, 10)
    # As if the enterprise had been written before a field was added to it.
    state = json.loads(first.state)
    state["enterprise"]["_data_"].pop("name")
    older = type(first)(
        id=first.id,
        originator_id=first.originator_id,
        originator_version=first.originator_version,
        topic=first.topic,
        state=json.dumps(state).encode(),
    )

    assert StoredJSON(apps.register).message(apps.register.name, first) is not None
    assert StoredJSON(apps.register).message(apps.register.name, older) is None

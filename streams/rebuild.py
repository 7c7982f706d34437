"""Rebuild a projection by replaying the event store, without Kafka.

The store is the system of record: a projection emptied and replayed from it gives
the same rows as the live projection fed through the relay and the workers.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from eventsourcing.application import Application

from projections.postgres import ProjectionStore
from streams.encoding import message_batches

BATCH = 500


def replay(
    store: ProjectionStore,
    applications: Sequence[Application[UUID]],
    *,
    only: Sequence[str] = (),
    batch: int = BATCH,
) -> int:
    """Apply every stored event of the applications to the store; return the count.

    Applying is guarded, so replaying into live tables changes nothing already
    there and adds what is missing.
    """
    return sum(
        store.apply_many(messages, only)
        for app in applications
        for messages in message_batches(app, batch)
    )


def rebuild(
    store: ProjectionStore,
    applications: Sequence[Application[UUID]],
    names: Sequence[str],
) -> int:
    """Empty the named projections and replay the store into them."""
    for name in names:
        store.empty(name)
    return replay(store, applications, only=tuple(names))

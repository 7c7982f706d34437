"""The Faust app of the workers: projections, the process manager and the relay.

One agent, ``project_events``, reads every event topic at concurrency 1, so the
events of one aggregate (one partition) are handled in order; it takes them in
batches (``streams.batching``: up to ``projection_batch`` messages, closed early
when none came for ``projection_batch_idle`` or the batch is
``projection_batch_wait`` old), applies each batch to the projections in one
transaction (exactly-once effect through their guard) and offers its triggers
to the process manager, in a thread, off the event loop. A batch is handled before
Faust may acknowledge it: tried again while the store is away, and the worker
stops rather than acknowledge one it could not handle (``handle_until_done``).
A task runs the relays, each active in one worker only. Processing is
``at_least_once``: a message not yet committed when a worker dies is read
again, and the guards make that harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import eventsourcing.persistence as es_persistence
import faust
import psycopg
from psycopg_pool import PoolTimeout
from pydantic import ValidationError

from bonded.bootstrap import Applications
from bonded.errors import ConcurrencyError
from gateway.forwarder import Forwarder
from gateway.subcentre import SubcentreClient
from projections.postgres import ProjectionStore
from schemas.events import DEAD_LETTER_TOPIC, EventMessage, topic_names
from schemas.settings import Settings
from streams import metrics
from streams.delivery import DeliveryPolicy, deliver_pending
from streams.observe import count_facts, sample, sample_consumer
from streams.process import posted_in_store, react, triggers
from streams.relay import PositionStore, Relay

logger = logging.getLogger(__name__)


@dataclass
class WorkerParts:
    """What a worker works with, built once by the bootstrap."""

    settings: Settings
    applications: Applications
    store: ProjectionStore
    positions: PositionStore
    forwarder: Forwarder | None = None


def faust_app(settings: Settings) -> faust.App:
    """A Faust app configured as every worker's: transport, guarantee, timeouts."""
    # Faust makes "<name>-data" for its tables, in the working directory unless
    # told, and only one level deep; ours hold nothing on disk but keep to the
    # data folder.
    tables = settings.data_dir.absolute() / "faust"
    tables.mkdir(parents=True, exist_ok=True)
    return faust.App(
        settings.consumer_group,
        broker=f"bonded://{settings.kafka_bootstrap}",
        processing_guarantee="at_least_once",
        key_serializer="raw",
        value_serializer="raw",
        web_enabled=False,
        store="memory://",
        datadir=str(tables / "{conf.name}-data"),
        topic_partitions=settings.topic_partitions,
        consumer_auto_offset_reset="earliest",
        broker_rebalance_timeout=settings.broker_rebalance_timeout,
        broker_session_timeout=settings.broker_session_timeout,
        broker_heartbeat_interval=settings.broker_heartbeat_interval,
        broker_request_timeout=max(30.0, settings.broker_session_timeout * 2),
        TableManager="streams.transport:TableManager",
        Stream="streams.batching:SettlingStream",
    )


def create_app(parts: WorkerParts) -> faust.App:
    """The Faust app of one worker process."""
    settings = parts.settings
    app = faust_app(settings)
    prefix = settings.topic_prefix
    topics = app.topic(*topic_names(prefix))
    dead_letters = app.topic(f"{prefix}{DEAD_LETTER_TOPIC}")

    # Set after each batch is applied: the sub-centre outbox may have new rows.
    applied = asyncio.Event()

    async def project_events(stream: Any) -> None:
        batches = stream.take_settled(
            settings.projection_batch,
            within=settings.projection_batch_wait,
            idle=settings.projection_batch_idle,
        )
        async for events in batches:
            messages = []
            for event in events:
                try:
                    messages.append(EventMessage.model_validate_json(event.value))
                except ValidationError:
                    logger.exception(
                        "unreadable event message sent to dead letters",
                        extra={
                            "topic": event.message.topic,
                            "offset": event.message.offset,
                        },
                    )
                    await dead_letters.send(key=event.key, value=event.value)
            if messages:
                await handle_until_done(parts, messages)
                applied.set()

    app.agent(topics, name="project_events", concurrency=1)(project_events)

    async def relay_events() -> None:
        stop = asyncio.Event()
        relays = [
            Relay(
                application,
                parts.positions,
                settings.kafka_bootstrap,
                batch=settings.relay_batch,
                poll_interval=settings.relay_poll_interval,
                topic_prefix=prefix,
                on_published=count_published(application.name),
            )
            for application in parts.applications.all()
        ]
        await asyncio.gather(*(relay.run(stop) for relay in relays))

    app.task(relay_events)

    async def report_lags() -> None:
        # Gauges only: a store or broker away must not stop the worker.
        try:
            await asyncio.to_thread(
                sample, parts.applications, parts.store, parts.positions
            )
            await sample_consumer(app.consumer)
        except Exception as error:
            logger.warning("metrics not sampled", extra={"error": repr(error)})

    app.timer(interval=settings.metrics_interval)(report_lags)

    @app.on_rebalance_complete.connect
    async def partitions_assigned(sender: Any, **_: Any) -> None:
        logger.info(
            "partitions assigned",
            extra={"partitions": len(app.consumer.assignment())},
        )

    if settings.subcentre_url:
        client = SubcentreClient(settings.subcentre_url)
        policy = DeliveryPolicy(
            max_attempts=settings.subcentre_max_attempts,
            backoff_seconds=settings.subcentre_backoff_seconds,
        )

        async def deliver_to_subcentre() -> None:
            # Deliver at once when a batch filled the outbox; otherwise look
            # again every 0.2 s (retries fall due with time, not with batches).
            while True:
                applied.clear()
                delivered, _ = await asyncio.to_thread(
                    deliver_pending, parts.store, client, policy
                )
                if not delivered:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(applied.wait(), 0.2)

        app.task(deliver_to_subcentre)
    return app


FORWARDED = {
    f"{kind}.Declared"
    for kind in (
        "Checklist",
        "GatePass",
        "BusinessForm",
        "StockSlip",
        "Ledger",
        "Vehicle",
    )
}


# What a store that is away (restarting, failing over, busy) raises: a batch
# meeting one is tried again in place, until the store is back.
STORE_AWAY: tuple[type[Exception], ...] = (
    es_persistence.OperationalError,
    es_persistence.InterfaceError,
    es_persistence.ConnectionUnavailableError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
    psycopg.errors.DeadlockDetected,
    PoolTimeout,
)
# What a batch meets when it is tried again: the store away, or a command of
# the process manager that lost its race for an aggregate (another worker posting
# to the same ledger) as often as it may; handling is idempotent, so the batch
# is simply handled again a moment later.
TRIED_AGAIN: tuple[type[Exception], ...] = (*STORE_AWAY, ConcurrencyError)
RETRY_LIMIT_SECONDS = 5.0
# The exit status of a worker that stopped rather than lose a batch.
EXIT_UNHANDLED_BATCH = 70


async def handle_until_done(parts: WorkerParts, messages: list[EventMessage]) -> None:
    """Handle a batch before Faust may acknowledge it, whatever it takes.

    A batch is acknowledged when the agent asks for the next one
    (``take_settled``), so a batch is never left behind: while the store is
    away, or a posting lost its races to another worker's, it is tried again
    (the handling is idempotent), and any other failure
    stops the process at once, with the batch unacknowledged, so that it comes
    again to whichever worker takes the partitions.
    """
    wait = 0.2
    while True:
        try:
            await asyncio.to_thread(handle, parts, messages)
            return
        except TRIED_AGAIN as away:
            logger.warning(
                "store away or command contended; batch tried again",
                extra={"error": repr(away), "messages": len(messages)},
            )
            await asyncio.sleep(wait)
            wait = min(wait * 2, RETRY_LIMIT_SECONDS)
        except Exception:
            logger.exception(
                "batch not handled; the worker stops without acknowledging it",
                extra={"messages": len(messages)},
            )
            for handler in logging.getLogger().handlers:
                handler.flush()
            os._exit(EXIT_UNHANDLED_BATCH)


def handle(parts: WorkerParts, messages: list[EventMessage]) -> None:
    """Apply a batch to the projections, then let the process manager react.

    The batch is applied in one transaction; then, in order, each checklist's
    last trigger in the batch is offered to the process manager (unless the
    projection or the store already shows the checklist posted), and a document's
    declaration is forwarded to customs. Both are idempotent, so a
    redelivered batch repeats nothing.
    """
    taken = parts.store.apply_batch(messages)
    # A checklist the projections, just written, or the store show posted needs
    # no load: a posting is a fact that does not go away.
    candidates = triggers(messages)
    zone = parts.applications.zone
    posted = parts.store.posted_checklists([m.aggregate_id for m in candidates])
    posted |= posted_in_store(
        zone, [m.aggregate_id for m in candidates if m.aggregate_id not in posted]
    )
    reacting = {id(m) for m in candidates if m.aggregate_id not in posted}
    for message in messages:
        if message.event_id in taken:
            count_facts(message)
        if id(message) in reacting:
            react(zone, message)
        if parts.forwarder is not None and message.event_type in FORWARDED:
            parts.forwarder.forward(message.aggregate_id, message.aggregate_version)


def count_published(application: str) -> Callable[[int, int], None]:
    """Count what a relay publishes, per application."""
    counter = metrics.RELAY_PUBLISHED.labels(application)
    return lambda published, _last: counter.inc(published)

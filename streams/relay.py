"""The relay: an application's notification log, in commit order, onto Kafka.

Each stored event goes to the topic of its aggregate's kind, keyed by aggregate id,
in the versioned envelope of ``schemas.events`` with its ids in headers. The
relay's position (the last notification published) is written only after the
broker acknowledged everything up to it, so a crash republishes at most one batch:
delivery is at least once, and every consumer's guard makes that harmless.

An idle relay sleeps until its events table is appended to: the store notifies
on every append (``NOTIFY``, delivered at commit) and the relay listens on a
connection of its own, so an event is published within milliseconds of its
commit instead of after the next poll. Without a listening connection (the
store away, or a store that does not notify) it reads every ``poll_interval``;
with one, every ``idle_check`` seconds as well, in case a notification was lost.

One relay is active per application however many workers run: each holds a
PostgreSQL advisory lock on a connection of its own while it relays; the others
wait for it. After the broker lost its data (the embedded broker keeps it in
memory) the relay finds the last message it published missing and republishes the
log from the start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

import psycopg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError
from eventsourcing.application import Application
from psycopg import sql

from schemas.events import EventMessage, topic_names, topic_of
from streams.encoding import read_messages

logger = logging.getLogger(__name__)

# How often a running relay checks that the broker still holds what it published.
BROKER_CHECK_SECONDS = 5.0

POSITIONS_DDL = """
CREATE TABLE IF NOT EXISTS relay_positions (
    application text PRIMARY KEY,
    position bigint NOT NULL,
    last_topic text,
    last_partition integer,
    last_offset bigint,
    updated_at timestamptz NOT NULL DEFAULT now()
);
"""


@dataclass
class Position:
    """How far the relay published, and where the last message landed."""

    notification_id: int = 0
    topic: str | None = None
    partition: int | None = None
    offset: int | None = None


class PositionStore:
    """The relay positions table, in the schema of the event store."""

    def __init__(self, database_url: str, schema: str = "") -> None:
        self.database_url = database_url
        self.schema = schema

    def connect(self) -> psycopg.Connection:
        """A connection with the schema on its search path."""
        conn = psycopg.connect(self.database_url, autocommit=True)
        if self.schema:
            conn.execute(
                sql.SQL("SET search_path TO {}").format(sql.Identifier(self.schema))
            )
        return conn

    def create_table(self) -> None:
        """Create the positions table if it does not exist."""
        with self.connect() as conn:
            conn.execute("SELECT pg_advisory_lock(hashtext('bonded-relay-ddl'))")
            try:
                conn.execute(POSITIONS_DDL)
            finally:
                conn.execute("SELECT pg_advisory_unlock(hashtext('bonded-relay-ddl'))")

    def load(self, application: str) -> Position:
        """The stored position, or the start of the log."""
        with self.connect() as conn:
            row = conn.execute(
                "SELECT position, last_topic, last_partition, last_offset "
                "FROM relay_positions WHERE application = %s",
                (application,),
            ).fetchone()
        return Position(*row) if row else Position()

    def save(
        self,
        application: str,
        position: Position,
        conn: psycopg.Connection | None = None,
    ) -> None:
        """Record a position the broker acknowledged, on ``conn`` if given."""
        with self.connect() if conn is None else contextlib.nullcontext(conn) as on:
            on.execute(
                "INSERT INTO relay_positions (application, position, last_topic, "
                "last_partition, last_offset) VALUES (%s, %s, %s, %s, %s) "
                "ON CONFLICT (application) DO UPDATE SET position = EXCLUDED.position,"
                " last_topic = EXCLUDED.last_topic, "
                "last_partition = EXCLUDED.last_partition, "
                "last_offset = EXCLUDED.last_offset, updated_at = now()",
                (
                    application,
                    position.notification_id,
                    position.topic,
                    position.partition,
                    position.offset,
                ),
            )


async def ensure_topics(bootstrap: str, partitions: int, prefix: str = "") -> None:
    """Create the event topics with their partitions if the broker lacks them."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(name=topic, num_partitions=partitions, replication_factor=1)
            for topic in topic_names(prefix)
            if topic not in existing
        ]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(missing)
    finally:
        await admin.close()


class Relay:
    """Publish one application's events to Kafka, exactly in commit order."""

    def __init__(
        self,
        app: Application[UUID],
        positions: PositionStore,
        bootstrap: str,
        *,
        batch: int = 500,
        poll_interval: float = 0.05,
        topic_prefix: str = "",
        on_published: Callable[[int, int], None] | None = None,
        idle_check: float = 1.0,
    ) -> None:
        self.app = app
        self.positions = positions
        self.bootstrap = bootstrap
        self.batch = batch
        self.poll_interval = poll_interval
        self.topic_prefix = topic_prefix
        self.on_published = on_published
        self.position = Position()
        self.is_leader = False
        self._lock: psycopg.Connection | None = None
        self.idle_check = idle_check
        self.appended = asyncio.Event()
        self.listening = False

    async def run(self, stop: asyncio.Event) -> None:
        """Relay until ``stop`` is set: wait for leadership, then publish.

        Leadership is an advisory lock held on a connection of the relay's own,
        which also records each position: a batch's position is one statement
        on an open connection, not a new connection. Losing that connection
        (the store restarted) loses the lock too, and the relay stops with the
        store's error rather than publish without it.
        """
        lock = await asyncio.to_thread(self.positions.connect)
        self._lock = lock
        try:
            while not stop.is_set():
                if not await asyncio.to_thread(self._try_lock, lock):
                    await _wait(1.0, stop)
                    continue
                self.is_leader = True
                logger.info("relay leading", extra={"application": self.app.name})
                try:
                    while not stop.is_set():
                        try:
                            await self._relay(stop)
                        except (KafkaError, OSError) as error:
                            # The broker is away: keep the position, try again.
                            logger.warning(
                                "relay cannot reach the broker",
                                extra={
                                    "application": self.app.name,
                                    "error": str(error),
                                },
                            )
                            await _wait(1.0, stop)
                finally:
                    self.is_leader = False
                    logger.info(
                        "relay stopped leading", extra={"application": self.app.name}
                    )
        finally:
            self._lock = None
            await asyncio.to_thread(lock.close)

    def _try_lock(self, conn: psycopg.Connection) -> bool:
        row = conn.execute(
            "SELECT pg_try_advisory_lock(hashtext(%s))",
            (f"bonded-relay/{self.app.name}",),
        ).fetchone()
        return bool(row and row[0])

    async def _relay(self, stop: asyncio.Event) -> None:
        producer = AIOKafkaProducer(
            bootstrap_servers=self.bootstrap, acks="all", linger_ms=2
        )
        await producer.start()
        listener = asyncio.create_task(self._listen(stop))
        try:
            self.position = await asyncio.to_thread(self.positions.load, self.app.name)
            await self._check_broker()
            checked = time.monotonic()
            while not stop.is_set():
                # Cleared before reading: an append committed while reading
                # sets it again, and the next wait returns at once.
                self.appended.clear()
                published = await self.publish_once(producer)
                if time.monotonic() - checked > BROKER_CHECK_SECONDS:
                    await self._check_broker()
                    checked = time.monotonic()
                if not published:
                    # Until an append (listening) or the next poll (not).
                    seconds = self.idle_check if self.listening else self.poll_interval
                    await _wait(seconds, stop, self.appended)
        finally:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener
            await producer.stop()

    async def _listen(self, stop: asyncio.Event) -> None:
        """Set ``appended`` on every notification of the application's table;
        while the store is away, leave the relay polling and try again."""
        channel = getattr(self.app.recorder, "channel_name", None)
        if not isinstance(channel, str):
            return
        while not stop.is_set():
            try:
                conn = await psycopg.AsyncConnection.connect(
                    self.positions.database_url, autocommit=True
                )
                async with conn:
                    await conn.execute(
                        sql.SQL("LISTEN {}").format(sql.Identifier(channel))
                    )
                    self.listening = True
                    # Appends committed before LISTEN took effect are read by
                    # the next poll, which this wake-up brings forward.
                    self.appended.set()
                    async for _ in conn.notifies():
                        self.appended.set()
            except psycopg.Error as error:
                logger.warning(
                    "relay not listening for appends; polling",
                    extra={"application": self.app.name, "error": repr(error)},
                )
            finally:
                self.listening = False
            await _wait(1.0, stop)

    async def _check_broker(self) -> None:
        """Start again from the beginning if the broker lost what was published."""
        position = self.position
        if position.topic is None or position.partition is None:
            return
        consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap)
        await consumer.start()
        try:
            partition = TopicPartition(position.topic, position.partition)
            ends = await consumer.end_offsets([partition])
            end = ends.get(partition, 0)
        finally:
            await consumer.stop()
        # An empty partition that once took our message means the broker lost
        # its data. (The offsets themselves are not compared: the embedded broker
        # reports per-record offsets in produce answers but counts end offsets
        # per batch.)
        if end == 0:
            logger.warning(
                "broker lost published events; republishing the log from the start",
                extra={"application": self.app.name, "topic": position.topic},
            )
            self.position = Position()
            await asyncio.to_thread(
                self.positions.save, self.app.name, self.position, self._lock
            )

    async def publish_once(self, producer: AIOKafkaProducer) -> int:
        """Publish one batch after the position; return how many were read."""
        start = self.position.notification_id + 1
        messages, last = await asyncio.to_thread(
            read_messages, self.app, start, self.batch
        )
        if last < start:
            return 0
        sent = [await producer.send(*_record(m, self.topic_prefix)) for m in messages]
        delivered = await asyncio.gather(*sent)
        position = Position(notification_id=last)
        if delivered:
            final = delivered[-1]
            position = Position(last, final.topic, final.partition, final.offset)
        elif self.position.topic is not None:
            position = Position(
                last, self.position.topic, self.position.partition, self.position.offset
            )
        await asyncio.to_thread(
            self.positions.save, self.app.name, position, self._lock
        )
        self.position = position
        if self.on_published:
            self.on_published(len(messages), last)
        return last - start + 1

    def lag(self) -> int:
        """Events stored but not yet published (read from the store)."""
        stored = self.app.recorder.max_notification_id() or 0
        return max(0, stored - self.position.notification_id)


def _record(
    message: EventMessage, prefix: str
) -> tuple[str, bytes, bytes, None, None, list]:
    topic = topic_of(message.aggregate_type, prefix)
    assert topic is not None
    return (
        topic,
        message.model_dump_json().encode(),
        str(message.aggregate_id).encode(),
        None,
        None,
        message.headers(),
    )


async def _wait(seconds: float, *events: asyncio.Event) -> None:
    """Return when one of the events is set, or after ``seconds``."""
    waits = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiting in waits:
            waiting.cancel()

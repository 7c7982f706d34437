"""Faust's aiokafka transport with the consumer's fetch wait made a setting,
and a consumer that reads a partition again whose committed offset lies past
its end (``Consumer.seek_to_committed``).

Faust builds its worker consumer with ``fetch_max_wait_ms=1500``; on the embedded
broker that puts every agent's latency near a second (DESIGN.md). This transport
builds the same consumer and sets the wait from ``Settings``. It is registered as
the ``bonded://`` broker scheme (entry point ``faust.transports``).

``TableManager`` takes out the other fixed delay of a worker's start: Faust's
table manager sleeps a second before it registers the tables.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from faust.tables.manager import TableManager as FaustTableManager
from faust.transport.drivers import aiokafka as faust_aiokafka

from schemas.settings import Settings

logger = logging.getLogger(__name__)


class ConsumerThread(faust_aiokafka.AIOKafkaConsumerThread):
    """The consumer thread whose aiokafka consumer waits as configured."""

    def _create_worker_consumer(self, transport: Any) -> Any:
        consumer = super()._create_worker_consumer(transport)
        # aiokafka reads the attribute when it builds its fetcher, at start.
        consumer._fetch_max_wait_ms = Settings().consumer_fetch_max_wait_ms
        return consumer


class Consumer(faust_aiokafka.Consumer):
    """Faust's consumer on the tuned thread, reading again a partition whose
    committed offset lies past its end."""

    def _new_consumer_thread(self) -> Any:
        return ConsumerThread(self, loop=self.loop, beacon=self.beacon)

    async def seek_to_committed(self) -> Mapping[Any, int | None]:
        """Seek each assigned partition to its committed offset, or to its
        beginning when that offset lies past its end.

        A group's committed offset lies past the end when the broker lost its
        log and the relay filled it again (or a worker committed, late, what it
        had read of the lost log). The embedded broker then answers the fetch
        with nothing, and the worker would wait there until the partition grew
        past it; a Kafka broker answers out of range, aiokafka starts from the
        earliest, and Faust drops every message below the offset it seeked to.
        Either way the worker skipped what the partition holds (the whole
        history, in the test of it). The projections' guards make a message
        read twice harmless, so the partition is read again from its start.
        """
        committed: dict[Any, int | None] = dict(await super().seek_to_committed())
        positive = [tp for tp, offset in committed.items() if offset]
        if not positive:
            return committed
        ends = await self.highwaters(*positive)
        past = [tp for tp in positive if (committed[tp] or 0) > ends.get(tp, 0)]
        if past:
            logger.warning(
                "committed offsets past the end of their partitions; "
                "reading them again from the beginning",
                extra={
                    "partitions": [f"{tp.topic}:{tp.partition}" for tp in past],
                },
            )
            await self.seek_wait(await self.earliest_offsets(*past))
            # Faust then keeps no read or committed offset for them: it would
            # drop every message below the old one.
            committed.update(dict.fromkeys(past))
        return committed


class Transport(faust_aiokafka.Transport):
    """The ``bonded://`` transport: aiokafka with a configurable fetch wait."""

    Consumer = Consumer


class TableManager(FaustTableManager):
    """Faust's table manager without its one-second pause at start.

    Faust waits a second so that tables defined late still make it into the
    subscription. The worker defines no Faust table (its projections are SQL
    tables), so the pause only delayed the consumer group's join: a worker was
    ready 5.2 s after start, 4.1 s without it.
    """

    async def on_start(self) -> None:
        """Register the tables (none) and start recovery, at once."""
        if not self.should_stop:
            await self._update_channels()
            await self.recovery.start()

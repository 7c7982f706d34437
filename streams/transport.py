"""Faust's aiokafka transport with the consumer's fetch wait made a setting.

Faust builds its worker consumer with ``fetch_max_wait_ms=1500``; on the embedded
broker that puts every agent's latency near a second (DESIGN.md). This transport
builds the same consumer and sets the wait from ``Settings``. It is registered as
the ``bonded://`` broker scheme (entry point ``faust.transports``).

``TableManager`` takes out the other fixed delay of a worker's start: Faust's
table manager sleeps a second before it registers the tables.
"""

from __future__ import annotations

from typing import Any

from faust.tables.manager import TableManager as FaustTableManager
from faust.transport.drivers import aiokafka as faust_aiokafka

from schemas.settings import Settings


class ConsumerThread(faust_aiokafka.AIOKafkaConsumerThread):
    """The consumer thread whose aiokafka consumer waits as configured."""

    def _create_worker_consumer(self, transport: Any) -> Any:
        consumer = super()._create_worker_consumer(transport)
        # aiokafka reads the attribute when it builds its fetcher, at start.
        consumer._fetch_max_wait_ms = Settings().consumer_fetch_max_wait_ms
        return consumer


class Consumer(faust_aiokafka.Consumer):
    """Faust's consumer on the tuned thread."""

    def _new_consumer_thread(self) -> Any:
        return ConsumerThread(self, loop=self.loop, beacon=self.beacon)


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

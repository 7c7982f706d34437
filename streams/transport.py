"""Faust's aiokafka transport with the consumer's fetch wait made a setting,
a consumer that reads a partition again whose committed offset lies past its
end (``Consumer.seek_to_committed``), and one that hands a message to the
streams without four tasks a message (``Consumer.wait_first``).

Faust builds its worker consumer with ``fetch_max_wait_ms=1500``; on the embedded
broker that puts every agent's latency near a second (DESIGN.md). This transport
builds the same consumer and sets the wait from ``Settings``. It is registered as
the ``bonded://`` broker scheme (entry point ``faust.transports``).

``TableManager`` takes out the other fixed delay of a worker's start: Faust's
table manager sleeps a second before it registers the tables.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Generator, Mapping
from typing import Any

from faust.tables.manager import TableManager as FaustTableManager
from faust.transport.drivers import aiokafka as faust_aiokafka
from mode.services import WaitResults

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

    async def wait_first(self, *coros: Any, timeout: Any = None) -> WaitResults:
        """Run the first coroutine up to its first wait before racing it.

        Faust's consumer hands every fetched message to the streams through
        ``wait_first(callback(message), suspend_flow.wait())``, so that a
        rebalance can cut short a hand-over blocked on a full buffer. mode's
        ``wait_first`` makes a task of each argument and of the service's stop
        and crash events, four tasks and an ``asyncio.wait`` a message, though
        the hand-over nearly always finishes without waiting (the buffer has
        room). Here the first coroutine runs at once: when it finishes without
        waiting, that is the answer and the others are never started; when it
        waits, it is raced from where it stands, as mode would have raced it.
        """
        if not coros or not asyncio.iscoroutine(coros[0]):
            return await super().wait_first(*coros, timeout=timeout)
        first, *others = coros
        try:
            waiting_on = first.send(None)
        except BaseException as exc:
            for other in others:
                if asyncio.iscoroutine(other):
                    other.close()
            if not isinstance(exc, StopIteration):
                raise
            if self._stopped.is_set() or self._crashed.is_set():
                return WaitResults([], [], True)
            return WaitResults([first], [exc.value], False)
        resumed = _Resumed(first, waiting_on)
        return await super().wait_first(resumed, *others, timeout=timeout)


class _Resumed:
    """A coroutine already run up to its first wait, awaitable from there.

    Awaiting it passes what the coroutine waits on to the event loop and what
    comes back (a value, an exception, a cancellation) to the coroutine, as a
    task that had started it would have.
    """

    __slots__ = ("_coro", "_waiting_on")

    def __init__(self, coro: Coroutine[Any, Any, Any], waiting_on: Any) -> None:
        self._coro = coro
        self._waiting_on = waiting_on

    def __await__(self) -> Generator[Any, Any, Any]:
        coro, waiting_on = self._coro, self._waiting_on
        while True:
            try:
                sent = yield waiting_on
            except GeneratorExit:
                coro.close()
                raise
            except BaseException as exc:  # handed to the coroutine
                try:
                    waiting_on = coro.throw(exc)
                except StopIteration as finished:
                    return finished.value
            else:
                try:
                    waiting_on = coro.send(sent)
                except StopIteration as finished:
                    return finished.value


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

"""Batches that close when the stream goes quiet, not only when a timer runs out.

Faust's ``take_events(max, within)`` collects for ``within`` seconds after each
batch, and stops buffering while the agent handles the batch it yielded. The
projection agent is then a strict cycle of "collect for ``within``, handle": a
short ``within`` keeps one event's latency low but caps catch-up (batches of
about 130 messages, 3,100 events/s here); a long one helps catch-up and delays
every event of a quiet day by up to ``within``.

``take_settled`` closes a batch when it is full, when ``within`` has passed since
its first event, or when no event arrived for ``idle`` seconds. A quiet stream
yields an event after about ``idle``; a backlog keeps arriving faster than that,
so its batches fill. Every event of a batch is acknowledged when the agent asks
for the next batch; unlike ``take_events``, a batch the agent dropped (it
raised, or the worker is stopping) is not, so its events are read again.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import faust
from mode.utils.futures import notify


class SettlingStream(faust.Stream):  # type: ignore[misc]
    """A Faust stream with one more way to take batches of events."""

    async def take_settled(
        self, max_: int, within: float, idle: float
    ) -> AsyncIterator[list[Any]]:
        """Yield lists of events: full, ``within`` old, or ``idle`` quiet."""
        events: list[Any] = []
        arrived = asyncio.Event()
        full = asyncio.Event()
        taken = asyncio.Event()
        consuming: asyncio.Future[None] | None = None
        restore_acks = self.enable_acks

        async def add(value: Any) -> Any:
            # Runs in the stream's drainer for every value: wait while the agent
            # holds a batch, then buffer the event, and stop at a full batch.
            nonlocal consuming
            if consuming is not None:
                try:
                    await consuming
                finally:
                    consuming = None
            event = self.current_event
            if event is None:
                raise RuntimeError("a value arrived without its event")
            events.append(event)
            arrived.set()
            if len(events) >= max_:
                full.set()
                taken.clear()
                await self.wait(taken)
            return value

        self.enable_acks = False
        self.add_processor(add)
        self._enable_passive(aiter(self.channel))
        loop = asyncio.get_running_loop()
        try:
            while not self.should_stop:
                if not events:
                    arrived.clear()
                    await self.wait_for_stopped(arrived, timeout=within)
                    if not events:
                        continue
                began = loop.time()
                while not full.is_set():
                    seen = len(events)
                    left = within - (loop.time() - began)
                    if left <= 0:
                        break
                    await self.wait_for_stopped(full, timeout=min(idle, left))
                    if len(events) == seen:
                        break
                holding = consuming = loop.create_future()
                batch = list(events)
                events.clear()
                try:
                    yield batch
                except BaseException:
                    # The agent dropped the batch (it raised, or is stopping):
                    # leave it unacknowledged, to be read again.
                    notify(holding)
                    raise
                for event in batch:
                    await self.ack(event)
                notify(holding)
                full.clear()
                taken.set()
        finally:
            self.enable_acks = restore_acks
            self._processors.remove(add)

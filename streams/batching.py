"""Batches that close when the stream goes quiet, and fill while one is handled.

Faust's ``take_events(max, within)`` collects for ``within`` seconds after each
batch, and stops buffering while the agent handles the batch it yielded. The
projection agent is then a strict cycle of "collect for ``within``, handle": a
short ``within`` keeps one event's latency low but caps catch-up (batches of
about 130 messages, 3,100 events/s here); a long one helps catch-up and delays
every event of a quiet day by up to ``within``; and reading the next messages
never overlaps writing the last ones.

``take_settled`` closes a batch when it is full, when ``within`` has passed since
its first event, or when no event arrived for ``idle`` seconds. A quiet stream
yields an event after about ``idle``; a backlog keeps arriving faster than that,
so its batches fill. While the agent handles a batch, the next one is buffered
(up to ``max_`` events; then the stream waits), so on a backlog the next batch is
ready when the agent asks. Every event of a batch is acknowledged when the agent
asks for the next batch; a buffered event is not acknowledged before its own
batch was handled, and, unlike ``take_events``, a batch the agent dropped (it
raised, or the worker is stopping) is not, so its events are read again.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import faust


class SettlingStream(faust.Stream):  # type: ignore[misc]
    """A Faust stream with one more way to take batches of events."""

    async def take_settled(
        self, max_: int, within: float, idle: float
    ) -> AsyncIterator[list[Any]]:
        """Yield lists of events: full, ``within`` old, or ``idle`` quiet."""
        events: list[Any] = []
        arrived = asyncio.Event()
        full = asyncio.Event()
        room = asyncio.Event()
        restore_acks = self.enable_acks

        async def add(value: Any) -> Any:
            # Runs in the stream's drainer for every value, also while the
            # agent handles a batch: buffer the event, waiting while the
            # buffer holds a full batch already.
            event = self.current_event
            if event is None:
                raise RuntimeError("a value arrived without its event")
            while len(events) >= max_:
                room.clear()
                if (await self.wait(room)).stopped:
                    # Unbuffered and unacknowledged: read again after a restart.
                    return value
            events.append(event)
            arrived.set()
            if len(events) >= max_:
                full.set()
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
                # ``add`` never buffers more than a batch: take it all.
                batch = list(events)
                events.clear()
                full.clear()
                room.set()
                # The agent dropping the batch (it raised, or is stopping)
                # leaves it unacknowledged, to be read again.
                yield batch
                for event in batch:
                    await self.ack(event)
        finally:
            self.enable_acks = restore_acks
            self._processors.remove(add)

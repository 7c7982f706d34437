"""Batches that close when full, when old enough, or when the stream goes quiet."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import faust

from streams.batching import SettlingStream

T = TypeVar("T")


def on_new_loop(
    scenario: Callable[[asyncio.AbstractEventLoop], Coroutine[Any, Any, T]],
) -> T:
    """Run a scenario on an event loop of its own (the Faust app binds to it)."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(scenario(loop))
    finally:
        loop.close()


def batches_of(
    values: list[int], *, max_: int, within: float, idle: float, gap: float = 0.0
) -> list[list[int]]:
    """Put values to an agent taking settled batches; the batches it got."""
    return on_new_loop(lambda loop: put_and_take(loop, values, max_, within, idle, gap))


async def put_and_take(
    loop: asyncio.AbstractEventLoop,
    values: list[int],
    max_: int,
    within: float,
    idle: float,
    gap: float,
) -> list[list[int]]:
    app = faust.App(
        "settling-test", Stream=SettlingStream, store="memory://", loop=loop
    )
    got: list[list[int]] = []

    async def agent(stream: Any) -> None:
        assert isinstance(stream, SettlingStream)
        async for events in stream.take_settled(max_, within=within, idle=idle):
            got.append([event.value for event in events])

    taking = app.agent(name="taking")(agent)
    async with taking.test_context() as channel:
        for value in values:
            await channel.put(value)
            await asyncio.sleep(gap)
        async with asyncio.timeout(10):
            while sum(map(len, got)) < len(values):
                await asyncio.sleep(0.005)
    # The stream built the app's consumer, whose thread (never started in a
    # test context) made an event loop of its own: close it.
    app.consumer._thread.thread_loop.close()
    return got


def test_a_quiet_stream_yields_after_idle_not_after_within() -> None:
    # Within is a minute: only the idle rule can end this batch in time.
    got = batches_of([1], max_=100, within=60.0, idle=0.01)

    assert got == [[1]]


def test_a_full_batch_is_yielded_at_once_and_the_rest_follows() -> None:
    got = batches_of(list(range(7)), max_=3, within=60.0, idle=0.05)

    assert got == [[0, 1, 2], [3, 4, 5], [6]]


def test_events_that_keep_coming_stay_in_one_batch_until_within() -> None:
    steady = batches_of(list(range(5)), max_=100, within=30.0, idle=0.5, gap=0.01)
    aged = batches_of(list(range(6)), max_=100, within=0.05, idle=0.5, gap=0.03)

    assert steady == [[0, 1, 2, 3, 4]]
    assert len(aged) > 1
    assert [v for batch in aged for v in batch] == list(range(6))


def test_a_batch_is_acknowledged_when_the_next_is_asked_for_never_when_dropped() -> (
    None
):
    acked = on_new_loop(ack_states)

    assert acked == {
        "first, while handled": [False],
        "first, once the second was asked for": [True],
        "second, dropped": [False],
    }


async def ack_states(loop: asyncio.AbstractEventLoop) -> dict[str, list[bool]]:
    app = faust.App(
        "settling-acks", Stream=SettlingStream, store="memory://", loop=loop
    )
    states: dict[str, list[bool]] = {}
    done = asyncio.Event()

    async def agent(stream: Any) -> None:
        batches = stream.take_settled(1, within=60.0, idle=0.01)
        first = await batches.__anext__()
        states["first, while handled"] = [e.message.acked for e in first]
        second = await batches.__anext__()
        states["first, once the second was asked for"] = [
            e.message.acked for e in first
        ]
        await batches.aclose()
        states["second, dropped"] = [e.message.acked for e in second]
        done.set()

    taking = app.agent(name="acks")(agent)
    async with taking.test_context() as channel:
        await channel.put(1)
        await channel.put(2)
        async with asyncio.timeout(10):
            await done.wait()
    app.consumer._thread.thread_loop.close()
    return states


def test_the_next_batch_is_buffered_while_the_agent_handles_one_unacknowledged() -> (
    None
):
    seen = on_new_loop(buffered_while_handled)

    assert seen == {
        "channel drained while the first batch was handled": True,
        "buffered events acknowledged before their batch": [False, False],
        "second batch": [3, 4],
        "second batch acknowledged once the third was asked for": [True, True],
    }


async def buffered_while_handled(
    loop: asyncio.AbstractEventLoop,
) -> dict[str, object]:
    app = faust.App(
        "settling-buffer", Stream=SettlingStream, store="memory://", loop=loop
    )
    seen: dict[str, object] = {}
    done = asyncio.Event()
    channel: Any = None

    async def agent(stream: Any) -> None:
        batches = stream.take_settled(2, within=60.0, idle=0.05)
        await batches.__anext__()
        # While this batch is "handled", two more events arrive; the stream
        # takes them off the channel into the next batch.
        await channel.put(3)
        await channel.put(4)
        drained = False
        async with asyncio.timeout(5):
            while not drained:
                await asyncio.sleep(0.01)
                drained = stream.channel.queue.empty()
        seen["channel drained while the first batch was handled"] = drained
        second = await batches.__anext__()
        seen["buffered events acknowledged before their batch"] = [
            e.message.acked for e in second
        ]
        seen["second batch"] = [e.value for e in second]
        await channel.put(5)
        await batches.__anext__()
        seen["second batch acknowledged once the third was asked for"] = [
            e.message.acked for e in second
        ]
        await batches.aclose()
        done.set()

    taking = app.agent(name="buffer")(agent)
    async with taking.test_context() as context:
        channel = context
        await channel.put(1)
        await channel.put(2)
        async with asyncio.timeout(10):
            await done.wait()
    app.consumer._thread.thread_loop.close()
    return seen

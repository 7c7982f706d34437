"""The worker's Faust app: its tuned parts are the ones in use."""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

import pytest

from schemas.settings import Settings
from streams.app import WorkerParts, create_app, faust_app
from streams.transport import Consumer, TableManager


def test_the_worker_registers_its_tables_without_faust_s_second_of_sleep(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = Settings(kafka_bootstrap="127.0.0.1:9", consumer_group="test")
    parts: Any = WorkerParts(settings, None, None, None, None)  # type: ignore[arg-type]
    manager = create_app(parts).tables
    calls: list[str] = []

    async def update_channels() -> None:
        calls.append("channels")

    async def sleep(seconds: float) -> None:
        calls.append(f"sleep {seconds}")

    class Recovery:
        async def start(self) -> None:
            calls.append("recovery")

    monkeypatch.setattr(manager, "_update_channels", update_channels)
    monkeypatch.setattr(manager, "sleep", sleep)
    monkeypatch.setattr(TableManager, "recovery", Recovery())

    asyncio.run(manager.on_start())

    assert isinstance(manager, TableManager)
    assert calls == ["channels", "recovery"]


def fetch_wait_of_a_worker_consumer() -> int:
    async def build() -> int:
        app = faust_app(Settings(kafka_bootstrap="127.0.0.1:9", consumer_group="t"))
        thread = app.consumer._thread
        consumer = thread._create_worker_consumer(app.transport)
        try:
            return int(consumer._fetch_max_wait_ms)
        finally:
            await consumer.stop()
            # The thread (never started here) made an event loop of its own.
            thread.thread_loop.close()

    return asyncio.run(build())


def test_the_worker_consumer_waits_for_data_as_configured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("BONDED_CONSUMER_FETCH_MAX_WAIT_MS", raising=False)
    default = fetch_wait_of_a_worker_consumer()
    monkeypatch.setenv("BONDED_CONSUMER_FETCH_MAX_WAIT_MS", "120")
    configured = fetch_wait_of_a_worker_consumer()

    # Faust alone builds it with 1,500 ms, answered late by the embedded broker.
    assert default == 50
    assert configured == 120


def test_faust_keeps_its_table_folder_in_the_data_folder(tmp_path: Any) -> None:
    """Faust would make "<name>-data" in the working directory, where the worker
    happens to start; it goes under the configured data folder instead."""
    settings = Settings(
        kafka_bootstrap="127.0.0.1:9",
        consumer_group="tables-here",
        data_dir=tmp_path / "var",
    )
    app = faust_app(settings)
    datadir = app.conf.datadir
    assert datadir == (tmp_path / "var" / "faust" / "tables-here-data")
    assert datadir.parent.is_dir()


def test_a_message_handed_over_without_waiting_makes_no_task() -> None:
    """The consumer's hand-over of a fetched message (``wait_first`` of the
    callback and the flow's suspension) runs the callback at once; only one
    that must wait is raced against the suspension, from where it stands."""

    async def run() -> None:
        app = faust_app(Settings(kafka_bootstrap="127.0.0.1:9", consumer_group="t"))
        consumer = app.consumer
        assert isinstance(consumer, Consumer)
        loop = asyncio.get_running_loop()
        tasks: list[Any] = []

        def counting(loop: Any, coro: Any, **kwargs: Any) -> asyncio.Task[Any]:
            tasks.append(coro)
            return asyncio.Task(coro, loop=loop, **kwargs)

        loop.set_task_factory(counting)
        suspended = asyncio.Event()

        async def handed() -> str:
            return "handed"

        never_started = suspended.wait()
        results = await consumer.wait_first(handed(), never_started)
        assert (results.results, results.stopped) == (["handed"], False)
        assert tasks == []
        assert inspect.getcoroutinestate(never_started) == inspect.CORO_CLOSED

        # A hand-over that waits (a full buffer) finishes when it may.
        gate: asyncio.Future[int] = loop.create_future()

        async def blocked() -> int:
            return 2 * await gate

        loop.call_later(0.01, gate.set_result, 21)
        results = await consumer.wait_first(blocked(), suspended.wait())
        assert (results.results, results.stopped) == ([42], False)
        assert tasks  # raced as mode races it

        # Suspending the flow (a rebalance) cuts a waiting hand-over short.
        seen: list[str] = []

        async def stuck() -> None:
            try:
                await loop.create_future()
            except asyncio.CancelledError:
                seen.append("cancelled")
                raise

        loop.call_later(0.01, suspended.set)
        results = await consumer.wait_first(stuck(), suspended.wait())
        assert results.results == [True]
        await asyncio.sleep(0)
        assert seen == ["cancelled"]

        # Errors come out of both ways.
        async def broken_at_once() -> None:
            raise LookupError("at once")

        with pytest.raises(LookupError, match="at once"):
            await consumer.wait_first(broken_at_once(), asyncio.Event().wait())
        failing: asyncio.Future[int] = loop.create_future()

        async def broken_later() -> int:
            return await failing

        loop.call_later(0.01, failing.set_exception, LookupError("later"))
        with pytest.raises(LookupError, match="later"):
            await consumer.wait_first(broken_later(), asyncio.Event().wait())
        loop.set_task_factory(None)
        # The consumer's thread (never started here) made an event loop of its own.
        consumer._thread.thread_loop.close()

    asyncio.run(run())

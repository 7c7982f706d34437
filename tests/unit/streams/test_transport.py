"""The worker's Faust app: its tuned parts are the ones in use."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from schemas.settings import Settings
from streams.app import WorkerParts, create_app, faust_app
from streams.transport import TableManager


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

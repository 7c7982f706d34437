"""The worker's Faust app: its tuned parts are the ones in use."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from schemas.settings import Settings
from streams.app import WorkerParts, create_app
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

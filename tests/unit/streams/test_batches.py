"""A batch is handled before Faust may acknowledge it, or the worker stops."""

from __future__ import annotations

import asyncio
from typing import Any

import psycopg
import pytest

from bonded.errors import ConcurrencyError
from streams import app as worker_app


def test_a_batch_is_tried_again_while_the_store_is_away(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[int] = []

    def handle(parts: Any, messages: list[Any]) -> None:
        calls.append(len(messages))
        if len(calls) < 3:
            raise psycopg.OperationalError("TEST: the server closed the connection")

    monkeypatch.setattr(worker_app, "handle", handle)
    monkeypatch.setattr(worker_app, "RETRY_LIMIT_SECONDS", 0.01)

    asyncio.run(worker_app.handle_until_done(None, ["m1", "m2"]))  # type: ignore[arg-type,list-item]

    assert calls == [2, 2, 2]


def test_a_batch_whose_command_lost_its_races_is_tried_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[int] = []

    def handle(parts: Any, messages: list[Any]) -> None:
        calls.append(len(messages))
        if len(calls) < 2:
            raise ConcurrencyError("TEST: command 'pm/post-checklist/x' lost 5 races")

    monkeypatch.setattr(worker_app, "handle", handle)
    monkeypatch.setattr(worker_app, "RETRY_LIMIT_SECONDS", 0.01)

    asyncio.run(worker_app.handle_until_done(None, ["m1"]))  # type: ignore[arg-type,list-item]

    assert calls == [1, 1]


def test_a_batch_that_cannot_be_handled_stops_the_worker_unacknowledged(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def handle(parts: Any, messages: list[Any]) -> None:
        raise RuntimeError("TEST: a bug")

    def exit_now(status: int) -> None:
        raise SystemExit(status)

    monkeypatch.setattr(worker_app, "handle", handle)
    monkeypatch.setattr(worker_app.os, "_exit", exit_now)

    with pytest.raises(SystemExit) as stopped:
        asyncio.run(worker_app.handle_until_done(None, ["m1"]))  # type: ignore[arg-type,list-item]

    assert stopped.value.code == worker_app.EXIT_UNHANDLED_BATCH

"""The embedded PostgreSQL and broker start, serve and stop without leftovers."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import psycopg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from bonded.embedded import EmbeddedBroker, EmbeddedPostgres

pytestmark = pytest.mark.integration


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie has exited but is not yet reaped by its parent.
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "State:\tZ" not in status.read_text()


def test_session_postgres_serves_queries(database_url: str) -> None:
    with psycopg.connect(database_url) as conn:
        row = conn.execute("SELECT current_database(), 6 * 7").fetchone()

    assert row is not None
    assert row[1] == 42


def test_embedded_postgres_stops_and_leaves_no_process(tmp_path: Path) -> None:
    server = EmbeddedPostgres(tmp_path)
    url = server.start()
    pid = server.pid
    with psycopg.connect(url) as conn:
        conn.execute("CREATE TABLE probe (x int)")

    server.stop()

    assert pid is not None
    assert not _alive(pid)
    assert not (tmp_path / "pgdata" / "postmaster.pid").exists()


def test_embedded_broker_round_trips_a_message_and_stops(tmp_path: Path) -> None:
    broker = EmbeddedBroker(tmp_path)
    bootstrap = broker.start()
    pid = broker.pid

    async def round_trip() -> bytes:
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
        await producer.start()
        try:
            await producer.send_and_wait("probe.events", b"hello", key=b"k")
        finally:
            await producer.stop()
        consumer = AIOKafkaConsumer(
            "probe.events", bootstrap_servers=bootstrap, auto_offset_reset="earliest"
        )
        await consumer.start()
        try:
            message = await asyncio.wait_for(consumer.getone(), 30)
        finally:
            await consumer.stop()
        return bytes(message.value or b"")

    try:
        value = asyncio.run(round_trip())
    finally:
        broker.stop()

    assert value == b"hello"
    assert pid is not None
    assert not _alive(pid)

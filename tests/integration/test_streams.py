"""The relay, the workers and the process manager on the real broker and database.

Each test has its own schema and consumer group. Workers are real processes
(``bonded worker``); a test waits until the projections hold every published
event, then compares them with a rebuild from the store.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar
from uuid import UUID

import httpx
import psycopg
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from bonded.bootstrap import Applications, build_applications
from bonded.embedded import EmbeddedBroker, free_port
from projections.history import HistoryProjector
from projections.postgres import ProjectionStore
from schemas.events import topic_names
from schemas.settings import Settings
from streams.encoding import message_batches
from streams.rebuild import rebuild
from streams.relay import PositionStore, Relay, ensure_topics
from tests.builders import (
    a_checklist_line,
    an_approved_checklist,
    an_approved_gate_pass,
    an_approved_ledger,
    cross,
    register_test_enterprises,
)

pytestmark = pytest.mark.integration
TIMEOUT = 60.0


class Worker:
    """A ``bonded worker`` process with its log in the test's folder."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bonded", "--log-level", "info", "worker"],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def kill(self) -> None:
        """Kill at once, as a crash would."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)
        self.log.close()

    def stop(self) -> None:
        """Stop cleanly."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.log.close()


@pytest.fixture
def pipeline(
    pg_env: dict[str, str], database_url: str, tmp_path: Path
) -> Iterator[tuple[Applications, ProjectionStore, Callable[..., Worker]]]:
    schema = pg_env["POSTGRES_SCHEMA"]
    apps = build_applications(pg_env)
    register_test_enterprises(apps)
    store = ProjectionStore(database_url, schema=schema)
    store.create_tables()
    workers: list[Worker] = []

    def start_worker(bootstrap: str, **extra: str) -> Worker:
        env = {
            **os.environ,
            **extra,
            "BONDED_DATABASE_URL": database_url,
            "BONDED_KAFKA_BOOTSTRAP": bootstrap,
            "BONDED_DATABASE_SCHEMA": schema,
            "BONDED_CONSUMER_GROUP": f"test-{schema}",
            "BONDED_TOPIC_PREFIX": f"{schema}.",
        }
        worker = Worker(env, tmp_path / f"worker{len(workers)}.log")
        workers.append(worker)
        return worker

    try:
        yield apps, store, start_worker
    finally:
        for worker in workers:
            worker.stop()
        store.close()
        apps.close()


def published_count(apps: Applications) -> int:
    """Published events that the history projection takes (nearly all of them)."""
    history = HistoryProjector()
    return sum(
        1
        for app in apps.all()
        for messages in message_batches(app, 1000)
        for m in messages
        if history.project(m)
    )


def wait_until_projected(apps: Applications, store: ProjectionStore) -> None:
    """Wait until the history holds every published event (and stays so)."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        [(applied,)] = store.query(
            "SELECT COALESCE(SUM(applied), 0) FROM projection_positions "
            "WHERE projection = 'history'"
        )
        if applied == published_count(apps):
            time.sleep(0.5)
            [(again,)] = store.query(
                "SELECT applied FROM projection_positions WHERE projection = 'history'"
            )
            if again == published_count(apps):
                return
        time.sleep(0.2)
    raise AssertionError(
        f"the workers did not catch up: {applied} of {published_count(apps)} applied"
    )


def live_rows(store: ProjectionStore) -> dict[str, list[tuple[object, ...]]]:
    return {t: store.rows(t) for p in store.projectors for t in p.tables}


def assert_equal_to_rebuild(apps: Applications, store: ProjectionStore) -> None:
    live = live_rows(store)
    rebuild(store, apps.all(), [p.name for p in store.projectors])
    assert live_rows(store) == live


def crossing_checklists(apps: Applications, count: int, prefix: str) -> list[UUID]:
    """Import checklists whose goods cross the gate; nobody posts them by hand."""
    checklists = []
    for n in range(count):
        checklist = an_approved_checklist(
            apps,
            f"{prefix}C{n}",
            "I",
            (a_checklist_line(1, f"P{n % 3}", "2"),),
            declared=False,
        )
        gate_pass = an_approved_gate_pass(
            apps, f"{prefix}G{n}", (checklist,), pass_type="4", vehicle_no=f"TV{n:04d}"
        )
        cross(apps, gate_pass)
        checklists.append(checklist)
    return checklists


def test_events_reach_the_projections_and_crossings_lead_to_postings_r_chk_7(
    pipeline: tuple[Applications, ProjectionStore, Callable[..., Worker]],
    kafka_bootstrap: str,
) -> None:
    apps, store, start_worker = pipeline
    ledger_id = an_approved_ledger(apps)
    checklists = crossing_checklists(apps, 3, "A")
    port = free_port()

    start_worker(
        kafka_bootstrap, BONDED_METRICS_PORT=str(port), BONDED_METRICS_INTERVAL="0.2"
    )
    wait_until_projected(apps, store)

    for checklist in checklists:
        posted = apps.zone.get_checklist(checklist)
        assert posted.posted_on is not None
    assert apps.zone.get_ledger(ledger_id).stock_of("P0") == 2
    stock = store.query(
        "SELECT part_no, stock FROM ledger_stock WHERE ledger_id = %s ORDER BY 1",
        (ledger_id,),
    )
    assert [(p, int(str(q))) for p, q in stock] == [("P0", 2), ("P1", 2), ("P2", 2)]
    causes = store.query(
        "SELECT cause FROM document_history WHERE event_type = 'Checklist.Posted'"
    )
    assert len(causes) == 3 and all(
        c.startswith("pm/post-checklist/") for (c,) in causes
    )
    assert_equal_to_rebuild(apps, store)
    # The worker reports what it did, and that nothing is left behind.
    metrics = worker_metrics(port)
    assert metrics["bonded_postings_total"] >= 3
    assert metrics['bonded_gate_crossings_total{stage="through"}'] >= 3
    assert metrics['bonded_relay_published_total{application="Zone"}'] > 0
    assert metrics['bonded_relay_lag_events{application="Zone"}'] == 0
    assert metrics['bonded_projection_lag_events{projection="history"}'] == 0
    assert metrics["bonded_subcentre_dead_letters"] == 0
    assert any(name.startswith("bonded_consumer_lag_messages{") for name in metrics)


def worker_metrics(port: int) -> dict[str, float]:
    """The worker's metrics, once its gauges have been sampled after catching up."""
    time.sleep(1.0)
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    found = {}
    for line in text.splitlines():
        if line.startswith("bonded_"):
            name, _, value = line.rpartition(" ")
            found[name] = float(value)
    return found


def test_a_worker_killed_mid_stream_leaves_the_same_tables(
    pipeline: tuple[Applications, ProjectionStore, Callable[..., Worker]],
    kafka_bootstrap: str,
) -> None:
    apps, store, start_worker = pipeline
    an_approved_ledger(apps)
    crossing_checklists(apps, 12, "K")
    first = start_worker(kafka_bootstrap)
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        [(applied,)] = store.query(
            "SELECT COALESCE(SUM(applied), 0) FROM projection_positions"
        )
        if applied:
            break
        time.sleep(0.05)

    first.kill()
    crossing_checklists(apps, 3, "L")
    start_worker(kafka_bootstrap)
    wait_until_projected(apps, store)

    assert_equal_to_rebuild(apps, store)
    [(posted,)] = store.query(
        "SELECT count(*) FROM checklist_progress WHERE posted_on IS NOT NULL"
    )
    assert posted == 15


def test_two_workers_share_the_partitions_and_the_tables_stay_right(
    pipeline: tuple[Applications, ProjectionStore, Callable[..., Worker]],
    kafka_bootstrap: str,
) -> None:
    apps, store, start_worker = pipeline
    an_approved_ledger(apps)
    crossing_checklists(apps, 6, "T")

    workers = [start_worker(kafka_bootstrap), start_worker(kafka_bootstrap)]
    crossing_checklists(apps, 4, "U")
    wait_until_projected(apps, store)

    assert all(w.process.poll() is None for w in workers)
    assert_equal_to_rebuild(apps, store)
    [(posted,)] = store.query(
        "SELECT count(*) FROM checklist_progress WHERE posted_on IS NOT NULL"
    )
    assert posted == 10


def test_the_broker_restarted_empty_and_the_system_converges(
    pipeline: tuple[Applications, ProjectionStore, Callable[..., Worker]],
    tmp_path: Path,
) -> None:
    apps, store, start_worker = pipeline
    broker = EmbeddedBroker(tmp_path / "broker")
    bootstrap = broker.start()
    port = int(bootstrap.rsplit(":", 1)[1])
    workers: list[Worker] = []
    try:
        an_approved_ledger(apps)
        crossing_checklists(apps, 3, "B")
        workers.append(start_worker(bootstrap))
        wait_until_projected(apps, store)

        broker.stop()
        broker = EmbeddedBroker(tmp_path / "broker", port=port)
        broker.start()
        crossing_checklists(apps, 3, "C")
        wait_until_projected(apps, store)

        assert_equal_to_rebuild(apps, store)
        [(posted,)] = store.query(
            "SELECT count(*) FROM checklist_progress WHERE posted_on IS NOT NULL"
        )
        assert posted == 6
    finally:
        for worker in workers:
            worker.stop()
        broker.stop()


Positions = TypeVar("Positions", bound=PositionStore)


def relay_parts(
    pg_env: dict[str, str], database_url: str, store: type[Positions]
) -> tuple[Applications, Positions, str]:
    """A registered zone, its relay positions table and its topic prefix."""
    apps = build_applications(pg_env)
    register_test_enterprises(apps)
    positions = store(database_url, pg_env["POSTGRES_SCHEMA"])
    positions.create_table()
    return apps, positions, f"{pg_env['POSTGRES_SCHEMA']}."


def test_one_relay_is_active_per_application_and_another_takes_over(
    pg_env: dict[str, str], database_url: str, kafka_bootstrap: str
) -> None:
    apps, positions, prefix = relay_parts(pg_env, database_url, PositionStore)

    async def scenario() -> tuple[list[bool], list[bool], int]:
        await ensure_topics(kafka_bootstrap, 1, prefix)
        relays = [
            Relay(apps.zone, positions, kafka_bootstrap, topic_prefix=prefix)
            for _ in range(2)
        ]
        stop = asyncio.Event()
        tasks = [asyncio.create_task(relay.run(stop)) for relay in relays]
        deadline = time.monotonic() + 20
        while not any(r.is_leader for r in relays) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        await asyncio.sleep(1.5)
        both = [r.is_leader for r in relays]
        leader = both.index(True)
        tasks[leader].cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await tasks[leader]
        while not relays[1 - leader].is_leader and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        after = [r.is_leader for r in relays]
        an_approved_ledger(apps)
        head = apps.zone.recorder.max_notification_id() or 0
        while relays[1 - leader].position.notification_id < head:
            if time.monotonic() > deadline:
                break
            await asyncio.sleep(0.05)
        stop.set()
        await asyncio.gather(tasks[1 - leader])
        return both, after, relays[1 - leader].position.notification_id - head

    try:
        both, after, behind = asyncio.run(scenario())
    finally:
        apps.close()

    assert sorted(both) == [False, True]
    assert after.count(True) == 1 and after != both
    assert behind == 0


class CountingPositions(PositionStore):
    """The positions table, counting the connections opened to it."""

    opened = 0

    def connect(self) -> psycopg.Connection:
        self.opened += 1
        return super().connect()


def test_a_relay_records_every_position_on_its_lock_connection(
    pg_env: dict[str, str], database_url: str, kafka_bootstrap: str
) -> None:
    apps, positions, prefix = relay_parts(pg_env, database_url, CountingPositions)

    async def scenario() -> tuple[int, int, list[int]]:
        await ensure_topics(kafka_bootstrap, 1, prefix)
        relay = Relay(apps.zone, positions, kafka_bootstrap, topic_prefix=prefix)
        stop = asyncio.Event()
        task = asyncio.create_task(relay.run(stop))
        deadline = time.monotonic() + 30
        heads = []
        # Three batches, each published before the next is stored.
        an_approved_ledger(apps)
        for batch in range(3):
            crossing_checklists(apps, 1, f"P{batch}")
            head = apps.zone.recorder.max_notification_id() or 0
            heads.append(head)
            while relay.position.notification_id < head:
                assert time.monotonic() < deadline, "the relay did not publish"
                await asyncio.sleep(0.05)
        opened = positions.opened
        stop.set()
        await task
        return opened, positions.load(apps.zone.name).notification_id, heads

    try:
        opened, stored, heads = asyncio.run(scenario())
    finally:
        apps.close()

    # One for the table, one for the lock (which records), one to load.
    assert opened == 3
    assert stored == heads[-1]
    assert heads[0] < heads[1] < heads[2]


def test_a_relay_that_lost_its_lock_connection_stops_instead_of_publishing(
    pg_env: dict[str, str], database_url: str, kafka_bootstrap: str
) -> None:
    apps, positions, prefix = relay_parts(pg_env, database_url, PositionStore)

    async def scenario() -> tuple[BaseException | None, int, int]:
        await ensure_topics(kafka_bootstrap, 1, prefix)
        relay = Relay(apps.zone, positions, kafka_bootstrap, topic_prefix=prefix)
        stop = asyncio.Event()
        task = asyncio.create_task(relay.run(stop))
        deadline = time.monotonic() + 30
        while not relay.is_leader or relay._lock is None:
            assert time.monotonic() < deadline, "the relay did not lead"
            await asyncio.sleep(0.05)
        published = relay.position.notification_id
        with psycopg.connect(database_url, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(%s)", (relay._lock.info.backend_pid,)
            )
        an_approved_ledger(apps)
        try:
            await asyncio.wait_for(task, 30)
        except psycopg.OperationalError as error:
            return error, published, positions.load(apps.zone.name).notification_id
        finally:
            stop.set()
        return None, published, positions.load(apps.zone.name).notification_id

    try:
        error, published, stored = asyncio.run(scenario())
    finally:
        apps.close()

    assert isinstance(error, psycopg.OperationalError)
    # The batch read after the lock was lost is not recorded as relayed.
    assert stored == published


def test_an_idle_relay_publishes_an_append_when_notified_not_at_its_next_poll(
    pg_env: dict[str, str], database_url: str, kafka_bootstrap: str
) -> None:
    apps, positions, prefix = relay_parts(pg_env, database_url, PositionStore)

    async def scenario() -> tuple[float, float, bool]:
        await ensure_topics(kafka_bootstrap, 1, prefix)
        # Polls half a minute apart: only a notification can wake it sooner.
        relay = Relay(
            apps.zone,
            positions,
            kafka_bootstrap,
            topic_prefix=prefix,
            poll_interval=30.0,
            idle_check=30.0,
        )
        stop = asyncio.Event()
        task = asyncio.create_task(relay.run(stop))

        async def published_within(seconds: float) -> float:
            head = apps.zone.recorder.max_notification_id() or 0
            started = time.monotonic()
            while relay.position.notification_id < head:
                assert time.monotonic() - started < seconds, "not published"
                await asyncio.sleep(0.01)
            return time.monotonic() - started

        deadline = time.monotonic() + 20
        while not relay.listening:
            assert time.monotonic() < deadline, "the relay did not listen"
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # idle: the first poll found nothing new
        await asyncio.to_thread(an_approved_ledger, apps)
        first = await published_within(10)
        # Its listening connection cut, it listens again and goes on.
        with psycopg.connect(database_url, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE query LIKE 'LISTEN%%' AND pid <> pg_backend_pid()"
            )
        await asyncio.to_thread(crossing_checklists, apps, 1, "N")
        second = await published_within(10)
        listening = relay.listening
        stop.set()
        await task
        return first, second, listening

    try:
        first, second, listening = asyncio.run(scenario())
    finally:
        apps.close()

    assert first < 5.0 and second < 10.0
    assert listening


def test_a_committed_offset_past_the_end_of_a_partition_skips_nothing(
    pipeline: tuple[Applications, ProjectionStore, Callable[..., Worker]],
    kafka_bootstrap: str,
    pg_env: dict[str, str],
) -> None:
    # A broker that lost its log holds fewer messages than the offsets a
    # group committed before (or a worker acknowledged and committed late):
    # the consumer finds its committed offset past the end and starts again
    # from the earliest, and every message it then reads is below that offset.
    apps, store, start_worker = pipeline
    schema = pg_env["POSTGRES_SCHEMA"]
    an_approved_ledger(apps)
    crossing_checklists(apps, 2, "O")

    async def commit_past_the_end() -> None:
        prefix = f"{schema}."
        await ensure_topics(kafka_bootstrap, Settings().topic_partitions, prefix)
        consumer = AIOKafkaConsumer(
            bootstrap_servers=kafka_bootstrap,
            group_id=f"test-{schema}",
            enable_auto_commit=False,
        )
        await consumer.start()
        try:
            partitions = [
                TopicPartition(topic, partition)
                for topic in topic_names(prefix)
                for partition in consumer.partitions_for_topic(topic) or ()
            ]
            assert partitions
            consumer.assign(partitions)
            await consumer.commit({tp: 10_000 for tp in partitions})
        finally:
            await consumer.stop()

    asyncio.run(commit_past_the_end())
    start_worker(kafka_bootstrap)

    wait_until_projected(apps, store)
    assert_equal_to_rebuild(apps, store)

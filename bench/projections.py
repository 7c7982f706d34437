"""Projection catch-up against eventsourcing's ProjectionRunner, run by ``bench.suite``.

A zone's worth of checklists crossing the gate, stored once, is projected by a
worker from scratch twice: first as the store left it, the worker relaying the
events to Kafka and posting every checklist as it goes (the process manager's
commands are part of that run); then, projections emptied and under a new
consumer group, the complete history again, where the worker only projects. The
second is compared with eventsourcing's own ProjectionRunner writing the same
tables with the same statements from the same complete history, tracked by its
tracking table, without Kafka.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from functools import singledispatchmethod
from pathlib import Path
from typing import Any

import psycopg
from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.projection import Projection, ProjectionRunner
from psycopg import sql

from aggregates.register.application import EnterpriseRegister
from aggregates.zone import Zone
from bonded.bootstrap import build_applications, postgres_env
from projections.history import HistoryProjector
from projections.postgres import ProjectionStore, all_projectors
from streams.encoding import message_batches, message_of


def new_schema(url: str, prefix: str) -> str:
    schema = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    return schema


def stored_messages(url: str, schema: str) -> int:
    """Messages the relay publishes and the history projection takes."""
    apps = build_applications(postgres_env(url, schema=schema))
    history = HistoryProjector()
    total = sum(
        1
        for app in apps.all()
        for messages in message_batches(app, 2000)
        for m in messages
        if history.project(m)
    )
    apps.close()
    return total


def bench_pipeline(
    url: str,
    bootstrap: str,
    schema: str,
    expected: int,
    group: str = "",
    settled: Callable[[], bool] | None = None,
) -> dict[str, float]:
    """A worker from its start until the history projection took ``expected``;
    then, untimed, until ``settled`` holds."""
    store = ProjectionStore(url, schema=schema)
    store.create_tables()
    env = {
        **os.environ,
        "BONDED_DATABASE_URL": url,
        "BONDED_KAFKA_BOOTSTRAP": bootstrap,
        "BONDED_DATABASE_SCHEMA": schema,
        "BONDED_CONSUMER_GROUP": group or f"bench-{schema}",
        "BONDED_TOPIC_PREFIX": f"{schema}.",
    }
    log = Path("var/bench/worker.log").open("ab")  # noqa: SIM115 (closed below)
    started = time.perf_counter()
    worker = subprocess.Popen(
        [sys.executable, "-m", "bonded", "worker"], env=env, stdout=log, stderr=log
    )
    first = last = 0.0
    try:
        while time.perf_counter() - started < 600:
            rows = store.query(
                "SELECT applied FROM projection_positions WHERE projection = 'history'"
            )
            applied = int(str(rows[0][0])) if rows else 0
            now = time.perf_counter()
            if applied and not first:
                first = now
            if applied >= expected and not last:
                last = now
            if last and (settled is None or settled()):
                break
            time.sleep(0.02)
        else:
            raise RuntimeError("the worker did not catch up and settle in 600 s")
    finally:
        worker.terminate()
        worker.wait(20)
        log.close()
        store.close()
    return {
        "ready_s": first - started,
        "catch_up_events_per_s": expected / max(last - first, 1e-9),
        "total_s": last - started,
    }


class PeerView(PostgresTrackingRecorder):
    """The same projection tables, written under eventsourcing's tracking."""

    projection_schema = ""

    def apply(self, statements: list[Any], tracking: Tracking) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(
                sql.SQL("SET LOCAL search_path TO {}").format(
                    sql.Identifier(self.projection_schema)
                )
            )
            for statement in statements:
                curs.execute(statement.sql, statement.params)
            self._insert_tracking(curs, tracking)


class PeerProjection(Projection[PeerView]):
    """Every projector of the backbone, fed by eventsourcing's subscription."""

    name = "peer"
    projectors = all_projectors()

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        message = message_of("Zone", domain_event, tracking.notification_id)
        statements = [s for p in self.projectors for s in p.project(message)]
        self.view.apply(statements, tracking)


class ZoneOnly(Zone):
    """The zone application as the runner builds it: from its environment alone."""

    name = "Zone"

    def __init__(self, env: Any = None) -> None:
        super().__init__(env, register=EnterpriseRegister(env))


def bench_peer(url: str, source_schema: str, view_schema: str, head: int) -> float:
    store = ProjectionStore(url, schema=view_schema)
    store.create_tables()
    store.close()
    PeerView.projection_schema = view_schema
    env = {
        **{
            k: v
            for k, v in postgres_env(url, schema=source_schema).items()
            if k != "APPLICATION_RECORDER_TOPIC"
        },
        "PEER_POSTGRES_SCHEMA": view_schema,
    }
    started = time.perf_counter()
    with ProjectionRunner(
        application_class=ZoneOnly,
        projection_class=PeerProjection,
        view_class=PeerView,
        env=env,
    ) as runner:
        runner.wait(head, timeout=600)
    return head / (time.perf_counter() - started)

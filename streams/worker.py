"""Bootstrap of a worker process: settings in, running Faust worker out.

Nothing connects at import; ``build_parts`` opens the store and the projection
tables, ``run_worker`` creates the topics and hands the app to Faust's worker.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import faust

from bonded.bootstrap import build_applications, store_env
from gateway.customs.filedrop import FileDrop
from gateway.forwarder import Forwarder, PostgresForwardedLog
from gateway.receipt_log import PostgresReceiptLog
from projections.postgres import ProjectionStore
from schemas.settings import Settings
from streams.app import WorkerParts, create_app
from streams.relay import PositionStore, ensure_topics


def build_parts(settings: Settings) -> WorkerParts:
    """Open the applications, the projection store and the relay positions."""
    applications = build_applications(store_env(settings))
    store = ProjectionStore(settings.database_url, schema=settings.database_schema)
    store.create_tables()
    positions = PositionStore(settings.database_url, settings.database_schema)
    positions.create_table()
    forwarder = None
    if settings.single_window_dir:
        schema = settings.database_schema
        forwarder = Forwarder(
            applications.zone,
            FileDrop(Path(settings.single_window_dir)),
            PostgresReceiptLog(settings.database_url, schema=schema),
            PostgresForwardedLog(settings.database_url, schema=schema),
        )
    return WorkerParts(settings, applications, store, positions, forwarder)


def run_worker(settings: Settings, loglevel: str = "warning") -> None:
    """Run a worker until it is stopped (SIGINT or SIGTERM)."""
    if not settings.database_url or not settings.kafka_bootstrap:
        raise SystemExit(
            "a worker needs BONDED_DATABASE_URL and BONDED_KAFKA_BOOTSTRAP "
            "(bonded up starts embedded services and its workers)"
        )
    asyncio.run(
        ensure_topics(
            settings.kafka_bootstrap, settings.topic_partitions, settings.topic_prefix
        )
    )
    parts = build_parts(settings)
    app = create_app(parts)
    try:
        worker = faust.Worker(app, loglevel=loglevel, quiet=True)
        worker.execute_from_commandline()
    finally:
        parts.store.close()
        parts.applications.close()
        logging.shutdown()

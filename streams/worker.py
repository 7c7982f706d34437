"""Bootstrap of a worker process: settings in, running Faust worker out.

Nothing connects at import; ``build_parts`` opens the store and the projection
tables, ``run_worker`` creates the topics and hands the app to Faust's worker.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from pathlib import Path

import faust

from bonded.bootstrap import build_applications, store_env
from bonded.heap import keep_what_started
from bonded.logs import logging_config
from bonded.metrics import serve_metrics
from gateway.customs.filedrop import FileDrop
from gateway.forwarder import Forwarder, PostgresForwardedLog
from gateway.receipt_log import PostgresReceiptLog
from projections.postgres import ProjectionStore
from schemas.settings import Settings
from streams.app import WorkerParts, count_published, create_app
from streams.relay import PositionStore, Relay, ensure_topics

logger = logging.getLogger(__name__)


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


def run_worker(settings: Settings, loglevel: str = "info") -> None:
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
    serve_metrics(settings.metrics_port)
    keep_what_started()
    logger.info(
        "worker starting",
        extra={
            "consumer_group": settings.consumer_group,
            "metrics_port": settings.metrics_port,
        },
    )
    try:
        worker = faust.Worker(
            app,
            loglevel=loglevel,
            quiet=True,
            logging_config=logging_config(loglevel.upper(), settings.log_format),
            redirect_stdouts=False,
        )
        worker.execute_from_commandline()
    finally:
        parts.store.close()
        parts.applications.close()
        logging.shutdown()


def run_relay(settings: Settings) -> None:
    """Run the relays alone until SIGINT or SIGTERM: store to Kafka, in order."""
    if not settings.database_url or not settings.kafka_bootstrap:
        raise SystemExit("a relay needs BONDED_DATABASE_URL and BONDED_KAFKA_BOOTSTRAP")
    applications = build_applications(store_env(settings))
    positions = PositionStore(settings.database_url, settings.database_schema)
    positions.create_table()
    serve_metrics(settings.metrics_port)

    async def relay_until_stopped() -> None:
        await ensure_topics(
            settings.kafka_bootstrap, settings.topic_partitions, settings.topic_prefix
        )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signal_number in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signal_number, stop.set)
        relays = [
            Relay(
                application,
                positions,
                settings.kafka_bootstrap,
                batch=settings.relay_batch,
                poll_interval=settings.relay_poll_interval,
                topic_prefix=settings.topic_prefix,
                on_published=count_published(application.name),
            )
            for application in applications.all()
        ]
        logger.info("relay starting", extra={"metrics_port": settings.metrics_port})
        await asyncio.gather(*(relay.run(stop) for relay in relays))
        logger.info("relay stopped")

    try:
        asyncio.run(relay_until_stopped())
    finally:
        applications.close()

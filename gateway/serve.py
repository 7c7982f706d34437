"""Bootstrap of the gateway process: settings in, the ASGI app and its closer out."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI

from aggregates.zone import Zone
from bonded.bootstrap import Applications, build_applications, store_env
from gateway.api.app import ApiServices, create_api
from gateway.inbox import ReceiptInbox
from gateway.keys import PostgresKeyStore
from gateway.receipt_log import PostgresReceiptLog
from projections.postgres import ProjectionStore
from schemas.settings import Settings


def shared_metrics_folder(settings: Settings, port: int) -> Path:
    """An empty folder for the metrics of a gateway's server processes.

    prometheus-client keeps each process's counts in files there when
    ``PROMETHEUS_MULTIPROC_DIR`` names it before the processes start; ``/metrics``
    then adds them up, so a scrape answers for the gateway whichever process
    takes it. Files of an earlier run on the same port are removed: their counts
    belong to processes that are gone, and a restart begins counting at zero as a
    single process does.
    """
    folder = settings.data_dir.absolute() / "gateway-metrics" / str(port)
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink()
    return folder


def build_inbox(
    settings: Settings,
) -> tuple[Zone, ReceiptInbox, ProjectionStore, Callable[[], None]]:
    """The zone, the receipt inbox and the projections; and their closer."""
    applications = _applications(settings)
    log = PostgresReceiptLog(settings.database_url, schema=settings.database_schema)
    store = ProjectionStore(settings.database_url, schema=settings.database_schema)
    store.create_tables()

    def close() -> None:
        store.close()
        log.close()
        applications.close()

    inbox = ReceiptInbox(applications.zone, log)
    inbox.recover()
    return applications.zone, inbox, store, close


def _applications(settings: Settings) -> Applications:
    return build_applications(store_env(settings))


def build_api(settings: Settings) -> tuple[FastAPI, Callable[[], None]]:
    """The API on the configured database; and a function that closes it all."""
    applications = _applications(settings)
    schema = settings.database_schema
    keys = PostgresKeyStore(settings.database_url, schema=schema)
    log = PostgresReceiptLog(settings.database_url, schema=schema)
    store = ProjectionStore(settings.database_url, schema=schema)
    store.create_tables()
    inbox = ReceiptInbox(applications.zone, log)
    inbox.recover()
    api = create_api(
        ApiServices(
            applications,
            keys,
            inbox,
            store,
            key_cache_seconds=settings.key_cache_seconds,
            threads=settings.gateway_threads,
        )
    )

    def close() -> None:
        store.close()
        log.close()
        keys.close()
        applications.close()

    return api, close


def create_gateway() -> FastAPI:
    """Build the API from the environment's settings.

    The factory each server process of ``bonded gateway --workers N`` calls; the
    connections close when the process exits.

    Their metrics are gathered from all of them (``shared_metrics_folder``), so
    whichever process takes a scrape answers for the gateway.
    """
    import atexit

    from bonded.logs import configure_logging

    settings = Settings()
    configure_logging("INFO", settings.log_format)
    api, close = build_api(settings)
    atexit.register(close)
    return api

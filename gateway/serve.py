"""Bootstrap of the gateway process: settings in, the ASGI app and its closer out."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI

from aggregates.zone import Zone
from bonded.bootstrap import Applications, build_applications, store_env
from bonded.heap import keep_what_started
from gateway.api.app import ApiServices, create_api
from gateway.inbox import ReceiptInbox
from gateway.keys import PostgresKeyStore
from gateway.receipt_log import PostgresReceiptLog
from projections.postgres import ProjectionStore
from schemas.settings import Settings


def shared_metrics_folder(settings: Settings, port: int) -> Path:
    """A new folder for the metrics of one gateway's server processes.

    prometheus-client keeps each process's counts in files there when
    ``PROMETHEUS_MULTIPROC_DIR`` names it before the processes start; ``/metrics``
    then adds them up, so a scrape answers for the gateway whichever process
    takes it. Each gateway has its own folder (another one started on the same
    data folder, even one that fails to bind its port, leaves it alone), which
    it removes when it stops; folders whose gateway was killed are removed by
    the next one to start, their counts belonging to processes that are gone.
    """
    root = settings.data_dir.absolute() / "gateway-metrics"
    root.mkdir(parents=True, exist_ok=True)
    for earlier in root.iterdir():
        if earlier.is_dir() and not _owned(earlier):
            shutil.rmtree(earlier, ignore_errors=True)
    folder = Path(tempfile.mkdtemp(prefix=f"{port}-", dir=root))
    (folder / OWNER).write_text(str(os.getpid()))
    return folder


# The file naming the process (the gateway's supervisor) a metrics folder is for.
OWNER = "owner.pid"


def _owned(folder: Path) -> bool:
    """Whether the gateway that made a metrics folder still runs."""
    try:
        pid = int((folder / OWNER).read_text())
    except (OSError, ValueError):
        # Being made this moment, or left half made long ago.
        return time.time() - folder.stat().st_mtime < 60
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, another user's
    return True


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
    keep_what_started()
    return api

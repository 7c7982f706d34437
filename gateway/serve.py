"""Bootstrap of the gateway process: settings in, the ASGI app and its closer out."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI

from bonded.bootstrap import build_applications, postgres_env
from gateway.api.app import ApiServices, create_api
from gateway.inbox import ReceiptInbox
from gateway.keys import PostgresKeyStore
from gateway.receipt_log import PostgresReceiptLog
from projections.postgres import ProjectionStore
from schemas.settings import Settings


def build_api(settings: Settings) -> tuple[FastAPI, Callable[[], None]]:
    """The API on the configured database; and a function that closes it all."""
    applications = build_applications(
        {
            **postgres_env(
                settings.database_url,
                schema=settings.database_schema,
                pool_size=settings.postgres_pool_size,
            ),
            "LEDGER_SNAPSHOT_INTERVAL": str(settings.ledger_snapshot_interval),
            "COMMAND_RETRIES": str(settings.command_retries),
        }
    )
    schema = settings.database_schema
    keys = PostgresKeyStore(settings.database_url, schema=schema)
    log = PostgresReceiptLog(settings.database_url, schema=schema)
    store = ProjectionStore(settings.database_url, schema=schema)
    store.create_tables()
    api = create_api(
        ApiServices(applications, keys, ReceiptInbox(applications.zone, log), store)
    )

    def close() -> None:
        store.close()
        log.close()
        keys.close()
        applications.close()

    return api, close

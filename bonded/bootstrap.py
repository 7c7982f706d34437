"""Build the applications from settings: the composition root of the event store."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from aggregates.register.application import EnterpriseRegister
from aggregates.zone import Zone
from bonded.metrics import instrument
from bonded.recorder import TOPIC as RECORDER_TOPIC
from schemas.settings import Settings


@dataclass
class Applications:
    """The applications of the backbone, one per bounded context."""

    register: EnterpriseRegister
    zone: Zone

    def all(self) -> tuple[EnterpriseRegister, Zone]:
        return (self.register, self.zone)

    def close(self) -> None:
        for app in self.all():
            app.close()


def postgres_env(
    database_url: str, *, schema: str = "", pool_size: int = 5
) -> dict[str, str]:
    """Translate a PostgreSQL URL into eventsourcing's environment.

    The database-functions option stays off: its insert takes no table lock, so a
    reader tailing the notification log can miss events (DESIGN.md). Our own
    recorder appends in one locked call instead (``bonded.recorder``).
    """
    params = conninfo_to_dict(database_url)
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": str(params.get("dbname", "postgres")),
        "POSTGRES_HOST": str(params.get("host", "127.0.0.1")),
        "POSTGRES_PORT": str(params.get("port", "5432")),
        "POSTGRES_USER": str(params.get("user", "postgres")),
        "POSTGRES_PASSWORD": str(params.get("password", "")),
        "POSTGRES_ENABLE_DB_FUNCTIONS": "n",
        "APPLICATION_RECORDER_TOPIC": RECORDER_TOPIC,
        "POSTGRES_POOL_SIZE": str(pool_size),
        "CREATE_TABLE": "y",
    }
    if schema:
        env["POSTGRES_SCHEMA"] = schema
    return env


def build_applications(env: Mapping[str, str] | None = None) -> Applications:
    """Build the enterprise register and the zone's documents on one event store."""
    with _ddl_lock(env or {}):
        register = EnterpriseRegister(env)
        zone = Zone(env, register=register)
    instrument(register, zone)
    return Applications(register, zone)


@contextlib.contextmanager
def _ddl_lock(env: Mapping[str, str]) -> Iterator[None]:
    """Hold a PostgreSQL advisory lock while the applications create their tables.

    eventsourcing creates its tables, types and functions when an application
    is built; processes starting together (a gateway and workers) would run that
    DDL at once, and PostgreSQL refuses concurrent catalog updates ("tuple
    concurrently updated").
    """
    if env.get("PERSISTENCE_MODULE") != "eventsourcing.postgres":
        yield
        return
    conninfo = make_conninfo(
        dbname=env["POSTGRES_DBNAME"],
        host=env["POSTGRES_HOST"],
        port=env["POSTGRES_PORT"],
        user=env["POSTGRES_USER"],
        password=env["POSTGRES_PASSWORD"],
    )
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(hashtext('bonded-store-ddl'))")
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(hashtext('bonded-store-ddl'))")


def store_env(settings: Settings) -> dict[str, str]:
    """eventsourcing's environment for the configured database and schema."""
    return {
        **postgres_env(
            settings.database_url,
            schema=settings.database_schema,
            pool_size=settings.postgres_pool_size,
        ),
        "LEDGER_SNAPSHOT_INTERVAL": str(settings.ledger_snapshot_interval),
        "COMMAND_RETRIES": str(settings.command_retries),
        # eventsourcing's cache: an LRU of aggregates, each fast-forwarded from
        # the store on every get (so several processes may write) and deep-copied
        # out, so a refused command's half-made changes never reach it.
        **(
            {"AGGREGATE_CACHE_MAXSIZE": str(settings.aggregate_cache_size)}
            if settings.aggregate_cache_size
            else {}
        ),
    }

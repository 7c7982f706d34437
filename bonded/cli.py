"""The ``bonded`` command line."""

from __future__ import annotations

import logging
import time
import warnings
from pathlib import Path

import click

from bonded.embedded import with_running_services
from bonded.logs import configure_logging
from schemas.settings import Settings


@click.group()
@click.option(
    "--log-level",
    type=click.Choice(["debug", "info", "warning", "error"]),
    default="info",
    show_default=True,
    help="Lowest level of the log lines written to stderr.",
)
@click.pass_context
def main(context: click.Context, log_level: str) -> None:
    """The bonded-logistics backbone (保税物流管理系统).

    Every setting comes from the environment (prefix BONDED_, see
    schemas/settings.py); the database and the broker are the embedded ones
    started by `bonded up` unless BONDED_DATABASE_URL and BONDED_KAFKA_BOOTSTRAP
    point elsewhere.
    """
    configure_logging(log_level.upper(), Settings().log_format)
    context.obj = log_level
    # platformdirs warns when XDG_RUNTIME_DIR is unset, as in CI shells; harmless.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")


@main.command()
@click.option(
    "--once/--serve",
    default=False,
    show_default=True,
    help="Exit after the summary, or keep serving until Ctrl-C.",
)
@click.option("--enterprises", default=3, show_default=True, type=click.IntRange(1, 50))
@click.option(
    "--rounds",
    default=1,
    show_default=True,
    type=click.IntRange(1, 1000),
    help="Import, consolidation and export cycles per enterprise.",
)
@click.option("--seed", default=1, show_default=True, type=int)
@click.option("--port", default=8000, show_default=True, type=int, help="API port.")
def up(once: bool, enterprises: int, rounds: int, seed: int, port: int) -> None:
    """Start everything and play a zone-day through the API, then keep serving.

    Starts the embedded PostgreSQL and broker (unless configured elsewhere), a
    worker, the gateway, the customs simulator and a data sub-centre stand-in;
    plays the day with a progress bar and prints a summary that reconciles.
    Exits with status 1 when the summary does not reconcile (with --once).
    """
    from bonded.up import Options, run_up
    from bonded.zoneday import DayPlan

    # The terminal shows the progress and the summary; the processes log as JSON
    # into their files under the data folder. SIGTERM stops it as Ctrl-C does,
    # so the children and the embedded services are stopped too.
    configure_logging("WARNING", "text")
    _stop_on_sigterm()
    plan = DayPlan(
        enterprises=enterprises,
        rounds=rounds,
        seed=seed,
        run=f"{int(time.time()) % 10**6:06d}",
    )
    status = run_up(Settings(), Options(plan, once=once, port=port), click.echo)
    raise SystemExit(status)


@main.command()
@click.pass_obj
def worker(log_level: str) -> None:
    """Run a worker: projections, process manager, sub-centre delivery, relay.

    Workers share the partitions of the event topics (one consumer group); the
    relay runs in one of them at a time (a PostgreSQL advisory lock). Metrics
    at BONDED_METRICS_PORT when set.
    """
    from streams.worker import run_worker

    run_worker(_running_settings(), loglevel=log_level)


@main.command()
def relay() -> None:
    """Run the relay alone: the event store's log, in commit order, onto Kafka.

    For deployments that keep the relay apart from the workers; one relay is
    active per application whichever process runs it.
    """
    from streams.worker import run_relay

    run_relay(_running_settings())


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
    """Print lags, consumer offsets and dead letters of the running system.

    Relays: events stored and not yet published. Projections: the last
    notification each applied (a bound, as each takes only some events), and
    the aggregates whose last event is not yet projected (exact). Consumers:
    the workers' committed offset and the end of each partition. Dead letters:
    sub-centre deliveries given up on, receipts parked for want of a document,
    and declarations claimed for customs whose file was not marked written
    (named: each may need dropping again).
    """
    import asyncio

    from bonded.bootstrap import build_applications, store_env
    from projections.postgres import ProjectionStore
    from streams.ops import (
        backlog,
        consumer_offsets,
        dead_letters,
        lags,
        undropped_declarations,
    )

    settings = _running_settings()
    for lag in lags(settings):
        click.echo(
            f"{lag.part:<28} at {lag.position:>9} of {lag.head:>9}  behind {lag.behind}"
        )
    apps = build_applications(store_env(settings))
    store = ProjectionStore(settings.database_url, schema=settings.database_schema)
    try:
        store.create_tables()
        click.echo(f"aggregates not yet projected: {backlog(apps, store)}")
        for what, count in dead_letters(store).items():
            click.echo(f"{what}: {count}")
        undropped = undropped_declarations(store)
        click.echo(f"declarations claimed, not marked dropped: {len(undropped)}")
        for name in undropped:
            click.echo(f"  not marked dropped: {name}")
    finally:
        store.close()
        apps.close()
    if settings.kafka_bootstrap:
        from aiokafka.errors import KafkaError

        click.echo(f"consumer group {settings.consumer_group}:")
        try:
            offsets = asyncio.run(consumer_offsets(settings))
        except KafkaError as unreachable:
            click.echo(f"  broker unreachable: {unreachable}")
            return
        for part in offsets:
            click.echo(
                f"  {part.topic}[{part.partition}] committed {part.committed}"
                f" end {part.end}"
            )


@main.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--customs-code",
    "customs_codes",
    multiple=True,
    required=True,
    help="Enterprise the documents may be created for (repeat for several).",
)
def import_command(file: Path, customs_codes: tuple[str, ...]) -> None:
    """Create the documents of an ERP's import file (INV101, SAS101, SAS111,
    SAS121, BWS101, SAS131: one message, a <Messages> batch or the JSON form).

    Each document passes the same validation as the API; one line per document
    says what was created or why not. Exits with status 1 if any was refused.
    """
    from bonded.bootstrap import build_applications, store_env
    from bonded.errors import DomainError, MessageError
    from gateway.imports import import_documents

    settings = _running_settings()
    apps = build_applications(store_env(settings))
    try:
        results = import_documents(
            apps.zone, file.read_bytes(), lambda code: code in customs_codes
        )
    except (MessageError, DomainError) as unreadable:
        raise click.BadParameter(str(unreadable), param_hint="FILE") from None
    finally:
        apps.close()
    for result in results:
        detail = result.document_id or f"{result.rule} {result.field}: {result.reason}"
        click.echo(f"{result.enterprise_doc_no}: {result.status} {detail}")
    if any(result.document_id is None for result in results):
        raise SystemExit(1)


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


@keys.command("list")
def list_keys_command() -> None:
    """List the keys: id, role, enterprises, label, revoked (never a secret)."""
    from gateway.keys import PostgresKeyStore

    settings = _running_settings()
    store = PostgresKeyStore(settings.database_url, schema=settings.database_schema)
    try:
        for key_id, role, codes, label, revoked in store.listing():
            state = "revoked" if revoked else "active"
            click.echo(f"{key_id}  {role:<10} {state:<8} {','.join(codes)}  {label}")
    finally:
        store.close()


@keys.command("revoke")
@click.argument("key_id")
def revoke_key_command(key_id: str) -> None:
    """Revoke a key by its id (the part after bk_ and before the secret)."""
    from gateway.keys import PostgresKeyStore

    settings = _running_settings()
    store = PostgresKeyStore(settings.database_url, schema=settings.database_schema)
    try:
        if not store.revoke(key_id):
            raise click.BadParameter(f"no key {key_id!r}", param_hint="KEY_ID")
    finally:
        store.close()
    click.echo(f"revoked {key_id}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Server processes sharing the port (each with its own connections).",
)
def gateway(host: str, port: int, workers: int) -> None:
    """Serve the HTTP API (OpenAPI at /docs) on the configured store."""
    import os
    import shutil

    import uvicorn

    from bonded.heap import keep_what_started
    from gateway.serve import build_api, shared_metrics_folder

    settings = _running_settings()
    logging.getLogger("bonded.gateway").info(
        "gateway serving", extra={"host": host, "port": port, "workers": workers}
    )
    if workers > 1:
        # Each server process builds its own API from the environment, and
        # writes its metrics where the others' are, for /metrics to add up.
        os.environ["BONDED_DATABASE_URL"] = settings.database_url
        os.environ["BONDED_KAFKA_BOOTSTRAP"] = settings.kafka_bootstrap
        folder = shared_metrics_folder(settings, port)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
        try:
            uvicorn.run(
                "gateway.serve:create_gateway",
                factory=True,
                host=host,
                port=port,
                workers=workers,
                log_level="warning",
                log_config=None,
            )
        finally:
            # Its counts end with the gateway (a killed one's are removed by
            # the next gateway to start).
            shutil.rmtree(folder, ignore_errors=True)
        return
    api, close = build_api(settings)
    keep_what_started()
    try:
        uvicorn.run(api, host=host, port=port, log_level="warning", log_config=None)
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
@click.option(
    "--deposit-rate",
    default=1.2,
    show_default=True,
    type=float,
    help="Guarantee deposit levied on an approved business form, as a multiple "
    "of its value (its slips draw their value from it); 0 levies none.",
)
@click.option("--seed", default=1, show_default=True, type=int)
@click.option("--interval", default=1.0, show_default=True, type=float)
@click.option("--once", is_flag=True, help="Answer what waits now, then exit.")
def simulate_customs(
    reject_rate: float,
    manual_review_rate: float,
    double_gate_rate: float,
    inspection_rate: float,
    deposit_rate: float,
    seed: int,
    interval: float,
    once: bool,
) -> None:
    """Play customs and the gate: answer declarations, levy deposits, generate and
    release declarations, let approved vehicles through, all through the receipt
    inbox. Metrics at BONDED_METRICS_PORT when set."""
    from bonded.metrics import serve_metrics
    from gateway.serve import build_inbox
    from gateway.simulator import CustomsSimulator, SimulatorPolicy

    settings = _running_settings()
    _stop_on_sigterm()
    serve_metrics(settings.metrics_port)
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
            deposit_rate=deposit_rate,
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


@simulate.command("zone-day")
@click.option("--url", default="http://127.0.0.1:8000", show_default=True)
@click.option("--enterprises", default=3, show_default=True, type=click.IntRange(1, 50))
@click.option("--rounds", default=1, show_default=True, type=click.IntRange(1, 1000))
@click.option("--seed", default=1, show_default=True, type=int)
def simulate_zone_day(url: str, enterprises: int, rounds: int, seed: int) -> None:
    """Play a zone-day through a running gateway (customs answers elsewhere).

    Registers the day's enterprises and gives each a key in the configured
    database, then plays as `bonded up` does, and prints the summary.
    """
    from bonded.bootstrap import build_applications, store_env
    from bonded.portal import Tally
    from bonded.summary import percentiles, summarise
    from bonded.up import register_day
    from bonded.zoneday import DayPlan, play_day
    from gateway.keys import PostgresKeyStore
    from projections.postgres import ProjectionStore

    settings = _running_settings()
    plan = DayPlan(enterprises, rounds, seed, run=f"{int(time.time()) % 10**6:06d}")
    apps = build_applications(store_env(settings))
    keys = PostgresKeyStore(settings.database_url, schema=settings.database_schema)
    store = ProjectionStore(settings.database_url, schema=settings.database_schema)
    try:
        tally = Tally()
        with click.progressbar(length=plan.steps, label="playing the zone-day") as bar:
            failures = play_day(
                plan, url, register_day(apps, keys, plan), tally, lambda: bar.update(1)
            )
        summary = summarise(apps, store)
        summary.latencies["command round trip over HTTP"] = percentiles(tally.latencies)
        summary.counts = dict(tally.counts)
        summary.problems[:0] = failures
        for line in summary.lines():
            click.echo(line)
    finally:
        store.close()
        keys.close()
        apps.close()
    if summary.problems:
        raise SystemExit(1)


@simulate.command("subcentre")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=int)
def simulate_subcentre(host: str, port: int) -> None:
    """Serve a data sub-centre stand-in: POST /messages records each key once."""
    import uvicorn

    from gateway.subcentre_stand_in import SubcentreStandIn

    uvicorn.run(SubcentreStandIn().app(), host=host, port=port, log_level="warning")


def _stop_on_sigterm() -> None:
    """Stop a loop on SIGTERM as on Ctrl-C, so its ``finally`` closes the store."""
    import signal

    def interrupt(*_: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


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

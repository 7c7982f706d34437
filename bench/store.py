"""In-process command benchmarks, run by ``bench.suite``.

Stock-slip declarations (form and slip saved together) and gate crossings that
let a checklist be posted (crossing, then posting to the ledger), each in a fresh
schema, one thread; ``Probe`` is the peer's one-event aggregate.
"""

from __future__ import annotations

import time
import uuid
from datetime import date
from decimal import Decimal

import psycopg
from eventsourcing.domain import Aggregate, event
from psycopg import sql

from bonded.bootstrap import build_applications, postgres_env
from tests.builders import (
    a_checklist_line,
    a_form_line,
    a_slip_line,
    an_approved_checklist,
    an_approved_form,
    an_approved_gate_pass,
    an_approved_ledger,
    register_test_enterprises,
)


class Probe(Aggregate):
    """A one-event aggregate: the peer's unit of work."""

    @event("Created")
    def __init__(self, n: int) -> None:
        self.n = n


def plain_env(url: str) -> dict[str, str]:
    """A fresh schema with eventsourcing's own recorder: the peer's store."""
    env = fresh_env(url)
    del env["APPLICATION_RECORDER_TOPIC"]
    return env


def fresh_env(url: str) -> dict[str, str]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    return postgres_env(url, schema=schema)


def bench_slips(url: str, count: int) -> float:
    apps = build_applications(fresh_env(url))
    register_test_enterprises(apps)
    lines = tuple(a_form_line(n, quantity=str(count * 10)) for n in (1, 2))
    form_id = an_approved_form(apps, lines=lines, deposit=str(count * 1000))
    forms = apps.zone
    slips = [
        forms.create_stock_slip(
            enterprise_doc_no=f"BENCH-S{n}",
            business_form_id=form_id,
            lines=(a_slip_line(1, 1, "1"), a_slip_line(2, 2, "2")),
        ).aggregate_id
        for n in range(count)
    ]
    started = time.perf_counter()
    for n, slip_id in enumerate(slips):
        forms.declare(slip_id, command_id=f"bench-declare-{n}")
    elapsed = time.perf_counter() - started
    assert forms.get_business_form(form_id).claimed(1) == Decimal(count)
    apps.close()
    return count / elapsed


def bench_crossings(url: str, count: int) -> tuple[float, float, float]:
    """Crossings followed by postings: pairs per second, p50 and p99 in ms."""
    apps = build_applications(fresh_env(url))
    register_test_enterprises(apps)
    zone = apps.zone
    ledger_id = an_approved_ledger(apps)
    passes = []
    for n in range(count):
        checklist = an_approved_checklist(
            apps,
            f"BENCH-C{n:06d}",
            "I",
            (a_checklist_line(1, "BENCH-A", "1"),),
            declared=False,
        )
        gate_pass = an_approved_gate_pass(
            apps,
            f"BENCH-G{n:06d}",
            (checklist,),
            pass_type="4",
            vehicle_no=f"BV{n:06d}",
        )
        passes.append((gate_pass, checklist))
    latencies = []
    started = time.perf_counter()
    for n, (gate_pass, checklist) in enumerate(passes):
        began = time.perf_counter()
        zone.record_gate_crossing(gate_pass, "single", command_id=f"bench-cross-{n}")
        zone.post_checklist(checklist, date(2026, 12, 3), command_id=f"bench-post-{n}")
        latencies.append(time.perf_counter() - began)
    elapsed = time.perf_counter() - started
    assert zone.get_ledger(ledger_id).stock_of("BENCH-A") == Decimal(count)
    apps.close()
    latencies.sort()
    p50 = latencies[len(latencies) // 2] * 1000
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    return count / elapsed, p50, p99

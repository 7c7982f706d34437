"""The end-of-day summary: what the zone holds, checked three ways.

Every figure that can be derived twice is: ledger stock per enterprise from the
ledgers (the event store), from the projection analysts query, and from the sum
of what the posted checklists moved; deposits paid and drawn against the events
that collected and drew them, and none overdrawn; every gate pass through the
gate once; sub-centre deliveries in the outbox against what the sub-centre
received. ``problems`` lists every figure that does not agree; an empty list
means the day reconciles.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from uuid import UUID

from aggregates.common.values import Direction
from bonded.bootstrap import Applications
from projections.postgres import ProjectionStore


@dataclass
class Summary:
    """The day's figures and the disagreements found among them."""

    documents: list[tuple[str, str, int]] = field(default_factory=list)
    stock: dict[str, tuple[Decimal, Decimal, Decimal]] = field(default_factory=dict)
    deposits: list[tuple[str, Decimal, Decimal, Decimal, Decimal]] = field(
        default_factory=list
    )
    crossings: tuple[int, int, int] = (0, 0, 0)
    inspections: tuple[int, int] = (0, 0)
    deliveries: dict[str, int] = field(default_factory=dict)
    received: tuple[int, int] | None = None
    lags: list[tuple[str, int]] = field(default_factory=list)
    latencies: dict[str, tuple[float, float, int]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The summary as the terminal shows it."""
        out = ["", "documents by kind and state:"]
        for kind, state, count in self.documents:
            out.append(f"  {kind:<16} {state:<16} {count:>6}")
        out.append("ledger stock per enterprise (postings / ledgers / projection):")
        for code, (posted, ledgers, projected) in sorted(self.stock.items()):
            out.append(f"  {code}  {posted:>10} {ledgers:>10} {projected:>10}")
        out.append("guarantee deposits (paid / drawn / reserved / remaining):")
        for code, paid, drawn, reserved, remaining in self.deposits:
            out.append(
                f"  {code}  {paid:>10} {drawn:>10} {reserved:>10} {remaining:>10}"
            )
        passes, events, first = self.crossings
        out.append(
            f"gate crossings: {passes} gate passes through ({events} crossing "
            f"events, {first} of them at a first gate of two)"
        )
        placed, inspected = self.inspections
        out.append(
            f"inspection control: {placed} gate passes placed under it, "
            f"{inspected} inspected and released"
        )
        queued = ", ".join(f"{n} {s}" for s, n in sorted(self.deliveries.items()))
        out.append(f"sub-centre outbox: {queued or 'empty'}")
        if self.received is not None:
            out.append(
                f"sub-centre received: {self.received[0]} messages, "
                f"{self.received[1]} repeats"
            )
        if self.counts:
            told = ", ".join(f"{n} {what}" for what, n in sorted(self.counts.items()))
            out.append(f"the portals met: {told}")
        for name, (p50, p99, n) in self.latencies.items():
            out.append(
                f"{name}: p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms ({n})"
            )
        behind = ", ".join(f"{part} {n}" for part, n in self.lags)
        out.append(f"lag behind the store: {behind}")
        if self.problems:
            out.append("DOES NOT RECONCILE:")
            out.extend(f"  - {problem}" for problem in self.problems)
        else:
            out.append("everything reconciles")
        return out


def percentiles(samples: list[float]) -> tuple[float, float, int]:
    """p50 and p99 of a sample (zeros for none), and its size."""
    if not samples:
        return 0.0, 0.0, 0
    if len(samples) == 1:
        return samples[0], samples[0], 1
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49], cuts[98], len(samples)


def summarise(apps: Applications, store: ProjectionStore) -> Summary:
    """Read the day's figures from the store and check them against each other."""
    summary = Summary()
    summary.documents = [
        (str(kind), str(state), int(str(count)))
        for kind, state, count in store.query(
            "SELECT kind, state, count(*) FROM documents "
            "GROUP BY kind, state ORDER BY kind, state"
        )
    ]
    _stock(apps, store, summary)
    _deposits(store, summary)
    _crossings(store, summary)
    _deliveries(store, summary)
    summary.latencies["posting after its last blocker cleared"] = percentiles(
        [
            float(str(seconds))
            for (seconds,) in store.query(
                "SELECT extract(epoch FROM p.occurred_at - b.occurred_at) "
                "FROM document_history p JOIN document_history b "
                "ON b.aggregate_id = p.aggregate_id AND b.version = p.version - 1 "
                "WHERE p.event_type = 'Checklist.Posted'"
            )
        ]
    )
    return summary


def _stock(apps: Applications, store: ProjectionStore, summary: Summary) -> None:
    """Stock per enterprise: posted checklists, ledgers, projection."""
    posted: dict[str, Decimal] = defaultdict(Decimal)
    for checklist_id, code in store.query(
        "SELECT p.checklist_id, d.customs_code FROM checklist_progress p "
        "JOIN documents d ON d.document_id = p.checklist_id "
        "WHERE p.posted_on IS NOT NULL"
    ):
        checklist = apps.zone.get_checklist(UUID(str(checklist_id)))
        sign = 1 if checklist.head.direction is Direction.IN else -1
        posted[str(code)] += sign * sum(
            (line.quantity for line in checklist.lines), Decimal(0)
        )
    ledgers: dict[str, Decimal] = defaultdict(Decimal)
    for ledger_id, code in store.query(
        "SELECT document_id, customs_code FROM documents WHERE kind = 'ledger'"
    ):
        ledger = apps.zone.get_ledger(UUID(str(ledger_id)))
        ledgers[str(code)] += sum(
            (line.stock for line in ledger.lines.values()), Decimal(0)
        )
    projected = {
        str(code): Decimal(str(total))
        for code, total in store.query(
            "SELECT d.customs_code, sum(l.stock) FROM ledger_lines l "
            "JOIN documents d ON d.document_id = l.ledger_id GROUP BY d.customs_code"
        )
    }
    for code in sorted(set(posted) | set(ledgers) | set(projected)):
        figures = (
            posted.get(code, Decimal(0)),
            ledgers.get(code, Decimal(0)),
            projected.get(code, Decimal(0)),
        )
        summary.stock[code] = figures
        if len(set(figures)) != 1:
            summary.problems.append(
                f"stock of {code}: postings {figures[0]}, ledgers {figures[1]}, "
                f"projection {figures[2]}"
            )


def _deposits(store: ProjectionStore, summary: Summary) -> None:
    """Deposits per enterprise; paid must equal drawn + reserved + remaining."""
    for code, paid, drawn, reserved, remaining in store.query(
        "SELECT d.customs_code, sum(b.paid), sum(b.drawn), sum(b.reserved), "
        "sum(b.remaining) FROM deposit_balances b "
        "JOIN documents d ON d.document_id = b.form_id WHERE b.paid IS NOT NULL "
        "GROUP BY d.customs_code ORDER BY d.customs_code"
    ):
        row = (
            str(code),
            *(Decimal(str(x)) for x in (paid, drawn, reserved, remaining)),
        )
        summary.deposits.append(row)  # type: ignore[arg-type]
        if row[4] < 0:  # type: ignore[operator]
            summary.problems.append(f"deposits of {code} overdrawn: {row[1:]}")
    # Paid and drawn, against the events that paid and drew them.
    [(collected, drawn_events)] = store.query(
        "SELECT coalesce(sum((payload->>'amount')::numeric) FILTER (WHERE "
        "event_type = 'BusinessForm.DepositCollected'), 0), "
        "coalesce(sum((payload->>'amount')::numeric) FILTER (WHERE "
        "event_type = 'BusinessForm.DepositDrawn'), 0) FROM document_events"
    )
    paid_total = sum((row[1] for row in summary.deposits), Decimal(0))
    drawn_total = sum((row[2] for row in summary.deposits), Decimal(0))
    if Decimal(str(collected)) != paid_total:
        summary.problems.append(
            f"deposits paid {paid_total} but {collected} collected by events"
        )
    if Decimal(str(drawn_events)) != drawn_total:
        summary.problems.append(
            f"deposits drawn {drawn_total} but {drawn_events} drawn by events"
        )


def _crossings(store: ProjectionStore, summary: Summary) -> None:
    """Gate passes through the gate: each exactly once."""
    [(through, passes, first)] = store.query(
        "SELECT count(*) FILTER (WHERE payload->>'status' = 'crossed'), "
        "count(DISTINCT aggregate_id) FILTER (WHERE payload->>'status' = 'crossed'),"
        " count(*) FILTER (WHERE payload->>'status' = 'first_gate_crossed') "
        "FROM document_history WHERE event_type = 'GatePass.GateCrossed'"
    )
    [(placed, inspected)] = store.query(
        "SELECT count(*) FILTER (WHERE event_type = 'GatePass.PlacedUnderInspection'),"
        " count(*) FILTER (WHERE event_type = 'GatePass.Inspected') "
        "FROM document_history"
    )
    summary.inspections = (int(str(placed)), int(str(inspected)))
    summary.crossings = (
        int(str(passes)),
        int(str(through)) + int(str(first)),
        int(str(first)),
    )
    if through != passes:
        summary.problems.append(
            f"{through} gate crossings for {passes} gate passes: one crossed twice"
        )


def check_received(
    summary: Summary,
    delivered: set[str],
    received: set[str],
    repeats: int,
    waiting: int | None = None,
) -> None:
    """Compare what the sub-centre received with what the outbox delivered to it.

    ``delivered`` are the event ids the outbox marked delivered while this
    sub-centre listened; ``received`` the keys it recorded; ``waiting`` the
    deliveries due that are not through (all the outbox's when not given).
    """
    summary.received = (len(received), repeats)
    if delivered != received or repeats:
        summary.problems.append(
            f"the sub-centre received {len(received)} messages ({repeats} repeats); "
            f"the outbox delivered {len(delivered)}; "
            f"{len(delivered - received)} missing, {len(received - delivered)} unknown"
        )
    if waiting is None:
        waiting = sum(
            n for status, n in summary.deliveries.items() if status != "delivered"
        )
    if waiting:
        summary.problems.append(f"{waiting} sub-centre deliveries not delivered")


def _deliveries(store: ProjectionStore, summary: Summary) -> None:
    summary.deliveries = {
        str(status): int(str(n))
        for status, n in store.query(
            "SELECT status, count(*) FROM subcentre_deliveries GROUP BY status"
        )
    }

"""What a worker reports about the pipeline and the zone: lags, dead letters, facts.

``count_facts`` turns an event applied for the first time into counters;
``sample`` reads the gauges from the store (run in a thread, every few seconds);
``sample_consumer`` reads each assigned partition's lag from the Faust consumer.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bonded.bootstrap import Applications
from projections.postgres import ProjectionStore
from schemas.events import EventMessage
from streams import metrics
from streams.lag import dead_deliveries, pipeline_lags
from streams.relay import PositionStore


def count_facts(message: EventMessage) -> None:
    """Count a message the projections took for the first time."""
    metrics.EVENTS_PROJECTED.labels(message.aggregate_type).inc()
    delay = (datetime.now(UTC) - message.occurred_at).total_seconds()
    metrics.PROJECTION_DELAY.observe(max(0.0, delay))
    event = message.event_type
    if event == "GatePass.GateCrossed":
        stage = message.payload.get("status") == "first_gate_crossed"
        metrics.GATE_CROSSINGS.labels("first" if stage else "through").inc()
    elif event == "Checklist.Posted":
        metrics.POSTINGS.inc()
    elif event == "Checklist.PostingRefused":
        metrics.POSTING_REFUSALS.inc()


def sample(
    applications: Applications, store: ProjectionStore, positions: PositionStore
) -> None:
    """Set the gauges read from the store: lags, dead letters, deposits."""
    gauges = {"relay": metrics.RELAY_LAG, "projection": metrics.PROJECTION_LAG}
    for lag in pipeline_lags(applications, store, positions):
        gauges[lag.kind].labels(lag.name).set(lag.behind)
    metrics.SUBCENTRE_DEAD_LETTERS.set(dead_deliveries(store))
    for enterprise, paid, drawn, remaining, exhausted in store.query(DEPOSITS):
        metrics.DEPOSIT_PAID.labels(enterprise).set(float(paid))
        metrics.DEPOSIT_DRAWN.labels(enterprise).set(float(drawn))
        metrics.DEPOSIT_REMAINING.labels(enterprise).set(float(remaining))
        metrics.DEPOSIT_EXHAUSTED_FORMS.labels(enterprise).set(int(exhausted))


# Deposits of approved business forms per enterprise (the form's customs code).
DEPOSITS = """
SELECT d.customs_code, coalesce(sum(b.paid), 0), coalesce(sum(b.drawn), 0),
       coalesce(sum(b.remaining), 0),
       count(*) FILTER (WHERE b.paid > 0 AND b.remaining <= 0)
FROM deposit_balances b JOIN documents d ON d.document_id = b.form_id
WHERE b.paid IS NOT NULL
GROUP BY d.customs_code
"""


async def sample_consumer(consumer: Any) -> None:
    """Set each assigned partition's lag: the high watermark after the position."""
    for tp in consumer.assignment():
        highwater = consumer.highwater(tp)
        position = await consumer.position(tp)
        if highwater is None or position is None:
            continue
        metrics.CONSUMER_LAG.labels(tp.topic, str(tp.partition)).set(
            max(0, highwater - position)
        )

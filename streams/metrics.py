"""Metrics of the workers: relay, consumers, projections and the facts they see.

Facts of the zone (gate crossings, postings, refusals, deposits) are counted when
a worker applies their event for the first time, so each counts once across all
workers, whatever Kafka redelivers.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

RELAY_PUBLISHED = Counter(
    "bonded_relay_published_total",
    "Events the relay published to Kafka, by application.",
    ["application"],
)
RELAY_LAG = Gauge(
    "bonded_relay_lag_events",
    "Events stored and not yet published, by application (the active relay).",
    ["application"],
)
CONSUMER_LAG = Gauge(
    "bonded_consumer_lag_messages",
    "Messages on a partition after this worker's position, by topic and partition.",
    ["topic", "partition"],
)
PROJECTION_LAG = Gauge(
    "bonded_projection_lag_events",
    "Notifications stored after the last one a projection applied.",
    ["projection"],
)
EVENTS_PROJECTED = Counter(
    "bonded_events_projected_total",
    "Event messages applied to the projections for the first time, by topic.",
    ["topic"],
)
PROJECTION_DELAY = Histogram(
    "bonded_projection_delay_seconds",
    "Time from an event's commit to its projection.",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
GATE_CROSSINGS = Counter(
    "bonded_gate_crossings_total",
    "Vehicles crossing a gate, by stage: first (of two gates) or through (the "
    "single gate, or the second).",
    ["stage"],
)
POSTINGS = Counter(
    "bonded_postings_total",
    "Checklists posted to their ledger.",
)
POSTING_REFUSALS = Counter(
    "bonded_posting_refusals_total",
    "Postings refused because the ledger's stock fell short.",
)
SUBCENTRE_DELIVERIES = Counter(
    "bonded_subcentre_deliveries_total",
    "Attempts to deliver to the data sub-centre, by outcome (delivered, failed, dead).",
    ["outcome"],
)
SUBCENTRE_DEAD_LETTERS = Gauge(
    "bonded_subcentre_dead_letters",
    "Deliveries to the sub-centre that exhausted their attempts.",
)
DEPOSIT_PAID = Gauge(
    "bonded_deposit_paid_yuan",
    "Guarantee deposits paid on approved business forms, by enterprise.",
    ["enterprise"],
)
DEPOSIT_DRAWN = Gauge(
    "bonded_deposit_drawn_yuan",
    "Guarantee deposits drawn by approved stock slips, by enterprise.",
    ["enterprise"],
)
DEPOSIT_REMAINING = Gauge(
    "bonded_deposit_remaining_yuan",
    "Guarantee deposits neither drawn nor reserved, by enterprise.",
    ["enterprise"],
)
DEPOSIT_EXHAUSTED_FORMS = Gauge(
    "bonded_deposit_exhausted_forms",
    "Approved business forms with a deposit and nothing of it left, by enterprise.",
    ["enterprise"],
)

"""Metrics of the gateway (prometheus-client), exported at ``/metrics``."""

from __future__ import annotations

from prometheus_client import Counter

RECEIPTS = Counter(
    "bonded_customs_receipts_total",
    "Customs receipts received, by message type and what became of them.",
    ["message_type", "status"],
)
RECONCILIATION_FINDINGS = Counter(
    "bonded_reconciliation_findings_total",
    "Ledger lines whose stock differs from customs' figures after a posting.",
)

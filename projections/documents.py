"""Documents of every kind with state, enterprise, dates and latest receipt.

Enough for every query with required filters: state and enterprise (R-CHK-8),
state, enterprise and entry date (R-FORM-11, R-SLIP-7, R-GATE-13), state and entry
date (R-VEH-3), and for "view receipt" (R-DOC-10).
"""

from __future__ import annotations

from typing import Any

from projections.base import Statement, enterprise_code
from schemas.events import EventMessage

KINDS = {
    "Ledger": "ledger",
    "BusinessForm": "business_form",
    "StockSlip": "stock_slip",
    "Checklist": "checklist",
    "DeliveryOrder": "delivery_order",
    "GatePass": "gate_pass",
    "Vehicle": "vehicle",
}

DDL = """
CREATE TABLE IF NOT EXISTS documents (
    document_id uuid PRIMARY KEY,
    kind text NOT NULL,
    customs_code text NOT NULL,
    enterprise_doc_no text NOT NULL,
    document_no text,
    business_type text,
    direction text,
    document_type text,
    state text NOT NULL,
    request text,
    entered_on date NOT NULL,
    declared_at timestamptz,
    approved_on date,
    receipt_result text,
    receipt_request text,
    receipt_reason text,
    receipt_document_no text,
    receipt_at timestamptz,
    updated_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_by_filters
    ON documents (kind, customs_code, state, entered_on);
"""

RECEIPT = (
    "receipt_result = %s, receipt_request = request, receipt_reason = %s, "
    "receipt_document_no = %s, receipt_at = %s, updated_at = %s"
)


class DocumentsProjector:
    """Project the lifecycle of every document into ``documents``."""

    name = "documents"
    append_only = False
    tables = ("documents",)
    ddl = DDL

    def project(self, message: EventMessage) -> list[Statement]:
        """Insert on creation, then follow the lifecycle events."""
        kind = KINDS.get(message.aggregate_type)
        if kind is None:
            return []
        payload = message.payload
        at = message.occurred_at
        where = (message.aggregate_id,)
        event = message.name
        if event in ("Filed", "Created"):
            return [self._created(kind, message, payload)]
        if event == "Declared":
            request = str(payload.get("request") or "filing")
            return [
                Statement(
                    "UPDATE documents SET state = 'declared', request = %s, "
                    "declared_at = CASE WHEN %s = 'filing' THEN %s ELSE declared_at "
                    "END, updated_at = %s WHERE document_id = %s",
                    (request, request, at, at, *where),
                )
            ]
        if event in ("ReceiveFailed", "Rejected"):
            filing_state = "receive_failed" if event == "ReceiveFailed" else "returned"
            result = "receive_failed" if event == "ReceiveFailed" else "rejected"
            return [
                Statement(
                    "UPDATE documents SET state = CASE WHEN request = 'filing' "
                    f"THEN %s ELSE 'approved' END, {RECEIPT}, request = NULL "
                    "WHERE document_id = %s",
                    (
                        filing_state,
                        result,
                        payload.get("reason", ""),
                        "",
                        at,
                        at,
                        *where,
                    ),
                )
            ]
        if event == "RoutedToManualReview":
            return [
                Statement(
                    f"UPDATE documents SET state = 'manual_review', {RECEIPT} "
                    "WHERE document_id = %s",
                    ("manual_review", payload.get("reason", ""), "", at, at, *where),
                )
            ]
        if event == "Approved":
            number = payload.get("document_no") or ""
            return [
                Statement(
                    "UPDATE documents SET state = CASE request WHEN 'close_out' THEN "
                    "'closed' WHEN 'void' THEN 'voided' ELSE 'approved' END, "
                    "document_no = COALESCE(NULLIF(%s, ''), document_no), "
                    "approved_on = CASE WHEN request = 'filing' THEN %s::date "
                    f"ELSE approved_on END, {RECEIPT}, request = NULL "
                    "WHERE document_id = %s",
                    (number, at.date(), "approved", "", number, at, at, *where),
                )
            ]
        if event == "Deleted":
            return [
                Statement(
                    "UPDATE documents SET state = 'deleted', updated_at = %s "
                    "WHERE document_id = %s",
                    (at, *where),
                )
            ]
        return []

    @staticmethod
    def _created(
        kind: str, message: EventMessage, payload: dict[str, Any]
    ) -> Statement:
        head = payload.get("head") or {}
        document_type = head.get("checklist_type") or head.get("pass_type")
        if kind == "vehicle":
            document_type = head.get("vehicle_type")
        return Statement(
            "INSERT INTO documents (document_id, kind, customs_code, "
            "enterprise_doc_no, business_type, direction, document_type, state, "
            "entered_on, updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s, 'draft', "
            "%s, %s) ON CONFLICT (document_id) DO NOTHING",
            (
                message.aggregate_id,
                kind,
                enterprise_code(head),
                payload.get("enterprise_doc_no", ""),
                head.get("business_type"),
                head.get("direction"),
                document_type,
                message.occurred_at.date(),
                message.occurred_at,
            ),
        )

"""Gate passes per document line, checklist progress and consolidation deadlines.

``carriage`` answers "gate passes generated for this document" per line (R-SLIP-6,
R-GATE-12; line 0 stands for a gate pass carrying the whole document).
``checklist_progress`` follows a checklist from declaration to posting (R-CHK-5 …
7). ``slip_consolidation`` keeps each type A slip's one-month deadline and its
consolidated checklist (R-SLIP-5, R-CONS-1).
"""

from __future__ import annotations

from projections.base import Statement, decimal, enterprise_code
from schemas.events import EventMessage

DDL = """
CREATE TABLE IF NOT EXISTS carriage (
    document_id uuid NOT NULL,
    gate_pass_id uuid NOT NULL,
    gate_pass_ref text NOT NULL,
    line_no integer NOT NULL,
    quantity numeric,
    crossed boolean NOT NULL DEFAULT false,
    PRIMARY KEY (document_id, gate_pass_id, line_no)
);
CREATE TABLE IF NOT EXISTS checklist_progress (
    checklist_id uuid PRIMARY KEY,
    declaration_no text,
    declaration_failure text,
    declaration_released boolean NOT NULL DEFAULT false,
    slips_crossed integer NOT NULL DEFAULT 0,
    posted_on date,
    posting_refusal text,
    written_off boolean NOT NULL DEFAULT false
);
CREATE TABLE IF NOT EXISTS slip_consolidation (
    slip_id uuid PRIMARY KEY,
    customs_code text NOT NULL,
    business_type text NOT NULL,
    approved_on date,
    deadline date,
    consolidated_into uuid
);
"""

CARRIED = ("Checklist", "StockSlip", "DeliveryOrder")


class GateProjector:
    """Project carriage, checklist progress and slip consolidation."""

    name = "gate"
    append_only = False
    tables = ("carriage", "checklist_progress", "slip_consolidation")
    ddl = DDL

    def project(self, message: EventMessage) -> list[Statement]:
        """Dispatch by the aggregate and event."""
        statements = []
        if message.aggregate_type in CARRIED:
            statements += self._carriage(message)
        if message.aggregate_type == "Checklist":
            statements += self._progress(message)
        if message.aggregate_type == "StockSlip":
            statements += self._consolidation(message)
        return statements

    @staticmethod
    def _carriage(message: EventMessage) -> list[Statement]:
        payload = message.payload
        document_id = message.aggregate_id
        if message.name == "CarriageClaimed":
            claim = payload["claim"]
            rows = [(int(n), decimal(q)) for n, q in claim["quantities"]] or [(0, None)]
            return [
                Statement(
                    "INSERT INTO carriage (document_id, gate_pass_id, gate_pass_ref, "
                    "line_no, quantity) VALUES (%s, %s, %s, %s, %s) "
                    "ON CONFLICT (document_id, gate_pass_id, line_no) DO UPDATE SET "
                    "quantity = carriage.quantity + EXCLUDED.quantity",
                    (document_id, claim["gate_pass_id"], claim["gate_pass_ref"], n, q),
                )
                for n, q in rows
            ]
        key = (document_id, payload.get("gate_pass_id"))
        if message.name == "CarriageReleased":
            return [
                Statement(
                    "DELETE FROM carriage WHERE document_id = %s AND gate_pass_id = %s",
                    key,
                )
            ]
        if message.name == "CarriageCrossed":
            return [
                Statement(
                    "UPDATE carriage SET crossed = true "
                    "WHERE document_id = %s AND gate_pass_id = %s",
                    key,
                )
            ]
        return []

    @staticmethod
    def _progress(message: EventMessage) -> list[Statement]:
        payload = message.payload
        checklist = (message.aggregate_id,)
        changes = {
            "Created": None,
            "DeclarationGenerated": (
                "declaration_no = %s, declaration_failure = NULL",
                (payload.get("declaration_no"),),
            ),
            "DeclarationGenerationFailed": (
                "declaration_failure = %s",
                (payload.get("reason"),),
            ),
            "DeclarationReleased": ("declaration_released = true", ()),
            "StockSlipCrossed": ("slips_crossed = slips_crossed + 1", ()),
            "Posted": (
                "posted_on = %s, posting_refusal = NULL",
                (payload.get("posted_on"),),
            ),
            "PostingRefused": ("posting_refusal = %s", (payload.get("reason"),)),
            "WrittenOff": ("written_off = true", ()),
        }
        if message.name not in changes:
            return []
        change = changes[message.name]
        if change is None:
            return [
                Statement(
                    "INSERT INTO checklist_progress (checklist_id) VALUES (%s) "
                    "ON CONFLICT DO NOTHING",
                    checklist,
                )
            ]
        assignments, params = change
        return [
            Statement(
                f"UPDATE checklist_progress SET {assignments} WHERE checklist_id = %s",
                (*params, *checklist),
            )
        ]

    @staticmethod
    def _consolidation(message: EventMessage) -> list[Statement]:
        payload = message.payload
        slip = message.aggregate_id
        if message.name == "Created":
            head = payload.get("head") or {}
            return [
                Statement(
                    "INSERT INTO slip_consolidation (slip_id, customs_code, "
                    "business_type) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                    (slip, enterprise_code(head), head.get("business_type", "")),
                )
            ]
        if message.name == "Approved":
            day = message.occurred_at.date()
            return [
                Statement(
                    "UPDATE slip_consolidation SET "
                    "approved_on = COALESCE(approved_on, %s), "
                    "deadline = COALESCE(deadline, CASE WHEN business_type = 'A' "
                    "THEN (%s::date + interval '1 month')::date END) "
                    "WHERE slip_id = %s",
                    (day, day, slip),
                )
            ]
        if message.name == "Consolidated":
            return [
                Statement(
                    "UPDATE slip_consolidation SET consolidated_into = %s "
                    "WHERE slip_id = %s",
                    (payload.get("checklist_id"), slip),
                )
            ]
        if message.name == "ConsolidationCancelled":
            return [
                Statement(
                    "UPDATE slip_consolidation SET consolidated_into = NULL "
                    "WHERE slip_id = %s",
                    (slip,),
                )
            ]
        return []

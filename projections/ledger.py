"""Ledger lines: stock per part number, booked quantities, last posting, due dates.

``ledger_stock`` (a view) adds what approved checklists have booked but not yet
posted (预核扣) and the day each line's storage period ends (R-LEDGER-5).
"""

from __future__ import annotations

from projections.base import Statement, decimal
from schemas.events import EventMessage

DDL = """
CREATE TABLE IF NOT EXISTS ledger_lines (
    ledger_id uuid NOT NULL,
    part_no text NOT NULL,
    serial integer NOT NULL,
    hs_code text NOT NULL,
    name text NOT NULL,
    unit text NOT NULL,
    stock numeric NOT NULL,
    storage_period_months integer NOT NULL,
    entered_on date NOT NULL,
    last_checklist_no text NOT NULL,
    last_posted_on date,
    PRIMARY KEY (ledger_id, part_no)
);
CREATE TABLE IF NOT EXISTS ledger_bookings (
    ledger_id uuid NOT NULL,
    checklist_no text NOT NULL,
    part_no text NOT NULL,
    quantity numeric NOT NULL,
    PRIMARY KEY (ledger_id, checklist_no, part_no)
);
CREATE TABLE IF NOT EXISTS ledger_pending_changes (
    ledger_id uuid NOT NULL,
    part_no text NOT NULL,
    hs_code text,
    storage_period_months integer,
    PRIMARY KEY (ledger_id, part_no)
);
CREATE TABLE IF NOT EXISTS ledger_findings (
    ledger_id uuid NOT NULL,
    checklist_no text NOT NULL,
    part_no text NOT NULL,
    ours numeric NOT NULL,
    customs numeric NOT NULL,
    found_at timestamptz NOT NULL,
    PRIMARY KEY (ledger_id, checklist_no, part_no)
);
CREATE OR REPLACE VIEW ledger_stock AS
SELECT l.ledger_id, l.part_no, l.serial, l.hs_code, l.name, l.unit, l.stock,
       COALESCE(b.booked_in, 0) AS booked_in, COALESCE(b.booked_out, 0) AS booked_out,
       l.last_checklist_no, l.last_posted_on, l.entered_on,
       (l.entered_on + make_interval(months => l.storage_period_months))::date
           AS storage_due
FROM ledger_lines l
LEFT JOIN (
    SELECT ledger_id, part_no,
           SUM(GREATEST(quantity, 0)) AS booked_in,
           SUM(GREATEST(-quantity, 0)) AS booked_out
    FROM ledger_bookings GROUP BY ledger_id, part_no
) b USING (ledger_id, part_no);
"""


class LedgerProjector:
    """Project ledger events into ``ledger_lines`` and its companions."""

    name = "ledger_lines"
    append_only = False
    tables = (
        "ledger_lines",
        "ledger_bookings",
        "ledger_pending_changes",
        "ledger_findings",
    )
    ddl = DDL

    def project(self, message: EventMessage) -> list[Statement]:
        """Follow line filings, postings, bookings and amendments of lines."""
        if message.aggregate_type != "Ledger":
            return []
        payload = message.payload
        ledger_id = message.aggregate_id
        event = message.name
        if event == "LineFiled":
            line = payload["line"]
            return [
                Statement(
                    "INSERT INTO ledger_lines (ledger_id, part_no, serial, hs_code, "
                    "name, unit, stock, storage_period_months, entered_on, "
                    "last_checklist_no) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, "
                    "%s) ON CONFLICT DO NOTHING",
                    (
                        ledger_id,
                        line["part_no"],
                        line["serial"],
                        line["hs_code"],
                        line["name"],
                        line["unit"],
                        decimal(line["stock"]),
                        line["storage_period_months"],
                        line["entered_on"],
                        line["last_checklist_no"],
                    ),
                )
            ]
        if event in ("Increased", "Deducted"):
            quantity = decimal(payload["quantity"])
            sign = 1 if event == "Increased" else -1
            entered = "%s::date" if event == "Increased" else "entered_on"
            params: tuple[object, ...] = (sign * quantity,)
            if event == "Increased":
                params = (*params, payload["posted_on"])
            return [
                Statement(
                    "UPDATE ledger_lines SET stock = stock + %s, "
                    f"entered_on = {entered}, last_checklist_no = %s, "
                    "last_posted_on = %s "
                    "WHERE ledger_id = %s AND part_no = %s",
                    (
                        *params,
                        payload["checklist_no"],
                        payload["posted_on"],
                        ledger_id,
                        payload["part_no"],
                    ),
                )
            ]
        if event == "Booked":
            return [
                Statement(
                    "INSERT INTO ledger_bookings (ledger_id, checklist_no, part_no, "
                    "quantity) VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
                    (ledger_id, payload["checklist_no"], part_no, decimal(quantity)),
                )
                for part_no, quantity in sorted(payload["quantities"].items())
            ]
        if event == "BookingSettled":
            return [
                Statement(
                    "DELETE FROM ledger_bookings WHERE ledger_id = %s "
                    "AND checklist_no = %s",
                    (ledger_id, payload["checklist_no"]),
                )
            ]
        if event == "Reconciled":
            checklist_no = payload["checklist_no"]
            return [
                Statement(
                    "DELETE FROM ledger_findings WHERE ledger_id = %s "
                    "AND checklist_no = %s",
                    (ledger_id, checklist_no),
                ),
                *(
                    Statement(
                        "INSERT INTO ledger_findings (ledger_id, checklist_no, "
                        "part_no, ours, customs, found_at) "
                        "VALUES (%s, %s, %s, %s, %s, %s)",
                        (
                            ledger_id,
                            checklist_no,
                            part_no,
                            decimal(ours),
                            decimal(customs),
                            message.occurred_at,
                        ),
                    )
                    for part_no, ours, customs in payload["differences"]
                ),
            ]
        if event == "Declared" and payload.get("request") == "amendment":
            changes = (payload.get("changes") or {}).get("line_changes") or []
            return [
                Statement(
                    "INSERT INTO ledger_pending_changes (ledger_id, part_no, hs_code, "
                    "storage_period_months) VALUES (%s, %s, %s, %s) "
                    "ON CONFLICT (ledger_id, part_no) DO UPDATE SET "
                    "hs_code = EXCLUDED.hs_code, "
                    "storage_period_months = EXCLUDED.storage_period_months",
                    (
                        ledger_id,
                        change["part_no"],
                        change.get("hs_code"),
                        change.get("storage_period_months"),
                    ),
                )
                for change in changes
            ]
        if event == "Approved":
            return [
                Statement(
                    "UPDATE ledger_lines l SET "
                    "hs_code = COALESCE(c.hs_code, l.hs_code), "
                    "storage_period_months = COALESCE(c.storage_period_months, "
                    "l.storage_period_months) FROM ledger_pending_changes c "
                    "WHERE c.ledger_id = l.ledger_id AND c.part_no = l.part_no "
                    "AND l.ledger_id = %s",
                    (ledger_id,),
                ),
                self._drop_pending(message),
            ]
        if event in ("Rejected", "ReceiveFailed"):
            return [self._drop_pending(message)]
        return []

    @staticmethod
    def _drop_pending(message: EventMessage) -> Statement:
        return Statement(
            "DELETE FROM ledger_pending_changes WHERE ledger_id = %s",
            (message.aggregate_id,),
        )

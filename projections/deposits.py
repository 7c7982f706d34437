"""Guarantee deposits per business form, and goods movements per form line.

``deposit_balances`` (a view) gives paid, reserved by declared slips, drawn by
approved slips, and remaining (R-SLIP-3). ``form_line_movements`` lists per form
line the stock slips drawn on it (R-FORM-10).
"""

from __future__ import annotations

from projections.base import Statement, decimal
from schemas.events import EventMessage

DDL = """
CREATE TABLE IF NOT EXISTS deposits (
    form_id uuid PRIMARY KEY,
    paid numeric,
    reserved numeric NOT NULL DEFAULT 0,
    drawn numeric NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS form_slip_claims (
    form_id uuid NOT NULL,
    slip_id uuid NOT NULL,
    amount numeric NOT NULL,
    drawn boolean NOT NULL DEFAULT false,
    PRIMARY KEY (form_id, slip_id)
);
CREATE TABLE IF NOT EXISTS form_line_movements (
    form_id uuid NOT NULL,
    form_line_no integer NOT NULL,
    slip_id uuid NOT NULL,
    quantity numeric NOT NULL,
    drawn boolean NOT NULL DEFAULT false,
    PRIMARY KEY (form_id, form_line_no, slip_id)
);
CREATE OR REPLACE VIEW deposit_balances AS
SELECT form_id, paid, reserved, drawn, paid - reserved - drawn AS remaining
FROM deposits;
"""


class DepositsProjector:
    """Project deposits and slip claims of business forms."""

    name = "deposits"
    append_only = False
    tables = ("deposits", "form_slip_claims", "form_line_movements")
    ddl = DDL

    def project(self, message: EventMessage) -> list[Statement]:
        """Follow deposit collection and the claims, draws and releases of slips."""
        if message.aggregate_type != "BusinessForm":
            return []
        payload = message.payload
        form_id = message.aggregate_id
        event = message.name
        if event == "Created":
            return [
                Statement(
                    "INSERT INTO deposits (form_id) VALUES (%s) ON CONFLICT DO NOTHING",
                    (form_id,),
                )
            ]
        if event == "DepositCollected":
            return [
                Statement(
                    "UPDATE deposits SET paid = COALESCE(paid, 0) + %s "
                    "WHERE form_id = %s",
                    (decimal(payload["amount"]), form_id),
                )
            ]
        if event == "SlipClaimed":
            claim = payload["claim"]
            slip_id = claim["slip_id"]
            amount = decimal(claim["amount"])
            statements = [
                Statement(
                    "INSERT INTO form_slip_claims (form_id, slip_id, amount) "
                    "VALUES (%s, %s, %s)",
                    (form_id, slip_id, amount),
                ),
                Statement(
                    "UPDATE deposits SET reserved = reserved + %s WHERE form_id = %s",
                    (amount, form_id),
                ),
            ]
            totals: dict[int, object] = {}
            for line_no, quantity in claim["quantities"]:
                totals[int(line_no)] = decimal(quantity) + decimal(
                    totals.get(int(line_no), 0)
                )
            statements += [
                Statement(
                    "INSERT INTO form_line_movements (form_id, form_line_no, slip_id, "
                    "quantity) VALUES (%s, %s, %s, %s)",
                    (form_id, line_no, slip_id, quantity),
                )
                for line_no, quantity in sorted(totals.items())
            ]
            return statements
        slip = (form_id, payload.get("slip_id"))
        if event == "DepositDrawn":
            return [
                Statement(
                    "UPDATE deposits d SET reserved = d.reserved - c.amount, "
                    "drawn = d.drawn + c.amount FROM form_slip_claims c "
                    "WHERE c.form_id = d.form_id AND d.form_id = %s AND c.slip_id = %s "
                    "AND NOT c.drawn",
                    slip,
                ),
                Statement(
                    "UPDATE form_slip_claims SET drawn = true "
                    "WHERE form_id = %s AND slip_id = %s",
                    slip,
                ),
                Statement(
                    "UPDATE form_line_movements SET drawn = true "
                    "WHERE form_id = %s AND slip_id = %s",
                    slip,
                ),
            ]
        if event == "SlipReleased":
            return [
                Statement(
                    "UPDATE deposits d SET "
                    "reserved = d.reserved - CASE WHEN c.drawn THEN 0 ELSE c.amount "
                    "END, drawn = d.drawn - CASE WHEN c.drawn THEN c.amount ELSE 0 END "
                    "FROM form_slip_claims c WHERE c.form_id = d.form_id "
                    "AND d.form_id = %s AND c.slip_id = %s",
                    slip,
                ),
                Statement(
                    "DELETE FROM form_slip_claims WHERE form_id = %s AND slip_id = %s",
                    slip,
                ),
                Statement(
                    "DELETE FROM form_line_movements WHERE form_id = %s "
                    "AND slip_id = %s",
                    slip,
                ),
            ]
        return []

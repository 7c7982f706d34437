"""The delivery order (提货单): goods let into the zone before their declaration.

For goods that enter the zone first and are declared later (一线先入区后报关), the
enterprise declares a delivery order; once customs approves it, the goods may be
taken from the port into the zone on a type 1 gate pass (R-DLV-1, R-GATE-2). No
customs message carries it (``messages.md`` §3.11): it is a document of this system,
with the lifecycle every document shares.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from aggregates.common.carriage import CarriedDocument
from aggregates.common.errors import ValidationError
from aggregates.common.lifecycle import document_id
from aggregates.common.values import (
    Enterprise,
    check_hs_code,
    check_text,
    to_decimal,
)


@dataclass(frozen=True)
class DeliveryOrderHead:
    """Who takes the goods, from which port, under which bill of lading."""

    zone_enterprise: Enterprise
    ledger_no: str
    bill_of_lading_no: str
    port_code: str
    arrival_note: str = ""


@dataclass(frozen=True)
class DeliveryOrderLine:
    """Goods to take into the zone."""

    line_no: int
    part_no: str
    hs_code: str
    name: str
    unit: str
    quantity: Decimal


def check_delivery_order(
    head: DeliveryOrderHead, lines: tuple[DeliveryOrderLine, ...]
) -> tuple[DeliveryOrderLine, ...]:
    """Validate a delivery order's head and lines (R-DLV-1, R-DOC-6)."""
    check_text(head.ledger_no, field="ledger_no", max_length=64)
    check_text(head.bill_of_lading_no, field="bill_of_lading_no", max_length=64)
    if not (len(head.port_code) == 4 and head.port_code.isdigit()):
        raise ValidationError(
            f"port_code {head.port_code!r} must be 4 digits",
            rule="R-DOC-6",
            field="port_code",
        )
    check_text(head.arrival_note, field="arrival_note", max_length=255, required=False)
    if not lines:
        raise ValidationError(
            "a delivery order needs at least one line", rule="R-DOC-1", field="lines"
        )
    if [line.line_no for line in lines] != list(range(1, len(lines) + 1)):
        raise ValidationError(
            "line numbers must run 1, 2, … in order", rule="R-DOC-1", field="lines"
        )
    for line in lines:
        field = f"lines[{line.line_no}]"
        check_text(line.part_no, field=f"{field}.part_no", max_length=32)
        check_hs_code(line.hs_code, field=f"{field}.hs_code")
        check_text(line.name, field=f"{field}.name", max_length=512)
        check_text(line.unit, field=f"{field}.unit", max_length=3)
        to_decimal(line.quantity, field=f"{field}.quantity")
    return tuple(lines)


class DeliveryOrder(CarriedDocument):
    """A delivery order (提货单) for goods entering before their declaration."""

    kind = "delivery order"

    @staticmethod
    def create_id(head: DeliveryOrderHead, enterprise_doc_no: str, **_: Any) -> UUID:
        """Derive the id from the zone enterprise and its own number."""
        return document_id(
            "delivery_order", head.zone_enterprise.customs_code, enterprise_doc_no
        )

    @event("Created")
    def __init__(
        self,
        head: DeliveryOrderHead,
        enterprise_doc_no: str,
        lines: tuple[DeliveryOrderLine, ...],
    ) -> None:
        self._start_lifecycle()
        self._start_carriage()
        self.enterprise_doc_no = enterprise_doc_no
        self.head = head
        self.lines = tuple(lines)

    @classmethod
    def create(
        cls,
        head: DeliveryOrderHead,
        enterprise_doc_no: str,
        lines: tuple[DeliveryOrderLine, ...],
    ) -> DeliveryOrder:
        """Save a new delivery order as a draft."""
        check_text(enterprise_doc_no, field="enterprise_doc_no", max_length=64)
        return cls(head, enterprise_doc_no, check_delivery_order(head, tuple(lines)))

    def copy(self, enterprise_doc_no: str) -> DeliveryOrder:
        """Make a new draft from this delivery order."""
        return DeliveryOrder.create(self.head, enterprise_doc_no, self.lines)

    def modify(
        self, head: DeliveryOrderHead, lines: tuple[DeliveryOrderLine, ...]
    ) -> None:
        """Replace head and lines of a modifiable delivery order (R-DOC-3)."""
        self.require_modifiable()
        if head.zone_enterprise != self.head.zone_enterprise:
            raise ValidationError(
                "the zone enterprise of a delivery order cannot change",
                rule="R-DOC-12",
                field="zone_enterprise",
            )
        self._modify(head, check_delivery_order(head, tuple(lines)))

    @event("Modified")
    def _modify(
        self, head: DeliveryOrderHead, lines: tuple[DeliveryOrderLine, ...]
    ) -> None:
        self.head = head
        self.lines = tuple(lines)

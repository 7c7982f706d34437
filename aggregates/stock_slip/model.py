"""The stock slip (出入库单) aggregate (R-SLIP-1 … R-SLIP-5)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from aggregates.business_form.rules import BusinessType
from aggregates.common.carriage import CarriedDocument
from aggregates.common.errors import InvalidTransitionError, ValidationError
from aggregates.common.lifecycle import Request, State, document_id
from aggregates.common.values import (
    Direction,
    Enterprise,
    add_months,
    check_text,
    to_decimal,
)

# R-SLIP-5: type A slips are consolidated into a checklist within one month.
CONSOLIDATION_MONTHS = 1


@dataclass(frozen=True)
class SlipHead:
    """The head of a stock slip: the form it draws on and the zone enterprise."""

    business_form_id: UUID
    business_form_no: str
    business_type: BusinessType
    direction: Direction
    zone_enterprise: Enterprise


@dataclass(frozen=True)
class SlipLine:
    """A slip line: which form line it draws on, how much, at what unit price."""

    line_no: int
    form_line_no: int
    quantity: Decimal
    unit_price: Decimal

    @property
    def amount(self) -> Decimal:
        """The line's value."""
        return self.quantity * self.unit_price


def check_slip_lines(lines: tuple[SlipLine, ...]) -> tuple[SlipLine, ...]:
    """Check a slip's lines: at least one, unique numbers, positive quantities."""
    if not lines:
        raise ValidationError(
            "a stock slip needs at least one line", rule="R-SLIP-2", field="lines"
        )
    numbers = [line.line_no for line in lines]
    if len(set(numbers)) != len(numbers):
        raise ValidationError(
            "line numbers must be unique", rule="R-DOC-1", field="lines"
        )
    for line in lines:
        field = f"lines[{line.line_no}]"
        to_decimal(line.quantity, field=f"{field}.quantity")
        to_decimal(line.unit_price, field=f"{field}.unit_price", positive=False)
    return tuple(lines)


class StockSlip(CarriedDocument):
    """A stock slip (出入库单): goods moved into or out of the zone under a form.

    Its direction is the form's (``Direction.IN`` / ``Direction.OUT``).
    """

    kind = "stock slip"

    @staticmethod
    def create_id(head: SlipHead, enterprise_doc_no: str, **_: Any) -> UUID:
        """Derive the id from the zone enterprise and its own number."""
        return document_id(
            "stock_slip", head.zone_enterprise.customs_code, enterprise_doc_no
        )

    @event("Created")
    def __init__(
        self, head: SlipHead, enterprise_doc_no: str, lines: tuple[SlipLine, ...]
    ) -> None:
        self._start_lifecycle()
        self._start_carriage()
        self.enterprise_doc_no = enterprise_doc_no
        self.head = head
        self.lines = tuple(lines)
        self.consolidated_into: str | None = None

    @classmethod
    def create(
        cls, head: SlipHead, enterprise_doc_no: str, lines: tuple[SlipLine, ...]
    ) -> StockSlip:
        """Save a new slip as a draft (R-SLIP-1)."""
        check_text(enterprise_doc_no, field="enterprise_doc_no", max_length=64)
        return cls(head, enterprise_doc_no, check_slip_lines(tuple(lines)))

    def copy(self, enterprise_doc_no: str) -> StockSlip:
        """Make a new draft with this slip's head and lines."""
        return StockSlip.create(self.head, enterprise_doc_no, self.lines)

    @property
    def amount(self) -> Decimal:
        """The slip's value: what its approval draws from the deposit (R-SLIP-3)."""
        return sum((line.amount for line in self.lines), Decimal(0))

    @property
    def quantities(self) -> tuple[tuple[int, Decimal], ...]:
        """Form line numbers with the quantities this slip takes from them."""
        return tuple((line.form_line_no, line.quantity) for line in self.lines)

    def modify(self, lines: tuple[SlipLine, ...]) -> None:
        """Replace the lines of a modifiable slip (R-DOC-3)."""
        self.require_modifiable()
        self._modify(check_slip_lines(tuple(lines)))

    @event("Modified")
    def _modify(self, lines: tuple[SlipLine, ...]) -> None:
        self.lines = tuple(lines)

    def declare_void(self) -> None:
        """Ask customs to void an approved slip (R-SLIP-4).

        Only a slip not yet consolidated and not yet through the gate may be voided.
        """
        if self.consolidated_into is not None:
            raise ValidationError(
                f"the slip is consolidated into checklist {self.consolidated_into}",
                rule="R-SLIP-4",
                field="consolidated_into",
            )
        if self.any_goods_crossed:
            raise ValidationError(
                "the slip's goods have crossed the gate",
                rule="R-SLIP-4",
                field="carriage",
            )
        self._declare_request(Request.VOID, None, "R-SLIP-4")

    def consolidate(self, checklist_id: str) -> None:
        """Record that a consolidated checklist lists this slip (R-CONS-1, R-CONS-5)."""
        if (
            self.state is not State.APPROVED
            or self.head.business_type is not BusinessType.SEPARATE_SHIPMENT
        ):
            raise InvalidTransitionError(
                "consolidate", self.state, rule="R-CONS-1", allowed=("approved type A",)
            )
        if self.consolidated_into is not None:
            raise ValidationError(
                f"stock slip {self.document_no} is already in checklist "
                f"{self.consolidated_into}",
                rule="R-CONS-5",
                field="stock_slip_ids",
            )
        self._consolidate(checklist_id)

    @event("Consolidated")
    def _consolidate(self, checklist_id: str) -> None:
        self.consolidated_into = checklist_id

    def release_consolidation(self, checklist_id: str) -> None:
        """Free the slip when its consolidated checklist is cancelled (R-CONS-3)."""
        if self.consolidated_into == checklist_id:
            self._release_consolidation(checklist_id)

    @event("ConsolidationCancelled")
    def _release_consolidation(self, checklist_id: str) -> None:
        self.consolidated_into = None

    def consolidation_deadline(self) -> date | None:
        """The last day to consolidate a type A slip (R-SLIP-5), else ``None``."""
        if (
            self.head.business_type is not BusinessType.SEPARATE_SHIPMENT
            or self.approved_on is None
        ):
            return None
        return add_months(self.approved_on, CONSOLIDATION_MONTHS)

    def is_at_consolidation_risk(self, as_of: date, within_days: int = 7) -> bool:
        """Whether an unconsolidated type A slip nears its deadline (R-SLIP-5)."""
        deadline = self.consolidation_deadline()
        return (
            deadline is not None
            and self.state is State.APPROVED
            and self.consolidated_into is None
            and (deadline - as_of).days <= within_days
        )

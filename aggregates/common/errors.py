"""Errors raised when an aggregate or application refuses a command.

Every class here is a ``DomainError`` (never retried); each carries the rule number
(``domain/rules.md``) and, where one is at fault, the field::

    DomainError
    ├── ValidationError               a field breaks a rule
    │   ├── MalformedCodeError        a code or number is not well formed
    │   └── UnknownEnterpriseError    a customs code the register does not know
    ├── InvalidTransitionError        the document's state forbids the command
    ├── DocumentNotFoundError         no such document
    ├── NoReceiptError                no customs receipt has arrived yet
    ├── InsufficientStockError        a deduction would make ledger stock negative
    ├── InsufficientQuantityError     slips would exceed their business form line
    ├── InsufficientDepositError      a slip's amount exceeds the remaining deposit
    ├── ExcessCarriageError           gate passes would carry more than a document
    ├── VehicleBusyError              the vehicle already has an active gate pass
    ├── AttachmentError               an attachment is refused (not a PDF, too big)
    └── IdempotencyKeyConflictError   a key was reused for a different command
"""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from bonded.errors import DomainError


class ValidationError(DomainError):
    """A field of a command breaks a rule."""


class MalformedCodeError(ValidationError):
    """A code or number is not well formed (length, characters, check character)."""


class UnknownEnterpriseError(ValidationError):
    """A customs code that the enterprise register does not know (R-DOC-7)."""

    def __init__(self, customs_code: str, *, field: str = "customs_code") -> None:
        super().__init__(
            f"enterprise {customs_code!r} is not in the enterprise register",
            rule="R-DOC-7",
            field=field,
        )
        self.customs_code = customs_code


class InvalidTransitionError(DomainError):
    """The document's state forbids the command (e.g. modifying a declared slip)."""

    def __init__(
        self, command: str, state: str, *, rule: str, allowed: tuple[str, ...] = ()
    ) -> None:
        allowed_text = f"; allowed in: {', '.join(allowed)}" if allowed else ""
        super().__init__(
            f"cannot {command} a document in state {str(state)!r}{allowed_text}",
            rule=rule,
        )
        self.command = command
        self.state = state
        self.allowed = allowed


class DocumentNotFoundError(DomainError):
    """No document of this kind has this id."""

    def __init__(self, kind: str, document_id: UUID | str) -> None:
        super().__init__(f"no {kind} with id {document_id}")
        self.kind = kind
        self.document_id = str(document_id)


class NoReceiptError(DomainError):
    """No customs receipt has arrived for the document yet (R-DOC-10)."""

    def __init__(self, kind: str, document_id: UUID | str) -> None:
        super().__init__(
            f"no customs receipt has arrived for {kind} {document_id}", rule="R-DOC-10"
        )
        self.kind = kind
        self.document_id = str(document_id)


class InsufficientStockError(DomainError):
    """A deduction would make a ledger line negative (R-LEDGER-4)."""

    def __init__(
        self, ledger_no: str, part_no: str, requested: Decimal, available: Decimal
    ) -> None:
        super().__init__(
            f"ledger {ledger_no or '(unnumbered)'} part {part_no!r}: cannot deduct "
            f"{requested}, stock is {available}",
            rule="R-LEDGER-4",
            field="quantity",
        )
        self.ledger_no = ledger_no
        self.part_no = part_no
        self.requested = requested
        self.available = available


class InsufficientQuantityError(DomainError):
    """Slips would draw more than a business form line holds (R-SLIP-2)."""

    def __init__(
        self, form_line_no: int, requested: Decimal, available: Decimal
    ) -> None:
        super().__init__(
            f"business form line {form_line_no}: {requested} requested, "
            f"{available} left for stock slips",
            rule="R-SLIP-2",
            field="quantity",
        )
        self.form_line_no = form_line_no
        self.requested = requested
        self.available = available


class InsufficientDepositError(DomainError):
    """A slip's amount exceeds the remaining guarantee deposit (R-SLIP-3)."""

    def __init__(self, requested: Decimal, available: Decimal) -> None:
        super().__init__(
            f"stock slip amount {requested} exceeds the remaining deposit {available}",
            rule="R-SLIP-3",
            field="amount",
        )
        self.requested = requested
        self.available = available


class ExcessCarriageError(DomainError):
    """Gate passes would carry more of a document's line than it holds (R-GATE-6)."""

    def __init__(
        self, document: str, line_no: int, requested: Decimal, available: Decimal
    ) -> None:
        super().__init__(
            f"{document} line {line_no}: {requested} requested, {available} not yet "
            f"on a gate pass",
            rule="R-GATE-6",
            field="quantity",
        )
        self.line_no = line_no
        self.requested = requested
        self.available = available


class VehicleBusyError(DomainError):
    """A vehicle carries one gate pass at a time (R-GATE-3)."""

    def __init__(self, vehicle_no: str, gate_pass: str) -> None:
        super().__init__(
            f"vehicle {vehicle_no} already has the active gate pass {gate_pass}",
            rule="R-GATE-3",
            field="vehicle_no",
        )
        self.vehicle_no = vehicle_no
        self.gate_pass = gate_pass


class AttachmentError(ValidationError):
    """An attachment is refused (R-DOC-8)."""


class IdempotencyKeyConflictError(DomainError):
    """An idempotency key was already used for a different command."""

    def __init__(self, key: str) -> None:
        super().__init__(
            f"idempotency key {key!r} was already used for a different command",
            field="command_id",
        )
        self.key = key

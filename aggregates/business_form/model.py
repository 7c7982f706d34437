"""The business form (业务申报表) aggregate (R-FORM-1 … 9, R-SLIP-2, R-SLIP-3)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from aggregates.business_form.rules import (
    FormHead,
    FormLine,
    UnitConsumption,
    check_lines,
    check_unit_consumptions,
    completed_head,
)
from aggregates.common.errors import (
    InsufficientDepositError,
    InsufficientQuantityError,
    InvalidTransitionError,
    ValidationError,
)
from aggregates.common.lifecycle import Document, Request, State, document_id
from aggregates.common.values import check_text, to_decimal


@dataclass(frozen=True)
class FormAmendment:
    """An amendment (变更) of an approved form: new lines and unit consumptions only."""

    lines: tuple[FormLine, ...] = ()
    unit_consumptions: tuple[UnitConsumption, ...] = ()


@dataclass(frozen=True)
class SlipClaim:
    """What one declared or approved stock slip takes from the form.

    ``quantities`` pairs form line numbers with quantities; ``amount`` is the slip's
    value, reserved against the deposit at declaration and drawn at approval.
    """

    slip_id: str
    quantities: tuple[tuple[int, Decimal], ...]
    amount: Decimal
    drawn: bool = False

    def packed(self) -> str:
        """The claim as one string: ``amount|held-or-drawn|line=qty;line=qty``.

        A form holds one claim per slip for as long as the slip may still be voided,
        thousands over a form's life; as strings they cost a snapshot one JSON
        string each instead of an object and a decimal per quantity to read back,
        and a cached form's copy a string each.
        """
        lines = ";".join(
            f"{line_no}={quantity}" for line_no, quantity in self.quantities
        )
        return f"{self.amount}|{'drawn' if self.drawn else 'held'}|{lines}"

    @classmethod
    def unpacked(cls, slip_id: str, packed: str) -> SlipClaim:
        """Read back a claim written by ``packed``."""
        amount, state, lines = packed.split("|")
        quantities = tuple(
            (int(line_no), Decimal(quantity))
            for line_no, quantity in (
                pair.split("=") for pair in lines.split(";") if pair
            )
        )
        return cls(slip_id, quantities, Decimal(amount), drawn=state == "drawn")


class BusinessForm(Document):
    """A business form (业务申报表): goods, quantities and deposit for a business.

    Stock slips draw on it: quantity per line (R-SLIP-2) and the guarantee deposit
    (R-SLIP-3). A slip's claim is made when the slip is declared, turned into a draw
    when customs approves the slip, and released when the slip is returned, fails,
    or is voided. **Decision**: drafts claim nothing; they are checked when declared.

    The claims are kept packed (``SlipClaim.packed``) beside running totals per
    line and for the deposit, so a declaration's checks do not walk every claim
    the form holds. This is version 2 of the class; a version 1 snapshot (claims
    as objects, no totals) is read through ``upcast_v1_v2``.
    """

    kind = "business form"
    class_version = 2

    @staticmethod
    def create_id(head: FormHead, enterprise_doc_no: str, **_: Any) -> UUID:
        """Derive the id from the zone enterprise and its own number."""
        return document_id(
            "business_form", head.zone_enterprise.customs_code, enterprise_doc_no
        )

    @event("Created")
    def __init__(
        self,
        head: FormHead,
        enterprise_doc_no: str,
        lines: tuple[FormLine, ...],
        unit_consumptions: tuple[UnitConsumption, ...],
    ) -> None:
        self._start_lifecycle()
        self.enterprise_doc_no = enterprise_doc_no
        self.head = head
        self.lines = tuple(lines)
        self.unit_consumptions = tuple(unit_consumptions)
        self.deposit: Decimal | None = None
        # Slip id -> packed claim, and what the claims add up to.
        self.claims: dict[str, str] = {}
        self.claimed_quantities: dict[str, Decimal] = {}
        self.deposit_reserved = Decimal(0)
        self.deposit_drawn = Decimal(0)

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """Pack a version 1 snapshot's claims and add up their totals."""
        claims: dict[str, SlipClaim] = state["claims"]
        totals: dict[str, Decimal] = {}
        for claim in claims.values():
            for line_no, quantity in claim.quantities:
                key = str(line_no)
                totals[key] = totals.get(key, Decimal(0)) + Decimal(quantity)
        state["claims"] = {slip_id: c.packed() for slip_id, c in claims.items()}
        state["claimed_quantities"] = totals
        state["deposit_reserved"] = sum(
            (c.amount for c in claims.values() if not c.drawn), Decimal(0)
        )
        state["deposit_drawn"] = sum(
            (c.amount for c in claims.values() if c.drawn), Decimal(0)
        )

    @classmethod
    def create(
        cls,
        head: FormHead,
        enterprise_doc_no: str,
        lines: tuple[FormLine, ...],
        unit_consumptions: tuple[UnitConsumption, ...] = (),
    ) -> BusinessForm:
        """Save a new form as a draft, after its field rules (R-FORM-2 … R-FORM-6)."""
        check_text(enterprise_doc_no, field="enterprise_doc_no", max_length=64)
        head = completed_head(head)
        lines = check_lines(head, tuple(lines))
        rows = check_unit_consumptions(head, lines, tuple(unit_consumptions))
        return cls(head, enterprise_doc_no, lines, rows)

    def copy(self, enterprise_doc_no: str) -> BusinessForm:
        """Make a new draft with this form's head, lines and unit consumptions."""
        lines = tuple(replace(line, filled_from_ledger=False) for line in self.lines)
        return BusinessForm.create(
            self.head, enterprise_doc_no, lines, self.unit_consumptions
        )

    def line(self, line_no: int) -> FormLine | None:
        """The line with this number, if any."""
        return next((line for line in self.lines if line.line_no == line_no), None)

    # Modification before approval (R-FORM-7), amendment after (R-FORM-8).

    def modify(
        self,
        head: FormHead,
        lines: tuple[FormLine, ...],
        unit_consumptions: tuple[UnitConsumption, ...] = (),
    ) -> None:
        """Replace head and lines of a modifiable form (R-FORM-7, R-FORM-5 item 5)."""
        self.require_modifiable()
        head = completed_head(head)
        lines = check_lines(head, tuple(lines))
        rows = check_unit_consumptions(head, lines, tuple(unit_consumptions))
        for line in self.lines:
            new = next((n for n in lines if n.line_no == line.line_no), None)
            if line.filled_from_ledger and (
                new is None
                or (new.ledger_serial, new.part_no, new.hs_code, new.name)
                != (line.ledger_serial, line.part_no, line.hs_code, line.name)
            ):
                raise ValidationError(
                    f"line {line.line_no} was filled in from ledger serial "
                    f"{line.ledger_serial} and cannot change",
                    rule="R-FORM-5",
                    field=f"lines[{line.line_no}].ledger_serial",
                )
        self._modify(head, lines, rows)

    @event("Modified")
    def _modify(
        self,
        head: FormHead,
        lines: tuple[FormLine, ...],
        unit_consumptions: tuple[UnitConsumption, ...],
    ) -> None:
        self.head = head
        self.lines = tuple(lines)
        self.unit_consumptions = tuple(unit_consumptions)

    def declare_amendment(self, amendment: FormAmendment) -> None:
        """Declare an amendment that only adds lines or unit consumptions (R-FORM-8)."""
        if not amendment.lines and not amendment.unit_consumptions:
            raise ValidationError(
                "an amendment must add something", rule="R-FORM-8", field="lines"
            )
        existing = {line.line_no for line in self.lines}
        for line in amendment.lines:
            if line.line_no in existing:
                raise ValidationError(
                    f"line {line.line_no} exists; an amendment may only add lines, "
                    f"never modify or delete them",
                    rule="R-FORM-8",
                    field=f"lines[{line.line_no}]",
                )
        existing_rows = {
            (r.product_line_no, r.material_line_no) for r in self.unit_consumptions
        }
        for row in amendment.unit_consumptions:
            if (row.product_line_no, row.material_line_no) in existing_rows:
                raise ValidationError(
                    f"unit consumption {row.product_line_no}/{row.material_line_no} "
                    f"exists; an amendment may only add rows",
                    rule="R-FORM-8",
                    field="unit_consumptions",
                )
        lines = check_lines(self.head, (*self.lines, *amendment.lines))
        check_unit_consumptions(
            self.head, lines, (*self.unit_consumptions, *amendment.unit_consumptions)
        )
        self._declare_request(Request.AMENDMENT, amendment, "R-FORM-8")

    def _apply_amendment(self, changes: Any) -> None:
        assert isinstance(changes, FormAmendment)
        self.lines = (*self.lines, *changes.lines)
        self.unit_consumptions = (*self.unit_consumptions, *changes.unit_consumptions)

    def declare_close_out(self) -> None:
        """Ask customs to close the form out (结案); then nothing changes (R-FORM-9)."""
        self._declare_request(Request.CLOSE_OUT, None, "R-FORM-9")

    # Guarantee deposit (R-FORM-1) and stock-slip claims (R-SLIP-2, R-SLIP-3).

    def collect_deposit(self, amount: Decimal) -> None:
        """Record the guarantee deposit customs collected on the form (R-FORM-1)."""
        if self.document_no is None:
            raise InvalidTransitionError(
                "collect a deposit on",
                self.state,
                rule="R-FORM-1",
                allowed=("approved",),
            )
        self._collect_deposit(to_decimal(amount, field="deposit", positive=False))

    @event("DepositCollected")
    def _collect_deposit(self, amount: Decimal) -> None:
        self.deposit = (self.deposit or Decimal(0)) + amount

    @property
    def takes_slips(self) -> bool:
        """Whether slips may be declared against the form now (R-SLIP-2, R-FORM-9)."""
        if self.document_no is None:
            return False
        if self.state is State.APPROVED:
            return True
        return self.state in (State.DECLARED, State.MANUAL_REVIEW) and (
            self.request is Request.AMENDMENT
        )

    def status_view(self) -> dict[str, Any]:
        """The guarantee deposit: paid, reserved, drawn and remaining (R-SLIP-3)."""
        remaining = self.deposit_remaining
        return {
            "deposit": str(self.deposit) if self.deposit is not None else None,
            "deposit_reserved": str(self.deposit_reserved),
            "deposit_drawn": str(self.deposit_drawn),
            "deposit_remaining": str(remaining) if remaining is not None else None,
        }

    def claimed(self, line_no: int) -> Decimal:
        """Quantity of a line held by declared and approved slips."""
        return self.claimed_quantities.get(str(line_no), Decimal(0))

    @property
    def deposit_remaining(self) -> Decimal | None:
        """Deposit neither drawn nor reserved; ``None`` when none was collected."""
        if self.deposit is None:
            return None
        return self.deposit - self.deposit_drawn - self.deposit_reserved

    def claim(
        self,
        slip_id: UUID,
        quantities: tuple[tuple[int, Decimal], ...],
        amount: Decimal,
    ) -> None:
        """Take a declared slip's quantities and amount from the form (R-SLIP-2, 3)."""
        if not self.takes_slips:
            rule = (
                "R-FORM-9"
                if self.request is Request.CLOSE_OUT or self.state is State.CLOSED
                else "R-SLIP-2"
            )
            raise InvalidTransitionError(
                "declare a stock slip against",
                self.state,
                rule=rule,
                allowed=("approved",),
            )
        if str(slip_id) in self.claims:
            raise ValidationError(
                "the slip already holds a claim", rule="R-SLIP-2", field="slip_id"
            )
        wanted: dict[int, Decimal] = {}
        for line_no, quantity in quantities:
            if self.line(line_no) is None:
                raise ValidationError(
                    f"business form has no line {line_no}",
                    rule="R-SLIP-2",
                    field="form_line_no",
                )
            wanted[line_no] = wanted.get(line_no, Decimal(0)) + quantity
        for line_no, quantity in wanted.items():
            form_line = self.line(line_no)
            assert form_line is not None
            available = form_line.quantity - self.claimed(line_no)
            if quantity > available:
                raise InsufficientQuantityError(line_no, quantity, available)
        remaining = self.deposit_remaining
        if remaining is not None and amount > remaining:
            raise InsufficientDepositError(amount, remaining)
        self._claim(SlipClaim(str(slip_id), tuple(quantities), amount))

    @event("SlipClaimed")
    def _claim(self, claim: SlipClaim) -> None:
        self.claims[claim.slip_id] = claim.packed()
        self._add_quantities(claim, 1)
        self.deposit_reserved += claim.amount

    def draw_deposit(self, slip_id: UUID) -> None:
        """Draw a slip's reserved amount from the deposit on its approval (R-SLIP-3)."""
        claim = self._claim_of(slip_id)
        if not claim.drawn:
            self._draw(
                str(slip_id), claim.amount if self.deposit is not None else Decimal(0)
            )

    @event("DepositDrawn")
    def _draw(self, slip_id: str, amount: Decimal) -> None:
        # What the claim holds moves from reserved to drawn; ``amount`` is what
        # was drawn from a collected deposit, none when the form has none.
        claim = SlipClaim.unpacked(slip_id, self.claims[slip_id])
        self.claims[slip_id] = replace(claim, drawn=True).packed()
        self.deposit_reserved -= claim.amount
        self.deposit_drawn += claim.amount

    def release(self, slip_id: UUID) -> None:
        """Return a slip's quantities (and its amount to the deposit) (R-SLIP-3)."""
        claim = self._claim_of(slip_id)
        self._release(str(slip_id), claim.amount)

    @event("SlipReleased")
    def _release(self, slip_id: str, amount: Decimal) -> None:
        claim = SlipClaim.unpacked(slip_id, self.claims.pop(slip_id))
        self._add_quantities(claim, -1)
        if claim.drawn:
            self.deposit_drawn -= claim.amount
        else:
            self.deposit_reserved -= claim.amount

    def _add_quantities(self, claim: SlipClaim, sign: int) -> None:
        totals = self.claimed_quantities
        for line_no, quantity in claim.quantities:
            key = str(line_no)
            total = totals.get(key, Decimal(0)) + sign * Decimal(quantity)
            if total:
                totals[key] = total
            else:
                totals.pop(key, None)

    def _claim_of(self, slip_id: UUID) -> SlipClaim:
        packed = self.claims.get(str(slip_id))
        if packed is None:
            raise ValidationError(
                f"stock slip {slip_id} holds no claim on this form",
                rule="R-SLIP-2",
                field="slip_id",
            )
        return SlipClaim.unpacked(str(slip_id), packed)

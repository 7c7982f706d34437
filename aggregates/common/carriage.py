"""What gate passes carry of a document, and what of it has crossed the gate.

A checklist, stock slip or delivery order leaves the zone (or enters it) on gate
passes (核放单). Under bindings 1 and 2 a gate pass carries the whole document;
under binding 3 each gate pass carries part of the document's lines, one vehicle
each, and together they never carry more than the document holds (R-GATE-6). The
document keeps these claims itself, saved in the same transaction as the gate pass,
so the "gate passes generated for this document" view (R-SLIP-6, R-GATE-12) and the
question "have all its goods crossed?" (R-CHK-7) are answered from one aggregate.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from eventsourcing.domain import Aggregate

from aggregates.common.errors import ExcessCarriageError, ValidationError
from aggregates.common.lifecycle import Document


@dataclass(frozen=True)
class CarriageClaim:
    """What one gate pass carries of the document.

    ``quantities`` pairs the document's line numbers with quantities; it is empty
    when the gate pass carries the whole document (bindings 1 and 2).
    """

    gate_pass_id: str
    gate_pass_ref: str
    quantities: tuple[tuple[int, Decimal], ...]
    crossed: bool = False

    @property
    def is_whole(self) -> bool:
        """Whether the gate pass carries the whole document."""
        return not self.quantities


@dataclass(frozen=True)
class LineCarriage:
    """One line of the gate-pass view: which gate passes carry how much of it."""

    line_no: int
    quantity: Decimal
    carried: tuple[tuple[str, Decimal], ...]

    @property
    def has_gate_pass(self) -> bool:
        """False when no gate pass carries the line yet ("no gate pass yet")."""
        return bool(self.carried)


class CarriedDocument(Document):
    """A document that gate passes carry: checklist, stock slip, delivery order.

    Subclasses call ``_start_carriage()`` after ``_start_lifecycle()``; their
    ``lines`` have ``line_no`` and ``quantity``.
    """

    def _start_carriage(self) -> None:
        self.carriage: dict[str, CarriageClaim] = {}

    def _line_quantities(self) -> dict[int, Decimal]:
        lines: Any = getattr(self, "lines", ())
        return {line.line_no: Decimal(line.quantity) for line in lines}

    def carried_quantity(self, line_no: int) -> Decimal:
        """How much of a line the gate passes carry, whole claims included."""
        total = Decimal(0)
        for claim in self.carriage.values():
            if claim.is_whole:
                return self._line_quantities().get(line_no, Decimal(0))
            total += sum((q for n, q in claim.quantities if n == line_no), Decimal(0))
        return total

    def claim_carriage(
        self,
        gate_pass_id: str,
        gate_pass_ref: str,
        quantities: tuple[tuple[int, Decimal], ...] = (),
    ) -> None:
        """Reserve the document, or part of its lines, for a gate pass (R-GATE-6)."""
        if gate_pass_id in self.carriage:
            return
        label = f"{self.kind} {self.document_no or self.id}"
        if not quantities:
            if self.carriage:
                raise ValidationError(
                    f"{label} is already on a gate pass; a gate pass for the whole "
                    f"document (binding 1 or 2) needs a document no gate pass carries",
                    rule="R-GATE-6",
                    field="related_documents",
                )
        elif any(claim.is_whole for claim in self.carriage.values()):
            raise ValidationError(
                f"{label} is carried whole by another gate pass",
                rule="R-GATE-6",
                field="related_documents",
            )
        held = self._line_quantities()
        requested: dict[int, Decimal] = {}
        for line_no, quantity in quantities:
            if line_no not in held:
                raise ValidationError(
                    f"{label} has no line {line_no}",
                    rule="R-GATE-6",
                    field="lines.related_line_no",
                )
            requested[line_no] = requested.get(line_no, Decimal(0)) + quantity
        for line_no, quantity in requested.items():
            available = held[line_no] - self.carried_quantity(line_no)
            if quantity > available:
                raise ExcessCarriageError(label, line_no, quantity, available)
        self.trigger_event(
            self.CarriageClaimed,
            claim=CarriageClaim(gate_pass_id, gate_pass_ref, tuple(quantities)),
        )

    def release_carriage(self, gate_pass_id: str) -> None:
        """Free what a returned, failed or voided gate pass had reserved."""
        claim = self.carriage.get(gate_pass_id)
        if claim is not None and not claim.crossed:
            self.trigger_event(self.CarriageReleased, gate_pass_id=gate_pass_id)

    def record_carriage_crossed(self, gate_pass_id: str) -> None:
        """Record that a gate pass carrying this document crossed the gate."""
        claim = self.carriage.get(gate_pass_id)
        if claim is None:
            raise ValidationError(
                f"gate pass {gate_pass_id} does not carry {self.kind} {self.id}",
                rule="R-GATE-2",
                field="gate_pass_id",
            )
        if not claim.crossed:
            self.trigger_event(self.CarriageCrossed, gate_pass_id=gate_pass_id)

    @property
    def goods_crossed(self) -> bool:
        """Whether all the document's goods have crossed the gate (R-CHK-7)."""
        crossed = [claim for claim in self.carriage.values() if claim.crossed]
        if any(claim.is_whole for claim in crossed):
            return True
        if not crossed:
            return False
        through: dict[int, Decimal] = {}
        for claim in crossed:
            for line_no, quantity in claim.quantities:
                through[line_no] = through.get(line_no, Decimal(0)) + quantity
        return all(
            through.get(line_no, Decimal(0)) >= quantity
            for line_no, quantity in self._line_quantities().items()
        )

    @property
    def any_goods_crossed(self) -> bool:
        """Whether some of the document's goods have crossed the gate."""
        return any(claim.crossed for claim in self.carriage.values())

    def gate_pass_view(self) -> list[LineCarriage]:
        """Per line, the gate passes that carry it (R-SLIP-6, R-GATE-12)."""
        view = []
        for line_no, quantity in sorted(self._line_quantities().items()):
            carried = []
            for claim in self.carriage.values():
                if claim.is_whole:
                    carried.append((claim.gate_pass_ref, quantity))
                    continue
                part = sum((q for n, q in claim.quantities if n == line_no), Decimal(0))
                if part:
                    carried.append((claim.gate_pass_ref, part))
            view.append(LineCarriage(line_no, quantity, tuple(carried)))
        return view

    class CarriageClaimed(Aggregate.Event):
        """A declared gate pass reserved the document or part of its lines."""

        claim: CarriageClaim

        def apply(self, aggregate: Aggregate) -> None:
            """Keep the claim."""
            assert isinstance(aggregate, CarriedDocument)
            claim = self.claim
            aggregate.carriage = {**aggregate.carriage, claim.gate_pass_id: claim}

    class CarriageReleased(Aggregate.Event):
        """A gate pass that did not go through gave its claim back."""

        gate_pass_id: str

        def apply(self, aggregate: Aggregate) -> None:
            """Drop the claim."""
            assert isinstance(aggregate, CarriedDocument)
            carriage = dict(aggregate.carriage)
            carriage.pop(self.gate_pass_id, None)
            aggregate.carriage = carriage

    class CarriageCrossed(Aggregate.Event):
        """A gate pass carrying the document crossed the gate."""

        gate_pass_id: str

        def apply(self, aggregate: Aggregate) -> None:
            """Mark the claim crossed."""
            assert isinstance(aggregate, CarriedDocument)
            claim = aggregate.carriage[self.gate_pass_id]
            aggregate.carriage = {
                **aggregate.carriage,
                self.gate_pass_id: replace(claim, crossed=True),
            }

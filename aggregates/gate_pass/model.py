"""The gate pass (核放单) and the vehicle assignment (R-GATE-1 … 13).

A gate pass lets one vehicle through the gate (R-GATE-3) with the goods of a
delivery order, checklist or stock slip (R-GATE-2), or with registered goods (type
5), or empty (type 6). Its binding type says how documents and vehicles relate:
one vehicle with several documents (1), one document on one vehicle (2), or one
document over several vehicles (3), each gate pass carrying part of it (R-GATE-6).
After approval the vehicle goes to the gate, or first to inspection when customs
placed the gate pass or its declaration under control (R-GATE-10); it crosses a
single gate, or two gates in turn.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from aggregates.common.errors import (
    InvalidTransitionError,
    ValidationError,
    VehicleBusyError,
)
from aggregates.common.lifecycle import Document, Request, State, document_id
from aggregates.common.values import Direction, Enterprise, check_text, to_decimal
from aggregates.vehicle.model import PLATE


class GatePassType(StrEnum):
    """核放单类型 (passportTypecd)."""

    ENTER_FIRST = "1"
    FIRST_LINE = "2"
    SECOND_LINE = "3"
    NON_DECLARATION = "4"
    GATE_REGISTERED_GOODS = "5"
    EMPTY_VEHICLE = "6"


class Binding(StrEnum):
    """绑定类型 (bindTypecd)."""

    ONE_VEHICLE_MANY_DOCUMENTS = "1"
    ONE_DOCUMENT_ONE_VEHICLE = "2"
    ONE_DOCUMENT_MANY_VEHICLES = "3"


class RelatedKind(StrEnum):
    """关联单证类型 (rltTbTypecd): what a gate pass is made from."""

    CHECKLIST = "1"
    STOCK_SLIP = "2"
    DELIVERY_ORDER = "3"


class GateStage(StrEnum):
    """Which gate a crossing passed: the only one, or the first or second of two."""

    SINGLE = "single"
    FIRST = "first"
    SECOND = "second"


class GateStatus(StrEnum):
    """Where the vehicle stands: not yet at the gate, through one of two, through."""

    WAITING = "waiting"
    FIRST_GATE_CROSSED = "first_gate_crossed"
    CROSSED = "crossed"


# Which documents each gate pass type is made from (R-GATE-2, R-GATE-8, R-GATE-9).
# Decision: goods entering before their declaration (type 1) come on a delivery
# order or a checklist (of type 3, 先入区后报关); the others on a checklist or a
# stock slip.
RELATED_KINDS: dict[GatePassType, tuple[RelatedKind, ...]] = {
    GatePassType.ENTER_FIRST: (RelatedKind.DELIVERY_ORDER, RelatedKind.CHECKLIST),
    GatePassType.FIRST_LINE: (RelatedKind.CHECKLIST, RelatedKind.STOCK_SLIP),
    GatePassType.SECOND_LINE: (RelatedKind.CHECKLIST, RelatedKind.STOCK_SLIP),
    GatePassType.NON_DECLARATION: (RelatedKind.CHECKLIST, RelatedKind.STOCK_SLIP),
    GatePassType.GATE_REGISTERED_GOODS: (),
    GatePassType.EMPTY_VEHICLE: (),
}


@dataclass(frozen=True)
class RelatedDocument:
    """A document the gate pass carries (关联单证)."""

    kind: RelatedKind
    document_id: UUID
    document_no: str


@dataclass(frozen=True)
class GatePassLine:
    """Goods on the vehicle (核放单表体).

    Under binding 3 ``related_line_no`` names the line of the related document whose
    goods these are; for registered goods (type 5) it is empty.
    """

    line_no: int
    part_no: str
    name: str
    unit: str
    quantity: Decimal
    related_line_no: int | None = None


@dataclass(frozen=True)
class GatePassHead:
    """The head of a gate pass: type, binding, direction, enterprise and vehicle."""

    pass_type: GatePassType
    binding: Binding | None
    direction: Direction
    zone_enterprise: Enterprise
    vehicle_no: str
    vehicle_weight_kg: Decimal
    goods_gross_weight_kg: Decimal = Decimal(0)

    @property
    def total_weight_kg(self) -> Decimal:
        """Vehicle and goods, which the gate's scale compares (总重量)."""
        return Decimal(self.vehicle_weight_kg) + Decimal(self.goods_gross_weight_kg)


def check_gate_pass(
    head: GatePassHead,
    related: tuple[RelatedDocument, ...],
    lines: tuple[GatePassLine, ...],
) -> None:
    """Check the field rules of the type and binding (R-GATE-3 … 9)."""
    if not isinstance(head.vehicle_no, str) or not PLATE.fullmatch(head.vehicle_no):
        raise ValidationError(
            f"vehicle_no {head.vehicle_no!r} is not one plate number",
            rule="R-GATE-3",
            field="vehicle_no",
        )
    to_decimal(head.vehicle_weight_kg, field="vehicle_weight_kg")
    to_decimal(
        head.goods_gross_weight_kg, field="goods_gross_weight_kg", positive=False
    )
    pass_type = GatePassType(head.pass_type)
    if pass_type in (GatePassType.GATE_REGISTERED_GOODS, GatePassType.EMPTY_VEHICLE):
        rule = (
            "R-GATE-8"
            if pass_type is GatePassType.GATE_REGISTERED_GOODS
            else ("R-GATE-9")
        )
        if head.binding is not None or related:
            raise ValidationError(
                f"a type {pass_type} gate pass has no binding and no related documents",
                rule=rule,
                field="binding" if head.binding is not None else "related_documents",
            )
        if pass_type is GatePassType.EMPTY_VEHICLE and lines:
            raise ValidationError(
                "an empty-vehicle gate pass has no goods lines",
                rule="R-GATE-9",
                field="lines",
            )
        if pass_type is GatePassType.GATE_REGISTERED_GOODS and not lines:
            raise ValidationError(
                "a gate-registered-goods pass needs the goods lines",
                rule="R-GATE-8",
                field="lines",
            )
        if any(line.related_line_no is not None for line in lines):
            raise ValidationError(
                "registered goods name no related document line",
                rule="R-GATE-8",
                field="lines.related_line_no",
            )
        _check_lines(lines)
        return
    if head.binding is None:
        raise ValidationError(
            f"a type {pass_type} gate pass needs a binding type",
            rule="R-GATE-4",
            field="binding",
        )
    binding = Binding(head.binding)
    allowed = RELATED_KINDS[pass_type]
    for document in related:
        if document.kind not in allowed:
            raise ValidationError(
                f"a type {pass_type} gate pass is not made from a "
                f"{RelatedKind(document.kind).name.lower().replace('_', ' ')}",
                rule="R-GATE-2",
                field="related_documents",
            )
    if len({d.document_id for d in related}) != len(related):
        raise ValidationError(
            "a document is named twice", rule="R-GATE-4", field="related_documents"
        )
    if binding is Binding.ONE_VEHICLE_MANY_DOCUMENTS:
        if not related:
            raise ValidationError(
                "binding 1 needs the related documents",
                rule="R-GATE-4",
                field="related_documents",
            )
        if lines:
            raise ValidationError(
                "binding 1 carries whole documents; goods lines are not entered",
                rule="R-GATE-4",
                field="lines",
            )
        return
    if len(related) != 1:
        raise ValidationError(
            f"binding {binding} is made from exactly one document",
            rule="R-GATE-5"
            if binding is Binding.ONE_DOCUMENT_ONE_VEHICLE
            else "R-GATE-6",
            field="related_documents",
        )
    if binding is Binding.ONE_DOCUMENT_ONE_VEHICLE:
        if lines:
            raise ValidationError(
                "binding 2 carries the whole document; only the head is entered",
                rule="R-GATE-5",
                field="lines",
            )
        return
    if not lines:
        raise ValidationError(
            "binding 3 needs the goods lines on this vehicle",
            rule="R-GATE-6",
            field="lines",
        )
    if any(line.related_line_no is None for line in lines):
        raise ValidationError(
            "under binding 3 every goods line names its document line",
            rule="R-GATE-6",
            field="lines.related_line_no",
        )
    _check_lines(lines)


def _check_lines(lines: tuple[GatePassLine, ...]) -> None:
    if [line.line_no for line in lines] != list(range(1, len(lines) + 1)):
        raise ValidationError(
            "line numbers must run 1, 2, … in order", rule="R-DOC-1", field="lines"
        )
    for line in lines:
        field = f"lines[{line.line_no}]"
        check_text(line.part_no, field=f"{field}.part_no", max_length=32)
        check_text(line.name, field=f"{field}.name", max_length=512)
        check_text(line.unit, field=f"{field}.unit", max_length=3)
        to_decimal(line.quantity, field=f"{field}.quantity")


class GatePass(Document):
    """A gate pass (核放单): one vehicle through the gate with its goods."""

    kind = "gate pass"

    @staticmethod
    def create_id(head: GatePassHead, enterprise_doc_no: str, **_: Any) -> UUID:
        """Derive the id from the zone enterprise and its own number."""
        return document_id(
            "gate_pass", head.zone_enterprise.customs_code, enterprise_doc_no
        )

    @event("Created")
    def __init__(
        self,
        head: GatePassHead,
        enterprise_doc_no: str,
        related: tuple[RelatedDocument, ...],
        lines: tuple[GatePassLine, ...],
    ) -> None:
        self._start_lifecycle()
        self.enterprise_doc_no = enterprise_doc_no
        self.head = head
        self.related = tuple(related)
        self.lines = tuple(lines)
        self.under_inspection = False
        self.inspected = False
        self._gate_status = str(GateStatus.WAITING)

    @classmethod
    def create(
        cls,
        head: GatePassHead,
        enterprise_doc_no: str,
        related: tuple[RelatedDocument, ...],
        lines: tuple[GatePassLine, ...],
    ) -> GatePass:
        """Save a new gate pass as a draft (R-GATE-1)."""
        check_text(enterprise_doc_no, field="enterprise_doc_no", max_length=64)
        check_gate_pass(head, tuple(related), tuple(lines))
        return cls(head, enterprise_doc_no, tuple(related), tuple(lines))

    @property
    def gate_status(self) -> GateStatus:
        """Where the vehicle stands at the gate."""
        return GateStatus(self._gate_status)

    @property
    def quantities(self) -> tuple[tuple[int, Decimal], ...]:
        """Under binding 3, the document's line numbers and what this pass carries."""
        return tuple(
            (line.related_line_no, Decimal(line.quantity))
            for line in self.lines
            if line.related_line_no is not None
        )

    @property
    def holds_vehicle(self) -> bool:
        """Whether the gate pass is active: declared or approved, not yet through."""
        return (
            self.state in (State.DECLARED, State.MANUAL_REVIEW, State.APPROVED)
            and self.gate_status is not GateStatus.CROSSED
        )

    def modify(
        self,
        head: GatePassHead,
        related: tuple[RelatedDocument, ...],
        lines: tuple[GatePassLine, ...],
    ) -> None:
        """Replace the content of a modifiable gate pass (R-DOC-3)."""
        self.require_modifiable()
        check_gate_pass(head, tuple(related), tuple(lines))
        self._modify(head, tuple(related), tuple(lines))

    @event("Modified")
    def _modify(
        self,
        head: GatePassHead,
        related: tuple[RelatedDocument, ...],
        lines: tuple[GatePassLine, ...],
    ) -> None:
        self.head = head
        self.related = tuple(related)
        self.lines = tuple(lines)

    def declare_void(self) -> None:
        """Ask customs to void an approved gate pass not yet through (R-GATE-11)."""
        if self.gate_status is not GateStatus.WAITING:
            raise ValidationError(
                "the vehicle has crossed the gate; the gate pass cannot be voided",
                rule="R-GATE-11",
                field="gate_status",
            )
        self._declare_request(Request.VOID, None, "R-GATE-11")

    # Inspection control and the gate: R-GATE-10.

    def _require_at_gate(self, command: str) -> None:
        if self.state is not State.APPROVED or self.request is not None:
            raise InvalidTransitionError(
                command, self.state, rule="R-GATE-10", allowed=("approved",)
            )

    def status_view(self) -> dict[str, Any]:
        """Where the vehicle is: waiting, through one gate of two, or through."""
        return {
            "gate_status": str(self.gate_status),
            "under_inspection": self.under_inspection,
            "inspected": self.inspected,
        }

    def place_under_inspection(self) -> None:
        """Customs places the gate pass under inspection control (布控查验)."""
        self._require_at_gate("place under inspection")
        if self.gate_status is not GateStatus.WAITING:
            raise ValidationError(
                "the vehicle is already through a gate",
                rule="R-GATE-10",
                field="gate_status",
            )
        if not self.under_inspection:
            self._place_under_inspection()

    @event("PlacedUnderInspection")
    def _place_under_inspection(self) -> None:
        self.under_inspection = True

    def record_inspection(self, result: str = "") -> None:
        """Record that the vehicle was inspected at the inspection site."""
        self._require_at_gate("inspect")
        if not self.inspected:
            self._inspected(
                check_text(result, field="result", max_length=255, required=False)
            )

    @event("Inspected")
    def _inspected(self, result: str) -> None:
        self.inspected = True

    def cross_gate(self, stage: GateStage, *, declaration_controlled: bool) -> bool:
        """Record the vehicle crossing a gate; return True when it is through.

        Under control (of the gate pass or of a declaration it carries) the vehicle
        goes to inspection first (R-GATE-10). A single gate lets it through; with
        two gates the first and then the second.
        """
        self._require_at_gate("cross the gate with")
        if (self.under_inspection or declaration_controlled) and not self.inspected:
            raise ValidationError(
                "the gate pass is under inspection control; the vehicle goes to "
                "the inspection site first",
                rule="R-GATE-10",
                field="inspection",
            )
        status = self.gate_status
        stage = GateStage(stage)
        if status is GateStatus.CROSSED:
            return False
        expected = (
            (GateStage.SINGLE, GateStage.FIRST)
            if status is GateStatus.WAITING
            else (GateStage.SECOND,)
        )
        if stage not in expected:
            raise ValidationError(
                f"a vehicle {status.replace('_', ' ')} cannot cross the {stage} gate",
                rule="R-GATE-10",
                field="stage",
            )
        through = stage is not GateStage.FIRST
        self._cross(
            str(GateStatus.CROSSED if through else GateStatus.FIRST_GATE_CROSSED)
        )
        return through

    @event("GateCrossed")
    def _cross(self, status: str) -> None:
        self._gate_status = status


VEHICLE_NAMESPACE = uuid5(NAMESPACE_URL, "urn:bonded-backbone:vehicle-assignment")


class VehicleAssignment(Aggregate):
    """Which gate pass a vehicle carries now: one at a time (R-GATE-3).

    Taken when a gate pass is declared, given back when the vehicle is through or
    the gate pass is returned, fails or is voided. Saved with the gate pass.
    """

    @staticmethod
    def create_id(vehicle_no: str) -> UUID:
        """One assignment per plate."""
        return uuid5(VEHICLE_NAMESPACE, vehicle_no)

    @event("Registered")
    def __init__(self, vehicle_no: str) -> None:
        self.vehicle_no = vehicle_no
        self.gate_pass_id: str | None = None
        self.gate_pass_ref = ""

    def take(self, gate_pass_id: str, gate_pass_ref: str) -> None:
        """Give the vehicle to a gate pass, unless another one holds it."""
        if self.gate_pass_id == gate_pass_id:
            return
        if self.gate_pass_id is not None:
            raise VehicleBusyError(self.vehicle_no, self.gate_pass_ref)
        self._take(gate_pass_id, gate_pass_ref)

    @event("Taken")
    def _take(self, gate_pass_id: str, gate_pass_ref: str) -> None:
        self.gate_pass_id = gate_pass_id
        self.gate_pass_ref = gate_pass_ref

    def give_back(self, gate_pass_id: str) -> None:
        """Free the vehicle, if this gate pass holds it."""
        if self.gate_pass_id == gate_pass_id:
            self._give_back(gate_pass_id)

    @event("GivenBack")
    def _give_back(self, gate_pass_id: str) -> None:
        self.gate_pass_id = None
        self.gate_pass_ref = ""

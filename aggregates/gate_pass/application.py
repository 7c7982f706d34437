"""Commands on delivery orders, vehicles and gate passes (R-DLV, R-VEH, R-GATE).

A gate pass is saved with what it changes: when declared, the vehicle it takes
(R-GATE-3) and the documents it carries, whose quantities it reserves (R-GATE-6);
when returned, failed or voided, the same given back; when the vehicle is through
the gate, the vehicle freed and the documents marked crossed, which is what the
posting of a checklist waits for (R-CHK-7).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from aggregates.checklist.application import ChecklistCommands
from aggregates.checklist.model import Checklist
from aggregates.common.application import Decision
from aggregates.common.carriage import CarriageClaim, CarriedDocument
from aggregates.common.documents import CustomsDecision, DecisionOutcome
from aggregates.common.errors import ValidationError
from aggregates.common.idempotency import Outcome, fingerprint
from aggregates.common.lifecycle import Document, Request, State
from aggregates.common.values import Direction, coded
from aggregates.delivery_order.model import (
    DeliveryOrder,
    DeliveryOrderHead,
    DeliveryOrderLine,
)
from aggregates.gate_pass.model import (
    Binding,
    GatePass,
    GatePassHead,
    GatePassLine,
    GatePassType,
    GateStage,
    RelatedDocument,
    RelatedKind,
    VehicleAssignment,
)
from aggregates.stock_slip.model import StockSlip
from aggregates.vehicle.model import Vehicle, VehicleHead, VehicleType

RELATED_KIND_OF: dict[type[CarriedDocument], RelatedKind] = {
    Checklist: RelatedKind.CHECKLIST,
    StockSlip: RelatedKind.STOCK_SLIP,
    DeliveryOrder: RelatedKind.DELIVERY_ORDER,
}


class GatePassCommands(ChecklistCommands):
    """Commands on delivery orders (提货单), vehicles and gate passes (核放单)."""

    value_objects = (
        *ChecklistCommands.value_objects,
        DeliveryOrderHead,
        DeliveryOrderLine,
        VehicleHead,
        GatePassHead,
        GatePassLine,
        RelatedDocument,
        CarriageClaim,
    )

    # Delivery orders: R-DLV-1.

    def create_delivery_order(
        self,
        *,
        enterprise_doc_no: str,
        zone_customs_code: str,
        ledger_no: str,
        bill_of_lading_no: str,
        port_code: str,
        lines: tuple[DeliveryOrderLine, ...],
        arrival_note: str = "",
    ) -> Outcome:
        """Save a new delivery order as a draft (R-DLV-1)."""
        head = DeliveryOrderHead(
            zone_enterprise=self.register.lookup(
                zone_customs_code, field="zone_customs_code"
            ),
            ledger_no=ledger_no,
            bill_of_lading_no=bill_of_lading_no,
            port_code=port_code,
            arrival_note=arrival_note,
        )

        def decide() -> Decision:
            order = DeliveryOrder.create(head, enterprise_doc_no, tuple(lines))
            return (order,), order

        return self._execute(
            f"delivery_order/{zone_customs_code}/{enterprise_doc_no}",
            fingerprint("create_delivery_order", head=head, lines=lines),
            decide,
        )

    def modify_delivery_order(
        self,
        order_id: UUID,
        *,
        bill_of_lading_no: str,
        port_code: str,
        lines: tuple[DeliveryOrderLine, ...],
        arrival_note: str = "",
        command_id: str,
    ) -> Outcome:
        """Change a modifiable delivery order (R-DOC-3)."""

        def act(document: Document) -> None:
            if not isinstance(document, DeliveryOrder):
                raise ValidationError(
                    f"document {order_id} is not a delivery order", field="order_id"
                )
            head = replace(
                document.head,
                bill_of_lading_no=bill_of_lading_no,
                port_code=port_code,
                arrival_note=arrival_note,
            )
            document.modify(head, tuple(lines))

        return self._act(
            order_id,
            command_id,
            "modify_delivery_order",
            act,
            bill_of_lading_no=bill_of_lading_no,
            port_code=port_code,
            lines=lines,
            arrival_note=arrival_note,
        )

    def get_delivery_order(self, order_id: UUID) -> DeliveryOrder:
        """Return a delivery order."""
        return self._load(DeliveryOrder, order_id)

    # Vehicles: R-VEH-1 … R-VEH-3.

    def file_vehicle(
        self,
        *,
        enterprise_doc_no: str,
        owner_customs_code: str,
        vehicle_no: str,
        vehicle_type: VehicleType | str,
        tare_weight_kg: Decimal | str,
        ic_card_no: str = "",
    ) -> Outcome:
        """Save a new vehicle filing as a draft (R-VEH-1)."""
        head = self._vehicle_head(
            owner_customs_code, vehicle_no, vehicle_type, tare_weight_kg, ic_card_no
        )

        def decide() -> Decision:
            vehicle = Vehicle.create(head, enterprise_doc_no)
            return (vehicle,), vehicle

        return self._execute(
            f"vehicle/{owner_customs_code}/{enterprise_doc_no}",
            fingerprint("file_vehicle", head=head),
            decide,
        )

    def _vehicle_head(
        self,
        owner_customs_code: str,
        vehicle_no: str,
        vehicle_type: VehicleType | str,
        tare_weight_kg: Decimal | str,
        ic_card_no: str,
    ) -> VehicleHead:
        return VehicleHead(
            vehicle_no=vehicle_no,
            vehicle_type=coded(VehicleType, vehicle_type, field="vehicle_type"),
            owner=self.register.lookup(owner_customs_code, field="owner_customs_code"),
            tare_weight_kg=Decimal(tare_weight_kg),
            ic_card_no=ic_card_no,
        )

    def get_vehicle(self, vehicle_id: UUID) -> Vehicle:
        """Return a vehicle filing."""
        return self._load(Vehicle, vehicle_id)

    def modify_vehicle(
        self,
        vehicle_id: UUID,
        *,
        vehicle_no: str,
        vehicle_type: VehicleType | str,
        tare_weight_kg: Decimal | str,
        ic_card_no: str = "",
        command_id: str,
    ) -> Outcome:
        """Change a modifiable vehicle filing (R-DOC-3)."""

        def act(document: Document) -> None:
            if not isinstance(document, Vehicle):
                raise ValidationError(
                    f"document {vehicle_id} is not a vehicle", field="vehicle_id"
                )
            document.modify(
                self._vehicle_head(
                    document.head.owner.customs_code,
                    vehicle_no,
                    vehicle_type,
                    tare_weight_kg,
                    ic_card_no,
                )
            )

        return self._act(
            vehicle_id,
            command_id,
            "modify_vehicle",
            act,
            vehicle_no=vehicle_no,
            vehicle_type=str(vehicle_type),
            tare_weight_kg=str(tare_weight_kg),
            ic_card_no=ic_card_no,
        )

    def amend_vehicle(
        self,
        vehicle_id: UUID,
        *,
        vehicle_type: VehicleType | str,
        tare_weight_kg: Decimal | str,
        ic_card_no: str = "",
        command_id: str,
    ) -> Outcome:
        """Declare an amendment of an approved vehicle filing (R-VEH-2)."""

        def act(document: Document) -> None:
            if not isinstance(document, Vehicle):
                raise ValidationError(
                    f"document {vehicle_id} is not a vehicle", field="vehicle_id"
                )
            head = self._vehicle_head(
                document.head.owner.customs_code,
                document.head.vehicle_no,
                vehicle_type,
                tare_weight_kg,
                ic_card_no,
            )
            document.declare_amendment(head)

        return self._act(
            vehicle_id,
            command_id,
            "amend_vehicle",
            act,
            vehicle_type=str(vehicle_type),
            tare_weight_kg=str(tare_weight_kg),
            ic_card_no=ic_card_no,
        )

    # Gate passes: R-GATE-1 … R-GATE-13.

    def create_gate_pass(
        self,
        *,
        enterprise_doc_no: str,
        zone_customs_code: str,
        pass_type: GatePassType | str,
        binding: Binding | str | None,
        direction: Direction | str,
        vehicle_no: str,
        vehicle_weight_kg: Decimal | str,
        goods_gross_weight_kg: Decimal | str = Decimal(0),
        related_document_ids: tuple[UUID, ...] = (),
        lines: tuple[GatePassLine, ...] = (),
    ) -> Outcome:
        """Save a new gate pass as a draft (R-GATE-1 … R-GATE-9).

        Related documents are given by id and must be approved documents of the
        same enterprise going the same way (R-GATE-7, R-DOC-12); the system inserts
        them as the related-document lines. Under binding 3 each goods line names
        its document line and is filled in from it (R-GATE-6).
        """
        head = self._gate_pass_head(
            zone_customs_code,
            pass_type,
            binding,
            direction,
            vehicle_no,
            vehicle_weight_kg,
            goods_gross_weight_kg,
        )
        related, filled = self._resolve_related(
            head, tuple(related_document_ids), tuple(lines)
        )

        def decide() -> Decision:
            gate_pass = GatePass.create(head, enterprise_doc_no, related, filled)
            return (gate_pass,), gate_pass

        return self._execute(
            f"gate_pass/{zone_customs_code}/{enterprise_doc_no}",
            fingerprint("create_gate_pass", head=head, related=related, lines=filled),
            decide,
        )

    def _gate_pass_head(
        self,
        zone_customs_code: str,
        pass_type: GatePassType | str,
        binding: Binding | str | None,
        direction: Direction | str,
        vehicle_no: str,
        vehicle_weight_kg: Decimal | str,
        goods_gross_weight_kg: Decimal | str,
    ) -> GatePassHead:
        for field, value in (("pass_type", pass_type), ("direction", direction)):
            if not value:
                raise ValidationError(
                    f"{field} is required", rule="R-DOC-6", field=field
                )
        values: dict[str, Any] = {
            "pass_type": coded(GatePassType, pass_type, field="pass_type"),
            "binding": coded(Binding, binding, field="binding") if binding else None,
            "direction": coded(Direction, direction, field="direction"),
        }
        return GatePassHead(
            zone_enterprise=self.register.lookup(
                zone_customs_code, field="zone_customs_code"
            ),
            vehicle_no=vehicle_no,
            vehicle_weight_kg=Decimal(vehicle_weight_kg),
            goods_gross_weight_kg=Decimal(goods_gross_weight_kg),
            **values,
        )

    def _carried_document(self, document_id: UUID) -> CarriedDocument:
        try:
            # Checklists, slips and delivery orders are never snapshotted.
            found = self._get_unsnapshotted(document_id)
        except AggregateNotFoundError:
            found = None
        if not isinstance(found, CarriedDocument):
            raise ValidationError(
                f"no checklist, stock slip or delivery order with id {document_id}",
                rule="R-GATE-2",
                field="related_document_ids",
            )
        return found

    def _resolve_related(
        self,
        head: GatePassHead,
        document_ids: tuple[UUID, ...],
        lines: tuple[GatePassLine, ...],
    ) -> tuple[tuple[RelatedDocument, ...], tuple[GatePassLine, ...]]:
        related = []
        documents = []
        for document_id in document_ids:
            document = self._carried_document(document_id)
            label = f"{document.kind} {document.document_no or document.id}"
            if _enterprise_of(document) != head.zone_enterprise.customs_code:
                # Another enterprise's document is refused without saying more
                # about it (R-DOC-12).
                raise ValidationError(
                    f"document {document_id} is not a document of enterprise "
                    f"{head.zone_enterprise.customs_code}",
                    rule="R-GATE-7",
                    field="related_document_ids",
                )
            if document.state is not State.APPROVED or not document.document_no:
                raise ValidationError(
                    f"{label} is {document.state}; a gate pass is made from an "
                    f"approved document",
                    rule="R-GATE-2",
                    field="related_document_ids",
                )
            if _direction_of(document) is not head.direction:
                raise ValidationError(
                    f"{label} goes the other way",
                    rule="R-GATE-2",
                    field="direction",
                )
            related.append(
                RelatedDocument(
                    RELATED_KIND_OF[type(document)], document.id, document.document_no
                )
            )
            documents.append(document)
        if head.binding is Binding.ONE_DOCUMENT_MANY_VEHICLES and len(documents) == 1:
            lines = tuple(self._fill_carried_line(documents[0], line) for line in lines)
        return tuple(related), lines

    def _fill_carried_line(
        self, document: CarriedDocument, line: GatePassLine
    ) -> GatePassLine:
        """Fill a binding-3 goods line from the document line it names."""
        if line.related_line_no is None:
            return line
        found = next(
            (
                d
                for d in getattr(document, "lines", ())
                if d.line_no == line.related_line_no
            ),
            None,
        )
        if found is None:
            raise ValidationError(
                f"{document.kind} {document.document_no} has no line "
                f"{line.related_line_no}",
                rule="R-GATE-6",
                field=f"lines[{line.line_no}].related_line_no",
            )
        if isinstance(document, StockSlip):
            form_line = self.get_business_form(document.head.business_form_id).line(
                found.form_line_no
            )
            assert form_line is not None
            goods: Any = form_line
        else:
            goods = found
        return replace(line, part_no=goods.part_no, name=goods.name, unit=goods.unit)

    def modify_gate_pass(
        self,
        gate_pass_id: UUID,
        *,
        pass_type: GatePassType | str,
        binding: Binding | str | None,
        direction: Direction | str,
        vehicle_no: str,
        vehicle_weight_kg: Decimal | str,
        goods_gross_weight_kg: Decimal | str = Decimal(0),
        related_document_ids: tuple[UUID, ...] = (),
        lines: tuple[GatePassLine, ...] = (),
        command_id: str,
    ) -> Outcome:
        """Replace the content of a modifiable gate pass (R-GATE-1, R-DOC-3)."""
        current = self.get_gate_pass(gate_pass_id)
        head = self._gate_pass_head(
            current.head.zone_enterprise.customs_code,
            pass_type,
            binding,
            direction,
            vehicle_no,
            vehicle_weight_kg,
            goods_gross_weight_kg,
        )
        related, filled = self._resolve_related(
            head, tuple(related_document_ids), tuple(lines)
        )
        return self._on_gate_pass(
            gate_pass_id,
            command_id,
            "modify_gate_pass",
            lambda g: g.modify(head, related, filled),
            head=head,
            related=related,
            lines=filled,
        )

    def get_gate_pass(self, gate_pass_id: UUID) -> GatePass:
        """Return a gate pass."""
        return self._load(GatePass, gate_pass_id)

    def _on_gate_pass(
        self, gate_pass_id: UUID, command_id: str, command: str, act: Any, **fields: Any
    ) -> Outcome:
        def on_document(document: Document) -> tuple[Aggregate, ...]:
            if not isinstance(document, GatePass):
                raise ValidationError(
                    f"document {gate_pass_id} is not a gate pass", field="gate_pass_id"
                )
            return act(document) or ()

        return self._act(
            gate_pass_id, command_id, command, on_document, expected=GatePass, **fields
        )

    def _vehicle_assignment(self, vehicle_no: str) -> VehicleAssignment:
        try:
            found = self._get_unsnapshotted(VehicleAssignment.create_id(vehicle_no))
        except AggregateNotFoundError:
            return VehicleAssignment(vehicle_no)
        assert isinstance(found, VehicleAssignment)
        return found

    def _on_declare(self, document: Document) -> tuple[Aggregate, ...]:
        """Take the vehicle and reserve the documents a gate pass carries."""
        if not isinstance(document, GatePass):
            return super()._on_declare(document)
        reference = document.enterprise_doc_no
        assignment = self._vehicle_assignment(document.head.vehicle_no)
        assignment.take(str(document.id), reference)
        carried = []
        for related in document.related:
            carried_document = self._carried_document(related.document_id)
            carried_document.claim_carriage(
                str(document.id), reference, document.quantities
            )
            carried.append(carried_document)
        return (assignment, *carried)

    def _on_decision(
        self, document: Document, decision: CustomsDecision, request: Request | None
    ) -> tuple[Aggregate, ...]:
        """Give back vehicle and documents when a gate pass will not go through."""
        if not isinstance(document, GatePass):
            return super()._on_decision(document, decision, request)
        failed_filing = request is Request.FILING and decision.outcome in (
            DecisionOutcome.REJECTED,
            DecisionOutcome.RECEIVE_FAILED,
        )
        voided = (
            request is Request.VOID and decision.outcome is DecisionOutcome.APPROVED
        )
        if not (failed_filing or voided):
            return ()
        return self._give_back(document)

    def _give_back(self, gate_pass: GatePass) -> tuple[Aggregate, ...]:
        assignment = self._vehicle_assignment(gate_pass.head.vehicle_no)
        assignment.give_back(str(gate_pass.id))
        documents = []
        for related in gate_pass.related:
            document = self._carried_document(related.document_id)
            document.release_carriage(str(gate_pass.id))
            documents.append(document)
        return (assignment, *documents)

    def place_under_inspection(self, gate_pass_id: UUID, *, command_id: str) -> Outcome:
        """Customs places the gate pass under inspection control (R-GATE-10)."""
        return self._on_gate_pass(
            gate_pass_id,
            command_id,
            "place_under_inspection",
            lambda g: g.place_under_inspection(),
        )

    def record_inspection(
        self, gate_pass_id: UUID, result: str = "", *, command_id: str
    ) -> Outcome:
        """The vehicle was inspected at the inspection site (R-GATE-10)."""
        return self._on_gate_pass(
            gate_pass_id,
            command_id,
            "record_inspection",
            lambda g: g.record_inspection(result),
            result=result,
        )

    def record_gate_crossing(
        self, gate_pass_id: UUID, stage: GateStage | str, *, command_id: str
    ) -> Outcome:
        """The vehicle crossed a gate (SAS223); through, its goods have crossed.

        When the vehicle is through, the vehicle is freed and every document it
        carries records the crossing; a stock slip's crossing also counts for the
        consolidated checklist that lists it. Posting follows as its own command
        (R-CHK-7), so that a refused posting never undoes a crossing.
        """

        def act(gate_pass: GatePass) -> tuple[Aggregate, ...]:
            documents = [
                self._carried_document(r.document_id) for r in gate_pass.related
            ]
            controlled = any(
                (declaration := self.get_declaration(d.id)) is not None
                and declaration.under_inspection
                for d in documents
                if isinstance(d, Checklist)
            )
            if not gate_pass.cross_gate(
                coded(GateStage, stage, field="stage"),
                declaration_controlled=controlled,
            ):
                return ()
            assignment = self._vehicle_assignment(gate_pass.head.vehicle_no)
            assignment.give_back(str(gate_pass.id))
            changed: list[Aggregate] = [assignment]
            for document in documents:
                document.record_carriage_crossed(str(gate_pass.id))
                changed.append(document)
                if isinstance(document, StockSlip) and document.consolidated_into:
                    checklist = self.get_checklist(UUID(document.consolidated_into))
                    checklist.record_slip_crossed(str(document.id))
                    changed.append(checklist)
            return tuple(changed)

        return self._on_gate_pass(
            gate_pass_id, command_id, "record_gate_crossing", act, stage=str(stage)
        )


def _enterprise_of(document: CarriedDocument) -> str:
    head: Any = getattr(document, "head", None)
    for name in ("operating_enterprise", "zone_enterprise"):
        enterprise = getattr(head, name, None)
        if enterprise is not None:
            return str(enterprise.customs_code)
    return ""


def _direction_of(document: CarriedDocument) -> Direction:
    head: Any = getattr(document, "head", None)
    direction = getattr(head, "direction", None)
    # A delivery order always brings goods into the zone.
    return Direction(direction) if direction is not None else Direction.IN

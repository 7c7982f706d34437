"""Endpoints that create documents and act on them, beyond the shared lifecycle."""

# No `from __future__ import annotations` here: FastAPI reads the endpoints'
# annotations at runtime, and they name dependencies local to the factory.

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

from fastapi import Depends, FastAPI, Header, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from aggregates.business_form.rules import FormLine, LedgerRef, UnitConsumption
from aggregates.checklist.application import ENTERED_HEAD_FIELDS
from aggregates.checklist.model import Checklist, ChecklistLine
from aggregates.common.documents import CustomsDecision, DecisionOutcome
from aggregates.common.idempotency import Outcome
from aggregates.common.values import coded
from aggregates.delivery_order.model import DeliveryOrderLine
from aggregates.gate_pass.model import GatePass, GatePassLine
from aggregates.ledger.model import LedgerFamily, LineChange
from aggregates.stock_slip.model import SlipLine
from aggregates.zone import Zone
from gateway.customs.declarations import write_inv101, write_sas121
from gateway.imports import (
    checklist_declaration,
    gate_pass_declaration,
    import_documents,
)
from gateway.inbox import ReceiptInbox
from gateway.keys import Caller
from schemas.api import (
    BusinessFormIn,
    ChecklistIn,
    ConsolidationIn,
    CopyIn,
    CrossingIn,
    DecisionIn,
    DeclarationGeneratedIn,
    DeliveryOrderIn,
    DepositIn,
    FormAmendmentIn,
    GatePassIn,
    LedgerAmendmentIn,
    LedgerIn,
    PostIn,
    ReleaseIn,
    StockSlipIn,
    VehicleAmendmentIn,
    VehicleIn,
    WriteOffIn,
    WriteOffResultIn,
)

if TYPE_CHECKING:
    from gateway.api.app import Access

HEAD_FIELDS = tuple(sorted(ENTERED_HEAD_FIELDS - {"checklist_type"}))


def created(outcome: Outcome) -> JSONResponse:
    """201 for a new document, 200 when the same creation was repeated."""
    return JSONResponse(
        answer_of(outcome),
        status_code=200 if outcome.replayed else 201,
        headers={"Location": str(outcome.aggregate_id)},
    )


def answered(outcome: Outcome) -> JSONResponse:
    """The answer to an accepted command.

    A response, not a dict: FastAPI then sends it as it is, without encoding
    and validating it again (a tenth of the gateway's time per command).
    """
    return JSONResponse(answer_of(outcome))


def answer_of(outcome: Outcome) -> dict[str, Any]:
    """The body of the answer to an accepted command."""
    return {
        "id": str(outcome.aggregate_id),
        "version": outcome.version,
        "replayed": outcome.replayed,
    }


def _ledger_ref(body: BusinessFormIn) -> LedgerRef | None:
    if body.ledger is None:
        return None
    return LedgerRef(
        ledger_no=body.ledger.ledger_no,
        family=coded(LedgerFamily, body.ledger.family, field="ledger.family"),
        kind=body.ledger.kind,
    )


def _gate_pass_content(body: GatePassIn) -> dict[str, Any]:
    """What a gate pass body sets, beyond its enterprise and own number."""
    return {
        "pass_type": body.pass_type,
        "binding": body.binding,
        "direction": body.direction,
        "vehicle_no": body.vehicle_no,
        "vehicle_weight_kg": body.vehicle_weight_kg,
        "goods_gross_weight_kg": body.goods_gross_weight_kg,
        "related_document_ids": tuple(body.related_document_ids),
        "lines": tuple(GatePassLine(**line.model_dump()) for line in body.lines),
    }


def _delivery_order_content(body: DeliveryOrderIn) -> dict[str, Any]:
    """What a delivery order body sets, beyond its enterprise, ledger and number."""
    return {
        "bill_of_lading_no": body.bill_of_lading_no,
        "port_code": body.port_code,
        "lines": tuple(DeliveryOrderLine(**line.model_dump()) for line in body.lines),
        "arrival_note": body.arrival_note,
    }


def _id(value: UUID | None) -> str | None:
    return str(value) if value else None


def install_commands(
    api: FastAPI,
    zone: Zone,
    access: "Access",
    enterprise: Callable[..., Caller],
    customs: Callable[..., Caller],
    inbox: ReceiptInbox | None,
) -> None:
    """Add the creation and action endpoints to the API."""
    IdempotencyKey = Annotated[str, Header(min_length=1, max_length=128)]
    Enterprise = Annotated[Caller, Depends(enterprise)]
    Customs = Annotated[Caller, Depends(customs)]

    @api.post("/v1/ledgers", tags=["ledgers"], status_code=201)
    def create_ledger(body: LedgerIn, caller: Enterprise) -> Any:
        """File a logistics ledger as a draft (R-LEDGER-1)."""
        access.enterprise(caller, body.operating_customs_code, "operating_customs_code")
        return created(zone.file_ledger(**body.model_dump()))

    @api.post("/v1/business-forms", tags=["business-forms"], status_code=201)
    def create_business_form(body: BusinessFormIn, caller: Enterprise) -> Any:
        """Save a business form as a draft (R-FORM-1 … 6)."""
        access.enterprise(caller, body.zone_customs_code, "zone_customs_code")
        ledger = _ledger_ref(body)
        outcome = zone.create_business_form(
            enterprise_doc_no=body.enterprise_doc_no,
            business_type=body.business_type,
            direction=body.direction,
            zone_customs_code=body.zone_customs_code,
            master_customs_code=body.master_customs_code,
            valid_until=body.valid_until,
            lines=tuple(FormLine(**line.model_dump()) for line in body.lines),
            unit_consumptions=tuple(
                UnitConsumption(**row.model_dump()) for row in body.unit_consumptions
            ),
            outside_customs_code=body.outside_customs_code,
            ledger=ledger,
            ledger_flag=body.ledger_flag,
        )
        return created(outcome)

    @api.post("/v1/stock-slips", tags=["stock-slips"], status_code=201)
    def create_stock_slip(body: StockSlipIn, caller: Enterprise) -> Any:
        """Save a stock slip against an approved business form (R-SLIP-1, 2)."""
        with access.acting_on("business-forms", body.business_form_id, caller):
            outcome = zone.create_stock_slip(
                enterprise_doc_no=body.enterprise_doc_no,
                business_form_id=body.business_form_id,
                lines=tuple(SlipLine(**line.model_dump()) for line in body.lines),
            )
            return created(outcome)

    @api.post("/v1/checklists", tags=["checklists"], status_code=201)
    def create_checklist(body: ChecklistIn, caller: Enterprise) -> Any:
        """Save a checklist, filled in from its ledger (R-CHK-1 … 3)."""
        ledger = zone.find_ledger(body.ledger_no)
        if ledger is not None:
            access.enterprise(
                caller, ledger.head.operating_enterprise.customs_code, "ledger_no"
            )
        outcome = zone.create_checklist(
            enterprise_doc_no=body.enterprise_doc_no,
            ledger_no=body.ledger_no,
            direction=body.direction,
            lines=tuple(ChecklistLine(**line.model_dump()) for line in body.lines),
            consignee_customs_code=body.consignee_customs_code,
            declaring_customs_code=body.declaring_customs_code,
            checklist_type=body.checklist_type,
            **{name: getattr(body, name) for name in HEAD_FIELDS},
        )
        return created(outcome)

    @api.post("/v1/consolidations", tags=["checklists"], status_code=201)
    def consolidate(body: ConsolidationIn, caller: Enterprise) -> Any:
        """Gather type A stock slips into one checklist (R-CONS-1 … 5)."""
        for slip_id in body.stock_slip_ids:
            access.document("stock-slips", slip_id, caller)
        outcome = zone.consolidate_stock_slips(
            enterprise_doc_no=body.enterprise_doc_no,
            ledger_no=body.ledger_no,
            stock_slip_ids=tuple(body.stock_slip_ids),
            **{name: getattr(body, name) for name in HEAD_FIELDS},
        )
        return created(outcome)

    @api.post("/v1/delivery-orders", tags=["delivery-orders"], status_code=201)
    def create_delivery_order(body: DeliveryOrderIn, caller: Enterprise) -> Any:
        """Save a delivery order as a draft (R-DLV-1)."""
        access.enterprise(caller, body.zone_customs_code, "zone_customs_code")
        outcome = zone.create_delivery_order(
            enterprise_doc_no=body.enterprise_doc_no,
            zone_customs_code=body.zone_customs_code,
            ledger_no=body.ledger_no,
            **_delivery_order_content(body),
        )
        return created(outcome)

    @api.post("/v1/vehicles", tags=["vehicles"], status_code=201)
    def create_vehicle(body: VehicleIn, caller: Enterprise) -> Any:
        """File a vehicle as a draft (R-VEH-1)."""
        access.enterprise(caller, body.owner_customs_code, "owner_customs_code")
        return created(zone.file_vehicle(**body.model_dump()))

    @api.post("/v1/gate-passes", tags=["gate-passes"], status_code=201)
    def create_gate_pass(body: GatePassIn, caller: Enterprise) -> Any:
        """Save a gate pass as a draft (R-GATE-1 … 9)."""
        access.enterprise(caller, body.zone_customs_code, "zone_customs_code")
        outcome = zone.create_gate_pass(
            enterprise_doc_no=body.enterprise_doc_no,
            zone_customs_code=body.zone_customs_code,
            **_gate_pass_content(body),
        )
        return created(outcome)

    # Modify a draft, returned or receive-failed document (R-DOC-3): the body is
    # the creation body; the enterprise and the enterprise's own number stay.

    @api.put("/v1/ledgers/{document_id}", tags=["ledgers"])
    def modify_ledger(
        document_id: UUID,
        body: LedgerIn,
        idempotency_key: IdempotencyKey,
        caller: Enterprise,
    ) -> Any:
        """Change a modifiable ledger's head (R-DOC-3)."""
        with access.acting_on("ledgers", document_id, caller):
            access.enterprise(
                caller, body.operating_customs_code, "operating_customs_code"
            )
            fields = body.model_dump(exclude={"enterprise_doc_no"})
            head = zone.ledger_head(**fields)
            return answered(
                zone.modify_ledger(document_id, head, command_id=idempotency_key)
            )

    @api.put("/v1/business-forms/{document_id}", tags=["business-forms"])
    def modify_business_form(
        document_id: UUID,
        body: BusinessFormIn,
        idempotency_key: IdempotencyKey,
        caller: Enterprise,
    ) -> Any:
        """Replace the content of a modifiable business form (R-FORM-7)."""
        with access.acting_on("business-forms", document_id, caller):
            access.enterprise(caller, body.zone_customs_code, "zone_customs_code")
            head = zone.form_head(
                business_type=body.business_type,
                direction=body.direction,
                zone_customs_code=body.zone_customs_code,
                master_customs_code=body.master_customs_code,
                valid_until=body.valid_until,
                outside_customs_code=body.outside_customs_code,
                ledger=_ledger_ref(body),
                ledger_flag=body.ledger_flag,
            )
            return answered(
                zone.modify_business_form(
                    document_id,
                    head=head,
                    lines=tuple(FormLine(**line.model_dump()) for line in body.lines),
                    unit_consumptions=tuple(
                        UnitConsumption(**row.model_dump())
                        for row in body.unit_consumptions
                    ),
                    command_id=idempotency_key,
                )
            )

    @api.put("/v1/stock-slips/{document_id}", tags=["stock-slips"])
    def modify_stock_slip(
        document_id: UUID,
        body: StockSlipIn,
        idempotency_key: IdempotencyKey,
        caller: Enterprise,
    ) -> Any:
        """Replace the lines of a modifiable stock slip (R-DOC-3)."""
        with access.acting_on("stock-slips", document_id, caller):
            lines = tuple(SlipLine(**line.model_dump()) for line in body.lines)
            return answered(
                zone.modify_stock_slip(document_id, lines, command_id=idempotency_key)
            )

    @api.put("/v1/checklists/{document_id}", tags=["checklists"])
    def modify_checklist(
        document_id: UUID,
        body: ChecklistIn,
        idempotency_key: IdempotencyKey,
        caller: Enterprise,
    ) -> Any:
        """Replace entered head fields and lines of a modifiable checklist."""
        with access.acting_on("checklists", document_id, caller):
            return answered(
                zone.modify_checklist(
                    document_id,
                    lines=tuple(
                        ChecklistLine(**line.model_dump()) for line in body.lines
                    ),
                    command_id=idempotency_key,
                    checklist_type=body.checklist_type,
                    **{name: getattr(body, name) for name in HEAD_FIELDS},
                )
            )

    @api.put("/v1/delivery-orders/{document_id}", tags=["delivery-orders"])
    def modify_delivery_order(
        document_id: UUID,
        body: DeliveryOrderIn,
        idempotency_key: IdempotencyKey,
        caller: Enterprise,
    ) -> Any:
        """Change a modifiable delivery order (R-DOC-3)."""
        with access.acting_on("delivery-orders", document_id, caller):
            return answered(
                zone.modify_delivery_order(
                    document_id,
                    command_id=idempotency_key,
                    **_delivery_order_content(body),
                )
            )

    @api.put("/v1/vehicles/{document_id}", tags=["vehicles"])
    def modify_vehicle(
        document_id: UUID,
        body: VehicleIn,
        idempotency_key: IdempotencyKey,
        caller: Enterprise,
    ) -> Any:
        """Change a modifiable vehicle filing (R-DOC-3)."""
        with access.acting_on("vehicles", document_id, caller):
            return answered(
                zone.modify_vehicle(
                    document_id,
                    command_id=idempotency_key,
                    **body.model_dump(
                        exclude={"enterprise_doc_no", "owner_customs_code"}
                    ),
                )
            )

    @api.put("/v1/gate-passes/{document_id}", tags=["gate-passes"])
    def modify_gate_pass(
        document_id: UUID,
        body: GatePassIn,
        idempotency_key: IdempotencyKey,
        caller: Enterprise,
    ) -> Any:
        """Replace the content of a modifiable gate pass (R-GATE-1)."""
        with access.acting_on("gate-passes", document_id, caller):
            return answered(
                zone.modify_gate_pass(
                    document_id, command_id=idempotency_key, **_gate_pass_content(body)
                )
            )

    # Requests on approved documents: amendment, close-out, write-off.

    @api.post("/v1/ledgers/{document_id}/amend", tags=["ledgers"])
    def amend_ledger(
        document_id: UUID,
        body: LedgerAmendmentIn,
        idempotency_key: IdempotencyKey,
        caller: Enterprise,
    ) -> Any:
        """Declare an amendment of an approved ledger (R-LEDGER-3)."""
        with access.acting_on("ledgers", document_id, caller):
            access.enterprise(
                caller, body.operating_customs_code, "operating_customs_code"
            )
            fields = body.model_dump(exclude={"enterprise_doc_no", "line_changes"})
            changes = tuple(LineChange(**c.model_dump()) for c in body.line_changes)
            return answered(
                zone.amend_ledger(
                    document_id,
                    zone.ledger_head(**fields),
                    changes,
                    command_id=idempotency_key,
                )
            )

    @api.post("/v1/ledgers/{document_id}/write-off", tags=["ledgers"])
    def declare_write_off(
        document_id: UUID,
        body: WriteOffIn,
        idempotency_key: IdempotencyKey,
        caller: Enterprise,
    ) -> Any:
        """Declare the write-off (报核) of a period (R-LEDGER-6)."""
        with access.acting_on("ledgers", document_id, caller):
            return answered(
                zone.declare_write_off(
                    document_id,
                    body.period_start,
                    body.period_end,
                    body.kind,
                    command_id=idempotency_key,
                )
            )

    @api.post("/v1/ledgers/{document_id}/write-off/result", tags=["customs"])
    def write_off_result(
        document_id: UUID,
        body: WriteOffResultIn,
        idempotency_key: IdempotencyKey,
        caller: Customs,
    ) -> Any:
        """Customs returns the write-off result (R-LEDGER-6)."""
        return answered(
            zone.return_write_off_result(
                document_id, body.accepted, body.note, command_id=idempotency_key
            )
        )

    @api.post("/v1/ledgers/{document_id}/write-off/confirm", tags=["ledgers"])
    def confirm_write_off(
        document_id: UUID, idempotency_key: IdempotencyKey, caller: Enterprise
    ) -> Any:
        """Confirm an accepted write-off result (核销结果确认, R-LEDGER-6)."""
        with access.acting_on("ledgers", document_id, caller):
            return answered(
                zone.confirm_write_off_result(document_id, command_id=idempotency_key)
            )

    @api.post("/v1/business-forms/{document_id}/amend", tags=["business-forms"])
    def amend_business_form(
        document_id: UUID,
        body: FormAmendmentIn,
        idempotency_key: IdempotencyKey,
        caller: Enterprise,
    ) -> Any:
        """Declare an amendment that adds lines or unit consumptions (R-FORM-8)."""
        with access.acting_on("business-forms", document_id, caller):
            return answered(
                zone.amend_business_form(
                    document_id,
                    lines=tuple(FormLine(**line.model_dump()) for line in body.lines),
                    unit_consumptions=tuple(
                        UnitConsumption(**row.model_dump())
                        for row in body.unit_consumptions
                    ),
                    command_id=idempotency_key,
                )
            )

    @api.post("/v1/business-forms/{document_id}/close-out", tags=["business-forms"])
    def close_out(
        document_id: UUID, idempotency_key: IdempotencyKey, caller: Enterprise
    ) -> Any:
        """Ask customs to close out an approved business form (R-FORM-9)."""
        with access.acting_on("business-forms", document_id, caller):
            return answered(
                zone.declare_close_out(document_id, command_id=idempotency_key)
            )

    @api.post("/v1/business-forms/{document_id}/deposits", tags=["customs"])
    def collect_deposit(
        document_id: UUID,
        body: DepositIn,
        idempotency_key: IdempotencyKey,
        caller: Customs,
    ) -> Any:
        """Record a guarantee deposit levied on an approved form (R-FORM-1)."""
        with access.acting_on("business-forms", document_id, caller):
            return answered(
                zone.collect_deposit(
                    document_id, body.amount, command_id=idempotency_key
                )
            )

    @api.post("/v1/vehicles/{document_id}/amend", tags=["vehicles"])
    def amend_vehicle(
        document_id: UUID,
        body: VehicleAmendmentIn,
        idempotency_key: IdempotencyKey,
        caller: Enterprise,
    ) -> Any:
        """Declare an amendment of an approved vehicle filing (R-VEH-2)."""
        with access.acting_on("vehicles", document_id, caller):
            return answered(
                zone.amend_vehicle(
                    document_id,
                    vehicle_type=body.vehicle_type,
                    tare_weight_kg=body.tare_weight_kg,
                    ic_card_no=body.ic_card_no,
                    command_id=idempotency_key,
                )
            )

    @api.post("/v1/{kind}/{document_id}/copy", tags=["documents"], status_code=201)
    def copy(
        kind: str,
        document_id: UUID,
        body: CopyIn,
        caller: Enterprise,
    ) -> Any:
        """Copy a document into a new draft (R-CHK-4)."""
        with access.acting_on(kind, document_id, caller):
            copiers = {
                "ledgers": zone.copy_ledger,
                "business-forms": zone.copy_business_form,
                "stock-slips": zone.copy_stock_slip,
                "checklists": zone.copy_checklist,
            }
            if kind not in copiers:
                from aggregates.common.errors import ValidationError

            raise ValidationError(f"{kind} cannot be copied", field="kind")
        return created(
            copiers[kind](document_id, enterprise_doc_no=body.enterprise_doc_no)
        )

    # Customs: decisions by hand, receipts, the declaration, the gate.

    @api.post("/v1/{kind}/{document_id}/decisions", tags=["customs"])
    def decide(
        kind: str,
        document_id: UUID,
        body: DecisionIn,
        idempotency_key: IdempotencyKey,
        caller: Customs,
    ) -> Any:
        """Record customs' decision on a declared document (R-DOC-2)."""
        with access.acting_on(kind, document_id, caller):
            decision = CustomsDecision(
                DecisionOutcome(body.outcome),
                document_no=body.document_no,
                reason=body.reason,
                deposit=str(Decimal(body.deposit)) if body.deposit else "",
            )
            return answered(
                zone.record_decision(document_id, decision, command_id=idempotency_key)
            )

    @api.post("/v1/checklists/{document_id}/declaration", tags=["customs"])
    def declaration_generated(
        document_id: UUID,
        body: DeclarationGeneratedIn,
        idempotency_key: IdempotencyKey,
        caller: Customs,
    ) -> Any:
        """Customs generated the checklist's declaration (R-CHK-5)."""
        return answered(
            zone.record_declaration_generated(
                document_id, body.declaration_no, command_id=idempotency_key
            )
        )

    @api.post("/v1/checklists/{document_id}/release", tags=["customs"])
    def release(
        document_id: UUID,
        body: ReleaseIn,
        idempotency_key: IdempotencyKey,
        caller: Customs,
    ) -> Any:
        """Customs released the checklist's declaration (R-CHK-6)."""
        return answered(
            zone.release_declaration(
                document_id, body.released_on, command_id=idempotency_key
            )
        )

    @api.post("/v1/checklists/{document_id}/post", tags=["checklists"])
    def post(
        document_id: UUID,
        body: PostIn,
        idempotency_key: IdempotencyKey,
        caller: Customs,
    ) -> Any:
        """Post a released, crossed checklist to its ledger (R-CHK-7)."""
        return answered(
            zone.post_checklist(document_id, body.posted_on, command_id=idempotency_key)
        )

    @api.post("/v1/gate-passes/{document_id}/crossings", tags=["customs"])
    def cross(
        document_id: UUID,
        body: CrossingIn,
        idempotency_key: IdempotencyKey,
        caller: Customs,
    ) -> Any:
        """The vehicle crossed a gate (R-GATE-10)."""
        return answered(
            zone.record_gate_crossing(
                document_id, body.stage, command_id=idempotency_key
            )
        )

    @api.post("/v1/gate-passes/{document_id}/inspection-control", tags=["customs"])
    def control(
        document_id: UUID, idempotency_key: IdempotencyKey, caller: Customs
    ) -> Any:
        """Place the gate pass under inspection control (R-GATE-10)."""
        return answered(
            zone.place_under_inspection(document_id, command_id=idempotency_key)
        )

    @api.post("/v1/gate-passes/{document_id}/inspection", tags=["customs"])
    def inspected(
        document_id: UUID, idempotency_key: IdempotencyKey, caller: Customs
    ) -> Any:
        """The vehicle was inspected (R-GATE-10)."""
        return answered(zone.record_inspection(document_id, command_id=idempotency_key))

    @api.post("/v1/imports", tags=["imports"])
    async def post_imports(request: Request, caller: Enterprise) -> Any:
        """Documents from an ERP in the import dialect (R-FLOW-4).

        One message, a ``<Messages>`` batch, or the JSON form ``{"messages":
        [...]}`` of INV101, SAS101, SAS111 or SAS121: each document goes through
        the same validation as the API; the answer says per document what was
        created or why not.
        """
        raw = await request.body()
        results = await run_in_threadpool(
            import_documents, zone, raw, caller.may_act_for
        )
        return {
            "results": [
                r.__dict__ | {"document_id": _id(r.document_id)} for r in results
            ]
        }

    @api.get(
        "/v1/checklists/{document_id}/customs-message",
        tags=["customs"],
        response_class=Response,
    )
    def customs_message(document_id: UUID, caller: Enterprise) -> Response:
        """The INV101 that carries the checklist to customs (R-FLOW-1)."""
        checklist = access.document("checklists", document_id, caller)
        assert isinstance(checklist, Checklist)
        message = checklist_declaration(checklist, sender_id="DXPENT0000000000")
        return Response(write_inv101(message), media_type="application/xml")

    @api.get(
        "/v1/gate-passes/{document_id}/customs-message",
        tags=["customs"],
        response_class=Response,
    )
    def gate_pass_message(document_id: UUID, caller: Enterprise) -> Response:
        """The SAS121 that carries the gate pass to customs (R-FLOW-1)."""
        gate_pass = access.document("gate-passes", document_id, caller)
        assert isinstance(gate_pass, GatePass)
        message = gate_pass_declaration(gate_pass, sender_id="DXPENT0000000000")
        return Response(write_sas121(message), media_type="application/xml")

    if inbox is not None:
        receipt_inbox = inbox

        @api.post("/v1/customs/receipts", tags=["customs"])
        async def receive_receipt(request: Request, caller: Customs) -> Any:
            """A customs receipt or gate event in the HDE dialect (R-FLOW-2)."""
            raw = await request.body()
            outcome = await run_in_threadpool(receipt_inbox.receive, raw)
            return {
                "message_id": outcome.message_id,
                "message_type": outcome.message_type,
                "status": outcome.status,
                "document_id": str(outcome.document_id)
                if outcome.document_id
                else None,
                "detail": outcome.detail,
            }

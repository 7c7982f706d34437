"""Between the import dialect and the zone's commands, both ways (R-FLOW-1, 4).

An ERP's INV101 or SAS121 becomes the same command a portal issues, so it meets
the same validation; a declared checklist or gate pass becomes the message that
goes to customs.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from lxml import etree
from pydantic import ValidationError as PydanticValidationError

from aggregates.business_form.model import BusinessForm
from aggregates.business_form.rules import FormLine, LedgerRef, MaterialFlag
from aggregates.checklist.model import Checklist, ChecklistLine
from aggregates.common.errors import ValidationError
from aggregates.common.idempotency import Outcome
from aggregates.common.values import coded
from aggregates.gate_pass.model import GatePass, GatePassLine
from aggregates.ledger.model import Ledger, LedgerFamily
from aggregates.stock_slip.model import SlipLine, StockSlip
from aggregates.vehicle.model import Vehicle
from aggregates.zone import Zone
from bonded.errors import BackboneError, MessageError
from gateway.customs.declarations import (
    message_type_of,
    read_bws101,
    read_inv101,
    read_sas101,
    read_sas111,
    read_sas121,
    read_sas131,
)
from gateway.customs.safe_xml import name_of, parse
from schemas.declarations import (
    BusinessFormDeclaration,
    BusinessFormGoodsWire,
    BusinessFormHeadWire,
    ChecklistDeclaration,
    ChecklistHeadWire,
    ChecklistLineWire,
    GatePassDeclaration,
    GatePassGoodsWire,
    GatePassHeadWire,
    LedgerDeclaration,
    LedgerHeadWire,
    RelatedBillWire,
    StockSlipDeclaration,
    StockSlipGoodsWire,
    StockSlipHeadWire,
    VehicleDeclaration,
    VehicleHeadWire,
)

Declaration = (
    ChecklistDeclaration
    | GatePassDeclaration
    | BusinessFormDeclaration
    | StockSlipDeclaration
)


@dataclass(frozen=True)
class ImportResult:
    """What became of one imported document."""

    enterprise_doc_no: str
    status: str
    document_id: UUID | None = None
    rule: str = ""
    field: str = ""
    reason: str = ""


def checklist_command(message: ChecklistDeclaration) -> dict[str, Any]:
    """The ``create_checklist`` arguments of an INV101 message."""
    head = message.head
    return {
        "enterprise_doc_no": head.enterprise_doc_no,
        "ledger_no": head.ledger_no,
        "direction": head.direction,
        "checklist_type": head.checklist_type,
        "goods_flag": head.goods_flag,
        "supervision_mode": head.supervision_mode,
        "transport_mode": head.transport_mode,
        "port_code": head.port_code,
        "master_customs_code": head.master_customs_code,
        "country_code": head.country_code,
        "customs_flag": head.customs_flag,
        "declaration_kind": head.declaration_kind,
        "generate_declaration": head.generate_declaration == "1",
        "declaration_type": head.declaration_type,
        "business_form_no": head.business_form_no or "",
        "note": head.note or "",
        "consignee_customs_code": head.consignee_customs_code or "",
        "declaring_customs_code": head.declarant_customs_code or "",
        "lines": tuple(
            ChecklistLine(
                line_no=line.line_no,
                part_no=line.part_no,
                hs_code=line.hs_code,
                name=line.name,
                unit=line.unit,
                quantity=line.quantity,
                unit_price=line.unit_price,
                currency=line.currency,
                origin_country=line.origin_country,
                destination_country=line.destination_country,
                ledger_serial=line.ledger_serial,
            )
            for line in message.lines
        ),
    }


RELATED_KINDS = {"1": "checklist", "2": "stock slip", "3": "delivery order"}


# Message type → its wire model, the enterprise code field and its wire name.
MESSAGES: dict[str, tuple[type[Any], str, str]] = {
    "INV101": (ChecklistDeclaration, "operating_customs_code", "BizopEtpsno"),
    "SAS101": (BusinessFormDeclaration, "zone_customs_code", "AreainEtpsno"),
    "SAS111": (StockSlipDeclaration, "zone_customs_code", "AreainEtpsNo"),
    "SAS121": (GatePassDeclaration, "zone_customs_code", "AreainEtpsno"),
    "BWS101": (LedgerDeclaration, "operating_customs_code", "BizopEtpsno"),
    "SAS131": (VehicleDeclaration, "owner_customs_code", "etpsno"),
}
READERS: dict[str, Callable[[bytes], Any]] = {
    "INV101": read_inv101,
    "SAS101": read_sas101,
    "SAS111": read_sas111,
    "SAS121": read_sas121,
    "BWS101": read_bws101,
    "SAS131": read_sas131,
}
MAX_BATCH = 500


def _supported(message_type: str) -> None:
    if message_type not in MESSAGES:
        raise MessageError(
            f"importing {message_type or 'this message'} is not supported; "
            f"send INV101, SAS101, SAS111, SAS121, BWS101 or SAS131",
            field="message_type",
        )


def read_messages(raw: bytes) -> list[tuple[str, Any]]:
    """The declarations of an import, each with its message type.

    One XML message, a ``<Messages>`` batch of them, or their JSON form
    ``{"messages": [{"message_type": …, …}]}``.
    """
    if raw.lstrip()[:1] == b"{":
        return _read_json(raw)
    root = parse(raw)
    if name_of(root) != "messages":
        message_type = message_type_of(raw)
        _supported(message_type)
        return [(message_type, READERS[message_type](raw))]
    items = [item for item in root if isinstance(item.tag, str)]
    if not 1 <= len(items) <= MAX_BATCH:
        raise MessageError(
            f"a batch holds 1 to {MAX_BATCH} messages, got {len(items)}",
            field="Messages",
        )
    found = []
    for item in items:
        single = etree.tostring(item)
        message_type = message_type_of(single)
        _supported(message_type)
        found.append((message_type, READERS[message_type](single)))
    return found


def _read_json(raw: bytes) -> list[tuple[str, Any]]:
    try:
        document = json.loads(raw)
    except ValueError as error:
        raise MessageError(f"not JSON: {error}", field="body") from None
    messages = document.get("messages") if isinstance(document, dict) else None
    if not isinstance(messages, list) or not 1 <= len(messages) <= MAX_BATCH:
        raise MessageError(
            f'the JSON form is {{"messages": [1 to {MAX_BATCH} messages]}}',
            field="messages",
        )
    found = []
    for number, item in enumerate(messages):
        message_type = (
            str(item.get("message_type", "")) if isinstance(item, dict) else ""
        )
        _supported(message_type)
        model = MESSAGES[message_type][0]
        body = {k: v for k, v in item.items() if k != "message_type"}
        try:
            found.append((message_type, model.model_validate(body)))
        except PydanticValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise MessageError(
                f"messages[{number}].{where}: {first['msg']}",
                field=f"messages[{number}].{where}",
            ) from None
    return found


def import_documents(zone: Zone, raw: bytes, may_act_for: Any) -> list[ImportResult]:
    """Create (and, if asked, declare) each document of an import, one by one."""
    return [
        import_declaration(zone, message_type, message, may_act_for)
        for message_type, message in read_messages(raw)
    ]


def import_declaration(
    zone: Zone, message_type: str, message: Any, may_act_for: Any
) -> ImportResult:
    """Create (and, if asked, declare) the document of one declaration."""
    _, code_field, wire_field = MESSAGES[message_type]
    code = getattr(message.head, code_field)
    own_no = message.head.enterprise_doc_no
    if not may_act_for(code):
        return ImportResult(
            own_no,
            "refused",
            reason=f"this key does not act for {code}",
            field=wire_field,
        )
    creators: dict[str, Callable[[], Outcome]] = {
        "INV101": lambda: zone.create_checklist(**checklist_command(message)),
        "SAS101": lambda: zone.create_business_form(
            **business_form_command(zone, message)
        ),
        "SAS111": lambda: zone.create_stock_slip(**stock_slip_command(zone, message)),
        "SAS121": lambda: zone.create_gate_pass(**gate_pass_command(zone, message)),
        "BWS101": lambda: zone.file_ledger(**ledger_command(message)),
        "SAS131": lambda: zone.file_vehicle(**vehicle_command(message)),
    }
    try:
        outcome = creators[message_type]()
        if message.declare:
            zone.declare(
                outcome.aggregate_id, command_id=f"import/{message.message_id}/declare"
            )
    except BackboneError as refused:
        return ImportResult(
            own_no,
            "refused",
            rule=getattr(refused, "rule", ""),
            field=getattr(refused, "field", ""),
            reason=getattr(refused, "reason", str(refused)),
        )
    status = "declared" if message.declare else "saved"
    if outcome.replayed:
        status = "already imported"
    return ImportResult(own_no, status, outcome.aggregate_id)


def _day(text: str) -> date:
    return date(int(text[:4]), int(text[4:6]), int(text[6:]))


def ledger_command(message: LedgerDeclaration) -> dict[str, Any]:
    """The ``file_ledger`` arguments of a BWS101 filing (no lines: R-LEDGER-2)."""
    if message.lines:
        raise ValidationError(
            "a ledger is filed without lines; lines come from postings",
            rule="R-LEDGER-2",
            field="BwlList",
        )
    head = message.head
    return {
        "enterprise_doc_no": head.enterprise_doc_no,
        "operating_customs_code": head.operating_customs_code,
        "master_customs_code": head.master_customs_code,
        "area_type": head.area_type,
        "house_no": head.house_no,
        "house_name": head.house_name,
        "house_address": head.house_address,
        "valid_until": _day(head.valid_until),
    }


def vehicle_command(message: VehicleDeclaration) -> dict[str, Any]:
    """The ``file_vehicle`` arguments of a SAS131 filing, keyed by the plate."""
    head = message.head
    return {
        "enterprise_doc_no": head.vehicle_no,
        "owner_customs_code": head.owner_customs_code,
        "vehicle_no": head.vehicle_no,
        "vehicle_type": head.vehicle_type,
        "tare_weight_kg": head.tare_weight_kg,
    }


def business_form_command(
    zone: Zone, message: BusinessFormDeclaration
) -> dict[str, Any]:
    """The ``create_business_form`` arguments of a SAS101 message.

    The ledger named by ``AreainOriactNo`` is a logistics ledger of ours if we
    know its number, otherwise a processing-trade ledger of the sister system.
    """
    head = message.head
    ledger = None
    if head.ledger_no:
        ours = zone.find_ledger(head.ledger_no)
        ledger = LedgerRef(
            ledger_no=head.ledger_no,
            family=LedgerFamily.LOGISTICS if ours else LedgerFamily.PROCESSING_TRADE,
            kind=str(ours.area_type) if ours else "other",
        )
    return {
        "enterprise_doc_no": head.enterprise_doc_no,
        "business_type": head.business_type,
        "direction": head.direction,
        "zone_customs_code": head.zone_customs_code,
        "master_customs_code": head.master_customs_code,
        "valid_until": _day(head.valid_until),
        "outside_customs_code": head.outside_customs_code or "",
        "ledger": ledger,
        "ledger_flag": head.ledger_flag,
        "lines": tuple(
            FormLine(
                line_no=line.line_no,
                part_no=line.part_no,
                hs_code=line.hs_code,
                name=line.name,
                quantity=line.quantity,
                unit=line.unit,
                unit_price=line.unit_price,
                currency=line.currency,
                flag=coded(MaterialFlag, line.flag, field="MtpckEndprdTypecd"),
                ledger_serial=line.ledger_serial,
            )
            for line in message.lines
        ),
    }


def stock_slip_command(zone: Zone, message: StockSlipDeclaration) -> dict[str, Any]:
    """The ``create_stock_slip`` arguments of a SAS111 message."""
    form_no = message.head.business_form_no
    form_id = zone.find_by_number("business form", form_no)
    if form_id is None:
        raise ValidationError(
            f"no approved business form with number {form_no}",
            rule="R-SLIP-2",
            field="SasDclNo",
        )
    return {
        "enterprise_doc_no": message.head.enterprise_doc_no,
        "business_form_id": form_id,
        "lines": tuple(
            SlipLine(
                line_no=line.line_no,
                form_line_no=line.form_line_no,
                quantity=line.quantity,
                unit_price=line.unit_price,
            )
            for line in message.lines
        ),
    }


def gate_pass_command(zone: Zone, message: GatePassDeclaration) -> dict[str, Any]:
    """The ``create_gate_pass`` arguments of a SAS121 message.

    Related documents are named by their customs numbers; each must be known.
    """
    related = []
    for row in message.related:
        kind = RELATED_KINDS.get(row.kind)
        found = zone.find_by_number(kind, row.number) if kind else None
        if found is None:
            raise ValidationError(
                f"no {kind or 'document'} with number {row.number}",
                rule="R-GATE-2",
                field="RtlBillNo",
            )
        related.append(found)
    head = message.head
    return {
        "enterprise_doc_no": head.enterprise_doc_no,
        "zone_customs_code": head.zone_customs_code,
        "pass_type": head.pass_type,
        "binding": head.binding,
        "direction": head.direction,
        "vehicle_no": head.vehicle_no,
        "vehicle_weight_kg": head.vehicle_weight_kg,
        "goods_gross_weight_kg": head.goods_gross_weight_kg or Decimal(0),
        "related_document_ids": tuple(related),
        "lines": tuple(
            GatePassLine(
                line_no=line.line_no,
                part_no=line.part_no or "",
                name=line.name or "",
                unit=line.unit or "",
                quantity=line.quantity,
                related_line_no=line.related_line_no,
            )
            for line in message.goods
        ),
    }


def gate_pass_declaration(
    gate_pass: GatePass, *, sender_id: str, sent_at: datetime | None = None
) -> GatePassDeclaration:
    """The SAS121 that carries a declared gate pass to customs."""
    head = gate_pass.head
    zone_enterprise = head.zone_enterprise
    related = tuple(
        RelatedBillWire(kind=str(r.kind), number=r.document_no)
        for r in gate_pass.related
    )
    wire_head = GatePassHeadWire(
        gate_pass_no=gate_pass.document_no,
        enterprise_doc_no=gate_pass.enterprise_doc_no,
        pass_type=str(head.pass_type),
        direction=str(head.direction),
        binding=str(head.binding) if head.binding else None,
        related_kind=str(gate_pass.related[0].kind) if gate_pass.related else None,
        related_nos="\\".join(r.document_no for r in gate_pass.related) or None,
        zone_customs_code=zone_enterprise.customs_code,
        zone_name=zone_enterprise.name,
        zone_credit_code=zone_enterprise.credit_code,
        vehicle_no=head.vehicle_no,
        vehicle_weight_kg=Decimal(head.vehicle_weight_kg),
        goods_gross_weight_kg=Decimal(head.goods_gross_weight_kg),
        total_weight_kg=head.total_weight_kg,
    )
    goods = tuple(
        GatePassGoodsWire(
            line_no=line.line_no,
            related_line_no=line.related_line_no,
            part_no=line.part_no or None,
            name=line.name or None,
            unit=line.unit or None,
            quantity=Decimal(line.quantity),
        )
        for line in gate_pass.lines
    )
    return GatePassDeclaration(
        message_id=gate_pass.enterprise_doc_no,
        sender_id=sender_id,
        sent_at=sent_at or datetime.now(UTC).replace(tzinfo=None),
        head=wire_head,
        goods=goods,
        related=related,
        declare=True,
        operator_customs_code=zone_enterprise.customs_code,
    )


def checklist_declaration(
    checklist: Checklist, *, sender_id: str, sent_at: datetime | None = None
) -> ChecklistDeclaration:
    """The INV101 that carries a declared checklist to customs."""
    head = checklist.head
    operating = head.operating_enterprise
    consignee = head.consignee
    declarant = head.declaring_enterprise
    wire_head = ChecklistHeadWire(
        pre_entry_no=None,
        checklist_no=checklist.document_no,
        change_count=checklist.amendment_count,
        ledger_no=head.ledger_no,
        enterprise_doc_no=checklist.enterprise_doc_no,
        checklist_type=str(head.checklist_type),
        request_code="1",
        operating_credit_code=operating.credit_code,
        operating_customs_code=operating.customs_code,
        operating_name=operating.name,
        consignee_credit_code=consignee.credit_code,
        consignee_customs_code=consignee.customs_code,
        consignee_name=consignee.name,
        declarant_credit_code=declarant.credit_code,
        declarant_customs_code=declarant.customs_code,
        declarant_name=declarant.name,
        direction=str(head.direction),
        goods_flag=str(head.goods_flag),
        supervision_mode=head.supervision_mode,
        transport_mode=str(head.transport_mode),
        port_code=head.port_code,
        master_customs_code=head.master_customs_code,
        country_code=head.country_code,
        customs_flag=str(head.customs_flag),
        declaration_kind=str(head.declaration_kind) if head.declaration_kind else None,
        generate_declaration="1" if head.generate_declaration else "2",
        declaration_type=str(head.declaration_type) if head.declaration_type else None,
        business_form_no=head.business_form_no or None,
        note=head.note or None,
    )
    lines = tuple(
        ChecklistLineWire(
            line_no=line.line_no,
            ledger_serial=line.ledger_serial,
            part_no=line.part_no,
            hs_code=line.hs_code,
            name=line.name,
            unit=line.unit,
            origin_country=line.origin_country,
            destination_country=line.destination_country,
            unit_price=Decimal(line.unit_price),
            total_amount=Decimal(line.quantity) * Decimal(line.unit_price),
            currency=line.currency,
            quantity=Decimal(line.quantity),
        )
        for line in checklist.lines
    )
    return ChecklistDeclaration(
        message_id=checklist.enterprise_doc_no,
        sender_id=sender_id,
        sent_at=sent_at or datetime.now(UTC).replace(tzinfo=None),
        head=wire_head,
        lines=lines,
        declare=True,
        operator_customs_code=operating.customs_code,
    )


def _envelope(document: Any, sender_id: str) -> dict[str, Any]:
    return {
        "message_id": document.enterprise_doc_no,
        "sender_id": sender_id,
        "sent_at": datetime.now(UTC).replace(tzinfo=None),
        "declare": True,
    }


def business_form_declaration(form: BusinessForm, *, sender_id: str) -> Any:
    """The SAS101 that carries a declared business form to customs."""
    head = form.head
    outside = head.outside_enterprise
    return BusinessFormDeclaration(
        **_envelope(form, sender_id),
        operator_customs_code=head.zone_enterprise.customs_code,
        head=BusinessFormHeadWire(
            business_form_no=form.document_no,
            master_customs_code=head.master_customs_code,
            business_type=str(head.business_type),
            direction=str(head.direction),
            ledger_no=head.ledger.ledger_no if head.ledger else None,
            zone_customs_code=head.zone_enterprise.customs_code,
            outside_customs_code=outside.customs_code if outside else None,
            valid_until=head.valid_until.strftime("%Y%m%d"),
            enterprise_doc_no=form.enterprise_doc_no,
            ledger_flag=str(head.ledger_flag) if head.ledger_flag else None,
        ),
        lines=tuple(
            BusinessFormGoodsWire(
                line_no=line.line_no,
                ledger_serial=line.ledger_serial,
                flag=str(line.flag),
                hs_code=line.hs_code,
                name=line.name,
                quantity=Decimal(line.quantity),
                unit=line.unit,
                unit_price=Decimal(line.unit_price),
                currency=line.currency,
                part_no=line.part_no,
            )
            for line in form.lines
        ),
    )


def stock_slip_declaration(slip: StockSlip, *, sender_id: str) -> Any:
    """The SAS111 that carries a declared stock slip to customs."""
    head = slip.head
    return StockSlipDeclaration(
        **_envelope(slip, sender_id),
        operator_customs_code=head.zone_enterprise.customs_code,
        head=StockSlipHeadWire(
            business_form_no=head.business_form_no,
            zone_customs_code=head.zone_enterprise.customs_code,
            direction=str(head.direction),
            business_type=str(head.business_type),
            enterprise_doc_no=slip.enterprise_doc_no,
        ),
        lines=tuple(
            StockSlipGoodsWire(
                line_no=line.line_no,
                form_line_no=line.form_line_no,
                quantity=Decimal(line.quantity),
                unit_price=Decimal(line.unit_price),
            )
            for line in slip.lines
        ),
    )


def ledger_declaration(ledger: Ledger, *, sender_id: str) -> Any:
    """The BWS101 that carries a declared ledger filing to customs."""
    head = ledger.head
    return LedgerDeclaration(
        **_envelope(ledger, sender_id),
        operator_customs_code=head.operating_enterprise.customs_code,
        head=LedgerHeadWire(
            ledger_no=ledger.document_no,
            enterprise_doc_no=ledger.enterprise_doc_no,
            area_type=str(head.area_type),
            master_customs_code=head.master_customs_code,
            operating_customs_code=head.operating_enterprise.customs_code,
            house_no=head.house_no,
            house_name=head.house_name,
            house_address=head.house_address,
            valid_until=head.valid_until.strftime("%Y%m%d"),
        ),
    )


def vehicle_declaration(vehicle: Vehicle, *, sender_id: str) -> Any:
    """The SAS131 that carries a declared vehicle filing to customs."""
    head = vehicle.head
    return VehicleDeclaration(
        **_envelope(vehicle, sender_id),
        operator_customs_code=head.owner.customs_code,
        head=VehicleHeadWire(
            vehicle_no=head.vehicle_no,
            vehicle_type=str(head.vehicle_type),
            owner_customs_code=head.owner.customs_code,
            tare_weight_kg=Decimal(head.tare_weight_kg),
        ),
    )

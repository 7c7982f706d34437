"""Between the import dialect and the zone's commands, both ways (R-FLOW-1, 4).

An ERP's INV101 becomes the same ``create_checklist`` command a portal issues, so
it meets the same validation; a declared checklist becomes the INV101 that goes
to customs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from aggregates.checklist.model import Checklist, ChecklistLine
from aggregates.zone import Zone
from bonded.errors import BackboneError
from gateway.customs.inv101 import read_inv101
from schemas.declarations import (
    ChecklistDeclaration,
    ChecklistHeadWire,
    ChecklistLineWire,
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


def import_checklist(zone: Zone, raw: bytes, may_act_for: Any) -> ImportResult:
    """Create (and, if asked, declare) the checklist of one INV101 message."""
    message = read_inv101(raw)
    head = message.head
    if not may_act_for(head.operating_customs_code):
        return ImportResult(
            head.enterprise_doc_no,
            "refused",
            reason=f"this key does not act for {head.operating_customs_code}",
            field="BizopEtpsno",
        )
    try:
        outcome = zone.create_checklist(**checklist_command(message))
        if message.declare:
            zone.declare(
                outcome.aggregate_id, command_id=f"import/{message.message_id}/declare"
            )
    except BackboneError as refused:
        return ImportResult(
            head.enterprise_doc_no,
            "refused",
            rule=getattr(refused, "rule", ""),
            field=getattr(refused, "field", ""),
            reason=getattr(refused, "reason", str(refused)),
        )
    status = "declared" if message.declare else "saved"
    if outcome.replayed:
        status = "already imported"
    return ImportResult(head.enterprise_doc_no, status, outcome.aggregate_id)


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

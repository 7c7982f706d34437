"""Builders of obviously fake test data (TEST markers, never real numbers)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from aggregates.business_form.rules import FormLine, LedgerRef
from aggregates.checklist.model import ChecklistLine
from aggregates.common.documents import CustomsDecision, DecisionOutcome
from aggregates.common.values import credit_code_check_character
from aggregates.gate_pass.model import GatePassLine
from aggregates.ledger.model import LedgerFamily, PostingLine
from aggregates.stock_slip.model import SlipLine
from bonded.bootstrap import Applications

ZONE_CODE = "TEST000001"
OUTSIDE_CODE = "TEST000002"
OTHER_CODE = "TEST000003"


def a_credit_code(serial: int) -> str:
    """A well-formed credit code (GB 32100) with a fake body."""
    body = f"91TE{serial:013d}"
    return body + credit_code_check_character(body)


def register_test_enterprises(apps: Applications) -> None:
    for serial, code in enumerate((ZONE_CODE, OUTSIDE_CODE, OTHER_CODE), start=1):
        apps.register.register_enterprise(
            code, a_credit_code(serial), f"TEST enterprise {serial}"
        )


def approve(document_no: str = "", deposit: str = "") -> CustomsDecision:
    return CustomsDecision(
        DecisionOutcome.APPROVED, document_no=document_no, deposit=deposit
    )


def reject(reason: str = "TEST reason") -> CustomsDecision:
    return CustomsDecision(DecisionOutcome.REJECTED, reason=reason)


def a_ledger(apps: Applications, doc_no: str = "TEST-LEDGER-1") -> UUID:
    """A draft ledger of the test zone enterprise."""
    return apps.zone.file_ledger(
        enterprise_doc_no=doc_no,
        operating_customs_code=ZONE_CODE,
        master_customs_code="2244",
        area_type="Z",
        house_no="TEST-H1",
        house_name="TEST warehouse",
        house_address="TEST road 1",
        valid_until=date(2030, 12, 31),
    ).aggregate_id


def a_declared_ledger(apps: Applications, doc_no: str = "TEST-LEDGER-1") -> UUID:
    """A ledger declared to customs, awaiting its decision."""
    ledger_id = a_ledger(apps, doc_no)
    apps.zone.declare(ledger_id, command_id=f"{doc_no}/declare")
    return ledger_id


def an_approved_ledger(
    apps: Applications, doc_no: str = "TEST-LEDGER-1", ledger_no: str = "TESTL000001"
) -> UUID:
    ledger_id = a_declared_ledger(apps, doc_no)
    apps.zone.record_decision(
        ledger_id, approve(ledger_no), command_id=f"{doc_no}/approve"
    )
    return ledger_id


def posting_line(part_no: str, quantity: str) -> PostingLine:
    return PostingLine(
        part_no=part_no,
        quantity=Decimal(quantity),
        hs_code="84713000",
        name=f"TEST part {part_no}",
        unit="007",
    )


def a_form_line(
    line_no: int = 1, quantity: str = "100", unit_price: str = "10", **changes: object
) -> FormLine:
    values: dict[str, object] = {
        "line_no": line_no,
        "part_no": f"TEST-P{line_no}",
        "hs_code": "84713000",
        "name": f"TEST goods {line_no}",
        "quantity": Decimal(quantity),
        "unit": "007",
        "unit_price": Decimal(unit_price),
        "currency": "142",
    }
    values.update(changes)
    return FormLine(**values)  # type: ignore[arg-type]


def an_approved_form(
    apps: Applications,
    *,
    doc_no: str = "TEST-FORM-1",
    business_type: str = "H",
    lines: tuple[FormLine, ...] | None = None,
    deposit: str = "",
    direction: str = "I",
    ledger: LedgerRef | None = None,
    ledger_flag: str | None = None,
) -> UUID:
    outcome = apps.zone.create_business_form(
        enterprise_doc_no=doc_no,
        business_type=business_type,
        direction=direction,
        zone_customs_code=ZONE_CODE,
        master_customs_code="2244",
        valid_until=date(2030, 12, 31),
        lines=lines or (a_form_line(1), a_form_line(2)),
        ledger=ledger,
        ledger_flag=ledger_flag,
    )
    form_id = outcome.aggregate_id
    apps.zone.declare(form_id, command_id=f"{doc_no}/declare")
    apps.zone.record_decision(
        form_id,
        approve(f"TESTF{doc_no[-4:]}", deposit=deposit),
        command_id=f"{doc_no}/approve",
    )
    return form_id


def a_slip_line(
    line_no: int, form_line_no: int, quantity: str, unit_price: str = "10"
) -> SlipLine:
    return SlipLine(
        line_no=line_no,
        form_line_no=form_line_no,
        quantity=Decimal(quantity),
        unit_price=Decimal(unit_price),
    )


def a_logistics_ledger_ref(ledger_no: str = "TESTL000001") -> LedgerRef:
    return LedgerRef(ledger_no=ledger_no, family=LedgerFamily.LOGISTICS, kind="Z")


# Checklists, gate passes: the head fields a checklist of each kind enters.
DECLARED_HEAD: dict[str, object] = {
    "goods_flag": "I",
    "supervision_mode": "5000",
    "transport_mode": "4",
    "port_code": "2244",
    "master_customs_code": "2244",
    "country_code": "142",
    "customs_flag": "1",
    "declaration_kind": "2",
    "generate_declaration": True,
    "declaration_type": "1",
}
NOT_DECLARED_HEAD: dict[str, object] = {
    **DECLARED_HEAD,
    "customs_flag": "2",
    "declaration_kind": None,
    "generate_declaration": False,
    "declaration_type": None,
}


def a_checklist_line(
    line_no: int, part_no: str, quantity: str, **changes: object
) -> ChecklistLine:
    values: dict[str, object] = {
        "line_no": line_no,
        "part_no": part_no,
        "hs_code": "84713000",
        "name": f"TEST part {part_no}",
        "unit": "007",
        "quantity": Decimal(quantity),
        "unit_price": Decimal("2"),
    }
    values.update(changes)
    return ChecklistLine(**values)  # type: ignore[arg-type]


def a_checklist(
    apps: Applications,
    doc_no: str,
    direction: str,
    lines: tuple[ChecklistLine, ...],
    *,
    ledger_no: str = "TESTL000001",
    declared: bool = True,
    **head: object,
) -> UUID:
    values = {**(DECLARED_HEAD if declared else NOT_DECLARED_HEAD), **head}
    values.setdefault("checklist_type", "0")
    return apps.zone.create_checklist(
        enterprise_doc_no=doc_no,
        ledger_no=ledger_no,
        direction=direction,
        lines=lines,
        **values,
    ).aggregate_id


def an_approved_checklist(
    apps: Applications,
    doc_no: str,
    direction: str,
    lines: tuple[ChecklistLine, ...],
    **head: object,
) -> UUID:
    checklist_id = a_checklist(apps, doc_no, direction, lines, **head)
    apps.zone.declare(checklist_id, command_id=f"{doc_no}/declare")
    apps.zone.record_decision(
        checklist_id, approve(f"QDTEST{doc_no[-6:]}"), command_id=f"{doc_no}/approve"
    )
    return checklist_id


def a_gate_pass(
    apps: Applications,
    doc_no: str,
    related: tuple[UUID, ...],
    *,
    binding: str | None = "2",
    pass_type: str = "3",
    direction: str = "I",
    vehicle_no: str = "TEST-V1",
    lines: tuple[GatePassLine, ...] = (),
) -> UUID:
    return apps.zone.create_gate_pass(
        enterprise_doc_no=doc_no,
        zone_customs_code=ZONE_CODE,
        pass_type=pass_type,
        binding=binding,
        direction=direction,
        vehicle_no=vehicle_no,
        vehicle_weight_kg="8000",
        goods_gross_weight_kg="1200",
        related_document_ids=related,
        lines=lines,
    ).aggregate_id


def an_approved_gate_pass(
    apps: Applications, doc_no: str, related: tuple[UUID, ...], **options: object
) -> UUID:
    gate_pass_id = a_gate_pass(apps, doc_no, related, **options)  # type: ignore[arg-type]
    apps.zone.declare(gate_pass_id, command_id=f"{doc_no}/declare")
    apps.zone.record_decision(
        gate_pass_id, approve(f"ZTEST{doc_no[-6:]}"), command_id=f"{doc_no}/approve"
    )
    return gate_pass_id


def a_carried_line(line_no: int, related_line_no: int, quantity: str) -> GatePassLine:
    return GatePassLine(
        line_no=line_no,
        part_no="",
        name="",
        unit="",
        quantity=Decimal(quantity),
        related_line_no=related_line_no,
    )


def cross(apps: Applications, gate_pass_id: UUID, key: str = "") -> None:
    apps.zone.record_gate_crossing(
        gate_pass_id, "single", command_id=key or f"cross/{gate_pass_id}"
    )

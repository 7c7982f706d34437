"""Contract: the customs samples apply to the documents they answer (R-FLOW-2).

The enterprise, ledger, checklist and gate pass of the samples are set up under
their own numbers; then the receipts of ``tests/fixtures/customs`` arrive as
customs sent them: INV201 approves the checklist (by the enterprise's own
number), INV202 gives its declaration, SAS221 approves the gate pass (by the
pre-entry number an acknowledgement gave) and SAS223 lets the truck through.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from aggregates.checklist.model import ChecklistLine
from aggregates.common.lifecycle import State
from aggregates.gate_pass.model import GateStatus
from bonded.bootstrap import Applications
from gateway.customs.hde import acknowledgement
from gateway.inbox import ReceiptInbox
from gateway.receipt_log import MemoryReceiptLog
from tests.builders import approve

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "customs"
ZONE = "330246A0Q3"
BROKER = "3302980B2X"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def test_the_sample_receipts_apply_to_their_documents(apps: Applications) -> None:
    apps.register.register_enterprise(ZONE, "91330201MA2H7K3Q0H", "示例保税物流")
    apps.register.register_enterprise(BROKER, "91310115MA1K4P2W1K", "示例报关服务")
    zone = apps.zone
    ledger = zone.file_ledger(
        enterprise_doc_no="SAMPLE-LEDGER",
        operating_customs_code=ZONE,
        master_customs_code="3109",
        area_type="Z",
        house_no="H1",
        house_name="示例仓库",
        house_address="示例路1号",
        valid_until=date(2030, 12, 31),
    ).aggregate_id
    zone.declare(ledger, command_id="l/d")
    zone.record_decision(ledger, approve("T3109W000123"), command_id="l/a")
    checklist = zone.create_checklist(
        enterprise_doc_no="HZQD330246A0Q3I202503100001",
        ledger_no="T3109W000123",
        direction="I",
        lines=(
            ChecklistLine(
                line_no=1,
                part_no="NB-LT-14A",
                hs_code="8471300000",
                name="笔记本电脑",
                unit="001",
                quantity=Decimal(200),
                unit_price=Decimal(520),
                currency="502",
                origin_country="116",
            ),
        ),
        declaring_customs_code=BROKER,
        checklist_type="0",
        goods_flag="I",
        supervision_mode="5034",
        transport_mode="2",
        port_code="3103",
        master_customs_code="3109",
        country_code="116",
        customs_flag="1",
        declaration_kind="2",
        generate_declaration=True,
        declaration_type="3",
    ).aggregate_id
    zone.declare(checklist, command_id="c/d")
    inbox = ReceiptInbox(zone, MemoryReceiptLog())

    approved = inbox.receive(sample("02-INV201-approved-prededucted.xml"))
    generated = inbox.receive(sample("03-INV202-entry-generated.xml"))
    gate_pass = zone.create_gate_pass(
        enterprise_doc_no="HFD330246A0Q3I202503110003",
        zone_customs_code=ZONE,
        pass_type="2",
        binding="2",
        direction="I",
        vehicle_no="浙B0X123",
        vehicle_weight_kg="12500",
        goods_gross_weight_kg="700",
        related_document_ids=(checklist,),
    ).aggregate_id
    zone.declare(gate_pass, command_id="g/d")
    inbox.remember_outbound("HFD330246A0Q3I202503110003", gate_pass)
    inbox.receive(acknowledgement("HFD330246A0Q3I202503110003", "202500000007654321"))
    passed = inbox.receive(sample("07-SAS221-passport-approved.xml"))
    crossed = inbox.receive(sample("08-SAS223-gate-pass.xml"))

    assert [r.status for r in (approved, generated, passed, crossed)] == ["applied"] * 4
    applied = zone.get_checklist(checklist)
    assert (applied.state, applied.document_no) == (
        State.APPROVED,
        "QD310925I000004321",
    )
    assert applied.declaration_no == "I20250000987654321"
    assert zone.get_ledger(ledger).booked_of("NB-LT-14A") == (Decimal(200), 0)
    truck = zone.get_gate_pass(gate_pass)
    assert truck.document_no == "Z3109I250311000000000058"
    assert truck.gate_status is GateStatus.CROSSED
    assert applied.goods_crossed

"""The receipt inbox: receipts applied once, in precedence, parked when early.

R-FLOW-2: every customs receipt is applied to its document and kept.
"""

from __future__ import annotations

from uuid import UUID

import pytest
from lxml import etree

from aggregates.checklist.model import PostingMark
from aggregates.common.lifecycle import State
from aggregates.gate_pass.model import GateStatus
from bonded.bootstrap import Applications
from bonded.errors import MessageError
from gateway.customs.hde import posting_receipt
from gateway.customs.pockets import assemble
from gateway.customs.receipts import read_receipt
from gateway.inbox import ReceiptInbox, identity
from gateway.receipt_log import MemoryReceiptLog
from schemas.customs import ApprovalResult
from tests.builders import (
    ZONE_CODE,
    a_checklist,
    a_checklist_line,
    a_gate_pass,
    an_approved_checklist,
    an_approved_ledger,
)
from tests.customs_messages import (
    acknowledgement,
    document_decision,
    inv201,
    inv202,
    sas22x,
)
from tests.scenarios import ImportExport, import_and_export

QD = "QD224426I000000001"
PRE_ENTRY = "202600000000000042"


@pytest.fixture
def inbox(apps: Applications) -> ReceiptInbox:
    an_approved_ledger(apps)
    return ReceiptInbox(apps.zone, MemoryReceiptLog())


def declared_checklist(apps: Applications, doc_no: str = "TEST-C1") -> UUID:
    checklist = a_checklist(apps, doc_no, "I", (a_checklist_line(1, "A", "5"),))
    apps.zone.declare(checklist, command_id=f"{doc_no}/declare")
    return checklist


def approval(doc_no: str = "TEST-C1", **options: str) -> bytes:
    return inv201(QD, customs_code=ZONE_CODE, enterprise_doc_no=doc_no, **options)


def test_an_approval_is_applied_with_the_customs_number_r_flow_2(
    apps: Applications, inbox: ReceiptInbox
) -> None:
    checklist = declared_checklist(apps)

    outcome = inbox.receive(approval())

    assert (outcome.status, outcome.document_id) == ("applied", checklist)
    applied = apps.zone.get_checklist(checklist)
    assert (applied.state, applied.document_no) == (State.APPROVED, QD)
    assert applied.view_receipt().result == "approved"


def test_the_same_message_twice_changes_nothing_r_flow_2(
    apps: Applications, inbox: ReceiptInbox
) -> None:
    checklist = declared_checklist(apps)
    raw = approval()
    inbox.receive(raw)
    version = apps.zone.get_checklist(checklist).version

    again = inbox.receive(raw)

    assert (again.status, again.detail) == ("duplicate", "already applied")
    assert apps.zone.get_checklist(checklist).version == version


def test_a_resend_with_a_new_message_id_does_not_move_the_document_r_flow_2(
    apps: Applications, inbox: ReceiptInbox
) -> None:
    checklist = declared_checklist(apps)
    inbox.receive(approval())
    version = apps.zone.get_checklist(checklist).version

    resent = inbox.receive(approval())
    late_review = inbox.receive(approval(result="2"))
    late_rejection = inbox.receive(approval(result="3", rmk="TEST late"))

    assert [r.status for r in (resent, late_review, late_rejection)] == [
        "ignored",
        "ignored",
        "ignored",
    ]
    after = apps.zone.get_checklist(checklist)
    assert (after.state, after.version) == (State.APPROVED, version)


def test_manual_review_then_approval_in_order_r_flow_2(
    apps: Applications, inbox: ReceiptInbox
) -> None:
    checklist = declared_checklist(apps)

    review = inbox.receive(approval(result="2"))
    approved = inbox.receive(approval(result="1"))

    assert (review.status, approved.status) == ("applied", "applied")
    assert apps.zone.get_checklist(checklist).state is State.APPROVED


def test_a_receipt_for_another_request_is_ignored_r_flow_2(
    apps: Applications, inbox: ReceiptInbox
) -> None:
    checklist = declared_checklist(apps)

    outcome = inbox.receive(approval(typecd="2"))

    assert outcome.status == "ignored" and "R-FLOW-2" in outcome.detail
    assert apps.zone.get_checklist(checklist).state is State.DECLARED


def test_a_receipt_before_its_document_is_known_waits_and_is_applied_later(
    apps: Applications, inbox: ReceiptInbox
) -> None:
    checklist = declared_checklist(apps)

    early = inbox.receive(inv202(QD, "I20260000000000001"))
    inbox.receive(approval())

    assert early.status == "parked"
    assert apps.zone.get_checklist(checklist).declaration_no == "I20260000000000001"
    log = inbox.log
    assert isinstance(log, MemoryReceiptLog)
    assert log.receipts[early.message_id].status == "applied"


def test_acknowledgement_gives_the_pre_entry_number_receipts_then_use(
    apps: Applications, inbox: ReceiptInbox
) -> None:
    checklist = an_approved_checklist(
        apps, "TEST-C1", "I", (a_checklist_line(1, "A", "5"),), declared=False
    )
    gate_pass = a_gate_pass(apps, "TEST-GP1", (checklist,), pass_type="4")
    apps.zone.declare(gate_pass, command_id="gp/declare")

    decision_first = inbox.receive(
        sas22x("SAS221", "Z2244I261203000000000001", pre_entry=PRE_ENTRY)
    )
    ack_first = inbox.receive(acknowledgement("TEST-GP1", PRE_ENTRY))
    inbox.remember_outbound("TEST-GP1", gate_pass)

    assert (decision_first.status, ack_first.status) == ("parked", "parked")
    approved = apps.zone.get_gate_pass(gate_pass)
    assert (approved.state, approved.document_no) == (
        State.APPROVED,
        "Z2244I261203000000000001",
    )


def test_a_failed_import_is_a_receive_failure(
    apps: Applications, inbox: ReceiptInbox
) -> None:
    checklist = declared_checklist(apps)
    inbox.remember_outbound("TEST-C1", checklist)

    outcome = inbox.receive(acknowledgement("TEST-C1", "", ok=False))

    assert outcome.status == "applied"
    assert apps.zone.get_checklist(checklist).state is State.RECEIVE_FAILED


def test_gate_events_cross_single_and_double_gates(
    apps: Applications, inbox: ReceiptInbox
) -> None:
    numbers = ("Z2244I261203000000000001", "Z2244I261203000000000002")
    passes = []
    for n, number in enumerate(numbers, start=1):
        checklist = an_approved_checklist(
            apps, f"TEST-C{n}", "I", (a_checklist_line(1, "A", "5"),), declared=False
        )
        gate_pass = a_gate_pass(
            apps, f"TEST-GP{n}", (checklist,), pass_type="4", vehicle_no=f"TEST-V{n}"
        )
        apps.zone.declare(gate_pass, command_id=f"gp{n}/declare")
        inbox.remember_outbound(f"TEST-GP{n}", gate_pass)
        inbox.receive(acknowledgement(f"TEST-GP{n}", f"20260000000000000{n}"))
        inbox.receive(sas22x("SAS221", number, pre_entry=f"20260000000000000{n}"))
        passes.append(gate_pass)

    single = inbox.receive(
        sas22x("SAS223", numbers[0], status="2", pass_time="2026-12-03 12:10:00")
    )
    first = inbox.receive(sas22x("SAS223", numbers[1], status="3"))
    halfway = apps.zone.get_gate_pass(passes[1]).gate_status
    second = inbox.receive(sas22x("SAS223", numbers[1], status="4"))

    assert [o.detail for o in (single, first, second)] == [
        "crossed the single gate",
        "crossed the first gate",
        "crossed the second gate",
    ]
    assert halfway is GateStatus.FIRST_GATE_CROSSED
    assert all(
        apps.zone.get_gate_pass(p).gate_status is GateStatus.CROSSED for p in passes
    )


def test_hostile_receipts_are_refused_and_nothing_is_kept(
    inbox: ReceiptInbox,
) -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaa">]><Package>&a;</Package>'
    )

    with pytest.raises(MessageError):
        inbox.receive(bomb)

    log = inbox.log
    assert isinstance(log, MemoryReceiptLog) and log.receipts == {}


def test_a_stored_at_customs_receipt_changes_nothing(
    apps: Applications, inbox: ReceiptInbox
) -> None:
    checklist = declared_checklist(apps)

    outcome = inbox.receive(approval(result="Y"))

    assert outcome.status == "applied" and "stored at customs" in outcome.detail
    assert apps.zone.get_checklist(checklist).state is State.DECLARED


def test_decisions_on_forms_slips_vehicles_and_ledgers_r_flow_2(
    apps: Applications, inbox: ReceiptInbox
) -> None:
    outcome = apps.zone.file_vehicle(
        enterprise_doc_no="TEST-VEH1",
        owner_customs_code=ZONE_CODE,
        vehicle_no="TEST-V1",
        vehicle_type="1",
        tare_weight_kg="8000",
    )
    vehicle = outcome.aggregate_id
    apps.zone.declare(vehicle, command_id="veh/declare")
    inbox.remember_outbound("TEST-VEH1", vehicle)
    inbox.receive(acknowledgement("TEST-VEH1", PRE_ENTRY))

    applied = inbox.receive(
        document_decision(
            "SAS231", "SasVehicleBsc", "vehicleNo", "TEST-V1", pre_entry=PRE_ENTRY
        )
    )

    assert applied.status == "applied"
    assert apps.zone.get_vehicle(vehicle).state is State.APPROVED
    assert apps.zone.find_by_number("vehicle", "TEST-V1") == vehicle


@pytest.mark.parametrize(
    ("message_type", "head", "number"),
    [
        ("SAS201", "SasDclBsc", "sasDclNo"),
        ("SAS211", "SasStockBsc", "sasStockNo"),
        ("BWS201", "BwsBsc", "bwsNo"),
    ],
)
def test_document_decisions_for_unknown_documents_are_parked(
    inbox: ReceiptInbox, message_type: str, head: str, number: str
) -> None:
    outcome = inbox.receive(document_decision(message_type, head, number, "TESTNO1"))

    assert outcome.status == "parked"


def pockets_of(raw: bytes, keep: list[list[int]], pocket_id: str) -> list[bytes]:
    """Split a receipt's lines over pockets: ``keep[i]`` are the line indexes of
    pocket i + 1; every pocket repeats the head."""

    parts = []
    for number, lines in enumerate(keep, start=1):
        root = etree.fromstring(raw)
        for element in root.iter():
            tag = etree.QName(element).localname
            if tag == "message_id":
                element.text = f"{element.text}-{number}"
            elif tag == "pocket_id":
                element.text = pocket_id
            elif tag == "total_pocket_qty":
                element.text = str(len(keep))
            elif tag == "cur_pocket_no":
                element.text = str(number)
        body = next(e for e in root.iter() if etree.QName(e).localname == "INV211")
        rows = [e for e in body if etree.QName(e).localname == "BwsDt"]
        for index, row in enumerate(rows):
            if index not in lines:
                body.remove(row)
        parts.append(etree.tostring(root))
    return parts


def posted_export_receipt(apps: Applications) -> tuple[ImportExport, bytes]:
    """The scenario's posted export, and customs' INV211 with one figure off."""
    done = import_and_export(apps)
    exported = apps.zone.get_checklist(done.exported)
    figures = ((1, "TEST-P1", "35"), (2, "TEST-P2", "12"))
    return done, posting_receipt(exported, figures)


def kept_unhandled(inbox: ReceiptInbox, raw: bytes) -> str:
    """Keep a receipt as a process that stopped before handling it would."""
    message_id, message_type = identity(read_receipt(raw))
    inbox.log.add(message_id, message_type, raw)
    return message_id


def test_a_receipt_split_in_pockets_is_applied_once_when_all_arrived(
    apps: Applications,
) -> None:

    done, whole = posted_export_receipt(apps)
    inbox = ReceiptInbox(apps.zone, MemoryReceiptLog())
    first, second = pockets_of(whole, [[0], [1]], "QDTEST-POCKETS-1")

    waiting = inbox.receive(second)
    repeated = inbox.receive(second)
    applied = inbox.receive(first)
    late = inbox.receive(first)

    assert (waiting.status, waiting.detail) == (
        "parked",
        "pocket 2 of 2; waiting for [1]",
    )
    assert repeated.status == "duplicate"
    # Both pockets' lines were compared: one of the two differs (P2: 10 vs 12).
    assert applied.status == "applied"
    assert applied.detail == "customs' figures of 2 ledger lines compared; 1 differ"
    assert late.status == "duplicate"
    assert apps.zone.get_ledger(done.ledger_id).open_findings == 1


def test_answers_arriving_after_the_posting_move_nothing_backwards_r_flow_2(
    apps: Applications,
) -> None:

    done = import_and_export(apps)
    inbox = ReceiptInbox(apps.zone, MemoryReceiptLog())
    posted = apps.zone.get_checklist(done.exported)
    ledger = apps.zone.get_ledger(done.ledger_id)

    def late(result: str) -> str:
        raw = inv201(
            posted.document_no or "",
            customs_code=ZONE_CODE,
            enterprise_doc_no=posted.enterprise_doc_no,
            result=result,
        )
        return inbox.receive(raw).status

    statuses = [late("1"), late("2"), late("3"), late("4")]

    assert statuses == ["ignored"] * 4
    after = apps.zone.get_checklist(done.exported)
    assert (after.state, after.version) == (State.APPROVED, posted.version)
    assert after.posting_mark is PostingMark.POSTED
    assert apps.zone.get_ledger(done.ledger_id).version == ledger.version


def test_a_receipt_kept_but_not_handled_before_a_crash_is_handled_when_resent(
    apps: Applications, inbox: ReceiptInbox
) -> None:
    checklist = declared_checklist(apps)
    raw = approval()
    kept_unhandled(inbox, raw)

    resent = inbox.receive(raw)
    again = inbox.receive(raw)

    assert resent.status == "applied"
    assert again.status == "duplicate"
    assert apps.zone.get_checklist(checklist).state is State.APPROVED


def test_receipts_left_unhandled_are_handled_at_start(
    apps: Applications, inbox: ReceiptInbox
) -> None:
    checklist = declared_checklist(apps)
    message_id = kept_unhandled(inbox, approval())

    recovered = inbox.recover()

    assert recovered == 1
    assert inbox.recover() == 0
    assert apps.zone.get_checklist(checklist).state is State.APPROVED
    kept = inbox.log.get(message_id)
    assert kept is not None and kept.status == "applied"


def test_a_receipt_that_cannot_be_handled_at_start_is_set_aside(
    apps: Applications, inbox: ReceiptInbox
) -> None:
    checklist = declared_checklist(apps)
    good = approval()
    # Kept by an older, more lenient gateway: a bidi control in its number.
    inbox.log.add("TEST-OLD-1", "INV201", good.replace(QD.encode(), b"QD\xe2\x80\xae1"))
    kept_unhandled(inbox, good)

    recovered = inbox.recover()

    assert recovered == 2
    old = inbox.log.get("TEST-OLD-1")
    assert old is not None and old.status == "failed" and "U+202E" in old.detail
    assert apps.zone.get_checklist(checklist).state is State.APPROVED


def test_a_whole_kept_but_not_handled_is_applied_at_start(
    apps: Applications,
) -> None:

    done, whole = posted_export_receipt(apps)
    inbox = ReceiptInbox(apps.zone, MemoryReceiptLog())
    parts = pockets_of(whole, [[0], [1]], "QDTEST-POCKETS-2")
    # The last pocket came, the whole was kept, and the process stopped there.
    inbox.log.add("QDTEST-POCKETS-2", "INV211", assemble(parts))

    recovered = inbox.recover()

    assert recovered == 1
    assert apps.zone.get_ledger(done.ledger_id).open_findings == 1


def test_a_remark_over_several_lines_is_accepted() -> None:

    result = ApprovalResult.model_validate(
        {"manageResult": "3", "rmk": "第一行\n第二行 (TEST line two)"}
    )

    assert result.remark == "第一行\n第二行 (TEST line two)"

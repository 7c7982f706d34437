"""Declared documents leave for customs once, in the import dialect (R-FLOW-1)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from uuid import UUID

import pytest

from bonded.bootstrap import Applications
from gateway.customs.declarations import (
    read_bws101,
    read_inv101,
    read_sas101,
    read_sas111,
    read_sas121,
    read_sas131,
)
from gateway.customs.filedrop import FileDrop
from gateway.forwarder import Forwarder, MemoryForwardedLog
from gateway.inbox import ReceiptInbox
from gateway.receipt_log import MemoryReceiptLog
from tests.builders import (
    ZONE_CODE,
    a_checklist,
    a_checklist_line,
    a_declared_ledger,
    a_form_line,
    a_gate_pass,
    a_slip_line,
    an_approved_checklist,
    an_approved_form,
    an_approved_ledger,
    reject,
)
from tests.customs_messages import acknowledgement


def test_a_declared_checklist_is_dropped_once_and_its_ack_finds_it(
    apps: Applications, tmp_path: Path
) -> None:
    an_approved_ledger(apps)
    checklist = a_checklist(apps, "TEST-C/1", "I", (a_checklist_line(1, "A", "5"),))
    drop = FileDrop(tmp_path)
    receipts = MemoryReceiptLog()
    forwarder = Forwarder(apps.zone, drop, receipts, MemoryForwardedLog())
    draft = forwarder.forward(checklist, 1)
    apps.zone.declare(checklist, command_id="d1")
    version = apps.zone.get_checklist(checklist).version

    first = forwarder.forward(checklist, version)
    again = forwarder.forward(checklist, version)
    apps.zone.record_decision(checklist, reject(), command_id="r1")
    apps.zone.declare(checklist, command_id="d2")
    redeclared = forwarder.forward(
        checklist, apps.zone.get_checklist(checklist).version
    )
    ack = ReceiptInbox(apps.zone, receipts).receive(
        acknowledgement("TEST-C/1", "202600000000000077")
    )

    assert draft is None and again is None
    assert first is not None and first.name == f"INV101_TEST-C_1_{version}.xml"
    assert read_inv101(first.read_bytes()).head.enterprise_doc_no == "TEST-C/1"
    assert redeclared is not None and redeclared != first
    assert ack.status == "applied" and ack.document_id == checklist
    assert apps.zone.find_by_number("checklist/pre-entry", "202600000000000077") == (
        checklist
    )


def test_a_declared_gate_pass_leaves_as_sas121(
    apps: Applications, tmp_path: Path
) -> None:
    an_approved_ledger(apps)
    checklist = an_approved_checklist(
        apps, "TEST-C1", "I", (a_checklist_line(1, "A", "5"),), declared=False
    )
    gate_pass = a_gate_pass(apps, "TEST-GP1", (checklist,), pass_type="4")
    apps.zone.declare(gate_pass, command_id="g")
    forwarder = Forwarder(
        apps.zone, FileDrop(tmp_path), MemoryReceiptLog(), MemoryForwardedLog()
    )

    dropped = forwarder.forward(gate_pass, apps.zone.get_gate_pass(gate_pass).version)

    assert dropped is not None
    message = read_sas121(dropped.read_bytes())
    assert message.head.enterprise_doc_no == "TEST-GP1"
    assert [r.number for r in message.related] == [
        apps.zone.get_checklist(checklist).document_no
    ]


def test_every_kind_with_a_customs_message_leaves_in_it_and_reads_back(
    apps: Applications, tmp_path: Path
) -> None:
    ledger = a_declared_ledger(apps, "TEST-L2")
    form = apps.zone.create_business_form(
        enterprise_doc_no="TEST-F1",
        business_type="H",
        direction="I",
        zone_customs_code=ZONE_CODE,
        master_customs_code="2244",
        valid_until=date(2030, 12, 31),
        lines=(a_form_line(1),),
    ).aggregate_id
    apps.zone.declare(form, command_id="f")
    vehicle = apps.zone.file_vehicle(
        enterprise_doc_no="TEST-VEH1",
        owner_customs_code=ZONE_CODE,
        vehicle_no="TEST-V1",
        vehicle_type="1",
        tare_weight_kg="8000",
    ).aggregate_id
    apps.zone.declare(vehicle, command_id="v")
    slip = apps.zone.create_stock_slip(
        enterprise_doc_no="TEST-S1",
        business_form_id=an_approved_form(apps, doc_no="TEST-FORM-2"),
        lines=(a_slip_line(1, 1, "7"),),
    ).aggregate_id
    apps.zone.declare(slip, command_id="s")
    forwarder = Forwarder(
        apps.zone, FileDrop(tmp_path), MemoryReceiptLog(), MemoryForwardedLog()
    )

    dropped = [
        forwarder.forward(document, apps.zone.get_document(document).version)
        for document in (ledger, form, vehicle, slip)
    ]

    assert all(path is not None for path in dropped)
    ledger_message = read_bws101(dropped[0].read_bytes())  # type: ignore[union-attr]
    form_message = read_sas101(dropped[1].read_bytes())  # type: ignore[union-attr]
    vehicle_message = read_sas131(dropped[2].read_bytes())  # type: ignore[union-attr]
    assert ledger_message.head.enterprise_doc_no == "TEST-L2"
    assert ledger_message.head.valid_until == "20301231"
    assert [line.quantity for line in form_message.lines] == [100]
    assert vehicle_message.head.vehicle_no == "TEST-V1"
    slip_message = read_sas111(dropped[3].read_bytes())  # type: ignore[union-attr]
    assert [(line.form_line_no, line.quantity) for line in slip_message.lines] == [
        (1, 7)
    ]


class BrokenDrop(FileDrop):
    """A drop whose disk is full."""

    def drop(self, name: str, content: bytes) -> Path:
        raise OSError(28, "No space left on device")


class BrokenReceipts(MemoryReceiptLog):
    """A receipt log whose store is away for the first declaration."""

    refusals = 1

    def remember_outbound(self, enterprise_doc_no: str, document_id: UUID) -> None:
        if self.refusals:
            self.refusals -= 1
            raise ConnectionError("store away")
        super().remember_outbound(enterprise_doc_no, document_id)


def declared_checklist(apps: Applications, doc_no: str) -> tuple[UUID, int]:
    an_approved_ledger(apps)
    checklist = a_checklist(apps, doc_no, "I", (a_checklist_line(1, "A", "5"),))
    apps.zone.declare(checklist, command_id=f"{doc_no}/declare")
    return checklist, apps.zone.get_checklist(checklist).version


def test_a_declaration_not_reached_for_want_of_the_store_is_tried_again_r_flow_1(
    apps: Applications, tmp_path: Path
) -> None:
    checklist, version = declared_checklist(apps, "TEST-C/2")
    log = MemoryForwardedLog()
    forwarder = Forwarder(apps.zone, FileDrop(tmp_path), BrokenReceipts(), log)

    with pytest.raises(ConnectionError):
        forwarder.forward(checklist, version)
    after_failure = dict(log.forwarded)
    retried = forwarder.forward(checklist, version)
    once_more = forwarder.forward(checklist, version)

    assert after_failure == {}
    assert retried is not None and retried.exists()
    assert once_more is None
    assert log.written == {(checklist, version)}
    assert sorted(p.name for p in (tmp_path / "OutBox").iterdir()) == [retried.name]


def test_a_declaration_the_folder_refuses_stays_claimed_unmarked_r_flow_1(
    apps: Applications, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    checklist, version = declared_checklist(apps, "TEST-C/3")
    log = MemoryForwardedLog()
    forwarder = Forwarder(apps.zone, BrokenDrop(tmp_path), MemoryReceiptLog(), log)

    refused = forwarder.forward(checklist, version)
    again = forwarder.forward(checklist, version)

    # The worker goes on; the claim, never marked, is named by bonded status.
    assert refused is None and again is None
    assert list(log.forwarded) == [(checklist, version)]
    assert log.written == set()
    assert list((tmp_path / "OutBox").iterdir()) == []
    assert "declaration not written to the single window" in caplog.text

"""The single window's file drop: atomic drops, InBox collected into the inbox."""

from __future__ import annotations

from pathlib import Path

import pytest

from aggregates.common.lifecycle import State
from bonded.bootstrap import Applications
from bonded.errors import MessageError
from gateway.customs.filedrop import FileDrop
from gateway.inbox import ReceiptInbox
from gateway.receipt_log import MemoryReceiptLog
from tests.builders import ZONE_CODE, a_checklist, a_checklist_line, an_approved_ledger
from tests.customs_messages import inv201


def test_outbound_messages_are_dropped_whole_into_the_outbox(tmp_path: Path) -> None:
    drop = FileDrop(tmp_path)

    path = drop.drop("INV101_TEST.xml", b"<Signature/>")

    assert path.read_bytes() == b"<Signature/>"
    assert sorted(p.name for p in drop.folder("OutBox").iterdir()) == [
        "INV101_TEST.xml"
    ]
    with pytest.raises(MessageError):
        drop.drop("../escape.xml", b"x")


def test_the_inbox_is_collected_into_the_receipt_inbox_r_flow_2(
    apps: Applications, tmp_path: Path
) -> None:
    an_approved_ledger(apps)
    checklist = a_checklist(apps, "TEST-C1", "I", (a_checklist_line(1, "A", "5"),))
    apps.zone.declare(checklist, command_id="d")
    drop = FileDrop(tmp_path)
    inbox = ReceiptInbox(apps.zone, MemoryReceiptLog())
    receipt = inv201(
        "QD224426I000000001", customs_code=ZONE_CODE, enterprise_doc_no="TEST-C1"
    )
    (drop.folder("InBox") / "CUS0001.INV").write_bytes(receipt)
    (drop.folder("InBox") / "CUS0002.INV").write_bytes(b"<!DOCTYPE x><Package/>")

    collected = drop.collect(inbox.receive)

    assert collected.done == ("CUS0001.INV",)
    assert collected.refused == ("CUS0002.INV",)
    assert apps.zone.get_checklist(checklist).state is State.APPROVED
    reason = (drop.folder("InBox") / "refused" / "CUS0002.INV.reason").read_text()
    assert "declaration is not allowed" in reason
    assert list(drop.folder("InBox").glob("*.INV")) == []

"""Customs receipts: the samples parse, hostile and broken XML is refused."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from bonded.errors import MessageError
from gateway.customs.receipts import read_receipt
from schemas.customs import (
    ChecklistReceipt,
    DeclarationReceipt,
    GatePassReceipt,
    ImportAcknowledgement,
)

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "customs"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def test_inv201_approval_with_provisional_deduction_parses() -> None:
    receipt = read_receipt(sample("02-INV201-approved-prededucted.xml"))

    assert isinstance(receipt, ChecklistReceipt)
    assert receipt.envelope.message_type == "INV201"
    assert receipt.result.manage_result == "4"
    assert receipt.result.decided_at == datetime(2025, 3, 10, 9, 20, 29)
    assert receipt.head is not None
    assert receipt.head.checklist_no == "QD310925I000004321"
    assert receipt.head.enterprise_doc_no == "HZQD330246A0Q3I202503100001"
    assert receipt.head.posting_mark == "1"
    assert receipt.pocket.total == 1


def test_inv202_carries_the_declaration_number() -> None:
    receipt = read_receipt(sample("03-INV202-entry-generated.xml"))

    assert isinstance(receipt, DeclarationReceipt)
    assert (receipt.checklist_no, receipt.declaration_no, receipt.manage_result) == (
        "QD310925I000004321",
        "I20250000987654321",
        "1",
    )


def test_sas221_without_namespace_and_with_pass_id_spelled_passID() -> None:
    receipt = read_receipt(sample("07-SAS221-passport-approved.xml"))

    assert isinstance(receipt, GatePassReceipt)
    assert receipt.result.manage_result == "1"
    assert receipt.head is not None
    assert receipt.head.gate_pass_no == "Z3109I250311000000000058"
    assert receipt.head.gate_id is None and receipt.head.passed_at is None
    assert receipt.related_nos == ("QD310925I000004321",)


def test_sas223_reports_the_crossing_and_the_weighbridge() -> None:
    receipt = read_receipt(sample("08-SAS223-gate-pass.xml"))

    assert isinstance(receipt, GatePassReceipt)
    assert receipt.envelope.message_type == "SAS223"
    assert receipt.head is not None
    assert receipt.head.gate_id == "3109GATE02"
    assert receipt.head.passed_at == datetime(2025, 3, 11, 16, 47, 41)
    assert (receipt.head.status, receipt.head.weight_error_kg) == ("2", "-60")


def test_import_acknowledgement_says_whether_it_was_imported() -> None:
    ok = read_receipt(
        "<CommonResponeMessage><SeqNo>202500000004567891</SeqNo>"
        "<EtpsPreentNo>TEST-1</EtpsPreentNo><CheckInfo>处理成功</CheckInfo>"
        "<DealFlag>0</DealFlag></CommonResponeMessage>"
    )
    failed = read_receipt(
        "<CommonResponeMessage><EtpsPreentNo>TEST-2</EtpsPreentNo>"
        "<CheckInfo>重复</CheckInfo><DealFlag>-1</DealFlag></CommonResponeMessage>"
    )

    assert isinstance(ok, ImportAcknowledgement) and ok.accepted
    assert isinstance(failed, ImportAcknowledgement) and not failed.accepted


def test_case_drift_in_tag_names_is_tolerated() -> None:
    text = sample("08-SAS223-gate-pass.xml").replace(b"<passID>", b"<passId>")
    text = text.replace(b"</passID>", b"</passId>")

    receipt = read_receipt(text)

    assert isinstance(receipt, GatePassReceipt)
    assert receipt.head is not None and receipt.head.gate_id == "3109GATE02"


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>
<Package>&lol2;</Package>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE p [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><Package>&xxe;</Package>"""


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (BOMB, "declaration is not allowed"),
        (EXTERNAL, "declaration is not allowed"),
        (b"<!doctype Package><Package/>", "declaration is not allowed"),
        (b"<Package>" + b"<a>" * 40 + b"</a>" * 40 + b"</Package>", "deeper than"),
        (b"<Package><unclosed></Package>", "not well-formed"),
        (b"<Other/>", "a receipt is a Package"),
        (b"", "not well-formed"),
    ],
    ids=[
        "entity-bomb",
        "external-entity",
        "doctype",
        "deep",
        "broken",
        "root",
        "empty",
    ],
)
def test_hostile_or_broken_xml_is_refused_with_its_reason(
    data: bytes, expected: str
) -> None:
    with pytest.raises(MessageError) as refused:
        read_receipt(data)

    assert expected in str(refused.value)


def test_oversized_messages_are_refused() -> None:
    data = b"<Package>" + b" " * (4 * 1024 * 1024) + b"</Package>"

    with pytest.raises(MessageError) as refused:
        read_receipt(data)

    assert "exceeds the limit" in str(refused.value)


def test_a_message_type_that_does_not_match_its_body_is_refused() -> None:
    text = sample("08-SAS223-gate-pass.xml").replace(
        b"<message_type>SAS223</message_type>", b"<message_type>SAS221</message_type>"
    )

    with pytest.raises(MessageError) as refused:
        read_receipt(text)

    assert refused.value.field == "message_type"


def test_two_result_headers_are_refused() -> None:
    text = sample("07-SAS221-passport-approved.xml")
    start = text.index(b"<HdeApprResult>")
    end = text.index(b"</HdeApprResult>") + len(b"</HdeApprResult>")
    doubled = text[:end] + text[start:end] + text[end:]

    with pytest.raises(MessageError) as refused:
        read_receipt(doubled)

    assert "one HdeApprResult" in str(refused.value)


def test_a_missing_manage_result_names_the_field() -> None:
    text = sample("07-SAS221-passport-approved.xml").replace(
        b"<manageResult>1</manageResult>", b""
    )

    with pytest.raises(MessageError) as refused:
        read_receipt(text)

    assert refused.value.field == "manageResult"

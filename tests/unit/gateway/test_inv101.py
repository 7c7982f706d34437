"""Declarations in the import dialect: INV101, SAS121, SAS101, SAS111 (R-FLOW-1, 4)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from bonded.errors import MessageError
from gateway.customs.declarations import (
    read_inv101,
    read_sas101,
    read_sas111,
    read_sas121,
    write_inv101,
    write_sas101,
    write_sas111,
    write_sas121,
)
from gateway.customs.safe_xml import parse, path

SAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "customs"
INV101 = (SAMPLE / "01-INV101-declaration.xml").read_bytes()


def test_the_sample_declaration_is_read() -> None:
    message = read_inv101(INV101)

    assert message.declare is True
    assert message.head.ledger_no == "T3109W000123"
    assert message.head.enterprise_doc_no == "HZQD330246A0Q3I202503100001"
    assert (message.head.customs_flag, message.head.declaration_type) == ("1", "3")
    assert [line.part_no for line in message.lines] == ["NB-LT-14A", "DK-USB4-07"]
    assert message.lines[1].quantity == Decimal(500)
    assert message.lines[0].ledger_serial == 15


def test_written_and_read_again_it_is_the_same_message() -> None:
    message = read_inv101(INV101)

    again = read_inv101(write_inv101(message))

    assert again == message


def test_the_written_message_keeps_the_real_format_and_its_spellings() -> None:
    written = write_inv101(read_inv101(INV101))
    root = parse(written)

    package = path(root, "Object", "Package")
    assert package is not None
    assert path(package, "EnvelopInfo", "message_type").text == "INV101"
    business = path(package, "DataInfo", "BussinessData")
    assert business is not None
    assert path(business, "DelcareFlag").text == "1"
    head = path(business, "InvtMessage", "InvtHeadType")
    assert head is not None
    required = (
        "PutrecNo",
        "EtpsInnerInvtNo",
        "BizopEtpsno",
        "ImpexpMarkcd",
        "SupvModecd",
    )
    assert all(path(head, name) is not None for name in required)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ((b"<message_type>INV101", b"<message_type>SAS121"), "message_type"),
        ((b"<DelcareFlag>1", b"<DelcareFlag>7"), "DelcareFlag"),
        ((b"<DclQty>200</DclQty>", b"<DclQty>NaN</DclQty>"), "DclQty"),
        ((b"<BizopEtpsno>330246A0Q3", b"<BizopEtpsno>33"), "BizopEtpsno"),
    ],
    ids=["wrong-type", "flag", "nan-quantity", "short-code"],
)
def test_a_broken_declaration_is_refused_naming_the_field(
    change: tuple[bytes, bytes], field: str
) -> None:
    with pytest.raises(MessageError) as refused:
        read_inv101(INV101.replace(*change))

    assert refused.value.field.startswith(field)


SAS121 = (SAMPLE / "06-SAS121-passport.xml").read_bytes()


def test_the_sample_gate_pass_declaration_is_read_and_round_trips() -> None:
    message = read_sas121(SAS121)

    again = read_sas121(write_sas121(message))

    assert again == message
    assert (message.head.pass_type, message.head.binding) == ("2", "2")
    assert message.head.vehicle_no == "浙B0X123"
    assert [(r.kind, r.number) for r in message.related] == [
        ("1", "QD310925I000004321")
    ]
    assert message.goods == ()


def test_a_message_of_another_type_is_not_read_as_a_gate_pass() -> None:
    with pytest.raises(MessageError) as refused:
        read_sas121(INV101)

    assert refused.value.field == "message_type"


def test_the_sample_business_form_and_stock_slip_are_read() -> None:
    form = read_sas101((SAMPLE / "04-SAS101-business-application.xml").read_bytes())
    slip = read_sas111((SAMPLE / "05-SAS111-stock-out-slip.xml").read_bytes())

    assert (form.head.business_type, form.head.direction) == ("A", "E")
    assert form.head.valid_until == "20250930"
    assert [(line.line_no, line.quantity) for line in form.lines] == [(1, 150)]
    assert slip.head.business_form_no == "SBB3109A250300000012"
    assert [(line.form_line_no, line.quantity) for line in slip.lines] == [(1, 25)]


def test_the_business_form_and_stock_slip_samples_round_trip() -> None:
    form = read_sas101((SAMPLE / "04-SAS101-business-application.xml").read_bytes())
    slip = read_sas111((SAMPLE / "05-SAS111-stock-out-slip.xml").read_bytes())

    assert read_sas101(write_sas101(form)) == form
    assert read_sas111(write_sas111(slip)) == slip

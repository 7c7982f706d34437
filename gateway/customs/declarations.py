"""Declarations in the import dialect: INV101, SAS121, SAS101 and SAS111.

The checklist (INV101) and gate pass (SAS121) are read and written; the business
form (SAS101) and stock slip (SAS111) are read, for imports.

Written as the single window's client files them: ``Signature/Object/Package``
with an empty signature block, ``EnvelopInfo`` (sic), ``BussinessData`` (sic)
holding the message and ``DelcareFlag`` (sic). Read leniently (any element order,
any case, with or without the signature wrapper) and safely (``safe_xml``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lxml import etree

from bonded.errors import MessageError
from gateway.customs.receipts import build
from gateway.customs.safe_xml import child, children, name_of, parse, path, texts
from schemas.declarations import (
    HEAD_ORDER,
    LINE_ORDER,
    PASSPORT_GOODS_ORDER,
    PASSPORT_HEAD_ORDER,
    PASSPORT_RELATED_ORDER,
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
    LedgerLineWire,
    RelatedBillWire,
    StockSlipDeclaration,
    StockSlipGoodsWire,
    StockSlipHeadWire,
    VehicleDeclaration,
    VehicleHeadWire,
)

# Message type → the element that holds the message in BussinessData.
BODIES = {
    "INV101": "InvtMessage",
    "SAS121": "PassPortMessage",
    "SAS101": "AppMessage",
    "SAS111": "StockMessage",
    "BWS101": "BwlMessage",
    "SAS131": "VehicleMessage",
}


def message_type_of(data: bytes | str) -> str:
    """The declared message type of an import-dialect message."""
    _, envelope, _, _ = _open(data)
    return (envelope.get("message_type") or "").upper()


def _open(data: bytes | str) -> tuple[Any, dict[str, str | None], Any, str | None]:
    root = parse(data)
    package = root if name_of(root) == "package" else path(root, "Object", "Package")
    if package is None:
        raise MessageError("a declaration is a (signed) Package", field="message")
    envelope = texts(child(package, "EnvelopInfo"))
    business = path(package, "DataInfo", "BussinessData")
    if business is None:
        raise MessageError("the message has no BussinessData", field="BussinessData")
    flag = texts(business).get("delcareflag")
    if flag not in ("0", "1"):
        raise MessageError(
            f"DelcareFlag must be 0 (draft) or 1 (declare), got {flag!r}",
            field="DelcareFlag",
        )
    return package, envelope, business, flag


def _body(data: bytes | str, message_type: str) -> tuple[dict[str, Any], Any, str]:
    _, envelope, business, flag = _open(data)
    declared = (envelope.get("message_type") or "").upper()
    if declared != message_type:
        raise MessageError(
            f"message type {declared!r} is not {message_type}", field="message_type"
        )
    message = child(business, BODIES[message_type])
    if message is None:
        raise MessageError(
            f"the message has no {BODIES[message_type]}", field=BODIES[message_type]
        )
    common = {
        "message_id": envelope.get("message_id") or "",
        "sender_id": envelope.get("sender_id") or "",
        "receiver_id": envelope.get("receiver_id") or "DXPEDCSAS0000001",
        "sent_at": envelope.get("send_time"),
        "declare": flag == "1",
        "operator_customs_code": texts(message).get("opercusregcode"),
    }
    return common, message, str(flag)


def _one(message: Any, tag: str) -> Any:
    found = children(message, tag)
    if len(found) != 1:
        raise MessageError(f"the message has one {tag}, found {len(found)}", field=tag)
    return found[0]


def _read(
    data: bytes | str,
    message_type: str,
    model: type[Any],
    head: tuple[str, type[Any]],
    **groups: tuple[str, type[Any]],
) -> Any:
    """A message of the type: its head and its repeated groups, each by its tag."""
    common, message, _ = _body(data, message_type)
    head_tag, head_model = head
    return build(
        model,
        {},
        **common,
        head=build(head_model, texts(_one(message, head_tag))),
        **{
            name: tuple(build(group, texts(row)) for row in children(message, tag))
            for name, (tag, group) in groups.items()
        },
    )


def read_inv101(data: bytes | str) -> ChecklistDeclaration:
    """An INV101 checklist message, or a refusal naming what is wrong."""
    return _read(  # type: ignore[no-any-return]
        data,
        "INV101",
        ChecklistDeclaration,
        ("InvtHeadType", ChecklistHeadWire),
        lines=("InvtListType", ChecklistLineWire),
    )


def read_sas121(data: bytes | str) -> GatePassDeclaration:
    """A SAS121 gate pass message, or a refusal naming what is wrong."""
    return _read(  # type: ignore[no-any-return]
        data,
        "SAS121",
        GatePassDeclaration,
        ("PassportHead", GatePassHeadWire),
        goods=("PassportList", GatePassGoodsWire),
        related=("PassportAcmp", RelatedBillWire),
    )


def read_sas101(data: bytes | str) -> BusinessFormDeclaration:
    """A SAS101 business form message, or a refusal naming what is wrong."""
    return _read(  # type: ignore[no-any-return]
        data,
        "SAS101",
        BusinessFormDeclaration,
        ("AppHead", BusinessFormHeadWire),
        lines=("AppGoods", BusinessFormGoodsWire),
    )


def read_sas111(data: bytes | str) -> StockSlipDeclaration:
    """A SAS111 stock slip message, or a refusal naming what is wrong."""
    return _read(  # type: ignore[no-any-return]
        data,
        "SAS111",
        StockSlipDeclaration,
        ("StockHead", StockSlipHeadWire),
        lines=("StockGoods", StockSlipGoodsWire),
    )


def read_bws101(data: bytes | str) -> LedgerDeclaration:
    """A BWS101 ledger filing, or a refusal naming what is wrong."""
    declaration: LedgerDeclaration = _read(
        data,
        "BWS101",
        LedgerDeclaration,
        ("BwlHead", LedgerHeadWire),
        lines=("BwlList", LedgerLineWire),
    )
    return declaration


def read_sas131(data: bytes | str) -> VehicleDeclaration:
    """A SAS131 vehicle filing, or a refusal naming what is wrong."""
    declaration: VehicleDeclaration = _read(
        data, "SAS131", VehicleDeclaration, ("SasVehicleBsc", VehicleHeadWire)
    )
    return declaration


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S")
    return str(value)


def _fill(parent: Any, tag: str, model: Any, order: tuple[str, ...]) -> None:
    element = etree.SubElement(parent, tag)
    by_alias = model.model_dump(by_alias=True)
    for name in order:
        etree.SubElement(element, name).text = _text(by_alias.get(name))


def _signed(message_type: str, message: Any) -> tuple[Any, Any, Any]:
    """The signature wrapper, the package's business data and the message body."""
    signature = etree.Element("Signature")
    signed = etree.SubElement(signature, "SignedInfo")
    etree.SubElement(
        signed,
        "CanonicalizationMethod",
        Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
    )
    etree.SubElement(
        signed,
        "SignatureMethod",
        Algorithm="http://www.w3.org/2000/09/xmldsig#rsa-sha1",
    )
    etree.SubElement(signature, "SignatureValue")
    package = etree.SubElement(
        etree.SubElement(signature, "Object", Id="String"), "Package"
    )
    envelope = etree.SubElement(package, "EnvelopInfo")
    for tag, value in (
        ("version", "1.0"),
        ("message_id", message.message_id),
        ("file_name", f"{message_type}_{message.message_id}.xml"),
        ("message_type", message_type),
        ("sender_id", message.sender_id),
        ("receiver_id", message.receiver_id),
        ("send_time", _text(message.sent_at)),
    ):
        etree.SubElement(envelope, tag).text = value
    data = etree.SubElement(package, "DataInfo")
    etree.SubElement(etree.SubElement(data, "PocketInfo"), "is_unstructured").text = "1"
    business = etree.SubElement(data, "BussinessData")
    return signature, business, etree.SubElement(business, BODIES[message_type])


def _finish(
    signature: Any, business: Any, body: Any, message: Any, operator: str
) -> bytes:
    etree.SubElement(body, "OperCusRegCode").text = (
        message.operator_customs_code or operator
    )
    etree.SubElement(business, "DelcareFlag").text = "1" if message.declare else "0"
    return bytes(
        etree.tostring(
            signature, xml_declaration=True, encoding="UTF-8", pretty_print=True
        )
    )


def write_inv101(message: ChecklistDeclaration) -> bytes:
    """The checklist declaration as the single window's client files it."""
    signature, business, body = _signed("INV101", message)
    _fill(body, "InvtHeadType", message.head, HEAD_ORDER)
    for line in message.lines:
        _fill(body, "InvtListType", line, LINE_ORDER)
    etree.SubElement(body, "SysId").text = "Z8"
    return _finish(
        signature, business, body, message, message.head.operating_customs_code
    )


def write_sas121(message: GatePassDeclaration) -> bytes:
    """The gate pass declaration as the single window's client files it."""
    signature, business, body = _signed("SAS121", message)
    _fill(body, "PassportHead", message.head, PASSPORT_HEAD_ORDER)
    for line in message.goods:
        _fill(body, "PassportList", line, PASSPORT_GOODS_ORDER)
    for row in message.related:
        _fill(body, "PassportAcmp", row, PASSPORT_RELATED_ORDER)
    return _finish(signature, business, body, message, message.head.zone_customs_code)


def _order(model: type[Any]) -> tuple[str, ...]:
    return tuple(f.alias or n for n, f in model.model_fields.items())


def write_sas101(message: BusinessFormDeclaration) -> bytes:
    """The business form declaration as the single window's client files it."""
    signature, business, body = _signed("SAS101", message)
    _fill(body, "AppHead", message.head, _order(BusinessFormHeadWire))
    for line in message.lines:
        _fill(body, "AppGoods", line, _order(BusinessFormGoodsWire))
    return _finish(signature, business, body, message, message.head.zone_customs_code)


def write_sas111(message: StockSlipDeclaration) -> bytes:
    """The stock slip declaration as the single window's client files it."""
    signature, business, body = _signed("SAS111", message)
    _fill(body, "StockHead", message.head, _order(StockSlipHeadWire))
    for line in message.lines:
        _fill(body, "StockGoods", line, _order(StockSlipGoodsWire))
    return _finish(signature, business, body, message, message.head.zone_customs_code)


def write_bws101(message: LedgerDeclaration) -> bytes:
    """The ledger filing as the single window's client files it (no lines)."""
    signature, business, body = _signed("BWS101", message)
    _fill(body, "BwlHead", message.head, _order(LedgerHeadWire))
    return _finish(
        signature, business, body, message, message.head.operating_customs_code
    )


def write_sas131(message: VehicleDeclaration) -> bytes:
    """The vehicle filing (HDE element names, the only ones known)."""
    signature, business, body = _signed("SAS131", message)
    _fill(body, "SasVehicleBsc", message.head, _order(VehicleHeadWire))
    return _finish(signature, business, body, message, message.head.owner_customs_code)

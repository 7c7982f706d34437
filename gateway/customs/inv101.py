"""The checklist declaration (INV101) in the import dialect: read and write.

Written as the single window's client files it: ``Signature/Object/Package`` with
an empty signature block, ``EnvelopInfo`` (sic), ``BussinessData`` (sic) holding
``InvtMessage`` and ``DelcareFlag`` (sic). Read leniently: any element order, any
case, with or without the signature wrapper, and safely (``safe_xml``).
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from bonded.errors import MessageError
from gateway.customs.receipts import build
from gateway.customs.safe_xml import child, children, name_of, parse, path, texts
from schemas.declarations import (
    HEAD_ORDER,
    LINE_ORDER,
    ChecklistDeclaration,
    ChecklistHeadWire,
    ChecklistLineWire,
)


def read_inv101(data: bytes | str) -> ChecklistDeclaration:
    """An INV101 message, or a refusal naming what is wrong."""
    root = parse(data)
    package = root if name_of(root) == "package" else path(root, "Object", "Package")
    if package is None:
        raise MessageError("an INV101 message is a (signed) Package", field="message")
    envelope = texts(child(package, "EnvelopInfo"))
    if (envelope.get("message_type") or "").upper() != "INV101":
        raise MessageError(
            f"message type {envelope.get('message_type')!r} is not INV101",
            field="message_type",
        )
    business = path(package, "DataInfo", "BussinessData")
    message = child(business, "InvtMessage") if business is not None else None
    if message is None:
        raise MessageError("the message has no InvtMessage", field="InvtMessage")
    heads = children(message, "InvtHeadType")
    if len(heads) != 1:
        raise MessageError(
            f"an INV101 has one InvtHeadType, found {len(heads)}", field="InvtHeadType"
        )
    flag = texts(business).get("delcareflag")
    if flag not in ("0", "1"):
        raise MessageError(
            f"DelcareFlag must be 0 (draft) or 1 (declare), got {flag!r}",
            field="DelcareFlag",
        )
    return build(
        ChecklistDeclaration,
        {},
        message_id=envelope.get("message_id") or "",
        sender_id=envelope.get("sender_id") or "",
        receiver_id=envelope.get("receiver_id") or "DXPEDCSAS0000001",
        sent_at=envelope.get("send_time"),
        head=build(ChecklistHeadWire, texts(heads[0])),
        lines=tuple(
            build(ChecklistLineWire, texts(line))
            for line in children(message, "InvtListType")
        ),
        declare=flag == "1",
        operator_customs_code=texts(message).get("opercusregcode"),
    )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return str(value.strftime("%Y-%m-%dT%H:%M:%S"))
    return str(value)


def _fill(parent: Any, tag: str, model: Any, order: tuple[str, ...]) -> None:
    element = etree.SubElement(parent, tag)
    by_alias = model.model_dump(by_alias=True)
    for name in order:
        etree.SubElement(element, name).text = _text(by_alias.get(name))


def write_inv101(message: ChecklistDeclaration) -> bytes:
    """The message as the single window's client files it (UTF-8)."""
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
    obj = etree.SubElement(signature, "Object", Id="String")
    package = etree.SubElement(obj, "Package")
    envelope = etree.SubElement(package, "EnvelopInfo")
    for tag, value in (
        ("version", "1.0"),
        ("message_id", message.message_id),
        ("file_name", f"INV101_{message.message_id}.xml"),
        ("message_type", "INV101"),
        ("sender_id", message.sender_id),
        ("receiver_id", message.receiver_id),
        ("send_time", _text(message.sent_at)),
    ):
        etree.SubElement(envelope, tag).text = value
    data = etree.SubElement(package, "DataInfo")
    pocket = etree.SubElement(data, "PocketInfo")
    etree.SubElement(pocket, "is_unstructured").text = "1"
    business = etree.SubElement(data, "BussinessData")
    invt = etree.SubElement(business, "InvtMessage")
    _fill(invt, "InvtHeadType", message.head, HEAD_ORDER)
    for line in message.lines:
        _fill(invt, "InvtListType", line, LINE_ORDER)
    etree.SubElement(invt, "SysId").text = "Z8"
    etree.SubElement(invt, "OperCusRegCode").text = (
        message.operator_customs_code or message.head.operating_customs_code
    )
    etree.SubElement(business, "DelcareFlag").text = "1" if message.declare else "0"
    return bytes(
        etree.tostring(
            signature, xml_declaration=True, encoding="UTF-8", pretty_print=True
        )
    )

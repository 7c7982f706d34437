"""Receipts in the HDE dialect, written as customs writes them (for the simulator).

Checklist receipts carry the xmldsig default namespace and SAS receipts none, as
in real traffic; the gate id is spelled ``passID`` as real SAS22x receipts spell
it. Message ids follow the customs format (``CUS0000`` + receiver + time +
sequence).
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from lxml import etree

XMLDSIG = "http://www.w3.org/2000/09/xmldsig#"
_sequence = itertools.count(1)


def message_id(now: datetime | None = None) -> str:
    """A fresh customs message id (39 characters)."""
    moment = now or datetime.now(UTC)
    return f"CUS0000E010000{moment:%Y%m%d%H%M%S}{next(_sequence) % 10**11:011d}"


def _add(parent: Any, tag: str, text: str | None = "") -> Any:
    element = etree.SubElement(parent, tag)
    element.text = text or ""
    return element


def _package(message_type: str, namespace: bool) -> tuple[Any, Any]:
    nsmap = {None: XMLDSIG} if namespace else None
    root = etree.Element("Package", nsmap=nsmap)
    mid = message_id()
    envelope = _add(root, "EnvelopInfo", None)
    for tag, value in (
        ("version", "1.0"),
        ("message_id", mid),
        ("file_name", f"{mid}.{'INV' if message_type.startswith('INV') else 'SAS'}"),
        ("message_type", message_type),
        ("sender_id", "CUS0000"),
        ("receiver_id", "E010000"),
        ("send_time", f"{datetime.now(UTC):%Y-%m-%dT%H:%M:%S}"),
    ):
        _add(envelope, tag, value)
    data = _add(root, "DataInfo", None)
    pocket = _add(data, "PocketInfo", None)
    _add(pocket, "pocket_id", f"{mid}-1")
    _add(pocket, "total_pocket_qty", "1")
    _add(pocket, "cur_pocket_no", "1")
    business = _add(data, "BussinessData", None)
    return root, _add(business, message_type, None)


def _result(
    body: Any, business_id: str, pre_entry: str, result: str, typecd: str, rmk: str
) -> None:
    header = _add(body, "HdeApprResult", None)
    for tag, value in (
        ("etpsPreentNo", pre_entry),
        ("businessId", business_id),
        ("tmsCnt", "0"),
        ("typecd", typecd),
        ("manageResult", result),
        ("manageDate", f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S}"),
        ("rmk", rmk),
    ):
        _add(header, tag, value)
    if rmk:
        _add(_add(body, "CheckInfo", None), "note", rmk)


def _bytes(root: Any) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def checklist_receipt(
    checklist: Any, number: str, pre_entry: str, result: str, typecd: str, rmk: str
) -> bytes:
    """INV201 on a checklist (``result`` 4 = approved with provisional deduction)."""
    root, body = _package("INV201", namespace=True)
    _result(body, number, pre_entry, result, typecd, rmk)
    head = _add(body, "BondInvtBsc", None)
    for tag, value in (
        ("bondInvtNo", number),
        ("invtPreentNo", pre_entry),
        ("putrecNo", checklist.head.ledger_no),
        ("etpsInnerInvtNo", checklist.enterprise_doc_no),
        ("bizopEtpsno", checklist.head.operating_enterprise.customs_code),
        ("impexpMarkcd", str(checklist.head.direction)),
        ("vrfdedMarkcd", "1" if result == "4" else "0"),
    ):
        _add(head, tag, value)
    return _bytes(root)


def declaration_receipt(checklist_no: str, declaration_no: str) -> bytes:
    """INV202: the declaration generated for a checklist."""
    root, body = _package("INV202", namespace=True)
    result = _add(body, "InvApprResult", None)
    for tag, value in (
        ("invPreentNo", ""),
        ("businessId", checklist_no),
        ("entrySeqNo", declaration_no),
        ("manageResult", "1"),
        ("createDate", f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S}"),
        ("reason", ""),
    ):
        _add(result, tag, value)
    return _bytes(root)


def gate_pass_receipt(
    message_type: str,
    number: str,
    pre_entry: str,
    result: str,
    typecd: str,
    rmk: str,
    status: str = "1",
) -> bytes:
    """SAS221 (decision) or SAS223 (gate crossing; ``status`` 2, 3 or 4)."""
    root, body = _package(message_type, namespace=False)
    _result(body, number, pre_entry, result, typecd, rmk)
    head = _add(body, "SasPassportBsc", None)
    now = f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S}"
    crossing = message_type == "SAS223"
    for tag, value in (
        ("passportNo", number),
        ("sasPassportPreentNo", pre_entry),
        ("stucd", status),
        ("passID", "SIMGATE1" if crossing else ""),
        ("passTime", now if crossing and status in ("2", "3") else ""),
        ("secdPassId", "SIMGATE2" if status == "4" else ""),
        ("secdPassTime", now if status == "4" else ""),
    ):
        _add(head, tag, value)
    return _bytes(root)


def document_receipt(
    message_type: str,
    head_tag: str,
    number_tag: str,
    number: str,
    pre_entry: str,
    result: str,
    typecd: str,
    rmk: str,
) -> bytes:
    """SAS201, SAS211, SAS231 or BWS201: a decision on another document."""
    root, body = _package(message_type, namespace=False)
    _result(body, number, pre_entry, result, typecd, rmk)
    _add(_add(body, head_tag, None), number_tag, number)
    return _bytes(root)


def acknowledgement(enterprise_doc_no: str, pre_entry: str, ok: bool = True) -> bytes:
    """CommonResponeMessage: the single window's answer to an import."""
    root = etree.Element("CommonResponeMessage")
    _add(root, "SeqNo", pre_entry)
    _add(root, "EtpsPreentNo", enterprise_doc_no)
    _add(root, "CheckInfo", "处理成功" if ok else "导入失败")
    _add(root, "DealFlag", "0" if ok else "-1")
    return _bytes(root)


def posting_receipt(checklist: Any, figures: tuple[tuple[int, str, str], ...]) -> bytes:
    """INV211: customs posted the checklist; ``figures`` (serial, part, stock)."""
    root, body = _package("INV211", namespace=True)
    head = _add(body, "BondInvtBsc", None)
    for tag, value in (
        ("bondInvtNo", checklist.document_no),
        ("putrecNo", checklist.head.ledger_no),
        ("etpsInnerInvtNo", checklist.enterprise_doc_no),
        ("bizopEtpsno", checklist.head.operating_enterprise.customs_code),
        ("vrfdedMarkcd", "2"),
        ("entryStucd", "1"),
    ):
        _add(head, tag, value)
    for serial, part_no, stock in figures:
        line = _add(body, "BwsDt", None)
        _add(line, "gdsSeqno", str(serial))
        _add(line, "gdsMtno", part_no)
        _add(line, "inQty", stock)
    return _bytes(root)

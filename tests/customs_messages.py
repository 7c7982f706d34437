"""Customs receipts for tests, in the HDE dialect, with obviously fake numbers."""

from __future__ import annotations

import itertools

_serial = itertools.count(1)


def message_id() -> str:
    """A fresh message id in the customs format (39 characters)."""
    return f"CUS0000E010000202612031200{next(_serial):013d}"


def _envelope(message_type: str, mid: str, namespace: bool) -> str:
    ns = ' xmlns="http://www.w3.org/2000/09/xmldsig#"' if namespace else ""
    return (
        f"<Package{ns}><EnvelopInfo><version>1.0</version>"
        f"<message_id>{mid}</message_id><file_name>{mid}.X</file_name>"
        f"<message_type>{message_type}</message_type><sender_id>CUS0000</sender_id>"
        f"<receiver_id>E010000</receiver_id><send_time>2026-12-03T12:00:00</send_time>"
        f"</EnvelopInfo><DataInfo><PocketInfo><pocket_id>P-{mid}</pocket_id>"
        f"<total_pocket_qty>1</total_pocket_qty><cur_pocket_no>1</cur_pocket_no>"
        f"</PocketInfo><BussinessData>"
    )


def _result(
    business_id: str, pre_entry: str, result: str, typecd: str, rmk: str
) -> str:
    return (
        f"<HdeApprResult><etpsPreentNo>{pre_entry}</etpsPreentNo>"
        f"<businessId>{business_id}</businessId><tmsCnt>0</tmsCnt>"
        f"<typecd>{typecd}</typecd><manageResult>{result}</manageResult>"
        f"<manageDate>2026-12-03 12:00:00</manageDate><rmk>{rmk}</rmk>"
        f"</HdeApprResult>"
    )


def inv201(
    checklist_no: str,
    *,
    customs_code: str,
    enterprise_doc_no: str,
    result: str = "4",
    typecd: str = "1",
    pre_entry: str = "",
    rmk: str = "",
    mid: str = "",
) -> bytes:
    """A checklist decision (INV201)."""
    mid = mid or message_id()
    return (
        _envelope("INV201", mid, namespace=True)
        + "<INV201>"
        + _result(checklist_no, pre_entry, result, typecd, rmk)
        + f"<BondInvtBsc><bondInvtNo>{checklist_no}</bondInvtNo>"
        f"<invtPreentNo>{pre_entry}</invtPreentNo>"
        f"<etpsInnerInvtNo>{enterprise_doc_no}</etpsInnerInvtNo>"
        f"<bizopEtpsno>{customs_code}</bizopEtpsno><vrfdedMarkcd>1</vrfdedMarkcd>"
        f"</BondInvtBsc></INV201></BussinessData></DataInfo></Package>"
    ).encode()


def inv202(checklist_no: str, declaration_no: str, *, result: str = "1") -> bytes:
    """The declaration generated for a checklist (INV202)."""
    mid = message_id()
    return (
        _envelope("INV202", mid, namespace=True)
        + f"<INV202><InvApprResult><invPreentNo></invPreentNo>"
        f"<businessId>{checklist_no}</businessId><entrySeqNo>{declaration_no}"
        f"</entrySeqNo><manageResult>{result}</manageResult>"
        f"<createDate>2026-12-03 12:01:00</createDate><reason></reason>"
        f"</InvApprResult></INV202></BussinessData></DataInfo></Package>"
    ).encode()


def sas22x(
    message_type: str,
    gate_pass_no: str,
    *,
    pre_entry: str = "",
    result: str = "1",
    typecd: str = "1",
    status: str = "1",
    pass_time: str = "",
    second_pass_time: str = "",
) -> bytes:
    """A gate pass decision (SAS221) or gate crossing (SAS223), no namespace."""
    mid = message_id()
    return (
        _envelope(message_type, mid, namespace=False)
        + f"<{message_type}>"
        + _result(gate_pass_no, pre_entry, result, typecd, "")
        + f"<SasPassportBsc><passportNo>{gate_pass_no}</passportNo>"
        f"<sasPassportPreentNo>{pre_entry}</sasPassportPreentNo>"
        f"<stucd>{status}</stucd><passID>TESTGATE1</passID>"
        f"<passTime>{pass_time}</passTime><secdPassTime>{second_pass_time}"
        f"</secdPassTime></SasPassportBsc></{message_type}>"
        f"</BussinessData></DataInfo></Package>"
    ).encode()


def acknowledgement(
    enterprise_doc_no: str, pre_entry: str, *, ok: bool = True
) -> bytes:
    """The single window's answer to an import (CommonResponeMessage)."""
    return (
        f"<CommonResponeMessage><SeqNo>{pre_entry}</SeqNo>"
        f"<EtpsPreentNo>{enterprise_doc_no}</EtpsPreentNo>"
        f"<CheckInfo>{'处理成功' if ok else 'TEST refused'}</CheckInfo>"
        f"<DealFlag>{0 if ok else -1}</DealFlag></CommonResponeMessage>"
    ).encode()


def document_decision(
    message_type: str,
    head_tag: str,
    number_tag: str,
    number: str,
    *,
    pre_entry: str = "",
    result: str = "1",
) -> bytes:
    """A decision on a form, slip, vehicle or ledger (SAS201/211/231, BWS201)."""
    mid = message_id()
    return (
        _envelope(message_type, mid, namespace=False)
        + f"<{message_type}>"
        + _result(number, pre_entry, result, "1", "")
        + f"<{head_tag}><{number_tag}>{number}</{number_tag}></{head_tag}>"
        + f"</{message_type}></BussinessData></DataInfo></Package>"
    ).encode()

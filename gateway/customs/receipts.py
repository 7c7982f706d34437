"""Read customs receipts (HDE dialect) into their wire models, and what they decide.

``read_receipt`` takes the raw bytes of an INV201, INV202, SAS221, SAS223 receipt
or a CommonResponeMessage and returns its model; anything else, or anything that
does not match its message type, is refused with the reason.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic import ValidationError as WireValidationError

from bonded.errors import MessageError
from gateway.customs.safe_xml import child, children, name_of, parse, path, texts
from schemas.customs import (
    ApprovalResult,
    ChecklistHead,
    ChecklistReceipt,
    DeclarationReceipt,
    DocumentReceipt,
    Envelope,
    GatePassHead,
    GatePassReceipt,
    ImportAcknowledgement,
    LedgerLineFigure,
    Pocket,
    PostingReceipt,
    Receipt,
)

GATE_PASS_RECEIPTS = ("SAS221", "SAS223", "SAS224")
# Decision receipts of other documents: the document kind, the head element and
# the elements of its customs number and pre-entry number.
DOCUMENT_RECEIPTS = {
    "SAS201": ("business form", "SasDclBsc", "sasdclno", "sasdclpreentno"),
    "SAS211": ("stock slip", "SasStockBsc", "sasstockno", "sasstockpreentno"),
    "SAS231": ("vehicle", "SasVehicleBsc", "vehicleno", "dclpreentno"),
    "BWS201": ("ledger", "BwsBsc", "bwsno", "etpspreentno"),
}


def build(model: type[BaseModel], values: dict[str, str | None], **extra: Any) -> Any:
    """Fill a wire model from element texts matched by alias, case-insensitively."""
    data: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        alias = (field.alias or name).lower()
        if alias in values and values[alias] is not None:
            data[name] = values[alias]
    data.update(extra)
    try:
        return model.model_validate(data)
    except WireValidationError as error:
        first = error.errors()[0]
        # Name the wire element the sender wrote, not our field name.
        names = [str(part) for part in first["loc"]]
        field = model.model_fields.get(names[0]) if names else None
        if field is not None and field.alias:
            names[0] = field.alias
        where = ".".join(names)
        raise MessageError(
            f"{model.__name__}: {where}: {first['msg']}", field=where
        ) from None


def read_receipt(data: bytes | str) -> Receipt:
    """Parse a receipt; refuse what is not one, naming what is wrong."""
    root = parse(data)
    if name_of(root) == "commonresponemessage":
        return build(ImportAcknowledgement, texts(root))
    if name_of(root) != "package":
        raise MessageError(f"a receipt is a Package, not {root.tag!r}", field="message")
    envelope = build(Envelope, texts(child(root, "EnvelopInfo")))
    business = path(root, "DataInfo", "BussinessData")
    if business is None:
        raise MessageError("the receipt has no DataInfo/BussinessData", field="message")
    bodies = [item for item in business if isinstance(item.tag, str)]
    if len(bodies) != 1:
        raise MessageError(
            f"a receipt carries one message body, found {len(bodies)}", field="message"
        )
    body = bodies[0]
    declared = envelope.message_type.upper()
    if name_of(body).upper() != declared:
        raise MessageError(
            f"message type {declared} does not match its body {body.tag!r}",
            field="message_type",
        )
    pocket = build(Pocket, texts(path(root, "DataInfo", "PocketInfo")))
    if declared == "INV201":
        return ChecklistReceipt(
            envelope=envelope,
            pocket=pocket,
            result=_result(body),
            head=_optional(ChecklistHead, child(body, "BondInvtBsc")),
            notes=_notes(body),
        )
    if declared == "INV211":
        head = child(body, "BondInvtBsc")
        if head is None:
            raise MessageError("an INV211 has a BondInvtBsc", field="BondInvtBsc")
        return PostingReceipt(
            envelope=envelope,
            pocket=pocket,
            head=build(ChecklistHead, texts(head)),
            lines=tuple(
                build(LedgerLineFigure, texts(line)) for line in children(body, "BwsDt")
            ),
        )
    if declared == "INV202":
        return build(
            DeclarationReceipt, texts(child(body, "InvApprResult")), envelope=envelope
        )
    if declared in GATE_PASS_RECEIPTS:
        return GatePassReceipt(
            envelope=envelope,
            pocket=pocket,
            result=_result(body),
            head=_optional(GatePassHead, child(body, "SasPassportBsc")),
            related_nos=tuple(
                text
                for related in children(body, "SasPassportRlt")
                if (text := texts(related).get("rltno"))
            ),
            notes=_notes(body),
        )
    if declared in DOCUMENT_RECEIPTS:
        kind, head_tag, number_tag, pre_entry_tag = DOCUMENT_RECEIPTS[declared]
        result = _result(body)
        head = texts(child(body, head_tag))
        return DocumentReceipt(
            envelope=envelope,
            pocket=pocket,
            result=result,
            document_kind=kind,
            document_no=head.get(number_tag),
            pre_entry_no=head.get(pre_entry_tag) or result.pre_entry_no,
            notes=_notes(body),
        )
    raise MessageError(f"message type {declared} is not handled", field="message_type")


def _result(body: Any) -> ApprovalResult:
    results = children(body, "HdeApprResult")
    if len(results) != 1:
        raise MessageError(
            f"a receipt has one HdeApprResult, found {len(results)}",
            field="HdeApprResult",
        )
    return build(ApprovalResult, texts(results[0]))  # type: ignore[no-any-return]


def _optional(model: type[BaseModel], element: Any | None) -> Any | None:
    return None if element is None else build(model, texts(element))


def _notes(body: Any) -> tuple[str, ...]:
    notes = []
    for info in children(body, "CheckInfo"):
        for note in children(info, "note"):
            if note.text and note.text.strip():
                notes.append(note.text.strip())
    return tuple(notes)

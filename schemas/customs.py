"""Customs receipts as they arrive: the HDE dialect (camelCase), one model per message.

Each model names its fields in English and keeps the wire element name as its
alias, once (STYLE.md). Parsing reads tag names case-insensitively, since real
receipts drift (``passID`` and ``passId``); empty elements become ``None``. Only
the fields the backbone acts on or keeps are modelled; the raw message is kept
beside them.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from schemas.text import check_number, check_number_text, check_texts

# Receipt dates: "2025-03-10 09:20:29" in HDE, ISO in envelopes.
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y%m%d%H%M%S")


def parse_time(value: Any) -> datetime | None:
    """A receipt time in any of the formats seen, or None when empty."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(str(value).strip(), pattern)
        except ValueError:
            continue
    raise ValueError(f"not a receipt time: {value!r}")


class WireModel(BaseModel):
    """A wire model: frozen, filled by alias or by name, unknown fields ignored.

    Every text is checked for invisible and control characters (``schemas.text``).
    """

    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")

    @field_validator("*", mode="before")
    @classmethod
    def _digits(cls, value: object, info: ValidationInfo) -> object:
        field = cls.model_fields.get(info.field_name or "")
        return check_number_text(value, field.annotation if field else None)

    @field_validator("*", mode="after")
    @classmethod
    def _visible(cls, value: object, info: ValidationInfo) -> object:
        if isinstance(value, str | tuple | list):
            return check_texts(value, info.field_name or "")
        if isinstance(value, Decimal):
            return check_number(value)
        return value


class Envelope(WireModel):
    """EnvelopInfo (sic): who sent which message when."""

    message_id: str = Field(alias="message_id", min_length=1, max_length=128)
    message_type: str = Field(alias="message_type", min_length=6, max_length=32)
    sender_id: str | None = Field(default=None, alias="sender_id")
    receiver_id: str | None = Field(default=None, alias="receiver_id")
    business_id: str | None = Field(default=None, alias="business_id")
    sent_at: datetime | None = Field(default=None, alias="send_time")

    _times = field_validator("sent_at", mode="before")(parse_time)


class Pocket(WireModel):
    """PocketInfo: a receipt split in several pockets shares one pocket id."""

    pocket_id: str | None = Field(default=None, alias="pocket_id")
    total: int = Field(default=1, alias="total_pocket_qty", ge=1, le=1000)
    current: int = Field(default=1, alias="cur_pocket_no", ge=1, le=1000)


class ApprovalResult(WireModel):
    """HdeApprResult: customs' decision on a document (处理结果)."""

    pre_entry_no: str | None = Field(default=None, alias="etpsPreentNo")
    business_id: str | None = Field(default=None, alias="businessId")
    change_count: int | None = Field(default=None, alias="tmsCnt")
    request_code: str | None = Field(default=None, alias="typecd")
    manage_result: str = Field(alias="manageResult", min_length=1, max_length=1)
    decided_at: datetime | None = Field(default=None, alias="manageDate")
    remark: str | None = Field(default=None, alias="rmk", max_length=4000)

    _times = field_validator("decided_at", mode="before")(parse_time)


class ChecklistHead(WireModel):
    """BondInvtBsc of an INV201 receipt (核注清单表头)."""

    checklist_no: str | None = Field(default=None, alias="bondInvtNo")
    pre_entry_no: str | None = Field(default=None, alias="invtPreentNo")
    ledger_no: str | None = Field(default=None, alias="putrecNo")
    enterprise_doc_no: str | None = Field(default=None, alias="etpsInnerInvtNo")
    operating_customs_code: str | None = Field(default=None, alias="bizopEtpsno")
    direction: str | None = Field(default=None, alias="impexpMarkcd")
    posting_mark: str | None = Field(default=None, alias="vrfdedMarkcd")
    posting_mode: str | None = Field(default=None, alias="vrfdedModecd")
    entry_status: str | None = Field(default=None, alias="entryStucd")
    gate_status: str | None = Field(default=None, alias="invtIochkptStucd")


class ChecklistReceipt(WireModel):
    """INV201: customs' decision on a checklist (核注清单审批回执)."""

    envelope: Envelope
    pocket: Pocket
    result: ApprovalResult
    head: ChecklistHead | None = None
    notes: tuple[str, ...] = ()


class DeclarationReceipt(WireModel):
    """INV202: the declaration generated for a checklist (生成报关单回执)."""

    envelope: Envelope
    pre_entry_no: str | None = Field(default=None, alias="invPreentNo")
    checklist_no: str | None = Field(default=None, alias="businessId")
    declaration_no: str | None = Field(default=None, alias="entrySeqNo")
    manage_result: str = Field(alias="manageResult", min_length=1, max_length=1)
    created_at: datetime | None = Field(default=None, alias="createDate")
    reason: str | None = Field(default=None, alias="reason", max_length=4000)

    _times = field_validator("created_at", mode="before")(parse_time)


class GatePassHead(WireModel):
    """SasPassportBsc of a gate pass receipt (核放单表头)."""

    gate_pass_no: str | None = Field(default=None, alias="passportNo")
    pre_entry_no: str | None = Field(default=None, alias="sasPassportPreentNo")
    pass_type: str | None = Field(default=None, alias="passportTypecd")
    binding: str | None = Field(default=None, alias="bindTypecd")
    direction: str | None = Field(default=None, alias="ioTypecd")
    zone_customs_code: str | None = Field(default=None, alias="areainEtpsno")
    vehicle_no: str | None = Field(default=None, alias="vehicleNo")
    status: str | None = Field(default=None, alias="stucd")
    approval_mark: str | None = Field(default=None, alias="emapvMarkcd")
    gate_id: str | None = Field(default=None, alias="passId")
    second_gate_id: str | None = Field(default=None, alias="secdPassId")
    passed_at: datetime | None = Field(default=None, alias="passTime")
    second_passed_at: datetime | None = Field(default=None, alias="secdPassTime")
    weighed_kg: str | None = Field(default=None, alias="passCollectWt")
    weight_error_kg: str | None = Field(default=None, alias="wtError")

    _times = field_validator("passed_at", "second_passed_at", mode="before")(parse_time)


class GatePassReceipt(WireModel):
    """SAS221 (decision) or SAS223 (gate crossing) on a gate pass (核放单回执)."""

    envelope: Envelope
    pocket: Pocket
    result: ApprovalResult
    head: GatePassHead | None = None
    related_nos: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


class DocumentReceipt(WireModel):
    """A decision on a business form, stock slip, vehicle or ledger.

    SAS201, SAS211, SAS231 and BWS201 differ only in the numbers of their heads.
    """

    envelope: Envelope
    pocket: Pocket
    result: ApprovalResult
    document_kind: str
    document_no: str | None = None
    pre_entry_no: str | None = None
    notes: tuple[str, ...] = ()


class LedgerLineFigure(WireModel):
    """BwsDt of an INV211 receipt: a ledger line after customs posted to it."""

    serial: int | None = Field(default=None, alias="gdsSeqno")
    part_no: str = Field(alias="gdsMtno", max_length=32)
    stock: Decimal = Field(alias="inQty", allow_inf_nan=False)


class PostingReceipt(WireModel):
    """INV211: customs posted a checklist (记账回执) and reports the ledger lines."""

    envelope: Envelope
    pocket: Pocket = Pocket()
    head: ChecklistHead
    lines: tuple[LedgerLineFigure, ...] = ()


class ImportAcknowledgement(WireModel):
    """CommonResponeMessage (sic): the single window's answer to an import."""

    pre_entry_no: str | None = Field(default=None, alias="SeqNo")
    enterprise_doc_no: str | None = Field(default=None, alias="EtpsPreentNo")
    check_info: str | None = Field(default=None, alias="CheckInfo")
    deal_flag: str = Field(alias="DealFlag")

    @property
    def accepted(self) -> bool:
        """DealFlag 0 means imported; anything else (-1 seen) failed."""
        return self.deal_flag.strip() == "0"


Receipt = (
    ChecklistReceipt
    | PostingReceipt
    | DeclarationReceipt
    | GatePassReceipt
    | ImportAcknowledgement
)

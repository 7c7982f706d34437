"""Request bodies of the HTTP API (``/v1``), one model per command.

Quantities and amounts are decimal strings or integers, never floating point
numbers; codes are the customs wire codes (``schemas/codes.py``). The gateway turns
each body into the command of the zone application; the aggregates validate the
business rules and answer with the rule number when one is broken.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

from schemas.text import (
    check_event_date,
    check_expiry,
    check_number,
    check_number_text,
    check_texts,
)

Text = Annotated[str, Field(max_length=512)]
Code = Annotated[str, Field(max_length=10)]


def _no_floats(value: object) -> object:
    if isinstance(value, float):
        raise ValueError("give quantities and amounts as decimal strings, not floats")
    return value


Quantity = Annotated[
    Decimal,
    BeforeValidator(_no_floats),
    Field(allow_inf_nan=False, max_digits=24, decimal_places=9),
]
# Something that happened (a release, a posting): not in the future.
EventDate = Annotated[date, AfterValidator(check_event_date)]
# How long something stays valid: within this century.
Expiry = Annotated[date, AfterValidator(check_expiry)]


class Body(BaseModel):
    """A request body: unknown fields are refused, so typos do not pass silently.

    Every text is checked for invisible and control characters (``schemas.text``).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

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


class LedgerIn(Body):
    """File a logistics ledger (物流账册) as a draft."""

    enterprise_doc_no: Text
    operating_customs_code: Code
    master_customs_code: Code
    area_type: Code
    house_no: Text
    house_name: Text
    house_address: Text
    valid_until: Expiry
    storage_period_months: int = Field(default=12, ge=1, le=120)


class FormLineIn(Body):
    """A business form line."""

    line_no: int = Field(ge=1)
    part_no: Text = ""
    hs_code: Code = ""
    name: Text = ""
    quantity: Quantity
    unit: Code = ""
    unit_price: Quantity
    currency: Code = "142"
    flag: Code = "I"
    ledger_serial: int | None = Field(default=None, ge=1)


class UnitConsumptionIn(Body):
    """A unit-consumption row (单耗)."""

    product_line_no: int = Field(ge=1)
    material_line_no: int = Field(ge=1)
    net_consumption: Quantity
    loss_rate: Quantity


class LedgerRefIn(Body):
    """The ledger a business form names."""

    ledger_no: Text
    family: Code = "logistics"
    kind: Code = ""


class BusinessFormIn(Body):
    """Save a business form (业务申报表) as a draft."""

    enterprise_doc_no: Text
    business_type: Code
    direction: Code
    zone_customs_code: Code
    master_customs_code: Code
    valid_until: Expiry
    lines: list[FormLineIn] = Field(min_length=1, max_length=2000)
    unit_consumptions: list[UnitConsumptionIn] = Field(default=[], max_length=2000)
    outside_customs_code: Code = ""
    ledger: LedgerRefIn | None = None
    ledger_flag: Code | None = None


class SlipLineIn(Body):
    """A stock slip line."""

    line_no: int = Field(ge=1)
    form_line_no: int = Field(ge=1)
    quantity: Quantity
    unit_price: Quantity


class StockSlipIn(Body):
    """Save a stock slip (出入库单) against an approved business form."""

    enterprise_doc_no: Text
    business_form_id: UUID
    lines: list[SlipLineIn] = Field(min_length=1, max_length=2000)


class ChecklistLineIn(Body):
    """A checklist line; a ledger serial fills in the goods."""

    line_no: int = Field(ge=1)
    part_no: Text = ""
    hs_code: Code = ""
    name: Text = ""
    unit: Code = ""
    quantity: Quantity
    unit_price: Quantity
    currency: Code = "142"
    origin_country: Code = "142"
    destination_country: Code = "142"
    ledger_serial: int | None = Field(default=None, ge=1)


class ChecklistHeadIn(Body):
    """The entered head fields of a checklist."""

    goods_flag: Code = "I"
    supervision_mode: Code
    transport_mode: Code
    port_code: Code
    master_customs_code: Code
    country_code: Code
    customs_flag: Code
    declaration_kind: Code | None = None
    generate_declaration: bool = False
    declaration_type: Code | None = None
    posting_mode: Code = "D"
    business_form_no: Text = ""
    note: Annotated[str, Field(max_length=4000)] = ""


class ChecklistIn(ChecklistHeadIn):
    """Save a checklist (核注清单) as a draft."""

    enterprise_doc_no: Text
    ledger_no: Text
    direction: Code
    checklist_type: Code = "0"
    consignee_customs_code: Code = ""
    declaring_customs_code: Code = ""
    lines: list[ChecklistLineIn] = Field(min_length=1, max_length=2000)


class ConsolidationIn(ChecklistHeadIn):
    """Gather approved type A stock slips into one checklist (集中报关)."""

    enterprise_doc_no: Text
    ledger_no: Text
    stock_slip_ids: list[UUID] = Field(min_length=1, max_length=2000)


class DeliveryOrderLineIn(Body):
    """Goods on a delivery order."""

    line_no: int = Field(ge=1)
    part_no: Text
    hs_code: Code
    name: Text
    unit: Code
    quantity: Quantity


class DeliveryOrderIn(Body):
    """Save a delivery order (提货单) as a draft."""

    enterprise_doc_no: Text
    zone_customs_code: Code
    ledger_no: Text
    bill_of_lading_no: Text
    port_code: Code
    lines: list[DeliveryOrderLineIn] = Field(min_length=1, max_length=2000)
    arrival_note: Text = ""


class VehicleIn(Body):
    """File a vehicle (车辆信息) as a draft."""

    enterprise_doc_no: Text
    owner_customs_code: Code
    vehicle_no: Text
    vehicle_type: Code
    tare_weight_kg: Quantity
    ic_card_no: Text = ""


class GatePassLineIn(Body):
    """Goods on the vehicle; under binding 3 the document line they come from."""

    line_no: int = Field(ge=1)
    part_no: Text = ""
    name: Text = ""
    unit: Code = ""
    quantity: Quantity
    related_line_no: int | None = Field(default=None, ge=1)


class GatePassIn(Body):
    """Save a gate pass (核放单) as a draft."""

    enterprise_doc_no: Text
    zone_customs_code: Code
    pass_type: Code
    binding: Code | None = None
    direction: Code
    vehicle_no: Text
    vehicle_weight_kg: Quantity
    goods_gross_weight_kg: Quantity = Decimal(0)
    related_document_ids: list[UUID] = Field(default=[], max_length=100)
    lines: list[GatePassLineIn] = Field(default=[], max_length=2000)


class CopyIn(Body):
    """Copy a document into a new draft under a new enterprise number."""

    enterprise_doc_no: Text


class DecisionIn(Body):
    """A customs decision entered by hand (customs role)."""

    outcome: Annotated[
        str, Field(pattern="^(approved|manual_review|rejected|receive_failed)$")
    ]
    document_no: Text = ""
    reason: Text = ""
    deposit: Annotated[str, Field(max_length=32)] = ""


class DepositIn(Body):
    """A guarantee deposit customs levied on an approved business form."""

    amount: Quantity = Field(gt=0)


class CrossingIn(Body):
    """A vehicle crossed a gate (customs role)."""

    stage: Annotated[str, Field(pattern="^(single|first|second)$")] = "single"


class ReleaseIn(Body):
    """Customs released a checklist's declaration."""

    released_on: EventDate


class DeclarationGeneratedIn(Body):
    """Customs generated a checklist's declaration."""

    declaration_no: Annotated[str, Field(min_length=1, max_length=18)]


class PostIn(Body):
    """Post a checklist to its ledger."""

    posted_on: EventDate


class LineChangeIn(Body):
    """An amendment of a ledger line: HS code and storage period only."""

    part_no: Text
    hs_code: Code | None = None
    storage_period_months: int | None = Field(default=None, ge=1, le=120)


class LedgerAmendmentIn(LedgerIn):
    """Amend an approved ledger: a new head and changes to existing lines."""

    line_changes: list[LineChangeIn] = Field(default=[], max_length=2000)


class FormAmendmentIn(Body):
    """Amend an approved business form: lines and unit consumptions only added."""

    lines: list[FormLineIn] = Field(default=[], max_length=2000)
    unit_consumptions: list[UnitConsumptionIn] = Field(default=[], max_length=2000)


class VehicleAmendmentIn(Body):
    """Amend an approved vehicle filing."""

    vehicle_type: Code
    tare_weight_kg: Quantity
    ic_card_no: Text = ""


class WriteOffIn(Body):
    """Declare the write-off (报核) of a period of a ledger."""

    period_start: EventDate
    period_end: Expiry
    kind: Annotated[str, Field(pattern="^(normal|supplementary)$")] = "normal"


class WriteOffResultIn(Body):
    """Customs' write-off result."""

    accepted: bool
    note: Text = ""

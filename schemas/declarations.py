"""Declarations as enterprises send them: the import dialect (PascalCase).

One wire model per message: here the checklist (INV101, ``InvtMessage``). Fields
are named in English with the wire element as alias; the element order of
``FIELD_ORDER`` is the order the single window's own files use.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import Field

from schemas.customs import WireModel


class Declared(WireModel):
    """What every declaration carries besides its document: envelope and flag."""

    message_id: str = Field(min_length=1, max_length=128)
    sender_id: str = Field(default="", max_length=32)
    receiver_id: str = Field(default="DXPEDCSAS0000001", max_length=32)
    sent_at: datetime | None = None
    declare: bool = True
    operator_customs_code: str | None = None


class ChecklistHeadWire(WireModel):
    """InvtHeadType: the head of an INV101 checklist declaration."""

    pre_entry_no: str | None = Field(default=None, alias="SeqNo")
    checklist_no: str | None = Field(default=None, alias="BondInvtNo")
    change_count: int = Field(default=0, alias="ChgTmsCnt", ge=0)
    ledger_no: str = Field(alias="PutrecNo", min_length=1, max_length=64)
    enterprise_doc_no: str = Field(alias="EtpsInnerInvtNo", min_length=1, max_length=64)
    checklist_type: str = Field(default="0", alias="InvtType", max_length=1)
    request_code: str = Field(default="1", alias="DclTypecd", max_length=1)
    operating_credit_code: str | None = Field(default=None, alias="BizopEtpsSccd")
    operating_customs_code: str = Field(
        alias="BizopEtpsno", min_length=10, max_length=10
    )
    operating_name: str | None = Field(default=None, alias="BizopEtpsNm")
    consignee_credit_code: str | None = Field(default=None, alias="RvsngdEtpsSccd")
    consignee_customs_code: str | None = Field(default=None, alias="RcvgdEtpsno")
    consignee_name: str | None = Field(default=None, alias="RcvgdEtpsNm")
    declarant_credit_code: str | None = Field(default=None, alias="DclEtpsSccd")
    declarant_customs_code: str | None = Field(default=None, alias="DclEtpsno")
    declarant_name: str | None = Field(default=None, alias="DclEtpsNm")
    direction: str = Field(alias="ImpexpMarkcd", max_length=1)
    goods_flag: str = Field(default="I", alias="MtpckEndprdMarkcd", max_length=1)
    supervision_mode: str = Field(alias="SupvModecd", max_length=6)
    transport_mode: str = Field(alias="TrspModecd", max_length=6)
    port_code: str = Field(alias="ImpexpPortcd", max_length=4)
    master_customs_code: str = Field(alias="DclPlcCuscd", max_length=4)
    country_code: str = Field(alias="StshipTrsarvNatcd", max_length=3)
    customs_flag: str = Field(alias="DclcusFlag", max_length=1)
    declaration_kind: str | None = Field(default=None, alias="DclcusTypecd")
    generate_declaration: str | None = Field(default=None, alias="GenDecFlag")
    declaration_type: str | None = Field(default=None, alias="DecType")
    business_form_no: str | None = Field(default=None, alias="ApplyNo")
    note: str | None = Field(default=None, alias="Rmk", max_length=4000)


class ChecklistLineWire(WireModel):
    """InvtListType: one line of an INV101 checklist declaration."""

    line_no: int = Field(alias="GdsSeqno", ge=1)
    ledger_serial: int | None = Field(default=None, alias="PutrecSeqno", ge=1)
    part_no: str = Field(alias="GdsMtno", max_length=32)
    hs_code: str = Field(alias="Gdecd", max_length=10)
    name: str = Field(alias="GdsNm", max_length=512)
    spec: str | None = Field(default=None, alias="GdsSpcfModelDesc", max_length=512)
    unit: str = Field(alias="DclUnitcd", max_length=3)
    origin_country: str = Field(default="142", alias="Natcd", max_length=3)
    destination_country: str = Field(
        default="142", alias="DestinationNatcd", max_length=3
    )
    unit_price: Decimal = Field(alias="DclUprcAmt", allow_inf_nan=False)
    total_amount: Decimal | None = Field(
        default=None, alias="DclTotalAmt", allow_inf_nan=False
    )
    currency: str = Field(default="142", alias="DclCurrcd", max_length=3)
    quantity: Decimal = Field(alias="DclQty", allow_inf_nan=False, gt=0)


class ChecklistDeclaration(Declared):
    """An INV101 message: envelope facts, head, lines, and whether to declare."""

    head: ChecklistHeadWire
    lines: tuple[ChecklistLineWire, ...] = Field(min_length=1, max_length=2000)


HEAD_ORDER = tuple(f.alias or n for n, f in ChecklistHeadWire.model_fields.items())
LINE_ORDER = tuple(f.alias or n for n, f in ChecklistLineWire.model_fields.items())


class GatePassHeadWire(WireModel):
    """PassportHead: the head of a SAS121 gate pass declaration."""

    pre_entry_no: str | None = Field(default=None, alias="SeqNo")
    gate_pass_no: str | None = Field(default=None, alias="PassportNo")
    enterprise_doc_no: str = Field(alias="EtpsPreentNo", min_length=1, max_length=64)
    pass_type: str = Field(alias="PassportTypecd", max_length=1)
    master_customs_code: str | None = Field(default=None, alias="MasterCuscd")
    request_code: str = Field(default="1", alias="DclTypecd", max_length=1)
    direction: str = Field(alias="IoTypecd", max_length=1)
    binding: str | None = Field(default=None, alias="BindTypecd", max_length=1)
    related_kind: str | None = Field(default=None, alias="RltTbTypecd", max_length=1)
    related_nos: str | None = Field(default=None, alias="RltNo", max_length=512)
    zone_customs_code: str = Field(alias="AreainEtpsno", min_length=10, max_length=10)
    zone_name: str | None = Field(default=None, alias="AreainEtpsNm")
    zone_credit_code: str | None = Field(default=None, alias="AreainEtpsSccd")
    vehicle_no: str = Field(alias="VehicleNo", min_length=1, max_length=128)
    vehicle_weight_kg: Decimal = Field(alias="VehicleWt", allow_inf_nan=False)
    goods_gross_weight_kg: Decimal | None = Field(
        default=None, alias="TotalGrossWt", allow_inf_nan=False
    )
    total_weight_kg: Decimal | None = Field(
        default=None, alias="TotalWt", allow_inf_nan=False
    )
    note: str | None = Field(default=None, alias="Rmk", max_length=512)


class GatePassGoodsWire(WireModel):
    """PassportList: goods on the vehicle (binding 3 and registered goods)."""

    line_no: int = Field(alias="PassportSeqNo", ge=1)
    related_line_no: int | None = Field(default=None, alias="RltGdsSeqno", ge=1)
    part_no: str | None = Field(default=None, alias="GdsMtno", max_length=32)
    name: str | None = Field(default=None, alias="GdsNm", max_length=512)
    unit: str | None = Field(default=None, alias="DclUnitcd", max_length=3)
    quantity: Decimal = Field(alias="DclQty", allow_inf_nan=False, gt=0)


class RelatedBillWire(WireModel):
    """PassportAcmp: a related document (the real tags say Rtl, not Rlt)."""

    kind: str = Field(alias="RtlBillTypecd", max_length=1)
    number: str = Field(alias="RtlBillNo", min_length=1, max_length=64)


class GatePassDeclaration(Declared):
    """A SAS121 message: head, goods, related documents, whether to declare."""

    head: GatePassHeadWire
    goods: tuple[GatePassGoodsWire, ...] = ()
    related: tuple[RelatedBillWire, ...] = ()


PASSPORT_HEAD_ORDER = tuple(
    f.alias or n for n, f in GatePassHeadWire.model_fields.items()
)
PASSPORT_GOODS_ORDER = tuple(
    f.alias or n for n, f in GatePassGoodsWire.model_fields.items()
)
PASSPORT_RELATED_ORDER = tuple(
    f.alias or n for n, f in RelatedBillWire.model_fields.items()
)


class BusinessFormHeadWire(WireModel):
    """AppHead: the head of a SAS101 business form declaration."""

    pre_entry_no: str | None = Field(default=None, alias="SeqNo")
    business_form_no: str | None = Field(default=None, alias="SasDclNo")
    master_customs_code: str = Field(alias="MasterCuscd", max_length=4)
    request_code: str = Field(default="1", alias="DclTypecd", max_length=1)
    business_type: str = Field(alias="BusinessTypecd", max_length=1)
    direction: str = Field(alias="DirectionTypecd", max_length=1)
    ledger_no: str | None = Field(default=None, alias="AreainOriactNo", max_length=64)
    zone_customs_code: str = Field(alias="AreainEtpsno", min_length=10, max_length=10)
    outside_customs_code: str | None = Field(default=None, alias="AreaoutEtpsno")
    valid_until: str = Field(alias="ValidTime", pattern=r"^\d{8}$")
    enterprise_doc_no: str = Field(alias="EtpsPreentNo", min_length=1, max_length=64)
    ledger_flag: str | None = Field(default=None, alias="MtpckEndprdTypecd")
    note: str | None = Field(default=None, alias="Rmk", max_length=512)


class BusinessFormGoodsWire(WireModel):
    """AppGoods: a line of a SAS101 business form declaration."""

    line_no: int = Field(alias="SasDclSeqno", ge=1)
    ledger_serial: int | None = Field(default=None, alias="OriactGdsSeqno", ge=1)
    flag: str = Field(default="I", alias="MtpckEndprdTypecd", max_length=1)
    hs_code: str = Field(alias="Gdecd", max_length=10)
    name: str = Field(alias="GdsNm", max_length=512)
    quantity: Decimal = Field(alias="DclQty", allow_inf_nan=False, gt=0)
    unit: str = Field(alias="DclUnitcd", max_length=3)
    unit_price: Decimal = Field(alias="DclUprcAmt", allow_inf_nan=False)
    currency: str = Field(default="142", alias="DclCurrcd", max_length=3)
    part_no: str = Field(alias="GdsMtno", max_length=32)


class BusinessFormDeclaration(Declared):
    """A SAS101 message."""

    head: BusinessFormHeadWire
    lines: tuple[BusinessFormGoodsWire, ...] = Field(min_length=1, max_length=2000)


class StockSlipHeadWire(WireModel):
    """StockHead: the head of a SAS111 stock slip declaration."""

    pre_entry_no: str | None = Field(default=None, alias="SeqNo")
    request_code: str = Field(default="1", alias="DclTypecd", max_length=1)
    business_form_no: str = Field(alias="SasDclNo", min_length=1, max_length=64)
    zone_customs_code: str = Field(alias="AreainEtpsNo", min_length=10, max_length=10)
    master_customs_code: str | None = Field(default=None, alias="MasterCuscd")
    direction: str | None = Field(default=None, alias="StockTypecd", max_length=1)
    business_type: str | None = Field(default=None, alias="BusinessTypecd")
    enterprise_doc_no: str = Field(alias="EtpsPreentNo", min_length=1, max_length=64)


class StockSlipGoodsWire(WireModel):
    """StockGoods: a line of a SAS111 stock slip declaration."""

    line_no: int = Field(alias="SasStockSeqno", ge=1)
    form_line_no: int = Field(alias="SasDclSeqno", ge=1)
    part_no: str | None = Field(default=None, alias="GdsMtno", max_length=32)
    quantity: Decimal = Field(alias="DclQty", allow_inf_nan=False, gt=0)
    unit_price: Decimal = Field(alias="DclUprcAmt", allow_inf_nan=False)


class StockSlipDeclaration(Declared):
    """A SAS111 message."""

    head: StockSlipHeadWire
    lines: tuple[StockSlipGoodsWire, ...] = Field(min_length=1, max_length=2000)


class LedgerHeadWire(WireModel):
    """BwlHead: the head of a BWS101 logistics ledger filing."""

    pre_entry_no: str | None = Field(default=None, alias="SeqNo")
    ledger_no: str | None = Field(default=None, alias="BwlNo")
    enterprise_doc_no: str = Field(alias="EtpsPreentNo", min_length=1, max_length=64)
    request_code: str = Field(default="1", alias="DclTypeCd", max_length=1)
    area_type: str = Field(alias="BwlTypeCd", max_length=1)
    master_customs_code: str = Field(alias="MasterCuscd", max_length=4)
    operating_customs_code: str = Field(
        alias="BizopEtpsno", min_length=10, max_length=10
    )
    house_no: str = Field(alias="HouseNo", max_length=20)
    house_name: str = Field(alias="HouseNm", max_length=512)
    house_address: str = Field(alias="HouseAddress", max_length=100)
    valid_until: str = Field(alias="FinishValidTime", pattern=r"^\d{8}$")


class LedgerLineWire(WireModel):
    """BwlList: a ledger line; a filing takes none (lines come from postings)."""

    serial: int | None = Field(default=None, alias="GdsSeqNo")
    part_no: str | None = Field(default=None, alias="GdsMtno", max_length=32)


class LedgerDeclaration(Declared):
    """A BWS101 message (filing only: a ledger is filed without lines)."""

    head: LedgerHeadWire
    lines: tuple[LedgerLineWire, ...] = ()


class VehicleHeadWire(WireModel):
    """SasVehicleBsc: a SAS131 vehicle filing (HDE names, the only ones known).

    No enterprise number is known for it; the plate is the key.
    """

    vehicle_no: str = Field(alias="vehicleNo", min_length=1, max_length=64)
    vehicle_type: str = Field(alias="vehicleTypecd", max_length=1)
    owner_customs_code: str = Field(alias="etpsno", min_length=10, max_length=10)
    tare_weight_kg: Decimal = Field(alias="vehicleWt", allow_inf_nan=False, gt=0)
    request_code: str = Field(default="1", alias="dclTypecd", max_length=1)

    @property
    def enterprise_doc_no(self) -> str:
        """A vehicle filing is keyed by its plate."""
        return self.vehicle_no


class VehicleDeclaration(Declared):
    """A SAS131 message."""

    head: VehicleHeadWire

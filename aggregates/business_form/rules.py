"""The field rules of a business form (R-FORM-3 … R-FORM-6), as pure checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from aggregates.common.errors import ValidationError
from aggregates.common.values import (
    Direction,
    Enterprise,
    check_hs_code,
    check_text,
    to_decimal,
)
from aggregates.ledger.model import LedgerFamily, ProcessingTradeKind


class BusinessType(StrEnum):
    """业务类型 (businessTypecd)."""

    SEPARATE_SHIPMENT = "A"  # 分送集报
    OUTWARD_PROCESSING = "B"  # 外发加工
    BONDED_EXHIBITION = "C"  # 保税展示交易
    EQUIPMENT_TESTING = "D"  # 设备检测
    EQUIPMENT_REPAIR = "E"  # 设备维修
    MOULD_OUTWARD = "F"  # 模具外发
    SIMPLE_PROCESSING = "G"  # 简单加工
    OTHER = "H"  # 其他业务
    SINGLE_TAXPAYER = "Y"  # 一纳企业进出区


class MaterialFlag(StrEnum):
    """料件成品标志: material or semi-finished, product or defective, scrap."""

    MATERIAL = "I"
    PRODUCT = "E"
    SCRAP = "R"


A, B, C, G = (
    BusinessType.SEPARATE_SHIPMENT,
    BusinessType.OUTWARD_PROCESSING,
    BusinessType.BONDED_EXHIBITION,
    BusinessType.SIMPLE_PROCESSING,
)
LEDGER_FLAG_TYPES = (A, G, C)
LINE_FLAGS = {
    B: (MaterialFlag.MATERIAL, MaterialFlag.PRODUCT, MaterialFlag.SCRAP),
    G: (MaterialFlag.MATERIAL, MaterialFlag.PRODUCT),
}
UNIT_CONSUMPTION_TYPES = (G, B)


@dataclass(frozen=True)
class LedgerRef:
    """The zone ledger a form names: its number, family and kind (R-LEDGER-7).

    ``kind`` is the area type of a logistics ledger or the kind of a
    processing-trade ledger.
    """

    ledger_no: str
    family: LedgerFamily
    kind: str


@dataclass(frozen=True)
class FormHead:
    """The head of a business form (表头)."""

    business_type: BusinessType
    direction: Direction
    zone_enterprise: Enterprise
    master_customs_code: str
    valid_until: date
    outside_enterprise: Enterprise | None = None
    ledger: LedgerRef | None = None
    ledger_flag: MaterialFlag | None = None


@dataclass(frozen=True)
class FormLine:
    """A line of a business form (表体): goods and the quantity it allows."""

    line_no: int
    part_no: str
    hs_code: str
    name: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    currency: str
    flag: MaterialFlag = MaterialFlag.MATERIAL
    ledger_serial: int | None = None
    filled_from_ledger: bool = False

    @property
    def amount(self) -> Decimal:
        """Declared total value of the line."""
        return self.quantity * self.unit_price


@dataclass(frozen=True)
class UnitConsumption:
    """A unit-consumption row (单耗): product line, material line, loss rate."""

    product_line_no: int
    material_line_no: int
    net_consumption: Decimal
    loss_rate: Decimal


def _error(message: str, rule: str, field: str) -> ValidationError:
    return ValidationError(message, rule=rule, field=field)


def check_head(head: FormHead) -> FormHead:
    """Check the head of a form: ledger flag (R-FORM-3) and enterprise (R-FORM-2)."""
    if not head.zone_enterprise.customs_code:
        raise _error(
            "the zone enterprise's customs code is required",
            "R-FORM-2",
            "zone_enterprise",
        )
    if len(head.master_customs_code) != 4 or not head.master_customs_code.isdigit():
        raise _error(
            "master customs code must be 4 digits", "R-FORM-2", "master_customs_code"
        )
    kind = BusinessType(head.business_type)
    if kind in LEDGER_FLAG_TYPES:
        logistics = (
            head.ledger is not None and head.ledger.family is LedgerFamily.LOGISTICS
        )
        if logistics and head.ledger_flag not in (None, MaterialFlag.MATERIAL):
            raise _error(
                f"with a logistics ledger the ledger flag of a type {kind} form is I, "
                f"set "
                f"by the system; {head.ledger_flag} was given",
                "R-FORM-3",
                "ledger_flag",
            )
        if not logistics and head.ledger_flag is None:
            raise _error(
                f"the ledger flag is required for a type {kind} form",
                "R-FORM-3",
                "ledger_flag",
            )
    elif head.ledger_flag is not None:
        raise _error(
            f"a type {kind} form takes no ledger flag", "R-FORM-3", "ledger_flag"
        )
    return head


def completed_head(head: FormHead) -> FormHead:
    """Fill in what the system sets: the ledger flag I under a logistics ledger."""
    head = check_head(head)
    if (
        head.business_type in LEDGER_FLAG_TYPES
        and head.ledger is not None
        and head.ledger.family is LedgerFamily.LOGISTICS
    ):
        return FormHead(**{**head.__dict__, "ledger_flag": MaterialFlag.MATERIAL})
    return head


def serial_required(head: FormHead) -> bool:
    """Whether a line with flag I must name a ledger serial (R-FORM-5 items 2, 3)."""
    kind = head.business_type
    ledger = head.ledger
    if kind in (A, C) and ledger is not None:
        consuming = ledger.family is LedgerFamily.PROCESSING_TRADE and ledger.kind in (
            ProcessingTradeKind.CONSUMPTION,
            ProcessingTradeKind.WORK_ORDER,
        )
        leaving = (
            ledger.family is LedgerFamily.LOGISTICS and head.direction is Direction.OUT
        )
        return consuming or leaving
    return kind is G and head.ledger_flag is MaterialFlag.MATERIAL


def check_line(head: FormHead, line: FormLine) -> FormLine:
    """Check one line: goods data, flag (R-FORM-4) and ledger serial (R-FORM-5)."""
    kind = head.business_type
    field = f"lines[{line.line_no}]"
    if line.line_no < 1:
        raise _error("line numbers start at 1", "R-DOC-1", f"{field}.line_no")
    check_text(line.part_no, field=f"{field}.part_no", max_length=32)
    check_hs_code(line.hs_code, field=f"{field}.hs_code")
    check_text(line.name, field=f"{field}.name", max_length=512)
    check_text(line.unit, field=f"{field}.unit", max_length=3)
    check_text(line.currency, field=f"{field}.currency", max_length=3)
    to_decimal(line.quantity, field=f"{field}.quantity")
    to_decimal(line.unit_price, field=f"{field}.unit_price", positive=False)

    allowed = LINE_FLAGS.get(kind, (MaterialFlag.MATERIAL,))
    if line.flag not in allowed:
        raise _error(
            f"a type {kind} form line may have flag {'/'.join(allowed)}, "
            f"not {line.flag}",
            "R-FORM-4",
            f"{field}.flag",
        )

    may_have_serial = kind in (A, C, G) and line.flag is MaterialFlag.MATERIAL
    if line.ledger_serial is not None and not may_have_serial:
        raise _error(
            "a ledger serial may be entered only on A, C and G lines with flag I",
            "R-FORM-5",
            f"{field}.ledger_serial",
        )
    if may_have_serial and line.ledger_serial is None and serial_required(head):
        raise _error(
            f"a ledger serial is required on this type {kind} line",
            "R-FORM-5",
            f"{field}.ledger_serial",
        )
    return line


def check_lines(head: FormHead, lines: tuple[FormLine, ...]) -> tuple[FormLine, ...]:
    """Check every line, and that line numbers are unique."""
    numbers = [line.line_no for line in lines]
    if len(set(numbers)) != len(numbers):
        raise _error("line numbers must be unique", "R-DOC-1", "lines")
    return tuple(check_line(head, line) for line in lines)


def check_unit_consumptions(
    head: FormHead, lines: tuple[FormLine, ...], rows: tuple[UnitConsumption, ...]
) -> tuple[UnitConsumption, ...]:
    """Check unit-consumption rows (R-FORM-6)."""
    if rows and head.business_type not in UNIT_CONSUMPTION_TYPES:
        raise _error(
            f"a type {head.business_type} form has no unit consumption",
            "R-FORM-6",
            "unit_consumptions",
        )
    by_no = {line.line_no: line for line in lines}
    pairs = set()
    for index, row in enumerate(rows):
        field = f"unit_consumptions[{index}]"
        product = by_no.get(row.product_line_no)
        material = by_no.get(row.material_line_no)
        if product is None or product.flag is not MaterialFlag.PRODUCT:
            raise _error(
                f"line {row.product_line_no} is not a product line (flag E) "
                "of this form",
                "R-FORM-6",
                f"{field}.product_line_no",
            )
        if material is None or material.flag is not MaterialFlag.MATERIAL:
            raise _error(
                f"line {row.material_line_no} is not a material line (flag I) "
                "of this form",
                "R-FORM-6",
                f"{field}.material_line_no",
            )
        to_decimal(row.net_consumption, field=f"{field}.net_consumption")
        rate = to_decimal(row.loss_rate, field=f"{field}.loss_rate", positive=False)
        if head.business_type is G and rate != 0:
            raise _error(
                "a type G form requires loss rate 0", "R-FORM-6", f"{field}.loss_rate"
            )
        if head.business_type is B and not Decimal(0) <= rate < 1:
            raise _error(
                "a type B form requires 0 <= loss rate < 1",
                "R-FORM-6",
                f"{field}.loss_rate",
            )
        pair = (row.product_line_no, row.material_line_no)
        if pair in pairs:
            raise _error(f"unit consumption {pair} appears twice", "R-FORM-6", field)
        pairs.add(pair)
    return rows

"""The wire code tables and the domain's enumerations hold the same codes (R-CHK-1)."""

from __future__ import annotations

from enum import StrEnum

import pytest

from aggregates.business_form.rules import BusinessType, MaterialFlag
from aggregates.checklist.model import (
    ChecklistType,
    CustomsFlag,
    DeclarationKind,
    DeclarationType,
    GoodsFlag,
    PostingMark,
    PostingMode,
    TransportMode,
)
from aggregates.common.values import Direction
from aggregates.gate_pass.model import Binding, GatePassType, RelatedKind
from aggregates.ledger.model import AreaType
from schemas import codes

PAIRS: list[tuple[type[StrEnum], type[codes.CodeEnum]]] = [
    (Direction, codes.DirectionCode),
    (ChecklistType, codes.ChecklistTypeCode),
    (GoodsFlag, codes.GoodsFlagCode),
    (CustomsFlag, codes.CustomsFlagCode),
    (DeclarationKind, codes.DeclarationKindCode),
    (DeclarationType, codes.DeclarationTypeCode),
    (PostingMode, codes.PostingModeCode),
    (PostingMark, codes.PostingMarkCode),
    (TransportMode, codes.TransportModeCode),
    (BusinessType, codes.BusinessTypeCode),
    (MaterialFlag, codes.MaterialFlagCode),
    (AreaType, codes.AreaTypeCode),
    (GatePassType, codes.GatePassTypeCode),
    (Binding, codes.BindingCode),
    (RelatedKind, codes.RelatedKindCode),
]


@pytest.mark.parametrize(("domain", "wire"), PAIRS, ids=lambda e: e.__name__)
def test_domain_and_wire_tables_hold_the_same_codes(
    domain: type[StrEnum], wire: type[codes.CodeEnum]
) -> None:
    assert {m.value for m in domain} == {m.value for m in wire}


def test_every_wire_code_has_its_chinese_name() -> None:
    for _, wire in PAIRS:
        for member in wire:
            assert member.label, f"{wire.__name__}.{member.name} has no label"


def test_a_code_prints_with_its_name_or_as_itself() -> None:
    assert codes.label_of(codes.ChecklistTypeCode, "1") == "集报清单"
    assert codes.label_of(codes.SupervisionModeCode, "5034") == "区内物流货物"
    assert codes.label_of(codes.SupervisionModeCode, "9999") == "9999"
    assert codes.GatePassTypeCode("6") is codes.GatePassTypeCode.EMPTY_VEHICLE
    with pytest.raises(ValueError):
        codes.BindingCode("4")

"""The business form (R-FORM-1 … R-FORM-9)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from aggregates.business_form.model import BusinessForm, FormAmendment
from aggregates.business_form.rules import (
    BusinessType,
    FormHead,
    LedgerRef,
    MaterialFlag,
    UnitConsumption,
)
from aggregates.common.errors import (
    InvalidTransitionError,
    UnknownEnterpriseError,
    ValidationError,
)
from aggregates.common.lifecycle import State
from aggregates.common.values import Direction, Enterprise
from aggregates.ledger.model import LedgerFamily
from bonded.bootstrap import Applications
from tests.builders import (
    ZONE_CODE,
    a_form_line,
    a_logistics_ledger_ref,
    an_approved_form,
    an_approved_ledger,
    approve,
    posting_line,
)

ZONE = Enterprise("TEST000001", "91TE00000000000010", "TEST one")
PROCESSING = LedgerRef("TESTE00001", LedgerFamily.PROCESSING_TRADE, "consumption")


def a_head(business_type: str = "H", **changes: object) -> FormHead:
    values: dict[str, object] = {
        "business_type": BusinessType(business_type),
        "direction": Direction.IN,
        "zone_enterprise": ZONE,
        "master_customs_code": "2244",
        "valid_until": date(2030, 12, 31),
    }
    values.update(changes)
    return FormHead(**values)  # type: ignore[arg-type]


def a_form(
    head: FormHead | None = None, lines: tuple = (), rows: tuple = ()
) -> BusinessForm:  # type: ignore[type-arg]
    return BusinessForm.create(
        head or a_head(), "TEST-F1", lines or (a_form_line(1),), rows
    )


def refused_rule(call: object) -> str:
    with pytest.raises(ValidationError) as refused:
        call()  # type: ignore[operator]
    return refused.value.rule


def test_form_approval_collects_the_guarantee_deposit_r_form_1(
    apps: Applications,
) -> None:
    form_id = an_approved_form(apps, deposit="5000")

    form = apps.zone.get_business_form(form_id)

    assert form.state is State.APPROVED
    assert form.deposit == Decimal("5000")
    assert form.deposit_remaining == Decimal("5000")


def test_zone_enterprise_must_be_registered_r_form_2(apps: Applications) -> None:
    with pytest.raises(UnknownEnterpriseError) as refused:
        apps.zone.create_business_form(
            enterprise_doc_no="TEST-F1",
            business_type="H",
            direction="I",
            zone_customs_code="TEST999999",
            master_customs_code="2244",
            valid_until=date(2030, 1, 1),
            lines=(a_form_line(1),),
        )

    assert refused.value.field == "zone_customs_code"


@pytest.mark.parametrize("kind", ["A", "G", "C"])
def test_ledger_flag_is_required_for_a_g_c_r_form_3(kind: str) -> None:
    assert refused_rule(lambda: a_form(a_head(kind, ledger=PROCESSING))) == "R-FORM-3"


@pytest.mark.parametrize("kind", ["B", "D", "E", "F", "H", "Y"])
def test_ledger_flag_is_not_allowed_for_other_types_r_form_3(kind: str) -> None:
    head = a_head(kind, ledger_flag=MaterialFlag.MATERIAL)

    assert refused_rule(lambda: a_form(head)) == "R-FORM-3"


def test_ledger_flag_is_set_to_i_under_a_logistics_ledger_r_form_3() -> None:
    form = a_form(a_head("C", ledger=a_logistics_ledger_ref()))

    assert form.head.ledger_flag is MaterialFlag.MATERIAL


def test_ledger_flag_other_than_i_under_a_logistics_ledger_is_refused_r_form_3() -> (
    None
):
    head = a_head(
        "C", ledger=a_logistics_ledger_ref(), ledger_flag=MaterialFlag.PRODUCT
    )

    assert refused_rule(lambda: a_form(head)) == "R-FORM-3"


def test_processing_trade_ledger_flag_is_entered_by_the_enterprise_r_form_3() -> None:
    head = a_head(
        "C",
        ledger=LedgerRef("TESTE00001", LedgerFamily.PROCESSING_TRADE, "other"),
        ledger_flag=MaterialFlag.PRODUCT,
    )

    assert a_form(head).head.ledger_flag is MaterialFlag.PRODUCT


@pytest.mark.parametrize(
    ("kind", "flag", "allowed"),
    [
        ("B", "I", True),
        ("B", "E", True),
        ("B", "R", True),
        ("G", "I", True),
        ("G", "E", True),
        ("G", "R", False),
        ("H", "I", True),
        ("H", "E", False),
        ("D", "R", False),
    ],
)
def test_line_flags_by_business_type_r_form_4(
    kind: str, flag: str, allowed: bool
) -> None:
    head = (
        a_head(kind, ledger_flag=MaterialFlag.PRODUCT) if kind == "G" else a_head(kind)
    )
    line = a_form_line(1, flag=MaterialFlag(flag))

    if allowed:
        assert a_form(head, (line,)).lines[0].flag is MaterialFlag(flag)
    else:
        assert refused_rule(lambda: a_form(head, (line,))) == "R-FORM-4"


def test_ledger_serial_only_on_a_c_g_lines_with_flag_i_r_form_5() -> None:
    line = a_form_line(1, ledger_serial=1)

    assert refused_rule(lambda: a_form(a_head("H"), (line,))) == "R-FORM-5"


def test_ledger_serial_required_under_consumption_ledger_for_a_and_c_r_form_5() -> None:
    head = a_head("A", ledger=PROCESSING, ledger_flag=MaterialFlag.MATERIAL)

    assert refused_rule(lambda: a_form(head)) == "R-FORM-5"
    assert a_form(head, (a_form_line(1, ledger_serial=3),)).lines[0].ledger_serial == 3


def test_ledger_serial_required_when_leaving_under_a_logistics_ledger_r_form_5() -> (
    None
):
    head = a_head("C", direction=Direction.OUT, ledger=a_logistics_ledger_ref())

    assert refused_rule(lambda: a_form(head)) == "R-FORM-5"


def test_ledger_serial_required_for_g_when_ledger_flag_is_i_r_form_5() -> None:
    head = a_head("G", ledger_flag=MaterialFlag.MATERIAL)

    assert refused_rule(lambda: a_form(head)) == "R-FORM-5"


def test_ledger_serial_fills_goods_from_the_ledger_line_r_form_5(
    apps: Applications,
) -> None:
    ledger_id = an_approved_ledger(apps)
    apps.zone.post_to_ledger(
        ledger_id,
        checklist_no="TESTQD0001",
        direction="I",
        lines=(posting_line("TEST-LEDGER-PART", "50"),),
        posted_on=date(2026, 1, 5),
    )

    outcome = apps.zone.create_business_form(
        enterprise_doc_no="TEST-F1",
        business_type="C",
        direction="E",
        zone_customs_code=ZONE_CODE,
        master_customs_code="2244",
        valid_until=date(2030, 1, 1),
        lines=(a_form_line(1, ledger_serial=1, part_no="TEST-WRONG"),),
        ledger=a_logistics_ledger_ref(),
    )

    [line] = apps.zone.get_business_form(outcome.aggregate_id).lines
    assert line.part_no == "TEST-LEDGER-PART"
    assert line.filled_from_ledger


def test_unknown_ledger_serial_is_refused_r_form_5(apps: Applications) -> None:
    an_approved_ledger(apps)

    with pytest.raises(ValidationError, match="no line with serial 9") as refused:
        apps.zone.create_business_form(
            enterprise_doc_no="TEST-F1",
            business_type="C",
            direction="E",
            zone_customs_code=ZONE_CODE,
            master_customs_code="2244",
            valid_until=date(2030, 1, 1),
            lines=(a_form_line(1, ledger_serial=9),),
            ledger=a_logistics_ledger_ref(),
        )

    assert refused.value.rule == "R-FORM-5"


def test_serial_filled_from_the_ledger_cannot_change_r_form_5() -> None:
    head = a_head("C", direction=Direction.OUT, ledger=a_logistics_ledger_ref())
    form = a_form(head, (a_form_line(1, ledger_serial=1, filled_from_ledger=True),))

    assert (
        refused_rule(lambda: form.modify(head, (a_form_line(1, ledger_serial=2),)))
        == "R-FORM-5"
    )


def test_unit_consumption_pairs_product_and_material_lines_r_form_6() -> None:
    head = a_head("B")
    lines = (a_form_line(1, flag=MaterialFlag.PRODUCT), a_form_line(2))

    form = a_form(head, lines, (UnitConsumption(1, 2, Decimal("2.5"), Decimal("0.1")),))

    assert form.unit_consumptions[0].loss_rate == Decimal("0.1")
    assert (
        refused_rule(
            lambda: a_form(
                head, lines, (UnitConsumption(2, 1, Decimal(1), Decimal(0)),)
            )
        )
        == "R-FORM-6"
    )


@pytest.mark.parametrize(("kind", "rate"), [("G", "0.01"), ("B", "1"), ("B", "-0.1")])
def test_loss_rate_limits_r_form_6(kind: str, rate: str) -> None:
    head = (
        a_head(kind, ledger_flag=MaterialFlag.PRODUCT) if kind == "G" else a_head(kind)
    )
    lines = (a_form_line(1, flag=MaterialFlag.PRODUCT), a_form_line(2))
    row = UnitConsumption(1, 2, Decimal(1), Decimal(rate))

    with pytest.raises(ValidationError):
        a_form(head, lines, (row,))


def test_unit_consumption_only_for_g_and_b_r_form_6() -> None:
    lines = (a_form_line(1), a_form_line(2))

    assert (
        refused_rule(
            lambda: a_form(
                a_head("H"), lines, (UnitConsumption(1, 2, Decimal(1), Decimal(0)),)
            )
        )
        == "R-FORM-6"
    )


def test_declared_form_cannot_be_modified_r_form_7() -> None:
    form = a_form()
    form.declare()

    with pytest.raises(InvalidTransitionError) as refused:
        form.modify(a_head(), (a_form_line(1),))

    assert refused.value.rule == "R-DOC-3"


def test_amendment_adds_lines_after_approval_r_form_8() -> None:
    form = a_form()
    form.declare()
    form.approve("TESTF0001")

    form.declare_amendment(FormAmendment(lines=(a_form_line(2),)))
    form.approve()

    assert [line.line_no for line in form.lines] == [1, 2]
    assert form.amendment_count == 1


def test_amendment_cannot_modify_an_existing_line_r_form_8() -> None:
    form = a_form()
    form.declare()
    form.approve("TESTF0001")

    assert (
        refused_rule(
            lambda: form.declare_amendment(
                FormAmendment(lines=(a_form_line(1, quantity="999"),))
            )
        )
        == "R-FORM-8"
    )


def test_close_out_stops_changes_and_slips_r_form_9() -> None:
    form = a_form()
    form.declare()
    form.approve("TESTF0001")

    form.declare_close_out()
    form.approve()

    assert form.state is State.CLOSED
    with pytest.raises(InvalidTransitionError):
        form.declare_amendment(FormAmendment(lines=(a_form_line(2),)))
    with pytest.raises(InvalidTransitionError) as refused:
        form.claim(form.id, ((1, Decimal(1)),), Decimal(1))
    assert refused.value.rule == "R-FORM-9"


def test_copy_makes_a_new_draft_with_the_same_content(apps: Applications) -> None:
    form_id = an_approved_form(apps)

    outcome = apps.zone.copy_business_form(form_id, enterprise_doc_no="TEST-F2")

    copy = apps.zone.get_business_form(outcome.aggregate_id)
    assert copy.state is State.DRAFT
    assert copy.id != form_id
    assert copy.lines == apps.zone.get_business_form(form_id).lines


def test_business_form_approval_needs_a_declared_form(apps: Applications) -> None:
    outcome = apps.zone.create_business_form(
        enterprise_doc_no="TEST-F1",
        business_type="H",
        direction="I",
        zone_customs_code=ZONE_CODE,
        master_customs_code="2244",
        valid_until=date(2030, 1, 1),
        lines=(a_form_line(1),),
    )

    with pytest.raises(InvalidTransitionError):
        apps.zone.record_decision(
            outcome.aggregate_id, approve("TESTF1"), command_id="c1"
        )

"""Checklists, declarations, posting and consolidation (R-CHK-1 … 8, R-CONS-1 … 5)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest

from aggregates.checklist.model import PostingMark
from aggregates.common.errors import (
    InvalidTransitionError,
    UnknownEnterpriseError,
    ValidationError,
)
from aggregates.common.lifecycle import State
from bonded.bootstrap import Applications
from tests.builders import (
    DECLARED_HEAD,
    a_checklist,
    a_checklist_line,
    a_slip_line,
    an_approved_checklist,
    an_approved_form,
    an_approved_gate_pass,
    an_approved_ledger,
    approve,
    cross,
    posting_line,
)

DAY = date(2026, 12, 3)


def stock(apps: Applications, ledger_id: UUID, part_no: str) -> Decimal:
    return apps.zone.get_ledger(ledger_id).stock_of(part_no)


def released_and_crossed(apps: Applications, checklist_id: UUID, key: str) -> None:
    apps.zone.record_declaration_generated(
        checklist_id, f"E2026{key:0>13}", command_id=f"{key}/gen"
    )
    apps.zone.release_declaration(checklist_id, DAY, command_id=f"{key}/rel")
    direction = str(apps.zone.get_checklist(checklist_id).head.direction)
    gate_pass = an_approved_gate_pass(
        apps,
        f"GP-{key}",
        (checklist_id,),
        direction=direction,
        vehicle_no=f"TEST-V{key}",
    )
    cross(apps, gate_pass)


def test_head_is_filled_in_from_the_ledger_number_r_chk_2(apps: Applications) -> None:
    ledger_id = an_approved_ledger(apps)

    checklist = apps.zone.get_checklist(
        a_checklist(apps, "TEST-C1", "I", (a_checklist_line(1, "TEST-A", "5"),))
    )

    ledger = apps.zone.get_ledger(ledger_id)
    assert checklist.head.ledger_id == ledger_id
    assert checklist.head.operating_enterprise == ledger.head.operating_enterprise
    assert checklist.head.consignee == ledger.head.operating_enterprise


def test_unknown_ledger_number_is_refused_r_chk_2(apps: Applications) -> None:
    with pytest.raises(ValidationError) as refused:
        a_checklist(
            apps, "TEST-C1", "I", (a_checklist_line(1, "TEST-A", "5"),), ledger_no="X"
        )

    assert (refused.value.rule, refused.value.field) == ("R-CHK-2", "ledger_no")


def test_unknown_consignee_code_is_refused_r_doc_7(apps: Applications) -> None:
    an_approved_ledger(apps)

    with pytest.raises(UnknownEnterpriseError):
        a_checklist(
            apps,
            "TEST-C1",
            "I",
            (a_checklist_line(1, "TEST-A", "5"),),
            consignee_customs_code="TEST009999",
        )


def test_ledger_serial_fills_the_goods_and_unknown_parts_are_new_r_chk_3(
    apps: Applications,
) -> None:
    ledger_id = an_approved_ledger(apps)
    apps.zone.post_to_ledger(
        ledger_id,
        checklist_no="TESTQD0000",
        direction="I",
        lines=(posting_line("TEST-A", "5"),),
        posted_on=DAY,
    )

    checklist = apps.zone.get_checklist(
        a_checklist(
            apps,
            "TEST-C1",
            "I",
            (
                a_checklist_line(1, "", "1", name="", hs_code="", ledger_serial=1),
                a_checklist_line(2, "TEST-NEW", "2"),
            ),
        )
    )

    known, new = checklist.lines
    assert (known.part_no, known.name, known.new_part) == (
        "TEST-A",
        "TEST part TEST-A",
        False,
    )
    assert (new.part_no, new.new_part, new.ledger_serial) == ("TEST-NEW", True, None)


def test_export_line_of_a_part_the_ledger_lacks_is_refused_r_chk_3(
    apps: Applications,
) -> None:
    an_approved_ledger(apps)

    with pytest.raises(ValidationError) as refused:
        a_checklist(apps, "TEST-C1", "E", (a_checklist_line(1, "TEST-NEW", "2"),))

    assert refused.value.rule == "R-CHK-3"


def test_wrong_ledger_serial_is_refused_r_chk_3(apps: Applications) -> None:
    an_approved_ledger(apps)

    with pytest.raises(ValidationError) as refused:
        a_checklist(
            apps, "TEST-C1", "I", (a_checklist_line(1, "", "1", ledger_serial=7),)
        )

    assert refused.value.field == "lines[1].ledger_serial"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("checklist_type", "2"),
        ("transport_mode", "Q"),
        ("customs_flag", "3"),
        ("declaration_kind", "9"),
        ("posting_mode", "X"),
        ("supervision_mode", "50"),
        ("country_code", "14"),
    ],
)
def test_code_tables_are_validated_r_chk_1(
    apps: Applications, field: str, value: str
) -> None:
    an_approved_ledger(apps)

    with pytest.raises(ValidationError) as refused:
        a_checklist(
            apps, "TEST-C1", "I", (a_checklist_line(1, "P", "1"),), **{field: value}
        )

    assert refused.value.field == field


@pytest.mark.parametrize("direction", ["", "X"])
def test_a_direction_outside_its_code_table_is_refused_and_stores_nothing_r_chk_1(
    apps: Applications, direction: str
) -> None:
    an_approved_ledger(apps)
    stored = apps.zone.recorder.max_notification_id()

    with pytest.raises(ValidationError) as refused:
        a_checklist(apps, "TEST-C1", direction, (a_checklist_line(1, "P", "1"),))

    assert refused.value.field == "direction"
    assert apps.zone.recorder.max_notification_id() == stored


def test_declaration_fields_depend_on_the_customs_flag_r_chk_5(
    apps: Applications,
) -> None:
    an_approved_ledger(apps)
    line = (a_checklist_line(1, "P", "1"),)

    with pytest.raises(ValidationError) as no_type:
        a_checklist(apps, "TEST-C1", "I", line, declaration_type=None)
    with pytest.raises(ValidationError) as no_kind:
        a_checklist(apps, "TEST-C2", "I", line, declaration_kind=None)
    with pytest.raises(ValidationError) as not_declared:
        a_checklist(apps, "TEST-C3", "I", line, customs_flag="2")

    assert no_type.value.field == "declaration_type"
    assert no_kind.value.field == "declaration_kind"
    assert not_declared.value.field == "generate_declaration"


def test_modify_and_copy_into_a_new_draft_r_chk_1_r_chk_4(apps: Applications) -> None:
    an_approved_ledger(apps)
    source = an_approved_checklist(
        apps, "TEST-C1", "I", (a_checklist_line(1, "P", "1"),)
    )

    copied = apps.zone.copy_checklist(source, enterprise_doc_no="TEST-C2").aggregate_id
    apps.zone.modify_checklist(
        copied,
        lines=(a_checklist_line(1, "P", "3"),),
        transport_mode="5",
        command_id="m",
    )

    copy = apps.zone.get_checklist(copied)
    assert copy.state is State.DRAFT and copy.document_no is None
    assert copy.head.transport_mode == "5"
    assert copy.lines[0].quantity == Decimal(3)
    with pytest.raises(InvalidTransitionError) as refused:
        apps.zone.modify_checklist(source, transport_mode="5", command_id="m2")
    assert refused.value.rule == "R-DOC-3"


def test_approval_books_the_lines_provisionally_on_the_ledger_r_chk_7(
    apps: Applications,
) -> None:
    ledger_id = an_approved_ledger(apps)

    checklist_id = an_approved_checklist(
        apps, "TEST-C1", "I", (a_checklist_line(1, "TEST-A", "5"),)
    )

    ledger = apps.zone.get_ledger(ledger_id)
    assert ledger.booked_of("TEST-A") == (Decimal(5), Decimal(0))
    assert ledger.stock_of("TEST-A") == 0
    checklist = apps.zone.get_checklist(checklist_id)
    assert checklist.posting_mark is PostingMark.PROVISIONAL


def test_declaration_is_generated_once_per_checklist_and_released_r_chk_5_r_chk_6(
    apps: Applications,
) -> None:
    an_approved_ledger(apps)
    checklist_id = an_approved_checklist(
        apps, "TEST-C1", "I", (a_checklist_line(1, "A", "5"),)
    )

    apps.zone.record_declaration_generated(checklist_id, "E2026000001", command_id="g")
    with pytest.raises(ValidationError) as second:
        apps.zone.record_declaration_generated(
            checklist_id, "E2026000002", command_id="g2"
        )
    apps.zone.release_declaration(checklist_id, DAY, command_id="r")

    declaration = apps.zone.get_declaration(checklist_id)
    assert declaration is not None
    assert (declaration.declaration_no, declaration.released_on) == ("E2026000001", DAY)
    assert second.value.rule == "R-CHK-5"
    assert apps.zone.get_checklist(checklist_id).declaration_released


def test_no_declaration_before_approval_r_chk_5(apps: Applications) -> None:
    an_approved_ledger(apps)
    checklist_id = a_checklist(apps, "TEST-C1", "I", (a_checklist_line(1, "A", "5"),))

    with pytest.raises(InvalidTransitionError) as refused:
        apps.zone.record_declaration_generated(checklist_id, "E1", command_id="g")

    assert refused.value.rule == "R-CHK-5"
    assert apps.zone.get_declaration(checklist_id) is None


def test_posting_waits_for_release_and_gate_then_happens_once_r_chk_7(
    apps: Applications,
) -> None:
    ledger_id = an_approved_ledger(apps)
    checklist_id = an_approved_checklist(
        apps, "TEST-C1", "I", (a_checklist_line(1, "A", "5"),)
    )
    apps.zone.record_declaration_generated(checklist_id, "E2026000001", command_id="g")

    with pytest.raises(ValidationError) as early:
        apps.zone.post_checklist(checklist_id, DAY, command_id="p0")
    apps.zone.release_declaration(checklist_id, DAY, command_id="r")
    gate_pass = an_approved_gate_pass(apps, "TEST-GP1", (checklist_id,))
    with pytest.raises(ValidationError) as before_gate:
        apps.zone.post_checklist(checklist_id, DAY, command_id="p1")
    cross(apps, gate_pass)
    apps.zone.post_checklist(checklist_id, DAY, command_id="p2")
    replay = apps.zone.post_checklist(checklist_id, DAY, command_id="p2")
    with pytest.raises(ValidationError) as again:
        apps.zone.post_checklist(checklist_id, DAY, command_id="p3")

    assert early.value.rule == before_gate.value.rule == again.value.rule == "R-CHK-7"
    assert "declaration is not released" in str(early.value)
    assert "crossed the gate" in str(before_gate.value)
    assert replay.replayed
    assert stock(apps, ledger_id, "A") == Decimal(5)
    assert apps.zone.get_ledger(ledger_id).booked_of("A") == (0, 0)
    assert apps.zone.get_checklist(checklist_id).posting_mark is PostingMark.POSTED


def test_checklist_without_declaration_posts_when_its_goods_crossed_r_chk_7(
    apps: Applications,
) -> None:
    ledger_id = an_approved_ledger(apps)
    checklist_id = an_approved_checklist(
        apps, "TEST-C1", "I", (a_checklist_line(1, "A", "5"),), declared=False
    )
    cross(apps, an_approved_gate_pass(apps, "TEST-GP1", (checklist_id,), pass_type="4"))

    apps.zone.post_checklist(checklist_id, DAY, command_id="p")

    assert stock(apps, ledger_id, "A") == Decimal(5)


def test_export_deducts_and_a_shortfall_is_refused_and_reported_r_chk_7_r_ledger_4(
    apps: Applications,
) -> None:
    ledger_id = an_approved_ledger(apps)
    apps.zone.post_to_ledger(
        ledger_id,
        checklist_no="TESTQD0000",
        direction="I",
        lines=(posting_line("A", "5"),),
        posted_on=DAY,
    )
    small = an_approved_checklist(
        apps, "TEST-C1", "E", (a_checklist_line(1, "A", "3"),)
    )
    large = an_approved_checklist(
        apps, "TEST-C2", "E", (a_checklist_line(1, "A", "4"),)
    )
    released_and_crossed(apps, small, "1")
    released_and_crossed(apps, large, "2")

    apps.zone.post_checklist(small, DAY, command_id="p1")
    apps.zone.post_checklist(large, DAY, command_id="p2")

    assert stock(apps, ledger_id, "A") == Decimal(2)
    refused = apps.zone.get_checklist(large)
    assert refused.posted_on is None
    assert (
        refused.posting_refusal is not None and "R-LEDGER-4" in refused.posting_refusal
    )
    assert refused.posting_mark is PostingMark.PROVISIONAL


def test_posting_of_a_new_import_part_files_its_ledger_line_r_chk_3_r_ledger_2(
    apps: Applications,
) -> None:
    ledger_id = an_approved_ledger(apps)
    checklist_id = an_approved_checklist(
        apps, "TEST-C1", "I", (a_checklist_line(1, "TEST-NEW", "9"),)
    )
    released_and_crossed(apps, checklist_id, "1")

    apps.zone.post_checklist(checklist_id, DAY, command_id="p")

    line = apps.zone.get_ledger(ledger_id).lines["TEST-NEW"]
    checklist_no = apps.zone.get_checklist(checklist_id).document_no
    assert (line.serial, line.stock, line.last_checklist_no) == (1, 9, checklist_no)


def test_consolidation_gathers_approved_type_a_slips_into_one_checklist_r_cons_2(
    apps: Applications,
) -> None:
    an_approved_ledger(apps)
    form_id = an_approved_form(apps, business_type="A", ledger_flag="I")
    slips = [approved_slip(apps, form_id, n, "3") for n in (1, 2)]

    checklist_id = consolidate(apps, "TEST-CC1", *slips)

    checklist = apps.zone.get_checklist(checklist_id)
    assert checklist.head.checklist_type == "1"
    assert set(checklist.stock_slip_ids) == {str(s) for s in slips}
    assert [(line.part_no, line.quantity) for line in checklist.lines] == [
        ("TEST-P1", Decimal(6))
    ]
    for slip in slips:
        assert apps.zone.get_stock_slip(slip).consolidated_into == str(checklist_id)


def test_only_approved_type_a_slips_are_consolidated_r_cons_1(
    apps: Applications,
) -> None:
    an_approved_ledger(apps)
    other = approved_slip(apps, an_approved_form(apps, doc_no="TEST-FORM-H"), 1, "1")

    with pytest.raises(ValidationError) as refused:
        consolidate(apps, "TEST-CC1", other)

    assert refused.value.rule in ("R-CONS-1",)


def test_cancelling_before_declaring_frees_the_slips_r_cons_3(
    apps: Applications,
) -> None:
    an_approved_ledger(apps)
    form_id = an_approved_form(apps, business_type="A", ledger_flag="I")
    slip = approved_slip(apps, form_id, 1, "3")
    checklist_id = consolidate(apps, "TEST-CC1", slip)

    apps.zone.delete(checklist_id, confirmed=True, command_id="del")
    again = consolidate(apps, "TEST-CC2", slip)

    assert apps.zone.get_checklist(checklist_id).state is State.DELETED
    assert apps.zone.get_stock_slip(slip).consolidated_into == str(again)


def test_declared_consolidated_checklist_cannot_be_cancelled_r_cons_3(
    apps: Applications,
) -> None:
    an_approved_ledger(apps)
    form_id = an_approved_form(apps, business_type="A", ledger_flag="I")
    checklist_id = consolidate(apps, "TEST-CC1", approved_slip(apps, form_id, 1, "3"))
    apps.zone.declare(checklist_id, command_id="d")

    with pytest.raises(InvalidTransitionError):
        apps.zone.delete(checklist_id, confirmed=True, command_id="del")


def test_enterprise_completes_the_head_but_keeps_the_type_r_cons_4(
    apps: Applications,
) -> None:
    an_approved_ledger(apps)
    form_id = an_approved_form(apps, business_type="A", ledger_flag="I")
    checklist_id = consolidate(apps, "TEST-CC1", approved_slip(apps, form_id, 1, "3"))

    apps.zone.modify_checklist(checklist_id, transport_mode="5", command_id="m")
    with pytest.raises(ValidationError) as refused:
        apps.zone.modify_checklist(checklist_id, checklist_type="0", command_id="m2")
    with pytest.raises(ValidationError) as no_copy:
        apps.zone.copy_checklist(checklist_id, enterprise_doc_no="TEST-CC2")

    assert apps.zone.get_checklist(checklist_id).head.transport_mode == "5"
    assert refused.value.rule == "R-CONS-4"
    assert no_copy.value.rule == "R-CONS-5"


def test_consolidated_checklist_posts_once_its_slips_crossed_r_cons_2_r_chk_7(
    apps: Applications,
) -> None:
    ledger_id = an_approved_ledger(apps)
    form_id = an_approved_form(apps, business_type="A", ledger_flag="I")
    first, second = (approved_slip(apps, form_id, n, "2") for n in (1, 2))
    cross(apps, an_approved_gate_pass(apps, "TEST-GP1", (first,)))
    checklist_id = consolidate(
        apps,
        "TEST-CC1",
        first,
        second,
        generate_declaration=False,
        declaration_type=None,
    )
    apps.zone.declare(checklist_id, command_id="d")
    apps.zone.record_decision(checklist_id, approve("QDTEST000001"), command_id="a")
    with pytest.raises(ValidationError):
        apps.zone.post_checklist(checklist_id, DAY, command_id="p1")

    cross(
        apps, an_approved_gate_pass(apps, "TEST-GP2", (second,), vehicle_no="TEST-V2")
    )
    apps.zone.post_checklist(checklist_id, DAY, command_id="p2")

    assert stock(apps, ledger_id, "TEST-P1") == Decimal(4)


def approved_slip(apps: Applications, form_id: UUID, n: int, quantity: str) -> UUID:
    slip = apps.zone.create_stock_slip(
        enterprise_doc_no=f"TEST-S{form_id.hex[:4]}{n}",
        business_form_id=form_id,
        lines=(a_slip_line(1, 1, quantity, "1"),),
    ).aggregate_id
    apps.zone.declare(slip, command_id=f"{slip}/d")
    apps.zone.record_decision(slip, approve(f"TESTX{n}"), command_id=f"{slip}/a")
    return slip


def consolidate(apps: Applications, doc_no: str, *slips: UUID, **head: object) -> UUID:
    return apps.zone.consolidate_stock_slips(
        enterprise_doc_no=doc_no,
        ledger_no="TESTL000001",
        stock_slip_ids=slips,
        **{**DECLARED_HEAD, **head},
    ).aggregate_id


def test_checklists_of_a_written_off_period_are_marked_r_ledger_6(
    apps: Applications,
) -> None:
    ledger_id = an_approved_ledger(apps)
    checklist_id = an_approved_checklist(
        apps, "TEST-C1", "I", (a_checklist_line(1, "A", "5"),), declared=False
    )
    cross(apps, an_approved_gate_pass(apps, "TEST-GP1", (checklist_id,), pass_type="4"))
    apps.zone.post_checklist(checklist_id, DAY, command_id="p")

    apps.zone.declare_write_off(ledger_id, date(2026, 1, 1), DAY, command_id="w")
    apps.zone.return_write_off_result(ledger_id, True, command_id="r")
    apps.zone.confirm_write_off_result(ledger_id, command_id="c")

    assert apps.zone.get_checklist(checklist_id).posting_mark is PostingMark.WRITTEN_OFF


def test_a_customs_number_names_one_document_of_its_kind_r_doc_2(
    apps: Applications,
) -> None:
    an_approved_ledger(apps)
    first = an_approved_checklist(
        apps, "TEST-C1", "I", (a_checklist_line(1, "A", "5"),)
    )
    second = a_checklist(apps, "TEST-C2", "I", (a_checklist_line(1, "A", "5"),))
    apps.zone.declare(second, command_id="d")
    number = apps.zone.get_checklist(first).document_no
    assert number is not None

    with pytest.raises(ValidationError) as refused:
        apps.zone.record_decision(second, approve(number), command_id="a")

    assert apps.zone.find_by_number("checklist", number) == first
    assert refused.value.field == "document_no"
    assert apps.zone.get_checklist(second).state is State.DECLARED


def test_lines_are_numbered_one_two_in_order_r_doc_1(apps: Applications) -> None:
    an_approved_ledger(apps)

    with pytest.raises(ValidationError) as refused:
        a_checklist(
            apps,
            "TEST-C1",
            "I",
            (a_checklist_line(1, "A", "1"), a_checklist_line(3, "B", "1")),
        )

    assert (refused.value.rule, refused.value.field) == ("R-DOC-1", "lines")


def test_a_required_field_left_empty_is_refused_r_doc_6(apps: Applications) -> None:
    an_approved_ledger(apps)

    with pytest.raises(ValidationError) as refused:
        a_checklist(apps, "TEST-C1", "I", (a_checklist_line(1, "A", "1", name=""),))

    assert (refused.value.rule, refused.value.field) == ("R-DOC-6", "lines[1].name")

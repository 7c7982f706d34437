"""Gate passes, delivery orders and vehicles (R-GATE-1 … 13, R-DLV-1, R-VEH-1 … 3)."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

import pytest

from aggregates.common.errors import (
    ExcessCarriageError,
    InvalidTransitionError,
    ValidationError,
    VehicleBusyError,
)
from aggregates.common.lifecycle import State
from aggregates.delivery_order.model import DeliveryOrderLine
from aggregates.gate_pass.model import GatePassLine, GateStatus
from bonded.bootstrap import Applications
from tests.builders import (
    OTHER_CODE,
    ZONE_CODE,
    a_carried_line,
    a_checklist_line,
    a_gate_pass,
    an_approved_checklist,
    an_approved_gate_pass,
    an_approved_ledger,
    approve,
    cross,
    reject,
)


@pytest.fixture
def checklist(apps: Applications) -> UUID:
    an_approved_ledger(apps)
    return an_approved_checklist(
        apps,
        "TEST-C1",
        "I",
        (a_checklist_line(1, "A", "10"), a_checklist_line(2, "B", "4")),
        declared=False,
    )


def declared(apps: Applications, gate_pass_id: UUID, key: str = "d") -> UUID:
    apps.zone.declare(gate_pass_id, command_id=f"{gate_pass_id}/{key}")
    return gate_pass_id


def registered_goods() -> tuple[GatePassLine, ...]:
    return (GatePassLine(1, "TEST-G", "TEST goods", "007", Decimal(1)),)


def test_binding_2_inserts_the_document_and_takes_no_lines_r_gate_5(
    apps: Applications, checklist: UUID
) -> None:
    gate_pass = apps.zone.get_gate_pass(a_gate_pass(apps, "TEST-GP1", (checklist,)))

    [related] = gate_pass.related
    assert (related.document_id, related.kind) == (checklist, "1")
    assert related.document_no == apps.zone.get_checklist(checklist).document_no
    with pytest.raises(ValidationError) as refused:
        a_gate_pass(apps, "TEST-GP2", (checklist,), lines=(a_carried_line(1, 1, "1"),))
    assert refused.value.rule == "R-GATE-5"


def test_binding_1_takes_several_documents_and_no_goods_lines_r_gate_4(
    apps: Applications, checklist: UUID
) -> None:
    other = an_approved_checklist(
        apps, "TEST-C2", "I", (a_checklist_line(1, "A", "1"),), declared=False
    )

    gate_pass_id = a_gate_pass(apps, "TEST-GP1", (checklist, other), binding="1")
    with pytest.raises(ValidationError) as refused:
        a_gate_pass(apps, "TEST-GP2", (), binding="1")

    assert len(apps.zone.get_gate_pass(gate_pass_id).related) == 2
    assert refused.value.rule == "R-GATE-4"


def test_binding_3_lines_are_filled_from_the_document_r_gate_6(
    apps: Applications, checklist: UUID
) -> None:
    gate_pass = apps.zone.get_gate_pass(
        a_gate_pass(
            apps,
            "TEST-GP1",
            (checklist,),
            binding="3",
            lines=(a_carried_line(1, 2, "3"),),
        )
    )

    [line] = gate_pass.lines
    assert (line.part_no, line.name, line.quantity) == ("B", "TEST part B", 3)
    with pytest.raises(ValidationError) as no_lines:
        a_gate_pass(apps, "TEST-GP2", (checklist,), binding="3")
    assert no_lines.value.rule == "R-GATE-6"


def test_binding_3_never_carries_more_than_the_document_r_gate_6(
    apps: Applications, checklist: UUID
) -> None:
    declared(
        apps,
        a_gate_pass(
            apps,
            "TEST-GP1",
            (checklist,),
            binding="3",
            lines=(a_carried_line(1, 1, "7"),),
        ),
    )
    too_much = a_gate_pass(
        apps,
        "TEST-GP2",
        (checklist,),
        binding="3",
        vehicle_no="TEST-V2",
        lines=(a_carried_line(1, 1, "4"),),
    )

    with pytest.raises(ExcessCarriageError) as refused:
        declared(apps, too_much)

    assert refused.value.rule == "R-GATE-6"
    assert (refused.value.requested, refused.value.available) == (4, 3)
    assert apps.zone.get_gate_pass(too_much).state is State.DRAFT


def test_a_document_carried_whole_takes_no_second_gate_pass_r_gate_6(
    apps: Applications, checklist: UUID
) -> None:
    declared(apps, a_gate_pass(apps, "TEST-GP1", (checklist,)))
    second = a_gate_pass(apps, "TEST-GP2", (checklist,), vehicle_no="TEST-V2")

    with pytest.raises(ValidationError) as refused:
        declared(apps, second)

    assert refused.value.rule == "R-GATE-6"


def test_related_documents_of_another_enterprise_are_refused_r_gate_7(
    apps: Applications, checklist: UUID
) -> None:
    with pytest.raises(ValidationError) as refused:
        apps.zone.create_gate_pass(
            enterprise_doc_no="TEST-GP1",
            zone_customs_code=OTHER_CODE,
            pass_type="3",
            binding="2",
            direction="I",
            vehicle_no="TEST-V1",
            vehicle_weight_kg="8000",
            related_document_ids=(checklist,),
        )

    assert refused.value.rule == "R-GATE-7"


def test_only_approved_documents_going_the_same_way_are_carried_r_gate_2(
    apps: Applications, checklist: UUID
) -> None:
    with pytest.raises(ValidationError) as wrong_way:
        a_gate_pass(apps, "TEST-GP1", (checklist,), direction="E")
    with pytest.raises(ValidationError) as unknown:
        a_gate_pass(
            apps, "TEST-GP2", (apps.zone.get_checklist(checklist).head.ledger_id,)
        )

    assert wrong_way.value.rule == unknown.value.rule == "R-GATE-2"


def test_type_5_has_goods_lines_and_nothing_related_r_gate_8(
    apps: Applications, checklist: UUID
) -> None:
    gate_pass_id = a_gate_pass(
        apps, "TEST-GP1", (), binding=None, pass_type="5", lines=registered_goods()
    )
    with pytest.raises(ValidationError) as with_binding:
        a_gate_pass(
            apps, "TEST-GP2", (), binding="2", pass_type="5", lines=registered_goods()
        )
    with pytest.raises(ValidationError) as with_related:
        a_gate_pass(apps, "TEST-GP3", (checklist,), binding=None, pass_type="5")

    assert apps.zone.get_gate_pass(gate_pass_id).lines == registered_goods()
    assert with_binding.value.rule == with_related.value.rule == "R-GATE-8"


def test_type_6_is_an_empty_vehicle_r_gate_9(apps: Applications) -> None:
    empty = a_gate_pass(apps, "TEST-GP1", (), binding=None, pass_type="6")
    with pytest.raises(ValidationError) as refused:
        a_gate_pass(
            apps, "TEST-GP2", (), binding=None, pass_type="6", lines=registered_goods()
        )

    assert apps.zone.get_gate_pass(empty).lines == ()
    assert refused.value.rule == "R-GATE-9"


def test_a_vehicle_carries_one_active_gate_pass_r_gate_3(apps: Applications) -> None:
    first = declared(
        apps, a_gate_pass(apps, "TEST-GP1", (), binding=None, pass_type="6")
    )
    second = a_gate_pass(apps, "TEST-GP2", (), binding=None, pass_type="6")

    with pytest.raises(VehicleBusyError) as refused:
        declared(apps, second)
    apps.zone.record_decision(first, approve("ZTEST1"), command_id="a1")
    cross(apps, first)
    declared(apps, second, "d2")

    assert refused.value.rule == "R-GATE-3"
    assert apps.zone.get_gate_pass(second).state is State.DECLARED


def test_a_returned_gate_pass_gives_back_vehicle_and_goods_r_gate_3_r_gate_6(
    apps: Applications, checklist: UUID
) -> None:
    first = declared(apps, a_gate_pass(apps, "TEST-GP1", (checklist,)))
    apps.zone.record_decision(first, reject(), command_id="r")

    second = declared(apps, a_gate_pass(apps, "TEST-GP2", (checklist,)))

    assert apps.zone.get_gate_pass(second).state is State.DECLARED


def test_inspection_control_sends_the_vehicle_to_inspection_first_r_gate_10(
    apps: Applications, checklist: UUID
) -> None:
    gate_pass = an_approved_gate_pass(apps, "TEST-GP1", (checklist,))
    apps.zone.place_under_inspection(gate_pass, command_id="ctl")

    with pytest.raises(ValidationError) as refused:
        cross(apps, gate_pass, "c1")
    apps.zone.record_inspection(gate_pass, "TEST ok", command_id="insp")
    cross(apps, gate_pass, "c2")

    assert refused.value.rule == "R-GATE-10"
    assert apps.zone.get_gate_pass(gate_pass).gate_status is GateStatus.CROSSED
    assert apps.zone.get_checklist(checklist).goods_crossed


def test_a_controlled_declaration_controls_its_gate_passes_r_gate_10(
    apps: Applications,
) -> None:
    an_approved_ledger(apps)
    checklist = an_approved_checklist(
        apps, "TEST-C1", "I", (a_checklist_line(1, "A", "1"),)
    )
    apps.zone.record_declaration_generated(checklist, "E2026000001", command_id="g")
    apps.zone.place_declaration_under_inspection(checklist, command_id="ctl")
    gate_pass = an_approved_gate_pass(apps, "TEST-GP1", (checklist,))

    with pytest.raises(ValidationError) as refused:
        cross(apps, gate_pass, "c1")

    assert refused.value.rule == "R-GATE-10"


def test_two_gates_are_crossed_in_turn_r_gate_10(
    apps: Applications, checklist: UUID
) -> None:
    gate_pass = an_approved_gate_pass(apps, "TEST-GP1", (checklist,))

    with pytest.raises(ValidationError) as out_of_turn:
        apps.zone.record_gate_crossing(gate_pass, "second", command_id="c0")
    apps.zone.record_gate_crossing(gate_pass, "first", command_id="c1")
    halfway = apps.zone.get_checklist(checklist).goods_crossed
    apps.zone.record_gate_crossing(gate_pass, "second", command_id="c2")

    assert out_of_turn.value.rule == "R-GATE-10"
    assert not halfway
    assert apps.zone.get_checklist(checklist).goods_crossed


def test_before_approval_the_vehicle_does_not_cross_r_gate_10(
    apps: Applications, checklist: UUID
) -> None:
    gate_pass = declared(apps, a_gate_pass(apps, "TEST-GP1", (checklist,)))

    with pytest.raises(InvalidTransitionError) as refused:
        cross(apps, gate_pass)

    assert refused.value.rule == "R-GATE-10"


def test_void_only_before_crossing_and_it_frees_the_document_r_gate_11(
    apps: Applications, checklist: UUID
) -> None:
    voided = an_approved_gate_pass(apps, "TEST-GP1", (checklist,))
    apps.zone.declare_void(voided, command_id="v")
    apps.zone.record_decision(voided, approve(), command_id="va")
    crossed = an_approved_gate_pass(
        apps, "TEST-GP2", (checklist,), vehicle_no="TEST-V2"
    )
    cross(apps, crossed)

    with pytest.raises(ValidationError) as refused:
        apps.zone.declare_void(crossed, command_id="v2")

    assert apps.zone.get_gate_pass(voided).state is State.VOIDED
    assert refused.value.rule == "R-GATE-11"


def test_gate_passes_per_document_line_r_gate_12_r_slip_6(
    apps: Applications, checklist: UUID
) -> None:
    declared(
        apps,
        a_gate_pass(
            apps,
            "TEST-GP1",
            (checklist,),
            binding="3",
            lines=(a_carried_line(1, 1, "6"),),
        ),
    )
    declared(
        apps,
        a_gate_pass(
            apps,
            "TEST-GP2",
            (checklist,),
            binding="3",
            vehicle_no="TEST-V2",
            lines=(a_carried_line(1, 1, "4"),),
        ),
    )

    first, second = apps.zone.get_checklist(checklist).gate_pass_view()

    assert first.carried == (("TEST-GP1", Decimal(6)), ("TEST-GP2", Decimal(4)))
    assert not second.has_gate_pass


def test_delivery_order_lets_goods_in_on_a_type_1_gate_pass_r_dlv_1(
    apps: Applications,
) -> None:
    order = apps.zone.create_delivery_order(
        enterprise_doc_no="TEST-DO1",
        zone_customs_code=ZONE_CODE,
        ledger_no="TESTL000001",
        bill_of_lading_no="TEST-BL1",
        port_code="2244",
        lines=(DeliveryOrderLine(1, "A", "84713000", "TEST a", "007", Decimal(3)),),
    ).aggregate_id
    with pytest.raises(ValidationError) as before_approval:
        a_gate_pass(apps, "TEST-GP0", (order,), pass_type="1")
    apps.zone.declare(order, command_id="d")
    apps.zone.record_decision(order, approve("TESTDO1"), command_id="a")

    cross(apps, an_approved_gate_pass(apps, "TEST-GP1", (order,), pass_type="1"))
    with pytest.raises(ValidationError) as wrong_type:
        a_gate_pass(apps, "TEST-GP2", (order,), pass_type="3")

    assert before_approval.value.rule == wrong_type.value.rule == "R-GATE-2"
    assert apps.zone.get_delivery_order(order).goods_crossed


def test_vehicle_is_filed_and_amended_only_after_approval_r_veh_1_r_veh_2(
    apps: Applications,
) -> None:
    vehicle_id = apps.zone.file_vehicle(
        enterprise_doc_no="TEST-VEH1",
        owner_customs_code=ZONE_CODE,
        vehicle_no="TEST-V1",
        vehicle_type="1",
        tare_weight_kg="8000",
    ).aggregate_id
    with pytest.raises(InvalidTransitionError) as too_early:
        apps.zone.amend_vehicle(
            vehicle_id, vehicle_type="1", tare_weight_kg="8100", command_id="m0"
        )
    apps.zone.declare(vehicle_id, command_id="d")
    apps.zone.record_decision(vehicle_id, approve("TESTVEH1"), command_id="a")

    apps.zone.amend_vehicle(
        vehicle_id, vehicle_type="1", tare_weight_kg="8100", command_id="m1"
    )
    apps.zone.record_decision(vehicle_id, approve(), command_id="a2")

    vehicle = apps.zone.get_vehicle(vehicle_id)
    assert too_early.value.rule == "R-VEH-2"
    assert (vehicle.state, vehicle.head.tare_weight_kg) == (State.APPROVED, 8100)
    assert vehicle.amendment_count == 1


def test_vehicle_type_and_plate_are_validated_r_veh_1(apps: Applications) -> None:
    with pytest.raises(ValidationError) as bad_type:
        apps.zone.file_vehicle(
            enterprise_doc_no="TEST-VEH1",
            owner_customs_code=ZONE_CODE,
            vehicle_no="TEST-V1",
            vehicle_type="Q",
            tare_weight_kg="8000",
        )
    with pytest.raises(ValidationError) as bad_plate:
        apps.zone.file_vehicle(
            enterprise_doc_no="TEST-VEH1",
            owner_customs_code=ZONE_CODE,
            vehicle_no="A B",
            vehicle_type="1",
            tare_weight_kg="8000",
        )

    assert bad_type.value.field == "vehicle_type"
    assert bad_plate.value.field == "vehicle_no"


def test_draft_gate_pass_delivery_order_and_vehicle_are_modified_r_gate_1(
    apps: Applications, checklist: UUID
) -> None:
    gate_pass = a_gate_pass(apps, "TEST-GP1", (checklist,))
    order = apps.zone.create_delivery_order(
        enterprise_doc_no="TEST-DO1",
        zone_customs_code=ZONE_CODE,
        ledger_no="TESTL000001",
        bill_of_lading_no="TEST-BL1",
        port_code="2244",
        lines=(DeliveryOrderLine(1, "A", "84713000", "TEST a", "007", Decimal(3)),),
    ).aggregate_id
    vehicle = apps.zone.file_vehicle(
        enterprise_doc_no="TEST-VEH1",
        owner_customs_code=ZONE_CODE,
        vehicle_no="TEST-V1",
        vehicle_type="1",
        tare_weight_kg="8000",
    ).aggregate_id

    apps.zone.modify_gate_pass(
        gate_pass,
        pass_type="3",
        binding="3",
        direction="I",
        vehicle_no="TEST-V9",
        vehicle_weight_kg="7000",
        related_document_ids=(checklist,),
        lines=(a_carried_line(1, 1, "2"),),
        command_id="m1",
    )
    apps.zone.modify_delivery_order(
        order,
        bill_of_lading_no="TEST-BL2",
        port_code="2245",
        lines=(DeliveryOrderLine(1, "A", "84713000", "TEST a", "007", Decimal(4)),),
        command_id="m2",
    )
    apps.zone.modify_vehicle(
        vehicle,
        vehicle_no="TEST-V8",
        vehicle_type="3",
        tare_weight_kg="5000",
        command_id="m3",
    )

    modified = apps.zone.get_gate_pass(gate_pass)
    assert (modified.head.binding, modified.head.vehicle_no) == ("3", "TEST-V9")
    assert modified.lines[0].part_no == "A"
    assert apps.zone.get_delivery_order(order).head.bill_of_lading_no == "TEST-BL2"
    assert apps.zone.get_vehicle(vehicle).head.vehicle_no == "TEST-V8"
    declared(apps, gate_pass)
    with pytest.raises(InvalidTransitionError) as refused:
        apps.zone.modify_gate_pass(
            gate_pass,
            pass_type="6",
            binding=None,
            direction="I",
            vehicle_no="TEST-V9",
            vehicle_weight_kg="7000",
            command_id="m4",
        )
    assert refused.value.rule == "R-DOC-3"

"""Gate-pass and posting invariants under any interleaving (hypothesis).

Across any sequence of gate passes declared, returned, approved, voided and
crossed, carried quantities never exceed the document (R-GATE-6), a vehicle holds
one active gate pass (R-GATE-3), a checklist is posted at most once (R-CHK-7), and
ledger stock always equals the sum of what its postings moved (R-LEDGER-4).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aggregates.common.errors import DomainError
from aggregates.common.lifecycle import State
from aggregates.gate_pass.model import GateStatus
from bonded.bootstrap import build_applications
from tests.builders import (
    a_carried_line,
    a_checklist_line,
    a_gate_pass,
    an_approved_checklist,
    an_approved_ledger,
    approve,
    posting_line,
    register_test_enterprises,
    reject,
)

DAY = date(2026, 12, 3)
ACTIONS = st.sampled_from(
    [
        "create",
        "declare",
        "approve",
        "reject",
        "void",
        "approve_void",
        "cross",
        "drive",
        "post",
    ]
)
VEHICLES = ("TEST-V1", "TEST-V2", "TEST-V3")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(ACTIONS, st.integers(0, 5), st.integers(1, 6), st.integers(0, 2)),
        min_size=1,
        max_size=50,
    )
)
def test_carriage_vehicles_and_postings_hold_r_gate_6_r_gate_3_r_chk_7(
    steps: list[tuple[str, int, int, int]],
) -> None:
    apps = build_applications({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    register_test_enterprises(apps)
    zone = apps.zone
    ledger_id = an_approved_ledger(apps)
    zone.post_to_ledger(
        ledger_id,
        checklist_no="TESTQD0000",
        direction="I",
        lines=(posting_line("A", "8"),),
        posted_on=DAY,
    )
    export = an_approved_checklist(
        apps, "TEST-C1", "E", (a_checklist_line(1, "A", "6"),), declared=False
    )
    passes = []
    postings = 0

    for step, (action, index, quantity, vehicle) in enumerate(steps):
        key = f"step{step}"
        try:
            if action == "create":
                passes.append(
                    a_gate_pass(
                        apps,
                        f"TEST-GP{step}",
                        (export,),
                        binding="3",
                        direction="E",
                        vehicle_no=VEHICLES[vehicle],
                        lines=(a_carried_line(1, 1, str(quantity)),),
                    )
                )
                continue
            if action == "post":
                zone.post_checklist(export, DAY, command_id=key)
                postings += 1
                continue
            if not passes:
                continue
            target = passes[index % len(passes)]
            if action == "declare":
                zone.declare(target, command_id=key)
            elif action == "approve":
                zone.record_decision(target, approve(f"ZTEST{step}"), command_id=key)
            elif action == "reject":
                zone.record_decision(target, reject(), command_id=key)
            elif action == "void":
                zone.declare_void(target, command_id=key)
            elif action == "approve_void":
                zone.record_decision(target, approve(), command_id=key)
            elif action == "cross":
                zone.record_gate_crossing(target, "single", command_id=key)
            elif action == "drive":
                # Declared, approved and through in one go: reaches postings often.
                zone.declare(target, command_id=f"{key}/d")
                zone.record_decision(target, approve(f"ZTEST{step}"), command_id=key)
                zone.record_gate_crossing(target, "single", command_id=f"{key}/c")
        except DomainError:
            pass

        checklist = zone.get_checklist(export)
        carried = checklist.carried_quantity(1)
        assert carried <= Decimal(6)
        gate_passes = [zone.get_gate_pass(p) for p in passes]
        active = [
            g for g in gate_passes if g.holds_vehicle and g.state is not State.DRAFT
        ]
        for vehicle_no in VEHICLES:
            assert len([g for g in active if g.head.vehicle_no == vehicle_no]) <= 1
        reserved = sum(
            (
                sum((q for _, q in g.quantities), Decimal(0))
                for g in gate_passes
                if g.holds_vehicle or g.gate_status is GateStatus.CROSSED
            ),
            Decimal(0),
        )
        assert carried == reserved
        stock = zone.get_ledger(ledger_id).stock_of("A")
        assert stock == Decimal(8) - (Decimal(6) if checklist.posted_on else 0)
    assert postings <= 1

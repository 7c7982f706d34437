"""The customs simulator answers through the inbox as customs would (R-FLOW-2)."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator

import pytest

from aggregates.common.lifecycle import State
from aggregates.gate_pass.model import GateStatus
from bonded.bootstrap import Applications, build_applications
from gateway.inbox import ReceiptInbox
from gateway.receipt_log import MemoryReceiptLog
from gateway.simulator import REASONS, CustomsSimulator, SimulatorPolicy
from projections.postgres import ProjectionStore
from streams.rebuild import replay
from tests.builders import (
    a_checklist,
    a_checklist_line,
    a_declared_ledger,
    a_gate_pass,
    register_test_enterprises,
)

pytestmark = pytest.mark.integration
Steps = Callable[[SimulatorPolicy], Callable[[], int]]


@pytest.fixture
def world(
    pg_env: dict[str, str], database_url: str
) -> Iterator[tuple[Applications, Steps]]:
    apps = build_applications(pg_env)
    register_test_enterprises(apps)
    store = ProjectionStore(database_url, schema=pg_env["POSTGRES_SCHEMA"])
    store.create_tables()
    inbox = ReceiptInbox(apps.zone, MemoryReceiptLog())

    def simulator(policy: SimulatorPolicy) -> Callable[[], int]:
        customs = CustomsSimulator(apps.zone, inbox, store, policy)

        def step() -> int:
            replay(store, apps.all())
            return customs.step()

        return step

    try:
        yield apps, simulator
    finally:
        store.close()
        apps.close()


def test_a_checklist_from_declaration_through_two_gates_in_real_formats(
    world: tuple[Applications, Steps],
) -> None:
    apps, simulator = world
    step = simulator(
        SimulatorPolicy(
            reject_rate=0, manual_review_rate=0, double_gate_rate=1, inspection_rate=0
        )
    )
    ledger = a_declared_ledger(apps)
    step()
    ledger_no = apps.zone.get_ledger(ledger).document_no
    assert ledger_no is not None and ledger_no.startswith("T2244W")
    checklist = a_checklist(
        apps, "TEST-C1", "I", (a_checklist_line(1, "A", "5"),), ledger_no=ledger_no
    )
    apps.zone.declare(checklist, command_id="c/declare")

    answered = [step() for _ in range(3)]
    gate_pass = a_gate_pass(apps, "TEST-GP1", (checklist,))
    apps.zone.declare(gate_pass, command_id="g/declare")
    halfway = [step(), step()]
    first_gate = apps.zone.get_gate_pass(gate_pass).gate_status
    step()

    approved = apps.zone.get_checklist(checklist)
    assert approved.state is State.APPROVED
    assert approved.document_no is not None and len(approved.document_no) == 18
    assert approved.document_no.startswith("QD2244")
    assert approved.declaration_no is not None and approved.declaration_released
    assert answered == [1, 1, 1]
    passed = apps.zone.get_gate_pass(gate_pass)
    assert passed.document_no is not None and len(passed.document_no) == 24
    assert halfway == [1, 1] and first_gate is GateStatus.FIRST_GATE_CROSSED
    assert passed.gate_status is GateStatus.CROSSED
    assert apps.zone.get_checklist(checklist).posting_blockers() == []


def test_rejections_carry_a_reason_and_manual_review_comes_first(
    world: tuple[Applications, Steps],
) -> None:
    apps, simulator = world
    ledger = a_declared_ledger(apps)

    simulator(SimulatorPolicy(reject_rate=0, manual_review_rate=1))()
    reviewed = apps.zone.get_ledger(ledger).state
    simulator(SimulatorPolicy(reject_rate=1, manual_review_rate=1))()

    rejected = apps.zone.get_ledger(ledger)
    assert reviewed is State.MANUAL_REVIEW
    assert rejected.state is State.RETURNED
    assert rejected.view_receipt().reason in REASONS


def test_the_seed_decides_each_document_the_same_way_every_run(
    world: tuple[Applications, Steps],
) -> None:
    apps, simulator = world
    ledger = a_declared_ledger(apps)
    document = apps.zone.get_ledger(ledger)
    # The decision is the draw of a generator seeded by seed, id and version.
    draw = random.Random(f"7/{document.id}/{document.version}").random()
    expected = State.RETURNED if draw < 0.5 else State.APPROVED

    simulator(SimulatorPolicy(reject_rate=0.5, manual_review_rate=0, seed=7))()

    assert apps.zone.get_ledger(ledger).state is expected


def test_a_controlled_vehicle_is_inspected_before_it_crosses_r_gate_10(
    world: tuple[Applications, Steps],
) -> None:
    apps, simulator = world
    step = simulator(
        SimulatorPolicy(
            reject_rate=0, manual_review_rate=0, double_gate_rate=0, inspection_rate=1
        )
    )
    ledger = a_declared_ledger(apps)
    step()
    ledger_no = apps.zone.get_ledger(ledger).document_no
    assert ledger_no is not None
    checklist = a_checklist(
        apps,
        "TEST-C1",
        "I",
        (a_checklist_line(1, "A", "5"),),
        ledger_no=ledger_no,
        declared=False,
    )
    apps.zone.declare(checklist, command_id="c/declare")
    step()
    gate_pass = a_gate_pass(apps, "TEST-GP1", (checklist,), pass_type="4")
    apps.zone.declare(gate_pass, command_id="g/declare")

    step()  # approved
    step()  # placed under inspection control
    controlled = apps.zone.get_gate_pass(gate_pass)
    step()  # inspected (SAS224)
    inspected = apps.zone.get_gate_pass(gate_pass)
    step()  # through the gate

    assert controlled.under_inspection and not controlled.inspected
    assert inspected.inspected
    assert apps.zone.get_gate_pass(gate_pass).gate_status is GateStatus.CROSSED

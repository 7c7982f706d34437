"""The stock slip and what it draws from its business form (R-SLIP-1 … R-SLIP-5)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from uuid import UUID

import pytest
from eventsourcing.domain import Snapshot
from eventsourcing.utils import get_topic

from aggregates.business_form.model import BusinessForm, SlipClaim
from aggregates.common.errors import (
    InsufficientDepositError,
    InsufficientQuantityError,
    InvalidTransitionError,
    ValidationError,
)
from aggregates.common.lifecycle import State
from bonded.bootstrap import Applications
from tests.builders import (
    DECLARED_HEAD,
    a_slip_line,
    an_approved_form,
    an_approved_gate_pass,
    an_approved_ledger,
    approve,
    cross,
    reject,
)


def a_slip(
    apps: Applications, form_id: UUID, doc_no: str, *lines: tuple[int, str, str]
) -> UUID:
    slip_lines = tuple(
        a_slip_line(n, form_line, qty, price)
        for n, (form_line, qty, price) in enumerate(lines, 1)
    )
    return apps.zone.create_stock_slip(
        enterprise_doc_no=doc_no, business_form_id=form_id, lines=slip_lines
    ).aggregate_id


def test_slip_goes_draft_declared_approved_r_slip_1(apps: Applications) -> None:
    form_id = an_approved_form(apps)
    slip_id = a_slip(apps, form_id, "TEST-S1", (1, "10", "1"))

    apps.zone.declare(slip_id, command_id="d")
    apps.zone.record_decision(slip_id, approve("TESTX0001"), command_id="a")

    slip = apps.zone.get_stock_slip(slip_id)
    assert slip.state is State.APPROVED
    assert slip.document_no == "TESTX0001"


def test_slip_needs_an_approved_form_r_slip_2(apps: Applications) -> None:
    draft = apps.zone.copy_business_form(
        an_approved_form(apps), enterprise_doc_no="TEST-F2"
    )

    with pytest.raises(ValidationError) as refused:
        a_slip(apps, draft.aggregate_id, "TEST-S1", (1, "1", "1"))

    assert refused.value.rule == "R-SLIP-2"


def test_slip_lines_come_from_the_form_lines_r_slip_2(apps: Applications) -> None:
    form_id = an_approved_form(apps)

    with pytest.raises(ValidationError, match="no line 7") as refused:
        a_slip(apps, form_id, "TEST-S1", (7, "1", "1"))

    assert refused.value.rule == "R-SLIP-2"


def test_slips_together_never_exceed_the_form_line_r_slip_2(apps: Applications) -> None:
    form_id = an_approved_form(apps)  # line 1 holds 100
    first = a_slip(apps, form_id, "TEST-S1", (1, "60", "1"))
    second = a_slip(apps, form_id, "TEST-S2", (1, "41", "1"))
    apps.zone.declare(first, command_id="d1")

    with pytest.raises(InsufficientQuantityError) as refused:
        apps.zone.declare(second, command_id="d2")

    assert refused.value.rule == "R-SLIP-2"
    assert refused.value.available == Decimal("40")
    assert apps.zone.get_stock_slip(second).state is State.DRAFT
    assert apps.zone.get_business_form(form_id).claimed(1) == Decimal("60")


def test_returned_slip_gives_its_quantity_back_r_slip_2(apps: Applications) -> None:
    form_id = an_approved_form(apps)
    slip = a_slip(apps, form_id, "TEST-S1", (1, "60", "1"))
    apps.zone.declare(slip, command_id="d1")

    apps.zone.record_decision(slip, reject(), command_id="r1")

    assert apps.zone.get_business_form(form_id).claimed(1) == Decimal(0)
    assert apps.zone.get_stock_slip(slip).state is State.RETURNED


def test_approval_draws_the_deposit_by_the_slip_amount_r_slip_3(
    apps: Applications,
) -> None:
    form_id = an_approved_form(apps, deposit="1000")
    slip = a_slip(apps, form_id, "TEST-S1", (1, "30", "10"), (2, "5", "20"))
    apps.zone.declare(slip, command_id="d1")

    apps.zone.record_decision(slip, approve("TESTX1"), command_id="a1")

    form = apps.zone.get_business_form(form_id)
    assert form.deposit_drawn == Decimal("400")
    assert form.deposit_remaining == Decimal("600")


def test_slip_above_the_remaining_deposit_is_refused_at_declaration_r_slip_3(
    apps: Applications,
) -> None:
    form_id = an_approved_form(apps, deposit="500")
    first = a_slip(apps, form_id, "TEST-S1", (1, "30", "10"))
    second = a_slip(apps, form_id, "TEST-S2", (2, "30", "10"))
    apps.zone.declare(first, command_id="d1")

    with pytest.raises(InsufficientDepositError) as refused:
        apps.zone.declare(second, command_id="d2")

    assert refused.value.rule == "R-SLIP-3"
    assert refused.value.available == Decimal("200")


def test_void_returns_quantity_and_deposit_r_slip_3(apps: Applications) -> None:
    form_id = an_approved_form(apps, deposit="1000")
    slip = a_slip(apps, form_id, "TEST-S1", (1, "30", "10"))
    apps.zone.declare(slip, command_id="d1")
    apps.zone.record_decision(slip, approve("TESTX1"), command_id="a1")

    apps.zone.declare_void(slip, command_id="v1")
    apps.zone.record_decision(slip, approve(), command_id="va1")

    form = apps.zone.get_business_form(form_id)
    assert apps.zone.get_stock_slip(slip).state is State.VOIDED
    assert form.deposit_remaining == Decimal("1000")
    assert form.claimed(1) == Decimal(0)


def test_only_an_approved_slip_may_be_voided_r_slip_4(apps: Applications) -> None:
    slip = a_slip(apps, an_approved_form(apps), "TEST-S1", (1, "1", "1"))

    with pytest.raises(InvalidTransitionError) as refused:
        apps.zone.declare_void(slip, command_id="v1")

    assert refused.value.rule == "R-SLIP-4"


def consolidate(apps: Applications, doc_no: str, *slip_ids: UUID) -> UUID:
    return apps.zone.consolidate_stock_slips(
        enterprise_doc_no=doc_no,
        ledger_no="TESTL000001",
        stock_slip_ids=slip_ids,
        **DECLARED_HEAD,
    ).aggregate_id


def test_consolidated_or_crossed_slip_cannot_be_voided_r_slip_4(
    apps: Applications,
) -> None:
    an_approved_ledger(apps)
    form_id = an_approved_form(apps, business_type="A", ledger_flag="I")
    slips = []
    for n in (1, 2):
        slip = a_slip(apps, form_id, f"TEST-S{n}", (1, "1", "1"))
        apps.zone.declare(slip, command_id=f"d{n}")
        apps.zone.record_decision(slip, approve(f"TESTX{n}"), command_id=f"a{n}")
        slips.append(slip)
    consolidate(apps, "TEST-CHK-1", slips[0])
    cross(apps, an_approved_gate_pass(apps, "TEST-GP1", (slips[1],)))

    for n, slip in enumerate(slips):
        with pytest.raises(ValidationError) as refused:
            apps.zone.declare_void(slip, command_id=f"v{n}")
        assert refused.value.rule == "R-SLIP-4"


def test_rejected_void_leaves_the_slip_approved_and_drawn_r_slip_4(
    apps: Applications,
) -> None:
    form_id = an_approved_form(apps, deposit="1000")
    slip = a_slip(apps, form_id, "TEST-S1", (1, "10", "10"))
    apps.zone.declare(slip, command_id="d1")
    apps.zone.record_decision(slip, approve("TESTX1"), command_id="a1")
    apps.zone.declare_void(slip, command_id="v1")

    apps.zone.record_decision(slip, reject(), command_id="vr1")

    assert apps.zone.get_stock_slip(slip).state is State.APPROVED
    assert apps.zone.get_business_form(form_id).deposit_drawn == Decimal("100")


def test_type_a_slip_has_a_one_month_consolidation_deadline_r_slip_5(
    apps: Applications,
) -> None:
    form_id = an_approved_form(apps, business_type="A", ledger_flag="I")
    slip_id = a_slip(apps, form_id, "TEST-S1", (1, "1", "1"))
    apps.zone.declare(slip_id, command_id="d1")
    apps.zone.record_decision(slip_id, approve("TESTX1"), command_id="a1")

    slip = apps.zone.get_stock_slip(slip_id)

    assert slip.approved_on is not None
    deadline = slip.consolidation_deadline()
    assert deadline is not None
    assert 28 <= (deadline - slip.approved_on).days <= 31
    assert not slip.is_at_consolidation_risk(slip.approved_on, within_days=7)
    assert slip.is_at_consolidation_risk(deadline - timedelta(days=3), within_days=7)
    an_approved_ledger(apps)
    consolidate(apps, "TEST-CHK-1", slip_id)
    consolidated = apps.zone.get_stock_slip(slip_id)
    assert not consolidated.is_at_consolidation_risk(deadline, within_days=7)


def test_other_types_have_no_consolidation_deadline_r_slip_5(
    apps: Applications,
) -> None:
    slip_id = a_slip(apps, an_approved_form(apps), "TEST-S1", (1, "1", "1"))
    apps.zone.declare(slip_id, command_id="d1")
    apps.zone.record_decision(slip_id, approve("TESTX1"), command_id="a1")

    assert apps.zone.get_stock_slip(slip_id).consolidation_deadline() is None


def test_a_slip_is_consolidated_at_most_once_r_cons_5(apps: Applications) -> None:
    an_approved_ledger(apps)
    form_id = an_approved_form(apps, business_type="A", ledger_flag="I")
    slip_id = a_slip(apps, form_id, "TEST-S1", (1, "1", "1"))
    apps.zone.declare(slip_id, command_id="d1")
    apps.zone.record_decision(slip_id, approve("TESTX1"), command_id="a1")
    consolidate(apps, "TEST-CHK-1", slip_id)

    with pytest.raises(ValidationError) as refused:
        consolidate(apps, "TEST-CHK-2", slip_id)

    assert refused.value.rule == "R-CONS-5"


def test_form_loaded_from_a_snapshot_still_takes_slips_r_slip_2(
    apps: Applications,
) -> None:
    form_id = an_approved_form(apps, deposit="100000")
    for n in range(30):  # two events per slip: past the snapshot interval of 50
        slip = a_slip(apps, form_id, f"TEST-S{n}", (1, "1", "1"))
        apps.zone.declare(slip, command_id=f"d{n}")
        apps.zone.record_decision(slip, approve(f"TESTX{n}"), command_id=f"a{n}")

    assert apps.zone.snapshots is not None
    assert list(apps.zone.snapshots.get(form_id))
    form = apps.zone.get_business_form(form_id)
    assert form.state is State.APPROVED
    assert form.claimed(1) == Decimal(30)
    assert form.deposit_drawn == Decimal(30)


def test_a_version_1_snapshot_of_a_form_reads_back_with_its_totals_r_slip_2_r_slip_3(
    apps: Applications,
) -> None:
    """Forms snapshotted before the claims were packed keep them as objects and
    carry no totals; such a snapshot in the store loads as the same form."""
    form_id = an_approved_form(apps, deposit="1000")
    slips = [
        a_slip(apps, form_id, f"TEST-S{n}", (1, "7", "2"), (2, "3", "5"))
        for n in range(4)
    ]
    for n, slip in enumerate(slips):
        apps.zone.declare(slip, command_id=f"d{n}")
    for n in (0, 1, 2):
        apps.zone.record_decision(slips[n], approve(f"TESTX{n}"), command_id=f"a{n}")
    apps.zone.declare_void(slips[2], command_id="v2")
    apps.zone.record_decision(slips[2], approve("TESTX2"), command_id="av2")
    form = apps.zone.get_business_form(form_id)
    assert len(form.claims) == 3  # two drawn, one reserved, one released

    state = {
        key: value
        for key, value in vars(form).items()
        if key not in ("_id", "_version", "_pending_events")
        and key not in ("claimed_quantities", "deposit_reserved", "deposit_drawn")
    }
    state["claims"] = {
        slip_id: SlipClaim.unpacked(slip_id, packed)
        for slip_id, packed in form.claims.items()
    }
    old = Snapshot(
        originator_id=form.id,
        originator_version=form.version,
        timestamp=Snapshot.create_timestamp(),
        topic=get_topic(BusinessForm),
        state=state,
    )
    assert apps.zone.snapshots is not None
    apps.zone.snapshots.put([old])
    assert "class_version" not in apps.zone.mapper.to_stored_event(old).state.decode()

    again = apps.zone.get_business_form(form_id)
    assert again.claims == form.claims
    assert again.claimed(1) == form.claimed(1) == Decimal(21)
    assert again.claimed(2) == form.claimed(2) == Decimal(9)
    assert again.deposit_drawn == form.deposit_drawn == Decimal(58)
    assert again.deposit_reserved == form.deposit_reserved == Decimal(29)
    assert again.deposit_remaining == Decimal(913)
    # and it goes on taking slips against those totals: 79 of line 1 are left
    last = a_slip(apps, form_id, "TEST-S8", (1, "79", "1"))
    apps.zone.declare(last, command_id="d8")
    over = a_slip(apps, form_id, "TEST-S9", (1, "1", "1"))
    with pytest.raises(InsufficientQuantityError):
        apps.zone.declare(over, command_id="d9")
    assert apps.zone.get_business_form(form_id).deposit_remaining == Decimal(834)

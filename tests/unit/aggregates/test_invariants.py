"""Invariants that hold whatever the order of commands (hypothesis)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from eventsourcing.domain import Snapshot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aggregates.business_form.model import BusinessForm, SlipClaim
from aggregates.common.errors import DomainError
from aggregates.common.lifecycle import State
from aggregates.common.values import Direction
from aggregates.ledger.model import Ledger
from aggregates.zone import Zone
from bonded.bootstrap import build_applications
from tests.builders import (
    a_form_line,
    a_slip_line,
    an_approved_form,
    approve,
    posting_line,
    register_test_enterprises,
    reject,
)
from tests.unit.aggregates.test_lifecycle import a_ledger_in

quantities = st.integers(min_value=1, max_value=60).map(Decimal)
SLIP_ACTIONS = st.sampled_from(
    ["declare", "approve", "reject", "void", "approve_void", "modify"]
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.integers(0, 4), SLIP_ACTIONS, quantities), min_size=1, max_size=40
    ),
    st.integers(min_value=0, max_value=800),
)
def test_slips_within_form_line_and_deposit_never_negative_r_slip_2_r_slip_3(
    steps: list[tuple[int, str, Decimal]], deposit: int
) -> None:
    apps = build_applications({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    register_test_enterprises(apps)
    forms = apps.zone
    form_id = an_approved_form(
        apps,
        lines=(a_form_line(1, quantity="100", unit_price="1"),),
        deposit=str(deposit),
    )
    slips = [
        forms.create_stock_slip(
            enterprise_doc_no=f"TEST-S{n}",
            business_form_id=form_id,
            lines=(a_slip_line(1, 1, "10", "1"),),
        ).aggregate_id
        for n in range(5)
    ]

    for step, (index, action, quantity) in enumerate(steps):
        slip, key = slips[index], f"step-{step}"
        try:
            if action == "declare":
                forms.declare(slip, command_id=key)
            elif action in ("approve", "approve_void"):
                forms.record_decision(slip, approve(f"TESTX{index}"), command_id=key)
            elif action == "reject":
                forms.record_decision(slip, reject(), command_id=key)
            elif action == "void":
                forms.declare_void(slip, command_id=key)
            else:
                forms.modify_stock_slip(
                    slip, (a_slip_line(1, 1, str(quantity), "1"),), command_id=key
                )
        except DomainError:
            pass

        form = forms.get_business_form(form_id)
        holding = [forms.get_stock_slip(s) for s in slips]
        held = sum(
            (
                s.lines[0].quantity
                for s in holding
                if s.state in (State.DECLARED, State.MANUAL_REVIEW, State.APPROVED)
            ),
            Decimal(0),
        )
        assert form.claimed(1) == held
        assert form.claimed(1) <= Decimal(100)
        assert form.deposit_remaining is not None and form.deposit_remaining >= 0
        assert_totals_add_up_and_survive_a_snapshot(forms, form)
    apps.close()


def assert_totals_add_up_and_survive_a_snapshot(
    forms: Zone, form: BusinessForm
) -> None:
    """The form's running totals equal what its claims add up to, and a snapshot
    of it, written and read back, is the same form."""
    claims = [SlipClaim.unpacked(k, v) for k, v in form.claims.items()]
    lines: dict[int, Decimal] = {}
    for claim in claims:
        for line_no, quantity in claim.quantities:
            lines[line_no] = lines.get(line_no, Decimal(0)) + quantity
    assert {n: form.claimed(n) for n in lines} == lines
    assert sum(form.claimed_quantities.values(), Decimal(0)) == sum(lines.values())
    assert form.deposit_drawn == sum((c.amount for c in claims if c.drawn), Decimal(0))
    assert form.deposit_reserved == sum(
        (c.amount for c in claims if not c.drawn), Decimal(0)
    )
    stored = forms.mapper.to_stored_event(Snapshot.take(form))
    again = forms.mapper.to_domain_event(stored).mutate(None)
    assert again.claims == form.claims
    assert again.claimed_quantities == form.claimed_quantities
    assert (again.deposit_drawn, again.deposit_reserved) == (
        form.deposit_drawn,
        form.deposit_reserved,
    )


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["A", "B", "C"]), st.booleans(), quantities),
        max_size=40,
    )
)
def test_ledger_stock_never_negative_and_equals_its_postings_r_ledger_4(
    moves: list[tuple[str, bool, Decimal]],
) -> None:
    ledger = a_ledger_in(State.APPROVED)
    expected: dict[str, Decimal] = {}

    for n, (part, into_zone, quantity) in enumerate(moves):
        direction = Direction.IN if into_zone else Direction.OUT
        try:
            ledger.post(
                f"TESTQD{n:04d}",
                direction,
                (posting_line(part, str(quantity)),),
                date(2026, 1, 5),
            )
        except DomainError:
            assert not into_zone and quantity > expected.get(part, Decimal(0))
            continue
        expected[part] = expected.get(part, Decimal(0)) + (
            quantity if into_zone else -quantity
        )

    replayed = None
    for event in ledger.collect_events():
        replayed = event.mutate(replayed)
    assert isinstance(replayed, Ledger)
    for part, line in replayed.lines.items():
        assert line.stock >= 0
        assert line.stock == expected[part]

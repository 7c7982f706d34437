"""The logistics ledger (R-LEDGER-1 … R-LEDGER-7)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from aggregates.common.errors import (
    InsufficientStockError,
    InvalidTransitionError,
    UnknownEnterpriseError,
    ValidationError,
)
from aggregates.common.lifecycle import State
from aggregates.common.values import Direction, Enterprise
from aggregates.ledger.model import (
    Ledger,
    LedgerAmendment,
    LedgerFamily,
    LineChange,
    WriteOffKind,
)
from bonded.bootstrap import Applications
from tests.builders import ZONE_CODE, posting_line
from tests.unit.aggregates.test_lifecycle import a_head, a_ledger_in


def a_ledger_with(part_no: str = "TEST-P1", stock: str = "10") -> Ledger:
    ledger = a_ledger_in(State.APPROVED)
    ledger.post(
        "TESTQD0000", Direction.IN, (posting_line(part_no, stock),), date(2026, 1, 5)
    )
    ledger.collect_events()
    return ledger


def test_filing_needs_the_operating_enterprise_customs_code_r_ledger_1() -> None:
    head = a_head(operating_enterprise=Enterprise("", "", ""))

    with pytest.raises(ValidationError) as refused:
        Ledger.file(head, "TEST-L1")

    assert refused.value.rule == "R-LEDGER-1"


def test_filing_with_an_unknown_enterprise_is_refused_r_ledger_1(
    apps: Applications,
) -> None:
    with pytest.raises(UnknownEnterpriseError):
        apps.zone.file_ledger(
            enterprise_doc_no="TEST-L9",
            operating_customs_code="TEST999999",
            master_customs_code="2244",
            area_type="Z",
            house_no="H",
            house_name="N",
            house_address="A",
            valid_until=date(2030, 1, 1),
        )


def test_filing_records_the_head_and_no_lines_r_ledger_2() -> None:
    ledger = Ledger.file(a_head(), "TEST-L1")

    [filed] = ledger.collect_events()
    assert isinstance(filed, Ledger.Filed)
    assert ledger.lines == {}


def test_first_posting_files_the_line_automatically_r_ledger_2() -> None:
    ledger = a_ledger_in(State.APPROVED)
    ledger.collect_events()

    ledger.post(
        "TESTQD0001", Direction.IN, (posting_line("TEST-P1", "5"),), date(2026, 1, 5)
    )

    filed, increased = ledger.collect_events()
    assert isinstance(filed, Ledger.LineFiled)
    assert filed.line.serial == 1
    assert isinstance(increased, Ledger.Increased)
    assert ledger.stock_of("TEST-P1") == Decimal("5")


def test_posting_before_approval_is_refused_r_ledger_4() -> None:
    ledger = a_ledger_in(State.DECLARED)

    with pytest.raises(InvalidTransitionError) as refused:
        ledger.post(
            "TESTQD0001",
            Direction.IN,
            (posting_line("TEST-P1", "5"),),
            date(2026, 1, 5),
        )

    assert refused.value.rule == "R-LEDGER-4"


def test_deduct_lowers_the_stock_of_the_part_r_ledger_4() -> None:
    ledger = a_ledger_with(stock="10")

    ledger.post(
        "TESTQD0002", Direction.OUT, (posting_line("TEST-P1", "4"),), date(2026, 2, 1)
    )

    [deducted] = ledger.collect_events()
    assert isinstance(deducted, Ledger.Deducted)
    assert deducted.checklist_no == "TESTQD0002"
    assert ledger.stock_of("TEST-P1") == Decimal("6")


def test_deduct_refuses_more_than_the_stock_r_ledger_4() -> None:
    ledger = a_ledger_with(stock="10")

    with pytest.raises(InsufficientStockError) as refused:
        ledger.post(
            "TESTQD0002",
            Direction.OUT,
            (posting_line("TEST-P1", "6"), posting_line("TEST-P1", "5")),
            date(2026, 2, 1),
        )

    assert refused.value.rule == "R-LEDGER-4"
    assert refused.value.available == Decimal("10")
    assert ledger.pending_events == []
    assert ledger.stock_of("TEST-P1") == Decimal("10")


def test_deduct_of_an_unknown_part_is_refused_r_ledger_4() -> None:
    ledger = a_ledger_with()

    with pytest.raises(InsufficientStockError):
        ledger.post(
            "TESTQD0002",
            Direction.OUT,
            (posting_line("TEST-P9", "1"),),
            date(2026, 2, 1),
        )


def test_a_checklist_is_posted_only_once_r_ledger_4() -> None:
    ledger = a_ledger_with()

    with pytest.raises(ValidationError, match="already posted"):
        ledger.post(
            "TESTQD0000",
            Direction.IN,
            (posting_line("TEST-P1", "1"),),
            date(2026, 2, 1),
        )


def test_amendment_is_possible_only_after_approval_r_ledger_3() -> None:
    ledger = a_ledger_in(State.DRAFT)

    with pytest.raises(InvalidTransitionError) as refused:
        ledger.declare_amendment(LedgerAmendment(a_head()))

    assert refused.value.rule == "R-LEDGER-3"


def test_amendment_changes_hs_code_and_storage_period_of_a_line_r_ledger_3() -> None:
    ledger = a_ledger_with()
    change = LineChange("TEST-P1", hs_code="84714100", storage_period_months=24)

    ledger.declare_amendment(LedgerAmendment(a_head(house_name="TEST new"), (change,)))
    ledger.approve()

    line = ledger.lines["TEST-P1"]
    assert (line.hs_code, line.storage_period_months) == ("84714100", 24)
    assert ledger.head.house_name == "TEST new"
    assert ledger.amendment_count == 1
    assert ledger.state is State.APPROVED


def test_amendment_cannot_add_a_line_r_ledger_3() -> None:
    ledger = a_ledger_with()

    with pytest.raises(ValidationError, match="cannot add lines") as refused:
        ledger.declare_amendment(
            LedgerAmendment(a_head(), (LineChange("TEST-P9", hs_code="84714100"),))
        )

    assert refused.value.rule == "R-LEDGER-3"


def test_rejected_amendment_leaves_the_ledger_as_approved_r_ledger_3() -> None:
    ledger = a_ledger_with()
    ledger.declare_amendment(
        LedgerAmendment(a_head(), (LineChange("TEST-P1", hs_code="84714100"),))
    )

    ledger.reject("TEST no")

    assert ledger.state is State.APPROVED
    assert ledger.lines["TEST-P1"].hs_code == "84713000"


def test_lines_past_or_near_their_storage_period_are_listed_r_ledger_5() -> None:
    ledger = a_ledger_in(State.APPROVED)
    ledger.post(
        "TESTQD0001", Direction.IN, (posting_line("TEST-OLD", "1"),), date(2025, 1, 10)
    )
    ledger.post(
        "TESTQD0002", Direction.IN, (posting_line("TEST-NEW", "1"),), date(2026, 11, 1)
    )

    due = ledger.lines_due(as_of=date(2026, 1, 1), within_days=30)

    assert [line.part_no for line in due] == ["TEST-OLD"]
    assert due[0].storage_due == date(2026, 1, 10)


def test_write_off_normal_declaration_result_and_confirmation_r_ledger_6() -> None:
    ledger = a_ledger_in(State.APPROVED)
    ledger.post(
        "TESTQD0001", Direction.IN, (posting_line("TEST-P1", "3"),), date(2026, 1, 10)
    )
    ledger.post(
        "TESTQD0002", Direction.IN, (posting_line("TEST-P1", "3"),), date(2026, 7, 10)
    )

    ledger.declare_write_off(date(2026, 1, 1), date(2026, 6, 30))
    ledger.return_write_off_result(accepted=True)
    written_off = ledger.confirm_write_off_result()

    assert written_off == ["TESTQD0001"]
    assert isinstance(ledger.collect_events()[-1], Ledger.WrittenOff)
    assert ledger.written_off_until == date(2026, 6, 30)


def test_supplementary_declaration_needs_customs_request_r_ledger_6() -> None:
    ledger = a_ledger_in(State.APPROVED)

    with pytest.raises(ValidationError, match="asked") as refused:
        ledger.declare_write_off(
            date(2026, 1, 1), date(2026, 6, 30), WriteOffKind.SUPPLEMENTARY
        )

    assert refused.value.rule == "R-LEDGER-6"


def test_supplementary_declaration_after_customs_asks_r_ledger_6() -> None:
    ledger = a_ledger_in(State.APPROVED)
    ledger.declare_write_off(date(2026, 1, 1), date(2026, 6, 30))
    ledger.request_supplementary_declaration("TEST explain")

    ledger.declare_write_off(
        date(2026, 1, 1), date(2026, 6, 30), WriteOffKind.SUPPLEMENTARY
    )

    assert ledger.write_off is not None
    assert ledger.write_off.kind is WriteOffKind.SUPPLEMENTARY


def test_posting_into_a_written_off_period_is_refused_r_ledger_6() -> None:
    ledger = a_ledger_in(State.APPROVED)
    ledger.declare_write_off(date(2026, 1, 1), date(2026, 6, 30))
    ledger.return_write_off_result(accepted=True)
    ledger.confirm_write_off_result()

    with pytest.raises(ValidationError) as refused:
        ledger.post(
            "TESTQD0003",
            Direction.IN,
            (posting_line("TEST-P1", "3"),),
            date(2026, 6, 1),
        )

    assert refused.value.rule == "R-LEDGER-6"


def test_unaccepted_result_cannot_be_confirmed_r_ledger_6() -> None:
    ledger = a_ledger_in(State.APPROVED)
    ledger.declare_write_off(date(2026, 1, 1), date(2026, 6, 30))
    ledger.return_write_off_result(accepted=False, note="TEST differences")

    with pytest.raises(ValidationError, match="did not accept"):
        ledger.confirm_write_off_result()


def test_ledger_records_its_family_and_kind_r_ledger_7() -> None:
    ledger = a_ledger_in(State.DRAFT)

    assert ledger.family is LedgerFamily.LOGISTICS
    assert ledger.area_type.value == "Z"


def test_ledger_survives_the_store_with_lines_and_postings(apps: Applications) -> None:
    from tests.builders import an_approved_ledger

    ledger_id = an_approved_ledger(apps)
    apps.zone.post_to_ledger(
        ledger_id,
        checklist_no="TESTQD0001",
        direction="I",
        lines=(posting_line("TEST-P1", "7.12345"),),
        posted_on=date(2026, 1, 5),
    )

    ledger = apps.zone.get_ledger(ledger_id)

    assert ledger.stock_of("TEST-P1") == Decimal("7.12345")
    assert ledger.head.operating_enterprise.customs_code == ZONE_CODE
    assert apps.zone.find_ledger("TESTL000001") is not None
    assert apps.zone.ledger_line("TESTL000001", 1) == ledger.lines["TEST-P1"]


def test_ledger_snapshots_load_to_the_same_state(apps: Applications) -> None:
    from tests.builders import an_approved_ledger

    ledger_id = an_approved_ledger(apps)
    for n in range(120):
        apps.zone.post_to_ledger(
            ledger_id,
            checklist_no=f"TESTQD{n:04d}",
            direction="I",
            lines=(posting_line(f"TEST-P{n % 7}", "1"),),
            posted_on=date(2026, 1, 5),
        )

    assert apps.zone.snapshots is not None
    snapshots = list(apps.zone.snapshots.get(ledger_id))
    from_snapshot = apps.zone.get_ledger(ledger_id)
    replayed = None
    for stored in apps.zone.events.get(ledger_id):
        replayed = stored.mutate(replayed)

    assert snapshots, "a ledger with more events than the interval has a snapshot"
    assert isinstance(replayed, Ledger)
    assert from_snapshot.version == replayed.version
    assert from_snapshot.lines == replayed.lines
    assert from_snapshot.postings == replayed.postings
    assert sum(line.stock for line in from_snapshot.lines.values()) == Decimal(120)

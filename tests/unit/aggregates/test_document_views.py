"""Views every document offers: receipt, quick search, print, copy (R-DOC-9 … 11)."""

from __future__ import annotations

from datetime import date

import pytest

from aggregates.common.errors import NoReceiptError
from aggregates.common.lifecycle import State
from bonded.bootstrap import Applications
from tests.builders import (
    ZONE_CODE,
    a_form_line,
    a_ledger,
    an_approved_form,
    an_approved_ledger,
    approve,
    posting_line,
    reject,
)


def test_view_receipt_is_unavailable_before_a_receipt_r_doc_10(
    apps: Applications,
) -> None:
    outcome_id = a_ledger(apps, "TEST-L9")
    ledger = apps.zone.get_ledger(outcome_id)

    with pytest.raises(NoReceiptError) as refused:
        ledger.view_receipt()

    assert refused.value.rule == "R-DOC-10"


def test_view_receipt_shows_the_latest_receipt_r_doc_10(apps: Applications) -> None:
    outcome_id = a_ledger(apps, "TEST-L9")
    ledger_id = outcome_id
    apps.zone.declare(ledger_id, command_id="d1")
    apps.zone.record_decision(ledger_id, reject("TEST missing licence"), command_id="r")
    returned = apps.zone.get_ledger(ledger_id).view_receipt()
    apps.zone.declare(ledger_id, command_id="d2")
    apps.zone.record_decision(ledger_id, approve("TESTL000009"), command_id="a")

    latest = apps.zone.get_ledger(ledger_id).view_receipt()

    assert (returned.result, returned.reason) == ("rejected", "TEST missing licence")
    assert (latest.result, latest.request, latest.document_no) == (
        "approved",
        "filing",
        "TESTL000009",
    )
    assert latest.received_at > returned.received_at


def test_quick_search_finds_lines_by_serial_part_hs_code_and_name_r_doc_11(
    apps: Applications,
) -> None:
    ledger_id = an_approved_ledger(apps)
    apps.zone.post_to_ledger(
        ledger_id,
        checklist_no="TESTQD0001",
        direction="I",
        lines=(posting_line("TEST-A1", "5"), posting_line("TEST-B2", "7")),
        posted_on=date(2026, 1, 5),
    )
    ledger = apps.zone.get_ledger(ledger_id)

    by_serial = ledger.search_lines("2")
    by_part = ledger.search_lines("test-a")
    by_hs = ledger.search_lines("847130")
    by_name = ledger.search_lines("part TEST-B2")

    assert [line.part_no for line in by_serial] == ["TEST-B2"]
    assert [line.part_no for line in by_part] == ["TEST-A1"]
    assert [line.part_no for line in by_hs] == ["TEST-A1", "TEST-B2"]
    assert [line.part_no for line in by_name] == ["TEST-B2"]
    assert ledger.search_lines("  ") == []
    assert ledger.search_lines("nothing like it") == []


def test_quick_search_on_a_business_form_r_doc_11(apps: Applications) -> None:
    form_id = an_approved_form(
        apps, lines=(a_form_line(1), a_form_line(2, name="TEST bearings"))
    )

    found = apps.zone.get_business_form(form_id).search_lines("BEARING")

    assert [line.line_no for line in found] == [2]


def test_print_view_shows_head_lines_state_and_receipt_r_doc_9(
    apps: Applications,
) -> None:
    form_id = an_approved_form(apps)

    view = apps.zone.get_business_form(form_id).print_view()

    assert view["kind"] == "business form"
    assert view["state"] == "approved"
    assert view["document_no"].startswith("TESTF")
    assert view["head"]["zone_enterprise"]["customs_code"] == ZONE_CODE
    assert [line["line_no"] for line in view["lines"]] == [1, 2]
    assert view["lines"][0]["quantity"] == "100"
    assert view["latest_receipt"]["result"] == "approved"


def test_ledger_copy_is_a_new_draft_with_the_same_head(apps: Applications) -> None:
    ledger_id = an_approved_ledger(apps)

    copied = apps.zone.copy_ledger(ledger_id, enterprise_doc_no="TEST-LEDGER-2")
    again = apps.zone.copy_ledger(ledger_id, enterprise_doc_no="TEST-LEDGER-2")

    copy = apps.zone.get_ledger(copied.aggregate_id)
    assert copy.state is State.DRAFT
    assert copy.head == apps.zone.get_ledger(ledger_id).head
    assert copy.lines == {} and copy.document_no is None
    assert again.replayed and again.aggregate_id == copied.aggregate_id


def test_print_view_tells_declaration_posting_and_gate_status_r_doc_9(
    apps: Applications,
) -> None:
    from tests.scenarios import DAY, import_and_export

    day = import_and_export(apps)

    exported = apps.zone.get_checklist(day.exported).print_view()["status"]
    truck = apps.zone.get_gate_pass(day.trucks[1]).print_view()["status"]
    form = apps.zone.get_business_form(day.form_id).print_view()["status"]
    assert exported == {
        "declaration_no": "E2026000001",
        "declaration_released": True,
        "posted_on": DAY.isoformat(),
        "posting_refusal": None,
    }
    assert truck == {
        "gate_status": "crossed",
        "under_inspection": False,
        "inspected": False,
    }
    assert form["deposit"] == "10000" and form["deposit_drawn"] == "600"
    assert form["deposit_remaining"] == "9400"

"""Every command carries an idempotency key recorded with its events."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from aggregates.common.errors import IdempotencyKeyConflictError
from bonded.bootstrap import Applications
from tests.builders import (
    a_ledger,
    a_slip_line,
    an_approved_form,
    an_approved_ledger,
    posting_line,
)


def _max_notification(apps: Applications) -> int:
    return apps.zone.recorder.max_notification_id() or 0


def test_repeated_command_returns_the_first_outcome_and_changes_nothing(
    apps: Applications,
) -> None:
    form_id = an_approved_form(apps, deposit="1000")
    slip = apps.zone.create_stock_slip(
        enterprise_doc_no="TEST-S1",
        business_form_id=form_id,
        lines=(a_slip_line(1, 1, "10"),),
    )
    first = apps.zone.declare(slip.aggregate_id, command_id="TEST-cmd-1")
    stored = _max_notification(apps)

    again = apps.zone.declare(slip.aggregate_id, command_id="TEST-cmd-1")

    assert again.replayed and not first.replayed
    assert (again.aggregate_id, again.version) == (first.aggregate_id, first.version)
    assert _max_notification(apps) == stored
    assert apps.zone.get_business_form(form_id).claimed(1) == Decimal("10")


def test_creating_with_the_same_enterprise_number_twice_creates_one_document(
    apps: Applications,
) -> None:
    form_id = an_approved_form(apps)
    lines = (a_slip_line(1, 1, "10"),)

    first = apps.zone.create_stock_slip(
        enterprise_doc_no="TEST-S1", business_form_id=form_id, lines=lines
    )
    second = apps.zone.create_stock_slip(
        enterprise_doc_no="TEST-S1", business_form_id=form_id, lines=lines
    )

    assert second.replayed
    assert second.aggregate_id == first.aggregate_id


def test_a_key_reused_for_a_different_command_is_refused(apps: Applications) -> None:
    form_id = an_approved_form(apps)
    apps.zone.create_stock_slip(
        enterprise_doc_no="TEST-S1",
        business_form_id=form_id,
        lines=(a_slip_line(1, 1, "10"),),
    )
    stored = _max_notification(apps)

    with pytest.raises(IdempotencyKeyConflictError):
        apps.zone.create_stock_slip(
            enterprise_doc_no="TEST-S1",
            business_form_id=form_id,
            lines=(a_slip_line(1, 1, "11"),),
        )

    assert _max_notification(apps) == stored


def test_a_posting_repeated_after_a_lost_answer_applies_once(
    apps: Applications,
) -> None:
    ledger_id = an_approved_ledger(apps)
    posting = {
        "checklist_no": "TESTQD0001",
        "direction": "I",
        "lines": (posting_line("TEST-P1", "5"),),
        "posted_on": date(2026, 1, 5),
    }

    apps.zone.post_to_ledger(ledger_id, **posting)  # type: ignore[arg-type]
    apps.zone.post_to_ledger(ledger_id, **posting)  # type: ignore[arg-type]

    assert apps.zone.get_ledger(ledger_id).stock_of("TEST-P1") == Decimal("5")


def test_a_record_kept_with_a_bare_digest_still_answers_its_repeat(
    apps: Applications,
) -> None:
    from aggregates.common.idempotency import CommandRecord, Outcome, fingerprint

    ledger_id = a_ledger(apps, "TEST-OLD-KEY")
    # A command record as kept before fingerprints were prefixed with the name.
    digest = fingerprint("declare", document_id=ledger_id).rpartition(":")[2]
    record = CommandRecord("TEST-OLD-KEY/declare", digest, Outcome(ledger_id, 2), ())
    apps.zone.save(record)

    repeated = apps.zone.declare(ledger_id, command_id="TEST-OLD-KEY/declare")

    assert repeated.replayed
    assert apps.zone.get_ledger(ledger_id).version == 1

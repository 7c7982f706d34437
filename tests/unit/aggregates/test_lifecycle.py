"""The lifecycle every document shares (R-DOC-2 … R-DOC-8), shown on a ledger."""

from __future__ import annotations

from datetime import date

import pytest

from aggregates.common.attachments import AttachmentKind
from aggregates.common.errors import (
    AttachmentError,
    InvalidTransitionError,
    ValidationError,
)
from aggregates.common.lifecycle import State
from aggregates.common.values import Enterprise
from aggregates.ledger.model import AreaType, Ledger, LedgerHead

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def a_head(**changes: object) -> LedgerHead:
    values: dict[str, object] = {
        "operating_enterprise": Enterprise(
            "TEST000001", "91TE00000000000010", "TEST one"
        ),
        "master_customs_code": "2244",
        "area_type": AreaType.COMPREHENSIVE_BONDED_ZONE,
        "house_no": "TEST-H1",
        "house_name": "TEST warehouse",
        "house_address": "TEST road 1",
        "valid_until": date(2030, 12, 31),
    }
    values.update(changes)
    return LedgerHead(**values)  # type: ignore[arg-type]


def a_ledger_in(state: State) -> Ledger:
    ledger = Ledger.file(a_head(), "TEST-L1")
    if state is State.DRAFT:
        return ledger
    ledger.declare()
    if state is State.RETURNED:
        ledger.reject("TEST reason")
    elif state is State.RECEIVE_FAILED:
        ledger.fail_receipt("TEST reason")
    elif state is State.MANUAL_REVIEW:
        ledger.route_to_manual_review("TEST")
    elif state is State.APPROVED:
        ledger.approve("TESTL000001")
    return ledger


@pytest.mark.parametrize("state", [State.DRAFT, State.RETURNED, State.RECEIVE_FAILED])
def test_modify_is_allowed_in_draft_returned_and_receive_failed_r_doc_3(
    state: State,
) -> None:
    ledger = a_ledger_in(state)

    ledger.modify(a_head(house_name="TEST renamed"))

    [modified] = ledger.collect_events()[-1:]
    assert isinstance(modified, Ledger.Modified)
    assert ledger.head.house_name == "TEST renamed"


@pytest.mark.parametrize("state", [State.DECLARED, State.MANUAL_REVIEW, State.APPROVED])
def test_modify_is_refused_once_declared_r_doc_3(state: State) -> None:
    ledger = a_ledger_in(state)
    before = len(ledger.collect_events())

    with pytest.raises(InvalidTransitionError) as refused:
        ledger.modify(a_head(house_name="TEST renamed"))

    assert refused.value.rule == "R-DOC-3"
    assert ledger.pending_events == [] and before > 0


@pytest.mark.parametrize("state", [State.DRAFT, State.RETURNED])
def test_delete_is_allowed_for_draft_and_returned_once_confirmed_r_doc_4(
    state: State,
) -> None:
    ledger = a_ledger_in(state)

    ledger.delete(confirmed=True)

    assert isinstance(ledger.collect_events()[-1], Ledger.Deleted)
    assert ledger.state is State.DELETED


def test_delete_without_confirmation_is_refused_r_doc_4() -> None:
    ledger = a_ledger_in(State.DRAFT)

    with pytest.raises(ValidationError, match="confirmed") as refused:
        ledger.delete(confirmed=False)

    assert refused.value.rule == "R-DOC-4"


@pytest.mark.parametrize(
    "state", [State.RECEIVE_FAILED, State.DECLARED, State.APPROVED]
)
def test_delete_is_refused_in_other_states_r_doc_4(state: State) -> None:
    ledger = a_ledger_in(state)

    with pytest.raises(InvalidTransitionError) as refused:
        ledger.delete(confirmed=True)

    assert refused.value.rule == "R-DOC-4"


def test_declaring_runs_validation_and_changes_nothing_on_failure_r_doc_5() -> None:
    ledger = a_ledger_in(State.DECLARED)
    ledger.collect_events()

    with pytest.raises(InvalidTransitionError):
        ledger.declare()

    assert ledger.state is State.DECLARED
    assert ledger.pending_events == []


def test_customs_decisions_walk_the_states_r_doc_2() -> None:
    ledger = a_ledger_in(State.DRAFT)

    ledger.declare()
    ledger.route_to_manual_review("TEST manual")
    ledger.reject("TEST wrong")
    ledger.modify(a_head(house_no="TEST-H2"))
    ledger.declare()
    ledger.approve("TESTL000001")

    names = [type(e).__name__ for e in ledger.collect_events()]
    assert names == [
        "Filed",
        "Declared",
        "RoutedToManualReview",
        "Rejected",
        "Modified",
        "Declared",
        "Approved",
    ]
    assert ledger.state is State.APPROVED
    assert ledger.document_no == "TESTL000001"


def test_approving_a_filing_needs_the_customs_number_r_doc_2() -> None:
    ledger = a_ledger_in(State.DECLARED)

    with pytest.raises(ValidationError, match="number"):
        ledger.approve(None)


def test_receive_failure_is_only_possible_while_declared_r_doc_2() -> None:
    ledger = a_ledger_in(State.APPROVED)

    with pytest.raises(InvalidTransitionError):
        ledger.fail_receipt("TEST")


def test_unstructured_attachment_must_really_be_a_pdf_r_doc_8() -> None:
    ledger = a_ledger_in(State.DRAFT)

    with pytest.raises(AttachmentError, match="not a PDF") as refused:
        ledger.add_attachment(
            "scan.pdf", AttachmentKind.UNSTRUCTURED, b"GIF89a not a pdf"
        )

    assert refused.value.rule == "R-DOC-8"


def test_pdf_attachment_is_kept_and_downloadable_r_doc_8() -> None:
    ledger = a_ledger_in(State.DRAFT)

    number = ledger.add_attachment("licence.bin", AttachmentKind.UNSTRUCTURED, PDF)

    assert ledger.attachment(number).content == PDF
    assert isinstance(ledger.collect_events()[-1], Ledger.AttachmentAdded)


def test_structured_attachment_need_not_be_a_pdf_r_doc_8() -> None:
    ledger = a_ledger_in(State.DRAFT)

    number = ledger.add_attachment("contract.xml", AttachmentKind.STRUCTURED, b"<a/>")

    assert ledger.attachment(number).size == 4


def test_attachment_names_with_paths_are_refused_r_doc_8() -> None:
    ledger = a_ledger_in(State.DRAFT)

    with pytest.raises(AttachmentError, match="without a path"):
        ledger.add_attachment("../etc/passwd", AttachmentKind.STRUCTURED, b"x")


def test_attachments_cannot_change_once_declared_r_doc_8() -> None:
    ledger = a_ledger_in(State.DRAFT)
    number = ledger.add_attachment("a.pdf", AttachmentKind.UNSTRUCTURED, PDF)
    ledger.declare()

    with pytest.raises(InvalidTransitionError) as refused:
        ledger.remove_attachment(number)

    assert refused.value.rule == "R-DOC-8"


def test_attachment_is_removed_while_modifiable_r_doc_8() -> None:
    ledger = a_ledger_in(State.RETURNED)
    number = ledger.add_attachment("a.pdf", AttachmentKind.UNSTRUCTURED, PDF)

    ledger.remove_attachment(number)

    assert ledger.attachments == []
    assert isinstance(ledger.collect_events()[-1], Ledger.AttachmentRemoved)

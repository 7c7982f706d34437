"""The lifecycle every document shares (R-DOC-1 … R-DOC-8).

A document is a draft (暂存) until declared (申报). Customs then receives it or fails
to (海关接收失败), may route it to manual review (转人工), and returns it (退单) or
approves it (审批通过). After approval some documents take further requests, each
declared and decided the same way: an amendment (变更), a close-out (结案) or a void
(作废). A refused request leaves the approved document as it was.

The lifecycle events are written as event classes here, rather than with the
``@event`` decorator, so that each document class records them under its own name
(``Ledger.Declared``, ``StockSlip.Declared``), which downstream topics rely on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from aggregates.common.attachments import Attachment, AttachmentKind, make_attachment
from aggregates.common.errors import (
    AttachmentError,
    InvalidTransitionError,
    NoReceiptError,
    ValidationError,
)


class State(StrEnum):
    """Data state of a document (R-DOC-2)."""

    DRAFT = "draft"
    DECLARED = "declared"
    RECEIVE_FAILED = "receive_failed"
    MANUAL_REVIEW = "manual_review"
    RETURNED = "returned"
    APPROVED = "approved"
    CLOSED = "closed"
    VOIDED = "voided"
    DELETED = "deleted"


class Request(StrEnum):
    """What a declaration asks customs for (申报类型)."""

    FILING = "filing"
    AMENDMENT = "amendment"
    CLOSE_OUT = "close_out"
    VOID = "void"


@dataclass(frozen=True)
class Receipt:
    """The latest customs receipt on a document, as "view receipt" shows it.

    ``result`` is what customs decided (approved, manual_review, rejected,
    receive_failed), ``request`` what it decided on, ``received_at`` when the
    decision was recorded (ISO 8601, UTC).
    """

    result: str
    request: str
    document_no: str
    reason: str
    received_at: str


# The line fields a quick search looks at (R-DOC-11): numbers match exactly,
# text fields by a case-insensitive substring.
SEARCH_NUMBER_FIELDS = ("serial", "line_no", "ledger_serial", "form_line_no")
SEARCH_TEXT_FIELDS = ("part_no", "hs_code", "name")


def line_matches(line: object, term: str) -> bool:
    """Whether a line matches a quick-search term (R-DOC-11)."""
    needle = term.strip().casefold()
    if not needle:
        return False
    for name in SEARCH_NUMBER_FIELDS:
        value = getattr(line, name, None)
        if value is not None and str(value) == needle:
            return True
    return any(
        needle in str(getattr(line, name, "") or "").casefold()
        for name in SEARCH_TEXT_FIELDS
    )


def _printable(value: Any) -> Any:
    """Turn a value object into plain data for a print view."""
    if is_dataclass(value) and not isinstance(value, type):
        return {key: _printable(item) for key, item in asdict(value).items()}
    if isinstance(value, dict):
        return {str(key): _printable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_printable(item) for item in value]
    if isinstance(value, StrEnum):
        return str(value)
    if isinstance(value, Decimal | date | datetime | UUID):
        return str(value)
    return value


DOCUMENT_NAMESPACE = uuid5(NAMESPACE_URL, "urn:bonded-backbone:document")


def document_id(kind: str, customs_code: str, enterprise_doc_no: str) -> UUID:
    """Derive a document's id from its kind, enterprise and the enterprise's number.

    Customs assigns its own number only after approval; the enterprise's internal
    number (企业内部编号) is known from the start, so a repeated creation lands on
    the same id and changes nothing.
    """
    return uuid5(DOCUMENT_NAMESPACE, f"{kind}/{customs_code}/{enterprise_doc_no}")


MODIFIABLE = (State.DRAFT, State.RETURNED, State.RECEIVE_FAILED)
DELETABLE = (State.DRAFT, State.RETURNED)
AWAITING_CUSTOMS = (State.DECLARED, State.MANUAL_REVIEW)


class Document(Aggregate):
    """Behaviour shared by every document: states, decisions, attachments.

    A subclass calls ``_start_lifecycle()`` first in its creation method, implements
    ``_check_declarable()`` (the validation of R-DOC-5) and, if it takes amendments,
    ``_apply_amendment()``.
    """

    kind: ClassVar[str] = "document"

    def _start_lifecycle(self) -> None:
        # Annotated here, not on the class: eventsourcing would take class
        # annotations for fields of the created event.
        self.state = State.DRAFT
        self.request = None
        self.document_no: str | None = None
        self.attachments: list[Attachment] = []
        self.amendment_count: int = 0
        self.pending_changes: Any = None
        self.decision_reason: str | None = None
        self.approved_on: date | None = None
        self.latest_receipt: Receipt | None = None

    # Snapshots keep attributes as JSON, where an enumeration is a plain string;
    # these properties give the enumeration back whichever way the state was loaded.

    @property
    def state(self) -> State:
        """The data state (R-DOC-2)."""
        return State(self._state)

    @state.setter
    def state(self, value: State) -> None:
        self._state = str(value)

    @property
    def request(self) -> Request | None:
        """The request awaiting customs, if any."""
        return Request(self._request) if self._request else None

    @request.setter
    def request(self, value: Request | None) -> None:
        self._request = str(value) if value else ""

    # Guards shared by the commands of every document.

    def _require(self, command: str, allowed: tuple[State, ...], rule: str) -> None:
        if self.state not in allowed:
            raise InvalidTransitionError(
                command, self.state, rule=rule, allowed=tuple(str(s) for s in allowed)
            )

    def require_modifiable(self, command: str = "modify") -> None:
        """Refuse unless the document is draft, returned or receive-failed (R-DOC-3)."""
        self._require(command, MODIFIABLE, "R-DOC-3")

    def _check_declarable(self) -> None:
        """Run the document's validation rules before declaring (R-DOC-5)."""

    def _apply_amendment(self, changes: Any) -> None:
        """Apply an approved amendment; only documents that take amendments do."""
        raise ValidationError(f"a {self.kind} takes no amendments")

    # Enterprise commands.

    def declare(self) -> None:
        """Declare the document to customs (申报) after its validation rules pass.

        A failure names what to correct and leaves the document as it was (R-DOC-5).
        """
        self.require_modifiable("declare")
        self._check_declarable()
        self.trigger_event(self.Declared, request=Request.FILING, changes=None)

    def _declare_request(self, request: Request, changes: Any, rule: str) -> None:
        """Declare a request on an approved document: amendment, close-out, void."""
        self._require(f"declare a {request}", (State.APPROVED,), rule)
        self.trigger_event(self.Declared, request=request, changes=changes)

    def delete(self, *, confirmed: bool) -> None:
        """Delete a draft or returned document, once the user confirmed (R-DOC-4)."""
        self._require("delete", DELETABLE, "R-DOC-4")
        if not confirmed:
            raise ValidationError(
                "deleting a document must be confirmed", rule="R-DOC-4", field="confirm"
            )
        self.trigger_event(self.Deleted)

    def add_attachment(
        self, file_name: str, kind: AttachmentKind, content: bytes
    ) -> int:
        """Attach a file to a modifiable document; return its number (R-DOC-8)."""
        self._require("add an attachment to", MODIFIABLE, "R-DOC-8")
        number = max((a.attachment_no for a in self.attachments), default=0) + 1
        attachment = make_attachment(number, file_name, kind, content)
        self.trigger_event(self.AttachmentAdded, attachment=attachment)
        return number

    def remove_attachment(self, attachment_no: int) -> None:
        """Delete an attachment while the document is modifiable (R-DOC-8)."""
        self._require("remove an attachment from", MODIFIABLE, "R-DOC-8")
        self.attachment(attachment_no)
        self.trigger_event(self.AttachmentRemoved, attachment_no=attachment_no)

    def attachment(self, attachment_no: int) -> Attachment:
        """Return one attachment for download (R-DOC-8)."""
        for attachment in self.attachments:
            if attachment.attachment_no == attachment_no:
                return attachment
        raise AttachmentError(
            f"{self.kind} has no attachment {attachment_no}",
            rule="R-DOC-8",
            field="attachment_no",
        )

    # Views every document offers: receipt, quick search, print (R-DOC-9 … 11).

    def view_receipt(self) -> Receipt:
        """The latest customs receipt; unavailable before one arrived (R-DOC-10)."""
        if self.latest_receipt is None:
            raise NoReceiptError(self.kind, self.id)
        return self.latest_receipt

    def _searchable_lines(self) -> Iterable[object]:
        lines = getattr(self, "lines", ())
        return lines.values() if isinstance(lines, dict) else lines

    def search_lines(self, term: str) -> list[Any]:
        """Lines whose serial, number, part number, HS code or name match (R-DOC-11).

        Numbers match exactly; part number, HS code and name by a case-insensitive
        part of the text.
        """
        return [line for line in self._searchable_lines() if line_matches(line, term)]

    def print_view(self) -> dict[str, Any]:
        """The document's current content for printing (R-DOC-9): plain data.

        The gateway renders it (HTML or PDF); nothing here knows the layout.
        """
        return {
            "kind": self.kind,
            "id": str(self.id),
            "version": self.version,
            "enterprise_doc_no": getattr(self, "enterprise_doc_no", ""),
            "document_no": self.document_no or "",
            "state": str(self.state),
            "head": _printable(getattr(self, "head", None)),
            "lines": _printable(list(self._searchable_lines())),
            "attachments": [
                {"attachment_no": a.attachment_no, "file_name": a.file_name}
                for a in self.attachments
            ],
            "latest_receipt": _printable(self.latest_receipt),
            "status": self.status_view(),
        }

    def status_view(self) -> dict[str, Any]:
        """What a document adds to its state: posting, gate, deposit (plain data)."""
        return {}

    # Customs decisions: later delivered from real receipts.

    def fail_receipt(self, reason: str) -> None:
        """Record that customs could not receive the declaration (入库失败)."""
        self._require("fail the receipt of", (State.DECLARED,), "R-DOC-2")
        self.trigger_event(self.ReceiveFailed, reason=reason)

    def route_to_manual_review(self, reason: str = "") -> None:
        """Record that customs routed the declaration to manual review (转人工)."""
        self._require("route to manual review", (State.DECLARED,), "R-DOC-2")
        self.trigger_event(self.RoutedToManualReview, reason=reason)

    def reject(self, reason: str) -> None:
        """Record that customs returned the declaration (退单)."""
        self._require("reject", AWAITING_CUSTOMS, "R-DOC-2")
        self.trigger_event(self.Rejected, reason=reason)

    def approve(self, document_no: str | None = None) -> None:
        """Record that customs approved the declared request (审批通过)."""
        self._require("approve", AWAITING_CUSTOMS, "R-DOC-2")
        if self.request is Request.FILING and not (document_no or self.document_no):
            raise ValidationError(
                f"approving a {self.kind} filing needs the number customs assigned",
                rule="R-DOC-2",
                field="document_no",
            )
        self.trigger_event(self.Approved, document_no=document_no)

    # Events.

    class Declared(Aggregate.Event):
        """The document, or a request on it, was declared to customs."""

        request: Request
        changes: Any

        def apply(self, aggregate: Aggregate) -> None:
            """Await customs' decision."""
            assert isinstance(aggregate, Document)
            aggregate.state = State.DECLARED
            aggregate.request = Request(self.request)
            aggregate.pending_changes = self.changes
            aggregate.decision_reason = None

    class ReceiveFailed(Aggregate.Event):
        """Customs could not receive the declaration."""

        reason: str

        def apply(self, aggregate: Aggregate) -> None:
            """Return a filing to the enterprise; drop any other request."""
            assert isinstance(aggregate, Document)
            aggregate._keep_receipt(
                "receive_failed", self.timestamp, reason=self.reason
            )
            aggregate._end_request(State.RECEIVE_FAILED, self.reason)

    class RoutedToManualReview(Aggregate.Event):
        """Customs routed the declaration to manual review."""

        reason: str

        def apply(self, aggregate: Aggregate) -> None:
            """Await a manual decision."""
            assert isinstance(aggregate, Document)
            aggregate._keep_receipt("manual_review", self.timestamp, reason=self.reason)
            aggregate.state = State.MANUAL_REVIEW
            aggregate.decision_reason = self.reason

    class Rejected(Aggregate.Event):
        """Customs returned the declaration."""

        reason: str

        def apply(self, aggregate: Aggregate) -> None:
            """Return a filing to the enterprise; drop any other request."""
            assert isinstance(aggregate, Document)
            aggregate._keep_receipt("rejected", self.timestamp, reason=self.reason)
            aggregate._end_request(State.RETURNED, self.reason)

    class Approved(Aggregate.Event):
        """Customs approved the declared request."""

        document_no: str | None

        def apply(self, aggregate: Aggregate) -> None:
            """Take the request into effect."""
            assert isinstance(aggregate, Document)
            aggregate._keep_receipt(
                "approved", self.timestamp, document_no=self.document_no or ""
            )
            aggregate._take_approval(self.document_no, self.timestamp.date())

    class Deleted(Aggregate.Event):
        """The enterprise deleted the document."""

        def apply(self, aggregate: Aggregate) -> None:
            """Mark the document deleted."""
            assert isinstance(aggregate, Document)
            aggregate.state = State.DELETED

    class AttachmentAdded(Aggregate.Event):
        """An attachment was added."""

        attachment: Attachment

        def apply(self, aggregate: Aggregate) -> None:
            """Keep the attachment."""
            assert isinstance(aggregate, Document)
            aggregate.attachments = [*aggregate.attachments, self.attachment]

    class AttachmentRemoved(Aggregate.Event):
        """An attachment was deleted."""

        attachment_no: int

        def apply(self, aggregate: Aggregate) -> None:
            """Drop the attachment."""
            assert isinstance(aggregate, Document)
            aggregate.attachments = [
                a
                for a in aggregate.attachments
                if a.attachment_no != self.attachment_no
            ]

    def _keep_receipt(
        self, result: str, at: datetime, *, reason: str = "", document_no: str = ""
    ) -> None:
        self.latest_receipt = Receipt(
            result=result,
            request=str(self.request or ""),
            document_no=document_no,
            reason=reason,
            received_at=at.isoformat(),
        )

    def _end_request(self, filing_state: State, reason: str) -> None:
        self.state = filing_state if self.request is Request.FILING else State.APPROVED
        self.request = None
        self.pending_changes = None
        self.decision_reason = reason

    def _take_approval(self, document_no: str | None, approved_on: date) -> None:
        request = self.request
        if document_no:
            self.document_no = document_no
        if request is Request.FILING:
            self.approved_on = approved_on
        if request is Request.AMENDMENT:
            self._apply_amendment(self.pending_changes)
            self.amendment_count += 1
        if request is Request.CLOSE_OUT:
            self.state = State.CLOSED
        elif request is Request.VOID:
            self.state = State.VOIDED
        else:
            self.state = State.APPROVED
        self.request = None
        self.pending_changes = None
        self.decision_reason = None

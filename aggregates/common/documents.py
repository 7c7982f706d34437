"""Commands that every document takes, written once for every application."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from aggregates.common.application import BackboneApplication, Decision
from aggregates.common.attachments import AttachmentKind
from aggregates.common.errors import ValidationError
from aggregates.common.idempotency import Outcome, fingerprint
from aggregates.common.lifecycle import Document, Request
from aggregates.common.numbers import DocumentNumber, number_id
from aggregates.common.values import coded


class DecisionOutcome(StrEnum):
    """What customs decided on a declaration (the receipt's manageResult)."""

    APPROVED = "approved"
    MANUAL_REVIEW = "manual_review"
    REJECTED = "rejected"
    RECEIVE_FAILED = "receive_failed"


@dataclass(frozen=True)
class CustomsDecision:
    """A customs decision on a declared document or request.

    ``document_no`` is the number customs assigned (on approval of a filing);
    ``deposit`` the guarantee deposit collected on a business form, if any.
    """

    outcome: DecisionOutcome
    document_no: str = ""
    reason: str = ""
    deposit: str = ""


class DocumentApplication(BackboneApplication):
    """An application of documents: declare, decide, delete, attach, for all kinds.

    Subclasses name their document classes and add what a kind needs on top:
    ``_on_declare`` and ``_on_decision`` return the other aggregates a declaration
    or a decision changes, which are saved in the same transaction.
    """

    document_classes: ClassVar[tuple[type[Document], ...]] = ()
    value_objects: ClassVar[tuple[type[Any], ...]] = (CustomsDecision,)

    def get_document(self, document_id: UUID) -> Document:
        """Return a document of this application."""
        return self._load(Document, document_id)

    def _act(
        self,
        document_id: UUID,
        command_id: str,
        command: str,
        act: Callable[[Document], tuple[Aggregate, ...] | None],
        *,
        expected: type[Document] | None = None,
        **fields: Any,
    ) -> Outcome:
        """Run a command on a document; ``act`` returns other aggregates it changed.

        ``expected``: the class ``act`` takes (it refuses another itself).
        """
        if not command_id:
            raise ValidationError(
                "a command id (idempotency key) is required", field="command_id"
            )

        def decide() -> Decision:
            document = self._load(Document, document_id, expected=expected)
            others = act(document) or ()
            return (document, *others), document

        return self._execute(
            command_id, fingerprint(command, document_id=document_id, **fields), decide
        )

    def declare_void(self, document_id: UUID, *, command_id: str) -> Outcome:
        """Ask customs to void an approved document that takes voids (作废)."""

        def act(document: Document) -> None:
            void = getattr(document, "declare_void", None)
            if void is None:
                raise ValidationError(
                    f"a {document.kind} cannot be voided", field="document_id"
                )
            void()

        return self._act(document_id, command_id, "declare_void", act)

    def declare(self, document_id: UUID, *, command_id: str) -> Outcome:
        """Declare a document to customs after its validation rules (R-DOC-5)."""

        def act(document: Document) -> tuple[Aggregate, ...]:
            others = self._on_declare(document)
            document.declare()
            return others

        return self._act(document_id, command_id, "declare", act)

    def record_decision(
        self, document_id: UUID, decision: CustomsDecision, *, command_id: str
    ) -> Outcome:
        """Record customs' decision on the document's pending declaration (R-DOC-2)."""

        def act(document: Document) -> tuple[Aggregate, ...]:
            request = document.request
            if decision.outcome is DecisionOutcome.APPROVED:
                document.approve(decision.document_no or None)
            elif decision.outcome is DecisionOutcome.MANUAL_REVIEW:
                document.route_to_manual_review(decision.reason)
            elif decision.outcome is DecisionOutcome.REJECTED:
                document.reject(decision.reason)
            else:
                document.fail_receipt(decision.reason)
            others = self._on_decision(document, decision, request)
            if (
                decision.outcome is DecisionOutcome.APPROVED
                and request is Request.FILING
                and decision.document_no
            ):
                others = (*others, *self._index_number(document, decision.document_no))
            return others

        return self._act(
            document_id, command_id, "record_decision", act, decision=decision
        )

    def delete(self, document_id: UUID, *, confirmed: bool, command_id: str) -> Outcome:
        """Delete a draft or returned document, once confirmed (R-DOC-4)."""

        def act(document: Document) -> tuple[Aggregate, ...]:
            document.delete(confirmed=confirmed)
            return self._on_delete(document)

        return self._act(document_id, command_id, "delete", act, confirmed=confirmed)

    def add_attachment(
        self,
        document_id: UUID,
        *,
        file_name: str,
        kind: AttachmentKind | str,
        content: bytes,
        command_id: str,
    ) -> Outcome:
        """Attach a file to a modifiable document (R-DOC-8)."""
        attachment_kind = coded(AttachmentKind, kind, field="kind")

        def act(document: Document) -> None:
            document.add_attachment(file_name, attachment_kind, content)

        return self._act(
            document_id,
            command_id,
            "add_attachment",
            act,
            file_name=file_name,
            kind=str(kind),
            sha256=hashlib.sha256(content).hexdigest(),
        )

    def remove_attachment(
        self, document_id: UUID, attachment_no: int, *, command_id: str
    ) -> Outcome:
        """Delete an attachment of a modifiable document (R-DOC-8)."""
        return self._act(
            document_id,
            command_id,
            "remove_attachment",
            lambda document: document.remove_attachment(attachment_no),
            attachment_no=attachment_no,
        )

    def record_pre_entry_no(
        self, document_id: UUID, pre_entry_no: str, *, command_id: str
    ) -> Outcome:
        """Remember the 18-digit pre-entry number the single window assigned.

        Receipts name a document by it before customs assigns its own number.
        """
        if not (len(pre_entry_no) == 18 and pre_entry_no.isdigit()):
            raise ValidationError(
                f"pre-entry number must be 18 digits, got {pre_entry_no!r}",
                field="pre_entry_no",
            )

        def act(document: Document) -> tuple[Aggregate, ...]:
            kind = f"{document.kind}/pre-entry"
            holder = self.find_by_number(kind, pre_entry_no)
            if holder == document.id:
                return ()
            if holder is not None:
                raise ValidationError(
                    f"pre-entry number {pre_entry_no} already names another "
                    f"{document.kind}",
                    field="pre_entry_no",
                )
            return (DocumentNumber(kind, pre_entry_no, document.id),)

        return self._act(
            document_id, command_id, "record_pre_entry_no", act, number=pre_entry_no
        )

    def find_by_number(self, kind: str, number: str) -> UUID | None:
        """The id of the document of this kind with this customs number, if any."""
        try:
            entry = self._get_unsnapshotted(number_id(kind, number))
        except AggregateNotFoundError:
            return None
        assert isinstance(entry, DocumentNumber)
        return entry.document_id

    def _index_number(self, document: Document, number: str) -> tuple[Aggregate, ...]:
        """Index the number customs assigned, refusing one another document has."""
        holder = self.find_by_number(document.kind, number)
        if holder == document.id:
            return ()
        if holder is not None:
            raise ValidationError(
                f"customs number {number} already names another {document.kind}",
                rule="R-DOC-2",
                field="document_no",
            )
        return (DocumentNumber(document.kind, number, document.id),)

    def _on_declare(self, document: Document) -> tuple[Aggregate, ...]:
        """Change the other aggregates a declaration of this document changes."""
        return ()

    def _on_delete(self, document: Document) -> tuple[Aggregate, ...]:
        """Change the other aggregates a deletion of this document changes."""
        return ()

    def _on_decision(
        self, document: Document, decision: CustomsDecision, request: Request | None
    ) -> tuple[Aggregate, ...]:
        """Change what else a decision on ``request`` changes (after the document)."""
        return ()

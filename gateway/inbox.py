"""The receipt inbox: customs receipts kept, deduplicated, correlated and applied.

A receipt is kept raw once per message id; a repeat is answered as a duplicate and
changes nothing. It is correlated with its document by the customs number it
names, or by the pre-entry number the single window assigned, or by the
enterprise's own number; a receipt whose document is not known yet is parked and
applied when a later receipt makes its document known. It is then applied as a
command whose idempotency key is the message id. The documents' state machines
decide precedence: a receipt that would move a document backwards (a manual-review
after an approval, a late rejection, a resent decision for a request long
answered) is refused by the document and kept as ignored, with the reason.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from aggregates.common.documents import CustomsDecision, DecisionOutcome
from aggregates.common.errors import DocumentNotFoundError
from aggregates.common.lifecycle import Document, Request, document_id
from aggregates.zone import Zone
from bonded.errors import DomainError, MessageError
from gateway.customs.pockets import assemble
from gateway.customs.receipts import read_receipt
from gateway.metrics import RECEIPTS, RECONCILIATION_FINDINGS
from gateway.receipt_log import ReceiptLog
from schemas.customs import (
    ApprovalResult,
    ChecklistReceipt,
    DeclarationReceipt,
    DocumentReceipt,
    GatePassReceipt,
    ImportAcknowledgement,
    PostingReceipt,
    Receipt,
)

# manageResult → what customs decided. Y (stored at customs) decides nothing yet.
DECISIONS = {
    "1": DecisionOutcome.APPROVED,
    "4": DecisionOutcome.APPROVED,  # INV201: approved and provisionally deducted
    "5": DecisionOutcome.APPROVED,  # INV201: approved, not deducted
    "2": DecisionOutcome.MANUAL_REVIEW,
    "3": DecisionOutcome.REJECTED,
    "Z": DecisionOutcome.RECEIVE_FAILED,
}
# typecd of a receipt → the request it answers (1 filing, 2 amendment, 3 void or
# close-out); empty on gate events.
REQUESTS = {
    "1": (Request.FILING,),
    "2": (Request.AMENDMENT,),
    "3": (Request.VOID, Request.CLOSE_OUT),
}
# SAS223 stucd → which gate the vehicle passed.
GATE_STAGES = {"2": "single", "3": "first", "4": "second"}

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class InboxOutcome:
    """What became of a receipt."""

    message_id: str
    message_type: str
    status: str
    document_id: UUID | None = None
    detail: str = ""


class ReceiptInbox:
    """Apply customs receipts to the zone's documents, each exactly once."""

    def __init__(self, zone: Zone, log: ReceiptLog) -> None:
        self.zone = zone
        self.log = log

    def receive(self, raw: bytes) -> InboxOutcome:
        """Keep, correlate and apply one receipt; refuse one that cannot be read."""
        receipt = read_receipt(raw)
        message_id, message_type = identity(receipt)
        if not self.log.add(message_id, message_type, raw):
            kept = self.log.get(message_id)
            if kept is None or kept.status != "received":
                RECEIPTS.labels(message_type, "duplicate").inc()
                logger.warning(
                    "duplicate receipt skipped",
                    extra={"message_id": message_id, "message_type": message_type},
                )
                return InboxOutcome(
                    message_id,
                    message_type,
                    "duplicate",
                    kept.document_id if kept else None,
                    f"already {kept.status if kept else 'kept'}",
                )
            # Kept before, never handled: the process that kept it stopped (or
            # lost its database) before handling it. Handle it now; the
            # commands it causes are keyed by its message id.
            logger.warning(
                "receipt kept but not handled before; handling it now",
                extra={"message_id": message_id, "message_type": message_type},
            )
        return self._handle(message_id, message_type, receipt)

    def recover(self) -> int:
        """Handle the receipts kept but never handled; return how many.

        Run at start: a gateway or collector that stopped between keeping a
        receipt and handling it leaves it so, and customs may never resend it.
        """
        found = self.log.unhandled()
        for kept in found:
            try:
                self._handle(kept.message_id, kept.message_type, read_receipt(kept.raw))
            except (MessageError, DomainError, ValueError) as unusable:
                # One receipt that cannot be handled must not stop the start.
                self.log.mark(kept.message_id, "failed", str(unusable)[:500])
                logger.warning(
                    "receipt left unhandled could not be handled",
                    extra={"message_id": kept.message_id, "error": str(unusable)},
                )
        return len(found)

    def _handle(
        self, message_id: str, message_type: str, receipt: Receipt
    ) -> InboxOutcome:
        pocket = getattr(receipt, "pocket", None)
        if pocket is not None and pocket.total > 1 and pocket.pocket_id:
            outcome = self._gather(message_id, message_type, pocket)
        else:
            outcome = self._process(message_id, message_type, receipt)
        RECEIPTS.labels(message_type, outcome.status).inc()
        extra = {
            "message_id": message_id,
            "message_type": message_type,
            "status": outcome.status,
            "aggregate_id": str(outcome.document_id or ""),
            "detail": outcome.detail,
        }
        if outcome.status == "ignored":
            # A late or repeated answer the document's state has gone past.
            logger.warning("receipt ignored", extra=extra)
        else:
            logger.debug("receipt handled", extra=extra)
        return outcome

    def _gather(self, message_id: str, message_type: str, pocket: Any) -> InboxOutcome:
        """Keep a pocket; once all are there, apply the receipt they make up.

        The assembled receipt is kept under the pocket id as its message id, so
        two gateways receiving the last pockets at once apply it once.
        """
        key = f"pocket:{pocket.pocket_id}"
        self.log.mark(
            message_id,
            "parked",
            f"pocket {pocket.current} of {pocket.total}",
            keys=(key,),
        )
        parts = {}
        for kept in self.log.parked((key,)):
            part = read_receipt(kept.raw)
            parts[part.pocket.current] = kept
        missing = sorted(set(range(1, pocket.total + 1)) - set(parts))
        if missing:
            return InboxOutcome(
                message_id,
                message_type,
                "parked",
                None,
                f"pocket {pocket.current} of {pocket.total}; waiting for {missing}",
            )
        whole = assemble([parts[n].raw for n in range(1, pocket.total + 1)])
        # The whole is kept before its parts stop being parked: a crash between
        # the two leaves parts that a resend or ``recover`` puts together again.
        fresh = self.log.add(pocket.pocket_id, message_type, whole)
        for kept in parts.values():
            self.log.mark(kept.message_id, "assembled", f"into {pocket.pocket_id}")
        if not fresh:
            kept_whole = self.log.get(pocket.pocket_id)
            if kept_whole is None or kept_whole.status != "received":
                return InboxOutcome(
                    message_id, message_type, "duplicate", None, "already assembled"
                )
        return self._process(pocket.pocket_id, message_type, read_receipt(whole))

    def remember_outbound(self, enterprise_doc_no: str, document_id: UUID) -> None:
        """Record a document sent to customs; apply an acknowledgement that waited."""
        self.log.remember_outbound(enterprise_doc_no, document_id)
        for parked in self.log.parked((f"ack:{enterprise_doc_no}",)):
            self._process(
                parked.message_id, parked.message_type, read_receipt(parked.raw)
            )

    def _process(
        self, message_id: str, message_type: str, receipt: Receipt
    ) -> InboxOutcome:
        target, keys = self._correlate(receipt)
        if target is None:
            self.log.mark(message_id, "parked", "document not known yet", keys=keys)
            return InboxOutcome(
                message_id, message_type, "parked", None, "document not known yet"
            )
        try:
            detail = self._apply(receipt, target, f"receipt/{message_id}")
        except DomainError as refused:
            self.log.mark(message_id, "ignored", str(refused), target)
            return InboxOutcome(
                message_id, message_type, "ignored", target, str(refused)
            )
        self.log.mark(message_id, "applied", detail, target)
        self._unpark(target)
        return InboxOutcome(message_id, message_type, "applied", target, detail)

    # Correlation: which document a receipt is about.

    def _correlate(self, receipt: Receipt) -> tuple[UUID | None, tuple[str, ...]]:
        if isinstance(receipt, ImportAcknowledgement):
            own = receipt.enterprise_doc_no or ""
            return self.log.outbound(own), (f"ack:{own}",)
        kind, numbers, pre_entry, enterprise = references(receipt)
        keys = tuple(
            [f"{kind}:{n}" for n in numbers if n]
            + ([f"{kind}/pre-entry:{pre_entry}"] if pre_entry else [])
        )
        for number in numbers:
            if number and (found := self.zone.find_by_number(kind, number)):
                return found, keys
        if pre_entry and (
            found := self.zone.find_by_number(f"{kind}/pre-entry", pre_entry)
        ):
            return found, keys
        if enterprise is not None:
            candidate = document_id(*enterprise)
            try:
                self.zone.get_document(candidate)
            except DocumentNotFoundError:
                return None, keys
            return candidate, keys
        return None, keys

    def _unpark(self, target: UUID) -> None:
        """Apply receipts that waited for this document's numbers."""
        document = self.zone.get_document(target)
        kind = document.kind
        keys = [f"{kind}:{document.document_no}"] if document.document_no else []
        for parked in self.log.parked(tuple(keys) or ("",)):
            self._process(
                parked.message_id, parked.message_type, read_receipt(parked.raw)
            )

    # Application: the command each receipt calls for.

    def _apply(self, receipt: Receipt, target: UUID, key: str) -> str:
        if isinstance(receipt, ImportAcknowledgement):
            return self._acknowledge(receipt, target, key)
        if isinstance(receipt, PostingReceipt):
            figures = tuple((line.part_no, line.stock) for line in receipt.lines)
            self.zone.reconcile_posting(target, figures, command_id=key)
            checklist = self.zone.get_checklist(target)
            ledger = self.zone.get_ledger(checklist.head.ledger_id)
            RECONCILIATION_FINDINGS.inc(ledger.open_findings)
            return (
                f"customs' figures of {len(figures)} ledger lines compared; "
                f"{ledger.open_findings} differ"
            )
        if isinstance(receipt, DeclarationReceipt):
            if receipt.manage_result == "1" and receipt.declaration_no:
                self.zone.record_declaration_generated(
                    target, receipt.declaration_no, command_id=key
                )
                return f"declaration {receipt.declaration_no} generated"
            self.zone.record_declaration_failed(
                target, receipt.reason or "generation failed", command_id=key
            )
            return "declaration generation failed"
        if isinstance(receipt, GatePassReceipt):
            kind = receipt.envelope.message_type.upper()
            if kind == "SAS223":
                return self._cross(receipt, target, key)
            if kind == "SAS224":
                self.zone.record_inspection(
                    target, receipt.result.remark or "", command_id=key
                )
                return "inspection recorded"
        if isinstance(receipt, DocumentReceipt):
            return self._decide(receipt.result, target, receipt.document_no or "", key)
        assert isinstance(receipt, ChecklistReceipt | GatePassReceipt)
        number = (
            receipt.head.checklist_no
            if isinstance(receipt, ChecklistReceipt) and receipt.head
            else receipt.head.gate_pass_no
            if isinstance(receipt, GatePassReceipt) and receipt.head
            else None
        )
        return self._decide(receipt.result, target, number or "", key)

    def _decide(
        self, result: ApprovalResult, target: UUID, number: str, key: str
    ) -> str:
        outcome = DECISIONS.get(result.manage_result)
        if outcome is None:
            return f"stored at customs (manageResult {result.manage_result})"
        document = self.zone.get_document(target)
        answers = REQUESTS.get(result.request_code or "")
        if answers is not None and document.request not in answers:
            raise DomainError(
                f"the receipt answers a {answers[0]} request, but the document "
                f"awaits {document.request or 'nothing'}",
                rule="R-FLOW-2",
                field="typecd",
            )
        reason = "; ".join(filter(None, [result.remark or ""]))
        self.zone.record_decision(
            target,
            CustomsDecision(
                outcome,
                document_no=number if outcome is DecisionOutcome.APPROVED else "",
                reason=reason,
            ),
            command_id=key,
        )
        return f"{outcome} ({result.manage_result})"

    def _cross(self, receipt: GatePassReceipt, target: UUID, key: str) -> str:
        head = receipt.head
        if receipt.result.manage_result != "1" or head is None:
            return "not crossed (manageResult 2)"
        stage = GATE_STAGES.get(head.status or "")
        if stage is None:
            stage = "second" if head.second_passed_at else "single"
        self.zone.record_gate_crossing(target, stage, command_id=key)
        return f"crossed the {stage} gate"

    def _acknowledge(
        self, receipt: ImportAcknowledgement, target: UUID, key: str
    ) -> str:
        if not receipt.accepted:
            self.zone.record_decision(
                target,
                CustomsDecision(
                    DecisionOutcome.RECEIVE_FAILED, reason=receipt.check_info or ""
                ),
                command_id=key,
            )
            return "import failed at the single window"
        if receipt.pre_entry_no:
            self.zone.record_pre_entry_no(target, receipt.pre_entry_no, command_id=key)
            document: Document = self.zone.get_document(target)
            for parked in self.log.parked(
                (f"{document.kind}/pre-entry:{receipt.pre_entry_no}",)
            ):
                self._process(
                    parked.message_id, parked.message_type, read_receipt(parked.raw)
                )
        return f"pre-entry number {receipt.pre_entry_no or '(none)'}"


def identity(receipt: Receipt) -> tuple[str, str]:
    """The message id and type a receipt is kept under."""
    if isinstance(receipt, ImportAcknowledgement):
        key = f"{receipt.enterprise_doc_no}/{receipt.pre_entry_no}/{receipt.deal_flag}"
        return f"ack/{key}", "CommonResponeMessage"
    return receipt.envelope.message_id, receipt.envelope.message_type.upper()


def references(
    receipt: Receipt,
) -> tuple[str, list[str], str | None, tuple[str, str, str] | None]:
    """The kind of document, its customs numbers, pre-entry number and own number."""
    if isinstance(receipt, ChecklistReceipt):
        head = receipt.head
        enterprise = None
        if head and head.operating_customs_code and head.enterprise_doc_no:
            enterprise = (
                "checklist",
                head.operating_customs_code,
                head.enterprise_doc_no,
            )
        numbers = [head.checklist_no if head else None, receipt.result.business_id]
        pre_entry = (head.pre_entry_no if head else None) or receipt.result.pre_entry_no
        return "checklist", [n for n in numbers if n], pre_entry, enterprise
    if isinstance(receipt, DeclarationReceipt):
        return "checklist", [receipt.checklist_no or ""], receipt.pre_entry_no, None
    if isinstance(receipt, PostingReceipt):
        return "checklist", [receipt.head.checklist_no or ""], None, None
    if isinstance(receipt, GatePassReceipt):
        head = receipt.head
        numbers = [head.gate_pass_no if head else None, receipt.result.business_id]
        pre_entry = (head.pre_entry_no if head else None) or receipt.result.pre_entry_no
        return "gate pass", [n for n in numbers if n], pre_entry, None
    if isinstance(receipt, DocumentReceipt):
        numbers = [receipt.document_no, receipt.result.business_id]
        return (
            receipt.document_kind,
            [n for n in numbers if n],
            receipt.pre_entry_no,
            None,
        )
    raise TypeError(f"not a receipt about a document: {type(receipt).__name__}")

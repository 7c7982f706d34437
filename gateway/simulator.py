"""A customs simulator: plays customs and the gate through the receipt inbox.

Each step looks at the documents awaiting customs (from the ``documents``
projection) and answers them as the real systems would, in the HDE dialect,
through the same inbox as real receipts: an acknowledgement with an 18-digit
pre-entry number, then a decision (approve, reject with a reason, or manual
review first) at the configured rates, with numbers in the real formats (QD…,
Z…, X…). It then generates and releases the declarations of approved checklists
(INV202, then the release), places some vehicles under inspection control and
inspects them (SAS224), lets approved vehicles through the gate (SAS223, one gate
or two), and reports each posting with its ledger's stock (INV211).
Approved business forms get a guarantee deposit levied (``deposit_rate`` times
their value, as the slips drawing on a form draw their value from it).
Decisions are drawn from a generator seeded per document and version, so a run
is reproducible whatever the order of steps.

TODO: the release of a declaration and the decisions on delivery orders have no
receipt of their own here (the real release rides on INV201/INV211 as
entryStucd, delivery orders on no customs message); the simulator issues those
as commands until the inbox derives the release from entryStucd.
"""

from __future__ import annotations

import contextlib
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID

from aggregates.business_form.model import BusinessForm
from aggregates.checklist.model import Checklist
from aggregates.common.documents import CustomsDecision, DecisionOutcome
from aggregates.common.lifecycle import Document, Request, State
from aggregates.delivery_order.model import DeliveryOrder
from aggregates.gate_pass.model import GatePass, GateStatus
from aggregates.zone import Zone
from bonded.errors import DomainError
from gateway.customs.hde import (
    acknowledgement,
    checklist_receipt,
    declaration_receipt,
    document_receipt,
    gate_pass_receipt,
    posting_receipt,
)
from gateway.inbox import ReceiptInbox
from projections.postgres import ProjectionStore

REASONS = (
    "商品编码与申报不符 (HS code does not match the goods)",
    "随附单据不全 (attachments incomplete)",
    "申报数量与底账不符 (quantity does not match the ledger)",
)
# The receipt of each document kind: message type, head element, number element.
RECEIPTS = {
    "ledger": ("BWS201", "BwsBsc", "bwsNo"),
    "business form": ("SAS201", "SasDclBsc", "sasDclNo"),
    "stock slip": ("SAS211", "SasStockBsc", "sasStockNo"),
    "vehicle": ("SAS231", "SasVehicleBsc", "vehicleNo"),
}
REQUEST_CODES = {
    Request.FILING: "1",
    Request.AMENDMENT: "2",
    Request.VOID: "3",
    Request.CLOSE_OUT: "3",
}


@dataclass(frozen=True)
class SimulatorPolicy:
    """How customs answers: rates of each decision, gates, area code, seed."""

    reject_rate: float = 0.1
    manual_review_rate: float = 0.05
    double_gate_rate: float = 0.3
    inspection_rate: float = 0.1
    deposit_rate: float = 1.2
    area: str = "2244"
    seed: int = 1


class CustomsSimulator:
    """Customs and the gate, answering through the receipt inbox."""

    def __init__(
        self,
        zone: Zone,
        inbox: ReceiptInbox,
        store: ProjectionStore,
        policy: SimulatorPolicy | None = None,
    ) -> None:
        self.zone = zone
        self.inbox = inbox
        self.store = store
        self.policy = policy or SimulatorPolicy()
        self.serial = 0
        self.posted_reported: set[UUID] = set()

    def step(self) -> int:
        """Answer everything that waits for customs now; return the answers sent."""
        sent = 0
        for document_id, _kind in self.store.query(
            "SELECT document_id, kind FROM documents "
            "WHERE state IN ('declared', 'manual_review') ORDER BY declared_at"
        ):
            sent += self._answer(self.zone.get_document(UUID(str(document_id))))
        for (checklist_id,) in self.store.query(
            "SELECT document_id FROM documents WHERE kind = 'checklist' "
            "AND state = 'approved'"
        ):
            sent += self._declaration(self.zone.get_checklist(UUID(str(checklist_id))))
        for (checklist_id,) in self.store.query(
            "SELECT checklist_id FROM checklist_progress WHERE posted_on IS NOT NULL"
        ):
            sent += self._posted(self.zone.get_checklist(UUID(str(checklist_id))))
        if self.policy.deposit_rate > 0:
            for (form_id,) in self.store.query(
                "SELECT document_id FROM documents WHERE kind = 'business_form' "
                "AND state = 'approved'"
            ):
                sent += self._deposit(self.zone.get_business_form(UUID(str(form_id))))
        for (gate_pass_id,) in self.store.query(
            "SELECT document_id FROM documents WHERE kind = 'gate_pass' "
            "AND state = 'approved'"
        ):
            sent += self._gate(self.zone.get_gate_pass(UUID(str(gate_pass_id))))
        return sent

    # Decisions.

    def _rng(self, document: Document) -> random.Random:
        return random.Random(f"{self.policy.seed}/{document.id}/{document.version}")

    def _answer(self, document: Document) -> int:
        if document.state not in (State.DECLARED, State.MANUAL_REVIEW):
            return 0
        rng = self._rng(document)
        roll = rng.random()
        policy = self.policy
        review = policy.manual_review_rate if document.state is State.DECLARED else 0.0
        if roll < review:
            result = "2"
        elif roll < review + policy.reject_rate:
            result = "3"
        else:
            result = "1"
        reason = rng.choice(REASONS) if result == "3" else ""
        pre_entry = self._pre_entry(document)
        if document.request is Request.FILING and document.state is State.DECLARED:
            own_no = str(getattr(document, "enterprise_doc_no", ""))
            self.inbox.remember_outbound(own_no, document.id)
            self._send(acknowledgement(own_no, pre_entry))
        number = document.document_no or self._number(document)
        typecd = REQUEST_CODES.get(document.request or Request.FILING, "1")
        if isinstance(document, DeliveryOrder):
            outcome = {"1": "approved", "2": "manual_review", "3": "rejected"}[result]
            self._command(document, outcome, number, reason)
        elif isinstance(document, Checklist):
            code = "4" if result == "1" else result
            self._send(
                checklist_receipt(document, number, pre_entry, code, typecd, reason)
            )
        elif isinstance(document, GatePass):
            self._send(
                gate_pass_receipt("SAS221", number, pre_entry, result, typecd, reason)
            )
        else:
            message_type, head, element = RECEIPTS[document.kind]
            self._send(
                document_receipt(
                    message_type,
                    head,
                    element,
                    number,
                    pre_entry,
                    result,
                    typecd,
                    reason,
                )
            )
        return 1

    def _command(
        self, document: Document, outcome: str, number: str, reason: str
    ) -> None:
        decision = CustomsDecision(
            DecisionOutcome(outcome),
            document_no=number if outcome == "approved" else "",
            reason=reason,
        )
        with contextlib.suppress(DomainError):
            self.zone.record_decision(
                document.id,
                decision,
                command_id=f"simulator/{document.id}/{document.version}",
            )

    # Declarations and the gate.

    def _declaration(self, checklist: Checklist) -> int:
        if not checklist.head.needs_declaration:
            return 0
        if checklist.declaration_no is None and checklist.declaration_failure is None:
            number = f"{checklist.head.direction}{datetime.now(UTC):%Y}" + (
                f"{checklist.id.int % 10**13:013d}"
            )
            self._send(declaration_receipt(checklist.document_no or "", number))
            return 1
        if checklist.declaration_no and not checklist.declaration_released:
            try:
                self.zone.release_declaration(
                    checklist.id,
                    datetime.now(UTC).date(),
                    command_id=f"simulator/release/{checklist.id}",
                )
            except DomainError:
                return 0
            return 1
        return 0

    def _deposit(self, form: BusinessForm) -> int:
        """Levy the guarantee deposit on a newly approved form (R-FORM-1)."""
        if form.deposit is not None:
            return 0
        value = sum(
            (line.quantity * line.unit_price for line in form.lines), Decimal(0)
        )
        amount = (value * Decimal(str(self.policy.deposit_rate))).quantize(Decimal(1))
        if amount <= 0:
            return 0
        with contextlib.suppress(DomainError):
            self.zone.collect_deposit(
                form.id, amount, command_id=f"simulator/deposit/{form.id}"
            )
        return 1

    def _posted(self, checklist: Checklist) -> int:
        """Report customs' own ledger figures after a posting (INV211)."""
        if checklist.id in self.posted_reported:
            return 0
        self.posted_reported.add(checklist.id)
        ledger = self.zone.get_ledger(checklist.head.ledger_id)
        figures = tuple(
            (line.serial, line.part_no, str(line.stock))
            for line in sorted(ledger.lines.values(), key=lambda x: x.serial)
            if any(c.part_no == line.part_no for c in checklist.lines)
        )
        self._send(posting_receipt(checklist, figures))
        return 1

    def _gate(self, gate_pass: GatePass) -> int:
        if gate_pass.request is not None or not gate_pass.document_no:
            return 0
        status = gate_pass.gate_status
        if status is GateStatus.CROSSED:
            return 0
        rng = self._rng(gate_pass)
        two_gates = rng.random() < self.policy.double_gate_rate
        if (
            status is GateStatus.WAITING
            and not gate_pass.under_inspection
            and rng.random() < self.policy.inspection_rate
        ):
            # Customs places the vehicle under control: it goes to the inspection
            # site first and crosses at a later step (R-GATE-10).
            self.zone.place_under_inspection(
                gate_pass.id, command_id=f"simulator/control/{gate_pass.id}"
            )
            return 1
        if gate_pass.under_inspection and not gate_pass.inspected:
            self._send(
                gate_pass_receipt(
                    "SAS224", gate_pass.document_no, "", "3", "", "查验放行 (released)"
                )
            )
            return 1
        stucd = (
            "3"
            if two_gates and status is GateStatus.WAITING
            else ("4" if status is GateStatus.FIRST_GATE_CROSSED else "2")
        )
        self._send(
            gate_pass_receipt("SAS223", gate_pass.document_no, "", "1", "", "", stucd)
        )
        return 1

    # Numbers and sending.

    def _pre_entry(self, document: Document) -> str:
        return f"{datetime.now(UTC):%Y}{document.id.int % 10**14:014d}"

    def _number(self, document: Document) -> str:
        area = self.policy.area
        now = datetime.now(UTC)
        direction = str(getattr(getattr(document, "head", None), "direction", "I"))
        serial = document.id.int
        if isinstance(document, Checklist):
            return f"QD{area}{now:%y}{direction}{serial % 10**9:09d}"
        if isinstance(document, GatePass):
            return f"Z{area}{direction}{now:%y%m%d}{serial % 10**12:012d}"
        if document.kind == "stock slip":
            return f"X{area}{direction}{now:%y%m%d}{serial % 10**6:06d}"
        if document.kind == "ledger":
            return f"T{area}W{serial % 10**6:06d}"
        if document.kind == "vehicle":
            return str(getattr(document, "head").vehicle_no)  # noqa: B009
        return f"F{area}{now:%y}{serial % 10**8:08d}"

    def _send(self, raw: bytes) -> None:
        self.inbox.receive(raw)

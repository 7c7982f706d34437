"""The logistics ledger (物流账册) and its lines (R-LEDGER-1 … R-LEDGER-7)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from aggregates.common.errors import (
    InsufficientStockError,
    InvalidTransitionError,
    ValidationError,
)
from aggregates.common.lifecycle import Document, Request, State, document_id
from aggregates.common.values import (
    Direction,
    Enterprise,
    add_months,
    check_hs_code,
    check_text,
    to_decimal,
)


class LedgerFamily(StrEnum):
    """Ledger families (R-LEDGER-7): kept here, or by the processing-trade system."""

    LOGISTICS = "logistics"
    PROCESSING_TRADE = "processing_trade"


class ProcessingTradeKind(StrEnum):
    """Kinds of processing-trade ledger that change the business form's rules."""

    CONSUMPTION = "consumption"
    WORK_ORDER = "work_order"
    OTHER = "other"


class AreaType(StrEnum):
    """区域场所类别 (bwlTypecd): the kind of a logistics ledger."""

    LOGISTICS_CENTRE_A = "A"
    LOGISTICS_CENTRE_B = "B"
    PUBLIC_BONDED_WAREHOUSE = "D"
    LIQUID_BONDED_WAREHOUSE = "E"
    CONSIGNMENT_REPAIR_WAREHOUSE = "F"
    SPECIAL_GOODS_WAREHOUSE = "H"
    MATERIAL_PREPARATION_WAREHOUSE = "I"
    EXPORT_DISTRIBUTION_WAREHOUSE = "P"
    DOMESTIC_TRANSFER_WAREHOUSE = "J"
    BONDED_ZONE = "K"
    EXPORT_PROCESSING_ZONE = "L"
    BONDED_LOGISTICS_PARK = "M"
    BONDED_PORT_AREA = "N"
    COMPREHENSIVE_BONDED_ZONE = "Z"
    CROSS_BORDER_INDUSTRIAL_PARK = "Q"
    SPECIAL_AREA_EQUIPMENT = "S"


class WriteOffKind(StrEnum):
    """Normal declaration (正常申报) or supplementary declaration (补充申报)."""

    NORMAL = "normal"
    SUPPLEMENTARY = "supplementary"


class WriteOffStatus(StrEnum):
    """Where a write-off (报核) stands."""

    DECLARED = "declared"
    SUPPLEMENT_REQUESTED = "supplement_requested"
    RESULT_RETURNED = "result_returned"


@dataclass(frozen=True)
class LedgerHead:
    """The head of a ledger filing (账册表头)."""

    operating_enterprise: Enterprise
    master_customs_code: str
    area_type: AreaType
    house_no: str
    house_name: str
    house_address: str
    valid_until: date
    storage_period_months: int = 12


@dataclass(frozen=True)
class LedgerLine:
    """A part-number line of the ledger (账册表体), filed by its first posting."""

    serial: int
    part_no: str
    hs_code: str
    name: str
    unit: str
    stock: Decimal
    storage_period_months: int
    entered_on: date
    last_checklist_no: str

    @property
    def storage_due(self) -> date:
        """The day the line's storage period ends (R-LEDGER-5)."""
        return add_months(self.entered_on, self.storage_period_months)


@dataclass(frozen=True)
class PostingLine:
    """One checklist line as it is posted to the ledger (核增 / 核扣)."""

    part_no: str
    quantity: Decimal
    hs_code: str = ""
    name: str = ""
    unit: str = ""


@dataclass(frozen=True)
class LineChange:
    """An amendment of a ledger line: only HS code and storage period (R-LEDGER-3)."""

    part_no: str
    hs_code: str | None = None
    storage_period_months: int | None = None


@dataclass(frozen=True)
class LedgerAmendment:
    """A declared amendment (变更): a new head and changes to existing lines."""

    head: LedgerHead
    line_changes: tuple[LineChange, ...] = ()


@dataclass(frozen=True)
class WriteOff:
    """A write-off (报核) of the postings of a period."""

    period_start: date
    period_end: date
    kind: WriteOffKind
    status: WriteOffStatus
    accepted: bool | None = None
    note: str = ""


def check_ledger_head(head: LedgerHead) -> LedgerHead:
    """Validate a ledger head (R-LEDGER-1)."""
    if not head.operating_enterprise.customs_code:
        raise ValidationError(
            "the operating enterprise's customs code is required",
            rule="R-LEDGER-1",
            field="operating_enterprise",
        )
    if len(head.master_customs_code) != 4 or not head.master_customs_code.isdigit():
        raise ValidationError(
            "master customs code must be 4 digits",
            rule="R-LEDGER-1",
            field="master_customs_code",
        )
    check_text(head.house_no, field="house_no", max_length=20)
    check_text(head.house_name, field="house_name", max_length=512)
    check_text(head.house_address, field="house_address", max_length=100)
    _check_storage_period(head.storage_period_months)
    return head


def _check_storage_period(months: int) -> int:
    if (
        not isinstance(months, int)
        or isinstance(months, bool)
        or not 1 <= months <= 120
    ):
        raise ValidationError(
            "storage period must be 1 to 120 months",
            rule="R-LEDGER-5",
            field="storage_period_months",
        )
    return months


class Ledger(Document):
    """A logistics ledger (物流账册): the part-level stock (底账) of an enterprise.

    Limitations: stock is kept per part number in the ledger's declared unit; the
    lawful units and the US-dollar totals customs also keeps are not tracked here.
    """

    kind = "ledger"
    family = LedgerFamily.LOGISTICS

    @staticmethod
    def create_id(head: LedgerHead, enterprise_doc_no: str) -> UUID:
        """Derive the id from the enterprise and its own number (企业内部编号)."""
        return document_id(
            "ledger", head.operating_enterprise.customs_code, enterprise_doc_no
        )

    @event("Filed")
    def __init__(self, head: LedgerHead, enterprise_doc_no: str) -> None:
        self._start_lifecycle()
        self.enterprise_doc_no = enterprise_doc_no
        self.head = head
        self.lines: dict[str, LedgerLine] = {}
        self.postings: dict[str, str] = {}
        self.bookings: dict[str, dict[str, Decimal]] = {}
        self.open_findings = 0
        self.write_off: WriteOff | None = None
        self.written_off_until: date | None = None

    @classmethod
    def file(cls, head: LedgerHead, enterprise_doc_no: str) -> Ledger:
        """File a new ledger as a draft: a head, no lines (R-LEDGER-1, R-LEDGER-2)."""
        check_text(enterprise_doc_no, field="enterprise_doc_no", max_length=64)
        return cls(check_ledger_head(head), enterprise_doc_no)

    def copy(self, enterprise_doc_no: str) -> Ledger:
        """Make a new draft with this ledger's head (the lines come from postings)."""
        return Ledger.file(self.head, enterprise_doc_no)

    @property
    def area_type(self) -> AreaType:
        """The ledger's kind within its family (R-LEDGER-7)."""
        return AreaType(self.head.area_type)

    @property
    def ledger_no(self) -> str:
        """The number customs assigned (账册号), or empty before approval."""
        return self.document_no or ""

    @property
    def is_in_force(self) -> bool:
        """Whether customs approved the ledger, so that goods may be posted to it."""
        return self.document_no is not None and self.state not in (
            State.CLOSED,
            State.DELETED,
        )

    def modify(self, head: LedgerHead) -> None:
        """Change the head of a draft or returned ledger (R-DOC-3)."""
        self.require_modifiable()
        self._modify(check_ledger_head(head))

    @event("Modified")
    def _modify(self, head: LedgerHead) -> None:
        self.head = head

    # Amendment (变更) after approval: R-LEDGER-3.

    def declare_amendment(self, amendment: LedgerAmendment) -> None:
        """Declare an amendment of head and lines, after approval (R-LEDGER-3).

        Lines can be neither added nor deleted; of a line only the HS code and the
        storage period change.
        """
        if self.document_no is None:
            raise InvalidTransitionError(
                "amend", self.state, rule="R-LEDGER-3", allowed=(State.APPROVED,)
            )
        check_ledger_head(amendment.head)
        for change in amendment.line_changes:
            if change.part_no not in self.lines:
                raise ValidationError(
                    f"part {change.part_no!r} is not a line of the ledger; "
                    f"an amendment "
                    f"cannot add lines",
                    rule="R-LEDGER-3",
                    field="line_changes",
                )
            if change.hs_code is None and change.storage_period_months is None:
                raise ValidationError(
                    f"amendment of part {change.part_no!r} changes nothing",
                    rule="R-LEDGER-3",
                    field="line_changes",
                )
            if change.hs_code is not None:
                check_hs_code(change.hs_code)
            if change.storage_period_months is not None:
                _check_storage_period(change.storage_period_months)
        self._declare_request(Request.AMENDMENT, amendment, "R-LEDGER-3")

    def _apply_amendment(self, changes: Any) -> None:
        assert isinstance(changes, LedgerAmendment)
        self.head = changes.head
        lines = dict(self.lines)
        for change in changes.line_changes:
            line = lines[change.part_no]
            lines[change.part_no] = replace(
                line,
                hs_code=change.hs_code if change.hs_code is not None else line.hs_code,
                storage_period_months=(
                    change.storage_period_months
                    if change.storage_period_months is not None
                    else line.storage_period_months
                ),
            )
        self.lines = lines

    # Posting (核增 / 核扣) of checklists: R-LEDGER-2 and R-LEDGER-4.

    def post(
        self,
        checklist_no: str,
        direction: Direction,
        lines: tuple[PostingLine, ...],
        posted_on: date,
    ) -> None:
        """Post a checklist: increase (into the zone) or deduct (out of it) its lines.

        All lines are checked before any is recorded, so a posting is applied whole
        or not at all. A part number the ledger does not know files a new line
        (自动备案, R-LEDGER-2); a deduction that would make a line negative is refused
        (R-LEDGER-4). A checklist is posted once; a posting dated in a written-off
        period is refused (R-LEDGER-6).
        """
        # Validate the posting as a whole.
        self._check_postable(checklist_no, posted_on)
        if not lines:
            raise ValidationError(
                "a posting needs lines", rule="R-LEDGER-4", field="lines"
            )
        totals: dict[str, Decimal] = {}
        for line in lines:
            quantity = to_decimal(line.quantity, field="quantity")
            totals[line.part_no] = totals.get(line.part_no, Decimal(0)) + quantity
            if line.part_no not in self.lines and direction is Direction.IN:
                check_text(line.part_no, field="part_no", max_length=32)
                check_hs_code(line.hs_code)
                check_text(line.name, field="name", max_length=512)
                check_text(line.unit, field="unit", max_length=3)
        if direction is Direction.OUT:
            for part_no, quantity in totals.items():
                available = self.stock_of(part_no)
                if quantity > available:
                    raise InsufficientStockError(
                        self.ledger_no, part_no, quantity, available
                    )

        # Record: file new lines first, then one movement per line.
        for line in lines:
            if line.part_no not in self.lines:
                self._file_line(self._new_line(line, posted_on, checklist_no))
            if direction is Direction.IN:
                self._increase(
                    line.part_no, Decimal(line.quantity), checklist_no, posted_on
                )
            else:
                self._deduct(
                    line.part_no, Decimal(line.quantity), checklist_no, posted_on
                )
        if checklist_no in self.bookings:
            self._settle_booking(checklist_no)

    @event("BookingSettled")
    def _settle_booking(self, checklist_no: str) -> None:
        bookings = dict(self.bookings)
        bookings.pop(checklist_no, None)
        self.bookings = bookings

    def book(
        self, checklist_no: str, direction: Direction, lines: tuple[PostingLine, ...]
    ) -> None:
        """Book an approved checklist provisionally (预核扣, ``messages.md`` §5).

        The stock does not change; the ledger shows what is booked to come in or go
        out until the checklist is posted. A checklist is booked once.
        """
        if not self.is_in_force:
            raise InvalidTransitionError(
                "book on", self.state, rule="R-LEDGER-4", allowed=(State.APPROVED,)
            )
        if checklist_no in self.bookings or checklist_no in self.postings:
            return
        sign = Decimal(1) if direction is Direction.IN else Decimal(-1)
        booked: dict[str, Decimal] = {}
        for line in lines:
            quantity = to_decimal(line.quantity, field="quantity")
            booked[line.part_no] = (
                booked.get(line.part_no, Decimal(0)) + sign * quantity
            )
        self._book(checklist_no, booked)

    @event("Booked")
    def _book(self, checklist_no: str, quantities: dict[str, Decimal]) -> None:
        self.bookings = {
            **self.bookings,
            checklist_no: {part: Decimal(q) for part, q in quantities.items()},
        }

    def booked_of(self, part_no: str) -> tuple[Decimal, Decimal]:
        """Quantities of a part booked to come in and to go out, not yet posted."""
        incoming = outgoing = Decimal(0)
        for booked in self.bookings.values():
            quantity = Decimal(booked.get(part_no, 0))
            if quantity > 0:
                incoming += quantity
            else:
                outgoing -= quantity
        return incoming, outgoing

    def _check_postable(self, checklist_no: str, posted_on: date) -> None:
        if not self.is_in_force:
            raise InvalidTransitionError(
                "post to", self.state, rule="R-LEDGER-4", allowed=(State.APPROVED,)
            )
        check_text(checklist_no, field="checklist_no", max_length=18)
        if checklist_no in self.postings:
            raise ValidationError(
                f"checklist {checklist_no} is already posted to this ledger",
                rule="R-CHK-7",
                field="checklist_no",
            )
        if self.written_off_until is not None and posted_on <= self.written_off_until:
            raise ValidationError(
                f"posting date {posted_on} lies in a written-off period (until "
                f"{self.written_off_until})",
                rule="R-LEDGER-6",
                field="posted_on",
            )

    def _new_line(
        self, line: PostingLine, posted_on: date, checklist_no: str
    ) -> LedgerLine:
        return LedgerLine(
            serial=len(self.lines) + 1,
            part_no=line.part_no,
            hs_code=line.hs_code,
            name=line.name,
            unit=line.unit,
            stock=Decimal(0),
            storage_period_months=self.head.storage_period_months,
            entered_on=posted_on,
            last_checklist_no=checklist_no,
        )

    def stock_of(self, part_no: str) -> Decimal:
        """The stock of a part number; zero for a part the ledger does not know."""
        line = self.lines.get(part_no)
        return line.stock if line else Decimal(0)

    def line_by_serial(self, serial: int) -> LedgerLine | None:
        """The line with this ledger serial (账册序号), if any."""
        for line in self.lines.values():
            if line.serial == serial:
                return line
        return None

    @event("LineFiled")
    def _file_line(self, line: LedgerLine) -> None:
        self.lines = {**self.lines, line.part_no: line}

    @event("Increased")
    def _increase(
        self, part_no: str, quantity: Decimal, checklist_no: str, posted_on: date
    ) -> None:
        line = self.lines[part_no]
        self.lines = {
            **self.lines,
            part_no: replace(
                line,
                stock=line.stock + quantity,
                entered_on=posted_on,
                last_checklist_no=checklist_no,
            ),
        }
        self.postings = {**self.postings, checklist_no: posted_on.isoformat()}

    @event("Deducted")
    def _deduct(
        self, part_no: str, quantity: Decimal, checklist_no: str, posted_on: date
    ) -> None:
        line = self.lines[part_no]
        self.lines = {
            **self.lines,
            part_no: replace(
                line, stock=line.stock - quantity, last_checklist_no=checklist_no
            ),
        }
        self.postings = {**self.postings, checklist_no: posted_on.isoformat()}

    def reconcile(
        self, checklist_no: str, figures: tuple[tuple[str, Decimal], ...]
    ) -> list[tuple[str, Decimal, Decimal]]:
        """Compare customs' stock figures after a posting with this ledger's.

        Every difference is recorded as a finding (part, ours, customs'); neither
        side is changed. Return the differences found.
        """
        differences = []
        for part_no, theirs in figures:
            ours = self.stock_of(part_no)
            if ours != Decimal(theirs):
                differences.append((part_no, ours, Decimal(theirs)))
        self._reconciled(checklist_no, tuple(differences))
        return differences

    @event("Reconciled")
    def _reconciled(
        self, checklist_no: str, differences: tuple[tuple[str, Decimal, Decimal], ...]
    ) -> None:
        self.open_findings = len(differences)

    def lines_due(self, as_of: date, within_days: int = 0) -> list[LedgerLine]:
        """Lines with stock whose storage period has ended or ends soon (R-LEDGER-5)."""
        return sorted(
            (
                line
                for line in self.lines.values()
                if line.stock > 0 and (line.storage_due - as_of).days <= within_days
            ),
            key=lambda line: (line.storage_due, line.serial),
        )

    # Write-off (报核 / 核销) of a period: R-LEDGER-6.

    def declare_write_off(
        self,
        period_start: date,
        period_end: date,
        kind: WriteOffKind = WriteOffKind.NORMAL,
    ) -> None:
        """Declare the write-off of a period (normal, or supplementary on request)."""
        if not self.is_in_force:
            raise InvalidTransitionError(
                "declare a write-off of",
                self.state,
                rule="R-LEDGER-6",
                allowed=("approved",),
            )
        pending = self.write_off
        if kind is WriteOffKind.SUPPLEMENTARY:
            if (
                pending is None
                or pending.status is not WriteOffStatus.SUPPLEMENT_REQUESTED
            ):
                raise ValidationError(
                    "a supplementary declaration needs customs to have asked for it",
                    rule="R-LEDGER-6",
                    field="kind",
                )
            if (period_start, period_end) != (pending.period_start, pending.period_end):
                raise ValidationError(
                    "a supplementary declaration covers the period customs asked about",
                    rule="R-LEDGER-6",
                    field="period_start",
                )
        elif pending is not None and not (
            pending.status is WriteOffStatus.RESULT_RETURNED
            and pending.accepted is False
        ):
            raise ValidationError(
                "a write-off is already under way", rule="R-LEDGER-6", field="kind"
            )
        if period_end < period_start:
            raise ValidationError(
                "the period ends before it starts",
                rule="R-LEDGER-6",
                field="period_end",
            )
        if (
            self.written_off_until is not None
            and period_start <= self.written_off_until
        ):
            raise ValidationError(
                f"the period overlaps one written off until {self.written_off_until}",
                rule="R-LEDGER-6",
                field="period_start",
            )
        self._declare_write_off(
            WriteOff(period_start, period_end, kind, WriteOffStatus.DECLARED)
        )

    @event("WriteOffDeclared")
    def _declare_write_off(self, write_off: WriteOff) -> None:
        self.write_off = write_off

    def request_supplementary_declaration(self, reason: str) -> None:
        """Record that customs asks for a supplementary declaration (customs)."""
        self._require_write_off(WriteOffStatus.DECLARED, "request a supplement to")
        self._request_supplement(reason)

    @event("SupplementaryDeclarationRequested")
    def _request_supplement(self, reason: str) -> None:
        assert self.write_off is not None
        self.write_off = replace(
            self.write_off, status=WriteOffStatus.SUPPLEMENT_REQUESTED, note=reason
        )

    def return_write_off_result(self, accepted: bool, note: str = "") -> None:
        """Record customs' write-off result (核销结果) for the enterprise to confirm."""
        self._require_write_off(WriteOffStatus.DECLARED, "return the result of")
        self._return_result(accepted, note)

    @event("WriteOffResultReturned")
    def _return_result(self, accepted: bool, note: str) -> None:
        assert self.write_off is not None
        self.write_off = replace(
            self.write_off,
            status=WriteOffStatus.RESULT_RETURNED,
            accepted=accepted,
            note=note,
        )

    def confirm_write_off_result(self) -> list[str]:
        """Confirm an accepted result (核销结果确认); return the checklists written off.

        Checklists posted in the period are marked written off (核扣标记 3).
        """
        write_off = self._require_write_off(WriteOffStatus.RESULT_RETURNED, "confirm")
        if not write_off.accepted:
            raise ValidationError(
                "customs did not accept this write-off; declare it again",
                rule="R-LEDGER-6",
                field="accepted",
            )
        written_off = sorted(
            checklist_no
            for checklist_no, posted_on in self.postings.items()
            if write_off.period_start
            <= date.fromisoformat(posted_on)
            <= write_off.period_end
        )
        self._confirm_write_off(write_off.period_end, written_off)
        return written_off

    @event("WrittenOff")
    def _confirm_write_off(self, period_end: date, checklist_nos: list[str]) -> None:
        self.written_off_until = period_end
        self.write_off = None

    def _require_write_off(self, status: WriteOffStatus, command: str) -> WriteOff:
        if self.write_off is None or self.write_off.status is not status:
            current = self.write_off.status if self.write_off else "none"
            raise ValidationError(
                f"cannot {command} a write-off in status {current!r}",
                rule="R-LEDGER-6",
                field="write_off",
            )
        return self.write_off

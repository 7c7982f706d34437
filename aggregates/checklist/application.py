"""Commands on checklists, their declarations, consolidation and posting.

A checklist is saved with the aggregates each command changes: its ledger when
approval books it (预核扣) and when it is posted (核扣, R-CHK-7), its declaration
when customs generates or releases it (R-CHK-5, R-CHK-6), and its stock slips when
it consolidates them or is cancelled (R-CONS-2, R-CONS-3, R-CONS-5).
"""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from aggregates.business_form.application import FormCommands
from aggregates.business_form.rules import BusinessType
from aggregates.checklist.model import (
    Checklist,
    ChecklistHead,
    ChecklistLine,
    ChecklistType,
    CustomsDeclaration,
    CustomsFlag,
    DeclarationKind,
    DeclarationType,
    GoodsFlag,
    PostingMode,
    TransportMode,
)
from aggregates.common.application import Decision
from aggregates.common.documents import CustomsDecision, DecisionOutcome
from aggregates.common.errors import InsufficientStockError, ValidationError
from aggregates.common.idempotency import Outcome, fingerprint
from aggregates.common.lifecycle import Document, Request
from aggregates.common.values import Direction, coded
from aggregates.ledger.model import Ledger, PostingLine
from aggregates.stock_slip.model import StockSlip

# Head fields a caller may give as codes; they are turned into their enumerations.
HEAD_CODES: dict[str, Any] = {
    "direction": Direction,
    "checklist_type": ChecklistType,
    "goods_flag": GoodsFlag,
    "transport_mode": TransportMode,
    "customs_flag": CustomsFlag,
    "declaration_kind": DeclarationKind,
    "declaration_type": DeclarationType,
    "posting_mode": PostingMode,
}
# Head fields the enterprise sets; the rest are filled in by the system (R-DOC-6).
ENTERED_HEAD_FIELDS = {
    "checklist_type",
    "goods_flag",
    "supervision_mode",
    "transport_mode",
    "port_code",
    "master_customs_code",
    "country_code",
    "customs_flag",
    "declaration_kind",
    "generate_declaration",
    "declaration_type",
    "posting_mode",
    "business_form_no",
    "note",
}


def coerce_codes(values: dict[str, Any]) -> dict[str, Any]:
    """Turn coded head fields into their enumerations, naming a field that fails."""
    coerced = dict(values)
    for name, enumeration in HEAD_CODES.items():
        if name not in coerced:
            continue
        value = coerced[name]
        if value is None or value == "":
            coerced[name] = None if name.startswith("declaration_") else value
            continue
        coerced[name] = coded(enumeration, value, field=name)
    return coerced


class ChecklistCommands(FormCommands):
    """Commands on checklists (核注清单) and customs declarations (报关单)."""

    value_objects = (*FormCommands.value_objects, ChecklistHead, ChecklistLine)

    def get_checklist(self, checklist_id: UUID) -> Checklist:
        """Return a checklist."""
        return self._load(Checklist, checklist_id)

    def get_declaration(self, checklist_id: UUID) -> CustomsDeclaration | None:
        """Return the declaration customs generated for a checklist, if any."""
        try:
            found: object = self.repository.get(
                CustomsDeclaration.create_id(checklist_id)
            )
        except AggregateNotFoundError:
            return None
        assert isinstance(found, CustomsDeclaration)
        return found

    # Entering a checklist: R-CHK-1 … R-CHK-4.

    def _checklist_head(
        self,
        ledger_no: str,
        direction: Direction | str,
        consignee_customs_code: str,
        declaring_customs_code: str,
        entered: dict[str, Any],
    ) -> tuple[ChecklistHead, Ledger]:
        """Fill the head in from the ledger number (R-CHK-2) and the register."""
        unknown = set(entered) - ENTERED_HEAD_FIELDS
        if unknown:
            raise ValidationError(
                f"unknown head field {sorted(unknown)[0]!r}",
                rule="R-DOC-6",
                field=sorted(unknown)[0],
            )
        ledger = self.find_ledger(ledger_no)
        if ledger is None or not ledger.is_in_force:
            raise ValidationError(
                f"no approved ledger with number {ledger_no!r}",
                rule="R-CHK-2",
                field="ledger_no",
            )
        operating = ledger.head.operating_enterprise
        consignee = (
            self.register.lookup(consignee_customs_code, field="consignee_customs_code")
            if consignee_customs_code
            else operating
        )
        declaring = (
            self.register.lookup(declaring_customs_code, field="declaring_customs_code")
            if declaring_customs_code
            else operating
        )
        values = coerce_codes({"direction": direction, **entered})
        head = ChecklistHead(
            ledger_no=ledger_no,
            ledger_id=ledger.id,
            operating_enterprise=operating,
            consignee=consignee,
            declaring_enterprise=declaring,
            **values,
        )
        return head, ledger

    @staticmethod
    def _fill_lines(
        ledger: Ledger, lines: tuple[ChecklistLine, ...]
    ) -> tuple[ChecklistLine, ...]:
        """Fill lines from their ledger serial; mark parts it lacks (R-CHK-3)."""
        filled = []
        for line in lines:
            if line.ledger_serial is not None:
                found = ledger.line_by_serial(line.ledger_serial)
                if found is None:
                    raise ValidationError(
                        f"ledger {ledger.ledger_no} has no line with serial "
                        f"{line.ledger_serial}",
                        rule="R-CHK-3",
                        field=f"lines[{line.line_no}].ledger_serial",
                    )
                filled.append(
                    replace(
                        line,
                        part_no=found.part_no,
                        hs_code=found.hs_code,
                        name=found.name,
                        unit=found.unit,
                        new_part=False,
                    )
                )
            elif line.part_no in ledger.lines:
                known = ledger.lines[line.part_no]
                filled.append(replace(line, ledger_serial=known.serial, new_part=False))
            else:
                filled.append(replace(line, new_part=True))
        return tuple(filled)

    def create_checklist(
        self,
        *,
        enterprise_doc_no: str,
        ledger_no: str,
        direction: Direction | str,
        lines: tuple[ChecklistLine, ...],
        consignee_customs_code: str = "",
        declaring_customs_code: str = "",
        **head: Any,
    ) -> Outcome:
        """Save a new checklist as a draft (R-CHK-1 … R-CHK-3).

        ``head`` holds the entered head fields (checklist type, supervision mode,
        customs flag …) as codes; the rest is filled in from the ledger.
        """
        filled_head, ledger = self._checklist_head(
            ledger_no, direction, consignee_customs_code, declaring_customs_code, head
        )
        filled = self._fill_lines(ledger, tuple(lines))

        def decide() -> Decision:
            checklist = Checklist.create(filled_head, enterprise_doc_no, filled)
            return (checklist,), checklist

        customs_code = filled_head.operating_enterprise.customs_code
        return self._execute(
            f"checklist/{customs_code}/{enterprise_doc_no}",
            fingerprint("create_checklist", head=filled_head, lines=filled),
            decide,
        )

    def modify_checklist(
        self,
        checklist_id: UUID,
        *,
        lines: tuple[ChecklistLine, ...] | None = None,
        command_id: str,
        **head_changes: Any,
    ) -> Outcome:
        """Change entered head fields and lines of a modifiable checklist (R-DOC-3).

        This is also how the enterprise completes the head of a consolidated
        checklist before declaring it (R-CONS-4).
        """
        unknown = set(head_changes) - ENTERED_HEAD_FIELDS
        if unknown:
            raise ValidationError(
                f"unknown head field {sorted(unknown)[0]!r}",
                rule="R-DOC-6",
                field=sorted(unknown)[0],
            )

        def act(document: Document) -> tuple[Aggregate, ...]:
            checklist = self._as_checklist(document)
            current = {
                f.name: getattr(checklist.head, f.name) for f in fields(ChecklistHead)
            }
            current.update(head_changes)
            entered = {k: current[k] for k in HEAD_CODES if k in current}
            head = replace(checklist.head, **{**current, **coerce_codes(entered)})
            ledger = self.get_ledger(head.ledger_id)
            new_lines = self._fill_lines(
                ledger, tuple(lines) if lines is not None else checklist.lines
            )
            checklist.modify(head, new_lines)
            return ()

        return self._act(
            checklist_id,
            command_id,
            "modify_checklist",
            act,
            lines=lines,
            head=sorted((k, str(v)) for k, v in head_changes.items()),
        )

    def copy_checklist(self, checklist_id: UUID, *, enterprise_doc_no: str) -> Outcome:
        """Make a new draft from an existing checklist (R-CHK-4)."""
        source = self.get_checklist(checklist_id)

        def decide() -> Decision:
            copy = source.copy(enterprise_doc_no)
            return (copy,), copy

        customs_code = source.head.operating_enterprise.customs_code
        return self._execute(
            f"checklist/{customs_code}/{enterprise_doc_no}",
            fingerprint("copy_checklist", source=checklist_id),
            decide,
        )

    @staticmethod
    def _as_checklist(document: Document) -> Checklist:
        if not isinstance(document, Checklist):
            raise ValidationError(
                f"document {document.id} is not a checklist", field="checklist_id"
            )
        return document

    # Consolidated declaration (集中报关): R-CONS-1 … R-CONS-5.

    def consolidate_stock_slips(
        self,
        *,
        enterprise_doc_no: str,
        ledger_no: str,
        stock_slip_ids: tuple[UUID, ...],
        **head: Any,
    ) -> Outcome:
        """Generate one consolidated checklist (集报清单) from type A slips (R-CONS-2).

        The slips must be approved, of business type A, of the ledger's enterprise
        and in no other consolidated checklist (R-CONS-1, R-CONS-5); they are saved
        with the checklist, which lists them. The lines sum the slips' quantities
        per business-form line.
        """
        if not stock_slip_ids:
            raise ValidationError(
                "select at least one stock slip",
                rule="R-CONS-2",
                field="stock_slip_ids",
            )
        if len(set(stock_slip_ids)) != len(stock_slip_ids):
            raise ValidationError(
                "a stock slip is selected twice",
                rule="R-CONS-5",
                field="stock_slip_ids",
            )
        first = self.get_stock_slip(stock_slip_ids[0])
        filled_head, ledger = self._checklist_head(
            ledger_no,
            first.head.direction,
            "",
            "",
            {**head, "checklist_type": ChecklistType.CONSOLIDATED},
        )

        def decide() -> Decision:
            slips = [self.get_stock_slip(slip_id) for slip_id in stock_slip_ids]
            lines = self._consolidated_lines(filled_head, slips)
            checklist = Checklist.create(
                filled_head,
                enterprise_doc_no,
                self._fill_lines(ledger, lines),
                tuple(str(slip.id) for slip in slips),
            )
            for slip in slips:
                slip.consolidate(str(checklist.id))
                if slip.any_goods_crossed:
                    checklist.record_slip_crossed(str(slip.id))
            return (checklist, *slips), checklist

        customs_code = filled_head.operating_enterprise.customs_code
        return self._execute(
            f"checklist/{customs_code}/{enterprise_doc_no}",
            fingerprint(
                "consolidate_stock_slips",
                head=filled_head,
                slips=[str(s) for s in stock_slip_ids],
            ),
            decide,
        )

    def _consolidated_lines(
        self, head: ChecklistHead, slips: list[StockSlip]
    ) -> tuple[ChecklistLine, ...]:
        totals: dict[tuple[UUID, int], Decimal] = {}
        for slip in slips:
            if slip.head.business_type is not BusinessType.SEPARATE_SHIPMENT:
                raise ValidationError(
                    f"stock slip {slip.document_no or slip.id} is not of business "
                    f"type A",
                    rule="R-CONS-1",
                    field="stock_slip_ids",
                )
            if slip.head.zone_enterprise != head.operating_enterprise:
                raise ValidationError(
                    f"stock slip {slip.document_no or slip.id} belongs to another "
                    f"enterprise",
                    rule="R-DOC-12",
                    field="stock_slip_ids",
                )
            if slip.head.direction is not head.direction:
                raise ValidationError(
                    "the selected slips go in different directions",
                    rule="R-CONS-2",
                    field="stock_slip_ids",
                )
            for line in slip.lines:
                key = (slip.head.business_form_id, line.form_line_no)
                totals[key] = totals.get(key, Decimal(0)) + Decimal(line.quantity)
        lines = []
        for number, ((form_id, form_line_no), quantity) in enumerate(
            sorted(totals.items(), key=lambda item: (str(item[0][0]), item[0][1])),
            start=1,
        ):
            form_line = self.get_business_form(form_id).line(form_line_no)
            assert form_line is not None
            lines.append(
                ChecklistLine(
                    line_no=number,
                    part_no=form_line.part_no,
                    hs_code=form_line.hs_code,
                    name=form_line.name,
                    unit=form_line.unit,
                    quantity=quantity,
                    unit_price=Decimal(form_line.unit_price),
                    currency=form_line.currency,
                    ledger_serial=form_line.ledger_serial,
                )
            )
        return tuple(lines)

    def _on_delete(self, document: Document) -> tuple[Aggregate, ...]:
        """Cancelling a consolidated checklist frees its slips (R-CONS-3)."""
        if not isinstance(document, Checklist):
            return super()._on_delete(document)
        slips = [self.get_stock_slip(UUID(s)) for s in document.stock_slip_ids]
        for slip in slips:
            slip.release_consolidation(str(document.id))
        return tuple(slips)

    # Customs decisions, the declaration and the posting: R-CHK-5 … R-CHK-7.

    def _on_decision(
        self, document: Document, decision: CustomsDecision, request: Request | None
    ) -> tuple[Aggregate, ...]:
        """Book an approved checklist on its ledger (预核扣)."""
        if not isinstance(document, Checklist):
            return super()._on_decision(document, decision, request)
        if decision.outcome is not DecisionOutcome.APPROVED or (
            request is not Request.FILING
        ):
            return ()
        ledger = self.get_ledger(document.head.ledger_id)
        direction, lines = self._posting_of(document)
        ledger.book(document.document_no or "", direction, lines)
        return (ledger,)

    @staticmethod
    def _posting_of(checklist: Checklist) -> tuple[Direction, tuple[PostingLine, ...]]:
        direction = Direction(checklist.head.direction)
        if checklist.head.posting_mode is PostingMode.REVERSE:
            direction = Direction.OUT if direction is Direction.IN else Direction.IN
        lines = tuple(
            PostingLine(
                part_no=line.part_no,
                quantity=Decimal(line.quantity),
                hs_code=line.hs_code,
                name=line.name,
                unit=line.unit,
            )
            for line in checklist.lines
        )
        return direction, lines

    def _on_checklist(
        self,
        checklist_id: UUID,
        command_id: str,
        command: str,
        act: Any,
        **fields_: Any,
    ) -> Outcome:
        def on_document(document: Document) -> tuple[Aggregate, ...]:
            return act(self._as_checklist(document)) or ()

        return self._act(
            checklist_id,
            command_id,
            command,
            on_document,
            expected=Checklist,
            **fields_,
        )

    def record_declaration_generated(
        self, checklist_id: UUID, declaration_no: str, *, command_id: str
    ) -> Outcome:
        """Customs generated the checklist's declaration (INV202, R-CHK-5)."""

        def act(checklist: Checklist) -> tuple[Aggregate, ...]:
            checklist.record_declaration_generated(declaration_no)
            if self.get_declaration(checklist.id) is not None:
                return ()
            return (
                CustomsDeclaration(
                    checklist.id, checklist.document_no or "", declaration_no
                ),
            )

        return self._on_checklist(
            checklist_id,
            command_id,
            "record_declaration_generated",
            act,
            declaration_no=declaration_no,
        )

    def record_declaration_failed(
        self, checklist_id: UUID, reason: str, *, command_id: str
    ) -> Outcome:
        """Customs could not generate the declaration (INV202 生成失败)."""
        return self._on_checklist(
            checklist_id,
            command_id,
            "record_declaration_failed",
            lambda c: c.record_declaration_failed(reason),
            reason=reason,
        )

    def release_declaration(
        self, checklist_id: UUID, released_on: date, *, command_id: str
    ) -> Outcome:
        """Customs released the checklist's declaration (放行, R-CHK-6)."""

        def act(checklist: Checklist) -> tuple[Aggregate, ...]:
            declaration = self._declaration_of(checklist)
            checklist.record_declaration_released()
            declaration.release(released_on)
            return (declaration,)

        return self._on_checklist(
            checklist_id,
            command_id,
            "release_declaration",
            act,
            released_on=released_on,
        )

    def place_declaration_under_inspection(
        self, checklist_id: UUID, *, command_id: str
    ) -> Outcome:
        """Customs places the declaration under inspection control (R-GATE-10)."""

        def act(checklist: Checklist) -> tuple[Aggregate, ...]:
            declaration = self._declaration_of(checklist)
            declaration.place_under_inspection()
            return (declaration,)

        return self._on_checklist(
            checklist_id, command_id, "place_declaration_under_inspection", act
        )

    def reconcile_posting(
        self,
        checklist_id: UUID,
        figures: tuple[tuple[str, Decimal], ...],
        *,
        command_id: str,
    ) -> Outcome:
        """Record customs' stock figures after posting a checklist (INV211).

        Differences with the ledger become findings on the ledger; nothing is
        overwritten.
        """

        def act(checklist: Checklist) -> tuple[Aggregate, ...]:
            ledger = self.get_ledger(checklist.head.ledger_id)
            ledger.reconcile(checklist.document_no or "", tuple(figures))
            return (ledger,)

        return self._on_checklist(
            checklist_id,
            command_id,
            "reconcile_posting",
            act,
            figures=[(p, str(q)) for p, q in figures],
        )

    def _on_written_off(self, checklist_nos: list[str]) -> tuple[Aggregate, ...]:
        """Mark the checklists posted in a written-off period (核扣标记 3)."""
        marked: list[Aggregate] = list(super()._on_written_off(checklist_nos))
        for number in checklist_nos:
            checklist_id = self.find_by_number(Checklist.kind, number)
            if checklist_id is None:
                # Postings made directly to the ledger have no checklist here.
                continue
            checklist = self.get_checklist(checklist_id)
            checklist.record_written_off()
            marked.append(checklist)
        return tuple(marked)

    def _declaration_of(self, checklist: Checklist) -> CustomsDeclaration:
        declaration = self.get_declaration(checklist.id)
        if declaration is None:
            raise ValidationError(
                "customs has generated no declaration for this checklist",
                rule="R-CHK-6",
                field="checklist_id",
            )
        return declaration

    def post_checklist(
        self, checklist_id: UUID, posted_on: date, *, command_id: str
    ) -> Outcome:
        """Post a released, crossed checklist to its ledger, exactly once (R-CHK-7).

        Import lines increase the stock, export lines deduct it, according to the
        checklist's posting mode. A deduction the stock cannot cover is refused:
        the ledger stays as it was and the checklist records the refusal
        (``posting_refusal``) for the enterprise and customs to see (R-LEDGER-4).
        """

        def act(checklist: Checklist) -> tuple[Aggregate, ...]:
            checklist.require_postable()
            ledger = self.get_ledger(checklist.head.ledger_id)
            direction, lines = self._posting_of(checklist)
            checklist_no = checklist.document_no or ""
            mode = checklist.head.posting_mode
            try:
                if mode is PostingMode.CHECK_ONLY and direction is Direction.OUT:
                    for line in lines:
                        available = ledger.stock_of(line.part_no)
                        if line.quantity > available:
                            raise InsufficientStockError(
                                ledger.ledger_no, line.part_no, line.quantity, available
                            )
                if mode in (
                    PostingMode.DIRECT,
                    PostingMode.REVERSE,
                    PostingMode.BONDED_WAREHOUSE,
                ):
                    ledger.post(checklist_no, direction, lines, posted_on)
            except InsufficientStockError as refused:
                checklist.record_posting_refused(str(refused))
                return ()
            checklist.record_posted(posted_on)
            return (ledger,)

        return self._on_checklist(
            checklist_id, command_id, "post_checklist", act, posted_on=posted_on
        )

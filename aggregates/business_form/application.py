"""Commands on business forms and the stock slips drawn on them (R-FORM, R-SLIP).

A stock slip's declaration, approval and void change its business form's quantities
and deposit, so form and slip are saved in one transaction: the invariants hold
without a saga.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from aggregates.business_form.model import BusinessForm, FormAmendment, SlipClaim
from aggregates.business_form.rules import (
    BusinessType,
    FormHead,
    FormLine,
    LedgerRef,
    MaterialFlag,
    UnitConsumption,
)
from aggregates.common.application import Decision
from aggregates.common.documents import (
    CustomsDecision,
    DecisionOutcome,
)
from aggregates.common.errors import ValidationError
from aggregates.common.idempotency import Outcome, fingerprint
from aggregates.common.lifecycle import Document, Request
from aggregates.common.values import Direction, Enterprise, coded
from aggregates.ledger.application import LedgerCommands
from aggregates.ledger.model import LedgerFamily
from aggregates.stock_slip.model import SlipHead, SlipLine, StockSlip


class FormCommands(LedgerCommands):
    """Commands on business forms (业务申报表) and stock slips (出入库单)."""

    value_objects = (
        *LedgerCommands.value_objects,
        FormHead,
        FormLine,
        UnitConsumption,
        LedgerRef,
        FormAmendment,
        SlipClaim,
        SlipHead,
        SlipLine,
    )

    # Business forms.

    def create_business_form(
        self,
        *,
        enterprise_doc_no: str,
        business_type: BusinessType | str,
        direction: Direction | str,
        zone_customs_code: str,
        master_customs_code: str,
        valid_until: date,
        lines: tuple[FormLine, ...],
        unit_consumptions: tuple[UnitConsumption, ...] = (),
        outside_customs_code: str = "",
        ledger: LedgerRef | None = None,
        ledger_flag: MaterialFlag | str | None = None,
    ) -> Outcome:
        """Save a new business form as a draft (R-FORM-1 … R-FORM-6).

        Enterprise codes fill in credit code and name (R-FORM-2, R-DOC-7); ledger
        serials of a logistics ledger fill in the line's goods (R-FORM-5 item 4).
        """
        head = self.form_head(
            business_type=business_type,
            direction=direction,
            zone_customs_code=zone_customs_code,
            master_customs_code=master_customs_code,
            valid_until=valid_until,
            outside_customs_code=outside_customs_code,
            ledger=ledger,
            ledger_flag=ledger_flag,
        )
        filled = self._fill_from_ledger(head, tuple(lines))

        def decide() -> Decision:
            form = BusinessForm.create(
                head, enterprise_doc_no, filled, tuple(unit_consumptions)
            )
            return (form,), form

        return self._execute(
            f"business_form/{zone_customs_code}/{enterprise_doc_no}",
            fingerprint(
                "create_business_form", head=head, lines=filled, rows=unit_consumptions
            ),
            decide,
        )

    def form_head(
        self,
        *,
        business_type: BusinessType | str,
        direction: Direction | str,
        zone_customs_code: str,
        master_customs_code: str,
        valid_until: date,
        outside_customs_code: str = "",
        ledger: LedgerRef | None = None,
        ledger_flag: MaterialFlag | str | None = None,
    ) -> FormHead:
        """A form head from codes, enterprises filled in from the register."""
        return FormHead(
            business_type=coded(BusinessType, business_type, field="business_type"),
            direction=coded(Direction, direction, field="direction"),
            zone_enterprise=self.register.lookup(
                zone_customs_code, field="zone_customs_code"
            ),
            master_customs_code=master_customs_code,
            valid_until=valid_until,
            outside_enterprise=self._optional_enterprise(outside_customs_code),
            ledger=ledger,
            ledger_flag=(
                coded(MaterialFlag, ledger_flag, field="ledger_flag")
                if ledger_flag
                else None
            ),
        )

    def modify_business_form(
        self,
        form_id: UUID,
        *,
        head: FormHead,
        lines: tuple[FormLine, ...],
        unit_consumptions: tuple[UnitConsumption, ...] = (),
        command_id: str,
    ) -> Outcome:
        """Replace the content of a modifiable form (R-FORM-7)."""
        form = self.get_business_form(form_id)
        previous = {line.line_no: line for line in form.lines}
        filled = self._fill_from_ledger(head, tuple(lines), previous)
        return self._on_form(
            form_id,
            command_id,
            "modify_business_form",
            lambda f: f.modify(head, filled, tuple(unit_consumptions)),
            head=head,
            lines=filled,
            rows=unit_consumptions,
        )

    def amend_business_form(
        self,
        form_id: UUID,
        *,
        lines: tuple[FormLine, ...] = (),
        unit_consumptions: tuple[UnitConsumption, ...] = (),
        command_id: str,
    ) -> Outcome:
        """Declare an amendment that adds lines or unit consumptions (R-FORM-8)."""
        form = self.get_business_form(form_id)
        amendment = FormAmendment(
            lines=self._fill_from_ledger(form.head, tuple(lines)),
            unit_consumptions=tuple(unit_consumptions),
        )
        return self._on_form(
            form_id,
            command_id,
            "amend_business_form",
            lambda f: f.declare_amendment(amendment),
            amendment=amendment,
        )

    def declare_close_out(self, form_id: UUID, *, command_id: str) -> Outcome:
        """Ask customs to close out an approved form (R-FORM-9)."""
        return self._on_form(
            form_id, command_id, "declare_close_out", BusinessForm.declare_close_out
        )

    def collect_deposit(
        self, form_id: UUID, amount: Decimal, *, command_id: str
    ) -> Outcome:
        """Record a guarantee deposit customs levied on an approved form (R-FORM-1).

        Customs levies it after approval on a levy bill (保证金征收单) whose
        amount travels on no receipt; it is entered as a customs command.
        """
        return self._on_form(
            form_id,
            command_id,
            "collect_deposit",
            lambda form: form.collect_deposit(amount),
            amount=amount,
        )

    def copy_business_form(self, form_id: UUID, *, enterprise_doc_no: str) -> Outcome:
        """Make a new draft from an existing form."""
        source = self.get_business_form(form_id)

        def decide() -> Decision:
            copy = source.copy(enterprise_doc_no)
            return (copy,), copy

        return self._execute(
            f"business_form/{source.head.zone_enterprise.customs_code}/{enterprise_doc_no}",
            fingerprint("copy_business_form", source=form_id),
            decide,
        )

    def get_business_form(self, form_id: UUID) -> BusinessForm:
        """Return a business form."""
        return self._load(BusinessForm, form_id)

    def _on_form(
        self,
        form_id: UUID,
        command_id: str,
        command: str,
        act: Callable[[BusinessForm], object],
        **fields: Any,
    ) -> Outcome:
        def on_document(document: Document) -> None:
            if not isinstance(document, BusinessForm):
                raise ValidationError(
                    f"document {form_id} is not a business form", field="form_id"
                )
            act(document)

        return self._act(
            form_id, command_id, command, on_document, expected=BusinessForm, **fields
        )

    def _optional_enterprise(self, customs_code: str) -> Enterprise | None:
        if not customs_code:
            return None
        return self.register.lookup(customs_code, field="outside_customs_code")

    def _fill_from_ledger(
        self,
        head: FormHead,
        lines: tuple[FormLine, ...],
        previous: dict[int, FormLine] | None = None,
    ) -> tuple[FormLine, ...]:
        """Fill lines naming a logistics ledger serial from that line (R-FORM-5 item 4).

        A line already filled in keeps what it had (item 5 is checked by the form).
        Serials of a processing-trade ledger cannot be checked here.
        TODO: look processing-trade serials up once the sister system's ledgers are
        reachable; until then a wrong serial there is caught only by customs.
        """
        ledger = head.ledger
        if ledger is None or ledger.family is not LedgerFamily.LOGISTICS:
            return lines
        filled = []
        for line in lines:
            if line.ledger_serial is None:
                filled.append(line)
                continue
            earlier = (previous or {}).get(line.line_no)
            if (
                earlier is not None
                and earlier.filled_from_ledger
                and earlier.ledger_serial == line.ledger_serial
            ):
                filled.append(
                    replace(
                        line,
                        part_no=earlier.part_no,
                        hs_code=earlier.hs_code,
                        name=earlier.name,
                        filled_from_ledger=True,
                    )
                )
                continue
            found = self.ledger_line(ledger.ledger_no, line.ledger_serial)
            if found is None:
                raise ValidationError(
                    f"ledger {ledger.ledger_no} has no line with serial "
                    f"{line.ledger_serial}",
                    rule="R-FORM-5",
                    field=f"lines[{line.line_no}].ledger_serial",
                )
            filled.append(
                replace(
                    line,
                    part_no=found.part_no,
                    hs_code=found.hs_code,
                    name=found.name,
                    unit=found.unit,
                    filled_from_ledger=True,
                )
            )
        return tuple(filled)

    # Stock slips.

    def create_stock_slip(
        self,
        *,
        enterprise_doc_no: str,
        business_form_id: UUID,
        lines: tuple[SlipLine, ...],
    ) -> Outcome:
        """Save a new stock slip as a draft against an approved form (R-SLIP-1, 2)."""
        form = self.get_business_form(business_form_id)
        if form.document_no is None:
            raise ValidationError(
                "a stock slip is drawn on an approved business form",
                rule="R-SLIP-2",
                field="business_form_id",
            )
        head = SlipHead(
            business_form_id=form.id,
            business_form_no=form.document_no,
            business_type=form.head.business_type,
            direction=form.head.direction,
            zone_enterprise=form.head.zone_enterprise,
        )
        for line in lines:
            if form.line(line.form_line_no) is None:
                raise ValidationError(
                    f"business form has no line {line.form_line_no}",
                    rule="R-SLIP-2",
                    field=f"lines[{line.line_no}].form_line_no",
                )

        def decide() -> Decision:
            slip = StockSlip.create(head, enterprise_doc_no, tuple(lines))
            return (slip,), slip

        return self._execute(
            f"stock_slip/{head.zone_enterprise.customs_code}/{enterprise_doc_no}",
            fingerprint("create_stock_slip", head=head, lines=lines),
            decide,
        )

    def modify_stock_slip(
        self, slip_id: UUID, lines: tuple[SlipLine, ...], *, command_id: str
    ) -> Outcome:
        """Replace the lines of a modifiable slip (R-DOC-3)."""

        def act(document: Document) -> None:
            slip = self._as_slip(document)
            form = self.get_business_form(slip.head.business_form_id)
            for line in lines:
                if form.line(line.form_line_no) is None:
                    raise ValidationError(
                        f"business form has no line {line.form_line_no}",
                        rule="R-SLIP-2",
                        field=f"lines[{line.line_no}].form_line_no",
                    )
            slip.modify(tuple(lines))

        return self._act(slip_id, command_id, "modify_stock_slip", act, lines=lines)

    def get_stock_slip(self, slip_id: UUID) -> StockSlip:
        """Return a stock slip."""
        return self._load(StockSlip, slip_id)

    def copy_stock_slip(self, slip_id: UUID, *, enterprise_doc_no: str) -> Outcome:
        """Make a new draft from an existing slip."""
        source = self.get_stock_slip(slip_id)

        def decide() -> Decision:
            copy = source.copy(enterprise_doc_no)
            return (copy,), copy

        return self._execute(
            f"stock_slip/{source.head.zone_enterprise.customs_code}/{enterprise_doc_no}",
            fingerprint("copy_stock_slip", source=slip_id),
            decide,
        )

    @staticmethod
    def _as_slip(document: Document) -> StockSlip:
        if not isinstance(document, StockSlip):
            raise ValidationError(
                f"document {document.id} is not a stock slip", field="slip_id"
            )
        return document

    # What declarations and decisions of slips and forms do to the other aggregate.

    def _on_declare(self, document: Document) -> tuple[Aggregate, ...]:
        """Claim a declared slip's quantities and deposit on its form (R-SLIP-2, 3)."""
        if not isinstance(document, StockSlip):
            return super()._on_declare(document)
        form = self.get_business_form(document.head.business_form_id)
        form.claim(document.id, document.quantities, document.amount)
        return (form,)

    def _on_decision(
        self, document: Document, decision: CustomsDecision, request: Request | None
    ) -> tuple[Aggregate, ...]:
        """Collect a form's deposit; draw or release a slip's claim on its form."""
        approved = decision.outcome is DecisionOutcome.APPROVED
        if isinstance(document, BusinessForm):
            if approved and request is Request.FILING and decision.deposit:
                document.collect_deposit(Decimal(decision.deposit))
            return ()
        if not isinstance(document, StockSlip):
            return super()._on_decision(document, decision, request)
        form = self.get_business_form(document.head.business_form_id)
        if request is Request.FILING and approved:
            form.draw_deposit(document.id)
        elif (
            request is Request.FILING
            and decision.outcome
            in (
                DecisionOutcome.REJECTED,
                DecisionOutcome.RECEIVE_FAILED,
            )
        ) or (request is Request.VOID and approved):
            form.release(document.id)
        else:
            return ()
        return (form,)

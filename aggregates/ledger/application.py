"""Commands on ledgers: filing, amendment, posting and write-off (R-LEDGER-1 … 7)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from aggregates.common.documents import (
    DocumentApplication,
)
from aggregates.common.errors import ValidationError
from aggregates.common.idempotency import Outcome, fingerprint
from aggregates.common.lifecycle import Document
from aggregates.common.values import Direction, coded
from aggregates.ledger.model import (
    AreaType,
    Ledger,
    LedgerAmendment,
    LedgerHead,
    LedgerLine,
    LineChange,
    PostingLine,
    WriteOff,
    WriteOffKind,
)
from aggregates.register.application import EnterpriseLookup


class LedgerCommands(DocumentApplication):
    """Commands on logistics ledgers (物流账册), the base of the zone's commands.

    The register fills in enterprises from their customs codes (R-DOC-7).
    """

    value_objects = (
        *DocumentApplication.value_objects,
        LedgerHead,
        LedgerLine,
        PostingLine,
        LineChange,
        LedgerAmendment,
        WriteOff,
    )

    def __init__(
        self, env: Mapping[str, str] | None = None, *, register: EnterpriseLookup
    ) -> None:
        super().__init__(env)
        self.register = register

    def file_ledger(
        self,
        *,
        enterprise_doc_no: str,
        operating_customs_code: str,
        master_customs_code: str,
        area_type: AreaType | str,
        house_no: str,
        house_name: str,
        house_address: str,
        valid_until: date,
        storage_period_months: int = 12,
    ) -> Outcome:
        """File a ledger as a draft (备案, R-LEDGER-1): head only, no lines.

        The operating enterprise's customs code fills in its credit code and name
        from the register (R-DOC-7). The enterprise's own number is the key.
        """
        head = self.ledger_head(
            operating_customs_code=operating_customs_code,
            master_customs_code=master_customs_code,
            area_type=area_type,
            house_no=house_no,
            house_name=house_name,
            house_address=house_address,
            valid_until=valid_until,
            storage_period_months=storage_period_months,
        )

        def decide() -> tuple[tuple[Aggregate, ...], Aggregate]:
            ledger = Ledger.file(head, enterprise_doc_no)
            return (ledger,), ledger

        return self._execute(
            f"ledger/{operating_customs_code}/{enterprise_doc_no}",
            fingerprint("file_ledger", head=head),
            decide,
        )

    def ledger_head(
        self,
        *,
        operating_customs_code: str,
        master_customs_code: str,
        area_type: AreaType | str,
        house_no: str,
        house_name: str,
        house_address: str,
        valid_until: date,
        storage_period_months: int = 12,
    ) -> LedgerHead:
        """A ledger head from codes, the enterprise filled in from the register."""
        return LedgerHead(
            operating_enterprise=self.register.lookup(
                operating_customs_code, field="operating_customs_code"
            ),
            master_customs_code=master_customs_code,
            area_type=coded(AreaType, area_type, field="area_type"),
            house_no=house_no,
            house_name=house_name,
            house_address=house_address,
            valid_until=valid_until,
            storage_period_months=storage_period_months,
        )

    def copy_ledger(self, ledger_id: UUID, *, enterprise_doc_no: str) -> Outcome:
        """Make a new draft ledger from an existing one's head."""
        source = self.get_ledger(ledger_id)
        customs_code = source.head.operating_enterprise.customs_code

        def decide() -> tuple[tuple[Aggregate, ...], Aggregate]:
            copy = source.copy(enterprise_doc_no)
            return (copy,), copy

        return self._execute(
            f"ledger/{customs_code}/{enterprise_doc_no}",
            fingerprint("copy_ledger", source=ledger_id),
            decide,
        )

    def get_ledger(self, ledger_id: UUID) -> Ledger:
        """Return a ledger."""
        return self._load(Ledger, ledger_id)

    def ledger_line(self, ledger_no: str, serial: int) -> LedgerLine | None:
        """Return a line of a ledger by customs number and serial (R-FORM-5)."""
        ledger = self.find_ledger(ledger_no)
        return ledger.line_by_serial(serial) if ledger else None

    def find_ledger(self, ledger_no: str) -> Ledger | None:
        """Return the ledger with this customs number, if there is one."""
        ledger_id = self.find_by_number(Ledger.kind, ledger_no)
        return self.get_ledger(ledger_id) if ledger_id else None

    def _on_ledger(
        self,
        ledger_id: UUID,
        command_id: str,
        command: str,
        act: Callable[[Ledger], Any],
        **fields: Any,
    ) -> Outcome:
        def on_document(document: Document) -> tuple[Aggregate, ...]:
            if not isinstance(document, Ledger):
                raise ValidationError(
                    f"document {ledger_id} is not a ledger", field="ledger_id"
                )
            others = act(document)
            return others if isinstance(others, tuple) else ()

        return self._act(ledger_id, command_id, command, on_document, **fields)

    def modify_ledger(
        self, ledger_id: UUID, head: LedgerHead, *, command_id: str
    ) -> Outcome:
        """Change a draft or returned ledger's head (R-DOC-3)."""
        return self._on_ledger(
            ledger_id,
            command_id,
            "modify_ledger",
            lambda ledger: ledger.modify(head),
            head=head,
        )

    def amend_ledger(
        self,
        ledger_id: UUID,
        head: LedgerHead,
        line_changes: tuple[LineChange, ...] = (),
        *,
        command_id: str,
    ) -> Outcome:
        """Declare an amendment of an approved ledger (R-LEDGER-3)."""
        amendment = LedgerAmendment(head=head, line_changes=tuple(line_changes))
        return self._on_ledger(
            ledger_id,
            command_id,
            "amend_ledger",
            lambda ledger: ledger.declare_amendment(amendment),
            amendment=amendment,
        )

    def post_to_ledger(
        self,
        ledger_id: UUID,
        *,
        checklist_no: str,
        direction: Direction | str,
        lines: tuple[PostingLine, ...],
        posted_on: date,
    ) -> Outcome:
        """Post a checklist to the ledger, once (R-LEDGER-2, R-LEDGER-4)."""
        return self._on_ledger(
            ledger_id,
            f"post/{ledger_id}/{checklist_no}",
            "post_to_ledger",
            lambda ledger: ledger.post(
                checklist_no,
                coded(Direction, direction, field="direction"),
                tuple(lines),
                posted_on,
            ),
            checklist_no=checklist_no,
            direction=str(direction),
            lines=lines,
            posted_on=posted_on,
        )

    def declare_write_off(
        self,
        ledger_id: UUID,
        period_start: date,
        period_end: date,
        kind: WriteOffKind | str = WriteOffKind.NORMAL,
        *,
        command_id: str,
    ) -> Outcome:
        """Declare a write-off (报核) of a period (R-LEDGER-6)."""
        return self._on_ledger(
            ledger_id,
            command_id,
            "declare_write_off",
            lambda ledger: ledger.declare_write_off(
                period_start, period_end, coded(WriteOffKind, kind, field="kind")
            ),
            period_start=period_start,
            period_end=period_end,
            kind=str(kind),
        )

    def request_supplementary_declaration(
        self, ledger_id: UUID, reason: str, *, command_id: str
    ) -> Outcome:
        """Record that customs asks for a supplementary write-off declaration."""
        return self._on_ledger(
            ledger_id,
            command_id,
            "request_supplementary_declaration",
            lambda ledger: ledger.request_supplementary_declaration(reason),
            reason=reason,
        )

    def return_write_off_result(
        self, ledger_id: UUID, accepted: bool, note: str = "", *, command_id: str
    ) -> Outcome:
        """Record customs' write-off result."""
        return self._on_ledger(
            ledger_id,
            command_id,
            "return_write_off_result",
            lambda ledger: ledger.return_write_off_result(accepted, note),
            accepted=accepted,
            note=note,
        )

    def confirm_write_off_result(self, ledger_id: UUID, *, command_id: str) -> Outcome:
        """Confirm the write-off result (核销结果确认)."""
        return self._on_ledger(
            ledger_id,
            command_id,
            "confirm_write_off_result",
            lambda ledger: self._on_written_off(ledger.confirm_write_off_result()),
        )

    def _on_written_off(self, checklist_nos: list[str]) -> tuple[Aggregate, ...]:
        """Mark the checklists of a written-off period; checklists do (R-LEDGER-6)."""
        return ()

"""The checklist (保税核注清单) and its customs declaration (报关单), R-CHK-1 … 8.

A checklist names a ledger and the goods it moves into (import) or out of (export)
the zone. Customs approves it, which books its lines on the ledger provisionally
(预核扣); if it asks for one, customs then generates its declaration and later
releases it. When the declaration is released and all its goods have crossed the
gate (for a checklist without a declaration, when the goods have crossed), the
checklist is posted to the ledger (核扣), exactly once.

The code tables are those of the customs messages; their values are the wire codes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from aggregates.common.carriage import CarriedDocument
from aggregates.common.errors import InvalidTransitionError, ValidationError
from aggregates.common.lifecycle import State, document_id
from aggregates.common.values import (
    Direction,
    Enterprise,
    check_hs_code,
    check_text,
    to_decimal,
)


class ChecklistType(StrEnum):
    """清单类型 (bondInvtTypecd)."""

    ORDINARY = "0"
    CONSOLIDATED = "1"
    ENTER_FIRST = "3"
    SIMPLE_PROCESSING = "4"
    BONDED_EXHIBITION = "5"
    INTRA_ZONE_TRANSFER = "6"
    ZONE_PORT_LINKAGE = "7"
    BONDED_ECOMMERCE = "8"
    DOMESTIC_SALE = "9"


class GoodsFlag(StrEnum):
    """料件成品标记 on a checklist: I material, E product."""

    MATERIAL = "I"
    PRODUCT = "E"


class CustomsFlag(StrEnum):
    """报关标志 (DclcusFlag): whether the goods are declared to customs."""

    DECLARED = "1"
    NOT_DECLARED = "2"


class DeclarationKind(StrEnum):
    """报关类型 (DclcusTypecd): related (关联) or corresponding (对应) declaration."""

    RELATED = "1"
    CORRESPONDING = "2"


class DeclarationType(StrEnum):
    """报关单类型 (DecType) of the generated declaration."""

    IMPORT = "1"
    EXPORT = "2"
    ENTRY_RECORD = "3"
    EXIT_RECORD = "4"
    ENTRY_TWO_IN_ONE_RECORD = "5"
    EXIT_TWO_IN_ONE_RECORD = "6"
    EARLY_ENTRY_TRANSIT_RECORD = "B"
    EARLY_EXIT_TRANSIT_RECORD = "C"
    EXPORT_SECOND_TRANSIT = "F"


class PostingMode(StrEnum):
    """核扣方式 (vrfdedModecd): how the lines are posted to the ledger."""

    DIRECT = "D"
    REVERSE = "F"
    NONE = "N"
    CHECK_ONLY = "NF"
    BONDED_WAREHOUSE = "E"


class TransportMode(StrEnum):
    """运输方式 (trspModecd)."""

    NON_BONDED_AREA = "0"
    BONDED_WAREHOUSE_SUPERVISED = "1"
    WATERWAY = "2"
    RAILWAY = "3"
    ROAD = "4"
    AIR = "5"
    POST = "6"
    BONDED_AREA = "7"
    BONDED_WAREHOUSE = "8"
    OTHER = "9"
    BORDER_SPECIAL_AREA = "H"
    COMPREHENSIVE_TEST_AREA = "T"
    LOGISTICS_CENTRE = "W"
    LOGISTICS_PARK = "X"
    BONDED_PORT_AREA = "Y"
    EXPORT_PROCESSING_ZONE = "Z"


class PostingMark(StrEnum):
    """核扣标记 (vrfdedMarkcd): where the checklist's posting stands."""

    NOT_POSTED = "0"
    PROVISIONAL = "1"
    POSTED = "2"
    WRITTEN_OFF = "3"


SUPERVISION_MODE = re.compile(r"[0-9]{4}")
FOUR_DIGITS = re.compile(r"[0-9]{4}")
COUNTRY = re.compile(r"[0-9A-Z]{3}")


@dataclass(frozen=True)
class ChecklistHead:
    """The head of a checklist (清单表头).

    Operating enterprise and consignee are filled in from the ledger (R-CHK-2).
    """

    ledger_no: str
    ledger_id: UUID
    direction: Direction
    checklist_type: ChecklistType
    goods_flag: GoodsFlag
    supervision_mode: str
    transport_mode: TransportMode
    port_code: str
    master_customs_code: str
    country_code: str
    customs_flag: CustomsFlag
    operating_enterprise: Enterprise
    consignee: Enterprise
    declaring_enterprise: Enterprise
    declaration_kind: DeclarationKind | None = None
    generate_declaration: bool = False
    declaration_type: DeclarationType | None = None
    posting_mode: PostingMode = PostingMode.DIRECT
    business_form_no: str = ""
    note: str = ""

    @property
    def needs_declaration(self) -> bool:
        """Whether customs generates a declaration for it (R-CHK-5)."""
        return self.customs_flag is CustomsFlag.DECLARED and self.generate_declaration


@dataclass(frozen=True)
class ChecklistLine:
    """A checklist line (清单表体).

    ``ledger_serial`` names the ledger line whose goods data filled it (R-CHK-3);
    ``new_part`` marks an import line whose part the ledger does not know yet, which
    files a ledger line when posted (R-LEDGER-2).
    """

    line_no: int
    part_no: str
    hs_code: str
    name: str
    unit: str
    quantity: Decimal
    unit_price: Decimal
    currency: str = "142"
    origin_country: str = "142"
    destination_country: str = "142"
    ledger_serial: int | None = None
    new_part: bool = False

    @property
    def amount(self) -> Decimal:
        """The line's value."""
        return self.quantity * self.unit_price


def check_checklist_head(head: ChecklistHead) -> ChecklistHead:
    """Validate a checklist head: codes and the fields that depend on others."""
    checks = (
        ("supervision_mode", SUPERVISION_MODE, head.supervision_mode),
        ("port_code", FOUR_DIGITS, head.port_code),
        ("master_customs_code", FOUR_DIGITS, head.master_customs_code),
        ("country_code", COUNTRY, head.country_code),
    )
    for field, pattern, value in checks:
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise ValidationError(
                f"{field} {value!r} is not a valid code", rule="R-DOC-6", field=field
            )
    for enumeration, field, value in (
        (Direction, "direction", head.direction),
        (ChecklistType, "checklist_type", head.checklist_type),
        (GoodsFlag, "goods_flag", head.goods_flag),
        (TransportMode, "transport_mode", head.transport_mode),
        (CustomsFlag, "customs_flag", head.customs_flag),
        (PostingMode, "posting_mode", head.posting_mode),
    ):
        if value not in set(enumeration):
            raise ValidationError(
                f"{field} {value!r} is not in its code table",
                rule="R-DOC-6",
                field=field,
            )
    if head.customs_flag is CustomsFlag.DECLARED and head.declaration_kind is None:
        raise ValidationError(
            "a checklist declared to customs needs its declaration kind",
            rule="R-DOC-6",
            field="declaration_kind",
        )
    if head.customs_flag is CustomsFlag.NOT_DECLARED and (
        head.declaration_kind is not None or head.generate_declaration
    ):
        raise ValidationError(
            "a checklist not declared to customs has no declaration",
            rule="R-DOC-6",
            field="generate_declaration",
        )
    if head.generate_declaration and head.declaration_type is None:
        raise ValidationError(
            "a checklist that generates a declaration needs its declaration type",
            rule="R-CHK-5",
            field="declaration_type",
        )
    if not head.generate_declaration and head.declaration_type is not None:
        raise ValidationError(
            "a declaration type is given but no declaration is generated",
            rule="R-CHK-5",
            field="declaration_type",
        )
    check_text(head.note, field="note", max_length=4000, required=False)
    check_text(
        head.business_form_no, field="business_form_no", max_length=64, required=False
    )
    return head


def check_checklist_lines(
    lines: tuple[ChecklistLine, ...], direction: Direction
) -> tuple[ChecklistLine, ...]:
    """Validate the lines: numbered 1..n, well-formed goods, positive quantities."""
    if not lines:
        raise ValidationError(
            "a checklist needs at least one line", rule="R-DOC-1", field="lines"
        )
    numbers = [line.line_no for line in lines]
    if numbers != list(range(1, len(lines) + 1)):
        raise ValidationError(
            "line numbers must run 1, 2, … in order", rule="R-DOC-1", field="lines"
        )
    for line in lines:
        field = f"lines[{line.line_no}]"
        check_text(line.part_no, field=f"{field}.part_no", max_length=32)
        check_hs_code(line.hs_code, field=f"{field}.hs_code")
        check_text(line.name, field=f"{field}.name", max_length=512)
        check_text(line.unit, field=f"{field}.unit", max_length=3)
        to_decimal(line.quantity, field=f"{field}.quantity")
        to_decimal(line.unit_price, field=f"{field}.unit_price", positive=False)
        for name in ("currency", "origin_country", "destination_country"):
            value = getattr(line, name)
            if not isinstance(value, str) or not COUNTRY.fullmatch(value):
                raise ValidationError(
                    f"{field}.{name} {value!r} is not a valid code",
                    rule="R-DOC-6",
                    field=f"{field}.{name}",
                )
        if line.new_part and direction is Direction.OUT:
            raise ValidationError(
                f"part {line.part_no!r} is not in the ledger; an export line must "
                f"name a ledger line",
                rule="R-CHK-3",
                field=f"{field}.ledger_serial",
            )
    return tuple(lines)


class Checklist(CarriedDocument):
    """A checklist (核注清单), import or export, posted to its ledger once.

    ``stock_slip_ids`` lists the slips of a consolidated checklist (集报清单,
    R-CONS-2); their own gate passes carry its goods.
    """

    kind = "checklist"

    @staticmethod
    def create_id(
        head: ChecklistHead, enterprise_doc_no: str, *_: Any, **__: Any
    ) -> UUID:
        """Derive the id from the operating enterprise and its own number."""
        return document_id(
            "checklist", head.operating_enterprise.customs_code, enterprise_doc_no
        )

    @event("Created")
    def __init__(
        self,
        head: ChecklistHead,
        enterprise_doc_no: str,
        lines: tuple[ChecklistLine, ...],
        stock_slip_ids: tuple[str, ...] = (),
    ) -> None:
        self._start_lifecycle()
        self._start_carriage()
        self.enterprise_doc_no = enterprise_doc_no
        self.head = head
        self.lines = tuple(lines)
        self.stock_slip_ids = tuple(stock_slip_ids)
        self.slips_crossed: tuple[str, ...] = ()
        self.declaration_no: str | None = None
        self.declaration_released = False
        self.declaration_failure: str | None = None
        self.posted_on: date | None = None
        self.posting_refusal: str | None = None
        self.written_off = False

    @classmethod
    def create(
        cls,
        head: ChecklistHead,
        enterprise_doc_no: str,
        lines: tuple[ChecklistLine, ...],
        stock_slip_ids: tuple[str, ...] = (),
    ) -> Checklist:
        """Save a new checklist as a draft (R-CHK-1)."""
        check_text(enterprise_doc_no, field="enterprise_doc_no", max_length=64)
        check_checklist_head(head)
        is_consolidated = head.checklist_type is ChecklistType.CONSOLIDATED
        if is_consolidated != bool(stock_slip_ids):
            raise ValidationError(
                "a consolidated checklist (type 1) is generated from stock slips, "
                "and only it lists them",
                rule="R-CONS-2",
                field="checklist_type",
            )
        return cls(
            head,
            enterprise_doc_no,
            check_checklist_lines(tuple(lines), head.direction),
            tuple(stock_slip_ids),
        )

    def copy(self, enterprise_doc_no: str) -> Checklist:
        """Make a new draft from this checklist (R-CHK-4).

        A consolidated checklist cannot be copied: its slips belong to it alone
        (R-CONS-5).
        """
        if self.stock_slip_ids:
            raise ValidationError(
                "a consolidated checklist cannot be copied; its slips belong to it",
                rule="R-CONS-5",
                field="checklist_id",
            )
        return Checklist.create(self.head, enterprise_doc_no, self.lines)

    def modify(self, head: ChecklistHead, lines: tuple[ChecklistLine, ...]) -> None:
        """Replace head and lines of a modifiable checklist (R-DOC-3, R-CONS-4).

        A consolidated checklist keeps its type and ledger; its head is completed
        by the enterprise before it is declared.
        """
        self.require_modifiable()
        check_checklist_head(head)
        if self.stock_slip_ids and (
            head.checklist_type is not ChecklistType.CONSOLIDATED
            or head.ledger_id != self.head.ledger_id
            or head.direction is not self.head.direction
        ):
            raise ValidationError(
                "a consolidated checklist keeps its type, ledger and direction",
                rule="R-CONS-4",
                field="head",
            )
        if head.checklist_type is ChecklistType.CONSOLIDATED and not (
            self.stock_slip_ids
        ):
            raise ValidationError(
                "only a checklist generated from stock slips is consolidated",
                rule="R-CONS-2",
                field="checklist_type",
            )
        self._modify(head, check_checklist_lines(tuple(lines), head.direction))

    @event("Modified")
    def _modify(self, head: ChecklistHead, lines: tuple[ChecklistLine, ...]) -> None:
        self.head = head
        self.lines = tuple(lines)

    # The declaration (报关单): R-CHK-5, R-CHK-6.

    def _require_approved(self, command: str, rule: str) -> None:
        if self.state is not State.APPROVED:
            raise InvalidTransitionError(
                command, self.state, rule=rule, allowed=(str(State.APPROVED),)
            )

    def record_declaration_generated(self, declaration_no: str) -> None:
        """Record the declaration customs generated for the approved checklist."""
        self._require_approved("generate the declaration of", "R-CHK-5")
        if not self.head.needs_declaration:
            raise ValidationError(
                "this checklist asks for no declaration",
                rule="R-CHK-5",
                field="generate_declaration",
            )
        if self.declaration_no is not None:
            if self.declaration_no == declaration_no:
                return
            raise ValidationError(
                f"the checklist already has declaration {self.declaration_no}",
                rule="R-CHK-5",
                field="declaration_no",
            )
        check_text(declaration_no, field="declaration_no", max_length=18)
        self._declaration_generated(declaration_no)

    @event("DeclarationGenerated")
    def _declaration_generated(self, declaration_no: str) -> None:
        self.declaration_no = declaration_no
        self.declaration_failure = None

    def record_declaration_failed(self, reason: str) -> None:
        """Record that customs could not generate the declaration (生成失败)."""
        self._require_approved("fail the declaration of", "R-CHK-5")
        if self.declaration_no is None:
            self._declaration_failed(reason)

    @event("DeclarationGenerationFailed")
    def _declaration_failed(self, reason: str) -> None:
        self.declaration_failure = reason

    def record_declaration_released(self) -> None:
        """Record that customs released the declaration (放行, R-CHK-6)."""
        if self.declaration_no is None:
            raise ValidationError(
                "the checklist has no declaration to release",
                rule="R-CHK-6",
                field="declaration_no",
            )
        if not self.declaration_released:
            self._declaration_released()

    @event("DeclarationReleased")
    def _declaration_released(self) -> None:
        self.declaration_released = True

    # Gate crossings of a consolidated checklist's slips.

    def record_slip_crossed(self, slip_id: str) -> None:
        """Record that goods of one of its stock slips crossed the gate."""
        if slip_id in self.stock_slip_ids and slip_id not in self.slips_crossed:
            self._slip_crossed(slip_id)

    @event("StockSlipCrossed")
    def _slip_crossed(self, slip_id: str) -> None:
        self.slips_crossed = (*self.slips_crossed, slip_id)

    @property
    def goods_crossed(self) -> bool:
        """Whether all its goods crossed: its own gate passes, or its slips'."""
        if self.stock_slip_ids:
            return set(self.slips_crossed) == set(self.stock_slip_ids)
        return super().goods_crossed

    # Posting (核扣): R-CHK-7.

    @property
    def posting_mark(self) -> PostingMark:
        """核扣标记: not posted, provisional (approved), posted, written off."""
        if self.written_off:
            return PostingMark.WRITTEN_OFF
        if self.posted_on is not None:
            return PostingMark.POSTED
        if self.document_no is not None and self.state is State.APPROVED:
            return PostingMark.PROVISIONAL
        return PostingMark.NOT_POSTED

    def status_view(self) -> dict[str, Any]:
        """Declaration, posting and its refusal, for the portal and the print."""
        return {
            "declaration_no": self.declaration_no,
            "declaration_released": self.declaration_released,
            "posted_on": self.posted_on.isoformat() if self.posted_on else None,
            "posting_refusal": self.posting_refusal,
        }

    def posting_blockers(self) -> list[str]:
        """What still stands between the checklist and its posting (R-CHK-7)."""
        blockers = []
        if self.state is not State.APPROVED:
            blockers.append(f"the checklist is {self.state}, not approved")
        if self.posted_on is not None:
            blockers.append("the checklist is already posted")
        if self.head.needs_declaration and not self.declaration_released:
            blockers.append("its declaration is not released")
        if not self.goods_crossed:
            blockers.append("not all its goods have crossed the gate")
        return blockers

    def require_postable(self) -> None:
        """Refuse unless the checklist may be posted now (R-CHK-7)."""
        blockers = self.posting_blockers()
        if blockers:
            raise ValidationError(
                "cannot post the checklist: " + "; ".join(blockers),
                rule="R-CHK-7",
                field="checklist_id",
            )

    def record_posted(self, posted_on: date) -> None:
        """Record that the ledger took the posting."""
        self.require_postable()
        self._posted(posted_on)

    @event("Posted")
    def _posted(self, posted_on: date) -> None:
        self.posted_on = posted_on
        self.posting_refusal = None

    def record_posting_refused(self, reason: str) -> None:
        """Record, for the enterprise and customs to see, that the ledger refused."""
        self._posting_refused(reason)

    @event("PostingRefused")
    def _posting_refused(self, reason: str) -> None:
        self.posting_refusal = reason

    def record_written_off(self) -> None:
        """Mark a posted checklist written off with its ledger's period (R-LEDGER-6)."""
        if self.posted_on is not None and not self.written_off:
            self._written_off()

    @event("WrittenOff")
    def _written_off(self) -> None:
        self.written_off = True


DECLARATION_NAMESPACE = uuid5(NAMESPACE_URL, "urn:bonded-backbone:declaration")


class CustomsDeclaration(Aggregate):
    """The customs declaration (报关单) customs generates for one checklist.

    Checklist and declaration are one-to-one (R-CHK-5): the id derives from the
    checklist's. Customs reviews and releases it (R-CHK-6) and may place it under
    inspection control (R-GATE-10).
    """

    @staticmethod
    def create_id(checklist_id: UUID, *_: Any) -> UUID:
        """One declaration per checklist."""
        return uuid5(DECLARATION_NAMESPACE, str(checklist_id))

    @event("Generated")
    def __init__(
        self, checklist_id: UUID, checklist_no: str, declaration_no: str
    ) -> None:
        self.checklist_id = checklist_id
        self.checklist_no = checklist_no
        self.declaration_no = declaration_no
        self.released_on: date | None = None
        self.under_inspection = False

    @property
    def is_released(self) -> bool:
        """Whether customs released the declaration."""
        return self.released_on is not None

    def release(self, released_on: date) -> None:
        """Record the release (放行); a repeated release changes nothing."""
        if self.released_on is None:
            self._release(released_on)

    @event("Released")
    def _release(self, released_on: date) -> None:
        self.released_on = released_on

    def place_under_inspection(self) -> None:
        """Customs places the declaration under inspection control (布控)."""
        if not self.under_inspection:
            self._place_under_inspection()

    @event("PlacedUnderInspection")
    def _place_under_inspection(self) -> None:
        self.under_inspection = True

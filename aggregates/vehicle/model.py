"""The vehicle filing (车辆信息, SAS131): a truck the zone's gate knows.

Filed like every document (R-VEH-1), amended only after approval (R-VEH-2). Which
gate pass a vehicle carries at a time is kept by ``VehicleAssignment`` in the gate
pass package, so that a truck need not be filed here to cross (many zones register
trucks in local systems, ``messages.md`` §3.10).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from aggregates.common.errors import ValidationError
from aggregates.common.lifecycle import Document, Request, document_id
from aggregates.common.values import Enterprise, check_text, to_decimal

# A plate: a province character or letters, then letters and digits (京A12345,
# 粤Z1234港, TEST-V1 in tests). Hyphens are kept for test and temporary plates.
PLATE = re.compile(r"[\w\-]{4,16}")


class VehicleType(StrEnum):
    """Kinds of vehicle at the gate.

    TODO: the customs code table for vehicleTypecd is not public (``messages.md``
    §3.10); replace these local codes when it is, before vehicles are forwarded to
    customs.
    """

    TRUCK = "1"
    TRACTOR = "2"
    VAN = "3"
    OTHER = "9"


@dataclass(frozen=True)
class VehicleHead:
    """A vehicle filing: plate, kind, owner, tare weight."""

    vehicle_no: str
    vehicle_type: VehicleType
    owner: Enterprise
    tare_weight_kg: Decimal
    ic_card_no: str = ""


def check_vehicle(head: VehicleHead) -> VehicleHead:
    """Validate a vehicle filing (R-DOC-6)."""
    if not isinstance(head.vehicle_no, str) or not PLATE.fullmatch(head.vehicle_no):
        raise ValidationError(
            f"vehicle_no {head.vehicle_no!r} is not a plate number",
            rule="R-DOC-6",
            field="vehicle_no",
        )
    if head.vehicle_type not in set(VehicleType):
        raise ValidationError(
            f"vehicle_type {head.vehicle_type!r} is not in its code table",
            rule="R-DOC-6",
            field="vehicle_type",
        )
    to_decimal(head.tare_weight_kg, field="tare_weight_kg")
    check_text(head.ic_card_no, field="ic_card_no", max_length=128, required=False)
    return head


class Vehicle(Document):
    """A vehicle filing (车辆信息)."""

    kind = "vehicle"

    @staticmethod
    def create_id(head: VehicleHead, enterprise_doc_no: str, **_: Any) -> UUID:
        """Derive the id from the owner and its own number."""
        return document_id("vehicle", head.owner.customs_code, enterprise_doc_no)

    @event("Created")
    def __init__(self, head: VehicleHead, enterprise_doc_no: str) -> None:
        self._start_lifecycle()
        self.enterprise_doc_no = enterprise_doc_no
        self.head = head

    @classmethod
    def create(cls, head: VehicleHead, enterprise_doc_no: str) -> Vehicle:
        """Save a new vehicle filing as a draft (R-VEH-1)."""
        check_text(enterprise_doc_no, field="enterprise_doc_no", max_length=64)
        return cls(check_vehicle(head), enterprise_doc_no)

    def modify(self, head: VehicleHead) -> None:
        """Change a modifiable filing (R-DOC-3)."""
        self.require_modifiable()
        self._modify(check_vehicle(head))

    @event("Modified")
    def _modify(self, head: VehicleHead) -> None:
        self.head = head

    def declare_amendment(self, head: VehicleHead) -> None:
        """Declare an amendment (变更); only after approval (R-VEH-2)."""
        check_vehicle(head)
        if head.vehicle_no != self.head.vehicle_no:
            raise ValidationError(
                "an amendment cannot change the plate; file a new vehicle",
                rule="R-VEH-2",
                field="vehicle_no",
            )
        self._declare_request(Request.AMENDMENT, head, "R-VEH-2")

    def _apply_amendment(self, changes: Any) -> None:
        assert isinstance(changes, VehicleHead)
        self.head = changes

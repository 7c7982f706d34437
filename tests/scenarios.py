"""Scenarios shared by tests and benchmarks: whole flows through the zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from aggregates.checklist.model import PostingMark
from bonded.bootstrap import Applications
from tests.builders import (
    DECLARED_HEAD,
    a_carried_line,
    a_checklist_line,
    a_form_line,
    a_logistics_ledger_ref,
    a_slip_line,
    an_approved_checklist,
    an_approved_form,
    an_approved_gate_pass,
    an_approved_ledger,
    approve,
    cross,
)

DAY = date(2026, 12, 3)


@dataclass(frozen=True)
class ImportExport:
    """The documents of the import-and-export scenario."""

    ledger_id: UUID
    form_id: UUID
    slips: tuple[UUID, ...]
    imported: UUID
    exported: UUID
    trucks: tuple[UUID, ...]


def import_and_export(apps: Applications) -> ImportExport:
    """An import through consolidation and an export on two trucks, both posted.

    Import: type A slips under a form enter the zone on their own gate passes, are
    consolidated into one checklist, whose declaration is generated and released,
    and the checklist is posted. Export: a checklist leaves on two trucks (binding
    3), one through two gates, and is posted. Asserts each step as it goes.
    """
    zone = apps.zone
    ledger_id = an_approved_ledger(apps)

    # Import: a type A form, two slips, each through the gate on its own pass.
    form_id = an_approved_form(
        apps,
        business_type="A",
        ledger=a_logistics_ledger_ref(),
        ledger_flag="I",
        deposit="10000",
        lines=(a_form_line(1, quantity="100"), a_form_line(2, quantity="50")),
    )
    slips = []
    for n, lines in enumerate(
        (
            (a_slip_line(1, 1, "30"), a_slip_line(2, 2, "10")),
            (a_slip_line(1, 1, "20"),),
        ),
        start=1,
    ):
        slip = zone.create_stock_slip(
            enterprise_doc_no=f"TEST-S{n}", business_form_id=form_id, lines=lines
        ).aggregate_id
        zone.declare(slip, command_id=f"s{n}/d")
        zone.record_decision(slip, approve(f"TESTX{n}"), command_id=f"s{n}/a")
        gate_pass = an_approved_gate_pass(
            apps, f"TEST-GPS{n}", (slip,), vehicle_no=f"TEST-V{n}"
        )
        cross(apps, gate_pass)
        slips.append(slip)
    imported = zone.consolidate_stock_slips(
        enterprise_doc_no="TEST-CC1",
        ledger_no="TESTL000001",
        stock_slip_ids=tuple(slips),
        **DECLARED_HEAD,
    ).aggregate_id
    zone.declare(imported, command_id="cc/d")
    zone.record_decision(imported, approve("QDTEST26I000001"), command_id="cc/a")
    zone.record_declaration_generated(imported, "I2026000001", command_id="cc/g")
    zone.release_declaration(imported, DAY, command_id="cc/r")
    zone.post_checklist(imported, DAY, command_id="cc/p")

    after_import = zone.get_ledger(ledger_id)
    assert [
        (line.serial, line.part_no, line.stock, line.last_checklist_no)
        for line in sorted(after_import.lines.values(), key=lambda x: x.serial)
    ] == [
        (1, "TEST-P1", Decimal(50), "QDTEST26I000001"),
        (2, "TEST-P2", Decimal(10), "QDTEST26I000001"),
    ]
    assert zone.get_business_form(form_id).deposit_drawn == Decimal(600)

    # Export: by ledger serial, on two trucks, one through two gates.
    exported = an_approved_checklist(
        apps,
        "TEST-CE1",
        "E",
        (a_checklist_line(1, "", "15", name="", hs_code="", ledger_serial=1),),
        declaration_type="2",
    )
    zone.record_declaration_generated(exported, "E2026000001", command_id="ce/g")
    zone.release_declaration(exported, DAY, command_id="ce/r")
    trucks = [
        an_approved_gate_pass(
            apps,
            f"TEST-GPE{n}",
            (exported,),
            binding="3",
            direction="E",
            vehicle_no=f"TEST-V{n}",
            lines=(a_carried_line(1, 1, quantity),),
        )
        for n, quantity in ((1, "10"), (2, "5"))
    ]
    cross(apps, trucks[0])
    zone.record_gate_crossing(trucks[1], "first", command_id="t2/1")
    assert zone.get_checklist(exported).posting_blockers() == [
        "not all its goods have crossed the gate"
    ]
    zone.record_gate_crossing(trucks[1], "second", command_id="t2/2")
    zone.post_checklist(exported, DAY, command_id="ce/p")

    after_export = zone.get_ledger(ledger_id)
    assert after_export.stock_of("TEST-P1") == Decimal(35)
    assert after_export.stock_of("TEST-P2") == Decimal(10)
    assert after_export.lines["TEST-P1"].last_checklist_no == (
        zone.get_checklist(exported).document_no
    )
    assert after_export.bookings == {}
    for checklist in (imported, exported):
        assert zone.get_checklist(checklist).posting_mark is PostingMark.POSTED
    return ImportExport(
        ledger_id, form_id, tuple(slips), imported, exported, tuple(trucks)
    )

"""A short scripted scenario through the applications, printed as it happens."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from aggregates.business_form.rules import FormLine
from aggregates.common.documents import CustomsDecision, DecisionOutcome
from aggregates.common.errors import DomainError
from aggregates.common.values import credit_code_check_character
from aggregates.ledger.model import PostingLine
from aggregates.stock_slip.model import SlipLine
from bonded.bootstrap import Applications

ZONE = "DEMO000001"


def _credit(serial: int) -> str:
    body = f"91DE{serial:013d}"
    return body + credit_code_check_character(body)


def play(
    apps: Applications, out: Callable[[str], None] = print, run: str = "1"
) -> dict[str, str]:
    """Play one ledger, one business form and three stock slips; return the totals."""
    apps.register.register_enterprise(ZONE, _credit(1), "Demo Bonded Warehousing Co.")
    out(f"registered enterprise {ZONE}: {apps.register.lookup(ZONE).credit_code}")

    # A ledger is filed, declared and approved; two checklists post goods to it.
    ledger_id = apps.zone.file_ledger(
        enterprise_doc_no=f"DEMO-L-{run}",
        operating_customs_code=ZONE,
        master_customs_code="2244",
        area_type="Z",
        house_no="W01",
        house_name="Demo warehouse",
        house_address="1 Demo Road",
        valid_until=date(2030, 12, 31),
    ).aggregate_id
    apps.zone.declare(ledger_id, command_id=f"demo-{run}-ledger-declare")
    ledger_no = f"T2244W{run:0>6}"
    apps.zone.record_decision(
        ledger_id,
        CustomsDecision(DecisionOutcome.APPROVED, document_no=ledger_no),
        command_id=f"demo-{run}-ledger-approve",
    )
    out(f"ledger {ledger_no} approved")
    for n, (direction, qty) in enumerate((("I", "500"), ("E", "120")), start=1):
        apps.zone.post_to_ledger(
            ledger_id,
            checklist_no=f"QD{run:0>6}{n:04d}",
            direction=direction,
            lines=(
                PostingLine(
                    "PART-001", Decimal(qty), "84713000", "Notebook computer", "007"
                ),
            ),
            posted_on=date.today(),
        )
    try:
        apps.zone.post_to_ledger(
            ledger_id,
            checklist_no=f"QD{run:0>6}9999",
            direction="E",
            lines=(
                PostingLine(
                    "PART-001", Decimal("9999"), "84713000", "Notebook computer", "007"
                ),
            ),
            posted_on=date.today(),
        )
    except DomainError as refused:
        out(f"posting refused as it should be: {refused}")
    stock = apps.zone.get_ledger(ledger_id).stock_of("PART-001")
    out(f"ledger stock of PART-001: {stock}")

    # A business form with a deposit; stock slips draw on it.
    form_id = apps.zone.create_business_form(
        enterprise_doc_no=f"DEMO-F-{run}",
        business_type="H",
        direction="E",
        zone_customs_code=ZONE,
        master_customs_code="2244",
        valid_until=date(2030, 12, 31),
        lines=(
            FormLine(
                1,
                "PART-001",
                "84713000",
                "Notebook computer",
                Decimal(100),
                "007",
                Decimal(50),
                "142",
            ),
        ),
    ).aggregate_id
    apps.zone.declare(form_id, command_id=f"demo-{run}-form-declare")
    apps.zone.record_decision(
        form_id,
        CustomsDecision(
            DecisionOutcome.APPROVED, document_no=f"F2244{run:0>6}", deposit="4000"
        ),
        command_id=f"demo-{run}-form-approve",
    )
    out("business form approved with a deposit of 4000")
    for n, qty in enumerate(("40", "30", "40"), start=1):
        slip_id = apps.zone.create_stock_slip(
            enterprise_doc_no=f"DEMO-S-{run}-{n}",
            business_form_id=form_id,
            lines=(SlipLine(1, 1, Decimal(qty), Decimal(50)),),
        ).aggregate_id
        try:
            apps.zone.declare(slip_id, command_id=f"demo-{run}-slip-{n}-declare")
        except DomainError as refused:
            out(f"stock slip {n} ({qty} units) refused: {refused}")
            continue
        apps.zone.record_decision(
            slip_id,
            CustomsDecision(
                DecisionOutcome.APPROVED, document_no=f"X2244{run:0>4}{n:04d}"
            ),
            command_id=f"demo-{run}-slip-{n}-approve",
        )
        out(f"stock slip {n} ({qty} units) approved")

    form = apps.zone.get_business_form(form_id)
    totals = {
        "ledger stock": str(stock),
        "form line 1 drawn": str(form.claimed(1)),
        "deposit drawn": str(form.deposit_drawn),
        "deposit remaining": str(form.deposit_remaining),
    }
    for name, value in totals.items():
        out(f"{name}: {value}")
    return totals

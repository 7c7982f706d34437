"""A simulated day in the zone, played through the HTTP API by enterprise portals.

Each enterprise files its vehicles and its ledger, then plays ``rounds`` times:

1. an import checklist with its declaration enters on one truck (binding 2);
2. a type A business form (集报) gets its guarantee deposit; two stock slips draw
   on it and enter together on one truck (binding 1, one vehicle and two slips);
   the slips are consolidated into one checklist (集中报关);
3. an export checklist, drawn by ledger serial from the imported stock, leaves on
   two trucks (binding 3, goods lines per truck);
4. a truck registers goods at the gate (type 5) and another leaves empty (type 6).

Customs (the simulator) answers each declaration: approval, rejection (the
portal modifies and declares again) or manual review first; it generates and
releases declarations, places some vehicles under inspection control, lets
vehicles through one gate or two, and the workers post each checklist once its
goods crossed. Enterprises play in parallel threads; quantities come from a
generator seeded per enterprise, so a seed gives the same day.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bonded.portal import Portal, PortalError, Tally

VALID_UNTIL = "2030-12-31"
AREA = "2244"

# Steps reported per enterprise: vehicles (2 each) and ledger (2), then per round.
VEHICLES = 4
SETUP_STEPS = 2 * VEHICLES + 2
ROUND_STEPS = 34


@dataclass(frozen=True)
class DayPlan:
    """How big the day is and how it is drawn."""

    enterprises: int = 3
    rounds: int = 1
    seed: int = 1
    run: str = "1"

    @property
    def steps(self) -> int:
        """Progress steps of the whole day."""
        return self.enterprises * (SETUP_STEPS + self.rounds * ROUND_STEPS)


def ledger_body(code: str, doc_no: str, number: int) -> dict[str, Any]:
    """A logistics ledger of an enterprise, as its portal files it."""
    return {
        "enterprise_doc_no": doc_no,
        "operating_customs_code": code,
        "master_customs_code": AREA,
        "area_type": "Z",
        "house_no": "W1",
        "house_name": f"Warehouse of {code}",
        "house_address": f"{number} Zone Road",
        "valid_until": VALID_UNTIL,
    }


def vehicle_body(code: str, plate: str) -> dict[str, Any]:
    """A truck of an enterprise, as its portal files it."""
    return {
        "enterprise_doc_no": f"V-{plate}",
        "owner_customs_code": code,
        "vehicle_no": plate,
        "vehicle_type": "1",
        "tare_weight_kg": "8000",
    }


def enterprise_code(n: int) -> str:
    """The customs code (10 characters) of the day's n-th enterprise."""
    return f"ZD{n:08d}"


@dataclass
class Enterprise:
    """One enterprise's day: its portal, its ledger and its trucks."""

    portal: Portal
    plan: DayPlan
    number: int

    def __post_init__(self) -> None:
        self.code = self.portal.customs_code
        self.rng = random.Random(f"{self.plan.seed}/{self.number}")
        self.tag = f"{self.plan.run}-{self.number}"
        self.trucks = [f"ZD{self.tag}-T{n}" for n in range(1, VEHICLES + 1)]
        self.ledger_id = ""
        self.ledger_no = ""

    def play(self) -> None:
        """File the vehicles and the ledger, then play each round."""
        for truck in self.trucks:
            body = vehicle_body(self.code, truck)
            self.portal.submit("vehicles", self.portal.create("/v1/vehicles", body))
        body = ledger_body(self.code, f"L-{self.tag}", self.number)
        self.ledger_id = self.portal.create("/v1/ledgers", body)
        approved = self.portal.submit("ledgers", self.ledger_id, body)
        self.ledger_no = approved["document_no"]
        for round_no in range(1, self.plan.rounds + 1):
            self.play_round(round_no)

    def play_round(self, round_no: int) -> None:
        """Import, consolidate, export, and two trucks without documents."""
        mark = f"{self.tag}-R{round_no}"
        imported = self.import_goods(mark)
        consolidated = self.consolidate(mark)
        exported = self.export_goods(mark, imported)
        self.trucks_without_documents(mark)
        for checklist in (imported[0], consolidated, exported):
            self.portal.posted(checklist)

    # 1. An import checklist on one truck (binding 2).

    def import_goods(self, mark: str) -> tuple[str, dict[str, Decimal]]:
        """Declare an import of two parts and drive it in; return it and its parts."""
        parts = {
            f"P{n}-{self.code}": Decimal(self.rng.randint(20, 200)) for n in (1, 2)
        }
        lines = [
            {
                "line_no": n,
                "part_no": part,
                "hs_code": "84713000" if n == 1 else "85171200",
                "name": "Notebook computer" if n == 1 else "Mobile phone",
                "unit": "007",
                "quantity": str(quantity),
                "unit_price": str(self.rng.randint(100, 900)),
            }
            for n, (part, quantity) in enumerate(parts.items(), start=1)
        ]
        body = {
            **self._checklist_head("I", declaration_type="1"),
            "enterprise_doc_no": f"CI-{mark}",
            "ledger_no": self.ledger_no,
            "direction": "I",
            "lines": lines,
        }
        checklist = self.portal.create("/v1/checklists", body)
        self.portal.submit("checklists", checklist, body)
        self.drive(f"GI-{mark}", "2", "2", "I", self.trucks[0], [checklist])
        return checklist, parts

    # 2. Type A slips on one truck (binding 1), then consolidated.

    def consolidate(self, mark: str) -> str:
        """A type A form with a deposit, two slips on one truck, one checklist."""
        quantity = self.rng.randint(50, 100)
        form_body = {
            "enterprise_doc_no": f"F-{mark}",
            "business_type": "A",
            "direction": "I",
            "zone_customs_code": self.code,
            "master_customs_code": AREA,
            "valid_until": VALID_UNTIL,
            "ledger": {"ledger_no": self.ledger_no},
            "ledger_flag": "I",
            "lines": [
                {
                    "line_no": 1,
                    "part_no": f"P3-{self.code}",
                    "hs_code": "84716071",
                    "name": "Keyboard",
                    "quantity": str(quantity),
                    "unit": "007",
                    "unit_price": "40",
                }
            ],
        }
        form = self.portal.create("/v1/business-forms", form_body)
        self.portal.submit("business-forms", form, form_body)
        self.portal.wait(
            "business-forms",
            form,
            lambda d: d["status"]["deposit"] is not None,
            "given its deposit",
        )
        slips = []
        for n, share in enumerate((quantity // 2, quantity - quantity // 2), 1):
            body = {
                "enterprise_doc_no": f"S{n}-{mark}",
                "business_form_id": form,
                "lines": [
                    {
                        "line_no": 1,
                        "form_line_no": 1,
                        "quantity": str(share),
                        "unit_price": "40",
                    }
                ],
            }
            slip = self.portal.create("/v1/stock-slips", body)
            self.portal.submit("stock-slips", slip, body)
            slips.append(slip)
        self.drive(f"GS-{mark}", "3", "1", "I", self.trucks[1], slips)
        body = {
            **self._checklist_head("I", declaration_type="1"),
            "enterprise_doc_no": f"CC-{mark}",
            "ledger_no": self.ledger_no,
            "stock_slip_ids": slips,
        }
        consolidated = self.portal.create("/v1/consolidations", body)
        self.portal.submit("checklists", consolidated)
        return consolidated

    # 3. An export by ledger serial on two trucks (binding 3).

    def export_goods(self, mark: str, imported: tuple[str, dict[str, Decimal]]) -> str:
        """Export part of what was imported, split over two trucks."""
        import_id, parts = imported
        self.portal.posted(import_id)
        part, stock = next(iter(parts.items()))
        serial = self._serial_of(part)
        quantity = max(2, int(stock) // 2)
        body = {
            **self._checklist_head("E", declaration_type="2"),
            "enterprise_doc_no": f"CE-{mark}",
            "ledger_no": self.ledger_no,
            "direction": "E",
            "lines": [
                {
                    "line_no": 1,
                    "quantity": str(quantity),
                    "unit_price": "500",
                    "ledger_serial": serial,
                }
            ],
        }
        checklist = self.portal.create("/v1/checklists", body)
        self.portal.submit("checklists", checklist, body)
        first = quantity // 2
        for n, (truck, carried) in enumerate(
            ((self.trucks[2], first), (self.trucks[3], quantity - first)), start=1
        ):
            lines = [{"line_no": 1, "quantity": str(carried), "related_line_no": 1}]
            self.drive(f"GE{n}-{mark}", "2", "3", "E", truck, [checklist], lines)
        return checklist

    # 4. Goods registered at the gate (type 5) and an empty truck (type 6).

    def trucks_without_documents(self, mark: str) -> None:
        """Registered goods come in on one truck; another leaves empty."""
        goods = [
            {
                "line_no": 1,
                "part_no": "PALLETS",
                "name": "Empty pallets",
                "unit": "011",
                "quantity": "20",
            }
        ]
        self.drive(f"GR-{mark}", "5", None, "I", self.trucks[0], [], goods)
        self.drive(f"GX-{mark}", "6", None, "E", self.trucks[1], [])

    # Shared steps.

    def drive(
        self,
        doc_no: str,
        pass_type: str,
        binding: str | None,
        direction: str,
        truck: str,
        related: list[str],
        lines: list[dict[str, Any]] | None = None,
    ) -> None:
        """Declare a gate pass and wait until its truck is through the gate."""
        body: dict[str, Any] = {
            "enterprise_doc_no": doc_no,
            "zone_customs_code": self.code,
            "pass_type": pass_type,
            "binding": binding,
            "direction": direction,
            "vehicle_no": truck,
            "vehicle_weight_kg": "8000",
            "goods_gross_weight_kg": "1500" if related or lines else "0",
            "related_document_ids": related,
            "lines": lines or [],
        }
        gate_pass = self.portal.create("/v1/gate-passes", body)
        self.portal.submit("gate-passes", gate_pass, body)
        self.portal.cross(gate_pass)

    def _checklist_head(self, direction: str, declaration_type: str) -> dict[str, Any]:
        return {
            "supervision_mode": "5034" if direction == "I" else "5000",
            "transport_mode": "4",
            "port_code": AREA,
            "master_customs_code": AREA,
            "country_code": "142",
            "customs_flag": "1",
            "declaration_kind": "2",
            "generate_declaration": True,
            "declaration_type": declaration_type,
        }

    def _serial_of(self, part: str) -> int:
        """The ledger serial the import's posting gave a part (R-LEDGER-2)."""
        ledger = self.portal.read("ledgers", self.ledger_id)
        for line in ledger["lines"]:
            if line["part_no"] == part:
                return int(line["serial"])
        raise PortalError(f"ledger {self.ledger_no} has no line for {part}")


def play_day(
    plan: DayPlan,
    base_url: str,
    keys: dict[str, str],
    tally: Tally,
    on_step: Callable[[], None] = lambda: None,
) -> list[str]:
    """Play every enterprise's day in parallel; return the failures (empty: none)."""
    portals = [
        Portal(base_url, keys[enterprise_code(n)], enterprise_code(n), tally, on_step)
        for n in range(1, plan.enterprises + 1)
    ]
    failures: list[str] = []
    try:
        with ThreadPoolExecutor(max_workers=plan.enterprises) as pool:
            futures = [
                pool.submit(Enterprise(portal, plan, n).play)
                for n, portal in enumerate(portals, start=1)
            ]
            for n, future in enumerate(futures, start=1):
                error = future.exception()
                if error is not None:
                    failures.append(f"{enterprise_code(n)}: {error}")
    finally:
        for portal in portals:
            portal.close()
    return failures

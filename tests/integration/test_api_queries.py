"""Queries over HTTP from the projection tables on the real PostgreSQL.

R-CHK-8, R-FORM-10, R-FORM-11, R-SLIP-5, R-SLIP-7, R-GATE-13, R-VEH-3: each query
has its required filters; an enterprise key reads only its own documents.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bonded.bootstrap import Applications, build_applications
from gateway.api.app import ApiServices, create_api
from gateway.customs.hde import posting_receipt
from gateway.inbox import ReceiptInbox
from gateway.keys import MemoryKeyStore, Role, create_key
from gateway.receipt_log import MemoryReceiptLog
from projections.postgres import ProjectionStore
from streams.rebuild import replay
from tests.builders import (
    OTHER_CODE,
    ZONE_CODE,
    a_slip_line,
    approve,
    register_test_enterprises,
)
from tests.scenarios import ImportExport, import_and_export

pytestmark = pytest.mark.integration
TODAY = date.today().isoformat()


class World:
    def __init__(
        self,
        apps: Applications,
        store: ProjectionStore,
        http: TestClient,
        keys: dict[str, str],
        done: ImportExport,
    ) -> None:
        self.apps, self.store, self.http, self.keys, self.done = (
            apps,
            store,
            http,
            keys,
            done,
        )

    def get(self, url: str, who: str = "zone", **params: Any) -> Any:
        return self.http.get(
            url, params=params, headers={"Authorization": f"Bearer {self.keys[who]}"}
        )


@pytest.fixture
def world(pg_env: dict[str, str], database_url: str) -> Iterator[World]:
    apps = build_applications(pg_env)
    register_test_enterprises(apps)
    done = import_and_export(apps)
    store = ProjectionStore(database_url, schema=pg_env["POSTGRES_SCHEMA"])
    store.create_tables()
    replay(store, apps.all())
    keys_store = MemoryKeyStore()
    keys = {
        "zone": create_key(keys_store, Role.ENTERPRISE, (ZONE_CODE,)),
        "other": create_key(keys_store, Role.ENTERPRISE, (OTHER_CODE,)),
        "analyst": create_key(keys_store, Role.ANALYST),
    }
    api = create_api(ApiServices(apps, keys_store, store=store))
    try:
        with TestClient(api) as http:
            yield World(apps, store, http, keys, done)
    finally:
        store.close()
        apps.close()


def test_checklists_by_state_and_enterprise_r_chk_8(world: World) -> None:
    missing = world.get("/v1/checklists", state="approved")
    found = world.get("/v1/checklists", state="approved", customs_code=ZONE_CODE)

    assert missing.status_code == 422
    assert missing.json()["error"]["rule"] == "R-CHK-8"
    ids = {item["document_id"] for item in found.json()["items"]}
    assert ids == {str(world.done.imported), str(world.done.exported)}


def test_slips_and_gate_passes_need_the_entry_date_r_slip_7_r_gate_13(
    world: World,
) -> None:
    no_dates = world.get("/v1/stock-slips", state="approved", customs_code=ZONE_CODE)
    slips = world.get(
        "/v1/stock-slips",
        state="approved",
        customs_code=ZONE_CODE,
        entered_from=TODAY,
        entered_to=TODAY,
    )
    passes = world.get(
        "/v1/gate-passes",
        state="approved",
        customs_code=ZONE_CODE,
        entered_from=TODAY,
        entered_to=TODAY,
        limit=3,
    )

    assert no_dates.status_code == 422
    assert no_dates.json()["error"]["rule"] == "R-SLIP-7"
    assert {i["document_id"] for i in slips.json()["items"]} == {
        str(s) for s in world.done.slips
    }
    assert len(passes.json()["items"]) == 3


def test_an_enterprise_reads_only_its_own_lists_r_doc_12(world: World) -> None:
    refused = world.get(
        "/v1/checklists", who="other", state="approved", customs_code=ZONE_CODE
    )
    analyst = world.get(
        "/v1/checklists", who="analyst", state="approved", customs_code=ZONE_CODE
    )
    stock = world.get(f"/v1/ledgers/{world.done.ledger_id}/stock", who="other")

    assert refused.status_code == 403
    assert len(analyst.json()["items"]) == 2
    assert stock.status_code == 404


def test_goods_movements_and_ledger_stock_r_form_10_r_ledger_5(world: World) -> None:
    movements = world.get(f"/v1/business-forms/{world.done.form_id}/movements")
    stock = world.get(f"/v1/ledgers/{world.done.ledger_id}/stock")

    assert [(m["form_line_no"], m["quantity"]) for m in movements.json()] == [
        (1, "30"),
        (1, "20"),
        (2, "10"),
    ]
    assert [(s["part_no"], s["stock"]) for s in stock.json()] == [
        ("TEST-P1", "35"),
        ("TEST-P2", "10"),
    ]


def test_a_query_waits_for_the_version_its_command_returned(world: World) -> None:
    outcome = world.apps.zone.file_ledger(
        enterprise_doc_no="TEST-L2",
        operating_customs_code=ZONE_CODE,
        master_customs_code="2244",
        area_type="Z",
        house_no="TEST-H2",
        house_name="TEST warehouse 2",
        house_address="TEST road 2",
        valid_until=date(2030, 12, 31),
    )
    wanted = f"{outcome.aggregate_id}:{outcome.version}"

    early = world.get(
        "/v1/ledgers",
        state="draft",
        customs_code=ZONE_CODE,
        consistent_with=wanted,
        wait_seconds=0.2,
    )
    replay(world.store, world.apps.all())
    late = world.get(
        "/v1/ledgers", state="draft", customs_code=ZONE_CODE, consistent_with=wanted
    )

    assert early.status_code == 503 and early.headers["Retry-After"] == "1"
    assert [i["document_id"] for i in late.json()["items"]] == [
        str(outcome.aggregate_id)
    ]


def test_unconsolidated_type_a_slips_and_their_deadlines_r_cons_1_r_slip_5(
    world: World,
) -> None:
    before = world.get("/v1/consolidation-candidates", customs_code=ZONE_CODE)
    slip = world.apps.zone.create_stock_slip(
        enterprise_doc_no="TEST-S9",
        business_form_id=world.done.form_id,
        lines=(a_slip_line(1, 1, "1"),),
    ).aggregate_id
    world.apps.zone.declare(slip, command_id="s9/d")
    world.apps.zone.record_decision(slip, approve("TESTX9"), command_id="s9/a")
    replay(world.store, world.apps.all())

    after = world.get("/v1/consolidation-candidates", customs_code=ZONE_CODE)
    soon = world.get(
        "/v1/consolidation-candidates", customs_code=ZONE_CODE, due_within_days=0
    )
    month = world.get(
        "/v1/consolidation-candidates", customs_code=ZONE_CODE, due_within_days=40
    )

    assert before.json() == []
    [candidate] = after.json()
    deadline = world.apps.zone.get_stock_slip(slip).consolidation_deadline()
    assert (candidate["slip_id"], candidate["deadline"]) == (str(slip), str(deadline))
    assert soon.json() == [] and len(month.json()) == 1


def test_customs_stock_figures_that_differ_become_findings(world: World) -> None:
    inbox = ReceiptInbox(world.apps.zone, MemoryReceiptLog())
    exported = world.apps.zone.get_checklist(world.done.exported)
    receipt = posting_receipt(exported, ((1, "TEST-P1", "35"), (2, "TEST-P2", "12")))

    outcome = inbox.receive(receipt)
    replay(world.store, world.apps.all())
    findings = world.get(f"/v1/ledgers/{world.done.ledger_id}/findings")

    metrics = world.http.get("/metrics").text
    assert outcome.status == "applied" and "1 differ" in outcome.detail
    assert "bonded_reconciliation_findings_total" in metrics
    assert 'bonded_customs_receipts_total{message_type="INV211",status="applied"}' in (
        metrics
    )
    assert [(f["part_no"], f["ours"], f["customs"]) for f in findings.json()] == [
        ("TEST-P2", "10", "12")
    ]
    ledger = world.apps.zone.get_ledger(world.done.ledger_id)
    assert ledger.stock_of("TEST-P2") == 10 and ledger.open_findings == 1

"""The HTTP API over FastAPI's test client, on both stores (R-DOC-12, R-FLOW-2)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from aggregates.common.lifecycle import State
from bonded.bootstrap import Applications
from gateway.api.app import ApiServices, create_api
from gateway.customs.declarations import read_inv101, read_sas121
from gateway.inbox import ReceiptInbox
from gateway.keys import MemoryKeyStore, Role, create_key, digest
from gateway.receipt_log import MemoryReceiptLog
from tests.builders import OTHER_CODE, OUTSIDE_CODE, ZONE_CODE, posting_line
from tests.customs_messages import inv201

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "customs"
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
LEDGER = {
    "enterprise_doc_no": "TEST-L1",
    "operating_customs_code": ZONE_CODE,
    "master_customs_code": "2244",
    "area_type": "Z",
    "house_no": "TEST-H1",
    "house_name": "TEST <warehouse>",
    "house_address": "TEST road 1",
    "valid_until": "2030-12-31",
}


@dataclass
class Client:
    http: TestClient
    keys: dict[str, str]
    apps: Applications
    store: MemoryKeyStore

    def call(
        self, method: str, url: str, who: str = "zone", key: str = "", **kw: Any
    ) -> Any:
        headers = dict(kw.pop("headers", {}))
        if who:
            headers["Authorization"] = f"Bearer {self.keys[who]}"
        if key:
            headers["Idempotency-Key"] = key
        return self.http.request(method, url, headers=headers, **kw)


@pytest.fixture
def client(apps: Applications) -> Iterator[Client]:
    store = MemoryKeyStore()
    keys = {
        "zone": create_key(store, Role.ENTERPRISE, (ZONE_CODE,)),
        "other": create_key(store, Role.ENTERPRISE, (OTHER_CODE,)),
        "customs": create_key(store, Role.CUSTOMS),
        "analyst": create_key(store, Role.ANALYST),
    }
    inbox = ReceiptInbox(apps.zone, MemoryReceiptLog())
    api = create_api(ApiServices(apps, store, inbox))
    with TestClient(api) as http:
        yield Client(http, keys, apps, store)


def approved_ledger(client: Client) -> str:
    ledger = client.call("POST", "/v1/ledgers", json=LEDGER).json()["id"]
    client.call("POST", f"/v1/ledgers/{ledger}/declare", key="d")
    client.call(
        "POST",
        f"/v1/ledgers/{ledger}/decisions",
        who="customs",
        key="a",
        json={"outcome": "approved", "document_no": "TESTL000001"},
    )
    return str(ledger)


def checklist_body(doc_no: str, quantity: str, unit_price: str) -> dict[str, Any]:
    """An import checklist of one part on the test ledger."""
    return {
        "enterprise_doc_no": doc_no,
        "ledger_no": "TESTL000001",
        "direction": "I",
        "supervision_mode": "5000",
        "transport_mode": "4",
        "port_code": "2244",
        "master_customs_code": "2244",
        "country_code": "142",
        "customs_flag": "2",
        "lines": [
            {
                "line_no": 1,
                "part_no": "TEST-A",
                "hs_code": "84713000",
                "name": "TEST a",
                "unit": "007",
                "quantity": quantity,
                "unit_price": unit_price,
            }
        ],
    }


def form_body(doc_no: str) -> dict[str, Any]:
    """A type H business form of ten units of one part."""
    return {
        "enterprise_doc_no": doc_no,
        "business_type": "H",
        "direction": "I",
        "zone_customs_code": ZONE_CODE,
        "master_customs_code": "2244",
        "valid_until": "2030-12-31",
        "lines": [
            {
                "line_no": 1,
                "part_no": "TEST-P1",
                "hs_code": "84713000",
                "name": "TEST goods",
                "quantity": "10",
                "unit": "007",
                "unit_price": "1",
            }
        ],
    }


def test_no_key_or_a_wrong_key_is_401(client: Client) -> None:
    missing = client.call("GET", "/v1/ledgers/" + "0" * 32, who="")
    wrong = client.http.get(
        "/v1/ledgers/" + "0" * 32, headers={"Authorization": "Bearer bk_x_y"}
    )

    assert missing.status_code == wrong.status_code == 401
    assert missing.headers["WWW-Authenticate"] == "Bearer"


def test_keys_are_stored_as_digests_only(client: Client) -> None:
    _, key_id, secret = client.keys["zone"].split("_", 2)

    stored = client.store.keys[key_id]

    assert secret not in repr(stored)
    assert stored.secret_sha256 == digest(secret)
    assert stored.customs_codes == (ZONE_CODE,)


def test_create_read_and_repeat_a_ledger(client: Client) -> None:
    first = client.call("POST", "/v1/ledgers", json=LEDGER)
    again = client.call("POST", "/v1/ledgers", json=LEDGER)
    read = client.call("GET", f"/v1/ledgers/{first.json()['id']}")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == {**first.json(), "replayed": True}
    assert read.json()["state"] == "draft"
    assert read.json()["head"]["operating_enterprise"]["customs_code"] == ZONE_CODE


def test_another_enterprise_neither_sees_nor_acts_r_doc_12(client: Client) -> None:
    ledger = client.call("POST", "/v1/ledgers", json=LEDGER).json()["id"]

    seen = client.call("GET", f"/v1/ledgers/{ledger}", who="other")
    declared = client.call(
        "POST", f"/v1/ledgers/{ledger}/declare", who="other", key="k"
    )
    filed = client.call("POST", "/v1/ledgers", who="other", json=LEDGER)
    analyst = client.call("GET", f"/v1/ledgers/{ledger}", who="analyst")

    assert (seen.status_code, declared.status_code) == (404, 404)
    assert filed.status_code == 403
    assert analyst.status_code == 200


def test_only_customs_decides(client: Client) -> None:
    ledger = client.call("POST", "/v1/ledgers", json=LEDGER).json()["id"]
    client.call("POST", f"/v1/ledgers/{ledger}/declare", key="d")

    refused = client.call(
        "POST",
        f"/v1/ledgers/{ledger}/decisions",
        key="a",
        json={"outcome": "approved", "document_no": "TESTL000001"},
    )

    assert refused.status_code == 403
    assert "customs" in refused.json()["error"]["message"]


def test_a_refused_command_names_rule_and_expected_states_and_writes_nothing(
    client: Client,
) -> None:
    ledger = client.call("POST", "/v1/ledgers", json=LEDGER).json()["id"]
    client.call("POST", f"/v1/ledgers/{ledger}/declare", key="d1")
    before = client.call("GET", f"/v1/ledgers/{ledger}").json()["version"]

    again = client.call("POST", f"/v1/ledgers/{ledger}/declare", key="d2")

    assert again.status_code == 409
    error = again.json()["error"]
    assert (error["type"], error["rule"], error["state"]) == (
        "InvalidTransitionError",
        "R-DOC-3",
        "declared",
    )
    assert "draft" in error["expected"]["state"]
    assert client.call("GET", f"/v1/ledgers/{ledger}").json()["version"] == before


def test_commands_need_an_idempotency_key_and_retries_are_safe(client: Client) -> None:
    ledger = client.call("POST", "/v1/ledgers", json=LEDGER).json()["id"]

    missing = client.call("POST", f"/v1/ledgers/{ledger}/declare")
    first = client.call("POST", f"/v1/ledgers/{ledger}/declare", key="d1")
    retry = client.call("POST", f"/v1/ledgers/{ledger}/declare", key="d1")

    assert missing.status_code == 422
    assert missing.json()["error"]["field"] == "header.idempotency-key"
    assert first.status_code == retry.status_code == 200
    assert retry.json() == {**first.json(), "replayed": True}


def test_bodies_are_validated_field_by_field(client: Client) -> None:
    floats = client.call(
        "POST",
        "/v1/stock-slips",
        json={
            "enterprise_doc_no": "TEST-S1",
            "business_form_id": "0" * 32,
            "lines": [
                {"line_no": 1, "form_line_no": 1, "quantity": 1.5, "unit_price": "1"}
            ],
        },
    )
    unknown = client.call("POST", "/v1/ledgers", json={**LEDGER, "colour": "red"})
    domain = client.call("POST", "/v1/ledgers", json={**LEDGER, "area_type": "?"})

    assert floats.status_code == unknown.status_code == 422
    assert floats.json()["error"]["field"] == "lines.0.quantity"
    assert unknown.json()["error"]["field"] == "colour"
    assert domain.status_code == 422


def test_a_checklist_receipt_through_the_customs_endpoint_r_flow_2(
    client: Client,
) -> None:
    approved_ledger(client)
    checklist = client.call(
        "POST", "/v1/checklists", json=checklist_body("TEST-C1", "5", "2")
    ).json()["id"]
    declared = client.call("POST", f"/v1/checklists/{checklist}/declare", key="cd")
    assert declared.status_code == 200, declared.json()
    before = client.call("GET", f"/v1/checklists/{checklist}/receipt")
    receipt = inv201(
        "QD224426I000000001", customs_code=ZONE_CODE, enterprise_doc_no="TEST-C1"
    )

    by_enterprise = client.call("POST", "/v1/customs/receipts", content=receipt)
    applied = client.call(
        "POST", "/v1/customs/receipts", who="customs", content=receipt
    )
    duplicate = client.call(
        "POST", "/v1/customs/receipts", who="customs", content=receipt
    )
    hostile = client.call(
        "POST",
        "/v1/customs/receipts",
        who="customs",
        content=b'<!DOCTYPE p [<!ENTITY a "a">]><Package>&a;</Package>',
    )
    after = client.call("GET", f"/v1/checklists/{checklist}/receipt")

    assert before.status_code == 404
    assert by_enterprise.status_code == 403
    assert applied.json()["status"] == "applied", applied.json()["detail"]
    assert duplicate.json()["status"] == "duplicate"
    assert hostile.status_code == 400
    assert after.json()["result"] == "approved"


def test_print_search_and_attachments_r_doc_8_9_11(client: Client) -> None:
    ledger = client.call("POST", "/v1/ledgers", json=LEDGER).json()["id"]

    page = client.call("GET", f"/v1/ledgers/{ledger}/print")
    added = client.call(
        "PUT",
        f"/v1/ledgers/{ledger}/attachments?file_name=licence.pdf",
        key="att1",
        content=PDF,
    )
    not_pdf = client.call(
        "PUT",
        f"/v1/ledgers/{ledger}/attachments?file_name=licence.pdf",
        key="att2",
        content=b"GIF89a",
    )
    download = client.call("GET", f"/v1/ledgers/{ledger}/attachments/1")
    search = client.call("GET", f"/v1/ledgers/{ledger}/lines?q=TEST")

    assert page.status_code == 200 and page.headers["content-type"].startswith(
        "text/html"
    )
    assert "TEST &lt;warehouse&gt;" in page.text and "<warehouse>" not in page.text
    assert added.status_code == 200
    assert not_pdf.status_code == 422 and not_pdf.json()["error"]["rule"] == "R-DOC-8"
    assert download.content == PDF
    assert search.json() == []


def test_openapi_is_served(client: Client) -> None:
    schema = client.http.get("/openapi.json").json()

    assert "/v1/checklists" in schema["paths"]
    assert "/v1/customs/receipts" in schema["paths"]


def an_erp_checklist() -> bytes:
    """The sample INV101, moved onto the test enterprise and ledger."""
    raw = (SAMPLES / "01-INV101-declaration.xml").read_bytes()
    for old in (b"330246A0Q3", b"3302980B2X"):
        raw = raw.replace(old, ZONE_CODE.encode())
    raw = raw.replace(b"T3109W000123", b"TESTL000001")
    return re.sub(rb"<PutrecSeqno>\d+</PutrecSeqno>", b"", raw)


def test_an_erp_imports_a_checklist_in_the_import_dialect_r_flow_4(
    client: Client,
) -> None:
    approved_ledger(client)

    first = client.call("POST", "/v1/imports", content=an_erp_checklist())
    again = client.call("POST", "/v1/imports", content=an_erp_checklist())
    broken = client.call(
        "POST",
        "/v1/imports",
        content=an_erp_checklist()
        .replace(b"<SupvModecd>5034", b"<SupvModecd>50")
        .replace(b"I202503100001<", b"I202503100002<"),
    )
    other = client.call("POST", "/v1/imports", who="other", content=an_erp_checklist())

    [result] = first.json()["results"]
    assert result["status"] == "declared"
    checklist = client.apps.zone.get_checklist(UUID(result["document_id"]))
    assert [line.new_part for line in checklist.lines] == [True, True]
    assert again.json()["results"][0]["status"] == "already imported"
    [refusal] = broken.json()["results"]
    assert (refusal["status"], refusal["field"]) == ("refused", "supervision_mode")
    assert other.json()["results"][0]["status"] == "refused"


def test_a_declared_checklist_leaves_as_inv101_r_flow_1(client: Client) -> None:
    approved_ledger(client)
    [result] = client.call("POST", "/v1/imports", content=an_erp_checklist()).json()[
        "results"
    ]

    message = client.call(
        "GET", f"/v1/checklists/{result['document_id']}/customs-message"
    )

    assert message.headers["content-type"].startswith("application/xml")
    read = read_inv101(message.content)
    assert read.head.enterprise_doc_no == f"HZQD{ZONE_CODE}I202503100001"
    assert read.head.ledger_no == "TESTL000001"
    assert [line.quantity for line in read.lines] == [200, 500]


def test_a_ledger_cannot_be_handed_to_an_enterprise_the_key_does_not_act_for_r_doc_12(
    client: Client,
) -> None:
    draft = client.call("POST", "/v1/ledgers", json=LEDGER).json()["id"]
    handed = {**LEDGER, "operating_customs_code": OTHER_CODE}

    modified = client.call("PUT", f"/v1/ledgers/{draft}", key="m", json=handed)
    kept = client.call("GET", f"/v1/ledgers/{draft}").json()
    seen_by_other = client.call("GET", f"/v1/ledgers/{draft}", who="other")

    assert modified.status_code == 403
    assert "operating_customs_code" in modified.json()["error"]["message"]
    assert kept["head"]["operating_enterprise"]["customs_code"] == ZONE_CODE
    assert kept["version"] == 1
    assert seen_by_other.status_code == 404


def test_an_amendment_cannot_hand_a_ledger_to_another_enterprise_r_doc_12(
    client: Client,
) -> None:
    ledger = approved_ledger(client)
    handed = {**LEDGER, "operating_customs_code": OTHER_CODE, "line_changes": []}

    amended = client.call("POST", f"/v1/ledgers/{ledger}/amend", key="x", json=handed)
    kept = client.call("GET", f"/v1/ledgers/{ledger}").json()

    assert amended.status_code == 403
    assert kept["state"] == "approved"
    assert kept["head"]["operating_enterprise"]["customs_code"] == ZONE_CODE


def test_an_enterprise_cannot_reference_another_enterprises_documents_r_doc_12(
    client: Client,
) -> None:
    approved_ledger(client)
    body = checklist_body("TEST-C9", "1", "1")
    mine = client.call("POST", "/v1/checklists", json=body).json()["id"]

    on_my_ledger = client.call("POST", "/v1/checklists", who="other", json=body)
    slip_on_my_form = client.call(
        "POST",
        "/v1/stock-slips",
        who="other",
        json={
            "enterprise_doc_no": "TEST-S9",
            "business_form_id": mine,
            "lines": [
                {"line_no": 1, "form_line_no": 1, "quantity": "1", "unit_price": "1"}
            ],
        },
    )
    copy_of_mine = client.call(
        "POST",
        f"/v1/checklists/{mine}/copy",
        who="other",
        json={"enterprise_doc_no": "TEST-C10"},
    )

    assert on_my_ledger.status_code == 403
    assert slip_on_my_form.status_code == 404
    assert copy_of_mine.status_code == 404


def test_an_erp_imports_a_gate_pass_and_it_leaves_as_sas121_r_flow_4(
    client: Client,
) -> None:
    approved_ledger(client)
    [result] = client.call("POST", "/v1/imports", content=an_erp_checklist()).json()[
        "results"
    ]
    checklist = result["document_id"]
    client.call(
        "POST",
        f"/v1/checklists/{checklist}/decisions",
        who="customs",
        key="c-approve",
        json={"outcome": "approved", "document_no": "QD224426I000000007"},
    )
    raw = (SAMPLES / "06-SAS121-passport.xml").read_bytes()
    raw = raw.replace(b"330246A0Q3", ZONE_CODE.encode())
    raw = raw.replace(b"QD310925I000004321", b"QD224426I000000007")

    imported = client.call("POST", "/v1/imports", content=raw).json()["results"][0]
    unknown = client.call(
        "POST",
        "/v1/imports",
        content=raw.replace(b"QD224426I000000007", b"QD224426I000000099").replace(
            b"202503110003<", b"202503110004<"
        ),
    ).json()["results"][0]
    message = client.call(
        "GET", f"/v1/gate-passes/{imported['document_id']}/customs-message"
    )
    not_supported = client.call(
        "POST", "/v1/imports", content=raw.replace(b"SAS121<", b"SAS131<")
    )

    assert imported["status"] == "declared"
    assert (unknown["status"], unknown["field"], unknown["rule"]) == (
        "refused",
        "RtlBillNo",
        "R-GATE-2",
    )
    sent = read_sas121(message.content)
    assert [(r.kind, r.number) for r in sent.related] == [("1", "QD224426I000000007")]
    assert sent.head.vehicle_no == "浙B0X123"
    assert not_supported.status_code == 400


def test_an_erp_imports_a_business_form_then_a_stock_slip_r_flow_4(
    client: Client,
) -> None:
    ledger = approved_ledger(client)
    client.apps.zone.post_to_ledger(
        UUID(ledger),
        checklist_no="TESTQD0001",
        direction="I",
        lines=(posting_line("NB-LT-14A", "150"),),
        posted_on=date(2026, 1, 5),
    )
    form = (SAMPLES / "04-SAS101-business-application.xml").read_bytes()
    form = form.replace(b"330246A0Q3", ZONE_CODE.encode())
    form = form.replace(b"3301960K7M", OUTSIDE_CODE.encode())
    form = form.replace(b"T3109W000123", b"TESTL000001")
    form = form.replace(b"<OriactGdsSeqno>15<", b"<OriactGdsSeqno>1<")
    form = form.replace(b"<ValidTime>20250930<", b"<ValidTime>20300930<")
    slip = (SAMPLES / "05-SAS111-stock-out-slip.xml").read_bytes()
    slip = slip.replace(b"330246A0Q3", ZONE_CODE.encode())

    early_slip = client.call("POST", "/v1/imports", content=slip).json()["results"][0]
    [imported_form] = client.call("POST", "/v1/imports", content=form).json()["results"]
    client.call(
        "POST",
        f"/v1/business-forms/{imported_form['document_id']}/decisions",
        who="customs",
        key="form-approve",
        json={
            "outcome": "approved",
            "document_no": "SBB3109A250300000012",
            "deposit": "20000",
        },
    )
    [imported_slip] = client.call("POST", "/v1/imports", content=slip).json()["results"]

    assert (early_slip["status"], early_slip["field"]) == ("refused", "SasDclNo")
    assert imported_form["status"] == "declared", imported_form
    assert imported_slip["status"] == "declared", imported_slip
    form_state = client.apps.zone.get_business_form(UUID(imported_form["document_id"]))
    assert form_state.claimed(1) == 25
    assert form_state.lines[0].part_no == "NB-LT-14A"


def test_many_messages_in_one_import_and_their_json_form_r_flow_4(
    client: Client,
) -> None:
    approved_ledger(client)
    good = an_erp_checklist()
    bad = good.replace(b"<SupvModecd>5034", b"<SupvModecd>50").replace(
        b"I202503100001<", b"I202503100002<"
    )
    batch = (
        b"<Messages>"
        + good.split(b"?>", 1)[1].split(b"-->", 1)[1]
        + bad.split(b"?>", 1)[1].split(b"-->", 1)[1]
        + b"</Messages>"
    )
    as_json = read_inv101(good).model_dump(mode="json") | {"message_id": "JSON-1"}
    as_json["head"] = as_json["head"] | {"enterprise_doc_no": "TEST-JSON-1"}

    batched = client.call("POST", "/v1/imports", content=batch).json()["results"]
    from_json = client.call(
        "POST",
        "/v1/imports",
        json={"messages": [{"message_type": "INV101", **as_json}]},
    ).json()["results"]
    broken_json = client.call(
        "POST",
        "/v1/imports",
        json={"messages": [{"message_type": "INV101", "head": {}, "lines": []}]},
    )

    assert [r["status"] for r in batched] == ["declared", "refused"]
    assert batched[1]["field"] == "supervision_mode"
    assert [r["status"] for r in from_json] == ["declared"]
    assert broken_json.status_code == 400
    assert broken_json.json()["error"]["field"].startswith("messages[0].")


def test_ledgers_and_vehicles_are_imported_too_r_flow_4(client: Client) -> None:
    ledger_head = {
        "enterprise_doc_no": "TEST-L5",
        "area_type": "Z",
        "master_customs_code": "2244",
        "operating_customs_code": ZONE_CODE,
        "house_no": "TEST-H5",
        "house_name": "TEST warehouse 5",
        "house_address": "TEST road 5",
        "valid_until": "20301231",
    }
    vehicle = (
        "<Package><EnvelopInfo><message_id>V1</message_id>"
        "<message_type>SAS131</message_type></EnvelopInfo><DataInfo><BussinessData>"
        "<VehicleMessage><SasVehicleBsc><vehicleNo>TEST-V7</vehicleNo>"
        f"<vehicleTypecd>1</vehicleTypecd><etpsno>{ZONE_CODE}</etpsno>"
        "<vehicleWt>8000</vehicleWt></SasVehicleBsc></VehicleMessage>"
        "<DelcareFlag>0</DelcareFlag></BussinessData></DataInfo></Package>"
    )

    ledgers = client.call(
        "POST",
        "/v1/imports",
        json={
            "messages": [
                {"message_type": "BWS101", "message_id": "B1", "head": ledger_head},
                {
                    "message_type": "BWS101",
                    "message_id": "B2",
                    "head": ledger_head | {"enterprise_doc_no": "TEST-L6"},
                    "lines": [{"serial": 1, "part_no": "TEST-A"}],
                },
            ]
        },
    ).json()["results"]
    vehicles = client.call("POST", "/v1/imports", content=vehicle.encode()).json()[
        "results"
    ]

    assert [(r["status"], r["rule"]) for r in ledgers] == [
        ("declared", ""),
        ("refused", "R-LEDGER-2"),
    ]
    assert vehicles[0]["status"] == "saved"
    filed = client.apps.zone.get_vehicle(UUID(vehicles[0]["document_id"]))
    assert (filed.head.vehicle_no, filed.state) == ("TEST-V7", State.DRAFT)


def test_gate_passes_generated_for_a_document_per_line_r_slip_6_r_gate_12(
    client: Client,
) -> None:
    approved_ledger(client)
    [result] = client.call("POST", "/v1/imports", content=an_erp_checklist()).json()[
        "results"
    ]
    checklist = result["document_id"]
    client.call(
        "POST",
        f"/v1/checklists/{checklist}/decisions",
        who="customs",
        key="c-ok",
        json={"outcome": "approved", "document_no": "QD224426I000000008"},
    )
    gate_pass = client.call(
        "POST",
        "/v1/gate-passes",
        json={
            "enterprise_doc_no": "TEST-GP1",
            "zone_customs_code": ZONE_CODE,
            "pass_type": "2",
            "binding": "3",
            "direction": "I",
            "vehicle_no": "TEST-V1",
            "vehicle_weight_kg": "8000",
            "related_document_ids": [checklist],
            "lines": [{"line_no": 1, "quantity": "120", "related_line_no": 1}],
        },
    ).json()["id"]
    client.call("POST", f"/v1/gate-passes/{gate_pass}/declare", key="gp-d")

    view = client.call("GET", f"/v1/checklists/{checklist}/gate-passes").json()
    ledger_view = client.call("GET", f"/v1/ledgers/{checklist}/gate-passes")

    assert view == [
        {
            "line_no": 1,
            "quantity": "200",
            "gate_passes": [{"gate_pass": "TEST-GP1", "quantity": "120"}],
        },
        {"line_no": 2, "quantity": "500", "gate_passes": []},
    ]
    assert ledger_view.status_code == 404


def test_drafts_are_modified_in_place_and_declared_ones_refuse_r_doc_3(
    client: Client,
) -> None:
    ledger = client.call("POST", "/v1/ledgers", json=LEDGER).json()["id"]

    renamed = client.call(
        "PUT",
        f"/v1/ledgers/{ledger}",
        key="m1",
        json={**LEDGER, "house_name": "TEST renamed"},
    )
    client.call("POST", f"/v1/ledgers/{ledger}/declare", key="d1")
    refused = client.call(
        "PUT", f"/v1/ledgers/{ledger}", key="m2", json={**LEDGER, "house_no": "X"}
    )
    other = client.call(
        "PUT", f"/v1/ledgers/{ledger}", who="other", key="m3", json=LEDGER
    )

    assert renamed.status_code == 200
    read = client.call("GET", f"/v1/ledgers/{ledger}").json()
    assert read["head"]["house_name"] == "TEST renamed"
    assert (refused.status_code, refused.json()["error"]["rule"]) == (409, "R-DOC-3")
    assert other.status_code == 404


def test_a_command_route_reads_its_document_once_r_doc_3_r_doc_12(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The access check's load is the one the command decides on."""
    ledger = client.call("POST", "/v1/ledgers", json=LEDGER).json()["id"]
    zone = client.apps.zone
    reads: list[str] = []
    read = zone.repository.get

    def counted(aggregate_id: UUID, **options: Any) -> Any:
        reads.append(str(aggregate_id))
        return read(aggregate_id, **options)

    monkeypatch.setattr(zone.repository, "get", counted)
    renamed = client.call(
        "PUT",
        f"/v1/ledgers/{ledger}",
        key="m1",
        json={**LEDGER, "house_name": "TEST once"},
    )
    modified = reads.count(ledger)
    reads.clear()
    declared = client.call("POST", f"/v1/ledgers/{ledger}/declare", key="d1")
    declaring = reads.count(ledger)

    assert (renamed.status_code, declared.status_code) == (200, 200)
    assert (modified, declaring) == (1, 1)
    assert zone.get_document(UUID(ledger)).head.house_name == "TEST once"


def test_amendment_close_out_and_write_off_over_http_r_ledger_3_r_form_9(
    client: Client,
) -> None:
    ledger = approved_ledger(client)
    form = client.call("POST", "/v1/business-forms", json=form_body("TEST-F1")).json()[
        "id"
    ]
    client.call("POST", f"/v1/business-forms/{form}/declare", key="f-d")
    client.call(
        "POST",
        f"/v1/business-forms/{form}/decisions",
        who="customs",
        key="f-a",
        json={"outcome": "approved", "document_no": "TESTF0001"},
    )

    amended = client.call(
        "POST",
        f"/v1/ledgers/{ledger}/amend",
        key="l-amend",
        json={**LEDGER, "house_name": "TEST amended", "line_changes": []},
    )
    closing = client.call("POST", f"/v1/business-forms/{form}/close-out", key="f-c")
    write_off = client.call(
        "POST",
        f"/v1/ledgers/{ledger}/write-off",
        key="l-w",
        json={"period_start": "2026-01-01", "period_end": "2026-06-30"},
    )
    amend_draft = client.call(
        "POST",
        f"/v1/vehicles/{form}/amend",
        key="v-a",
        json={"vehicle_type": "1", "tare_weight_kg": "8000"},
    )

    assert amended.status_code == closing.status_code == write_off.status_code == 200
    assert amend_draft.status_code == 404
    read = client.call("GET", f"/v1/business-forms/{form}").json()
    assert read["state"] == "declared"
    ledger_state = client.call("GET", f"/v1/ledgers/{ledger}").json()
    assert ledger_state["state"] == "declared"


def test_a_checklists_declaration_is_read_once_customs_generated_it_r_chk_5(
    client: Client,
) -> None:
    approved_ledger(client)
    [result] = client.call("POST", "/v1/imports", content=an_erp_checklist()).json()[
        "results"
    ]
    checklist = result["document_id"]
    client.call(
        "POST",
        f"/v1/checklists/{checklist}/decisions",
        who="customs",
        key="c-ok",
        json={"outcome": "approved", "document_no": "QD224426I000000009"},
    )

    before = client.call("GET", f"/v1/declarations/{checklist}")
    client.call(
        "POST",
        f"/v1/checklists/{checklist}/declaration",
        who="customs",
        key="c-gen",
        json={"declaration_no": "I20260000000000009"},
    )
    client.call(
        "POST",
        f"/v1/checklists/{checklist}/release",
        who="customs",
        key="c-rel",
        json={"released_on": "2026-12-03"},
    )
    after = client.call("GET", f"/v1/declarations/{checklist}").json()
    hidden = client.call("GET", f"/v1/declarations/{checklist}", who="other")

    assert before.status_code == 404
    assert (after["declaration_no"], after["released_on"]) == (
        "I20260000000000009",
        "2026-12-03",
    )
    assert hidden.status_code == 404


def a_declared_form_over_http(client: Client) -> str:
    form = client.call("POST", "/v1/business-forms", json=form_body("TEST-FD1")).json()[
        "id"
    ]
    client.call("POST", f"/v1/business-forms/{form}/declare", key="fd-d")
    return str(form)


def test_customs_levies_a_deposit_on_an_approved_form_only_r_form_1(
    client: Client,
) -> None:
    form = a_declared_form_over_http(client)
    deposits = f"/v1/business-forms/{form}/deposits"

    before_approval = client.call(
        "POST", deposits, who="customs", key="dep-0", json={"amount": "500"}
    )
    client.call(
        "POST",
        f"/v1/business-forms/{form}/decisions",
        who="customs",
        key="fd-a",
        json={"outcome": "approved", "document_no": "TESTF0002"},
    )
    by_the_enterprise = client.call(
        "POST", deposits, key="dep-1", json={"amount": "500"}
    )
    levied = client.call(
        "POST", deposits, who="customs", key="dep-2", json={"amount": "500"}
    )
    negative = client.call(
        "POST", deposits, who="customs", key="dep-3", json={"amount": "-1"}
    )

    assert before_approval.status_code == 409
    assert before_approval.json()["error"]["rule"] == "R-FORM-1"
    assert by_the_enterprise.status_code == 403
    assert levied.status_code == 200
    assert negative.status_code == 422
    status = client.call("GET", f"/v1/business-forms/{form}").json()["status"]
    assert status == {
        "deposit": "500",
        "deposit_reserved": "0",
        "deposit_drawn": "0",
        "deposit_remaining": "500",
    }

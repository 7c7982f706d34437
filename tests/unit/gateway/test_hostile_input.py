"""Hostile and malformed input is refused with its field, and nothing is stored.

Over JSON and over both XML dialects: invisible and bidirectional-control
characters in numbers and names, numbers that are not numbers (NaN, 1e309,
thousands separators, hex), impossible and far-future dates, path-like file
names. Property-based: any text in a name either passes unchanged or is refused
with a 422, never a server error.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bonded.bootstrap import Applications, build_applications
from bonded.errors import MessageError
from gateway.api.app import ApiServices, create_api
from gateway.customs.declarations import read_inv101
from gateway.inbox import ReceiptInbox
from gateway.keys import MemoryKeyStore, Role, create_key
from gateway.receipt_log import MemoryReceiptLog
from schemas.text import REFUSED_CATEGORIES
from tests.builders import ZONE_CODE, register_test_enterprises
from tests.customs_messages import inv201

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "customs"
INV101 = (SAMPLES / "01-INV101-declaration.xml").read_bytes()
LEDGER = {
    "enterprise_doc_no": "TEST-H1",
    "operating_customs_code": ZONE_CODE,
    "master_customs_code": "2244",
    "area_type": "Z",
    "house_no": "TEST-W1",
    "house_name": "TEST warehouse",
    "house_address": "TEST road 1",
    "valid_until": "2030-12-31",
}
FORM_LINE = {
    "line_no": 1,
    "part_no": "TEST-P1",
    "hs_code": "84713000",
    "name": "TEST goods",
    "quantity": "10",
    "unit": "007",
    "unit_price": "1",
}


@pytest.fixture
def memory_apps() -> Iterator[Applications]:
    built = build_applications({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    register_test_enterprises(built)
    yield built
    built.close()


@pytest.fixture
def portal(memory_apps: Applications) -> Iterator[tuple[TestClient, dict[str, str]]]:
    keys = MemoryKeyStore()
    headers = {
        "enterprise": f"Bearer {create_key(keys, Role.ENTERPRISE, (ZONE_CODE,))}",
        "customs": f"Bearer {create_key(keys, Role.CUSTOMS)}",
    }
    inbox = ReceiptInbox(memory_apps.zone, MemoryReceiptLog())
    with TestClient(create_api(ApiServices(memory_apps, keys, inbox))) as http:
        yield http, headers


def stored(apps: Applications) -> int:
    return apps.zone.recorder.max_notification_id() or 0


def post(
    http: TestClient, headers: dict[str, str], url: str, body: Any, who: str = ""
) -> Any:
    return http.post(
        url,
        json=body,
        headers={"Authorization": headers[who or "enterprise"], "Idempotency-Key": "k"},
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("enterprise_doc_no", "TEST\u200b-H1"),  # zero-width space
        ("enterprise_doc_no", "TEST-H1\u202e"),  # right-to-left override
        ("house_name", "TEST \u2066ware\u2069house"),  # bidi isolates
        ("operating_customs_code", "TESTZ\u00ad0001"),  # soft hyphen
        ("house_no", "TEST\nW1"),  # a line break in a number
        ("house_address", "TEST road\x00 1"),  # NUL
        ("house_name", "TEST \ue000 warehouse"),  # private use
    ],
    ids=["zero-width", "rtl-override", "bidi-isolate", "soft-hyphen", "newline",
         "nul", "private-use"],
)  # fmt: skip
def test_invisible_characters_in_numbers_and_names_are_refused(
    portal: tuple[TestClient, dict[str, str]],
    memory_apps: Applications,
    field: str,
    value: str,
) -> None:
    http, headers = portal
    before = stored(memory_apps)

    answer = post(http, headers, "/v1/ledgers", {**LEDGER, field: value})

    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["field"] == field
    assert "invisible or control character" in answer.json()["error"]["message"]
    assert stored(memory_apps) == before


@pytest.mark.parametrize(
    "quantity",
    ["NaN", "Infinity", "-Infinity", "1e309", "1,000", "0x10", "1_000", "", "12..5",
     "0.0000000001", 1.5],
)  # fmt: skip
def test_numbers_that_are_not_numbers_are_refused(
    portal: tuple[TestClient, dict[str, str]],
    memory_apps: Applications,
    quantity: object,
) -> None:
    http, headers = portal
    before = stored(memory_apps)
    body = {
        "enterprise_doc_no": "TEST-F1",
        "business_type": "H",
        "direction": "I",
        "zone_customs_code": ZONE_CODE,
        "master_customs_code": "2244",
        "valid_until": "2030-12-31",
        "lines": [{**FORM_LINE, "quantity": quantity}],
    }

    answer = post(http, headers, "/v1/business-forms", body)

    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["field"] == "lines.0.quantity"
    assert stored(memory_apps) == before


@pytest.mark.parametrize(
    "valid_until", ["2026-02-30", "2026-13-01", "9999-12-31", "1899-01-01", "tomorrow"]
)
def test_impossible_and_far_off_dates_are_refused(
    portal: tuple[TestClient, dict[str, str]],
    memory_apps: Applications,
    valid_until: str,
) -> None:
    http, headers = portal
    before = stored(memory_apps)

    answer = post(http, headers, "/v1/ledgers", {**LEDGER, "valid_until": valid_until})

    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["field"] == "valid_until"
    assert stored(memory_apps) == before


def test_a_posting_or_release_dated_in_the_future_is_refused(
    portal: tuple[TestClient, dict[str, str]], memory_apps: Applications
) -> None:
    http, headers = portal
    some_id = "00000000-0000-4000-8000-000000000001"
    before = stored(memory_apps)

    posted = post(
        http,
        headers,
        f"/v1/checklists/{some_id}/post",
        {"posted_on": "2999-01-01"},
        "customs",
    )
    released = post(
        http,
        headers,
        f"/v1/checklists/{some_id}/release",
        {"released_on": "2999-01-01"},
        "customs",
    )

    assert posted.status_code == released.status_code == 422
    assert posted.json()["error"]["field"] == "posted_on"
    assert released.json()["error"]["field"] == "released_on"
    assert stored(memory_apps) == before


@pytest.mark.parametrize(
    "name", ["../../etc/passwd", "/etc/passwd", "..\\..\\boot.ini", "a/b.pdf", ""]
)
def test_path_like_attachment_names_are_refused(
    portal: tuple[TestClient, dict[str, str]],
    memory_apps: Applications,
    name: str,
) -> None:
    http, headers = portal
    ledger = post(http, headers, "/v1/ledgers", LEDGER).json()["id"]
    before = stored(memory_apps)

    answer = http.put(
        f"/v1/ledgers/{ledger}/attachments",
        params={"file_name": name},
        content=b"%PDF-1.7\n%%EOF\n",
        headers={"Authorization": headers["enterprise"], "Idempotency-Key": name},
    )

    assert answer.status_code == 422, answer.text
    assert stored(memory_apps) == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ((b"<EtpsInnerInvtNo>", b"<EtpsInnerInvtNo>\xe2\x80\x8b"), "EtpsInnerInvtNo"),
        ((b"<DclQty>200</DclQty>", b"<DclQty>1,000</DclQty>"), "DclQty"),
        ((b"<DclQty>200</DclQty>", b"<DclQty>0x10</DclQty>"), "DclQty"),
        ((b"<DclQty>200</DclQty>", b"<DclQty>1e309</DclQty>"), "DclQty"),
    ],
    ids=["zero-width-number", "thousands", "hex", "overflow"],
)
def test_an_erp_declaration_with_hidden_or_false_numbers_is_refused(
    change: tuple[bytes, bytes], field: str
) -> None:
    assert change[0] in INV101

    with pytest.raises(MessageError) as refused:
        read_inv101(INV101.replace(*change, 1))

    assert refused.value.field.startswith(field)


def test_a_receipt_with_a_bidi_control_in_its_number_is_refused(
    portal: tuple[TestClient, dict[str, str]], memory_apps: Applications
) -> None:
    http, headers = portal
    raw = inv201(
        "QD2244\u202e26I000000001",
        customs_code=ZONE_CODE,
        enterprise_doc_no="TEST-C1",
        result="1",
    )
    before = stored(memory_apps)

    answer = http.post(
        "/v1/customs/receipts",
        content=raw.encode() if isinstance(raw, str) else raw,
        headers={"Authorization": headers["customs"], "Content-Type": "text/xml"},
    )

    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["field"] == "businessId"
    assert "U+202E" in answer.json()["error"]["message"]
    assert stored(memory_apps) == before


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(name=st.text(min_size=1, max_size=40))
def test_any_name_is_kept_exactly_or_refused_never_a_server_error(
    portal: tuple[TestClient, dict[str, str]], memory_apps: Applications, name: str
) -> None:
    http, headers = portal
    number = f"TEST-PROP-{abs(hash(name)) % 10**12}"

    answer = post(
        http, headers, "/v1/ledgers", {**LEDGER, "enterprise_doc_no": number,
                                       "house_name": name}
    )  # fmt: skip

    hidden = any(unicodedata.category(c) in REFUSED_CATEGORIES for c in name)
    if hidden:
        assert answer.status_code == 422, answer.text
        assert answer.json()["error"]["field"] == "house_name"
    else:
        assert answer.status_code in (200, 201, 422), answer.text
    if answer.status_code in (200, 201):
        read = http.get(
            f"/v1/ledgers/{answer.json()['id']}",
            headers={"Authorization": headers["enterprise"]},
        ).json()
        assert read["head"]["house_name"] == name

"""Who may call what: every endpoint against every role (R-DOC-12).

The table below is the access policy: for each route, the roles that may call it
(``anyone`` is every role with a valid key). The test calls every route with no
key, with a key of each role, and with a key of another enterprise, on documents
of the test enterprise, and proves:

- without a valid key every route answers 401;
- a role outside the route's roles gets 403, whatever the body;
- a role inside them is never refused for its role (no 401 or 403);
- another enterprise's key never gets a 2xx on the test enterprise's documents,
  and reading one answers 404, as if it did not exist;
- a route missing from the table fails the test, so none goes unreviewed.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from bonded.bootstrap import Applications, build_applications
from gateway.api.app import ApiServices, create_api
from gateway.inbox import ReceiptInbox
from gateway.keys import PostgresKeyStore, Role, create_key
from gateway.receipt_log import MemoryReceiptLog
from projections.postgres import ProjectionStore
from tests.builders import (
    OTHER_CODE,
    ZONE_CODE,
    a_checklist_line,
    a_form_line,
    an_approved_checklist,
    an_approved_form,
    an_approved_gate_pass,
    an_approved_ledger,
    register_test_enterprises,
)

pytestmark = pytest.mark.integration

ENTERPRISE = {"enterprise", "admin"}
CUSTOMS = {"customs", "admin"}
ANYONE = {"enterprise", "customs", "subcentre", "analyst", "admin"}

POLICY: dict[tuple[str, str], set[str]] = {
    ("GET", "/v1/declarations/{checklist_id}"): ANYONE,
    ("GET", "/v1/{kind}/{document_id}"): ANYONE,
    ("GET", "/v1/{kind}/{document_id}/receipt"): ANYONE,
    ("GET", "/v1/{kind}/{document_id}/lines"): ANYONE,
    ("GET", "/v1/{kind}/{document_id}/gate-passes"): ANYONE,
    ("GET", "/v1/{kind}/{document_id}/print"): ANYONE,
    ("GET", "/v1/{kind}/{document_id}/attachments/{number}"): ANYONE,
    ("GET", "/v1/{kind}"): ANYONE,
    ("GET", "/v1/ledgers/{ledger_id}/findings"): ANYONE,
    ("GET", "/v1/ledgers/{ledger_id}/stock"): ANYONE,
    ("GET", "/v1/business-forms/{form_id}/movements"): ANYONE,
    ("GET", "/v1/consolidation-candidates"): ANYONE,
    ("POST", "/v1/{kind}/{document_id}/declare"): ENTERPRISE,
    ("POST", "/v1/{kind}/{document_id}/void"): ENTERPRISE,
    ("DELETE", "/v1/{kind}/{document_id}"): ENTERPRISE,
    ("PUT", "/v1/{kind}/{document_id}/attachments"): ENTERPRISE,
    ("DELETE", "/v1/{kind}/{document_id}/attachments/{number}"): ENTERPRISE,
    ("POST", "/v1/ledgers"): ENTERPRISE,
    ("POST", "/v1/business-forms"): ENTERPRISE,
    ("POST", "/v1/stock-slips"): ENTERPRISE,
    ("POST", "/v1/checklists"): ENTERPRISE,
    ("POST", "/v1/consolidations"): ENTERPRISE,
    ("POST", "/v1/delivery-orders"): ENTERPRISE,
    ("POST", "/v1/vehicles"): ENTERPRISE,
    ("POST", "/v1/gate-passes"): ENTERPRISE,
    ("PUT", "/v1/ledgers/{document_id}"): ENTERPRISE,
    ("PUT", "/v1/business-forms/{document_id}"): ENTERPRISE,
    ("PUT", "/v1/stock-slips/{document_id}"): ENTERPRISE,
    ("PUT", "/v1/checklists/{document_id}"): ENTERPRISE,
    ("PUT", "/v1/delivery-orders/{document_id}"): ENTERPRISE,
    ("PUT", "/v1/vehicles/{document_id}"): ENTERPRISE,
    ("PUT", "/v1/gate-passes/{document_id}"): ENTERPRISE,
    ("POST", "/v1/ledgers/{document_id}/amend"): ENTERPRISE,
    ("POST", "/v1/ledgers/{document_id}/write-off"): ENTERPRISE,
    ("POST", "/v1/ledgers/{document_id}/write-off/confirm"): ENTERPRISE,
    ("POST", "/v1/business-forms/{document_id}/amend"): ENTERPRISE,
    ("POST", "/v1/business-forms/{document_id}/close-out"): ENTERPRISE,
    ("POST", "/v1/vehicles/{document_id}/amend"): ENTERPRISE,
    ("POST", "/v1/{kind}/{document_id}/copy"): ENTERPRISE,
    ("POST", "/v1/imports"): ENTERPRISE,
    ("GET", "/v1/checklists/{document_id}/customs-message"): ENTERPRISE,
    ("GET", "/v1/gate-passes/{document_id}/customs-message"): ENTERPRISE,
    ("POST", "/v1/ledgers/{document_id}/write-off/result"): CUSTOMS,
    ("POST", "/v1/business-forms/{document_id}/deposits"): CUSTOMS,
    ("POST", "/v1/{kind}/{document_id}/decisions"): CUSTOMS,
    ("POST", "/v1/checklists/{document_id}/declaration"): CUSTOMS,
    ("POST", "/v1/checklists/{document_id}/release"): CUSTOMS,
    ("POST", "/v1/checklists/{document_id}/post"): CUSTOMS,
    ("POST", "/v1/gate-passes/{document_id}/crossings"): CUSTOMS,
    ("POST", "/v1/gate-passes/{document_id}/inspection-control"): CUSTOMS,
    ("POST", "/v1/gate-passes/{document_id}/inspection"): CUSTOMS,
    ("POST", "/v1/customs/receipts"): CUSTOMS,
}


@pytest.fixture
def world(
    pg_env: dict[str, str], database_url: str
) -> Iterator[tuple[TestClient, dict[str, str], dict[str, str], PostgresKeyStore]]:
    apps: Applications = build_applications(pg_env)
    register_test_enterprises(apps)
    schema = pg_env["POSTGRES_SCHEMA"]
    store = ProjectionStore(database_url, schema=schema)
    store.create_tables()
    keys = PostgresKeyStore(database_url, schema=schema)
    secrets = {
        "enterprise": create_key(keys, Role.ENTERPRISE, (ZONE_CODE,)),
        "other": create_key(keys, Role.ENTERPRISE, (OTHER_CODE,)),
        "customs": create_key(keys, Role.CUSTOMS),
        "subcentre": create_key(keys, Role.SUBCENTRE),
        "analyst": create_key(keys, Role.ANALYST),
        "admin": create_key(keys, Role.ADMIN),
    }
    ledger = an_approved_ledger(apps)
    checklist = an_approved_checklist(
        apps, "TEST-ACC-C1", "I", (a_checklist_line(1, "TEST-P1", "5"),)
    )
    form = an_approved_form(apps, lines=(a_form_line(1),))
    ids = {
        "ledgers": str(ledger),
        "checklists": str(checklist),
        "business-forms": str(form),
        "gate-passes": str(an_approved_gate_pass(apps, "TEST-ACC-G1", (checklist,))),
        "stock-slips": str(uuid.uuid4()),
        "vehicles": str(uuid.uuid4()),
        "delivery-orders": str(uuid.uuid4()),
    }
    api = create_api(
        ApiServices(apps, keys, ReceiptInbox(apps.zone, MemoryReceiptLog()), store)
    )
    with TestClient(api) as http:
        yield http, secrets, ids, keys
    keys.close()
    store.close()
    apps.close()


def concrete(path: str, ids: dict[str, str]) -> tuple[str, bool]:
    """The route with its parameters filled; and whether it names a document."""
    kind = next((k for k in ids if path.startswith(f"/v1/{k}/")), "ledgers")
    filled = (
        path.replace("{kind}", kind)
        .replace("{document_id}", ids[kind])
        .replace("{checklist_id}", ids["checklists"])
        .replace("{ledger_id}", ids["ledgers"])
        .replace("{form_id}", ids["business-forms"])
        .replace("{number}", "1")
    )
    if filled.endswith("/lines"):
        filled += "?q=1"
    return filled, "{" in path and "{kind}" not in path.rsplit("/", 1)[-1]


def call(http: TestClient, method: str, url: str, key: str | None) -> int:
    headers = {"Idempotency-Key": f"acc-{uuid.uuid4().hex}"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    kwargs: dict[str, Any] = {}
    if method in ("POST", "PUT"):
        kwargs["json"] = {}
    return http.request(method, url, headers=headers, **kwargs).status_code


def test_every_route_is_in_the_access_policy(
    world: tuple[TestClient, dict[str, str], dict[str, str], PostgresKeyStore],
) -> None:
    http, _, _, _ = world
    routes = {
        (method, route.path)
        for route in http.app.routes  # type: ignore[attr-defined]
        if isinstance(route, APIRoute) and route.path.startswith("/v1/")
        for method in route.methods
    }

    assert routes == set(POLICY)


def test_each_role_reaches_only_what_the_policy_grants_r_doc_12(
    world: tuple[TestClient, dict[str, str], dict[str, str], PostgresKeyStore],
) -> None:
    http, secrets, ids, _ = world
    wrong: list[str] = []

    for (method, path), allowed in sorted(POLICY.items()):
        url, names_document = concrete(path, ids)
        if call(http, method, url, None) != 401:
            wrong.append(f"{method} {path}: no key not 401")
        if call(http, method, url, "bk_nosuch_secret") != 401:
            wrong.append(f"{method} {path}: unknown key not 401")
        for role in ANYONE:
            status = call(http, method, url, secrets[role])
            if role in allowed and status in (401, 403):
                wrong.append(f"{method} {path}: {role} refused with {status}")
            if role not in allowed and status != 403:
                wrong.append(f"{method} {path}: {role} got {status}, not 403")
        other = call(http, method, url, secrets["other"])
        if 200 <= other < 300 and names_document:
            wrong.append(f"{method} {path}: another enterprise got {other}")
        if method == "GET" and names_document and "enterprise" in allowed:
            documented = re.search(r"/v1/(ledgers|checklists|business-forms)/", url)
            if documented and other != 404:
                wrong.append(f"{method} {path}: another enterprise got {other}")

    assert wrong == []


def test_keys_are_kept_as_digests_only(
    world: tuple[TestClient, dict[str, str], dict[str, str], PostgresKeyStore],
) -> None:
    _, secrets, _, keys = world

    with keys.pool.connection() as conn:
        stored = conn.execute("SELECT * FROM api_keys").fetchall()

    dump = repr(stored)
    for key in secrets.values():
        secret = key.split("_", 2)[2]
        assert secret not in dump
    assert len(stored) == len(secrets)

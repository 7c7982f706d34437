"""The HTTP API fuzzed from its own OpenAPI document (schemathesis).

Every operation gets generated requests, valid and invalid, with an admin key
(so authorisation lets them through to validation and the domain): none may
answer with a server error, whatever it is sent.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from bonded.bootstrap import build_applications
from gateway.api.app import ApiServices, create_api
from gateway.inbox import ReceiptInbox
from gateway.keys import MemoryKeyStore, Role, create_key
from gateway.receipt_log import MemoryReceiptLog
from tests.builders import register_test_enterprises

EXAMPLES_PER_OPERATION = 25


def test_no_request_makes_the_api_fail() -> None:
    apps = build_applications({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    register_test_enterprises(apps)
    keys = MemoryKeyStore()
    admin = {"Authorization": f"Bearer {create_key(keys, Role.ADMIN)}"}
    api = create_api(
        ApiServices(apps, keys, ReceiptInbox(apps.zone, MemoryReceiptLog()))
    )
    schema = schemathesis.openapi.from_asgi("/openapi.json", api)
    tried = []
    try:
        for result in schema.get_all_operations():
            operation = result.ok()

            @given(case=operation.as_strategy())
            @settings(
                max_examples=EXAMPLES_PER_OPERATION,
                deadline=None,
                database=None,
                # The same requests every run in CI; a failure is a real bug.
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            def never_a_server_error(case: schemathesis.Case) -> None:
                case.call_and_validate(headers=admin, checks=[not_a_server_error])

            never_a_server_error()
            tried.append(operation.label)
    finally:
        apps.close()

    assert len(tried) >= 40

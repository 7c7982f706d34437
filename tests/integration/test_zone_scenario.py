"""One import and one export from business form to posting on the real PostgreSQL."""

from __future__ import annotations

import pytest

from bonded.bootstrap import build_applications
from tests.builders import register_test_enterprises
from tests.scenarios import import_and_export

pytestmark = pytest.mark.integration


def test_import_and_export_from_form_to_posting(pg_env: dict[str, str]) -> None:
    apps = build_applications(pg_env)
    register_test_enterprises(apps)
    try:
        done = import_and_export(apps)
        assert apps.zone.get_ledger(done.ledger_id).stock_of("TEST-P1") == 35
    finally:
        apps.close()

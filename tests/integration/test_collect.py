"""``bonded customs collect`` reads the single window's InBox into the inbox."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from aggregates.common.lifecycle import State
from bonded.bootstrap import build_applications
from bonded.cli import main
from gateway.customs.filedrop import FileDrop
from tests.builders import (
    ZONE_CODE,
    a_checklist,
    a_checklist_line,
    an_approved_ledger,
    register_test_enterprises,
)
from tests.customs_messages import inv201

pytestmark = pytest.mark.integration


def test_receipts_dropped_in_the_inbox_folder_are_applied_r_flow_2(
    pg_env: dict[str, str], database_url: str, tmp_path: Path
) -> None:
    apps = build_applications(pg_env)
    register_test_enterprises(apps)
    an_approved_ledger(apps)
    checklist = a_checklist(apps, "TEST-C1", "I", (a_checklist_line(1, "A", "5"),))
    apps.zone.declare(checklist, command_id="d")
    drop = FileDrop(tmp_path)
    (drop.folder("InBox") / "CUS1.INV").write_bytes(
        inv201(
            "QD224426I000000001", customs_code=ZONE_CODE, enterprise_doc_no="TEST-C1"
        )
    )
    (drop.folder("InBox") / "CUS2.INV").write_bytes(b"<not xml")

    result = CliRunner().invoke(
        main,
        ["customs", "collect", "--dir", str(tmp_path), "--once"],
        env={
            "BONDED_DATABASE_URL": database_url,
            "BONDED_DATABASE_SCHEMA": pg_env["POSTGRES_SCHEMA"],
            "BONDED_KAFKA_BOOTSTRAP": "127.0.0.1:1",
        },
    )
    state = apps.zone.get_checklist(checklist).state
    apps.close()

    assert result.exit_code == 0, result.output
    assert "1 received, 1 refused" in result.output
    assert state is State.APPROVED

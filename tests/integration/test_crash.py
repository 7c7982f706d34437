"""A zone-day under SIGKILL: a seeded short run of the crash harness."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.crash import crash_day

pytestmark = pytest.mark.integration


def test_a_zone_day_survives_its_processes_killed_and_restarted(
    database_url: str, kafka_bootstrap: str, tmp_path: Path
) -> None:
    report = crash_day(database_url, kafka_bootstrap, tmp_path, seed=7)

    assert report.problems == []
    assert len(report.kills) >= 3
    # The day went on: both enterprises' three checklists were posted once each.
    assert report.postings == 6
    assert report.deliveries > 0 and report.events > 0

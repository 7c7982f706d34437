"""A short soak: memory of the gateway and the worker stays flat under load."""

from __future__ import annotations

import pytest

from bench.soak import soak

pytestmark = pytest.mark.integration

# Generous: a leak of a few hundred bytes per command (a list or cache that only
# grows) adds this much over the rounds; allocator noise stays well below.
GROWTH_LIMIT_KIB = 30 * 1024


def test_memory_stays_flat_over_rounds_of_commands(
    database_url: str, kafka_bootstrap: str
) -> None:
    report = soak(database_url, kafka_bootstrap, rounds=4, seconds=5)

    assert report.refused == 0
    assert all(count > 100 for count in report.commands), report.commands
    assert report.growth_kib("gateway") < GROWTH_LIMIT_KIB, report.memory_kib
    assert report.growth_kib("worker") < GROWTH_LIMIT_KIB, report.memory_kib

"""Fixtures: applications on the in-memory store (unit) and embedded PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bonded.bootstrap import Applications, build_applications
from tests.builders import register_test_enterprises


@pytest.fixture
def memory_apps() -> Iterator[Applications]:
    apps = build_applications({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    register_test_enterprises(apps)
    yield apps
    apps.close()

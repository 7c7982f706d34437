"""How the API serves: its thread pool and the answers to commands."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import anyio.to_thread
from fastapi.testclient import TestClient

from bonded.bootstrap import build_applications
from bonded.zoneday import ledger_body
from gateway.api.app import ApiServices, create_api
from gateway.keys import MemoryKeyStore, Role, create_key
from gateway.serve import OWNER, shared_metrics_folder
from schemas.settings import Settings
from tests.builders import ZONE_CODE, register_test_enterprises


async def pool_size() -> float:
    return anyio.to_thread.current_default_thread_limiter().total_tokens


def memory_api(threads: int = 0) -> tuple[TestClient, str]:
    apps = build_applications({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    register_test_enterprises(apps)
    keys = MemoryKeyStore()
    key = create_key(keys, Role.ENTERPRISE, (ZONE_CODE,))
    return TestClient(create_api(ApiServices(apps, keys, threads=threads))), key


def test_the_thread_pool_has_the_configured_size() -> None:
    small, _ = memory_api(threads=3)
    default, _ = memory_api()

    with small, default:
        assert small.portal is not None and default.portal is not None
        assert small.portal.call(pool_size) == 3
        assert default.portal.call(pool_size) == 40


def test_a_creation_answers_201_with_its_location_then_200_when_repeated() -> None:
    client, key = memory_api()
    headers = {"Authorization": f"Bearer {key}"}
    body = ledger_body(ZONE_CODE, "TEST-L1", 1)

    with client:
        first = client.post("/v1/ledgers", json=body, headers=headers)
        again = client.post("/v1/ledgers", json=body, headers=headers)

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.headers["Location"] == first.json()["id"]
    assert first.json() == {**again.json(), "replayed": False}
    assert again.json()["replayed"] is True


def test_each_gateway_has_its_own_metrics_folder_and_removes_the_dead_ones(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    root = tmp_path / "gateway-metrics"
    killed = root / "8123-killed"
    killed.mkdir(parents=True)
    (killed / OWNER).write_text(str(gone.pid))
    (killed / "counter_4242.db").write_bytes(b"counts of a gone process")

    first = shared_metrics_folder(settings, 8123)
    second = shared_metrics_folder(settings, 8123)  # the same port, say by mistake

    assert first != second and first.is_dir() and second.is_dir()
    assert first.parent == root.absolute() and first.name.startswith("8123-")
    assert (first / OWNER).read_text() == str(os.getpid())
    assert not killed.exists()

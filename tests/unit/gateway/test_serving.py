"""How the API serves: its thread pool and the answers to commands."""

from __future__ import annotations

from pathlib import Path

import anyio.to_thread
from fastapi.testclient import TestClient

from bonded.bootstrap import build_applications
from bonded.zoneday import ledger_body
from gateway.api.app import ApiServices, create_api
from gateway.keys import MemoryKeyStore, Role, create_key
from gateway.serve import shared_metrics_folder
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


def test_server_processes_share_an_empty_metrics_folder_per_port(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path)
    folder = shared_metrics_folder(settings, 8123)
    (folder / "counter_4242.db").write_bytes(b"left by a gone process")
    (folder / "notes.txt").write_text("not ours to remove")

    again = shared_metrics_folder(settings, 8123)
    other = shared_metrics_folder(settings, 8124)

    assert again == folder == tmp_path.absolute() / "gateway-metrics" / "8123"
    assert sorted(p.name for p in again.iterdir()) == ["notes.txt"]
    assert other != folder and other.is_dir()

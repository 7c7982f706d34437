"""The key cache: a checked key is trusted for a stated time, no longer."""

from __future__ import annotations

import uuid
from dataclasses import replace

from fastapi.testclient import TestClient

from bonded.bootstrap import build_applications
from gateway.api.app import ApiServices, create_api
from gateway.keys import KeyCache, MemoryKeyStore, Role, create_key
from tests.builders import register_test_enterprises


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class CountingStore(MemoryKeyStore):
    def __init__(self) -> None:
        super().__init__()
        self.lookups = 0

    def get(self, key_id: str):  # type: ignore[no-untyped-def]
        self.lookups += 1
        return super().get(key_id)


def revoke(store: MemoryKeyStore, full_key: str) -> None:
    key_id = full_key.split("_")[1]
    store.keys[key_id] = replace(store.keys[key_id], revoked=True)


def test_a_checked_key_is_trusted_for_its_seconds_then_checked_again() -> None:
    store, clock = CountingStore(), Clock()
    key = create_key(store, Role.CUSTOMS)
    cache = KeyCache(store, 2.0, clock=clock)

    assert cache.known(key) is None
    first = cache.authenticate(key)
    clock.now += 1.5
    again = cache.known(key)
    revoke(store, key)
    clock.now += 1.0

    assert first is not None and again == first
    assert store.lookups == 1
    assert cache.known(key) is None
    assert cache.authenticate(key) is None


def test_no_cache_checks_every_request_and_wrong_keys_are_never_kept() -> None:
    store = CountingStore()
    key = create_key(store, Role.CUSTOMS)
    uncached = KeyCache(store, 0.0)
    cached = KeyCache(store, 60.0)

    uncached.authenticate(key)
    wrong = key[:-4] + "0000"
    cached.authenticate(wrong)

    assert uncached.known(key) is None
    assert cached.known(wrong) is None
    assert store.lookups == 2


def test_the_cache_holds_at_most_its_size() -> None:
    store = MemoryKeyStore()
    keys = [create_key(store, Role.CUSTOMS) for _ in range(3)]
    cache = KeyCache(store, 60.0, size=2)

    for key in keys:
        cache.authenticate(key)

    assert sum(cache.known(key) is not None for key in keys) <= 2
    assert cache.known(keys[-1]) is not None


def test_the_api_answers_from_the_cache_until_it_expires() -> None:
    apps = build_applications({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    register_test_enterprises(apps)
    store = CountingStore()
    key = create_key(store, Role.ANALYST)
    api = create_api(ApiServices(apps, store, key_cache_seconds=60.0))
    headers = {"Authorization": f"Bearer {key}"}

    with TestClient(api) as http:
        unknown = f"/v1/ledgers/{uuid.uuid4()}"
        answers = [http.get(unknown, headers=headers) for _ in range(3)]
        anonymous = http.get(unknown)

    # Past the key check each time: the document is unknown, not the caller.
    assert [a.status_code for a in answers] == [404, 404, 404]
    assert anonymous.status_code == 401
    assert store.lookups == 1

"""The event store on the embedded PostgreSQL: notification log and transactions."""

from __future__ import annotations

import threading

import pytest

from aggregates.register.application import EnterpriseRegister
from bonded.bootstrap import postgres_env
from tests.builders import a_credit_code

pytestmark = pytest.mark.integration

WRITERS = 4
PER_WRITER = 60


def test_tailing_the_notification_log_under_concurrent_writers_misses_nothing(
    pg_env: dict[str, str],
) -> None:
    register = EnterpriseRegister({**pg_env, "POSTGRES_POOL_SIZE": str(WRITERS + 2)})
    recorder = register.recorder
    seen: list[int] = []
    writing = threading.Event()
    writing.set()

    def write(writer: int) -> None:
        for n in range(PER_WRITER):
            serial = writer * 1000 + n
            register.register_enterprise(
                f"TEST{serial:06d}", a_credit_code(serial), f"TEST {serial}"
            )

    def tail() -> None:
        last = 0
        while True:
            still_writing = writing.is_set()
            for notification in recorder.select_notifications(last + 1, 50):
                seen.append(notification.id)
                last = notification.id
            if not still_writing and not recorder.select_notifications(last + 1, 1):
                return

    reader = threading.Thread(target=tail)
    writers = [threading.Thread(target=write, args=(w,)) for w in range(WRITERS)]
    reader.start()
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join()
    writing.clear()
    reader.join(timeout=60)

    everything = [n.id for n in recorder.select_notifications(1, 100_000)]
    assert len(everything) == WRITERS * PER_WRITER * 2  # enterprise + command record
    assert seen == everything
    register.close()


def test_refused_command_writes_nothing(
    pg_env: dict[str, str], database_url: str
) -> None:
    register = EnterpriseRegister(pg_env)
    register.register_enterprise("TEST000001", a_credit_code(1), "TEST one")
    before = register.recorder.max_notification_id()

    with pytest.raises(Exception, match="check character"):
        register.register_enterprise(
            "TEST000002", a_credit_code(2)[:17] + "0", "TEST two"
        )

    assert register.recorder.max_notification_id() == before
    register.close()


def test_database_functions_option_is_off(pg_env: dict[str, str]) -> None:
    register = EnterpriseRegister(pg_env)

    datastore = register.recorder.datastore  # type: ignore[attr-defined]

    assert postgres_env("postgresql://u@h/db")["POSTGRES_ENABLE_DB_FUNCTIONS"] == "n"
    assert datastore.enable_db_functions is False
    register.close()

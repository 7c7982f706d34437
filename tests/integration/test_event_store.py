"""The event store on the embedded PostgreSQL: notification log and transactions."""

from __future__ import annotations

import threading
import time
import uuid

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent
from psycopg import sql

from aggregates.register.application import EnterpriseRegister
from bonded.bootstrap import build_applications, postgres_env
from bonded.recorder import LockedAppendRecorder
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


def test_an_append_is_one_call_that_waits_for_the_events_tables_lock(
    pg_env: dict[str, str], database_url: str
) -> None:
    register = EnterpriseRegister(pg_env)
    assert isinstance(register.recorder, LockedAppendRecorder)
    table = sql.Identifier(pg_env["POSTGRES_SCHEMA"], "enterpriseregister_events")
    done = threading.Event()

    def append() -> None:
        register.register_enterprise("TEST000001", a_credit_code(1), "TEST one")
        done.set()

    with psycopg.connect(database_url) as holder:
        # ROW SHARE lets a plain INSERT through (its ROW EXCLUSIVE does not
        # conflict) but not the EXCLUSIVE lock the append must take.
        holder.execute(sql.SQL("LOCK TABLE {} IN ROW SHARE MODE").format(table))
        writer = threading.Thread(target=append)
        writer.start()
        waited = False
        deadline = time.monotonic() + 10
        while not waited and time.monotonic() < deadline:
            with psycopg.connect(database_url, autocommit=True) as probe:
                waited = bool(
                    probe.execute(
                        "SELECT count(*) FROM pg_stat_activity "
                        "WHERE wait_event_type = 'Lock' AND query LIKE %s",
                        ("%enterpriseregister_events_append%",),
                    ).fetchone()[0]  # type: ignore[index]
                )
        assert waited, "the append did not wait for the table's lock"
        assert not done.is_set()
        holder.commit()
    writer.join(10)
    assert done.is_set()
    assert register.recorder.max_notification_id() == 2
    register.close()


def test_each_application_appends_to_its_own_table(pg_env: dict[str, str]) -> None:
    apps = build_applications(pg_env)
    apps.register.register_enterprise("TEST000001", a_credit_code(1), "TEST one")

    assert apps.register.recorder.max_notification_id() == 2
    assert apps.zone.recorder.max_notification_id() is None
    apps.close()


def test_an_append_that_clashes_writes_none_of_its_events(
    pg_env: dict[str, str],
) -> None:
    register = EnterpriseRegister(pg_env)
    register.register_enterprise("TEST000001", a_credit_code(1), "TEST one")
    [first, *_] = register.recorder.select_notifications(1, 1)
    fresh = StoredEvent(first.originator_id.__class__(int=7), 1, first.topic, b"{}")
    clash = StoredEvent(first.originator_id, 1, first.topic, first.state)

    with pytest.raises(IntegrityError):
        register.recorder.insert_events([fresh, clash])

    assert register.recorder.max_notification_id() == 2
    [appended] = register.recorder.insert_events([fresh]) or []
    assert appended > 2
    assert len(register.recorder.select_notifications(1, 100)) == 3
    register.close()


def test_an_append_stores_each_events_bytes_exactly(pg_env: dict[str, str]) -> None:
    register = EnterpriseRegister(pg_env)
    # Every byte value, and the characters a composite's text form escapes.
    awkward = [
        bytes(range(256)),
        b'{"a": "\\\\ \\" ( ) , "}',
        "报关单 ，".encode(),
        b"",
    ]
    ids = [uuid.uuid4() for _ in awkward]
    events = [
        StoredEvent(id_, 1, 'tests:Odd\\Topic,("quoted")', state)
        for id_, state in zip(ids, awkward, strict=True)
    ]

    appended = register.recorder.insert_events(events) or []

    assert len(appended) == len(awkward)
    for id_, state in zip(ids, awkward, strict=True):
        [stored] = register.recorder.select_events(id_)
        assert (stored.state, stored.topic) == (state, events[0].topic)
    register.close()

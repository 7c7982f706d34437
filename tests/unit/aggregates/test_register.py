"""The enterprise register and the code checks of R-DOC-7."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from aggregates.common.errors import MalformedCodeError, UnknownEnterpriseError
from aggregates.common.values import check_credit_code, check_customs_code
from bonded.bootstrap import Applications, build_applications
from tests.builders import ZONE_CODE, a_credit_code, register_test_enterprises


def test_credit_code_with_correct_check_character_is_accepted() -> None:
    # A published example of GB 32100: 91350100M000100Y43.
    assert check_credit_code("91350100M000100Y43") == "91350100M000100Y43"


def test_credit_code_with_wrong_check_character_is_refused_r_doc_7() -> None:
    code = a_credit_code(7)
    wrong = code[:17] + ("0" if code[17] != "0" else "1")

    with pytest.raises(MalformedCodeError, match="check character") as refused:
        check_credit_code(wrong)

    assert refused.value.rule == "R-DOC-7"
    assert refused.value.field == "credit_code"


@pytest.mark.parametrize(
    "bad", ["91350100M000100Y4", "91350100M000100YI3", "", "91350100m000100Y43"]
)
def test_malformed_credit_codes_are_refused(bad: str) -> None:
    with pytest.raises(MalformedCodeError):
        check_credit_code(bad)


@pytest.mark.parametrize(
    "bad", ["TEST00001", "TEST0000011", "test000001", "TEST 00001"]
)
def test_malformed_customs_codes_are_refused(bad: str) -> None:
    with pytest.raises(MalformedCodeError, match="10 characters"):
        check_customs_code(bad)


def test_lookup_fills_credit_code_and_name_r_doc_7(apps: Applications) -> None:
    enterprise = apps.register.lookup(ZONE_CODE)

    assert enterprise.credit_code == a_credit_code(1)
    assert enterprise.name == "TEST enterprise 1"


def test_unknown_customs_code_is_an_error_r_doc_7(apps: Applications) -> None:
    with pytest.raises(UnknownEnterpriseError) as refused:
        apps.register.lookup("TEST999999")

    assert refused.value.rule == "R-DOC-7"


def test_registering_with_a_bad_credit_code_stores_nothing(apps: Applications) -> None:
    with pytest.raises(MalformedCodeError):
        apps.register.register_enterprise(
            "TEST000009", "91TE00000000000090", "TEST nine"
        )

    with pytest.raises(UnknownEnterpriseError):
        apps.register.lookup("TEST000009")


def test_registering_again_corrects_the_name(apps: Applications) -> None:
    apps.register.register_enterprise(ZONE_CODE, a_credit_code(1), "TEST renamed")

    assert apps.register.lookup(ZONE_CODE).name == "TEST renamed"


@pytest.fixture
def cached() -> Iterator[Applications]:
    """The applications with the aggregate cache the gateway runs with."""
    built = build_applications(
        {"PERSISTENCE_MODULE": "eventsourcing.popo", "AGGREGATE_CACHE_MAXSIZE": "100"}
    )
    register_test_enterprises(built)
    yield built
    built.close()


def test_a_lookup_after_a_correction_sees_it_with_the_cache_r_doc_7(
    cached: Applications,
) -> None:
    assert cached.register.lookup(ZONE_CODE).name == "TEST enterprise 1"

    cached.register.register_enterprise(ZONE_CODE, a_credit_code(1), "TEST renamed")

    assert cached.register.lookup(ZONE_CODE).name == "TEST renamed"


def test_a_lookup_does_not_queue_behind_another_bringing_the_entry_up_to_date(
    cached: Applications,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    register = cached.register
    register.lookup(ZONE_CODE)  # cached
    store = register.repository.event_store
    reading, release = threading.Event(), threading.Event()
    original = store.get

    def slow_get(*args: Any, **kwargs: Any) -> Any:
        if threading.current_thread().name == "first":
            reading.set()
            release.wait(60)
        return original(*args, **kwargs)

    monkeypatch.setattr(store, "get", slow_get)
    first = threading.Thread(target=register.lookup, args=(ZONE_CODE,), name="first")
    first.start()
    assert reading.wait(10)
    answers: list[str] = []
    second = threading.Thread(
        target=lambda: answers.append(register.lookup(ZONE_CODE).name)
    )
    second.start()
    second.join(5)  # the first read is held for a minute
    finished_while_first_read = not second.is_alive()
    release.set()
    first.join(10)
    second.join(10)

    assert finished_while_first_read
    assert answers == ["TEST enterprise 1"]

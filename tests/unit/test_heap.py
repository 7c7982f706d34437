"""A process's start is left out of later garbage collections."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from bonded.heap import keep_what_started


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    try:
        yield
    finally:
        gc.unfreeze()


class Node:
    """Something that can sit in a reference cycle and be watched."""

    def __init__(self) -> None:
        self.me = self


@pytest.mark.usefixtures("unfrozen")
def test_what_lives_at_the_end_of_the_start_is_no_longer_walked() -> None:
    kept = {"routes": [object() for _ in range(100)]}
    garbage = weakref.ref(Node())  # a cycle nothing refers to, made at start
    tracked = len(gc.get_objects())

    keep_what_started()
    later = {"cached": [object() for _ in range(10)]}

    walked = gc.get_objects()
    # The start's garbage was collected, not frozen for good.
    assert garbage() is None
    assert 0 < gc.get_freeze_count() < tracked
    assert all(o is not kept for o in walked)
    assert any(o is later for o in walked)

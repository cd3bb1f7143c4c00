from typing import Any

import pytest

from dspy_connect.errors import InvalidArgument, NotFound
from dspy_connect.session import RELEASE_AFTER_DROPS, SessionStore


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_idle_ttl_expires_and_use_refreshes():
    clock = Clock()
    store = SessionStore(clock)
    session = store.create("s1", None, 10)
    clock.now = 8
    assert store.get("s1") is session  # refreshes last_used
    clock.now = 17
    assert store.get("s1") is session
    clock.now = 28
    with pytest.raises(NotFound):
        store.get("s1")


def test_sweep_drops_expired_only():
    clock = Clock()
    store = SessionStore(clock)
    store.create("short", None, 1)
    store.create("long", None, 100)
    clock.now = 5
    assert store.sweep() == 1
    assert len(store) == 1


def test_create_again_refreshes_and_close():
    store = SessionStore(Clock())
    first = store.create("s", None, 5)
    assert store.create("s", None, 9) is first
    assert first.ttl_seconds == 9
    assert store.close("s") is True
    assert store.close("s") is False
    assert store.create("", None, 0).id  # the worker picks an id


def test_bad_ttl_and_id():
    store = SessionStore(Clock())
    with pytest.raises(InvalidArgument):
        store.create("s", None, 10**9)
    with pytest.raises(InvalidArgument):
        store.create("x" * 200, None, 1)


def test_modules_are_built_once_per_id():
    store = SessionStore(Clock())
    session = store.create("s", None, 5)
    built = []

    def build() -> Any:
        built.append(1)
        return object(), object()

    first = session.module("m", build)
    assert session.module("m", build) is first
    assert len(built) == 1


def test_memory_is_released_after_many_sessions_were_dropped():
    clock, released = Clock(), []
    store = SessionStore(clock, release=lambda: released.append(len(store)))
    for i in range(RELEASE_AFTER_DROPS * 2 + 10):
        store.create(f"s{i}", None, 5)
    for i in range(RELEASE_AFTER_DROPS - 1):
        store.close(f"s{i}")
    store.close("never-existed")
    assert released == []
    clock.now = 10  # every other session expires: one found by get, the rest by the sweep
    with pytest.raises(NotFound):
        store.get(f"s{RELEASE_AFTER_DROPS}")
    assert released == [len(store)]
    assert store.sweep() == RELEASE_AFTER_DROPS + 10
    assert len(store) == 0
    assert len(released) == 2

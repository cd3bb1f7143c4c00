"""Cyclic garbage collection on a thread of its own, never inside other code.

CPython before 3.12 can crash (a use-after-free) when the cyclic GC starts while a
ContextVar is being set: the allocation of a new context node starts the GC, and a
finalizer or weakref callback it runs sets a ContextVar of the same context, which frees
the nodes the first set is still walking (python/cpython#148891). DSPy sets a ContextVar
on every `dspy.context`, so a busy worker hit it: two segfaults in full test runs, one in
CI. With automatic collection off, the collector only ever starts from this thread, where
no ContextVar is half set. Reference counting still frees everything that is not in a cycle.
"""

from __future__ import annotations

import functools
import gc
import os
import sys
import threading
import time

from . import heap

# Short, so the young generation stays small and each collection's pause short
# (bench/gc.ts: first-token latency and throughput within noise of CPython's own GC).
INTERVAL_SECONDS = 0.02
# "automatic" keeps CPython's own collector (for comparison in bench/gc.ts).
POLICY_ENV = "DSPY_CONNECT_GC"

# A release (full collection, then a heap trim) at most this often: a full pass over a busy
# worker's objects can take ~100 ms, and a burst of closed sessions asks for many.
RELEASE_INTERVAL_SECONDS = 1.0

_started = threading.Event()
_lock = threading.Lock()
_release_requested = threading.Event()


def collect_in_background(interval: float = INTERVAL_SECONDS) -> None:
    """Turns automatic collection off and starts a daemon thread that collects the
    generations the automatic policy would have, checking `interval` seconds apart.
    Python 3.12+ is unaffected, so there it does nothing. Idempotent."""
    if sys.version_info >= (3, 12) or os.environ.get(POLICY_ENV) == "automatic":
        return
    with _lock:
        if _started.is_set():
            return
        _started.set()
    thresholds = gc.get_threshold()
    gc.disable()
    threading.Thread(target=_collect_forever, args=(interval, thresholds), name="gc", daemon=True).start()
    # A forked child inherits "disabled" but not the thread: it gets a collector of its own.
    os.register_at_fork(after_in_child=functools.partial(_start_in_child, interval))


def _start_in_child(interval: float) -> None:
    _started.clear()
    collect_in_background(interval)


def freeze_startup_objects() -> None:
    """Collects once, then moves every object alive now (DSPy, LiteLLM, their caches) out of
    the collector's sight: a full collection then costs ~0 ms instead of ~200 ms, which
    this policy (without CPython's long-lived-objects heuristic) would pay every few
    seconds under load."""
    gc.collect()
    gc.freeze()


def release_memory_soon() -> None:
    """Asks for a full collection and a heap trim, for when much was just dropped (closed
    sessions: their signature classes are cycles, which only a full pass frees, and an idle
    worker may not run one for a long time). The collector thread does it within
    RELEASE_INTERVAL_SECONDS; without that thread (Python 3.12+, the automatic policy) it
    happens here and now."""
    if _started:
        _release_requested.set()
    else:
        release_memory()


def release_memory() -> None:
    gc.collect()
    heap.trim()


def _collect_forever(interval: float, thresholds: tuple[int, ...]) -> None:
    last_release = 0.0
    while True:
        time.sleep(interval)
        now = time.monotonic()
        if _release_requested.is_set() and now - last_release >= RELEASE_INTERVAL_SECONDS:
            _release_requested.clear()
            release_memory()
            last_release = time.monotonic()
            continue
        generation = due_generation(gc.get_count(), thresholds)
        if generation is not None:
            gc.collect(generation)


def due_generation(counts: tuple[int, int, int], thresholds: tuple[int, ...]) -> int | None:
    """The oldest generation whose count passed its threshold, as CPython's own policy
    picks it (a generation is collected with every younger one); None when none is due."""
    if thresholds[0] <= 0 or counts[0] < thresholds[0]:
        return None
    generation = 0
    for older in (1, 2):
        if counts[older] >= thresholds[older]:
            generation = older
    return generation

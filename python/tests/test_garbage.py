"""The worker's garbage collection policy (dspy_connect.garbage)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from dspy_connect.garbage import due_generation

# The policy is for CPython before 3.12; from 3.12 on it starts nothing and the automatic
# collector stays on.
POLICY_ON = sys.version_info < (3, 12)

THRESHOLDS = (700, 10, 10)


def test_nothing_is_due_below_the_young_threshold():
    assert due_generation((699, 50, 50), THRESHOLDS) is None


def test_the_oldest_generation_past_its_threshold_is_collected():
    assert due_generation((700, 0, 0), THRESHOLDS) == 0
    assert due_generation((700, 10, 0), THRESHOLDS) == 1
    assert due_generation((700, 10, 10), THRESHOLDS) == 2
    assert due_generation((700, 0, 10), THRESHOLDS) == 2


def test_a_zero_threshold_means_never():
    assert due_generation((10**6, 10**6, 10**6), (0, 10, 10)) is None


# A finalizer that sets a ContextVar while the GC runs inside another ContextVar set: on
# CPython 3.11 with automatic collection this segfaults within a few thousand rounds
# (python/cpython#148891). With the policy on, the cycles are still collected.
REENTRANT_SET = textwrap.dedent(
    """
    import contextvars, gc, time, weakref
    from dspy_connect import garbage

    garbage.collect_in_background(0.005)
    gc.set_threshold(1, 1, 1)  # the policy keeps CPython's thresholds: collect often
    var = contextvars.ContextVar("v")
    pads = [contextvars.ContextVar(f"p{i}") for i in range(40)]
    for pad in pads:
        pad.set(object())
    collected = 0

    class Node:
        pass

    def finalized(_ref):
        global collected
        collected += 1
        var.set(object())

    refs = []
    for i in range(200_000):
        a, b = Node(), Node()
        a.b, b.a = b, a  # a cycle: only the collector frees it
        refs.append(weakref.ref(a, finalized))
        pads[i % 40].set(object())  # allocates context nodes: where the GC must not start
        if len(refs) > 1000:
            refs.clear()
    deadline = time.monotonic() + 10
    while collected == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    print(gc.isenabled(), collected > 0)
    """
)


def test_finalizers_that_set_context_vars_cannot_crash_a_context_var_set():
    result = subprocess.run([sys.executable, "-c", REENTRANT_SET], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == [str(not POLICY_ON), "True"]  # automatic collection off only where the policy is on


FORKED_CHILD = textwrap.dedent(
    """
    import gc, os, sys, threading
    from dspy_connect import garbage

    garbage.collect_in_background()
    pid = os.fork()
    if pid == 0:  # the child: collection still off, and its own collector thread runs
        ok = not gc.isenabled() and any(t.name == "gc" for t in threading.enumerate())
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    print(os.waitstatus_to_exitcode(status))
    """
)


@pytest.mark.skipif(not POLICY_ON, reason="from CPython 3.12 on the policy starts no collector")
def test_a_forked_child_gets_a_collector_of_its_own():
    result = subprocess.run([sys.executable, "-c", FORKED_CHILD], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["0"]

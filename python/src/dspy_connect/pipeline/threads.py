"""Threads for parallel branches and map items: one shared pool, so threads (and the
asyncio loop each keeps for streaming) are reused across runs and memory stays flat.
When every thread is busy, a task runs inline in the caller's thread instead of waiting
for one: nested parallel steps can then never deadlock the pool."""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

MAX_THREADS = 64
_pool = ThreadPoolExecutor(MAX_THREADS, thread_name_prefix="dspy-pipeline")
_slots = threading.BoundedSemaphore(MAX_THREADS)


def spawn(task: Callable[[], Any]) -> Future:
    """Runs `task` in the caller's contextvars context (dspy.context is a ContextVar)."""
    context = contextvars.copy_context()
    if _slots.acquire(blocking=False):
        try:
            future = _pool.submit(context.run, task)
        except BaseException:
            _slots.release()
            raise
        future.add_done_callback(lambda _: _slots.release())
        return future
    future = Future()
    future.set_running_or_notify_cancel()
    try:
        future.set_result(context.run(task))
    except BaseException as exc:  # RunCancelled too: the caller reads it from the future
        future.set_exception(exc)
    return future

"""Threads for parallel branches and map items: one shared pool, so threads (and the
asyncio loop each keeps for streaming) are reused across runs and memory stays flat.
When every thread is busy, `try_spawn` returns None and the caller runs the task itself
instead of waiting for a thread: nested parallel steps can then never deadlock the pool."""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

MAX_THREADS = 64
_pool = ThreadPoolExecutor(MAX_THREADS, thread_name_prefix="dspy-pipeline")
_slots = threading.BoundedSemaphore(MAX_THREADS)


def try_spawn(task: Callable[[], Any]) -> Future[Any] | None:
    """Runs `task` on a pool thread in the caller's contextvars context (dspy.context is a
    ContextVar); None when no thread is free."""
    if not _slots.acquire(blocking=False):
        return None
    context = contextvars.copy_context()
    try:
        future = _pool.submit(context.run, task)
    except BaseException:
        _slots.release()
        raise
    future.add_done_callback(lambda _: _slots.release())
    return future

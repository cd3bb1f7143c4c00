"""What a zygote checks and tidies before it forks a worker.

A forked child has only the thread that called fork. Any other thread's locks, queues and
half-done work would be copied without the thread that owns them, so the zygote forks only
when its main thread is the only one. grpcio is not fork-safe once its core is initialised:
the zygote may import grpc's modules (DSPy's own imports load them anyway) but must create
no channel or server; each child builds its server after the fork.
"""

from __future__ import annotations

import sys
import threading
from concurrent.futures import ThreadPoolExecutor

__all__ = ["ForkUnsafe", "check_fork_safe", "quiesce_for_fork"]


class ForkUnsafe(RuntimeError):
    """The zygote holds something a child must not inherit."""


def quiesce_for_fork() -> None:
    """Stops the threads the warm-up left behind, so they are not half-copied into children."""
    _rearm_litellm_logging_executor()
    sys.stdout.flush()  # else a child would write the zygote's buffered output again
    sys.stderr.flush()


def check_fork_safe() -> None:
    others = [t.name for t in threading.enumerate() if t is not threading.main_thread()]
    if others:
        raise ForkUnsafe(f"threads alive in the zygote: {', '.join(others)}")


def _rearm_litellm_logging_executor() -> None:
    # LiteLLM runs its success callbacks on a module-level thread pool whose threads outlive
    # the warm-up's completion. Other modules hold it by name, so it is not replaced: it is
    # shut down (its threads joined) and initialised again, empty; a child starts its own.
    module = sys.modules.get("litellm.litellm_core_utils.thread_pool_executor")
    executor = getattr(module, "executor", None)
    if not isinstance(executor, ThreadPoolExecutor):
        return
    executor.shutdown(wait=True)
    ThreadPoolExecutor.__init__(executor, max_workers=executor._max_workers, thread_name_prefix="litellm-logging")

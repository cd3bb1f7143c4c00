"""Counters the worker reports in Describe, so tests and operators can see what the
Python side is really doing (for example that a cancelled run's DSPy thread stopped)."""

from __future__ import annotations

import threading
from collections.abc import Generator
from contextlib import contextmanager


class RunStats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.active_runs = 0
        self.busy_threads = 0
        self.runs_total = 0
        self.runs_cancelled = 0
        # Unary calls whose client gave up (abort, deadline) while the worker ran them.
        self.calls_abandoned = 0

    @contextmanager
    def run(self) -> Generator[None]:
        with self._lock:
            self.active_runs += 1
            self.runs_total += 1
        try:
            yield
        finally:
            with self._lock:
                self.active_runs -= 1

    @contextmanager
    def busy(self) -> Generator[None]:
        """Wraps a run's or call's DSPy work, on a thread or a task of the event loop: it
        counts until the work really returns (Describe's busy_threads, a historical name)."""
        with self._lock:
            self.busy_threads += 1
        try:
            yield
        finally:
            with self._lock:
                self.busy_threads -= 1

    def cancelled(self) -> None:
        with self._lock:
            self.runs_cancelled += 1

    def abandoned(self) -> None:
        with self._lock:
            self.calls_abandoned += 1


STATS = RunStats()

"""Admission of new work by event-loop lag.

LM work waits on the network, so one worker takes many runs at once (the client's
per-worker limit is high). When the runs it has need more CPU than the process gets, its
event loop falls behind, and everything on it waits: every stream's chunks, health checks,
cancels, tool results. Past `max_lag_s`, new runs and calls wait here, first come first
served, until the loop has caught up; the work in flight keeps its pace and the worker
stays responsive. Work always gets in when none is running, and a deadline or a client
that goes away ends the wait (the handler is cancelled).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import math
from collections.abc import AsyncGenerator

__all__ = ["MAX_LAG_S", "AdmissionGate"]

# Well below the client's 2 s health-check timeout, far above a healthy loop's lag (~1 ms)
# and above what a saturated core gives a fair share of work (bench/concurrency.ts).
MAX_LAG_S = 0.5
TICK_S = 0.05
# Of the work running, the share that may join it in one tick once the loop keeps up:
# growth is quick but leaves a tick to see its effect on the lag.
RAMP = 0.25


class AdmissionGate:
    def __init__(self, max_lag_s: float = MAX_LAG_S, tick_s: float = TICK_S) -> None:
        self.max_lag_s = max_lag_s
        self.tick_s = tick_s
        self.running = 0
        # Lag of the loop now, in seconds: follows a rise at once, a fall more slowly.
        self.lag_s = 0.0
        self._waiting: collections.deque[asyncio.Future[None]] = collections.deque()
        self._meter: asyncio.Task[None] | None = None

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    def start(self) -> None:
        """Starts measuring the running loop's lag (once)."""
        if self._meter is None:
            self._meter = asyncio.get_running_loop().create_task(self._measure(), name="loop-lag")

    def stop(self) -> None:
        if self._meter is not None:
            self._meter.cancel()

    @contextlib.asynccontextmanager
    async def admitted(self) -> AsyncGenerator[None]:
        """Holds a place among the running work, after waiting for one if the loop lags."""
        if self._waiting or (self.running > 0 and self.lag_s > self.max_lag_s):
            await self._wait()  # admitted: `running` already counts this work
        else:
            self.running += 1
        try:
            yield
        finally:
            self.running -= 1
            self._admit(1)

    async def _wait(self) -> None:
        waiter = asyncio.get_running_loop().create_future()
        self._waiting.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():  # admitted, then cancelled: give the place back
                self.running -= 1
                self._admit(1)
            else:
                self._waiting.remove(waiter)
            raise

    def _admit(self, count: int) -> None:
        while self._waiting and count > 0 and (self.running == 0 or self.lag_s <= self.max_lag_s):
            waiter = self._waiting.popleft()
            if waiter.done():
                continue
            waiter.set_result(None)
            self.running += 1
            count -= 1

    async def _measure(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(self.tick_s)
            sample = max(0.0, loop.time() - before - self.tick_s)
            self.lag_s = sample if sample > self.lag_s else 0.7 * self.lag_s + 0.3 * sample
            self._admit(max(1, math.ceil(self.running * RAMP)))

"""The run's event channel: DSPy threads put events, the Run handler sends them in frames.

Bounded, so a slow consumer makes the producer wait (HTTP/2 flow control stalls the
sender, the buffer fills, `put` blocks) and memory stays flat. The sender takes every
event that is waiting, so when the consumer lags many events share one frame.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque

from ..v1 import run_pb2

DEFAULT_CAPACITY = 1024
MAX_EVENTS_PER_FRAME = 512


class ChannelClosed(Exception):
    """The run is over (finished, cancelled or its client is gone): no more events."""


class EventChannel:
    def __init__(self, loop: asyncio.AbstractEventLoop, capacity: int = DEFAULT_CAPACITY) -> None:
        self._loop = loop
        self._capacity = capacity
        self._items: deque[run_pb2.Event] = deque()
        self._cond = threading.Condition()
        self._closed = False
        self._seq = 0
        # Set while the sender sleeps; a put wakes it. Waking only then keeps the
        # per-event cost off the event loop.
        self._waiter: asyncio.Future[None] | None = None

    @property
    def count(self) -> int:
        return self._seq

    def put(self, event: run_pb2.Event) -> None:
        """Stamps `event` with its sequence number and time; blocks while the buffer is full."""
        with self._cond:
            while len(self._items) >= self._capacity and not self._closed:
                self._cond.wait()
            if self._closed:
                raise ChannelClosed()
            self._seq += 1
            event.seq = self._seq
            event.time_ms = time.time() * 1000
            self._items.append(event)
            waiter, self._waiter = self._waiter, None
        if waiter is not None:
            self._loop.call_soon_threadsafe(_wake, waiter)

    async def take(self) -> list[run_pb2.Event] | None:
        """Every waiting event (up to a frame's worth); None once closed and empty."""
        while True:
            with self._cond:
                if self._items:
                    n = min(len(self._items), MAX_EVENTS_PER_FRAME)
                    batch = [self._items.popleft() for _ in range(n)]
                    self._cond.notify_all()
                    return batch
                if self._closed:
                    return None
                waiter = self._waiter = self._loop.create_future()
            await waiter

    def close(self) -> None:
        """No more puts; the sender drains what is left. Blocked producers get ChannelClosed."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
            waiter, self._waiter = self._waiter, None
        if waiter is not None:
            self._loop.call_soon_threadsafe(_wake, waiter)

    def abandon(self) -> None:
        """The client is gone: drop what is buffered and release blocked producers."""
        with self._cond:
            self._items.clear()
        self.close()


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)

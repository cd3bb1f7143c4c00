"""The run's event channel: DSPy threads put events, the Run handler sends them in frames.
Tool calls travel on it too, so a call always follows the events that led to it.

Bounded, so a slow consumer makes the producer wait (HTTP/2 flow control stalls the
sender, the buffer fills, `put` blocks) and memory stays flat. The sender takes every
event that is waiting, so when the consumer lags many events share one frame.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque

from .v1 import run_pb2

DEFAULT_CAPACITY = 1024
MAX_EVENTS_PER_FRAME = 512


class ChannelClosed(Exception):
    """The run is over (finished, cancelled or its client is gone): no more events."""


class EventChannel:
    def __init__(self, loop: asyncio.AbstractEventLoop, capacity: int = DEFAULT_CAPACITY) -> None:
        self._loop = loop
        self._capacity = capacity
        # Events, and RunResponses (tool calls) that go out as frames of their own.
        self._items: deque[run_pb2.Event | run_pb2.RunResponse] = deque()
        self._cond = threading.Condition()
        self._closed = False
        self._seq = 0
        # Event times are ms since the run started, on a monotonic clock: stamped under
        # the lock with the sequence number, they never decrease with it.
        self._started = time.monotonic()
        # Set while the sender sleeps; a put wakes it. Waking only then keeps the
        # per-event cost off the event loop.
        self._waiter: asyncio.Future[None] | None = None

    @property
    def count(self) -> int:
        return self._seq

    def put(self, item: run_pb2.Event | run_pb2.RunResponse) -> None:
        """Queues an event, stamped with its sequence number and time (ms since the run
        started), or a frame of its own (a tool call, in order with the events); blocks
        while the buffer is full."""
        with self._cond:
            while len(self._items) >= self._capacity and not self._closed:
                self._cond.wait()
            waiter = self._append(item)
        if waiter is not None:
            self._loop.call_soon_threadsafe(_wake, waiter)

    def try_put(self, event: run_pb2.Event) -> bool:
        """`put` for the event loop, which must not block: False when the buffer is full."""
        with self._cond:
            if len(self._items) >= self._capacity and not self._closed:
                return False
            waiter = self._append(event)
        if waiter is not None:
            _wake(waiter)
        return True

    def _append(self, item: run_pb2.Event | run_pb2.RunResponse) -> asyncio.Future[None] | None:
        """Queues `item` (under the lock); returns the sender's waiter to wake, if it sleeps."""
        if self._closed:
            raise ChannelClosed
        if isinstance(item, run_pb2.Event):
            self._seq += 1
            item.seq = self._seq
            item.time_ms = (time.monotonic() - self._started) * 1000
        self._items.append(item)
        waiter, self._waiter = self._waiter, None
        return waiter

    async def take(self) -> run_pb2.RunResponse | None:
        """The next frame: every waiting event (up to a frame's worth) or a tool call;
        None once closed and empty."""
        while True:
            with self._cond:
                items = self._items
                if items:
                    first = items.popleft()
                    if isinstance(first, run_pb2.RunResponse):
                        self._cond.notify_all()
                        return first
                    batch = [first]
                    while items and len(batch) < MAX_EVENTS_PER_FRAME:
                        following = items[0]
                        if not isinstance(following, run_pb2.Event):
                            break  # a tool call: the next frame
                        batch.append(following)
                        items.popleft()
                    self._cond.notify_all()
                    break
                if self._closed:
                    return None
                waiter = self._waiter = self._loop.create_future()
            await waiter
        return run_pb2.RunResponse(events=run_pb2.EventBatch(events=batch))

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

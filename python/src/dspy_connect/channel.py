"""The run's event channel: a run's code puts events, the Run handler sends them in frames.
Tool calls travel on it too, so a call always follows the events that led to it.

Bounded, so a slow consumer makes the producer wait (HTTP/2 flow control stalls the
sender, the buffer fills) and memory stays flat. A run on a thread waits in `put`; a run
on the event loop awaits room in `aput` (its token stream), while what DSPy's sync
callbacks put there (a few events per step) goes past the bound rather than block the
loop. The sender takes every event that is waiting, so when the consumer lags many
events share one frame.
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
        # Producers on the loop awaiting room (aput); the sender wakes them as it takes.
        self._rooms: list[asyncio.Future[None]] = []

    @property
    def count(self) -> int:
        return self._seq

    def put(self, item: run_pb2.Event | run_pb2.RunResponse) -> None:
        """Queues an event, stamped with its sequence number and time (ms since the run
        started), or a frame of its own (a tool call, in order with the events). On a
        thread it blocks while the buffer is full; on the loop it cannot wait (the sender
        runs there), so the item goes past the bound: the run's next `aput` waits."""
        if self.on_loop():
            self._put_here(item)
            return
        with self._cond:
            while len(self._items) >= self._capacity and not self._closed:
                self._cond.wait()
            waiter = self._append(item)
        if waiter is not None:
            self._loop.call_soon_threadsafe(_wake, waiter)

    async def aput(self, item: run_pb2.Event | run_pb2.RunResponse) -> None:
        """`put` for a run on the event loop: awaits room without blocking the loop. From
        another thread's loop (a run on a thread) it is `put`, blocking that thread."""
        if not self.on_loop():
            self.put(item)
            return
        while True:
            with self._cond:
                if self._closed or len(self._items) < self._capacity:
                    waiter = self._append(item)
                    break
                room = self._loop.create_future()
                self._rooms.append(room)
            await room
        if waiter is not None:
            _wake(waiter)

    def on_loop(self) -> bool:
        """Whether the caller runs on the sender's event loop (where nothing may block)."""
        try:
            return asyncio.get_running_loop() is self._loop
        except RuntimeError:  # a thread with no loop
            return False

    def _put_here(self, item: run_pb2.Event | run_pb2.RunResponse) -> None:
        with self._cond:
            waiter = self._append(item)
        if waiter is not None:
            _wake(waiter)  # on the loop already: no cross-thread wake-up

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
                        self._made_room()
                        return first
                    batch = [first]
                    while items and len(batch) < MAX_EVENTS_PER_FRAME:
                        following = items[0]
                        if not isinstance(following, run_pb2.Event):
                            break  # a tool call: the next frame
                        batch.append(following)
                        items.popleft()
                    self._made_room()
                    break
                if self._closed:
                    return None
                waiter = self._waiter = self._loop.create_future()
            await waiter
        return run_pb2.RunResponse(events=run_pb2.EventBatch(events=batch))

    def _made_room(self) -> None:
        """Wakes producers waiting for room (under the lock; called on the loop)."""
        self._cond.notify_all()
        rooms, self._rooms = self._rooms, []
        for room in rooms:
            _wake(room)

    def close(self) -> None:
        """No more puts; the sender drains what is left. Blocked producers get ChannelClosed."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
            waiter, self._waiter = self._waiter, None
            rooms, self._rooms = self._rooms, []
        for future in [*rooms, *([waiter] if waiter is not None else [])]:
            if self.on_loop():
                _wake(future)
            else:
                self._loop.call_soon_threadsafe(_wake, future)

    def abandon(self) -> None:
        """The client is gone: drop what is buffered and release blocked producers."""
        with self._cond:
            self._items.clear()
        self.close()


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)

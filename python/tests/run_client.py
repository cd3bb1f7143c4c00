"""The client side of the Run RPC, for tests: what @dspy-connect/streaming does, in Python.
It sends `start`, reads frames to the end, answers tool calls, and can cancel mid-run."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import TypeVar

from dspy_connect.v1 import run_pb2

T = TypeVar("T")
Answer = Callable[[run_pb2.ToolCall], list[run_pb2.RunRequest]]


async def request_queue(start: run_pb2.RunStart) -> asyncio.Queue[run_pb2.RunRequest | None]:
    """The requests of a Run, `start` first; put None to close the request side."""
    requests: asyncio.Queue[run_pb2.RunRequest | None] = asyncio.Queue()
    await requests.put(run_pb2.RunRequest(start=start))
    return requests


async def until_none(queue: asyncio.Queue[T | None]) -> AsyncIterator[T]:
    """The queue's items as a request stream, ended by a None."""
    while (item := await queue.get()) is not None:
        yield item


async def run_answering(
    stub,
    start: run_pb2.RunStart,
    answer: Answer = lambda call: [],
    cancel_when: Callable[[list[run_pb2.Event]], bool] | None = None,
) -> tuple[list[run_pb2.ToolCall], list[run_pb2.Event], run_pb2.RunDone]:
    """Runs to the end, answering each tool call with `answer(call)` and sending a cancel
    once `cancel_when(events)`; returns (tool calls, events, done). Every run ends with
    its `done`: one that does not fails the test."""
    requests = await request_queue(start)
    calls: list[run_pb2.ToolCall] = []
    events: list[run_pb2.Event] = []
    done: run_pb2.RunDone | None = None
    async for response in stub.Run(until_none(requests)):
        kind = response.WhichOneof("kind")
        if kind == "events":
            events.extend(response.events.events)
            if cancel_when and cancel_when(events):
                await requests.put(run_pb2.RunRequest(cancel=run_pb2.RunCancel(reason="enough")))
                cancel_when = None
        elif kind == "tool_call":
            calls.append(response.tool_call)
            for request in answer(response.tool_call):
                await requests.put(request)
        elif kind == "done":
            done = response.done
    await requests.put(None)
    assert done is not None, "the run ended without a done"
    return calls, events, done


async def run(
    stub,
    start: run_pb2.RunStart,
    cancel_after: int | None = None,
    cancel_when: Callable[[list[run_pb2.Event]], bool] | None = None,
) -> tuple[list[run_pb2.Event], run_pb2.RunDone]:
    """Runs to the end; returns (events, done). Cancels after `cancel_after` events, or once `cancel_when(events)`."""
    if cancel_after is not None:
        limit = cancel_after

        def enough(events: list[run_pb2.Event]) -> bool:
            return len(events) >= limit

        cancel_when = enough
    _, events, done = await run_answering(stub, start, cancel_when=cancel_when)
    return events, done

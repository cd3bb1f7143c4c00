"""A Python tool written as a generator streams its output, as a TypeScript tool that
returns an async iterable does: each yielded chunk reaches the client as a `tool_output`
event while the tool runs, and the joined chunks are the observation the model sees."""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Generator, Iterator
from typing import Any

from dspy.utils.callback import ACTIVE_CALL_ID

from .bridge import current_bridge


def streamed(func: Callable[..., Any], name: str) -> Callable[..., Any]:
    """`func` if it is a plain function; for a (async) generator function, one that emits
    each chunk and returns the joined chunks. Keeps `func`'s signature, so the tool's
    schema is unchanged."""
    if inspect.isasyncgenfunction(func):

        @functools.wraps(func)
        async def collect_async(**kwargs: Any) -> Any:
            emit = _emitter(name)
            return join_chunks([emit(chunk) async for chunk in _aiter(func(**kwargs))])

        return collect_async
    if inspect.isgeneratorfunction(func):

        @functools.wraps(func)
        def collect(**kwargs: Any) -> Any:
            emit = _emitter(name)
            return join_chunks([emit(chunk) for chunk in _iter(func(**kwargs))])

        return collect
    return func


def join_chunks(chunks: list[Any]) -> Any:
    """One string when every chunk is a string, else the list (as @dspy-connect/tools does)."""
    return "".join(chunks) if all(isinstance(c, str) for c in chunks) else chunks


def _emitter(name: str) -> Callable[[Any], Any]:
    bridge = current_bridge()
    call_id = ACTIVE_CALL_ID.get() or ""  # the tool call's id while DSPy runs it

    def emit(chunk: Any) -> Any:
        if bridge is not None:  # outside a run the tool just returns the joined chunks
            bridge.emit_output(call_id, name, chunk)
        return chunk

    return emit


def _iter(chunks: Generator[Any, None, Any]) -> Iterator[Any]:
    try:
        yield from chunks
    finally:
        chunks.close()  # runs the generator's cleanup on cancel


async def _aiter(chunks: AsyncGenerator[Any, None]) -> AsyncIterator[Any]:
    try:
        async for chunk in chunks:
            yield chunk
    finally:
        await chunks.aclose()

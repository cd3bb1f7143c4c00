"""The bound on grpc.health.v1 Watch streams opened without the token: each holds a stream
and its memory (~14 KB) until its caller leaves, so only so many may be open at once."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Callable
from typing import Any

import grpc

from .grpc_types import Context, Handler

__all__ = ["MAX_OPEN_HEALTH_WATCHES", "WATCH_METHOD", "OpenWatches"]

WATCH_METHOD = "/grpc.health.v1.Health/Watch"
MAX_OPEN_HEALTH_WATCHES = 16


class OpenWatches:
    """Counts the Watch streams it admits; past `limit` open at once, RESOURCE_EXHAUSTED."""

    def __init__(self, limit: int = MAX_OPEN_HEALTH_WATCHES) -> None:
        self._limit = limit
        self._open = 0

    def bounded(self, handler: Handler, refuse: Callable[[Handler], Handler]) -> Handler:
        """`handler` (a Watch) counted; `refuse(handler)` if it is not a stream."""
        watch: Callable[..., Any] | None = handler.unary_stream
        if watch is None:
            return refuse(handler)

        async def admit(context: Context) -> None:
            if self._open >= self._limit:
                await context.abort(
                    grpc.StatusCode.RESOURCE_EXHAUSTED,
                    f"{self._limit} health watches without the token are open already; use Check, or the token",
                )
            self._open += 1

        if inspect.isasyncgenfunction(watch):

            async def bounded_stream(request: Any, context: Context) -> AsyncIterator[Any]:
                await admit(context)
                try:
                    async for response in watch(request, context):
                        yield response
                finally:
                    self._open -= 1

            bounded: Callable[..., Any] = bounded_stream
        else:

            async def bounded_write(request: Any, context: Context) -> None:
                # grpc_health's Watch writes with context.write
                await admit(context)
                try:
                    await watch(request, context)
                finally:
                    self._open -= 1

            bounded = bounded_write

        return grpc.unary_stream_rpc_method_handler(
            bounded, request_deserializer=handler.request_deserializer, response_serializer=handler.response_serializer
        )

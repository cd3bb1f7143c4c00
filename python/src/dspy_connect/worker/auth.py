"""Bearer-token check for workers that listen on TCP, the token's strength rule, and the
bound on health streams opened without the token."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import inspect
from collections.abc import AsyncIterator, Callable
from typing import Any

import grpc

from .grpc_types import Context, Continuation, Handler

_OPEN_METHODS = ("/grpc.health.v1.Health/",)
_WATCH = "/grpc.health.v1.Health/Watch"
# Health stays open without the token (for probes); each Watch holds a stream and its
# memory (~14 KB) until the caller leaves, so only this many may be open at once.
MAX_OPEN_HEALTH_WATCHES = 16
# Before UNAUTHENTICATED, a stream RPC reads what its client sends at once (see _read_burst).
FIRST_MESSAGE_WAIT_S = 1.0
BURST_GAP_S = 0.02
MAX_BURST_MESSAGES = 8

# What `python -c "import secrets; print(secrets.token_urlsafe(32))"` prints: 43
# characters carrying 32 random bytes. `openssl rand -hex 32` (64 characters) passes too.
MIN_TOKEN_CHARS = 43
MIN_DISTINCT_CHARS = 10
MAX_TOKEN_CHARS = 4096
TOKEN_HINT = 'make one with: python -c "import secrets; print(secrets.token_urlsafe(32))"'  # noqa: S105 (how to make one, not a token)


def token_weakness(token: str) -> str | None:
    """Why `token` is too weak to guard a TCP worker, or None. The rule stands in for 32
    random bytes: at least 43 printable ASCII characters, no spaces, at least 10 distinct
    ones, and not a short pattern repeated. The token itself is never part of the answer."""
    if len(token) < MIN_TOKEN_CHARS:
        return f"it has {len(token)} characters; at least {MIN_TOKEN_CHARS} are needed"
    if len(token) > MAX_TOKEN_CHARS:
        return f"it has {len(token)} characters; at most {MAX_TOKEN_CHARS} fit in a header"
    if not all("!" <= ch <= "~" for ch in token):
        return "it holds spaces, control or non-ASCII characters; a header value carries printable ASCII"
    if len(set(token)) < MIN_DISTINCT_CHARS:
        return f"it uses {len(set(token))} distinct characters; at least {MIN_DISTINCT_CHARS} are needed"
    for period in range(1, len(token) // 2 + 1):
        if token == (token[:period] * (len(token) // period + 1))[: len(token)]:
            return f"it repeats a pattern of {period} characters"
    return None


class TokenInterceptor(grpc.aio.ServerInterceptor):
    def __init__(self, token: str, max_open_watches: int = MAX_OPEN_HEALTH_WATCHES) -> None:
        self._expected = f"Bearer {token}".encode()
        self._max_open_watches = max_open_watches
        self._open_watches = 0

    async def intercept_service(
        self,
        continuation: Continuation,
        handler_call_details: grpc.HandlerCallDetails,
    ) -> Handler | None:
        details = handler_call_details
        handler = await continuation(details)
        if handler is None:
            return handler
        presented = dict(details.invocation_metadata or ()).get("authorization", "")
        if hmac.compare_digest(presented.encode() if isinstance(presented, str) else presented, self._expected):
            return handler
        if details.method == _WATCH:
            return self._bounded_watch(handler)
        if details.method.startswith(_OPEN_METHODS):
            return handler
        return _deny(handler)

    def _bounded_watch(self, handler: Handler) -> Handler:
        """An unauthenticated Watch, counted; past the bound, RESOURCE_EXHAUSTED."""
        watch: Callable[..., Any] | None = handler.unary_stream
        if watch is None:
            return _deny(handler)

        async def admit(context: Context) -> None:
            if self._open_watches >= self._max_open_watches:
                await context.abort(
                    grpc.StatusCode.RESOURCE_EXHAUSTED,
                    f"{self._max_open_watches} health watches without the token are open already; use Check, or the token",
                )
            self._open_watches += 1

        if inspect.isasyncgenfunction(watch):

            async def bounded_stream(request: Any, context: Context) -> AsyncIterator[Any]:
                await admit(context)
                try:
                    async for response in watch(request, context):
                        yield response
                finally:
                    self._open_watches -= 1

            bounded: Callable[..., Any] = bounded_stream
        else:

            async def bounded_write(request: Any, context: Context) -> None:
                # grpc_health's Watch writes with context.write
                await admit(context)
                try:
                    await watch(request, context)
                finally:
                    self._open_watches -= 1

            bounded = bounded_write

        return grpc.unary_stream_rpc_method_handler(
            bounded, request_deserializer=handler.request_deserializer, response_serializer=handler.response_serializer
        )


def _deny(handler: Handler) -> Handler:
    async def abort(request: Any, context: Context) -> None:
        if handler.request_streaming:
            await _read_burst(request)
        await context.abort(grpc.StatusCode.UNAUTHENTICATED, "missing or wrong bearer token")

    kwargs: dict[str, Any] = {
        "request_deserializer": handler.request_deserializer,
        "response_serializer": handler.response_serializer,
    }
    if handler.request_streaming and handler.response_streaming:
        return grpc.stream_stream_rpc_method_handler(abort, **kwargs)
    if handler.request_streaming:
        return grpc.stream_unary_rpc_method_handler(abort, **kwargs)
    if handler.response_streaming:
        return grpc.unary_stream_rpc_method_handler(abort, **kwargs)
    return grpc.unary_unary_rpc_method_handler(abort, **kwargs)


async def _read_burst(requests: AsyncIterator[Any]) -> None:
    """Reads what the client sends at once: its first message (waiting up to 1 s), then any
    that follow within 20 ms (at most 8). A status sent while a message is still on its way
    reaches a client now and then as INTERNAL "Internal error from Core", not as itself."""
    # It ended, went quiet, or sent a malformed one: the answer is the same.
    with contextlib.suppress(Exception):
        await asyncio.wait_for(anext(requests), FIRST_MESSAGE_WAIT_S)
        for _ in range(MAX_BURST_MESSAGES):
            await asyncio.wait_for(anext(requests), BURST_GAP_S)

"""Bearer-token check for workers that listen on TCP, and the token's strength rule."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
from collections.abc import AsyncIterator
from typing import Any

import grpc

from .grpc_types import Context, Continuation, Handler
from .health_watches import MAX_OPEN_HEALTH_WATCHES, WATCH_METHOD, OpenWatches

# Health stays open without the token (for probes), its Watch streams bounded (health_watches).
_OPEN_METHODS = ("/grpc.health.v1.Health/",)
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
        self._watches = OpenWatches(max_open_watches)

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
        if details.method == WATCH_METHOD:
            return self._watches.bounded(handler, _deny)
        if details.method.startswith(_OPEN_METHODS):
            return handler
        return _deny(handler)


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

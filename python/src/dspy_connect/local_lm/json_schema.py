"""Lets OpenAI-style requests reach llama-cpp-python's server as it understands them.

LiteLLM sends `response_format={"type": "json_schema", "json_schema": {"schema": S}}`;
llama-cpp-python only constrains decoding for `{"type": "json_object", "schema": S}` and
silently ignores the former. This ASGI middleware rewrites the one into the other.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any, cast

# ASGI's three arguments (the middleware only reads and passes them on).
Message = dict[str, Any]
Scope = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class JsonSchemaResponseFormat:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST" or not scope["path"].endswith("/chat/completions"):
            return await self.app(scope, receive, send)
        chunks: list[bytes] = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = rewrite(b"".join(chunks))
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if delivered:
                return await receive()  # disconnect notifications after the body
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        headers = [(k, v) for k, v in scope["headers"] if k != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        return await self.app({**scope, "headers": headers}, replay, send)


def rewrite(body: bytes) -> bytes:
    try:
        parsed = json.loads(body)
    except ValueError:
        return body  # the server reports the error itself
    if not isinstance(parsed, dict):
        return body
    request = cast("dict[str, Any]", parsed)
    changed = False
    fmt = request.get("response_format")
    if isinstance(fmt, dict) and cast("dict[str, Any]", fmt).get("type") == "json_schema":
        json_schema: Any = cast("dict[str, Any]", fmt).get("json_schema") or {}
        schema = json_schema.get("schema")
        request["response_format"] = {"type": "json_object", **({"schema": schema} if schema else {})}
        changed = True
    # LiteLLM sends OpenAI's newer name; llama-cpp-python reads only max_tokens.
    if "max_completion_tokens" in request:
        request.setdefault("max_tokens", request.pop("max_completion_tokens"))
        changed = True
    return json.dumps(request).encode() if changed else body

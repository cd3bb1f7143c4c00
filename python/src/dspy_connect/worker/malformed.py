"""Requests whose bytes are not a valid message (corrupt wire format, invalid UTF-8 in a
string field) get INVALID_ARGUMENT.

grpc.aio parses a request before any handler runs; when parsing fails it answers UNKNOWN
and logs a full traceback, per request. Here each handler gets a deserializer that never
raises: a message that does not parse becomes a `Malformed` value, which a unary handler
turns into INVALID_ARGUMENT before it runs, and a request stream into a `MalformedRequest`
(an InvalidArgument) where the handler reads it, so a Run can end with its `done`.
The first malformed request per method is logged, in one line."""

from __future__ import annotations

import inspect
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import grpc
from google.protobuf.message import DecodeError

from ..errors import InvalidArgument, cut
from .grpc_types import Context, Continuation, Handler

log = logging.getLogger("dspy_connect.worker")


@dataclass(frozen=True)
class Malformed:
    method: str
    cause: str

    @property
    def message(self) -> str:
        return f"malformed {self.method.rsplit('/', 1)[-1]} request: {self.cause}"


class MalformedRequest(InvalidArgument):
    """A message on a request stream did not parse."""


class MalformedRequestInterceptor(grpc.aio.ServerInterceptor):
    def __init__(self) -> None:
        self._logged: set[str] = set()
        self._guards: dict[str, tuple[Handler, Handler]] = {}  # method -> (handler, guarded)

    async def intercept_service(
        self, continuation: Continuation, handler_call_details: grpc.HandlerCallDetails
    ) -> Handler | None:
        details = handler_call_details
        handler = await continuation(details)
        if handler is None or handler.request_deserializer is None:
            return handler
        known = self._guards.get(details.method)
        if known is None or known[0] is not handler:  # built once per method, not per call
            known = self._guards[details.method] = (handler, self._guarded(handler, details.method))
        return known[1]

    def _guarded(self, handler: Handler, method: str) -> Handler:
        deserializer: Callable[[bytes], Any] | None = handler.request_deserializer
        if deserializer is None:
            return handler
        deserialize = _never_raising(deserializer, method)
        kwargs: dict[str, Any] = {"request_deserializer": deserialize, "response_serializer": handler.response_serializer}
        behavior: Callable[..., Any] | None
        if handler.request_streaming:
            behavior = handler.stream_stream or handler.stream_unary
            if behavior is None:
                return handler
            guarded = _on_stream(behavior, self._note)
            make = grpc.stream_stream_rpc_method_handler if handler.response_streaming else grpc.stream_unary_rpc_method_handler
        else:
            behavior = handler.unary_stream or handler.unary_unary
            if behavior is None:
                return handler
            guarded = _on_request(behavior, self._note)
            make = grpc.unary_stream_rpc_method_handler if handler.response_streaming else grpc.unary_unary_rpc_method_handler
        return make(guarded, **kwargs)

    def _note(self, bad: Malformed) -> None:
        if bad.method not in self._logged:
            self._logged.add(bad.method)
            log.warning("%s; further ones on this method are not logged", bad.message)


def _never_raising(deserializer: Callable[[bytes], Any], method: str) -> Callable[[bytes], Any]:
    def deserialize(data: bytes) -> Any:
        try:
            return deserializer(data)
        except DecodeError as exc:
            return Malformed(method, cut(str(exc), 200))

    return deserialize


def _on_request(behavior: Callable[..., Any], note: Callable[[Malformed], None]) -> Callable[..., Any]:
    """A unary-request behavior that refuses a Malformed request before it runs."""

    async def refuse(bad: Malformed, context: Context) -> None:
        note(bad)
        await context.abort(grpc.StatusCode.INVALID_ARGUMENT, bad.message)

    if inspect.isasyncgenfunction(behavior):

        async def guarded_stream(request: Any, context: Context) -> AsyncIterator[Any]:
            if isinstance(request, Malformed):
                await refuse(request, context)
            async for response in behavior(request, context):
                yield response

        return guarded_stream

    async def guarded(request: Any, context: Context) -> Any:
        if isinstance(request, Malformed):
            await refuse(request, context)
        return await behavior(request, context)

    return guarded


def _on_stream(behavior: Callable[..., Any], note: Callable[[Malformed], None]) -> Callable[..., Any]:
    """A stream-request behavior whose request iterator raises MalformedRequest."""

    async def checked(requests: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for request in requests:
            if isinstance(request, Malformed):
                note(request)
                raise MalformedRequest(request.message)
            yield request

    if inspect.isasyncgenfunction(behavior):

        async def guarded_stream(requests: AsyncIterator[Any], context: Context) -> AsyncIterator[Any]:
            async for response in behavior(checked(requests), context):
                yield response

        return guarded_stream

    async def guarded(requests: AsyncIterator[Any], context: Context) -> Any:
        return await behavior(checked(requests), context)

    return guarded

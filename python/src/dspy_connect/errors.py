"""Typed worker errors. Each maps to one gRPC status code, the same meaning the
TypeScript client surfaces as a ConnectError code."""

from __future__ import annotations

from typing import Any

import grpc

# gRPC carries a status message in a header, percent-encoded (up to 3 bytes per byte), and
# a Python client refuses headers past 8 KiB: a message stays well below that.
MAX_MESSAGE_CHARS = 1000
# How much of a client's value an error repeats.
MAX_ECHO_CHARS = 80


class WorkerError(Exception):
    code: grpc.StatusCode = grpc.StatusCode.INTERNAL

    def __init__(self, message: str) -> None:
        message = cut(message, MAX_MESSAGE_CHARS)
        super().__init__(message)
        self.message = message


class InvalidArgument(WorkerError):
    code = grpc.StatusCode.INVALID_ARGUMENT


class NotFound(WorkerError):
    code = grpc.StatusCode.NOT_FOUND


class FailedPrecondition(WorkerError):
    code = grpc.StatusCode.FAILED_PRECONDITION


class ResourceExhausted(WorkerError):
    code = grpc.StatusCode.RESOURCE_EXHAUSTED


class Internal(WorkerError):
    code = grpc.StatusCode.INTERNAL


def echo(value: Any, limit: int = MAX_ECHO_CHARS) -> str:
    """A client's value as an error repeats it: its repr (quoted, escapes shown), cut short
    with how much was left out. Use it for every client value an error message names."""
    return cut(repr(value), limit)


def cut(text: str, limit: int) -> str:
    """`text` at most `limit` characters (saying how many were dropped), and encodable:
    a lone surrogate would fail the status header or a protobuf string."""
    if len(text) > limit:
        dropped = len(text) - limit
        text = f"{text[:limit]}…(+{dropped} chars)"
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def short_cause(exc: BaseException, limit: int = 300) -> str:
    """`Type: message`, cut short: enough to act on, never a whole traceback."""
    return cut(f"{type(exc).__name__}: {exc}".strip(), limit)

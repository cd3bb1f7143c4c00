"""Typed worker errors. Each maps to one gRPC status code, the same meaning the
TypeScript client surfaces as a ConnectError code."""

from __future__ import annotations

import grpc


class WorkerError(Exception):
    code: grpc.StatusCode = grpc.StatusCode.INTERNAL

    def __init__(self, message: str) -> None:
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


def short_cause(exc: BaseException, limit: int = 300) -> str:
    """`Type: message`, cut short: enough to act on, never a whole traceback."""
    text = f"{type(exc).__name__}: {exc}".strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"

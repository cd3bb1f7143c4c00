"""Small helpers for tests that expect a typed gRPC error from a real worker."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import TypeVar

import grpc
import pytest

from dspy_connect.v1 import common_pb2, run_pb2, worker_pb2

from .run_client import run

# What a client may get back for bad input: a short message, never a whole echo of it.
MAX_DETAILS_CHARS = 1024
_NAMES = {code.value[0]: code.name for code in grpc.StatusCode}
T = TypeVar("T")


async def poll(fetch: Callable[[], Awaitable[T]], ready: Callable[[T], bool], tries: int, pause_s: float) -> T:
    """`fetch()` until `ready(value)`, at most `tries` times `pause_s` apart; the last value
    (bounded: the caller asserts on it, never on how long it took)."""
    value = await fetch()
    for _ in range(tries - 1):
        if ready(value):
            break
        await asyncio.sleep(pause_s)
        value = await fetch()
    return value


def code_name(number: int) -> str:
    return _NAMES.get(number, str(number))


async def expect_code(coro, code: grpc.StatusCode) -> str:
    """Awaits `coro`, which must fail with `code`; returns the details."""
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await coro
    assert info.value.code() == code, info.value.details()
    details = info.value.details() or ""
    assert len(details) <= MAX_DETAILS_CHARS, f"{len(details)} chars: {details[:200]}"
    return details


def spec(signature: str = "q -> a", type_: str = "predict", **fields) -> common_pb2.ModuleSpec:
    return common_pb2.ModuleSpec(type=type_, signature=signature, **fields)


def call_request(
    module: common_pb2.ModuleSpec | None = None, inputs: dict | bytes | None = None, **fields
) -> worker_pb2.CallRequest:
    body = inputs if isinstance(inputs, bytes) else json.dumps({"q": "x"} if inputs is None else inputs).encode()
    return worker_pb2.CallRequest(module=module or spec(), inputs_json=body, **fields)


def module_start(module: common_pb2.ModuleSpec | None = None, inputs: dict | bytes | None = None, **fields) -> run_pb2.RunStart:
    body = inputs if isinstance(inputs, bytes) else json.dumps({"q": "x"} if inputs is None else inputs).encode()
    return run_pb2.RunStart(module=run_pb2.ModuleRun(module=module or spec(), inputs_json=body), **fields)


async def expect_run_error(stub, start: run_pb2.RunStart, code: grpc.StatusCode) -> str:
    """Runs `start`, which must end with a `done` carrying `code`; returns its message."""
    _, done = await run(stub, start)
    assert done is not None, "the run ended without a done"
    assert done.HasField("error"), f"the run succeeded: {done.result_json[:200]!r}"
    assert done.error.code == code.value[0], f"{code_name(done.error.code)}: {done.error.message}"
    assert len(done.error.message) <= MAX_DETAILS_CHARS, done.error.message[:200]
    return done.error.message

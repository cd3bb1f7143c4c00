"""Bytes that are not a valid protobuf message (corrupt wire format, invalid UTF-8 in a
string field) get INVALID_ARGUMENT from every RPC, a Run ends with its `done`, and the
worker logs one short line, not a traceback per request (issue 12, defect 6)."""

from __future__ import annotations

import asyncio
import functools
import tempfile

import grpc
import pytest
from google.protobuf.message import DecodeError
from grpc_health.v1 import health_pb2

from dspy_connect.v1 import run_pb2, worker_pb2

from .conftest import start_worker
from .expect import code_name, module_start, spec
from .run_client import until_none

CORRUPT = {
    "truncated varint": b"\xff\xff\xff\xff",
    "bad UTF-8 in field 1": b"\x0a\x02\xff\xfe",
    "length past the end": b"\x0a\x7fabc",
    "bad wire type": b"\x0f",
}
UNARY = {
    "/dspy_connect.v1.WorkerService/Describe": worker_pb2.DescribeRequest,
    "/dspy_connect.v1.WorkerService/CreateSession": worker_pb2.CreateSessionRequest,
    "/dspy_connect.v1.WorkerService/CloseSession": worker_pb2.CloseSessionRequest,
    "/dspy_connect.v1.WorkerService/Call": worker_pb2.CallRequest,
    "/grpc.health.v1.Health/Check": health_pb2.HealthCheckRequest,
}
RUN = "/dspy_connect.v1.WorkerService/Run"
WATCH = "/grpc.health.v1.Health/Watch"


@pytest.fixture(scope="module")
def logged_worker():
    with tempfile.TemporaryFile(mode="w+") as log:
        process = start_worker("--lm", "scripted/echo", "--import", "dspy_connect.testing.plugins", stderr=log)
        yield process, log
        process.stop()


def parses(message, body: bytes) -> bool:
    """Whether `body` is a valid `message` after all (DescribeRequest has no fields to break)."""
    try:
        message.FromString(body)
    except DecodeError:
        return False
    return True


def worker_log(log) -> str:
    log.flush()
    log.seek(0)
    return log.read()


async def test_corrupt_unary_requests_are_invalid_argument(logged_worker):
    process, log = logged_worker
    async with grpc.aio.insecure_channel(process.address) as channel:
        for method, message in UNARY.items():
            raw = channel.unary_unary(method)  # no serializers: bytes go out as they are
            for body in [b for b in CORRUPT.values() if not parses(message, b)]:
                with pytest.raises(grpc.aio.AioRpcError) as info:
                    await raw(body)
                assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT, (method, info.value.details())
                assert "malformed" in str(info.value.details())
        watch = channel.unary_stream(WATCH)
        for body in CORRUPT.values():
            with pytest.raises(grpc.aio.AioRpcError) as info:
                async for _ in watch(body):
                    pass
            assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    text = worker_log(log)
    assert "Traceback" not in text
    assert text.count("malformed") <= len(UNARY) + 1, text[-2000:]  # once per method


async def raw_run(channel: grpc.aio.Channel, messages: list[bytes], reply=None) -> run_pb2.RunDone | None:
    """A Run from raw request bytes; `reply(response)` may return more bytes to send."""
    queue: asyncio.Queue[bytes | None] = asyncio.Queue()
    for message in messages:
        queue.put_nowait(message)

    done = None
    # The deadline only stops a run that would hang; it is far above any real run's time.
    async for raw in channel.stream_stream(RUN)(until_none(queue), timeout=30):
        response = run_pb2.RunResponse.FromString(raw)
        if response.HasField("done"):
            done = response.done
        elif reply is not None:
            for message in reply(response):
                queue.put_nowait(message)
    queue.put_nowait(None)
    return done


async def test_corrupt_first_run_message_ends_with_done(logged_worker):
    process, log = logged_worker
    async with grpc.aio.insecure_channel(process.address) as channel:
        for body in CORRUPT.values():
            done = await raw_run(channel, [body])
            assert done is not None
            assert done.HasField("error")
            assert done.error.code == grpc.StatusCode.INVALID_ARGUMENT.value[0], code_name(done.error.code)
    assert "Traceback" not in worker_log(log)


async def test_corrupt_later_run_message_fails_the_run_with_done(logged_worker):
    """The run waits on a TypeScript tool; a corrupt `tool_result` fails it at once."""
    process, log = logged_worker
    tools = [{"name": "lookup", "input_schema_json": b'{"type":"object","properties":{"input":{"type":"string"}}}'}]
    start = module_start(spec("question -> answer", type_="react", tools=["lookup"]), {"question": "q"})
    start.tools.add(**tools[0])
    first = run_pb2.RunRequest(start=start).SerializeToString()
    async with grpc.aio.insecure_channel(process.address) as channel:
        for body in CORRUPT.values():
            done = await raw_run(channel, [first], reply=functools.partial(_reply_to_tool_calls, body))
            assert done is not None
            assert done.HasField("error")
            assert done.error.code == grpc.StatusCode.INVALID_ARGUMENT.value[0], (code_name(done.error.code), done.error.message)
    assert "Traceback" not in worker_log(log)


async def test_corrupt_message_after_a_refused_start_keeps_the_status_ok(logged_worker):
    """A run refused at its start (unknown session) still reads the client's messages until
    its half-close; a corrupt one among them ends that quietly, the run's `done` stands."""
    process, log = logged_worker
    start = run_pb2.RunRequest(
        start=run_pb2.RunStart(
            session_id="no-such-session", closes_after_done=True, command=run_pb2.CommandRun(command="echo_args")
        )
    )
    async with grpc.aio.insecure_channel(process.address) as channel:
        for body in CORRUPT.values():
            done = await raw_run(channel, [start.SerializeToString(), body])
            assert done is not None
            assert done.error.code == grpc.StatusCode.NOT_FOUND.value[0]
    assert "Traceback" not in worker_log(log)


def _reply_to_tool_calls(body: bytes, response: run_pb2.RunResponse) -> list[bytes]:
    return [body] if response.HasField("tool_call") else []

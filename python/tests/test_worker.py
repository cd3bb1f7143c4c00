"""The worker over its real Unix socket: happy paths, every error code, lifecycle."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2

import dspy_connect
from dspy_connect.protocol import PROTOCOL_VERSION
from dspy_connect.testing.version_skew import PROTOCOL_VERSION_ENV, WORKER_VERSION_ENV
from dspy_connect.v1 import common_pb2, worker_pb2, worker_pb2_grpc
from dspy_connect.worker.run_handler import OPERATIONS

from .conftest import connect, health_stub, start_worker
from .expect import expect_code


def call_request(signature: str, inputs: dict | bytes, type_: str = "predict", **kw) -> worker_pb2.CallRequest:
    body = inputs if isinstance(inputs, bytes) else json.dumps(inputs).encode()
    return worker_pb2.CallRequest(module=common_pb2.ModuleSpec(type=type_, signature=signature), inputs_json=body, **kw)


async def test_describe(stub):
    info = await stub.Describe(worker_pb2.DescribeRequest())
    assert info.worker_id == "test-w"
    assert info.dspy_version.startswith("3.")
    assert info.python_version.startswith("3.")
    assert {"call", "sessions", "health"} <= set(info.capabilities)
    assert {f"run.{operation}" for operation in OPERATIONS} <= set(info.capabilities)  # every Run operation
    assert info.lm.model == "scripted/echo"
    assert not info.lm.api_key
    assert {"predict", "chain_of_thought"} <= set(info.module_types)


async def test_describe_reports_the_versions_clients_check(stub, worker):
    info = await stub.Describe(worker_pb2.DescribeRequest())
    assert PROTOCOL_VERSION >= 1  # 0 is what a worker from before the handshake reads as
    assert info.protocol_version == PROTOCOL_VERSION
    assert info.worker_version == dspy_connect.__version__
    assert worker.ready["version"] == dspy_connect.__version__


async def test_the_version_skew_plugin_makes_a_real_worker_report_other_versions():
    # What the client's handshake tests rely on to start a worker it must refuse.
    skewed = start_worker(
        "--lm",
        "scripted/echo",
        "--import",
        "dspy_connect.testing.version_skew",
        env={WORKER_VERSION_ENV: "0.0.7", PROTOCOL_VERSION_ENV: str(PROTOCOL_VERSION + 1)},
    )
    try:
        async with connect(skewed) as skewed_stub:
            info = await skewed_stub.Describe(worker_pb2.DescribeRequest())
        assert (info.worker_version, info.protocol_version) == ("0.0.7", PROTOCOL_VERSION + 1)
        assert skewed.ready["version"] == "0.0.7"
    finally:
        skewed.stop()


async def test_health_serving(worker):
    async with grpc.aio.insecure_channel(worker.address) as channel:
        health = health_stub(channel)
        for service in ("", "dspy_connect.v1.WorkerService"):
            reply = await health.Check(health_pb2.HealthCheckRequest(service=service))
            assert reply.status == health_pb2.HealthCheckResponse.SERVING


async def test_predict(stub):
    uncached = common_pb2.LmConfig(model="scripted/echo", cache=False)  # a cache hit reports no usage
    reply = await stub.Call(call_request("question -> answer", {"question": "what is up"}, lm=uncached))
    assert json.loads(reply.outputs_json) == {"answer": "answer: what is up"}
    assert reply.worker_id == "test-w"
    assert reply.duration_ms > 0
    assert reply.usage.total_tokens > 0


async def test_typed_signature_with_list_input(stub):
    reply = await stub.Call(
        call_request("question: str, context: list[str] -> n: int", {"question": "hello", "context": ["a", "b"]})
    )
    assert json.loads(reply.outputs_json) == {"n": 5}


async def test_chain_of_thought(stub):
    reply = await stub.Call(call_request("question -> answer", {"question": "why"}, type_="chain_of_thought"))
    outputs = json.loads(reply.outputs_json)
    assert outputs["reasoning"] == "Step by step: why"
    assert outputs["answer"] == "answer: why"


async def test_instructions_are_used(stub):
    request = call_request("question -> answer", {"question": "q"})
    request.module.instructions = "Answer in French."
    reply = await stub.Call(request)
    assert json.loads(reply.outputs_json)["answer"] == "answer: q"


async def test_per_call_lm_override(stub):
    request = call_request("question -> answer", {"question": "q"}, lm=common_pb2.LmConfig(model="scripted/fail"))
    details = await expect_code(stub.Call(request), grpc.StatusCode.INTERNAL)
    assert "scripted LM failure" in details


@pytest.mark.parametrize(
    ("signature", "inputs", "fragment"),
    [
        ("question -> ", {"question": "q"}, "no output fields"),
        ("x: antigravity -> y", {"x": "q"}, "unknown type"),
        ("question -> answer", {}, "missing input"),
        ("question -> answer", {"question": "q", "extra": 1}, "unknown input"),
        ("n: int -> answer", {"n": "not a number"}, "does not match its type"),
        ("question -> answer", b"{not json", "not valid JSON"),
        ("question -> answer", b"[1, 2]", "must be a JSON object"),
    ],
)
async def test_bad_signature_or_inputs_are_invalid_argument(stub, signature, inputs, fragment):
    details = await expect_code(stub.Call(call_request(signature, inputs)), grpc.StatusCode.INVALID_ARGUMENT)
    assert fragment in details


async def test_bad_module_type_config_and_lm_are_invalid_argument(stub):
    await expect_code(stub.Call(call_request("a -> b", {"a": "x"}, type_="nope")), grpc.StatusCode.INVALID_ARGUMENT)
    bad_config = call_request("a -> b", {"a": "x"})
    bad_config.module.config_json = b"[1]"
    await expect_code(stub.Call(bad_config), grpc.StatusCode.INVALID_ARGUMENT)
    bad_lm = call_request("a -> b", {"a": "x"}, lm=common_pb2.LmConfig(model="no-provider"))
    await expect_code(stub.Call(bad_lm), grpc.StatusCode.INVALID_ARGUMENT)


async def test_unknown_session_is_not_found(stub):
    await expect_code(stub.Call(call_request("a -> b", {"a": "x"}, session_id="missing")), grpc.StatusCode.NOT_FOUND)


async def test_session_holds_lm_and_modules(stub):
    created = await stub.CreateSession(
        worker_pb2.CreateSessionRequest(lm=common_pb2.LmConfig(model="scripted/fail"), ttl_seconds=60)
    )
    request = call_request("a -> b", {"a": "x"}, session_id=created.session_id, module_id="m1")
    await expect_code(stub.Call(request), grpc.StatusCode.INTERNAL)  # the session's LM is used
    request.lm.model = "scripted/echo"  # the call's LM wins over the session's
    assert json.loads((await stub.Call(request)).outputs_json) == {"b": "b: x"}
    closed = await stub.CloseSession(worker_pb2.CloseSessionRequest(session_id=created.session_id))
    assert closed.closed
    await expect_code(stub.Call(request), grpc.StatusCode.NOT_FOUND)


async def test_session_ttl_expires(stub):
    created = await stub.CreateSession(worker_pb2.CreateSessionRequest(session_id="short", ttl_seconds=1))
    assert created.session_id == "short"
    assert created.ttl_seconds == 1
    await asyncio.sleep(2.2)
    await expect_code(stub.Call(call_request("a -> b", {"a": "x"}, session_id="short")), grpc.StatusCode.NOT_FOUND)


async def test_worker_survives_errors(stub):
    for _ in range(3):
        await expect_code(stub.Call(call_request("bad", {})), grpc.StatusCode.INVALID_ARGUMENT)
    assert (await stub.Describe(worker_pb2.DescribeRequest())).worker_id == "test-w"


async def test_no_lm_is_failed_precondition_and_tcp_needs_token():
    token = secrets.token_urlsafe(32)
    worker = start_worker("--tcp", "127.0.0.1:0", "--insecure", env={"DSPY_CONNECT_TOKEN": token, "DSPY_CONNECT_LM": ""})
    try:
        async with grpc.aio.insecure_channel(worker.address) as channel:
            stub = worker_pb2_grpc.WorkerServiceStub(channel)
            await expect_code(stub.Describe(worker_pb2.DescribeRequest()), grpc.StatusCode.UNAUTHENTICATED)
            await expect_code(
                stub.Describe(worker_pb2.DescribeRequest(), metadata=[("authorization", "Bearer wrong")]),
                grpc.StatusCode.UNAUTHENTICATED,
            )
            auth = [("authorization", f"Bearer {token}")]
            assert (await stub.Describe(worker_pb2.DescribeRequest(), metadata=auth)).pid == worker.proc.pid
            details = await expect_code(
                stub.Call(call_request("a -> b", {"a": "x"}), metadata=auth), grpc.StatusCode.FAILED_PRECONDITION
            )
            assert "no LM configured" in details
            health = health_stub(channel)  # health stays open for probes
            assert (await health.Check(health_pb2.HealthCheckRequest())).status == health_pb2.HealthCheckResponse.SERVING
    finally:
        worker.stop()


def refused_start(*args: str, env: dict[str, str] | None = None) -> str:
    """Starts a worker that must refuse to start (exit code 2); returns what it said."""
    result = subprocess.run(
        [sys.executable, "-m", "dspy_connect.worker", *args], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 2, result.stderr
    return result.stderr


def test_tcp_without_token_refuses_to_start():
    env = {**os.environ, "DSPY_CONNECT_TOKEN": ""}
    assert "needs a bearer token" in refused_start("--tcp", "127.0.0.1:0", "--insecure", env=env)


def test_socket_folder_must_be_private():
    folder = Path(tempfile.mkdtemp())
    folder.chmod(0o755)
    assert "mode 0700" in refused_start("--uds", str(folder / "w.sock"))


def test_sigterm_and_stdin_eof_shut_down_cleanly():
    folder = Path(tempfile.mkdtemp()) / "private"
    worker = start_worker("--uds", str(folder / "w.sock"))
    sock = folder / "w.sock"
    assert stat.S_ISSOCK(sock.stat().st_mode)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    worker.proc.send_signal(signal.SIGTERM)
    assert worker.proc.wait(timeout=15) == 0
    assert not sock.exists()

    worker = start_worker()
    assert worker.proc.stdin is not None
    worker.proc.stdin.close()  # what the parent's death looks like
    assert worker.proc.wait(timeout=15) == 0

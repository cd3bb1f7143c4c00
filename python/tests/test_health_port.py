"""--health-port: a second, plaintext listener with grpc.health.v1 alone, for Kubernetes'
gRPC probes and the image's HEALTHCHECK (neither sends the token nor speaks TLS). It reports
the worker's own status, NOT_SERVING while a SIGTERM drains the worker, and serves nothing
else. Real workers, real sockets."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import tempfile
from argparse import Namespace
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2

from dspy_connect.v1 import common_pb2, run_pb2, worker_pb2, worker_pb2_grpc
from dspy_connect.worker.health_listener import health_host
from dspy_connect.worker.health_watches import MAX_OPEN_HEALTH_WATCHES
from dspy_connect.worker.server import SERVICE_NAME

from .conftest import connect, health_stub, start_worker
from .expect import expect_code, poll
from .run_client import request_queue, until_none

SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING
PROBE = Path(sys.executable).parent / "dspy-connect-worker-health"  # the console script the image's HEALTHCHECK runs


def uds_worker(*extra: str):
    folder = Path(tempfile.mkdtemp(prefix="dc-health-")) / "private"
    return start_worker("--uds", str(folder / "w.sock"), "--lm", "scripted/echo", "--health-port", "0", *extra)


@pytest.fixture(scope="module")
def worker():
    process = uds_worker("--worker-id", "health-w")
    yield process
    process.stop()


def health_port(worker) -> int:
    host, _, port = worker.ready["health_address"].rpartition(":")
    assert host == "127.0.0.1"  # a Unix-socket worker's health port is on loopback only
    return int(port)


def react_with_tool(name: str) -> run_pb2.RunStart:
    spec = common_pb2.ModuleSpec(type="react", signature="question -> answer", tools=[name])
    schema = json.dumps({"type": "object", "properties": {"input": {"type": "string"}}, "required": ["input"]}).encode()
    tool = common_pb2.ToolSpec(name=name, description="Held until the test answers.", input_schema_json=schema)
    return run_pb2.RunStart(module=run_pb2.ModuleRun(module=spec, inputs_json=b'{"question": "q"}'), tools=[tool])


async def test_the_health_port_reports_serving(worker):
    async with grpc.aio.insecure_channel(worker.ready["health_address"]) as channel:
        health = health_stub(channel)
        for service in ("", SERVICE_NAME):
            assert (await health.Check(health_pb2.HealthCheckRequest(service=service))).status == SERVING
        await expect_code(health.Check(health_pb2.HealthCheckRequest(service="no.such.Service")), grpc.StatusCode.NOT_FOUND)


async def test_the_worker_service_is_not_on_the_health_port(worker):
    async with grpc.aio.insecure_channel(worker.ready["health_address"]) as channel:
        stub = worker_pb2_grpc.WorkerServiceStub(channel)
        await expect_code(stub.Describe(worker_pb2.DescribeRequest()), grpc.StatusCode.UNIMPLEMENTED)
        call = worker_pb2.CallRequest(module=common_pb2.ModuleSpec(type="predict", signature="a -> b"), inputs_json=b'{"a": "x"}')
        await expect_code(stub.Call(call), grpc.StatusCode.UNIMPLEMENTED)
        requests = await request_queue(react_with_tool("lookup"))
        with pytest.raises(grpc.aio.AioRpcError) as info:
            async for _ in stub.Run(until_none(requests)):
                pass
        assert info.value.code() == grpc.StatusCode.UNIMPLEMENTED
    async with connect(worker) as stub:  # while the worker's own socket serves it
        assert (await stub.Describe(worker_pb2.DescribeRequest())).worker_id == "health-w"


async def test_watches_on_the_health_port_are_bounded(worker):
    async with grpc.aio.insecure_channel(worker.ready["health_address"]) as channel:
        health = health_stub(channel)
        request = health_pb2.HealthCheckRequest()
        held = [health.Watch(request) for _ in range(MAX_OPEN_HEALTH_WATCHES)]
        for stream in held:
            assert (await stream.read()).status == SERVING
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await health.Watch(request).read()
        assert info.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert (await health.Check(request)).status == SERVING  # Check still answers
        for stream in held:
            stream.cancel()


def test_the_probe_command_exits_0_on_serving_and_1_without_an_answer(worker):
    served = subprocess.run([PROBE, "--port", str(health_port(worker))], capture_output=True, text=True, timeout=30, check=False)
    assert (served.returncode, served.stderr.strip()) == (0, "SERVING")
    with socket.socket() as unused:  # a port nobody listens on: bound, never listening
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
        missed = subprocess.run(
            [PROBE, "--port", str(port), "--timeout", "2"], capture_output=True, text=True, timeout=30, check=False
        )
    assert missed.returncode == 1
    assert missed.stderr.startswith("no answer: ")


def test_a_health_port_in_use_refuses_to_start():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        folder = Path(tempfile.mkdtemp(prefix="dc-health-")) / "private"
        args = ["--uds", str(folder / "w.sock"), "--health-port", str(taken.getsockname()[1])]
        result = subprocess.run(
            [sys.executable, "-m", "dspy_connect.worker", *args], capture_output=True, text=True, timeout=60, check=False
        )
    assert result.returncode == 2, result.stderr[-500:]
    assert "--health-port" in result.stderr


def test_the_health_port_listens_on_the_tcp_host():
    assert health_host(Namespace(tcp="0.0.0.0:7000")) == "0.0.0.0"  # noqa: S104 (what a pod's worker binds)
    assert health_host(Namespace(tcp="[::]:7000")) == "[::]"
    assert health_host(Namespace(tcp=":7000")) == "127.0.0.1"
    assert health_host(Namespace(tcp=None)) == "127.0.0.1"


async def test_sigterm_turns_the_health_port_not_serving_until_the_drain_ends():
    worker = uds_worker("--worker-id", "drain-w", "--grace", "60")
    try:
        async with grpc.aio.insecure_channel(worker.ready["health_address"]) as channel, connect(worker) as stub:
            health = health_stub(channel)
            assert (await health.Check(health_pb2.HealthCheckRequest())).status == SERVING
            # A run held in flight: the worker waits for this test's answer to its tool call.
            requests = await request_queue(react_with_tool("held"))
            responses = stub.Run(until_none(requests)).__aiter__()
            call = None
            while call is None:
                response = await anext(responses)
                call = response.tool_call if response.WhichOneof("kind") == "tool_call" else None

            worker.proc.send_signal(signal.SIGTERM)
            check = health_pb2.HealthCheckRequest()
            reply = await poll(lambda: health.Check(check), lambda r: r.status == NOT_SERVING, 200, 0.05)
            assert reply.status == NOT_SERVING  # readiness drops while the run is still in flight
            assert (await health.Check(health_pb2.HealthCheckRequest(service=SERVICE_NAME))).status == NOT_SERVING
            assert worker.proc.poll() is None

            # The drain lets the run finish: answer its tool, and it ends with its result.
            answer = run_pb2.ToolResult(call_id=call.call_id, output_json=b'{"rows": 1}')
            await requests.put(run_pb2.RunRequest(tool_result=answer))
            rest = [response async for response in responses]
            await requests.put(None)
            assert rest[-1].WhichOneof("kind") == "done"
            assert json.loads(rest[-1].done.result_json)["trajectory"]["observation_0"] == {"rows": 1}
        assert worker.proc.wait(timeout=60) == 0
    finally:
        worker.stop()

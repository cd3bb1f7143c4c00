"""LM failures over the real socket: how many attempts, which errors are retried, and the
up-front key check that asks LiteLLM. The LM provider is the scripted one."""

from __future__ import annotations

import json
import socket
import tempfile
from pathlib import Path

import grpc
import pytest

from dspy_connect.retry_policy import DEFAULT_RETRIES
from dspy_connect.v1 import common_pb2, run_pb2, worker_pb2

from .conftest import connect, start_worker
from .expect import expect_code, poll
from .pipeline_defs import definition, predict
from .run_client import run


def _call(lm: common_pb2.LmConfig, **kw) -> worker_pb2.CallRequest:
    module = common_pb2.ModuleSpec(type="predict", signature="question -> answer")
    return worker_pb2.CallRequest(module=module, inputs_json=json.dumps({"question": "q"}).encode(), lm=lm, **kw)


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_a_failing_lm_is_retried_by_default_and_the_error_counts_the_attempts(stub):
    assert DEFAULT_RETRIES == 2
    details = await expect_code(stub.Call(_call(common_pb2.LmConfig(model="scripted/fail"))), grpc.StatusCode.INTERNAL)
    assert "scripted LM failure" in details
    assert "after 3 attempts" in details


async def test_a_call_sets_its_own_retries(stub):
    request = _call(common_pb2.LmConfig(model="scripted/fail"), retries=0)
    details = await expect_code(stub.Call(request), grpc.StatusCode.INTERNAL)
    assert "after 1 attempt" in details
    request = _call(common_pb2.LmConfig(model="scripted/fail"), retries=1)
    assert "after 2 attempts" in await expect_code(stub.Call(request), grpc.StatusCode.INTERNAL)


async def test_the_lms_num_retries_option_still_counts(stub):
    lm = common_pb2.LmConfig(model="scripted/fail", kwargs_json=b'{"num_retries": 0}')
    assert "after 1 attempt" in await expect_code(stub.Call(_call(lm)), grpc.StatusCode.INTERNAL)


async def test_a_streamed_run_counts_its_attempts_too(stub):
    start = run_pb2.RunStart(
        lm=common_pb2.LmConfig(model="scripted/fail"),
        retries=1,
        module=run_pb2.ModuleRun(
            module=common_pb2.ModuleSpec(type="predict", signature="question -> answer"), inputs_json=b'{"question": "q"}'
        ),
    )
    _, done = await run(stub, start)
    assert done.error.code == grpc.StatusCode.INTERNAL.value[0]
    assert "after 2 attempts" in done.error.message


async def test_a_pipeline_step_counts_its_attempts_and_says_where(stub):
    pipeline = run_pb2.PipelineRun(inputs_json=b'{"question": "q"}')
    pipeline.definition.CopyFrom(definition([predict("ask", "question -> answer")]))
    start = run_pb2.RunStart(lm=common_pb2.LmConfig(model="scripted/fail"), retries=0, pipeline=pipeline)
    _, done = await run(stub, start)
    assert done.error.path == "ask"
    assert "scripted LM failure" in done.error.message
    assert "after 1 attempt" in done.error.message


async def test_an_unreachable_local_server_fails_at_once(stub):
    lm = common_pb2.LmConfig(model="openai/any", api_base=f"http://127.0.0.1:{_closed_port()}/v1", api_key="k")
    details = await expect_code(stub.Call(_call(lm)), grpc.StatusCode.INTERNAL)
    assert "after 1 attempt" in details
    assert "not retried" in details


async def test_an_unknown_model_fails_at_once(stub):
    # The provider answers 400 for a model it does not serve, as a real server's "model not found".
    details = await expect_code(stub.Call(_call(common_pb2.LmConfig(model="scripted/no-such-model"))), grpc.StatusCode.INTERNAL)
    assert "unknown scripted model" in details
    assert "after 1 attempt" in details


async def test_a_missing_key_is_named_before_any_work_for_a_provider_litellm_knows(stub):
    # Azure was missing from the client's old hand-written table; LiteLLM knows what it needs.
    details = await expect_code(stub.Call(_call(common_pb2.LmConfig(model="azure/gpt-4o"))), grpc.StatusCode.FAILED_PRECONDITION)
    assert "AZURE_API_KEY" in details
    # A key passed with the LM satisfies the check (the call then fails on the network, not here).
    vertex = await expect_code(
        stub.Call(_call(common_pb2.LmConfig(model="vertex_ai/gemini-1.5-pro"))), grpc.StatusCode.FAILED_PRECONDITION
    )
    assert "VERTEXAI_PROJECT" in vertex


async def test_describe_waits_for_the_warm_up_and_names_the_default_lms_missing_keys():
    folder = Path(tempfile.mkdtemp(prefix="dc-test-"))
    worker = start_worker("--uds", str(folder / "w.sock"), "--lm", "bedrock/anthropic.claude-3-haiku-20240307-v1:0")
    try:
        async with connect(worker) as stub:
            info = await stub.Describe(worker_pb2.DescribeRequest(wait_for_warm_up=True))
            assert info.warmed_up
            assert info.warm_up_pid == info.pid  # a spawned worker warms itself up
            assert {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} <= set(info.lm_missing_keys)
    finally:
        worker.stop()


async def test_describe_of_a_warm_worker_with_a_usable_lm_names_no_missing_keys(stub):
    info = await stub.Describe(worker_pb2.DescribeRequest(wait_for_warm_up=True))
    assert info.warmed_up
    assert list(info.lm_missing_keys) == []


async def test_a_call_the_client_gave_up_on_stops_retrying(stub):
    # 20 retries of an outage would keep a worker thread busy for minutes.
    request = _call(common_pb2.LmConfig(model="scripted/fail"), retries=20)
    with pytest.raises(grpc.aio.AioRpcError) as failed:
        await stub.Call(request, timeout=0.3)
    assert failed.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED

    async def describe() -> worker_pb2.DescribeResponse:
        return await stub.Describe(worker_pb2.DescribeRequest())

    idle = await poll(describe, lambda info: info.busy_threads == 0, tries=40, pause_s=0.25)
    assert idle.busy_threads == 0

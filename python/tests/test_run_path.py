"""The run path: module runs and unary calls with an async path are tasks on the worker's
event loop, not pool threads. Many interleave on one worker, a cancel stops the LM's HTTP
request, and an agent waiting for a TypeScript tool holds no thread."""

from __future__ import annotations

import asyncio
import json

import grpc
import pytest

from dspy_connect.v1 import common_pb2, run_pb2, worker_pb2

from .conftest import connect, start_worker
from .expect import poll
from .run_client import request_queue, run, until_none
from .sse_lm_server import SlowChatServer

CANCELLED = grpc.StatusCode.CANCELLED.value[0]
# Longer than any test here needs; a test that waits this long has failed.
GIVE_UP_S = 30.0


@pytest.fixture(scope="module")
def one_thread_worker():
    """A worker whose DSPy thread pool has a single thread."""
    process = start_worker("--lm", "scripted/echo", "--max-concurrency", "1", "--worker-id", "one-thread-w")
    yield process
    process.stop()


def module_start(
    kind: str, lm: common_pb2.LmConfig | None = None, question: str = "one two three four", **start
) -> run_pb2.RunStart:
    spec = common_pb2.ModuleSpec(type=kind, signature="question -> answer")
    module = run_pb2.ModuleRun(module=spec, inputs_json=json.dumps({"question": question}).encode())
    return run_pb2.RunStart(module=module, lm=lm, **start)


async def test_concurrent_module_runs_interleave_on_one_worker(one_thread_worker):
    """Each run's first token comes before any run is done: none waits for a thread. Each
    keeps its own settings: its LM (a per-run chunk delay) and its answer (its own input)."""
    log: list[tuple[str, int]] = []

    async def one(stub, index: int) -> run_pb2.RunDone:
        lm = common_pb2.LmConfig(model=f"scripted/tokens-{20 + index}", cache=False)
        requests = await request_queue(module_start("chain_of_thought", lm, question=f"run {index} asks"))
        done = None
        async for response in stub.Run(until_none(requests)):
            if response.WhichOneof("kind") == "events" and ("token", index) not in log:
                log.append(("token", index))
            elif response.WhichOneof("kind") == "done":
                done = response.done
                log.append(("done", index))
        await requests.put(None)
        assert done is not None
        return done

    async with connect(one_thread_worker) as stub:
        dones = await asyncio.wait_for(asyncio.gather(*(one(stub, i) for i in range(6))), GIVE_UP_S)
    assert [json.loads(d.result_json)["answer"] for d in dones] == [f"answer: run {i} asks" for i in range(6)]
    first_done = log.index(next(entry for entry in log if entry[0] == "done"))
    assert sorted(i for kind, i in log[:first_done] if kind == "token") == list(range(6))


async def test_agents_waiting_for_typescript_tools_hold_no_thread(one_thread_worker):
    """Two ReAct runs on a one-thread worker both reach their tool call before either is
    answered (on a thread each, the second would wait for the first to end)."""
    spec = common_pb2.ToolSpec(
        name="lookup",
        description="Looks it up.",
        input_schema_json=b'{"type": "object", "properties": {"input": {"type": "string"}}, "required": ["input"]}',
    )
    start = run_pb2.RunStart(
        module=run_pb2.ModuleRun(
            module=common_pb2.ModuleSpec(type="react", signature="question -> answer", tools=["lookup"]),
            inputs_json=b'{"question": "two words"}',
        ),
        tools=[spec],
    )
    both_called = asyncio.Event()
    calls: list[run_pb2.ToolCall] = []

    async def one(stub) -> run_pb2.RunDone:
        requests = await request_queue(start)
        done = None
        async for response in stub.Run(until_none(requests)):
            kind = response.WhichOneof("kind")
            if kind == "tool_call":
                calls.append(response.tool_call)
                if len(calls) == 2:
                    both_called.set()
                await both_called.wait()
                result = run_pb2.ToolResult(call_id=response.tool_call.call_id, output_json=b'"found"')
                await requests.put(run_pb2.RunRequest(tool_result=result))
            elif kind == "done":
                done = response.done
        await requests.put(None)
        assert done is not None
        return done

    async with connect(one_thread_worker) as stub:
        runs = asyncio.gather(one(stub), one(stub))
        try:
            await asyncio.wait_for(both_called.wait(), GIVE_UP_S)
        finally:
            both_called.set()  # lets a failed test's runs finish
        dones = await asyncio.wait_for(runs, GIVE_UP_S)
    assert len(calls) >= 2
    assert all(not d.HasField("error") for d in dones)
    assert all(json.loads(d.result_json)["answer"] for d in dones)


async def test_a_cancel_stops_the_lms_http_request(one_thread_worker):
    server = SlowChatServer(chunks=500, delay_s=0.02)
    listening = await server.start()
    lm = common_pb2.LmConfig(model="openai/stand-in", api_base=server.api_base, api_key="k", cache=False)
    try:
        async with connect(one_thread_worker) as stub:
            _, done = await asyncio.wait_for(
                run(stub, module_start("predict", lm, retries=0), cancel_when=lambda ev: any(e.HasField("token") for e in ev)),
                GIVE_UP_S,
            )
        assert done.error.code == CANCELLED
        await asyncio.wait_for(server.hung_up.wait(), GIVE_UP_S)
    finally:
        listening.close()
    assert server.sent
    assert server.sent[0] < 500  # the worker hung up mid-reply


async def test_concurrent_unary_calls_are_all_in_flight_on_a_one_thread_worker(one_thread_worker):
    request = worker_pb2.CallRequest(
        module=common_pb2.ModuleSpec(type="predict", signature="question -> answer"),
        inputs_json=b'{"question": "q"}',
        lm=common_pb2.LmConfig(model="scripted/slow-1500", cache=False),
    )
    async with connect(one_thread_worker) as stub:
        calls = [asyncio.ensure_future(stub.Call(request)) for _ in range(4)]
        info = await poll(lambda: stub.Describe(worker_pb2.DescribeRequest()), lambda i: i.busy_threads == 4, 100, 0.01)
        replies = await asyncio.wait_for(asyncio.gather(*calls), GIVE_UP_S)
    assert info.busy_threads == 4  # all four at once, with one thread in the pool
    assert all(json.loads(r.outputs_json)["answer"] for r in replies)

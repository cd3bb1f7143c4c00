"""OpenTelemetry spans from a real worker: the test plays the TypeScript client, sends a
W3C traceparent with each run, and reads the worker's spans back through the
`otel_spans` command of dspy_connect.testing.otel (an SDK provider with an in-memory
exporter), then checks that the spans form one trace with the right parent links."""

from __future__ import annotations

import asyncio
import json
import secrets

import grpc
import pytest

from dspy_connect.v1 import common_pb2, run_pb2, worker_pb2

from .conftest import connect, plugin_fixtures
from .pipeline_defs import aggregate, branch, cond, field, parallel, retry, sub, value
from .pipeline_defs import predict as predict_step
from .run_client import run, run_answering
from .test_pipeline import pipeline_start
from .test_run import module_start
from .test_tools import react_start, result, tool

plugins_worker, stub = plugin_fixtures("otel-w", "dspy_connect.testing.plugins", "dspy_connect.testing.otel")


class Caller:
    """The TypeScript side's span: a fresh trace per test."""

    def __init__(self) -> None:
        self.trace_id = secrets.token_hex(16)
        self.span_id = secrets.token_hex(8)
        self.trace = common_pb2.TraceContext(traceparent=f"00-{self.trace_id}-{self.span_id}-01", tracestate="ts=1")


async def spans_of(stub, trace_id: str | None) -> list[dict]:
    """The worker's finished spans of one trace (of all, for None); clears them all."""
    args = {} if trace_id is None else {"trace_id": trace_id}
    start = run_pb2.RunStart(command=run_pb2.CommandRun(command="otel_spans", args_json=json.dumps(args).encode()))
    _, done = await run(stub, start)
    assert done.WhichOneof("outcome") == "result_json", done.error.message
    return json.loads(done.result_json)


def named(spans: list[dict], name: str) -> list[dict]:
    return [s for s in spans if s["name"] == name]


def one(spans: list[dict], name: str) -> dict:
    found = named(spans, name)
    assert len(found) == 1, f"expected one {name!r} span, got {[s['name'] for s in spans]}"
    return found[0]


def traced(start: run_pb2.RunStart, caller: Caller) -> run_pb2.RunStart:
    start.trace.CopyFrom(caller.trace)
    return start


def parent_id(traceparent: str) -> str:
    _version, _trace_id, span_id, _flags = traceparent.split("-")
    return span_id


async def test_the_run_span_continues_the_callers_trace(stub):
    caller = Caller()
    events, done = await run(stub, traced(module_start(), caller))
    assert done.WhichOneof("outcome") == "result_json"

    spans = await spans_of(stub, caller.trace_id)
    run_span = one(spans, "dspy_connect.run")
    assert (run_span["trace_id"], run_span["parent_span_id"], run_span["kind"]) == (caller.trace_id, caller.span_id, "SERVER")
    assert run_span["status"]["code"] == "UNSET"
    attributes = run_span["attributes"]
    assert attributes["dspy_connect.operation"] == "module"
    assert attributes["dspy_connect.worker_id"] == "otel-w"
    assert attributes["dspy_connect.module.type"] == "predict"
    assert attributes["dspy_connect.event_count"] == done.event_count == len(events)
    assert attributes["rpc.grpc.status_code"] == 0
    assert all(s["trace_id"] == caller.trace_id for s in spans)
    assert all(s["end_ns"] >= s["start_ns"] for s in spans)


async def test_module_and_lm_spans_nest_under_the_run(stub):
    caller = Caller()
    _, done = await run(stub, traced(module_start(module_type="chain_of_thought"), caller))
    assert done.WhichOneof("outcome") == "result_json"

    spans = await spans_of(stub, caller.trace_id)
    run_span = one(spans, "dspy_connect.run")
    cot = one(spans, "dspy.module ChainOfThought")
    predict = one(spans, "dspy.module Predict")
    lm = one(spans, "dspy.lm scripted/echo")
    assert cot["parent_span_id"] == run_span["span_id"]
    assert predict["parent_span_id"] == cot["span_id"]
    assert lm["parent_span_id"] == predict["span_id"]
    assert (lm["kind"], lm["attributes"]["gen_ai.request.model"], lm["attributes"]["gen_ai.provider.name"]) == (
        "CLIENT",
        "scripted/echo",
        "scripted",
    )
    # The scripted LM counts words: the streamed call's usage reaches its span.
    assert lm["attributes"]["gen_ai.usage.input_tokens"] > 0
    assert lm["attributes"]["gen_ai.usage.output_tokens"] > 0
    assert (lm["attributes"]["gen_ai.usage.input_tokens"], lm["attributes"]["gen_ai.usage.output_tokens"]) == (
        done.usage.prompt_tokens,
        done.usage.completion_tokens,
    )
    assert predict["attributes"]["dspy.module.class"] == "Predict"
    assert run_span["start_ns"] <= cot["start_ns"] <= predict["start_ns"] <= lm["start_ns"] <= lm["end_ns"] <= run_span["end_ns"]


async def test_pipeline_steps_are_spans_and_their_modules_nest_under_them(stub):
    caller = Caller()
    steps = [
        predict_step("draft", "question -> answer"),
        branch("route", cond("contains", field("answer"), value("one")), sub(predict_step("shout", "question -> loud"))),
        parallel(
            "fan",
            [sub(predict_step("a", "question -> label")), sub(predict_step("b", "answer -> label"))],
            aggregate("concat", field="label", into="labels"),
        ),
    ]
    _, done = await run(stub, traced(pipeline_start(steps), caller))
    assert done.WhichOneof("outcome") == "result_json", done.error.message

    spans = await spans_of(stub, caller.trace_id)
    run_span = one(spans, "dspy_connect.run")
    step_spans = {s["attributes"]["dspy_connect.step.path"]: s for s in spans if s["name"].startswith("dspy_connect.step ")}
    assert set(step_spans) == {"draft", "route", "route/then/shout", "fan", "fan/0/a", "fan/1/b"}
    parent_path = {"draft": None, "route": None, "route/then/shout": "route", "fan": None, "fan/0/a": "fan", "fan/1/b": "fan"}
    for path, parent in parent_path.items():
        expected = run_span["span_id"] if parent is None else step_spans[parent]["span_id"]
        assert step_spans[path]["parent_span_id"] == expected, path
    assert step_spans["fan"]["name"] == "dspy_connect.step parallel"
    assert step_spans["route"]["name"] == "dspy_connect.step branch"
    # Each step's Predict is a child of its step's span, even on the parallel branches' threads.
    modules = {s["parent_span_id"] for s in named(spans, "dspy.module Predict")}
    assert modules == {step_spans[p]["span_id"] for p in ("draft", "route/then/shout", "fan/0/a", "fan/1/b")}


async def test_a_failed_step_attempt_is_an_error_span(stub):
    caller = Caller()
    steps = [predict_step("flaky", "question -> answer", on_error=retry(1))]
    failing = common_pb2.LmConfig(model="scripted/fail", kwargs_json=b'{"num_retries": 0}')
    _, done = await run(stub, traced(pipeline_start(steps, lm=failing), caller))
    assert done.WhichOneof("outcome") == "error"
    attempts = [s for s in await spans_of(stub, caller.trace_id) if s["name"] == "dspy_connect.step predict"]
    assert sorted(s["attributes"]["dspy_connect.step.attempt"] for s in attempts) == [1, 2]
    assert all(s["status"]["code"] == "ERROR" for s in attempts)


async def test_a_typescript_tool_call_carries_its_tool_span(stub):
    caller = Caller()
    calls, _events, done = await run_answering(
        stub, traced(react_start(tool("lookup")), caller), lambda c: [result(c, {"rows": 2})]
    )
    assert done.WhichOneof("outcome") == "result_json"
    [call] = calls

    spans = await spans_of(stub, caller.trace_id)
    react = one(spans, "dspy.module ReAct")
    lookup = one(spans, "dspy.tool lookup")
    assert lookup["parent_span_id"] == react["span_id"]
    assert lookup["attributes"]["gen_ai.tool.name"] == "lookup"
    # The tool span's call id is the one on the tool call and the agent's events.
    assert lookup["attributes"]["dspy.call_id"] == call.call_id
    # The TypeScript tool's span becomes a child of the worker's tool span.
    _, trace_id, span_id, flags = call.trace.traceparent.split("-")
    assert (trace_id, span_id, flags) == (caller.trace_id, lookup["span_id"], "01")
    assert call.trace.tracestate == "ts=1"
    # The agent's own steps are traced too, each LM call under its predictor.
    assert named(spans, "dspy.tool finish")
    for lm in named(spans, "dspy.lm scripted/echo"):
        parent = next(s for s in spans if s["span_id"] == lm["parent_span_id"])
        assert parent["name"] == "dspy.module Predict"


async def test_a_command_tool_call_carries_the_run_span(stub):
    caller = Caller()
    start = run_pb2.RunStart(
        command=run_pb2.CommandRun(command="tool_pingpong", args_json=b'{"tool": "ping", "n": 1}'),
        tools=[tool("ping")],
    )
    calls, _, done = await run_answering(stub, traced(start, caller), lambda c: [result(c, "pong")])
    assert done.WhichOneof("outcome") == "result_json"

    run_span = one(await spans_of(stub, caller.trace_id), "dspy_connect.run")
    assert run_span["attributes"]["dspy_connect.command"] == "tool_pingpong"
    assert run_span["attributes"]["dspy_connect.tools"] == ["ping"]
    assert parent_id(calls[0].trace.traceparent) == run_span["span_id"]


async def test_a_failed_run_has_an_error_span(stub):
    caller = Caller()
    _, done = await run(stub, traced(module_start(lm=common_pb2.LmConfig(model="scripted/fail")), caller))
    assert done.WhichOneof("outcome") == "error"

    spans = await spans_of(stub, caller.trace_id)
    run_span = one(spans, "dspy_connect.run")
    assert run_span["status"] == {"code": "ERROR", "message": done.error.message}
    assert run_span["attributes"]["rpc.grpc.status_code"] == done.error.code
    assert run_span["attributes"]["error.type"] == done.error.cause
    lm = one(spans, "dspy.lm scripted/fail")
    assert lm["status"]["code"] == "ERROR"
    assert "scripted LM failure" in lm["status"]["message"]


async def test_a_cancelled_run_ends_its_spans(stub):
    caller = Caller()
    start = run_pb2.RunStart(command=run_pb2.CommandRun(command="count", args_json=b'{"to": 1000, "delay_ms": 5}'))
    _, done = await run(stub, traced(start, caller), cancel_after=2)
    assert done.error.cause == "RunCancelled"

    run_span = one(await spans_of(stub, caller.trace_id), "dspy_connect.run")
    assert run_span["status"]["code"] == "ERROR"
    assert run_span["attributes"]["error.type"] == "RunCancelled"


async def test_batch_items_are_spans_of_the_run(stub):
    caller = Caller()
    items = [{"question": f"q{i}"} for i in range(4)]
    batch = run_pb2.BatchRun(
        module=common_pb2.ModuleSpec(type="predict", signature="question -> answer"),
        items_json=json.dumps(items).encode(),
        concurrency=4,
    )
    _, done = await run(stub, traced(run_pb2.RunStart(batch=batch), caller))
    assert json.loads(done.result_json)["completed"] == 4

    spans = await spans_of(stub, caller.trace_id)
    run_span = one(spans, "dspy_connect.run")
    predicts = named(spans, "dspy.module Predict")
    assert len(predicts) == 4
    assert all(p["parent_span_id"] == run_span["span_id"] for p in predicts)
    assert {s["parent_span_id"] for s in named(spans, "dspy.lm scripted/echo")} == {p["span_id"] for p in predicts}


async def test_concurrent_runs_keep_their_own_traces(stub):
    callers = [Caller() for _ in range(3)]
    results = await asyncio.gather(*(run(stub, traced(module_start(), c)) for c in callers))
    assert all(done.WhichOneof("outcome") == "result_json" for _, done in results)

    spans = await spans_of(stub, None)  # every trace, then each checked on its own
    for caller in callers:
        own = [s for s in spans if s["trace_id"] == caller.trace_id]
        run_span = one(own, "dspy_connect.run")
        predict = one(own, "dspy.module Predict")
        assert predict["parent_span_id"] == run_span["span_id"]
        assert one(own, "dspy.lm scripted/echo")["parent_span_id"] == predict["span_id"]


async def test_a_run_without_a_traceparent_starts_a_trace(stub):
    _, done = await run(stub, module_start())
    assert done.WhichOneof("outcome") == "result_json"
    spans = await spans_of(stub, None)
    roots = [s for s in named(spans, "dspy_connect.run") if s["attributes"]["dspy_connect.operation"] == "module"]
    assert roots
    assert all(s["parent_span_id"] is None for s in roots)


async def test_the_unary_call_is_traced_too(stub):
    caller = Caller()
    request = worker_pb2.CallRequest(
        module=common_pb2.ModuleSpec(type="predict", signature="question -> answer"),
        inputs_json=b'{"question": "q"}',
        trace=caller.trace,
    )
    await stub.Call(request)

    spans = await spans_of(stub, caller.trace_id)
    call = one(spans, "dspy_connect.call")
    assert (call["parent_span_id"], call["kind"], call["attributes"]["dspy_connect.operation"]) == (
        caller.span_id,
        "SERVER",
        "call",
    )
    assert one(spans, "dspy.module Predict")["parent_span_id"] == call["span_id"]


async def test_a_failed_call_has_an_error_span(stub):
    caller = Caller()
    request = worker_pb2.CallRequest(
        module=common_pb2.ModuleSpec(type="predict", signature="question -> answer"),
        inputs_json=b'{"question": "q"}',
        lm=common_pb2.LmConfig(model="scripted/fail"),
        trace=caller.trace,
    )
    with pytest.raises(grpc.aio.AioRpcError) as failure:
        await stub.Call(request)

    call = one(await spans_of(stub, caller.trace_id), "dspy_connect.call")
    assert call["status"] == {"code": "ERROR", "message": failure.value.details()}
    assert call["attributes"]["rpc.grpc.status_code"] == failure.value.code().value[0]


async def test_describe_reports_the_workers_memory(stub):
    described = await stub.Describe(worker_pb2.DescribeRequest())
    assert described.rss_bytes > 10 * 2**20  # a Python process with DSPy loaded


# ---- without an SDK: the worker in conftest loads no otel plugin ----


@pytest.fixture
async def plain_stub(worker):
    async with connect(worker) as client:
        yield client


async def test_without_an_sdk_runs_work_and_tool_calls_pass_the_callers_trace_on(plain_stub):
    caller = Caller()
    _, done = await run(plain_stub, traced(module_start(module_type="chain_of_thought"), caller))
    assert done.WhichOneof("outcome") == "result_json"
    _, done = await run(plain_stub, traced(module_start(lm=common_pb2.LmConfig(model="scripted/fail")), caller))
    assert done.WhichOneof("outcome") == "error"

    calls, _, done = await run_answering(plain_stub, traced(react_start(tool("lookup")), caller), lambda c: [result(c, "ok")])
    assert done.WhichOneof("outcome") == "result_json"
    # No worker spans: the TypeScript tool span stays a child of the caller's span.
    assert calls[0].trace == caller.trace
    calls, _, done = await run_answering(plain_stub, react_start(tool("lookup")), lambda c: [result(c, "ok")])
    assert not calls[0].HasField("trace")
    assert (await plain_stub.Describe(worker_pb2.DescribeRequest())).rss_bytes > 0

"""Pipelines against a real worker process over its real socket (only the LM is scripted):
every step kind and nesting, streaming with step paths, error policies, cancellation,
sessions (created once, run many times) with flat memory."""

from __future__ import annotations

import asyncio
import json
import threading

import grpc
import pytest

from dspy_connect import warmup
from dspy_connect.channel import EventChannel
from dspy_connect.lm import LmSettings
from dspy_connect.operations.pipeline import run_pipeline
from dspy_connect.pipeline import threads
from dspy_connect.run.context import RunContext
from dspy_connect.testing import pipeline_plugins, scripted_lm  # noqa: F401 (pipeline_plugins registers `flaky` here)
from dspy_connect.v1 import common_pb2, run_pb2, worker_pb2

from .conftest import plugin_fixtures
from .expect import poll
from .run_client import run

Phase = run_pb2.StepEvent


plugins_worker, stub = plugin_fixtures("pipeline-w", "dspy_connect.testing.plugins", "dspy_connect.testing.pipeline_plugins")


def pipeline_start(steps, inputs=None, declared=None, lm=None, session_id="", pipeline_id="", send_definition=True):
    definition = {
        "version": 1,
        "name": "test",
        "inputs": declared if declared is not None else {"question": "str"},
        "steps": steps,
    }
    return run_pb2.RunStart(
        session_id=session_id,
        lm=lm,
        pipeline=run_pb2.PipelineRun(
            pipeline_id=pipeline_id,
            definition_json=json.dumps(definition).encode() if send_definition else b"",
            inputs_json=json.dumps(inputs if inputs is not None else {"question": "one two"}).encode(),
        ),
    )


def steps_of(events):
    """(phase name, path, step_type) of every step event."""
    return [(Phase.Phase.Name(e.step.phase), e.step.path, e.step.step_type) for e in events if e.WhichOneof("kind") == "step"]


def tokens_by_path(events):
    text: dict[str, str] = {}
    for e in events:
        if e.WhichOneof("kind") == "token":
            key = f"{e.token.path}:{e.token.field}"
            text[key] = text.get(key, "") + e.token.delta
    return text


def predict(name, signature, **more):
    return {"kind": "predict", "name": name, "signature": signature, **more}


def flaky(name, signature, fail_times, **more):
    """A module step whose first `fail_times` calls fail (dspy_connect.testing.pipeline_plugins)."""
    return {"kind": "module", "type": "flaky", "name": name, "signature": signature, "config": {"fail_times": fail_times}, **more}


async def test_sequential_steps_stream_with_their_paths_and_feed_each_other(stub):
    steps = [
        predict("draft", "question -> answer"),
        {
            "kind": "chain_of_thought",
            "name": "refine",
            "signature": "text -> answer",
            "inputs": {"text": "answer"},
            "outputs": {"answer": "final"},
        },
    ]
    events, done = await run(stub, pipeline_start(steps))
    assert done.WhichOneof("outcome") == "result_json", done
    result = json.loads(done.result_json)
    assert result["answer"] == "answer: one two"
    assert result["final"] == "answer: answer: one two"  # the draft's answer fed the next step
    assert result["reasoning"] == "Step by step: answer: one two"
    assert steps_of(events) == [
        ("PHASE_START", "draft", "predict"),
        ("PHASE_COMPLETE", "draft", "predict"),
        ("PHASE_START", "refine", "chain_of_thought"),
        ("PHASE_COMPLETE", "refine", "chain_of_thought"),
        ("PHASE_COMPLETE", "", "pipeline"),
    ]
    assert tokens_by_path(events) == {
        "draft:answer": "answer: one two",
        "refine:reasoning": "Step by step: answer: one two",
        "refine:answer": "answer: answer: one two",
    }
    final = [e.step for e in events if e.WhichOneof("kind") == "step"][-1]
    assert json.loads(final.output_json) == result
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert done.event_count == len(events)
    assert done.usage.total_tokens > 0


async def test_every_step_kind_nested(stub):
    sub = {"name": "inner", "steps": [predict("shout", "question -> loud")]}
    steps = [
        {
            "kind": "react",
            "name": "agent",
            "signature": "question -> answer",
            "tools": ["word_count"],
            "config": {"max_iters": 3},
        },
        {
            "kind": "branch",
            "name": "route",
            "condition": {"op": "contains", "left": {"field": "answer"}, "right": {"value": "one"}},
            "then": {"steps": [{"kind": "pipeline", "name": "nested", "pipeline": sub}]},
            "else": {"steps": [predict("never", "question -> loud")]},
        },
        {
            "kind": "parallel",
            "name": "fanout",
            "branches": [{"steps": [predict("answer", "question -> label")]}, {"steps": [predict("answer", "loud -> label")]}],
            "aggregate": {"kind": "concat", "field": "label", "into": "labels"},
        },
        {
            "kind": "map",
            "name": "each",
            "over": "labels",
            "as": "label",
            "pipeline": {"steps": [predict("size", "label -> n: int")]},
            "select": "n",
            "into": "sizes",
        },
    ]
    events, done = await run(stub, pipeline_start(steps))
    assert done.WhichOneof("outcome") == "result_json", done
    result = json.loads(done.result_json)
    assert result["loud"] == "loud: one two"
    assert result["labels"] == ["label: one two", "label: loud: one two"]
    assert result["sizes"] == [len("label: one two"), len("label: loud: one two")]
    assert "trajectory" in result
    kinds = [(phase, path) for phase, path, _ in steps_of(events)]
    assert ("PHASE_START", "route/then/nested") in kinds
    assert ("PHASE_COMPLETE", "route/then/nested/shout") in kinds
    assert ("PHASE_PARALLEL_START", "fanout") in kinds
    assert ("PHASE_PARALLEL_COMPLETE", "fanout") in kinds
    assert ("PHASE_COMPLETE", "fanout/0/answer") in kinds
    assert ("PHASE_COMPLETE", "fanout/1/answer") in kinds
    assert ("PHASE_COMPLETE", "each/0/size") in kinds
    assert ("PHASE_COMPLETE", "each/1/size") in kinds
    assert not any(path.startswith("route/else") for _, path in kinds)
    [branch] = [e.branch for e in events if e.WhichOneof("kind") == "branch"]
    assert (branch.path, branch.value, branch.taken) == ("route", True, "then")
    assert json.loads(branch.condition_json)["op"] == "contains"
    agent = [e for e in events if e.WhichOneof("kind") in ("thought", "tool_start", "observation")]
    assert agent
    assert all(getattr(e, e.WhichOneof("kind")).path == "agent" for e in agent)
    paths = {key.split(":")[0] for key in tokens_by_path(events)}
    assert {
        "agent/react",
        "agent/extract.predict",
        "route/then/nested/shout",
        "fanout/0/answer",
        "fanout/1/answer",
        "each/1/size",
    } <= paths
    parallel_start = next(e.step for e in events if e.WhichOneof("kind") == "step" and e.step.phase == Phase.PHASE_PARALLEL_START)
    assert json.loads(parallel_start.output_json) == {"branches": 2}


async def test_parallel_branches_really_run_at_the_same_time(stub):
    # Slow token streams: branch 1 streams tokens before branch 0 has finished, which a
    # sequential engine could never do. No clock involved.
    slow = common_pb2.LmConfig(model="scripted/tokens-15", cache=False)
    words = " ".join(["w"] * 8)
    branches = [{"steps": [predict("a", "question -> answer")]} for _ in range(3)]
    steps = [{"kind": "parallel", "name": "p", "branches": branches, "aggregate": {"kind": "majority", "field": "answer"}}]
    events, done = await run(stub, pipeline_start(steps, inputs={"question": words}, lm=slow))
    assert json.loads(done.result_json)["answer"] == f"answer: {words}"
    order = [e.token.path for e in events if e.WhichOneof("kind") == "token"]
    last_of_first = max(i for i, p in enumerate(order) if p == "p/0/a")
    first_of_others = min(i for i, p in enumerate(order) if p in ("p/1/a", "p/2/a"))
    assert first_of_others < last_of_first


async def test_branch_else_and_no_else(stub):
    is_yes = {"op": "eq", "left": {"field": "question"}, "right": {"value": "yes"}}
    steps = [
        {
            "kind": "branch",
            "name": "b1",
            "condition": is_yes,
            "then": {"steps": [predict("t", "question -> x")]},
            "else": {"steps": [predict("e", "question -> x")]},
        },
        {"kind": "branch", "name": "b2", "condition": is_yes, "then": {"steps": [predict("t", "question -> y")]}},
    ]
    events, done = await run(stub, pipeline_start(steps, inputs={"question": "no"}))
    result = json.loads(done.result_json)
    assert result == {"question": "no", "x": "x: no"}
    taken = [(e.branch.path, e.branch.value, e.branch.taken) for e in events if e.WhichOneof("kind") == "branch"]
    assert taken == [("b1", False, "else"), ("b2", False, "")]


async def test_fail_fast_is_the_default_and_names_the_step(stub):
    steps = [
        predict("ok", "question -> answer"),
        flaky("boom", "question -> other", 5),
        predict("never", "question -> third"),
    ]
    events, done = await run(stub, pipeline_start(steps))
    assert done.error.code == grpc.StatusCode.INTERNAL.value[0]
    assert "step 'boom'" in done.error.message
    assert "flaky failure" in done.error.message
    phases = steps_of(events)
    assert ("PHASE_ERROR", "boom", "module") in phases
    assert not any(path == "never" for _, path, _ in phases)
    error = next(e.step.error for e in events if e.WhichOneof("kind") == "step" and e.step.phase == Phase.PHASE_ERROR)
    assert error.code == grpc.StatusCode.INTERNAL.value[0]
    assert "flaky failure 1 of 5" in error.message


async def test_continue_on_error_leaves_nulls_and_goes_on(stub):
    steps = [
        flaky("boom", "question -> other", 5, on_error="continue"),
        {
            "kind": "branch",
            "name": "check",
            "condition": {"op": "exists", "arg": {"field": "other"}},
            "then": {"steps": [predict("a", "other -> answer")]},
            "else": {"steps": [predict("b", "question -> answer")]},
        },
    ]
    events, done = await run(stub, pipeline_start(steps))
    assert json.loads(done.result_json) == {"question": "one two", "other": None, "answer": "answer: one two"}
    assert ("PHASE_ERROR", "boom", "module") in steps_of(events)


async def test_retry_n_times(stub):
    shaky = flaky("shaky", "question -> answer", 2, on_error="retry", retries=2)
    events, done = await run(stub, pipeline_start([shaky]))
    assert json.loads(done.result_json)["answer"] == "answer: one two"
    phases = [(p, path) for p, path, _ in steps_of(events)]
    assert phases == [
        ("PHASE_START", "shaky"),
        ("PHASE_ERROR", "shaky"),
        ("PHASE_START", "shaky"),
        ("PHASE_ERROR", "shaky"),
        ("PHASE_START", "shaky"),
        ("PHASE_COMPLETE", "shaky"),
        ("PHASE_COMPLETE", ""),
    ]
    errors = [e.step.error.message for e in events if e.WhichOneof("kind") == "step" and e.step.phase == Phase.PHASE_ERROR]
    assert errors[0].startswith("attempt 1 of 3 failed, retrying: step 'shaky'")
    # Too few retries: the last error ends the run.
    shaky["config"] = {"fail_times": 3}
    _, done = await run(stub, pipeline_start([shaky]))
    assert "flaky failure 3 of 3" in done.error.message


async def test_a_failing_parallel_branch_cancels_its_siblings(stub):
    slow = common_pb2.LmConfig(model="scripted/tokens-50", cache=False)
    long = " ".join(["w"] * 40)
    branches = [
        {"steps": [predict("slow", "question -> answer")]},
        {"steps": [flaky("boom", "question -> answer", 9)]},
    ]
    steps = [{"kind": "parallel", "name": "p", "branches": branches, "aggregate": {"kind": "first", "field": "answer"}}]
    events, done = await run(stub, pipeline_start(steps, inputs={"question": long}, lm=slow))
    assert "step 'p/1/boom'" in done.error.message
    slow_tokens = [e for e in events if e.WhichOneof("kind") == "token" and e.token.path == "p/0/slow"]
    assert len(slow_tokens) < 40  # stopped early, not streamed to the end
    # continue-on-error on the parallel step: the failed branch is left out.
    steps[0]["on_error"] = "continue"
    _, done = await run(stub, pipeline_start(steps, inputs={"question": "hi"}))
    assert json.loads(done.result_json)["answer"] == "answer: hi"


async def test_map_runs_each_item_and_continue_marks_failures(stub):
    steps = [
        {
            "kind": "map",
            "name": "each",
            "over": "items",
            "pipeline": {"steps": [predict("say", "item -> answer")]},
            "concurrency": 2,
        }
    ]
    _events, done = await run(stub, pipeline_start(steps, inputs={"items": ["a", "b", "c"]}, declared={"items": "list[str]"}))
    result = json.loads(done.result_json)
    assert result["results"] == [{"answer": "answer: a"}, {"answer": "answer: b"}, {"answer": "answer: c"}]
    _, done = await run(stub, pipeline_start(steps, inputs={"items": "nope"}, declared={"items": "Any"}))
    assert done.error.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
    assert "must be a list" in done.error.message


async def test_cancel_stops_every_branch_and_frees_the_threads(stub):
    slow = common_pb2.LmConfig(model="scripted/tokens-100", cache=False)
    long = " ".join(["w"] * 50)
    branches = [{"steps": [predict("s", "question -> answer")]} for _ in range(3)]
    steps = [{"kind": "parallel", "name": "p", "branches": branches, "aggregate": {"kind": "concat", "field": "answer"}}]

    def tokens(events):
        return sum(e.WhichOneof("kind") == "token" for e in events) >= 3

    events, done = await run(stub, pipeline_start(steps, inputs={"question": long}, lm=slow), cancel_when=tokens)
    assert done.error.code == grpc.StatusCode.CANCELLED.value[0]
    assert sum(e.WhichOneof("kind") == "token" for e in events) < 30
    info = await poll(
        lambda: stub.Describe(worker_pb2.DescribeRequest()), lambda i: i.busy_threads == 0 and i.active_runs == 0, 200, 0.03
    )
    assert info.busy_threads == 0
    # The worker is fine afterwards.
    _, done = await run(stub, pipeline_start([predict("a", "question -> answer")]))
    assert done.WhichOneof("outcome") == "result_json"


async def test_sessions_keep_the_compiled_pipeline(stub):
    session = await stub.CreateSession(worker_pb2.CreateSessionRequest())
    sid = session.session_id
    steps = [predict("a", "question -> answer")]
    _, done = await run(stub, pipeline_start(steps, session_id=sid, pipeline_id="p1"))
    assert json.loads(done.result_json)["answer"] == "answer: one two"
    # Created once: later runs may send only the id.
    _, done = await run(
        stub, pipeline_start(steps, session_id=sid, pipeline_id="p1", send_definition=False, inputs={"question": "again"})
    )
    assert json.loads(done.result_json)["answer"] == "answer: again"
    _, done = await run(stub, pipeline_start(steps, session_id=sid, pipeline_id="other", send_definition=False))
    assert done.error.code == grpc.StatusCode.NOT_FOUND.value[0]
    _, done = await run(stub, pipeline_start(steps, pipeline_id="p1"))
    assert done.error.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]


async def test_bad_definitions_are_typed_errors_and_the_worker_stays_up(stub):
    huge = run_pb2.RunStart(pipeline=run_pb2.PipelineRun(definition_json=b'{"version":1,"steps":[' + b"9" * 5000 + b"]}"))
    deep = run_pb2.RunStart(pipeline=run_pb2.PipelineRun(definition_json=b"[" * 50_000 + b"]" * 50_000))
    dunder = pipeline_start(
        [
            {
                "kind": "branch",
                "condition": {"op": "eq", "left": {"field": "question.__class__"}, "right": {"value": 1}},
                "then": {"steps": [predict("a", "question -> b")]},
            }
        ]
    )
    cases = [
        huge,
        deep,
        dunder,
        run_pb2.RunStart(pipeline=run_pb2.PipelineRun()),
        pipeline_start([{"kind": "exec", "code": "import os"}]),
        pipeline_start([predict("a", "question -> answer")], inputs={"question": 1}),
        pipeline_start([predict("a", "question -> answer")], inputs={}),
        pipeline_start(
            [
                {
                    "kind": "branch",
                    "condition": {"op": "gt", "left": {"field": "question"}, "right": {"value": 3}},
                    "then": {"steps": [predict("a", "question -> b")]},
                }
            ]
        ),
    ]
    for start in cases:
        _, done = await run(stub, start)
        assert done.error.code == grpc.StatusCode.INVALID_ARGUMENT.value[0], (start, done)
    _, done = await run(stub, pipeline_start([predict("a", "question -> answer")]))
    assert done.WhichOneof("outcome") == "result_json"


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        return int(next(line for line in status if line.startswith("VmRSS:")).split()[1]) / 1024


async def test_one_pipeline_run_many_times_keeps_memory_flat(stub, plugins_worker):
    session = await stub.CreateSession(worker_pb2.CreateSessionRequest())
    steps = [
        predict("a", "question -> answer"),
        {
            "kind": "parallel",
            "name": "p",
            "branches": [{"steps": [predict("x", "answer -> label")]}, {"steps": [predict("y", "question -> label")]}],
            "aggregate": {"kind": "majority", "field": "label"},
        },
        {
            "kind": "map",
            "name": "m",
            "over": "items",
            "pipeline": {"steps": [predict("z", "item -> summary")]},
            "select": "summary",
        },
    ]
    start = pipeline_start(
        steps,
        inputs={"question": "q", "items": ["a", "b"]},
        declared={"question": "str", "items": "list[str]"},
        session_id=session.session_id,
        pipeline_id="mem",
    )

    async def runs(n):
        for _ in range(n):
            _, done = await run(stub, start)
            assert done.WhichOneof("outcome") == "result_json", done

    await runs(60)  # warm: threads, loops, caches
    before = rss_mib(plugins_worker.proc.pid)
    await runs(300)
    after = rss_mib(plugins_worker.proc.pid)
    print(f"worker RSS {before:.1f} -> {after:.1f} MiB over 300 runs")
    assert after - before < 25, (before, after)


def test_a_full_thread_pool_runs_branches_inline(monkeypatch):
    """In-process: with no pool thread free, nested parallel steps and map items run in the
    caller's thread, in turn, and still produce the same result (no deadlock)."""
    scripted_lm.register()
    warmup._outcome.done.set()
    monkeypatch.setattr(threads, "try_spawn", lambda task: None)
    loop = asyncio.new_event_loop()
    threading.Thread(target=loop.run_forever, daemon=True).start()

    def run_inline(steps, inputs, declared):
        channel = EventChannel(loop, capacity=100_000)
        run = RunContext(channel, LmSettings(model="scripted/echo", cache=False))
        op = pipeline_start(steps, inputs=inputs, declared=declared).pipeline
        try:
            return run_pipeline(run, op).result
        finally:
            channel.close()

    inner = {
        "kind": "parallel",
        "name": "inner",
        "branches": [{"steps": [predict("x", "item -> label")]}, {"steps": [predict("y", "item -> label")]}],
        "aggregate": {"kind": "concat", "field": "label", "into": "labels"},
    }
    steps = [
        {
            "kind": "parallel",
            "name": "outer",
            "branches": [{"steps": [predict("a", "question -> answer")]}, {"steps": [predict("b", "question -> answer")]}],
            "aggregate": {"kind": "majority", "field": "answer"},
        },
        {"kind": "map", "name": "each", "over": "items", "pipeline": {"steps": [inner]}, "select": "labels", "concurrency": 2},
    ]
    result = run_inline(steps, {"question": "q", "items": ["a", "b"]}, {"question": "str", "items": "list[str]"})
    assert result["answer"] == "answer: q"
    assert result["results"] == [["label: a", "label: a"], ["label: b", "label: b"]]
    # Fail-fast inline: the failing branch's error wins, and the run's thread carries on fine.
    failing = [
        {
            "kind": "parallel",
            "name": "p",
            "branches": [
                {"steps": [flaky("boom", "question -> answer", 9)]},
                {"steps": [predict("ok", "question -> answer")]},
            ],
            "aggregate": {"kind": "first", "field": "answer"},
        }
    ]
    with pytest.raises(Exception, match="step 'p/0/boom'"):
        run_inline(failing, {"question": "q"}, {"question": "str"})
    assert run_inline([predict("after", "question -> answer")], {"question": "q"}, {"question": "str"})["answer"] == "answer: q"

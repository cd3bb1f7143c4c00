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

from .conftest import connect, plugin_worker
from .pipeline_defs import (
    CONTINUE,
    aggregate,
    branch,
    cond,
    definition,
    exists,
    field,
    flaky,
    map_step,
    module_step,
    parallel,
    predict,
    retry,
    sub,
    sub_pipeline,
    value,
)
from .run_client import run
from .test_malformed_requests import raw_run

Phase = run_pb2.StepEvent


@pytest.fixture(scope="module")
def pipeline_worker():
    with plugin_worker("pipeline-w", "dspy_connect.testing.plugins", "dspy_connect.testing.pipeline_plugins") as process:
        yield process


@pytest.fixture
async def stub(pipeline_worker):
    async with connect(pipeline_worker) as client:
        yield client


def pipeline_start(steps, inputs=None, declared=None, lm=None, session_id="", pipeline_id="", send_definition=True):
    """A RunStart for a pipeline whose steps are given in protobuf JSON form (pipeline_defs)."""
    op = run_pb2.PipelineRun(
        pipeline_id=pipeline_id,
        inputs_json=json.dumps(inputs if inputs is not None else {"question": "one two"}).encode(),
    )
    if send_definition:
        op.definition.CopyFrom(definition(steps, declared))
    return run_pb2.RunStart(session_id=session_id, lm=lm, pipeline=op)


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


async def test_sequential_steps_stream_with_their_paths_and_feed_each_other(stub):
    steps = [
        predict("draft", "question -> answer"),
        module_step("chain_of_thought", "refine", "text -> answer", inputs={"text": "answer"}, outputs={"answer": "final"}),
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
    inner = sub(predict("shout", "question -> loud"), name="inner")
    contains_one = cond("contains", field("answer"), value("one"))
    steps = [
        module_step("react", "agent", "question -> answer", tools=["word_count"], config={"max_iters": 3}),
        branch("route", contains_one, sub(sub_pipeline("nested", inner)), sub(predict("never", "question -> loud"))),
        parallel(
            "fanout",
            [sub(predict("answer", "question -> label")), sub(predict("answer", "loud -> label"))],
            aggregate("concat", field="label", into="labels"),
        ),
        map_step("each", "labels", sub(predict("size", "label -> n: int")), item="label", select="n", into="sizes"),
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
    [taken] = [e.branch for e in events if e.WhichOneof("kind") == "branch"]
    assert (taken.path, taken.value, taken.taken) == ("route", True, "then")
    assert json.loads(taken.condition_json) == contains_one  # the condition as sent, in protobuf JSON form
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
    branches = [sub(predict("a", "question -> answer")) for _ in range(3)]
    steps = [parallel("p", branches, aggregate("majority", field="answer"))]
    events, done = await run(stub, pipeline_start(steps, inputs={"question": words}, lm=slow))
    assert json.loads(done.result_json)["answer"] == f"answer: {words}"
    order = [e.token.path for e in events if e.WhichOneof("kind") == "token"]
    last_of_first = max(i for i, p in enumerate(order) if p == "p/0/a")
    first_of_others = min(i for i, p in enumerate(order) if p in ("p/1/a", "p/2/a"))
    assert first_of_others < last_of_first


async def test_branch_else_and_no_else(stub):
    is_yes = cond("eq", field("question"), value("yes"))
    steps = [
        branch("b1", is_yes, sub(predict("t", "question -> x")), sub(predict("e", "question -> x"))),
        branch("b2", is_yes, sub(predict("t", "question -> y"))),
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
        flaky("boom", "question -> other", 5, on_error=CONTINUE),
        branch("check", exists(field("other")), sub(predict("a", "other -> answer")), sub(predict("b", "question -> answer"))),
    ]
    events, done = await run(stub, pipeline_start(steps))
    assert json.loads(done.result_json) == {"question": "one two", "other": None, "answer": "answer: one two"}
    assert ("PHASE_ERROR", "boom", "module") in steps_of(events)


async def test_retry_n_times(stub):
    events, done = await run(stub, pipeline_start([flaky("shaky", "question -> answer", 2, on_error=retry(2))]))
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
    _, done = await run(stub, pipeline_start([flaky("shaky", "question -> answer", 3, on_error=retry(2))]))
    assert "flaky failure 3 of 3" in done.error.message


async def test_a_failing_parallel_branch_cancels_its_siblings(stub):
    slow = common_pb2.LmConfig(model="scripted/tokens-50", cache=False)
    long = " ".join(["w"] * 40)
    branches = [sub(predict("slow", "question -> answer")), sub(flaky("boom", "question -> answer", 9))]
    steps = [parallel("p", branches, aggregate("first", field="answer"))]
    events, done = await run(stub, pipeline_start(steps, inputs={"question": long}, lm=slow))
    assert "step 'p/1/boom'" in done.error.message
    slow_tokens = [e for e in events if e.WhichOneof("kind") == "token" and e.token.path == "p/0/slow"]
    assert len(slow_tokens) < 40  # stopped early, not streamed to the end
    # continue-on-error on the parallel step: the failed branch is left out.
    steps[0]["onError"] = CONTINUE
    _, done = await run(stub, pipeline_start(steps, inputs={"question": "hi"}))
    assert json.loads(done.result_json)["answer"] == "answer: hi"


async def test_map_runs_each_item_and_continue_marks_failures(stub):
    steps = [map_step("each", "items", sub(predict("say", "item -> answer")), concurrency=2)]
    _events, done = await run(stub, pipeline_start(steps, inputs={"items": ["a", "b", "c"]}, declared={"items": "list[str]"}))
    result = json.loads(done.result_json)
    assert result["results"] == [{"answer": "answer: a"}, {"answer": "answer: b"}, {"answer": "answer: c"}]
    _, done = await run(stub, pipeline_start(steps, inputs={"items": "nope"}, declared={"items": "Any"}))
    assert done.error.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
    assert "must be a list" in done.error.message


async def test_cancel_stops_every_branch_and_frees_the_threads(stub):
    slow = common_pb2.LmConfig(model="scripted/tokens-100", cache=False)
    long = " ".join(["w"] * 50)
    branches = [sub(predict("s", "question -> answer")) for _ in range(3)]
    steps = [parallel("p", branches, aggregate("concat", field="answer"))]
    tokens = lambda events: sum(e.WhichOneof("kind") == "token" for e in events) >= 3  # noqa: E731
    events, done = await run(stub, pipeline_start(steps, inputs={"question": long}, lm=slow), cancel_when=tokens)
    assert done.error.code == grpc.StatusCode.CANCELLED.value[0]
    assert sum(e.WhichOneof("kind") == "token" for e in events) < 30
    info = await stub.Describe(worker_pb2.DescribeRequest())
    for _ in range(200):
        if info.busy_threads == 0 and info.active_runs == 0:
            break
        await asyncio.sleep(0.03)
        info = await stub.Describe(worker_pb2.DescribeRequest())
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
    big = pipeline_start([predict(f"s{i}", "question -> answer", config={"pad": "x" * 5000}) for i in range(250)])
    dunder = pipeline_start([branch(None, cond("eq", field("question.__class__"), value(1)), sub(predict("a", "question -> b")))])
    legacy = run_pb2.RunStart(pipeline=run_pb2.PipelineRun(definition_json=b'{"version": 1, "steps": []}'))
    cases = [
        big,
        dunder,
        legacy,
        run_pb2.RunStart(pipeline=run_pb2.PipelineRun()),
        pipeline_start([{"name": "no_kind"}]),
        pipeline_start([predict("a", "question -> answer")], inputs={"question": 1}),
        pipeline_start([predict("a", "question -> answer")], inputs={}),
        pipeline_start([branch(None, cond("gt", field("question"), value(3)), sub(predict("a", "question -> b")))]),
    ]
    for start in cases:
        _, done = await run(stub, start)
        assert done.error.code == grpc.StatusCode.INVALID_ARGUMENT.value[0], (start, done)
    _, done = await run(stub, pipeline_start([predict("a", "question -> answer")]))
    assert done.WhichOneof("outcome") == "result_json"


def _field(number: int, payload: bytes) -> bytes:
    """One length-delimited protobuf field."""
    size, length = bytearray(), len(payload)
    while True:
        size.append((length & 0x7F) | (0x80 if length > 0x7F else 0))
        length >>= 7
        if not length:
            break
    return bytes([number << 3 | 2]) + bytes(size) + payload


async def test_a_definition_nested_past_protobufs_own_limit_is_invalid_argument(pipeline_worker):
    """Nesting beyond protobuf's decoder limit (100 messages deep) fails to parse: the run
    ends with INVALID_ARGUMENT, like any malformed request, before the compiler's own
    nesting bound could be asked."""
    definition_bytes = _field(3, _field(10, _field(1, _field(2, b"question -> b"))))  # one predict step
    for _ in range(60):  # PipelineDefinition.steps -> PipelineStep.pipeline -> SubPipelineStep.pipeline
        definition_bytes = _field(3, _field(17, _field(1, definition_bytes)))
    request = _field(1, _field(13, _field(4, definition_bytes)))  # RunRequest.start.pipeline.definition
    async with grpc.aio.insecure_channel(pipeline_worker.address) as channel:
        done = await raw_run(channel, [request])
    assert done is not None
    assert done.error.code == grpc.StatusCode.INVALID_ARGUMENT.value[0], done
    assert "malformed" in done.error.message


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        return int(next(line for line in status if line.startswith("VmRSS:")).split()[1]) / 1024


async def test_one_pipeline_run_many_times_keeps_memory_flat(stub, pipeline_worker):
    session = await stub.CreateSession(worker_pb2.CreateSessionRequest())
    steps = [
        predict("a", "question -> answer"),
        parallel(
            "p",
            [sub(predict("x", "answer -> label")), sub(predict("y", "question -> label"))],
            aggregate("majority", field="label"),
        ),
        map_step("m", "items", sub(predict("z", "item -> summary")), select="summary"),
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
    before = rss_mib(pipeline_worker.proc.pid)
    await runs(300)
    after = rss_mib(pipeline_worker.proc.pid)
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

    inner = parallel(
        "inner",
        [sub(predict("x", "item -> label")), sub(predict("y", "item -> label"))],
        aggregate("concat", field="label", into="labels"),
    )
    steps = [
        parallel(
            "outer",
            [sub(predict("a", "question -> answer")), sub(predict("b", "question -> answer"))],
            aggregate("majority", field="answer"),
        ),
        map_step("each", "items", sub(inner), select="labels", concurrency=2),
    ]
    result = run_inline(steps, {"question": "q", "items": ["a", "b"]}, {"question": "str", "items": "list[str]"})
    assert result["answer"] == "answer: q"
    assert result["results"] == [["label: a", "label: a"], ["label: b", "label: b"]]
    # Fail-fast inline: the failing branch's error wins, and the run's thread carries on fine.
    failing = [
        parallel(
            "p",
            [sub(flaky("boom", "question -> answer", 9)), sub(predict("ok", "question -> answer"))],
            aggregate("first", field="answer"),
        )
    ]
    with pytest.raises(Exception, match="step 'p/0/boom'"):
        run_inline(failing, {"question": "q"}, {"question": "str"})
    assert run_inline([predict("after", "question -> answer")], {"question": "q"}, {"question": "str"})["answer"] == "answer: q"

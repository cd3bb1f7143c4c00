"""The Run stream against a real worker process, plus the pieces behind it."""

from __future__ import annotations

import asyncio
import json
import threading

import dspy
import grpc
import pytest

from dspy_connect.channel import ChannelClosed, EventChannel
from dspy_connect.metrics import contains, exact_match, f1
from dspy_connect.run.json_field_text import JsonFieldText
from dspy_connect.v1 import common_pb2, run_pb2, worker_pb2

from .conftest import plugin_fixtures
from .expect import poll
from .run_client import request_queue, run, until_none

# grpc.aio.EOF: what read() returns once the server is done (grpc's stubs leave it out).
EOF = grpc.aio.EOF  # pyright: ignore[reportAttributeAccessIssue]


plugins_worker, stub = plugin_fixtures("run-w", "dspy_connect.testing.plugins")


def module_start(signature="question -> answer", inputs=None, module_type="predict", lm=None, **spec):
    return run_pb2.RunStart(
        lm=lm,
        module=run_pb2.ModuleRun(
            module=common_pb2.ModuleSpec(type=module_type, signature=signature, **spec),
            inputs_json=json.dumps(inputs or {"question": "one two three"}).encode(),
        ),
    )


async def test_module_run_streams_tokens_then_done(stub):
    events, done = await run(stub, module_start())
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert done.event_count == len(events)
    text = "".join(e.token.delta for e in events if e.WhichOneof("kind") == "token")
    assert text == "answer: one two three"
    assert json.loads(done.result_json) == {"answer": "answer: one two three"}
    assert done.usage.total_tokens > 0


async def test_first_message_must_be_start(stub):
    async def only_cancel():
        yield run_pb2.RunRequest(cancel=run_pb2.RunCancel())

    with pytest.raises(grpc.aio.AioRpcError) as info:
        async for _ in stub.Run(only_cancel()):
            pass
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_cancel_message_stops_the_run(stub):
    slow = common_pb2.LmConfig(model="scripted/tokens-100", cache=False)
    events, done = await run(stub, module_start(inputs={"question": " ".join(["w"] * 50)}, lm=slow), cancel_after=2)
    assert done.error.code == grpc.StatusCode.CANCELLED.value[0]
    assert "enough" in done.error.message
    assert len(events) < 10
    info = await poll(lambda: stub.Describe(worker_pb2.DescribeRequest()), lambda i: i.busy_threads == 0, 100, 0.03)
    assert info.busy_threads == 0
    assert info.runs_cancelled >= 1


async def test_errors_are_typed_done_messages_and_the_worker_stays_up(stub):
    cases = [
        (run_pb2.RunStart(command=run_pb2.CommandRun(command="nope")), grpc.StatusCode.NOT_FOUND),
        (run_pb2.RunStart(command=run_pb2.CommandRun(command="explode")), grpc.StatusCode.INTERNAL),
        (run_pb2.RunStart(), grpc.StatusCode.INVALID_ARGUMENT),
        (module_start(inputs={"nope": 1}), grpc.StatusCode.INVALID_ARGUMENT),
        (module_start(module_type="react", tools=["os.system"]), grpc.StatusCode.INVALID_ARGUMENT),
        (module_start(module_type="predict", tools=["word_count"]), grpc.StatusCode.INVALID_ARGUMENT),
    ]
    for start, code in cases:
        _, done = await run(stub, start)
        assert done.error.code == code.value[0], (start, done)
    _, done = await run(stub, module_start())
    assert done.WhichOneof("outcome") == "result_json"


async def test_react_step_events(stub):
    events, done = await run(stub, module_start(module_type="react", tools=["word_count"]))
    kinds = [e.WhichOneof("kind") for e in events if e.WhichOneof("kind") not in ("token", "status")]
    assert kinds == ["thought", "tool_start", "observation", "thought", "tool_start", "observation"]
    observation = next(e.observation for e in events if e.WhichOneof("kind") == "observation")
    assert observation.tool_name == "word_count"
    assert not observation.is_error
    assert json.loads(done.result_json)["answer"] == "answer: one two three"


async def test_batch_reports_each_item_and_progress(stub):
    start = run_pb2.RunStart(
        batch=run_pb2.BatchRun(
            module=common_pb2.ModuleSpec(type="predict", signature="question -> n: int"),
            items_json=b'[{"question": "ab"}, {"bad": 1}, 7, {"question": "abcd"}]',
            concurrency=2,
            ordered=True,
        )
    )
    events, done = await run(stub, start)
    items = [e.item for e in events if e.WhichOneof("kind") == "item"]
    assert [i.index for i in items] == [0, 1, 2, 3]
    assert json.loads(items[0].output_json) == {"n": 2}
    assert items[1].error.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
    assert items[2].error.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
    assert json.loads(done.result_json) == {"total": 4, "completed": 4, "failed": 2}


async def test_optimize_bootstrap_returns_loadable_state(stub):
    trainset = [{"question": "a", "answer": "answer: a"}, {"question": "b", "answer": "answer: b"}]
    start = run_pb2.RunStart(
        optimize=run_pb2.OptimizeRun(
            program=common_pb2.ModuleSpec(type="predict", signature="question -> answer"),
            trainset_json=json.dumps(trainset).encode(),
            metric="exact_match",
            optimizer="bootstrap_few_shot",
            optimizer_config_json=b'{"max_bootstrapped_demos": 1, "max_labeled_demos": 0}',
        )
    )
    events, done = await run(stub, start)
    trials = [e.trial for e in events if e.WhichOneof("kind") == "trial"]
    assert trials[0].kind == "bootstrap"
    assert trials[0].score == 1.0
    assert trials[-1].kind == "best"
    state = json.loads(done.result_json)["state"]
    assert len(state["demos"]) == 1
    _, loaded = await run(stub, module_start(state_json=json.dumps(state).encode()))
    assert json.loads(loaded.result_json) == {"answer": "answer: one two three"}


# ---- pieces ----


async def test_channel_batches_numbers_and_bounds_events():
    loop = asyncio.get_running_loop()
    channel = EventChannel(loop, capacity=4)
    produced = []

    def producer():
        for i in range(10):
            channel.put(run_pb2.Event(status=run_pb2.StatusEvent(message=str(i))))
            produced.append(i)
        channel.close()

    thread = threading.Thread(target=producer)
    thread.start()
    await asyncio.sleep(0.2)
    assert len(produced) == 4  # the producer waits for the reader
    frames = []
    while (frame := await channel.take()) is not None:
        frames.append(list(frame.events.events))
    thread.join()
    seqs = [e.seq for frame in frames for e in frame]
    assert seqs == list(range(1, 11))
    assert len(frames[0]) == 4  # everything waiting went out in one frame


async def test_channel_sends_tool_calls_in_order_as_frames_of_their_own():
    channel = EventChannel(asyncio.get_running_loop())
    channel.put(run_pb2.Event(status=run_pb2.StatusEvent(message="a")))
    channel.put(run_pb2.RunResponse(tool_call=run_pb2.ToolCall(call_id="c1", tool_name="t")))
    channel.put(run_pb2.Event(status=run_pb2.StatusEvent(message="b")))
    channel.close()
    frames = []
    while (frame := await channel.take()) is not None:
        frames.append(frame)
    assert [f.WhichOneof("kind") for f in frames] == ["events", "tool_call", "events"]
    assert [e.seq for e in frames[2].events.events] == [2]  # tool calls take no sequence number


async def test_abandoned_channel_releases_a_blocked_producer():
    channel = EventChannel(asyncio.get_running_loop(), capacity=1)
    channel.put(run_pb2.Event())
    outcome = []

    def producer():
        try:
            channel.put(run_pb2.Event())
        except ChannelClosed:
            outcome.append("closed")

    thread = threading.Thread(target=producer)
    thread.start()
    await asyncio.sleep(0.05)
    channel.abandon()
    thread.join(timeout=2)
    assert outcome == ["closed"]


def test_named_metrics_compare_label_fields():
    example = dspy.Example(question="q", answer="The Paris").with_inputs("question")
    assert exact_match(example, dspy.Prediction(answer="paris"))
    assert not exact_match(example, dspy.Prediction(answer="Lyon"))
    assert contains(example, dspy.Prediction(answer="It is the paris of France"))
    assert f1(example, dspy.Prediction(answer="paris france")) == pytest.approx(2 / 3)
    assert not exact_match(dspy.Example(question="q").with_inputs("question"), dspy.Prediction(answer="x"))


def test_json_field_text_yields_the_value_not_the_json():
    def deltas(chunks):
        text = JsonFieldText()
        return [text.delta(c, i == len(chunks) - 1) for i, c in enumerate(chunks)]

    assert deltas([' "blue', " sky", '", "answer', '":', " "]) == ["blue", " sky", "", "", ""]
    assert "".join(deltas([' "a\\', "nb \\u00", 'e9"', "}"])) == "a\nb é"
    assert "".join(deltas([" 4", "2", ', "x":'])) == "42"
    assert "".join(deltas([" [1,", " 2]", "}"])) == "[1, 2]"


async def _open_until_done(stub, start: run_pb2.RunStart, deadline_s: float | None = None):
    """Sends `start` and reads to `done`, keeping the request side open."""
    requests = await request_queue(start)
    call = stub.Run(until_none(requests), timeout=deadline_s)
    while (await call.read()).WhichOneof("kind") != "done":
        pass
    return call, requests


async def test_a_client_that_closes_after_done_gets_the_end_only_after_closing(stub):
    # Node's http2 drops unread frames when the server resets a stream whose request side is
    # open; such a client sets closes_after_done, and the worker waits for its half-close.
    start = run_pb2.RunStart(closes_after_done=True, command=run_pb2.CommandRun(command="count", args_json=b'{"to": 3}'))
    call, requests = await _open_until_done(stub, start)
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(asyncio.shield(call.read()), 0.3)
    await requests.put(None)  # half-close
    assert await call.read() == EOF
    assert await call.code() == grpc.StatusCode.OK


async def test_without_closes_after_done_the_run_ends_at_once(stub):
    start = run_pb2.RunStart(command=run_pb2.CommandRun(command="count", args_json=b'{"to": 3}'))
    call, requests = await _open_until_done(stub, start)
    assert await call.read() == EOF
    assert await call.code() == grpc.StatusCode.OK
    await requests.put(None)


async def test_the_wait_for_the_half_close_ends_at_the_deadline(stub):
    start = run_pb2.RunStart(closes_after_done=True, command=run_pb2.CommandRun(command="count", args_json=b'{"to": 3}'))
    call, requests = await _open_until_done(stub, start, deadline_s=1.0)
    # The worker stops waiting as the deadline passes: whichever side ends it first, it ends.
    assert await call.code() in (grpc.StatusCode.OK, grpc.StatusCode.DEADLINE_EXCEEDED)
    await requests.put(None)

"""Scripted field values for the scripted LM (`scripted_outputs` in the LM's kwargs), what
`scriptedLm.outputs(...)` of `@dspy-connect/client/testing` sends: through a real worker
over its real socket, and through DSPy and LiteLLM in-process for every completion path."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import dspy
import grpc
import litellm
import pytest

from dspy_connect.testing import scripted_lm
from dspy_connect.v1 import common_pb2, run_pb2, worker_pb2

from .conftest import plugin_fixtures
from .expect import expect_code
from .run_client import run

plugins_worker, stub = plugin_fixtures("scripted-outputs-w", "dspy_connect.testing.plugins")


def scripted(*entries: dict, model: str = "scripted/echo") -> common_pb2.LmConfig:
    return common_pb2.LmConfig(model=model, cache=False, kwargs_json=json.dumps({"scripted_outputs": list(entries)}).encode())


def call(signature: str, inputs: dict, lm: common_pb2.LmConfig, type_: str = "predict", **spec) -> worker_pb2.CallRequest:
    module = common_pb2.ModuleSpec(type=type_, signature=signature, **spec)
    return worker_pb2.CallRequest(module=module, inputs_json=json.dumps(inputs).encode(), lm=lm)


async def test_a_call_answers_the_scripted_values_in_their_types(stub):
    lm = scripted({"answer": "Paris", "n": 3, "tags": ["a", "b"], "sure": False})
    reply = await stub.Call(call("question -> answer, n: int, tags: list[str], sure: bool", {"question": "q"}, lm))
    assert json.loads(reply.outputs_json) == {"answer": "Paris", "n": 3, "tags": ["a", "b"], "sure": False}


async def test_fields_left_out_keep_their_echo_values(stub):
    reply = await stub.Call(call("question -> answer", {"question": "why"}, scripted({"answer": "because"}), "chain_of_thought"))
    assert json.loads(reply.outputs_json) == {"reasoning": "Step by step: why", "answer": "because"}


async def test_an_agent_takes_one_entry_per_step_then_its_answer(stub):
    lm = scripted(
        {"next_thought": "count them", "next_tool_name": "word_count", "next_tool_args": {"input": "a b c d"}},
        {"next_thought": "done", "next_tool_name": "finish", "next_tool_args": {}},
        {"answer": "four words"},
    )
    start = run_pb2.RunStart(
        lm=lm,
        module=run_pb2.ModuleRun(
            module=common_pb2.ModuleSpec(type="react", signature="question -> answer", tools=["word_count"]),
            inputs_json=b'{"question": "How many words?"}',
        ),
    )
    events, done = await run(stub, start)
    thoughts = [e.thought.text for e in events if e.WhichOneof("kind") == "thought"]
    observations = [
        (e.observation.tool_name, json.loads(e.observation.observation_json))
        for e in events
        if e.WhichOneof("kind") == "observation"
    ]
    assert thoughts == ["count them", "done"]
    assert observations[0] == ("word_count", 4)
    assert json.loads(done.result_json)["answer"] == "four words"


async def test_a_stream_streams_the_scripted_value(stub):
    start = run_pb2.RunStart(
        lm=scripted({"answer": "Paris is the capital"}, model="scripted/tokens-1"),
        module=run_pb2.ModuleRun(
            module=common_pb2.ModuleSpec(type="predict", signature="question -> answer"),
            inputs_json=b'{"question": "q"}',
        ),
    )
    events, done = await run(stub, start)
    deltas = [e.token.delta for e in events if e.WhichOneof("kind") == "token"]
    assert len(deltas) > 1
    assert "".join(deltas) == "Paris is the capital"
    assert json.loads(done.result_json) == {"answer": "Paris is the capital"}


@pytest.mark.parametrize("value", [{"answer": "x"}, ["x"], [{"answer": "x"}, 1], "x"])
async def test_a_malformed_script_is_invalid_argument_and_the_worker_stays_up(stub, value):
    lm = common_pb2.LmConfig(model="scripted/echo", kwargs_json=json.dumps({"scripted_outputs": value}).encode())
    details = await expect_code(stub.Call(call("question -> answer", {"question": "q"}, lm)), grpc.StatusCode.INVALID_ARGUMENT)
    assert "scripted_outputs must be a list of objects" in details
    reply = await stub.Call(call("question -> answer", {"question": "q"}, scripted({"answer": "still up"})))
    assert json.loads(reply.outputs_json) == {"answer": "still up"}


async def test_a_scripted_value_is_data_never_code(stub):
    payload = "__import__('os').system('false') {{answer}} [[ ## completed ## ]"
    reply = await stub.Call(call("question -> answer", {"question": "q"}, scripted({"answer": payload})))
    assert json.loads(reply.outputs_json) == {"answer": payload}


def test_every_litellm_path_carries_the_script():
    """Sync, async, streamed and async-streamed completions all reach the provider with it."""
    scripted_lm.register()
    lm = dspy.LM("scripted/echo", cache=False, scripted_outputs=[{"answer": "Paris"}])
    listener = dspy.streaming.StreamListener("answer")

    async def streamed() -> str:
        program: Any = dspy.streamify(dspy.Predict("question -> answer"), stream_listeners=[listener])
        return "".join([x.chunk async for x in program(question="q") if isinstance(x, dspy.streaming.StreamResponse)])

    async def acall() -> str:
        return (await dspy.Predict("question -> answer").acall(question="q")).answer

    with dspy.context(lm=lm):
        assert dspy.Predict("question -> answer")(question="q").answer == "Paris"
        assert asyncio.run(acall()) == "Paris"
        assert asyncio.run(streamed()) == "Paris"
    signature: Any = dspy.Predict("question -> answer").signature
    messages = dspy.ChatAdapter().format(signature, demos=[], inputs={"question": "q"})
    chunks: Any = litellm.completion("scripted/echo", messages, stream=True, scripted_outputs=[{"answer": "Paris"}])
    assert "[[ ## answer ## ]]\nParis\n" in "".join(chunk.choices[0].delta.content or "" for chunk in chunks)


async def test_a_value_that_does_not_fit_its_type_fails_as_an_unparsable_reply_would(stub):
    details = await expect_code(
        stub.Call(call("question -> n: int", {"question": "q"}, scripted({"n": "many"}))), grpc.StatusCode.INTERNAL
    )
    assert "AdapterParseError" in details

"""`state_json` may carry only the state DSPy's own dump_state writes (demos, signature
text, traces, train, field settings), never attributes such as `forward` or an LM that
would replace the call's (issue 12, defect 6)."""

from __future__ import annotations

import json
from typing import Any

import dspy
import grpc
import pytest

from dspy_connect.v1 import common_pb2

from .conftest import plugin_fixtures
from .expect import call_request, expect_code, expect_run_error, module_start, spec

INVALID = grpc.StatusCode.INVALID_ARGUMENT


def predict_state(**overrides) -> dict:
    """What DSPy's Predict.dump_state writes for `q -> a`, with overrides."""
    state = dspy.Predict("q -> a").dump_state()
    return {**state, **overrides}


plugins_worker, stub = plugin_fixtures("state-w", "dspy_connect.testing.plugins")


HOSTILE = {
    "forward": predict_state(forward=1),
    "callbacks": predict_state(callbacks=5),
    "__dict__": predict_state(__dict__={}),
    "config": predict_state(config={"temperature": 2}),
    "lm replaces the call's": predict_state(lm={"model": "scripted/fail"}),
    "lm with an api_base": predict_state(lm={"model": "openai/x", "api_base": "http://127.0.0.1:9"}),
    "demos not a list": predict_state(demos={"q": "x"}),
    "a demo not an object": predict_state(demos=[5]),
    "signature not an object": predict_state(signature="q -> a"),
    "instructions not a string": predict_state(signature={"instructions": 5, "fields": []}),
    "a field without prefix": predict_state(signature={"instructions": "", "fields": [{"description": "d"}]}),
    "extended_signature": predict_state(extended_signature={}),
    "no signature": {"demos": []},
}


@pytest.mark.parametrize("state", HOSTILE.values(), ids=HOSTILE.keys())
async def test_state_outside_dspy_state_is_invalid_argument(stub, state):
    module = spec(state_json=json.dumps(state).encode())
    assert "state" in await expect_code(stub.Call(call_request(module)), INVALID)
    assert "state" in await expect_run_error(stub, module_start(module), INVALID)


async def test_nested_module_state_is_checked_per_predictor(stub):
    good = dspy.ChainOfThought("q -> a").dump_state()
    hostile = {**good, "predict": {**good["predict"], "forward": 1}}
    module = spec(type_="chain_of_thought", state_json=json.dumps(hostile).encode())
    assert "predict" in await expect_code(stub.Call(call_request(module)), INVALID)
    unknown = {**good, "other": good["predict"]}
    module = spec(type_="chain_of_thought", state_json=json.dumps(unknown).encode())
    await expect_code(stub.Call(call_request(module)), INVALID)


async def test_dspy_dump_state_still_loads(stub):
    """What DSPy saves (a demo, new instructions, `lm: null`, save()'s metadata) loads and is used."""
    program: Any = dspy.Predict("q -> a")  # DSPy's annotations want a Signature class, and leave .signature optional
    program.demos = [dspy.Example(q="two", a="a: two")]
    program.signature = program.signature.with_instructions("Answer briefly.")
    state = {**program.dump_state(), "metadata": {"dependency_versions": {"dspy": dspy.__version__}}}
    uncached = common_pb2.LmConfig(model="scripted/echo", cache=False)
    reply = await stub.Call(call_request(spec(state_json=json.dumps(state).encode()), {"q": "hi"}, lm=uncached))
    assert json.loads(reply.outputs_json) == {"a": "a: hi"}
    cot = dspy.ChainOfThought("q -> a").dump_state()
    reply = await stub.Call(call_request(spec(type_="chain_of_thought", state_json=json.dumps(cot).encode()), {"q": "hi"}))
    assert json.loads(reply.outputs_json)["a"] == "a: hi"

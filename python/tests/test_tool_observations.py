"""A tool may return any JSON: an agent shows the model a list of numbers (or of anything
that is not text) as JSON. DSPy's ChatAdapter formats a list as numbered text blobs and
raised TypeError on anything else, which ended the run with INTERNAL (found by the fuzz
suite)."""

from __future__ import annotations

import json

import pytest

from dspy_connect.v1 import common_pb2, run_pb2

from .conftest import plugin_fixtures
from .run_client import run_answering

SCHEMA = b'{"type":"object","properties":{"input":{"type":"string"}}}'


plugins_worker, stub = plugin_fixtures("observation-w", "dspy_connect.testing.plugins")


@pytest.mark.parametrize("value", [[1], [3, 4], [None, True], [{"a": 1}, "b"], ["plain", "text"], []])
async def test_any_json_tool_result_is_an_observation(stub, value):
    start = run_pb2.RunStart(
        module=run_pb2.ModuleRun(
            module=common_pb2.ModuleSpec(type="react", signature="question -> answer", tools=["lookup"]),
            inputs_json=b'{"question": "q"}',
        ),
        tools=[common_pb2.ToolSpec(name="lookup", input_schema_json=SCHEMA)],
    )

    def answer(call):
        return [run_pb2.RunRequest(tool_result=run_pb2.ToolResult(call_id=call.call_id, output_json=json.dumps(value).encode()))]

    calls, _events, done = await run_answering(stub, start, answer)
    assert [c.tool_name for c in calls] == ["lookup"]
    assert done.WhichOneof("outcome") == "result_json", done.error.message
    trajectory = json.loads(done.result_json)["trajectory"]
    assert trajectory["observation_0"] == value  # the trajectory keeps the value; only the prompt shows it as JSON
